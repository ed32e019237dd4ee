# UniPixel-7B (the architecture of PolyU-ChenLab/UniPixel-7B).
_base_ = ['./_base_/models/unipixel_7b.py', './_base_/default_runtime.py']
