"""Hooks of unipixel_mm."""
from .val_at_start_hook import ValAtStartHook

__all__ = ['ValAtStartHook']
