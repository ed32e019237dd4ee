"""Detect-then-describe: an MMDetection detector proposes, UniPixel answers."""
import os.path as osp
from typing import List, Optional, Sequence, Union

import torch
from mmengine.config import Config
from mmengine.hub import get_config
from mmengine.model import BaseModel
from mmengine.runner import load_checkpoint

from unipixel_mm.apis import InferenceRequest, UniPixelInferencer
from unipixel_mm.datasets.transforms.loading import read_image
from unipixel_mm.models.checkpoint import load_official_checkpoint
from unipixel_mm.registry import MODELS
from unipixel_mm.text import REF_TOKEN
from .conversions import boxes_to_prompts, import_mmdet


@MODELS.register_module()
class DetectThenDescribe(BaseModel):
    """Ask UniPixel about every object a detector finds.

    The detector (any ``mmdet`` detector, built in its own scope) predicts
    boxes on the batch its data preprocessor prepares; the boxes scored at
    least ``score_thr`` (the ``max_regions`` best per image) become box
    prompts of UniPixel, one request per box: ``question`` with its
    ``<|ref|>`` standing for the box, on the original image read from the
    data sample's ``img_path``. UniPixel's answers (and, with ``segment``,
    its first mask) are added to the detector's instances, so mmdet's
    metrics and ``DetLocalVisualizer`` take the result as is.

    The data side is the detector's: an mmdet data set and test pipeline
    whose ``PackDetInputs`` keeps ``img_path``, ``ori_shape`` and
    ``scale_factor``. Only ``predict`` is supported; train the two models
    separately.

    Args:
        detector (dict | str): config of the detector, e.g.
            ``dict(_scope_='mmdet', type='RetinaNet', ...)``, or a config
            file whose ``model`` it is, e.g.
            ``'mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py'``.
        describer (dict): config of UniPixel.
        processor (str | dict): UniPixel's processor (tokenizer) directory
            or builder config.
        detector_checkpoint (str, optional): weights of the detector (a
            path or URL), loaded when the model is built.
        describer_checkpoint (str, optional): weights of UniPixel, loaded
            when the model is built: an official checkpoint directory or an
            mmengine checkpoint of UniPixel.
        question (str): the question asked about each box, with one
            ``<|ref|>``.
        score_thr (float): least detection score of a described box.
        max_regions (int): most boxes described per image.
        segment (bool): also return UniPixel's mask of each box (the first
            ``<|seg|>`` of its answer; empty without one).
        batch_size (int): UniPixel requests run together.
        min_pixels (int): least frame area of UniPixel's vision encoder.
        max_pixels (int): largest frame area of UniPixel's vision encoder.
        generation_cfg (dict, optional): ``UniPixel.generate`` options;
            the describer's ``generation_cfg`` by default.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 detector: Union[dict, str],
                 describer: dict,
                 processor: Union[str, dict],
                 detector_checkpoint: Optional[str] = None,
                 describer_checkpoint: Optional[str] = None,
                 question: str = f'Please describe {REF_TOKEN} briefly.',
                 score_thr: float = 0.3,
                 max_regions: int = 10,
                 segment: bool = False,
                 batch_size: int = 8,
                 min_pixels: int = 128 * 28 * 28,
                 max_pixels: int = 256 * 28 * 28,
                 generation_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        import_mmdet()
        if question.count(REF_TOKEN) != 1:
            raise ValueError(f'The question needs one {REF_TOKEN} for the '
                             f'box, got {question!r}')
        if isinstance(detector, str):
            cfg = get_config(detector) if '::' in detector else \
                Config.fromfile(detector)
            detector = dict(
                cfg.model, _scope_=cfg.get('default_scope', 'mmdet'))
        detector = MODELS.build(detector)
        if detector_checkpoint:
            load_checkpoint(detector, detector_checkpoint, map_location='cpu')
        super().__init__(
            data_preprocessor=detector.data_preprocessor, init_cfg=init_cfg)
        self.detector = detector
        self.describer = MODELS.build(describer)
        if describer_checkpoint and osp.isdir(describer_checkpoint):
            load_official_checkpoint(self.describer, describer_checkpoint)
        elif describer_checkpoint:
            load_checkpoint(
                self.describer, describer_checkpoint, map_location='cpu')
        self.question = question
        self.score_thr = score_thr
        self.max_regions = max_regions
        self.segment = segment
        self.batch_size = batch_size
        # a plain object, not a submodule: it only holds the pipeline
        self.inferencer = UniPixelInferencer(
            self.describer,
            processor=processor,
            num_frames=1,
            min_pixels=min_pixels,
            max_pixels=max_pixels,
            generation_cfg=generation_cfg or self.describer.generation_cfg)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'predict'):
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}"; DetectThenDescribe only '
                           'supports "predict"')

    def _regions(self, det) -> None:
        """Keep the best boxes of one image, by descending score."""
        inst = det.pred_instances
        inst = inst[inst.scores >= self.score_thr]
        order = torch.argsort(inst.scores, descending=True)
        det.pred_instances = inst[order[:self.max_regions]]

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor,
                data_samples: Sequence) -> List:
        """Detect, then describe each kept box.

        Args:
            inputs (Tensor): the detector's batch (its data preprocessor's
                output).
            data_samples (list[DetDataSample]): with ``img_path`` and the
                detector's metainfo.

        Returns:
            list[DetDataSample]: the detections in pixels of the original
            image, with ``pred_instances.texts`` (list[str], the answers)
            and, with ``segment``, ``pred_instances.masks`` (N, H, W) bool.
        """
        dets = self.detector.predict(inputs, data_samples, rescale=True)
        requests, owners = [], []
        for i, det in enumerate(dets):
            self._regions(det)
            if len(det.pred_instances) == 0:
                continue
            if not det.metainfo.get('img_path'):
                raise KeyError('DetectThenDescribe reads the original image '
                               'from "img_path"; keep it in the meta_keys of '
                               'PackDetInputs')
            image = read_image(det.img_path)
            for box in boxes_to_prompts(det.pred_instances.bboxes,
                                        image.shape[:2]):
                requests.append(
                    InferenceRequest(image, self.question, boxes=[box]))
                owners.append(i)
        answers = []
        for start in range(0, len(requests), self.batch_size):
            answers += self.inferencer.run(requests[start:start +
                                                    self.batch_size])
        for i, det in enumerate(dets):
            mine = [a for a, owner in zip(answers, owners) if owner == i]
            inst = det.pred_instances
            inst.texts = [a.text for a in mine]
            if self.segment:
                height, width = det.ori_shape[:2]
                masks = torch.zeros(len(mine), height, width, dtype=torch.bool)
                for mask, answer in zip(masks, mine):
                    if len(answer.masks):
                        mask.copy_(answer.masks[0, 0])
                inst.masks = masks
        return dets
