"""Writing a family's data from the fixture's seed (shared by the harness
and the test)."""
import hashlib
import os
import os.path as osp
from typing import Dict

import numpy as np


def family_rng(seed: int, name: str) -> np.random.Generator:
    """The generator of one family: the seed and the family's name."""
    digest = hashlib.sha256(f'{seed}:{name}'.encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], 'little'))


def write_family(family, root: str, seed: int) -> Dict[str, str]:
    """Writes ``family``'s data under ``root``.

    Returns:
        dict: The writer's values with paths made absolute (for the
        family's ``options``).
    """
    values = family.writer(root, family_rng(seed, family.name),
                           **family.writer_kwargs)
    return {
        k: osp.join(root, v) if k.endswith(('root', 'path', 'file')) else v
        for k, v in values.items()
    }


def data_digest(root: str) -> str:
    """SHA-256 over the relative paths and bytes of the files under
    ``root`` (the family's ``data/`` folder): equal digests mean the seed
    wrote the same files (the JPEG and MPEG-4 encoders of another machine
    may not)."""
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(osp.join(root, 'data'))):
        dirs.sort()
        for name in sorted(files):
            path = osp.join(folder, name)
            digest.update(osp.relpath(path, root).encode() + b'\0')
            with open(path, 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()
