from .object_memory_bank import ObjectMemoryBank

__all__ = ['ObjectMemoryBank']
