from .sam2_prompt_encoder import SAM2PromptEncoder, TemporalPositionEncoding

__all__ = ['SAM2PromptEncoder', 'TemporalPositionEncoding']
