# The reference recipe's training mixtures (scripts/launch_3b.sh, the
# --datasets name:repeat lists), each source with its pipeline and repeats:
#   stage 1 (ref tokens):     stage1_dataset
#   stage 2 (segmentation):   stage2_dataset
#   stage 3 (all, default):   stage3_dataset = train_dataloader.dataset
# A failing sample is replaced by another of its source (max_retries 10).
_base_ = ['./unipixel_pipelines.py']

seg = _base_.train_pipeline
region = _base_.region_train_pipeline
recipe_filter = _base_.recipe_filter
all_frames = [dict(type='LoadFrames', num_frames=-1)]
inst_it_region = all_frames + region[1:3] + [
    dict(type='SingleFramePrompts', prob=0.5)
] + region[3:]


def repeat(times, **dataset):
    return dict(type='RepeatDataset', times=times, dataset=dataset)


refer_root = 'data/lisa/refer_seg'
coco_2014 = dict(img_path='images/mscoco/images/train2014')
refclef_images = dict(img_path='images/saiapr_tc-12')
videorefer = dict(type='VideoRefer700KDataset', filter_cfg=recipe_filter)
short_caption = dict(
    ann_file='videorefer-short-caption-500k-wo-masks.json',
    data_prefix=dict(video_path='videos', mask_path='masks_short_caption'))
qa = dict(
    ann_file='videorefer-qa-75k-wo-masks.json',
    data_prefix=dict(video_path='videos', mask_path='masks_qa'))
osprey = dict(type='OspreyDataset', filter_cfg=recipe_filter, pipeline=region)


def refcoco(times, name, split_by='unc', images=coco_2014):
    return repeat(
        times,
        type='RefCOCODataset',
        data_root=refer_root,
        dataset=name,
        split_by=split_by,
        data_prefix=images,
        pipeline=seg)


stage1_dataset = dict(
    type='MixedPixelDataset',
    max_retries=10,
    datasets=[
        dict(
            **videorefer,
            **short_caption,
            task='ref',
            single_frame='always',
            max_objects=-1,
            min_ratio=0,
            pipeline=seg),
        dict(
            type='InstITImageDataset',
            filter_cfg=recipe_filter,
            pipeline=seg),
    ])

stage2_dataset = dict(
    type='MixedPixelDataset',
    max_retries=10,
    datasets=[
        refcoco(5, 'refcoco'),
        refcoco(5, 'refcoco+'),
        refcoco(5, 'refcocog', 'umd'),
        refcoco(5, 'refclef', images=refclef_images),
        repeat(3, type='RefYouTubeVOSDataset', pipeline=seg),
    ])

stage3_dataset = dict(
    type='MixedPixelDataset',
    max_retries=10,
    datasets=[
        repeat(5, type='ReVOSDataset', data_root='data/revos', pipeline=seg),
        repeat(
            5,
            type='MeViSDataset',
            data_root='data/mevis/train',
            ann_file='meta_expressions.json',
            mask_file='mask_dict.json',
            pipeline=seg),
        repeat(3, type='LVVISDataset', pipeline=seg),
        repeat(5, type='RefYouTubeVOSDataset', pipeline=seg),
        repeat(10, type='RefDAVIS17Dataset', pipeline=seg),
        repeat(3, type='RefSAVDataset', pipeline=seg),
        repeat(3, type='GroundMoReDataset', pipeline=seg),
        repeat(3, type='ViCaSDataset', pipeline=seg),
        repeat(
            10,
            type='ReasonSegDataset',
            data_root='data/lisa/reason_seg/ReasonSeg',
            pipeline=seg),
        repeat(3, type='ADE20KDataset', pipeline=seg),
        repeat(3, type='COCOStuffDataset', pipeline=seg),
        repeat(3, type='MapillaryDataset', pipeline=seg),
        repeat(3, type='PACOLVISDataset', pipeline=seg),
        repeat(3, type='PASCALPartDataset', pipeline=seg),
        refcoco(10, 'refcoco'),
        refcoco(10, 'refcoco+'),
        refcoco(10, 'refcocog', 'umd'),
        refcoco(10, 'refclef', images=refclef_images),
        repeat(
            5,
            **videorefer,
            ann_file='videorefer-detailed-caption-125k-wo-masks.json',
            data_prefix=dict(
                video_path='videos', mask_path='masks_detailed_caption'),
            pipeline=region),
        repeat(5, **videorefer, **qa, pipeline=region),
        repeat(
            5,
            type='InstITVideoDataset',
            task='region',
            max_frames=10,
            filter_cfg=recipe_filter,
            pipeline=inst_it_region),
        repeat(
            5,
            **osprey,
            ann_file='Osprey-724K/osprey_conversation.json',
            data_prefix=dict(img_path='coco/train2014')),
        repeat(
            5,
            **osprey,
            ann_file='Osprey-724K/osprey_detail_description.json',
            data_prefix=dict(img_path='coco/train2014'),
            kind='description'),
        repeat(
            5,
            **osprey,
            ann_file='Osprey-724K/osprey_lvis_positive_negative.json',
            data_prefix=dict(img_path='coco/imgs')),
        repeat(
            3,
            **videorefer,
            **qa,
            task='mem',
            single_frame='never',
            pipeline=seg),
        repeat(
            3,
            type='InstITVideoDataset',
            task='mem',
            max_frames=8,
            filter_cfg=recipe_filter,
            pipeline=all_frames + seg[1:]),
        dict(
            type='LLaVAInstructDataset',
            filter_cfg=recipe_filter,
            pipeline=region),
    ])

train_dataloader = dict(
    **_base_.train_dataloader_cfg, dataset=stage3_dataset)
