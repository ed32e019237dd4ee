# What the three stages of the reference recipe (scripts/launch_{3b,7b}.sh)
# share: the schedule in bf16, global batch 256 (batch 1 per GPU, 32 steps of
# accumulation on 8 GPUs) at lr 1e-3 unless a stage says otherwise, one
# checkpoint per epoch holding the trainable parameters only. A stage config
# adds _base_/recipes/unipixel_stage{1,2,3}.py and the data mixture
# _base_/datasets/unipixel_recipe_mix.py.
_base_ = ['../schedules/adamw_cosine_1e.py', '../default_runtime.py']

optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(lr=1e-3),
    accumulative_counts=32)
default_hooks = dict(checkpoint=dict(by_epoch=True, interval=1))
# in distributed (DDP) runs the mixture leaves modules without gradient on
# some ranks: text-only chat uses no vision encoder, samples without <|ref|>
# or <|mem|> tokens no prompt encoder or memory bank, samples without
# <|seg|> no segmentation head or SAM2
find_unused_parameters = True
custom_hooks = [dict(type='SaveTrainableParamsHook')]
