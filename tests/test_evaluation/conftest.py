import pytest
from mmengine.registry import init_default_scope

import unipixel_mm.evaluation  # noqa: F401  (registers the metrics)
from unipixel_mm.registry import METRICS


@pytest.fixture
def build_metric():
    """Build a metric from a config dict through the registry."""
    init_default_scope('unipixel_mm')
    return METRICS.build
