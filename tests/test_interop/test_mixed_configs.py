"""The configs of configs/interop/ built with tiny random-weight models and
run end to end by mmengine's Runner on a few generated images."""
import glob
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from tool_module import ROOT

from unipixel_mm.interop import DetectThenDescribe
from unipixel_mm.registry import MODELS

CONFIGS = osp.join(ROOT, 'configs', 'interop')


def load_config(name: str, processor: dict, work_dir) -> Config:
    """A config of configs/interop/ with the tiny processor written to a
    temporary folder and the work dir in ``work_dir``."""
    cfg = Config.fromfile(osp.join(CONFIGS, name))

    def redirect(node):
        if isinstance(node, dict):
            if node.get('type') == 'build_tiny_processor':
                node['save_dir'] = processor['save_dir']
            for value in node.values():
                redirect(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                redirect(value)

    redirect(cfg._cfg_dict)
    cfg.work_dir = str(work_dir)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1)
    return cfg


def write_shapes_image(path: str, boxes, size=(48, 64)) -> None:
    """A grey image with a red rectangle per (x1, y1, x2, y2) box."""
    image = np.full((*size, 3), 90, dtype=np.uint8)
    for x1, y1, x2, y2 in boxes:
        image[y1:y2, x1:x2] = (40, 40, 220)  # BGR red
    cv2.imwrite(path, image)


def test_mm_metrics_config(mmdet, mmseg, tiny_processor_cfg, tmp_path):
    cfg = load_config('unipixel_tiny_synthetic_mm_metrics.py',
                      tiny_processor_cfg, tmp_path)
    cfg.test_dataloader.dataset.num_samples = 4
    cfg.test_dataloader.batch_size = 2
    runner = Runner.from_cfg(cfg)
    batch = next(iter(runner.test_dataloader))
    assert all(
        len(s.obj_labels) == 1 and 1 <= s.obj_labels[0] <= 12
        for s in batch['data_samples'])
    metrics = runner.test()
    for key in ('mask/mIoU', 'coco/bbox_mAP', 'coco/segm_mAP', 'mIoU',
                'aAcc'):
        assert key in metrics
    assert 0 <= metrics['coco/segm_mAP'] <= 1
    assert 0 <= metrics['mIoU'] <= 100


def test_detect_then_describe_config(mmdet, tiny_processor_cfg, tmp_path):
    (tmp_path / 'val2017').mkdir()
    boxes = {0: [(4, 6, 20, 30)], 1: [(30, 10, 60, 40), (2, 2, 12, 12)]}
    images, annotations = [], []
    for img_id, img_boxes in boxes.items():
        name = f'{img_id}.png'
        write_shapes_image(str(tmp_path / 'val2017' / name), img_boxes)
        images.append(dict(id=img_id, file_name=name, height=48, width=64))
        for x1, y1, x2, y2 in img_boxes:
            annotations.append(
                dict(id=len(annotations) + 1, image_id=img_id,
                     category_id=1, bbox=[x1, y1, x2 - x1, y2 - y1],
                     area=(x2 - x1) * (y2 - y1), iscrowd=0))
    ann_file = tmp_path / 'instances.json'
    ann_file.write_text(
        json.dumps(dict(images=images, annotations=annotations,
                        categories=[dict(id=1, name='shape')])))

    cfg = load_config('detect_then_describe_retinanet_tiny.py',
                      tiny_processor_cfg, tmp_path / 'work')
    cfg.model.detector.bbox_head.num_classes = 1
    cfg.model.detector.test_cfg.score_thr = 0.0
    cfg.model.score_thr = 0.0
    cfg.model.max_regions = 2
    cfg.model.generation_cfg = dict(max_new_tokens=3)
    cfg.model.segment = True
    cfg.test_dataloader.dataset.update(
        data_root=str(tmp_path), ann_file=str(ann_file),
        metainfo=dict(classes=('shape', )))
    cfg.test_evaluator.ann_file = str(ann_file)
    cfg.default_hooks.visualization.update(draw=True, test_out_dir='vis')
    runner = Runner.from_cfg(cfg)
    model = runner.model
    assert isinstance(model, DetectThenDescribe)
    assert type(model.detector).__name__ == 'RetinaNet'

    asked = []
    run = model.inferencer.run

    def spy(requests, **kwargs):
        asked.extend(requests)
        return run(requests, **kwargs)

    model.inferencer.run = spy
    batch = next(iter(runner.test_dataloader))
    dets = model.test_step(batch)
    assert len(dets) == 2
    assert len(asked) == sum(len(d.pred_instances) for d in dets) == 4
    for det in dets:
        inst = det.pred_instances
        assert len(inst.texts) == len(inst) == 2
        assert inst.masks.shape == (2, 48, 64)
        assert all(isinstance(t, str) for t in inst.texts)
        assert (inst.scores[:-1] >= inst.scores[1:]).all()
    # each request is the question with one detected box on the original
    # image (48 x 64, boxes clamped inside it)
    first = dets[0].pred_instances.bboxes[0]
    expected = first.clamp(min=0).minimum(torch.tensor([63., 47., 63., 47.]))
    assert asked[0].text == 'What colour is <|ref|>?'
    assert asked[0].media.shape == (48, 64, 3)
    torch.testing.assert_close(
        torch.tensor(asked[0].boxes[0][:4]), expected, rtol=0, atol=1e-4)
    assert asked[0].boxes[0][4] == 0

    metrics = runner.test()
    assert 0 <= metrics['coco/bbox_mAP'] <= 1
    # mmdet's visualization hook drew both images
    drawn = sorted(glob.glob(str(tmp_path / 'work' / '*' / 'vis' / '*.png')))
    assert [osp.basename(p) for p in drawn] == ['0.png', '1.png']


