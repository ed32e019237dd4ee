"""tools/lint_paths.py: absolute machine paths are found, the repository
has none."""
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
from lint_paths import machine_paths, main  # noqa: E402


def test_machine_paths_found(tmp_path):
    path = tmp_path / 'example.py'
    path.write_text("fixture = '/work/shared/fixtures/upstream_tiny'\n"
                    "ok = ('~/.cache', '$HOME/x', 'tests/data/parity')\n"
                    'cmd = "--data-root=/home/me/data"\n'
                    "win = 'D:\\\\datasets\\\\revos'\n")
    assert list(machine_paths(str(path))) == [
        (1, '/work/shared/fixtures/upstream_tiny'), (3, '/home/me/data'),
        (4, 'D:\\\\datasets\\\\revos')
    ]
    assert main([str(path)]) == 1


def test_binary_files_are_ignored(tmp_path):
    path = tmp_path / 'weights.bin'
    path.write_bytes(b'\xff\xfe/work/x/' + bytes(range(256)))
    assert list(machine_paths(str(path))) == []


def test_repository_has_no_machine_path(capsys):
    assert main([]) == 0, capsys.readouterr().out
