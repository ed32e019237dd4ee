"""A Hugging Face hub cache folder built by the tests: the tiny official
fixture as the snapshot of a hub model, for hub ids resolved offline.

Importable from every test module, as ``parity_fixture``.
"""
import os
import os.path as osp
from typing import Tuple

from parity_fixture import parity_fixture_files

from unipixel_mm.datasets.tokenizer import build_tiny_processor

#: The hub id the tests resolve.
HUB_ID = 'PolyU-ChenLab/UniPixel-3B'
#: The revision of the snapshot (any 40 hex digits).
REVISION = '0123456789abcdef0123456789abcdef01234567'


def build_hub_cache(root: str, repo_id: str = HUB_ID) -> Tuple[str, str]:
    """Lays out ``root`` as ``HF_HUB_CACHE`` holding ``repo_id``.

    ``models--<org>--<name>/refs/main`` names :data:`REVISION` and its
    snapshot folder holds the fixture checkpoint's files (linked, as the hub
    links blobs) and the tiny processor's files, as an official repository
    holds its tokenizer.

    Args:
        root (str): The cache folder to create.
        repo_id (str): The hub model id.

    Returns:
        tuple: The cache folder and the snapshot folder.
    """
    checkpoint, _ = parity_fixture_files()
    repo = osp.join(root, 'models--' + repo_id.replace('/', '--'))
    snapshot = osp.join(repo, 'snapshots', REVISION)
    os.makedirs(snapshot)
    os.makedirs(osp.join(repo, 'refs'))
    with open(osp.join(repo, 'refs', 'main'), 'w') as f:
        f.write(REVISION)
    for name in os.listdir(checkpoint):
        os.symlink(
            osp.abspath(osp.join(checkpoint, name)), osp.join(snapshot, name))
    build_tiny_processor(snapshot)
    return root, snapshot
