"""Generation speed with and without the KV cache.

Without the cache every step runs the whole sequence again (vision encoder
included); with it, one token per step. Masks are decoded after generation.

    python benchmarks/generation.py [--model fixture|3b|7b|DIR] [--out F]
"""
import torch
from common import base_parser, load_model, report, timed


def video_prompt(model, num_frames: int, grid_hw: int, device: str):
    """A random video prompt (``grid_hw`` x ``grid_hw`` patches a frame)."""
    vision = model.vision_tokenizer
    grid_t = -(-num_frames // vision.temporal_patch_size)
    grid = torch.tensor([[grid_t, grid_hw, grid_hw]], device=device)
    num_tokens = int(grid.prod()) // vision.merge_size**2
    ids = [model.llm._rope_owner.config.vision_start_token_id]
    ids += [model.video_token_id] * num_tokens + [5, 6, 7, 8]
    input_ids = torch.tensor([ids], device=device)
    patch_dim = 3 * vision.temporal_patch_size * vision.config.patch_size**2
    size = model.mask_decoder.image_size
    return dict(
        input_ids=input_ids,
        attention_mask=torch.ones_like(input_ids),
        pixel_values_videos=torch.randn(
            int(grid.prod()), patch_dim, device=device),
        video_grid_thw=grid,
        second_per_grid_ts=torch.ones(1, device=device),
        frames=[torch.randn(num_frames, 3, size, size, device=device)])


def main() -> None:
    parser = base_parser(__doc__)
    parser.add_argument('--new-tokens', type=int, default=32)
    parser.add_argument('--frames', type=int, default=8)
    parser.add_argument(
        '--grid', type=int, default=8, help='patches per side of a frame')
    args = parser.parse_args()
    model = load_model(args.model, args.device, args.dtype)
    inputs = video_prompt(model, args.frames, args.grid, args.device)
    # never stop early, so both runs generate the same number of tokens
    model.eos_token_ids = [-1]
    plain, cached = timed(
        *[(lambda use_cache=use_cache: model.generate(
            inputs, max_new_tokens=args.new_tokens, use_cache=use_cache))
          for use_cache in (False, True)],
        repeats=args.repeats,
        device=args.device)
    rows = [
        dict(
            kv_cache=use_cache,
            prompt_tokens=inputs['input_ids'].size(1),
            new_tokens=args.new_tokens,
            seconds=seconds,
            tokens_per_s=args.new_tokens / seconds)
        for use_cache, seconds in ((False, plain), (True, cached))
    ]
    rows[1]['speedup'] = rows[0]['seconds'] / rows[1]['seconds']
    rows[0]['speedup'] = 1.0
    report('Generation', [
        'kv_cache', 'prompt_tokens', 'new_tokens', 'seconds', 'tokens_per_s',
        'speedup'
    ], rows, args.out)


if __name__ == '__main__':
    main()
