# The reference recipe's schedule: one epoch of AdamW without weight decay,
# gradients clipped to norm 1, the learning rate warmed up linearly over the
# first 3% of the iterations and then decayed to 0 on a cosine. Stage
# configs set the learning rate and paramwise_cfg; the per-device batch is 1
# with gradient accumulation to the global batch (256 in stages 1 and 2, 32
# in stage 3): set optim_wrapper.accumulative_counts.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=2e-5, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.0),
    clip_grad=dict(max_norm=1.0))

# epochs are converted to iterations with the length of the train loader
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=0.03,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min=0.0,
        by_epoch=True,
        begin=0.03,
        end=1,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1)
