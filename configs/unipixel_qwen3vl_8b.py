# UniPixel-Qwen3-VL-8B: the last stage of the reference recipe (stages 1
# and 2: unipixel_qwen3vl_8b_stage{1,2}.py). The architecture alone is
# _base_/models/unipixel_qwen3vl_8b.py.
_base_ = ['./unipixel_qwen3vl_8b_stage3.py']
