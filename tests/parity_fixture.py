"""Where the tests find the parity fixture (see ``tests/data/README.md``).

Importable from every test module: pytest puts ``tests/`` on ``sys.path``
when it loads ``tests/conftest.py``.
"""
import glob
import os
import os.path as osp
from typing import List, Tuple

from tool_module import ROOT

_DATA = osp.join(ROOT, 'tests', 'data', 'parity')
#: A tiny official-format checkpoint with the reference's outputs
#: (``tests/data/README.md``): ``$UNIPIXEL_PARITY_FIXTURE`` or the float32
#: one carried by the repository.
PARITY_FIXTURE = os.environ.get('UNIPIXEL_PARITY_FIXTURE',
                                osp.join(_DATA, 'upstream_tiny'))
#: The fixtures ``tests/test_parity.py`` checks: the one given by
#: ``$UNIPIXEL_PARITY_FIXTURE``, else both carried by the repository
#: (float32 and bfloat16).
PARITY_FIXTURES: List[str] = [os.environ['UNIPIXEL_PARITY_FIXTURE']] \
    if 'UNIPIXEL_PARITY_FIXTURE' in os.environ else [
        osp.join(_DATA, 'upstream_tiny'),
        osp.join(_DATA, 'upstream_tiny_bf16')
    ]


def parity_fixture_files(folder: str = PARITY_FIXTURE) -> Tuple[str, str]:
    """The checkpoint directory and the SAM2 yaml of a parity fixture.

    Args:
        folder (str): the fixture folder; :data:`PARITY_FIXTURE` by default.

    Raises:
        FileNotFoundError: when the folder, its checkpoint or its single
            ``*.yaml`` is missing (a test that needs it fails, never skips).
    """
    checkpoint = osp.join(folder, 'checkpoint')
    if not osp.isdir(checkpoint):
        raise FileNotFoundError(
            f'no parity fixture checkpoint at {checkpoint} (set '
            'UNIPIXEL_PARITY_FIXTURE or restore tests/data/parity)')
    yamls = glob.glob(osp.join(folder, '*.yaml'))
    if len(yamls) != 1:
        raise FileNotFoundError(
            f'the parity fixture {folder} needs exactly one SAM2 '
            f'*.yaml, found {len(yamls)}')
    return checkpoint, yamls[0]
