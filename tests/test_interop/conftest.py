"""Fixtures of the interop tests: mmdet / mmseg, skipped with a reason when
they cannot be imported. CI installs them with the install script and sets
``UNIPIXEL_MM_NO_SKIP=1``, which turns such a skip into a failure
(``tests/conftest.py``)."""
import importlib

import pytest

INSTALL_HINT = ('needs mmdet / mmseg with the compiled mmcv: run '
                '`bash tools/install_mm_interop.sh` once (CI runs it)')


def _import_or_skip(*modules: str) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        # mmdet / mmseg assert a compatible mmcv version on import
        except (ImportError, AssertionError) as e:
            pytest.skip(f'{module} is not importable ({e}); {INSTALL_HINT}')


@pytest.fixture
def mmdet():
    """Skips the test unless MMDetection and mmcv's ops import."""
    _import_or_skip('mmcv.ops', 'mmdet.models', 'mmdet.evaluation')
    return importlib.import_module('mmdet')


@pytest.fixture
def mmseg():
    """Skips the test unless MMSegmentation and mmcv's ops import."""
    _import_or_skip('mmcv.ops', 'mmseg.models', 'mmseg.evaluation')
    return importlib.import_module('mmseg')


@pytest.fixture(scope='session')
def tiny_processor_cfg(tmp_path_factory):
    """Builder config of the tiny processor, written once per session."""
    save_dir = tmp_path_factory.mktemp('tiny_processor')
    return dict(type='build_tiny_processor', save_dir=str(save_dir))
