"""The component interfaces of :mod:`unipixel_mm.models.base`."""
import pytest
import torch
from torch import nn

from unipixel_mm.models import (ObjectMemoryBank, QwenVisionTokenizer,
                                SAM2Decoder, SAM2PromptEncoder)
from unipixel_mm.models.base import (BaseMaskDecoder, BaseMemoryBank,
                                     BasePromptEncoder, BaseVisionTokenizer,
                                     copy_matching_parameters)


def test_the_components_implement_their_interface():
    assert issubclass(QwenVisionTokenizer, BaseVisionTokenizer)
    assert issubclass(SAM2PromptEncoder, BasePromptEncoder)
    assert issubclass(ObjectMemoryBank, BaseMemoryBank)
    assert issubclass(SAM2Decoder, BaseMaskDecoder)


def test_a_mask_decoder_without_predict_cannot_be_built():

    class NoPredict(BaseMaskDecoder):

        def loss_outputs(self, frames, prompt_tokens):
            return None

    with pytest.raises(TypeError, match='predict'):
        NoPredict()


def test_a_memory_bank_starts_as_the_projector_when_there_is_one():

    class Tokenizer(BaseVisionTokenizer):

        def __init__(self, projector):
            super().__init__()
            self.projector = projector

        def forward(self, pixel_values, grid_thw):
            return None

        def projector_to_copy(self):
            return self.projector

    bank = ObjectMemoryBank(in_dim=8, embed_dim=6)
    before = [p.clone() for p in bank.proj.parameters()]
    bank.init_from_vision_tokenizer(Tokenizer(None))
    assert all(
        torch.equal(a, b) for a, b in zip(before, bank.proj.parameters()))
    source = nn.Sequential(nn.Linear(8, 8), nn.GELU(), nn.Linear(8, 6))
    bank.init_from_vision_tokenizer(Tokenizer(source))
    for dst, src in zip(bank.proj.parameters(), source.parameters()):
        assert torch.equal(dst, src)


def test_copy_matching_parameters_skips_other_shapes():
    target = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 4))
    source = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 5))
    kept = target[1].weight.clone()
    copy_matching_parameters(target, source)
    assert torch.equal(target[0].weight, source[0].weight)
    assert torch.equal(target[0].bias, source[0].bias)
    assert torch.equal(target[1].weight, kept)
