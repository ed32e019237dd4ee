"""Evaluation of unipixel_mm: metric functions, metrics and judge client."""
from .functional import *  # noqa: F401,F403
from .judge_client import OpenAIChatClient  # noqa: F401
from .metrics import *  # noqa: F401,F403
