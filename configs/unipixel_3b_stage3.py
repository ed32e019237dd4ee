# UniPixel-3B, stage 3 of the reference recipe: the config of the
# released model, unipixel_3b.py.
_base_ = ['./unipixel_3b.py']
