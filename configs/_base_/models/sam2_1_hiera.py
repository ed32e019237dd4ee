# SAM2.1 mask decoders of the four Hiera sizes (the sam2 package's yaml
# files), at UniPixel's 768 px input, and their checkpoints' file names.
# A config over a model base picks one, replacing the whole block:
#   model = dict(mask_decoder=dict(
#       _delete_=True, **_base_.sam2_1_hiera_l,
#       checkpoint='model_zoo/sam2.1/' + _base_.sam2_1_checkpoints['l']))
# The SAM2 prompt width is 256 for every size, so the segmentation head
# (num_seg_tokens x 256 outputs) and the prompt encoder keep their shapes;
# stochastic depth 0.1 in the Hiera trunk as the reference's Hiera-B+
# (training only; identity at evaluation).
sam2_1_image_size = 768


def _sam2_1(size):
    return dict(
        type='SAM2Decoder',
        sam2_config=f'configs/sam2.1/sam2.1_hiera_{size}.yaml',
        image_size=sam2_1_image_size,
        sam2_overrides=dict(
            image_encoder=dict(trunk=dict(drop_path_rate=0.1))))


sam2_1_hiera_t = _sam2_1('t')
sam2_1_hiera_s = _sam2_1('s')
sam2_1_hiera_b_plus = _sam2_1('b+')
sam2_1_hiera_l = _sam2_1('l')
sam2_1_checkpoints = dict(
    t='sam2.1_hiera_tiny.pt',
    s='sam2.1_hiera_small.pt',
    l='sam2.1_hiera_large.pt')
sam2_1_checkpoints['b+'] = 'sam2.1_hiera_base_plus.pt'