def test_refcoco_rec_config(mmdet, tiny_processor_cfg, tmp_path):
    """The REC config with the tiny UniPixel on two expressions of an
    MDETR-style RefCOCO file; the answer is given (one <|seg|>) so that
    every sample has a mask whose box RefExpMetric scores."""
    (tmp_path / 'train2014').mkdir()
    write_shapes_image(str(tmp_path / 'train2014' / 'a.png'),
                       [(4, 6, 20, 30)])
    images = [
        dict(id=i, file_name='a.png', height=48, width=64, caption=caption,
             dataset_name='refcoco')
        for i, caption in enumerate(['the red box', 'red thing on the left'])
    ]
    annotations = [
        dict(id=i + 1, image_id=i, category_id=1, bbox=[4, 6, 16, 24],
             area=384, iscrowd=0) for i in range(2)
    ]
    ann_file = tmp_path / 'refexp.json'
    ann_file.write_text(
        json.dumps(dict(images=images, annotations=annotations,
                        categories=[dict(id=1, name='object')])))

    cfg = load_config('unipixel_3b_refcoco_rec.py', tiny_processor_cfg,
                      tmp_path / 'work')
    tiny = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'models', 'unipixel_tiny.py'))
    cfg.model = tiny.model
    cfg.model.generation_cfg = dict(max_new_tokens=0)
    pipeline = cfg.test_dataloader.dataset.pipeline
    for step in pipeline:
        if 'processor' in step:
            step.processor = tiny_processor_cfg
        if step.type == 'QwenVideoProcess':
            step.update(min_pixels=56 * 56, max_pixels=112 * 112)
        if step.type == 'SAM2Resize':
            step.size = 128
        if step.type == 'RefExpToConversation':
            step.answer = 'It is <|seg|>.'
    cfg.test_dataloader.update(num_workers=0, batch_size=2)
    cfg.test_dataloader.dataset.update(
        data_root=str(tmp_path), ann_file=str(ann_file))
    cfg.test_evaluator.metric.ann_file = str(ann_file)

    runner = Runner.from_cfg(cfg)
    dataset = runner.test_dataloader.dataset
    packed = dataset[1]
    sample = packed['data_samples']
    assert sample.img_id == 1
    # the target box (4, 6)-(20, 30) is the mask of the <|seg|> object
    target = torch.zeros(48, 64, dtype=torch.bool)
    target[6:30, 4:20] = True
    assert torch.equal(sample.gt_masks_ori[0, 0], target)
    metrics = runner.test()
    precision = metrics['refexp/refcoco_precision@1']
    assert precision in (0.0, 0.5, 1.0)


@pytest.mark.parametrize('name', [
    'detect_then_describe_retinanet_tiny.py',
    'detect_then_describe_rtmdet_unipixel_3b.py',
    'unipixel_3b_refcoco_rec.py',
    'unipixel_tiny_synthetic_mm_metrics.py',
    'unipixel_tiny_synthetic_mmdet_resnet_vision.py',
    'unipixel_tiny_synthetic_timm_vision.py',
])
def test_configs_parse(name):
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    assert cfg.model.type in ('UniPixel', 'DetectThenDescribe')


def test_detector_from_an_mmdet_config_file(mmdet, tiny_processor_cfg,
                                            tmp_path, tiny_cfg):
    """Any detector config of mmdet's model zoo plugs in by its path."""
    from mmdet.structures import DetDataSample
    path = str(tmp_path / 'a.png')
    write_shapes_image(path, [(4, 6, 20, 30)], size=(64, 96))
    model = MODELS.build(
        dict(
            type='DetectThenDescribe',
            detector='mmdet::retinanet/retinanet_r18_fpn_1x_coco.py',
            describer=dict(tiny_cfg, generation_cfg=dict(max_new_tokens=2)),
            processor=tiny_processor_cfg,
            score_thr=0.0,
            max_regions=1,
            min_pixels=56 * 56,
            max_pixels=112 * 112)).eval()
    assert isinstance(model, DetectThenDescribe)
    assert type(model.detector).__name__ == 'RetinaNet'
    image = torch.from_numpy(cv2.imread(path)).permute(2, 0, 1)
    sample = DetDataSample(
        metainfo=dict(
            img_path=path,
            ori_shape=(64, 96),
            img_shape=(64, 96),
            scale_factor=(1.0, 1.0)))
    det = model.test_step(dict(inputs=[image], data_samples=[sample]))[0]
    assert len(det.pred_instances) == len(det.pred_instances.texts) == 1
