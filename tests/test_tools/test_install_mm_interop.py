"""tools/install_mm_interop.sh: the ops check of mmcv wheels, and a cached
wheel without ops discarded and rebuilt (from a small fake sdist, not the
15-minute compile)."""
import os
import os.path as osp
import subprocess
import sys
import tarfile
import zipfile

import pytest
from tool_module import ROOT

SCRIPT = osp.join(ROOT, 'tools', 'install_mm_interop.sh')
OPS = 'mmcv/_ext.cpython-311-x86_64-linux-gnu.so'


def run_script(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Runs the script for this Python (CPU ops), with ``env`` on top."""
    env = {
        **os.environ, 'PYTHON': sys.executable,
        'FORCE_CUDA': '0',
        **env
    }
    return subprocess.run(['bash', SCRIPT, *args],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=300)


def write_wheel(path: str, *names: str) -> str:
    with zipfile.ZipFile(path, 'w') as whl:
        whl.writestr('mmcv/__init__.py', "__version__ = '2.1.0'\n")
        for name in names:
            whl.writestr(name, b'\x7fELF')
    return path


@pytest.mark.parametrize('names,has_ops', [
    ((OPS, ), True),
    (('mmcv/_ext.pyd', ), True),
    ((), False),
    (('mmcv/ops/_ext.py', ), False),
])
def test_check_wheel(tmp_path, names, has_ops):
    wheel = write_wheel(str(tmp_path / 'mmcv-2.1.0-py3-none-any.whl'), *names)
    assert (run_script('--check-wheel', wheel).returncode == 0) == has_ops


def test_check_wheel_on_a_corrupt_file(tmp_path):
    wheel = tmp_path / 'mmcv-2.1.0-py3-none-any.whl'
    wheel.write_bytes(b'not a zip')
    assert run_script('--check-wheel', str(wheel)).returncode == 1


def write_fake_sdist(path: str) -> str:
    """An ``mmcv-2.1.0`` sdist whose setup.py packs a (fake) ``_ext``."""
    src = osp.join(osp.dirname(path), 'src', 'mmcv-2.1.0')
    os.makedirs(osp.join(src, 'mmcv'))
    with open(osp.join(src, 'mmcv', '__init__.py'), 'w') as f:
        f.write("__version__ = '2.1.0'\n")
    with open(osp.join(src, OPS), 'wb') as f:
        f.write(b'\x7fELF')
    with open(osp.join(src, 'setup.py'), 'w') as f:
        # the script rewrites C++14/17 flags to C++20 in setup.py
        f.write("from setuptools import setup\n"
                "# extra_compile_args = ['-std=c++14']\n"
                "setup(name='mmcv', version='2.1.0', packages=['mmcv'],\n"
                "      package_data={'mmcv': ['_ext*.so']})\n")
    with tarfile.open(path, 'w:gz') as tar:
        tar.add(src, arcname='mmcv-2.1.0')
    return path


def test_cached_wheel_without_ops_is_discarded_and_rebuilt(tmp_path):
    cache = tmp_path / 'cache'
    (cache / 'cpu').mkdir(parents=True)
    # what mmcv's setup.py builds when it finds no torch
    broken = write_wheel(
        str(cache / 'cpu' / 'mmcv-2.1.0-py2.py3-none-any.whl'))
    sdist = write_fake_sdist(str(tmp_path / 'mmcv-2.1.0.tar.gz'))
    proc = run_script(
        '--wheel-only', MMCV_WHEEL_CACHE=str(cache), MMCV_SDIST=sdist)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'discarding the cached wheel' in proc.stderr
    assert 'the build environment sees torch' in proc.stderr
    assert not osp.exists(broken)
    wheel = proc.stdout.strip().splitlines()[-1]
    assert osp.dirname(wheel) == str(cache / 'cpu')
    assert OPS in zipfile.ZipFile(wheel).namelist()
    # the rebuilt wheel is reused as it is
    again = run_script('--wheel-only', MMCV_WHEEL_CACHE=str(cache))
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.strip() == wheel
    assert 'using the cached wheel' in again.stderr
    assert sorted(os.listdir(cache / 'cpu')) == [osp.basename(wheel)]


def test_a_build_without_ops_is_not_cached(tmp_path):
    cache = tmp_path / 'cache'
    sdist = write_fake_sdist(str(tmp_path / 'mmcv-2.1.0.tar.gz'))
    # the same sdist without the ops file
    src = tmp_path / 'src' / 'mmcv-2.1.0'
    os.remove(src / OPS)
    with tarfile.open(sdist, 'w:gz') as tar:
        tar.add(str(src), arcname='mmcv-2.1.0')
    proc = run_script(
        '--wheel-only', MMCV_WHEEL_CACHE=str(cache), MMCV_SDIST=sdist)
    assert proc.returncode != 0
    assert 'has no mmcv._ext; not caching it' in proc.stderr
    assert not list(cache.glob('*/*.whl'))


def test_build_env_check_names_a_python_without_torch(tmp_path):
    venv = tmp_path / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip',
                    str(venv)],
                   check=True)
    proc = run_script('--check-build-env', PYTHON=str(venv / 'bin' / 'python'))
    assert proc.returncode == 1
    assert 'cannot import torch; install torch first' in proc.stdout
