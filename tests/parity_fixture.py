"""Where the tests find the parity fixture (see ``tests/data/README.md``).

Importable from every test module: pytest puts ``tests/`` on ``sys.path``
when it loads ``tests/conftest.py``.
"""
import glob
import os
import os.path as osp
from typing import Tuple

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: A tiny official-format checkpoint with the reference's outputs
#: (``tests/data/README.md``): ``$UNIPIXEL_PARITY_FIXTURE`` or the float32
#: one carried by the repository.
PARITY_FIXTURE = os.environ.get(
    'UNIPIXEL_PARITY_FIXTURE',
    osp.join(ROOT, 'tests', 'data', 'parity', 'upstream_tiny'))


def parity_fixture_files() -> Tuple[str, str]:
    """The checkpoint directory and the SAM2 yaml of the parity fixture.

    Raises:
        FileNotFoundError: when the folder, its checkpoint or its single
            ``*.yaml`` is missing (a test that needs it fails, never skips).
    """
    checkpoint = osp.join(PARITY_FIXTURE, 'checkpoint')
    if not osp.isdir(checkpoint):
        raise FileNotFoundError(
            f'no parity fixture checkpoint at {checkpoint} (set '
            'UNIPIXEL_PARITY_FIXTURE or restore tests/data/parity)')
    yamls = glob.glob(osp.join(PARITY_FIXTURE, '*.yaml'))
    if len(yamls) != 1:
        raise FileNotFoundError(
            f'the parity fixture {PARITY_FIXTURE} needs exactly one SAM2 '
            f'*.yaml, found {len(yamls)}')
    return checkpoint, yamls[0]
