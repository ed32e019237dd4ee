from .inference import (InferenceRequest, InferenceResult, UniPixelInferencer,
                        init_model)

__all__ = [
    'init_model', 'UniPixelInferencer', 'InferenceRequest', 'InferenceResult'
]
