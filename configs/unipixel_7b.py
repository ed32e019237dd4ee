# UniPixel-7B: the last stage of the reference recipe, which makes the
# released model (stages 1 and 2: unipixel_7b_stage{1,2}.py). The
# architecture alone is _base_/models/unipixel_7b.py.
_base_ = ['./unipixel_7b_stage3.py']
