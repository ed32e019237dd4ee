"""SAM2StreamTracker: frames pushed one at a time, as a whole clip gives."""
import pytest
import torch

from unipixel_mm.models.decoders import SAM2StreamTracker


@torch.no_grad()
def test_stream_tracking_equals_whole_clip(tiny_model):
    decoder = tiny_model.mask_decoder
    window = decoder._memory_window()
    num_frames = window + 4
    torch.manual_seed(0)
    frames = torch.randn(num_frames, 3, 128, 128)
    prompts = torch.randn(3, 2, 64)
    masks, scores = decoder.predict(frames, prompts, (48, 40))

    tracker = SAM2StreamTracker(decoder)
    state = []
    for t, frame in enumerate(frames):
        features = tracker.encode(frame)
        if t == 0:
            out = tracker.add_objects(features, prompts, [4, 5, 6], (48, 40))
        else:
            out = tracker.step(features, (48, 40))
        assert out.object_ids == [4, 5, 6]
        assert torch.equal(out.masks, masks[:, t])
        assert torch.allclose(out.scores, scores[:, t], atol=1e-5)
        state.append(tracker.state_bytes())
    # one frame's memory more each frame until the window is full, then flat
    per_frame = state[1] - state[0]
    assert per_frame > 0
    assert state[window - 1] == state[0] + (window - 1) * per_frame
    assert state[window:] == [state[window]] * 4
    assert state[window] == state[0] + window * per_frame


@torch.no_grad()
def test_groups_and_preview(tiny_model):
    decoder = tiny_model.mask_decoder
    torch.manual_seed(1)
    frames = torch.randn(3, 3, 128, 128)
    prompts = torch.randn(2, 2, 64)
    tracker = SAM2StreamTracker(decoder)
    assert tracker.step(tracker.encode(frames[0]), (8, 8)).masks.shape == \
        (0, 8, 8)
    tracker.add_objects(tracker.encode(frames[0]), prompts[:1], [0], (8, 8))
    features = tracker.encode(frames[1])
    # a preview conditions on the frame without tracking anything new
    preview = tracker.preview(features, prompts[1:], (8, 8))
    assert preview.object_ids == [0] and len(tracker.groups) == 1
    tracked = tracker.step(features, (8, 8))
    added = tracker.add_objects(features, prompts[1:], [1], (8, 8))
    assert torch.equal(added.masks, preview.masks)
    out = tracker.step(tracker.encode(frames[2]), (8, 8))
    assert out.object_ids == [0, 1] and tracked.object_ids == [0]
    with pytest.raises(ValueError, match='2 prompt tokens for 1 object ids'):
        tracker.add_objects(features, prompts, [7], (8, 8))
