# UniPixel-3B: the last stage of the reference recipe, which makes the
# released model (stages 1 and 2: unipixel_3b_stage{1,2}.py). The
# architecture alone is _base_/models/unipixel_3b.py.
_base_ = ['./unipixel_3b_stage3.py']
