from .inference import (InferenceRequest, InferenceResult, UniPixelInferencer,
                        init_model)
from .stream import StreamFrame, StreamSession

__all__ = [
    'init_model', 'UniPixelInferencer', 'InferenceRequest', 'InferenceResult',
    'StreamSession', 'StreamFrame'
]
