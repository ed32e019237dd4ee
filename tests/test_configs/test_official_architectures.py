"""The 3B / 7B configs describe the official architectures."""
import os.path as osp

import pytest
from accelerate import init_empty_weights
from mmengine.config import Config

from unipixel_mm.registry import MODELS

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')

# Published parameter counts: Qwen2.5-VL-3B-Instruct 3,754,622,976 and
# -7B-Instruct 8,292,166,656 (HF model pages); SAM 2.1 Hiera-B+ 80,850,178.
QWEN = {'unipixel_3b': 3_754_622_976, 'unipixel_7b': 8_292_166_656}
SAM2_1_B_PLUS = 80_850_178


def unipixel_extras(llm: int,
                    vision_hidden: int,
                    sam: int = 256,
                    tokens: int = 2) -> int:
    """Parameters UniPixel adds: seg head, prompt encoder, memory bank."""
    linear = lambda i, o: i * o + o  # noqa: E731
    seg_head = llm + linear(llm, llm) + linear(llm, sam * tokens)
    sam_prompt = 4 * sam + sam + sam + (4 * 4 + 4) + 4 + 4 + (
        16 * 4 * 4 + 16) + 16 + 16 + (
            sam * 16 + sam)
    prompt = (
        sam_prompt + linear(2 * sam, 3 * sam) + linear(3 * sam, 3 * sam) +
        sam + linear(sam, 3 * sam) + linear(6 * sam, llm))
    pool = 4 * vision_hidden
    memory = linear(pool, pool) + linear(pool, llm)
    return seg_head + prompt + memory


@pytest.mark.parametrize('name,llm,total', [
    ('unipixel_3b', 2048, 3_881_764_174),
    ('unipixel_7b', 3584, 8_438_974_798),
])
def test_parameter_counts(name, llm, total):
    cfg = Config.fromfile(osp.join(CONFIGS, '_base_', 'models', f'{name}.py'))
    with init_empty_weights():
        model = MODELS.build(cfg.model)
    model.llm.tie_weights()

    def count(module):
        return sum(p.numel() for p in module.parameters())

    llm_params = count(model.llm) - count(model.llm.seg_head)
    assert count(model.vision_tokenizer) + llm_params == QWEN[name]
    assert count(model.mask_decoder) == SAM2_1_B_PLUS
    assert model.mask_decoder.image_size == 768
    assert count(model) == QWEN[name] + SAM2_1_B_PLUS + unipixel_extras(
        llm, 1280)
    assert count(model) == total
