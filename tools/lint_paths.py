"""Fail on absolute paths of one machine in the repository's text files.

A path that starts at a user's home, a mount or a work area of one machine
works there and breaks a clone anywhere else; code, tests, configs and docs
locate files relative to the repository, through an option or an
environment variable instead. A line that shows such a path on purpose (an
example in a test) carries the marker ``lint-paths: example``.

Usage: python tools/lint_paths.py [FILE ...]   (default: the files git
tracks). Exit 1 with ``file:line: path`` for each hit.
"""
import argparse
import os.path as osp
import re
import subprocess
import sys
from typing import Iterator, List, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

#: Top-level folders that only exist on some machines (user homes, mounts,
#: scratch and work areas) and Windows drive paths. A path is flagged when it
#: starts at one of them after a quote, a space, ``=``, ``(`` or a line
#: start: ``$HOME/...``, ``~/...`` and relative paths are fine.
MACHINE_PATH = re.compile(
    r'''(?:^|[\s'"`=(,:])('''
    r'''(?:/(?:work|root|home|Users|mnt|media|scratch|data|nfs|private|srv|'''
    r'''tmp/[\w.-]+)/[^\s'"`),]*)'''
    r'''|(?:[A-Za-z]:\\[^\s'"`]+))''')

EXAMPLE_MARKER = 'lint-paths: example'
#: Files whose "absolute" paths are patterns, not places.
SKIP_NAMES = ('.gitignore', )


def tracked_files() -> List[str]:
    out = subprocess.run(['git', 'ls-files', '-z'],
                         cwd=ROOT,
                         check=True,
                         capture_output=True).stdout
    return [osp.join(ROOT, p) for p in out.decode().split('\0') if p]


def machine_paths(path: str) -> Iterator[Tuple[int, str]]:
    """``(line number, path)`` of each machine path in a text file."""
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except (UnicodeDecodeError, IsADirectoryError):
        return  # binary data (checkpoints, images)
    for number, line in enumerate(lines, 1):
        if EXAMPLE_MARKER in line:
            continue
        for match in MACHINE_PATH.finditer(line):
            yield number, match.group(1)


def main(argv: Sequence[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('files', nargs='*')
    files = parser.parse_args(argv).files or tracked_files()
    hits = [(f, n, p) for f in files if osp.basename(f) not in SKIP_NAMES
            for n, p in machine_paths(f)]
    for file, number, path in hits:
        print(f'{osp.relpath(file, ROOT)}:{number}: absolute machine path '
              f'{path}')
    return 1 if hits else 0


if __name__ == '__main__':
    sys.exit(main())
