"""Transforms that bring other toolkits' annotations into UniPixel's
pipelines."""
from typing import Optional, Sequence

from mmcv.transforms import BaseTransform

from unipixel_mm.datasets.transforms.loading import describe
from unipixel_mm.registry import TRANSFORMS
from unipixel_mm.text import SEG_TOKEN


@TRANSFORMS.register_module()
class ObjectLabels(BaseTransform):
    """Class labels of the sample's objects, for mmdet / mmseg metrics.

    Each object's class name is ``name`` formatted with the object's fields
    (``'{colour} {shape}'`` for SyntheticShapes, ``'{category}'``...);
    its label is the name's index in ``classes``. Put it after
    ``SampleObjects`` and list ``'obj_labels'`` in the ``meta_keys`` of
    ``PackUniPixelInputs``.

    Required keys: ``objects``.

    Added keys: ``obj_labels`` (list[int]), one per object.

    Args:
        classes (Sequence[str]): class names.
        name (str): format string of an object's class name.
    """

    def __init__(self, classes: Sequence[str], name: str = '{category}'):
        self.classes = tuple(classes)
        self.name = name
        self._index = {c: i for i, c in enumerate(self.classes)}

    def transform(self, results: dict) -> dict:
        """Adds ``obj_labels``; see the class docstring."""
        labels = []
        for o, obj in enumerate(results.get('objects', [])):
            try:
                name = self.name.format(**obj)
            except KeyError as e:
                raise KeyError(f'{describe(results)}: object {o} has no field '
                               f'{e} for the class name {self.name!r}') from e
            if name not in self._index:
                raise ValueError(f'{describe(results)}: object {o} is '
                                 f'{name!r}, not one of the classes')
            labels.append(self._index[name])
        results['obj_labels'] = labels
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(classes={self.classes}, '
                f'name={self.name!r})')


@TRANSFORMS.register_module()
class RefExpToConversation(BaseTransform):
    """An mmdet referring-expression data info as a UniPixel conversation.

    Reads the data infos of ``mmdet.MDETRStyleRefCocoDataset`` (``text``,
    ``instances`` with ``bbox``, ``img_id``) and writes the fields that
    UniPixel's pipeline takes after ``LoadFrames``: one segmentation turn
    whose question is ``question`` with the expression, and the objects.

    With ``answer=None`` (default) the model generates the answer and its
    ``<|seg|>`` masks; with an answer that holds one ``<|seg|>`` per
    instance (``'It is <|seg|>.'``) the model only decodes those, and each
    instance becomes an object whose mask is its box.

    Required keys: ``text`` (str, or a list whose first item is used),
    ``instances``.

    Added keys: ``turns``, ``objects``, ``task``, ``prompt_type``,
    ``seg_targets``, ``entry``.

    Args:
        question (str): template with ``{}`` for the expression.
        answer (str, optional): a fixed answer, see above.
    """

    def __init__(self,
                 question: str = 'Please segment the {} in this image.',
                 answer: Optional[str] = None) -> None:
        self.question = question
        self.answer = answer

    def transform(self, results: dict) -> dict:
        """Adds the conversation; see the class docstring for the keys."""
        text = results['text']
        if isinstance(text, (list, tuple)):
            text = text[0]
        expression = text.strip().rstrip('.')
        objects = []
        if self.answer is not None:
            instances = results.get('instances', [])
            if self.answer.count(SEG_TOKEN) != len(instances):
                raise ValueError(
                    f'{describe(results)}: the answer {self.answer!r} has '
                    f'{self.answer.count(SEG_TOKEN)} {SEG_TOKEN} for '
                    f'{len(instances)} instance(s)')
            for inst in instances:
                x1, y1, x2, y2 = inst['bbox']
                objects.append(
                    dict(masks=[[[x1, y1, x2, y1, x2, y2, x1, y2]]]))
        results.update(
            turns=[
                dict(
                    question=self.question.format(expression),
                    answer=self.answer,
                    obj_inds=list(range(len(objects))))
            ],
            objects=objects,
            task='seg',
            prompt_type=None,
            seg_targets=bool(objects),
            entry=f"refexp image {results.get('img_id')}")
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(question={self.question!r}, '
                f'answer={self.answer!r})')
