"""Score UniPixel predictions with MMDetection and MMSegmentation metrics."""
from typing import Any, Optional, Sequence, Union

from mmengine.evaluator import BaseMetric

from unipixel_mm.registry import METRICS
from .conversions import to_det_data_sample, to_seg_data_sample

_CONVERTERS = dict(det=to_det_data_sample, seg=to_seg_data_sample)


@METRICS.register_module()
class ConvertedMetric(BaseMetric):
    """Another toolkit's metric on UniPixel predictions converted to its
    data samples.

    Each UniPixel sample is converted on one frame with
    :func:`~unipixel_mm.interop.to_det_data_sample` (``convert_to='det'``,
    for ``mmdet.CocoMetric``, ``mmdet.RefExpMetric``...) or
    :func:`~unipixel_mm.interop.to_seg_data_sample` (``'seg'``, for
    ``mmseg.IoUMetric``...) and handed to the wrapped metric, which
    collects, gathers and computes as it always does.

    Example::

        val_evaluator = [
            dict(type='ConvertedMetric', convert_to='det',
                 metric=dict(type='mmdet.CocoMetric',
                             metric=['bbox', 'segm'])),
            dict(type='ConvertedMetric', convert_to='seg',
                 metric=dict(type='mmseg.IoUMetric')),
        ]

    Args:
        metric (dict): config of the wrapped metric.
        convert_to (str): ``'det'`` or ``'seg'``.
        frame (int): the frame of each masklet to score.
        classes (Sequence[str], optional): class names given to the wrapped
            metric instead of the data set's.
        labels_from (str): where the class of a predicted object comes from:
            ``'query'``, the label of the object it answers (``pred_labels``
            or the ``obj_labels`` metainfo of
            :class:`~unipixel_mm.interop.ObjectLabels`), or ``'answer'``,
            the class named before its ``<|seg|>`` in the text (``pred_text``,
            else the prompt and answer tokens decoded with ``processor``).
        processor (str | dict, optional): the processor whose tokenizer
            decodes the text for ``labels_from='answer'``.
        **convert_kwargs: other arguments of the converter
            (``min_instances``, ``bg_label``).
    """

    def __init__(self,
                 metric: dict,
                 convert_to: str = 'det',
                 frame: int = 0,
                 classes: Optional[Sequence[str]] = None,
                 labels_from: str = 'query',
                 processor: Optional[Union[str, dict]] = None,
                 **convert_kwargs) -> None:
        super().__init__()
        if convert_to not in _CONVERTERS:
            raise ValueError(f'convert_to must be one of {sorted(_CONVERTERS)}'
                             f', got {convert_to!r}')
        if labels_from not in ('query', 'answer'):
            raise ValueError('labels_from must be "query" or "answer", got '
                             f'{labels_from!r}')
        self.metric = METRICS.build(metric)
        self.convert_to = convert_to
        self.frame = frame
        self.classes = tuple(classes) if classes is not None else None
        self.labels_from = labels_from
        self.tokenizer = None
        if labels_from == 'answer' and processor is not None:
            from unipixel_mm.text import get_processor
            self.tokenizer = get_processor(processor).tokenizer
        self.convert_kwargs = convert_kwargs
        if self.classes is not None:
            self.dataset_meta = None

    @property
    def dataset_meta(self) -> Optional[dict]:
        return self.metric.dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: Optional[dict]) -> None:
        meta = dict(dataset_meta or {})
        if self.classes is not None:
            meta['classes'] = self.classes
        self.metric.dataset_meta = meta

    def _answer_text(self, sample: dict, inputs: Optional[dict]) -> str:
        if sample.get('pred_text') is not None:
            return sample['pred_text']
        if self.tokenizer is None or inputs is None:
            raise ValueError('labels_from="answer" needs "pred_text" in the '
                             'predictions or a processor to decode the '
                             'tokens')
        ids = list(inputs['input_ids'].tolist()) + sample['pred_ids'].tolist()
        return self.tokenizer.decode(ids)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Convert the samples and pass them to the wrapped metric.

        Args:
            data_batch (Any): the batch of the data loader; its ``inputs``
                give the prompt tokens for ``labels_from='answer'``.
            data_samples (Sequence[dict]): UniPixel predictions
                (``to_dict()`` of :class:`PixelDataSample`).
        """
        inputs = (data_batch or {}).get('inputs')
        converted = []
        for i, sample in enumerate(data_samples):
            kwargs = dict(self.convert_kwargs, frame=self.frame)
            if self.labels_from == 'answer':
                classes = (self.dataset_meta or {}).get('classes')
                if classes is None:
                    raise ValueError('labels_from="answer" needs class names: '
                                     'give `classes` or use a data set with '
                                     'them')
                sample = dict(
                    sample,
                    pred_text=self._answer_text(
                        sample, inputs[i] if inputs else None))
                kwargs['classes'] = classes
            else:
                sample = {k: v for k, v in sample.items() if k != 'pred_text'}
            converted.append(_CONVERTERS[self.convert_to](sample,
                                                          **kwargs).to_dict())
        self.metric.process(data_batch, converted)

    def compute_metrics(self, results: list) -> dict:
        return self.metric.compute_metrics(results)

    def evaluate(self, size: int) -> dict:
        """The wrapped metric's results, gathered across ranks."""
        return self.metric.evaluate(size)
