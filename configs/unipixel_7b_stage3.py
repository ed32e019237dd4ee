# UniPixel-7B, stage 3 of the reference recipe: the config of the
# released model, unipixel_7b.py.
_base_ = ['./unipixel_7b.py']
