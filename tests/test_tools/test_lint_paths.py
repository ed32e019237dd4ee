"""tools/lint_paths.py: absolute machine paths are found, the repository
has none."""
import os.path as osp
import sys

from tool_module import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools'))
from lint_paths import EXAMPLE_MARKER, machine_paths, main  # noqa: E402

FIXTURE = '/mnt/shared/fixtures/upstream_tiny'  # lint-paths: example
HOME = '/home/me/data'  # lint-paths: example
WINDOWS = 'D:\\datasets\\revos'  # lint-paths: example


def test_machine_paths_found(tmp_path):
    path = tmp_path / 'example.py'
    path.write_text(f'fixture = {FIXTURE!r}\n'
                    "ok = ('~/.cache', '$HOME/x', 'tests/data/parity')\n"
                    f'cmd = "--data-root={HOME}"\n'
                    f'win = {WINDOWS!r}\n'
                    f'shown = {HOME!r}  # {EXAMPLE_MARKER}\n')
    assert list(machine_paths(str(path))) == [(1, FIXTURE), (3, HOME),
                                              (4, repr(WINDOWS)[1:-1])]
    assert main([str(path)]) == 1


def test_binary_files_are_ignored(tmp_path):
    path = tmp_path / 'weights.bin'
    path.write_bytes(b'\xff\xfe/mnt/x/' + bytes(range(256)))
    assert list(machine_paths(str(path))) == []


def test_repository_has_no_machine_path(capsys):
    assert main([]) == 0, capsys.readouterr().out
