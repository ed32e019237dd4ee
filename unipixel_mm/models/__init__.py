from .data_preprocessor import UniPixelDataPreprocessor
from .decoders import *  # noqa: F401,F403
from .llm import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .memory import *  # noqa: F401,F403
from .prompt_encoders import *  # noqa: F401,F403
from .tokenizers import *  # noqa: F401,F403
from .unipixel import GenerationResult, UniPixel

__all__ = ['UniPixel', 'GenerationResult', 'UniPixelDataPreprocessor']
