"""Pure metric functions (numpy) of UniPixel's benchmarks."""
from .answer_match import answer_matches, normalize_answer
from .caption import caption_scores, coco_caption_scorers, tokenize_caption
from .davis import (DEFAULT_BOUND_TH, boundary_f_measure, boundary_tolerance,
                    disk_kernel, frame_boundary_f_measure, mask_to_boundary,
                    region_similarity, video_j_and_f)
from .masks import (PRED_SELECT_MODES, merged_track, object_tracks,
                    select_prediction, to_bool_array, union_of_masks)
from .multiple_choice import (answer_letter, check_choice, option_letters,
                              parse_option_letter, summarize_accuracy)
from .pixelqa import volume_iou, volume_pixel_f1
from .ref_seg import ciou_and_giou, intersection_and_union, sample_iou
from .region_caption import (JUDGE_DIMENSIONS, build_judge_messages,
                             load_judge_prompt, parse_judge_reply,
                             summarize_judge_scores)
from .revos import (REVOS_FALSE_POSITIVE_WEIGHT, revos_accuracy,
                    robustness_score)
from .video_seg_report import summarize_video_seg

__all__ = [
    'answer_matches', 'normalize_answer', 'caption_scores',
    'coco_caption_scorers', 'tokenize_caption',
    'DEFAULT_BOUND_TH', 'boundary_f_measure', 'boundary_tolerance',
    'disk_kernel', 'frame_boundary_f_measure', 'mask_to_boundary',
    'region_similarity', 'video_j_and_f', 'PRED_SELECT_MODES', 'merged_track',
    'object_tracks', 'select_prediction',
    'to_bool_array', 'union_of_masks', 'answer_letter', 'check_choice',
    'option_letters', 'parse_option_letter', 'summarize_accuracy',
    'volume_iou', 'volume_pixel_f1', 'ciou_and_giou', 'intersection_and_union',
    'sample_iou', 'JUDGE_DIMENSIONS',
    'build_judge_messages', 'load_judge_prompt', 'parse_judge_reply',
    'summarize_judge_scores', 'REVOS_FALSE_POSITIVE_WEIGHT',
    'revos_accuracy', 'robustness_score', 'summarize_video_seg'
]
