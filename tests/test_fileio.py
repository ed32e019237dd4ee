"""Atomic writes of files and groups of files."""
import errno
import os

import pytest

from unipixel_mm import fileio


def listing(folder):
    return sorted(os.listdir(folder))


def test_write_atomic_replaces_or_keeps(tmp_path, monkeypatch):
    path = str(tmp_path / 'a.txt')
    fileio.write_text_atomic(path, 'old')
    assert open(path).read() == 'old'

    def full_disk(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(os, 'fsync', full_disk)
    with pytest.raises(OSError, match='No space left'):
        fileio.write_text_atomic(path, 'new')
    assert open(path).read() == 'old'
    assert listing(tmp_path) == ['a.txt']


def test_commit_replaces_a_folder(tmp_path):
    dst = tmp_path / 'ckpt'
    dst.mkdir()
    (dst / 'old').write_text('1')
    with fileio.atomic_path(str(dst)) as tmp:
        os.makedirs(tmp)
        with open(os.path.join(tmp, 'new'), 'w') as f:
            f.write('2')
    assert listing(dst) == ['new']
    assert listing(tmp_path) == ['ckpt']


def test_group_all_or_nothing(tmp_path):
    paths = {k: str(tmp_path / f'x.{k}') for k in ('png', 'json', 'txt')}
    with fileio.atomic_group(paths) as tmps:
        for key, tmp in tmps.items():
            with open(tmp, 'w') as f:
                f.write(f'old {key}')
    with pytest.raises(RuntimeError):
        with fileio.atomic_group(paths) as tmps:
            with open(tmps['png'], 'w') as f:
                f.write('new png')
            raise RuntimeError('the disk is full')
    assert listing(tmp_path) == ['x.json', 'x.png', 'x.txt']
    assert {open(p).read()
            for p in paths.values()} == {'old png', 'old json', 'old txt'}


def test_group_refuses_a_read_only_file_before_any_rename(tmp_path):
    paths = {k: str(tmp_path / f'x.{k}') for k in ('png', 'txt')}
    for path in paths.values():
        with open(path, 'w') as f:
            f.write('old')
    os.chmod(paths['txt'], 0o444)
    with pytest.raises(PermissionError, match='x.txt'):
        with fileio.atomic_group(paths) as tmps:
            for tmp in tmps.values():
                with open(tmp, 'w') as f:
                    f.write('new')
    assert [open(p).read() for p in paths.values()] == ['old', 'old']
    assert listing(tmp_path) == ['x.png', 'x.txt']


def test_check_writable_dir(tmp_path):
    fileio.check_writable_dir(str(tmp_path / 'new' / 'folder'))
    assert listing(tmp_path / 'new' / 'folder') == []
    blocker = tmp_path / 'file'
    blocker.write_text('')
    with pytest.raises(OSError, match='cannot write to the folder'):
        fileio.check_writable_dir(str(blocker / 'sub'))
