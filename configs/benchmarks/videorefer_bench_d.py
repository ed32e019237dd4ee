# VideoRefer-Bench-D: detailed region captions scored by an LLM judge behind
# an OpenAI-compatible endpoint (see RegionCaptionJudgeMetric and
# OpenAIChatClient: the API key is read from $OPENAI_API_KEY, never from the
# config) with the benchmark's own instructions, its system.txt (of the
# VideoRefer / UniPixel evaluation code, `videorefer_bench_d/system.txt`),
# put beside the annotations or given with
# --cfg-options test_evaluator.0.system_prompt_file=PATH; and by the COCO
# caption scores against the reference captions (CaptionMetric,
# pip install pycocoevalcap; METEOR needs java).
_base_ = ['../_base_/datasets/videorefer_bench.py']
judge_prompt = 'data/videorefer/VideoRefer-Bench/system.txt'

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        _delete_=True,
        type='VideoReferBenchDDataset',
        test_mode=True,
        pipeline=_base_.large_pipeline))
test_evaluator = [
    dict(
        type='RegionCaptionJudgeMetric',
        judge=dict(
            model='gpt-4o-mini',
            base_url='https://api.openai.com/v1',
            api_key_env='OPENAI_API_KEY'),
        system_prompt_file=judge_prompt),
    dict(type='CaptionMetric'),
]
# infer_videorefer_d.py gives the model no SAM2 frames: a <|seg|> in a
# caption is not segmented
generation_cfg = dict(decode_masks=False)
val_dataloader = test_dataloader
val_evaluator = test_evaluator
