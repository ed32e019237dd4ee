"""What the Hugging Face Qwen-family vision encoders share as UniPixel
vision tokenizers: building transformers' module from a config, loading
``pretrained`` weights and the token-grid attributes."""
from typing import Optional, Set

from ..base import BaseVisionTokenizer
from ..checkpoint.hf_weights import load_hf_part
from ..checkpoint.weight_names import file_weight_names
from ..utils.attention import check_attn_implementation
from ..utils.dtype import resolve_dtype


class HFVisionTokenizer(BaseVisionTokenizer):
    """A transformers vision model (``config_class`` / ``model_class`` of a
    subclass) in ``self.visual``.

    Args:
        vision_config (dict): fields of ``config_class``.
        attn_implementation (str): ``'sdpa'``, ``'eager'`` or
            ``'flash_attention_2'``.
        pretrained (str, optional): a HuggingFace directory whose vision
            weights ``init_weights`` loads.
        torch_dtype (str, optional): build the encoder in this dtype (e.g.
            ``'bfloat16'``) instead of the default one.
        init_cfg (dict, optional): mmengine init config.
    """
    config_class: type
    model_class: type

    def __init__(self,
                 vision_config: dict,
                 attn_implementation: str = 'sdpa',
                 pretrained: Optional[str] = None,
                 torch_dtype: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        check_attn_implementation(attn_implementation)
        self.visual = self.model_class._from_config(
            self.config_class(**vision_config),
            attn_implementation=attn_implementation,
            dtype=resolve_dtype(torch_dtype))
        self.pretrained = pretrained

    def pretrained_weight_names(self) -> Set[str]:
        """The names that ``init_weights`` loads from ``pretrained``."""
        return file_weight_names(self) if self.pretrained else set()

    def init_weights(self) -> None:
        super().init_weights()
        if self.pretrained:
            load_hf_part(
                self,
                self.pretrained,
                'vision_tokenizer.',
                model_type=self.config.model_type)

    @property
    def config(self):
        """The transformers vision config."""
        return self.visual.config

    @property
    def embed_dim(self) -> int:
        """Width D of the merged tokens (the LLM width)."""
        return self.config.out_hidden_size

    @property
    def pool_dim(self) -> int:
        """Width of ``pool_features``: hidden size x merged patches."""
        return self.visual.merger.hidden_size

    @property
    def merge_size(self) -> int:
        return self.config.spatial_merge_size

    @property
    def temporal_patch_size(self) -> int:
        return self.config.temporal_patch_size
