"""mmengine metrics of UniPixel's benchmarks."""
from .answer_match import AnswerMatchMetric
from .caption_metric import CaptionMetric
from .mask_iou import MaskIoUMetric
from .multiple_choice_metric import MultipleChoiceMetric
from .pixelqa_metric import PixelQAMetric
from .ref_seg_metric import RefSegMetric
from .region_caption_judge_metric import RegionCaptionJudgeMetric
from .text_swap import TextSwapMetric
from .video_seg_metric import VideoSegMetric
from .vos_submission import VOSSubmissionMetric

__all__ = [
    'AnswerMatchMetric', 'CaptionMetric', 'MaskIoUMetric',
    'MultipleChoiceMetric', 'PixelQAMetric',
    'RefSegMetric', 'RegionCaptionJudgeMetric', 'TextSwapMetric',
    'VideoSegMetric', 'VOSSubmissionMetric'
]
