"""Judge-scored detailed region captioning (VideoRefer-Bench-D)."""
from typing import Any, List, Optional, Sequence, Union

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from unipixel_mm.registry import METRICS
from ..functional import (build_judge_messages, load_judge_prompt,
                          parse_judge_reply, summarize_judge_scores)
from ..judge_client import OpenAIChatClient


@METRICS.register_module()
class RegionCaptionJudgeMetric(BaseMetric):
    """VideoRefer-Bench-D scores given by an LLM judge.

    Every predicted caption is sent with the reference caption to the judge,
    which scores four dimensions from 0 to 5 (see
    :mod:`unipixel_mm.evaluation.functional.region_caption`). Judging runs
    once, on rank 0, in :meth:`compute_metrics`; captions whose judge call
    fails are left out and counted in ``'num_failed'``.

    Samples are dicts (data samples after ``to_dict()``) with ``pred_text``
    (the predicted caption) and ``gt_answer`` (the reference caption).

    Args:
        judge (dict | object, optional): Keyword arguments of
            :class:`OpenAIChatClient`, or any object with a
            ``chat(messages) -> str | None`` method. Defaults to
            ``dict(model='gpt-4o-mini')``, the judge UniPixel reports.
        system_prompt_file (str): The benchmark's judge instructions, its
            ``system.txt``, sent verbatim (see
            :func:`~unipixel_mm.evaluation.functional.load_judge_prompt`).
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'videorefer_d'``.
    """

    default_prefix: Optional[str] = 'videorefer_d'

    def __init__(self,
                 judge: Union[dict, Any, None] = None,
                 system_prompt_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if judge is None:
            judge = dict(model='gpt-4o-mini')
        self.judge = OpenAIChatClient(
            **judge) if isinstance(judge, dict) else judge
        if system_prompt_file is None:
            raise ValueError(
                'RegionCaptionJudgeMetric needs system_prompt_file: the path '
                "of VideoRefer-Bench-D's system.txt (the judge's "
                'instructions)')
        self.system_prompt = load_judge_prompt(system_prompt_file)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep the predicted and reference captions of each sample.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        self.results.extend(
            dict(prediction=s['pred_text'], caption=s['gt_answer'])
            for s in data_samples)

    def compute_metrics(self, results: List[dict]) -> dict:
        """Judge every caption and average the scores.

        Args:
            results (list[dict]): The captions of all ranks.

        Returns:
            dict[str, float]: The mean score of each dimension, ``'All'``
            and ``'num_failed'``.
        """
        scores, num_failed = [], 0
        for result in results:
            reply = self.judge.chat(
                build_judge_messages(result['caption'], result['prediction'],
                                     self.system_prompt))
            if reply is None:
                num_failed += 1
                continue
            scores.append(parse_judge_reply(reply))
        if num_failed:
            print_log(
                f'{num_failed} of {len(results)} captions were not '
                'judged.',
                logger='current')
        summary = summarize_judge_scores(scores)
        summary['num_failed'] = num_failed
        return summary
