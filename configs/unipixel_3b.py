# UniPixel-3B (the architecture of PolyU-ChenLab/UniPixel-3B).
_base_ = ['./_base_/models/unipixel_3b.py', './_base_/default_runtime.py']
