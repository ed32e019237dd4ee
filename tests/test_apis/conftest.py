"""The tiny fixture model behind the inference API, shared by the API
tests: a tiny processor and an inferencer (4 frames, 3 new tokens)."""
import pytest
from parity_fixture import parity_fixture_files

from unipixel_mm.apis import UniPixelInferencer
from unipixel_mm.text import build_tiny_processor


@pytest.fixture(scope='module')
def processor_dir(tmp_path_factory):
    """A tiny processor folder with the fixture's token ids."""
    path = str(tmp_path_factory.mktemp('processor'))
    build_tiny_processor(path)
    return path


@pytest.fixture(scope='module')
def inferencer(processor_dir):
    """The parity fixture checkpoint as an inferencer."""
    checkpoint, sam2_yaml = parity_fixture_files()
    return UniPixelInferencer(
        checkpoint,
        processor=processor_dir,
        sam2_config=sam2_yaml,
        num_frames=4,
        generation_cfg=dict(max_new_tokens=3))
