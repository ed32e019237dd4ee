from unittest.mock import MagicMock

import pytest

from unipixel_mm.registry import HOOKS


@pytest.mark.parametrize('start_iter,validates', [(0, True), (8, False)])
def test_val_at_start_hook(start_iter, validates):
    hook = HOOKS.build(dict(type='ValAtStartHook'))
    runner = MagicMock(iter=start_iter)
    hook.before_train(runner)
    assert runner.val_loop.run.called == validates


def test_val_at_start_hook_without_val_loop():
    runner = MagicMock(iter=0, val_loop=None)
    HOOKS.build(dict(type='ValAtStartHook')).before_train(runner)
