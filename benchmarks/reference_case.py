"""One side of one case of the comparison with the reference UniPixel.

Run by ``vs_reference.py`` and ``profile_vs_reference.py`` in a fresh
process per case and side: ``ours`` with a Python that imports
``unipixel_mm``, ``reference`` with a Python that runs a checkout of the
reference (PolyU-ChenLab/UniPixel, transformers 4.53.3). Both sides load
the weights of the same official-format fixture and build the same inputs
from the same seeds:

- ``decode``: forward of a video prompt holding N ``<|seg|>`` tokens, then
  the SAM2 masklets of all N;
- ``train``: loss + backward of one sample with N target objects;
- ``generate``: 32 greedy new tokens after the video prompt, then the
  masks of the generated ``<|seg|>`` tokens.

Prints one JSON line: the fastest of ``--repeats`` timed runs (after a
warm-up), the peak resident memory of the process and of the timed runs,
and with ``--profile`` the time of each component in the fastest run
(forward hooks on the components' modules).

    python reference_case.py {ours|reference} --fixture DIR --mode decode \
        --frames 8 --objects 3 [--reference-tree DIR] [--profile]
"""
import argparse
import json
import os
import os.path as osp
import resource
import sys
import time
from collections import defaultdict

import torch

SAM2_SIZE = 128
GRID_HW = (56, 56)

# component -> module names, per side (see ``profile_vs_reference.py``)
COMPONENTS = {
    'ours': {
        'vision tokenizer': ['vision_tokenizer'],
        'LLM': ['llm.model', 'llm.lm_head'],
        'seg head': ['llm.seg_head'],
        'prompt encoder': ['prompt_encoder'],
        'memory bank': ['memory_bank'],
        'SAM2 image encoder': ['mask_decoder.sam2.image_encoder'],
        'memory attention': ['mask_decoder.sam2.memory_attention'],
        'memory encoder': ['mask_decoder.sam2.memory_encoder'],
        'mask decoder': [
            'mask_decoder.sam2.sam_mask_decoder',
            'mask_decoder.sam2.sam_prompt_encoder'
        ],
        'loss': ['mask_loss'],
    },
    'reference': {
        'vision tokenizer': ['model.visual'],
        'LLM': ['model.language_model', 'lm_head'],
        'seg head': ['seg_head'],
        'prompt encoder': [
            'ref_encoder', 'ref_proj_single', 'ref_proj_double', 'ref_proj',
            'tem_proj'
        ],
        'memory bank': ['msk_proj'],
        'SAM2 image encoder': ['sam2.image_encoder'],
        'memory attention': ['sam2.memory_attention'],
        'memory encoder': ['sam2.memory_encoder'],
        'mask decoder': ['sam2.sam_mask_decoder', 'sam2.sam_prompt_encoder'],
        'loss': ['loss_seg'],
    },
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('side', choices=['ours', 'reference'])
    parser.add_argument('--fixture', required=True)
    parser.add_argument(
        '--mode', default='decode', choices=['decode', 'train', 'generate'])
    parser.add_argument('--frames', type=int, default=8)
    parser.add_argument('--objects', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument(
        '--reference-tree',
        help='the reference checkout, with the fixture\'s SAM2 yaml as '
        'sam2/configs/tiny_test.yaml (reference side)')
    parser.add_argument('--profile', action='store_true')
    parser.add_argument(
        '--clock',
        default='wall',
        choices=['wall', 'cpu'],
        help='cpu: the CPU time of this process (less disturbed by other '
        'jobs than wall time when it runs one thread)')
    return parser.parse_args()


def token_ids(fixture: str) -> dict:
    with open(osp.join(fixture, 'checkpoint', 'config.json')) as f:
        config = json.load(f)
    return {
        k: config[k]
        for k in ('vision_start_token_id', 'vision_end_token_id',
                  'video_token_id', 'seg_token_id', 'eos_token_id')
    }


def decode_case(ids: dict, frames: int, num_seg: int,
                gen: torch.Generator) -> dict:
    """Keyword arguments of the reference's forward: a video prompt with
    ``num_seg`` ``<|seg|>`` tokens (random pixels and frames)."""
    gt, gh, gw = max(frames // 2, 1), GRID_HW[0] // 14, GRID_HW[1] // 14
    pixels = torch.randn(gt * gh * gw, 1176, generator=gen)
    text = [1, 5, 6, ids['vision_start_token_id']]
    text += [ids['video_token_id']] * (gt * gh * gw // 4)
    text += [ids['vision_end_token_id'], 7, 8]
    text += [9, 10, ids['seg_token_id']] * num_seg
    text += [11, ids['eos_token_id']]
    input_ids = torch.tensor([text])
    return dict(
        input_ids=input_ids,
        attention_mask=torch.ones_like(input_ids),
        pixel_values_videos=pixels,
        video_grid_thw=torch.tensor([[gt, gh, gw]]),
        second_per_grid_ts=torch.tensor([1.0]),
        frames=[torch.randn(frames, 3, SAM2_SIZE, SAM2_SIZE, generator=gen)],
        frame_size=[(96, 80)])


def train_case(ids: dict, frames: int, num_obj: int,
               gen: torch.Generator) -> dict:
    """The decode prompt with labels on its answer and N box-shaped target
    masklets, each object tracked on every frame."""
    case = decode_case(ids, frames, num_obj, gen)
    input_ids = case['input_ids']
    labels = input_ids.clone()
    labels[:, :input_ids.size(1) - 3 * num_obj - 2] = -100
    masks = torch.zeros(
        frames, num_obj, SAM2_SIZE, SAM2_SIZE, dtype=torch.bool)
    for o in range(num_obj):
        masks[:, o, 10 + 10 * o:60 + 10 * o, 20:90] = True
    obj_to_frame = torch.tensor([[[t, 0]] * num_obj for t in range(frames)],
                                dtype=torch.int32)
    case.update(
        labels=labels,
        label_mask=[masks],
        label_obj_to_frame_idx=[obj_to_frame])
    return case


def generate_case(ids: dict, frames: int, num_obj: int,
                  gen: torch.Generator) -> dict:
    """The decode prompt cut before its first segmentation request."""
    case = decode_case(ids, frames, num_obj, gen)
    text = case['input_ids'][0].tolist()
    text = text[:text.index(ids['seg_token_id']) - 2]
    case['input_ids'] = torch.tensor([text])
    case['attention_mask'] = torch.ones_like(case['input_ids'])
    return case


CASES = dict(decode=decode_case, train=train_case, generate=generate_case)


def reference_model(args):
    """The reference model of the fixture's config and weights."""
    sys.path.insert(0, args.reference_tree)
    from safetensors.torch import load_file
    from unipixel.model.qwen2_5_vl import (
        PixelQwen2_5_VLConfig, PixelQwen2_5_VLForConditionalGeneration)
    checkpoint = osp.join(args.fixture, 'checkpoint')
    config = PixelQwen2_5_VLConfig.from_pretrained(checkpoint)
    config.sam2_inference_mode = args.mode != 'train'
    config._attn_implementation = 'sdpa'
    torch.manual_seed(0)
    model = PixelQwen2_5_VLForConditionalGeneration(config)
    model.init_parameters()
    state = load_file(osp.join(checkpoint, 'model.safetensors'))
    model.load_state_dict({**model.state_dict(), **state}, strict=False)
    model = model.float().train(args.mode == 'train')

    def run(case, timer):
        if args.mode == 'train':
            model.zero_grad()
            loss = model(**case).loss
            with timer('backward'):
                loss.backward()
            return case['label_mask'][0].size(1)
        if args.mode == 'generate':
            out = model.generate(
                **case,
                do_sample=False,
                max_new_tokens=32,
                min_new_tokens=32,
                temperature=None,
                top_k=None,
                top_p=None)
            return out.size(1) - case['input_ids'].size(1)
        model(**case)
        return len(model.seg)

    return model, run


def our_model(args):
    """Our model built from the fixture's official checkpoint."""
    from unipixel_mm.models.checkpoint import build_from_official
    from unipixel_mm.utils.reference_inputs import batch_from_reference_kwargs
    yamls = [f for f in os.listdir(args.fixture) if f.endswith('.yaml')]
    model = build_from_official(
        osp.join(args.fixture, 'checkpoint'),
        sam2_config=osp.join(args.fixture, yamls[0]) if yamls else None)
    model = model.train(args.mode == 'train')

    def run(case, timer):
        with timer('sample packing'):
            inputs, samples = batch_from_reference_kwargs(case)
        if args.mode == 'train':
            model.zero_grad()
            loss = sum(model(inputs, samples, mode='loss').values())
            with timer('backward'):
                loss.backward()
            return case['label_mask'][0].size(1)
        if args.mode == 'generate':
            return len(
                model.generate(inputs, samples, max_new_tokens=32)[0].ids)
        return len(model.generate(inputs, samples, max_new_tokens=0)[0].masks)

    return model, run


class ComponentTimer:
    """Wall time per component: forward hooks on its modules, plus the
    named blocks of the run (``timer(name)``)."""

    def __init__(self, model, components: dict, enabled: bool, clock) -> None:
        self.times = defaultdict(float)
        self.clock = clock
        self.enabled = enabled
        self.handles = []
        if not enabled:
            return
        modules = dict(model.named_modules())
        for name, paths in components.items():
            for path in paths:
                if path in modules:
                    self._hook(modules[path], name)

    def _hook(self, module, name: str) -> None:
        starts = []

        def pre(*_):
            starts.append(self.clock())

        def post(*_):
            self.times[name] += self.clock() - starts.pop()

        self.handles += [
            module.register_forward_pre_hook(pre),
            module.register_forward_hook(post)
        ]

    def __call__(self, name: str):
        timer = self

        class Block:

            def __enter__(self):
                self.start = timer.clock()

            def __exit__(self, *_):
                timer.times[name] += timer.clock() - self.start

        return Block()

    def reset(self) -> None:
        self.times = defaultdict(float)


def rss_mib(field: str) -> float:
    """VmHWM (peak) or VmRSS of this process in MiB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Reset the process's peak RSS to its current RSS (Linux)."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    builder = reference_model if args.side == 'reference' else our_model
    model, run = builder(args)
    clock = time.process_time if args.clock == 'cpu' else time.perf_counter
    timer = ComponentTimer(model, COMPONENTS[args.side], args.profile, clock)
    case = CASES[args.mode](token_ids(args.fixture), args.frames, args.objects,
                            torch.Generator().manual_seed(args.objects))
    expected = 32 if args.mode == 'generate' else args.objects
    with torch.set_grad_enabled(args.mode == 'train'):
        got = run(case, timer)  # warm-up
        if got != expected:
            raise RuntimeError(f'{args.side} {args.mode}: {got} outputs, '
                               f'expected {expected}')
        resettable = reset_peak_rss()
        before = rss_mib('VmRSS')
        best, parts = float('inf'), {}
        for _ in range(args.repeats):
            timer.reset()
            start = clock()
            run(case, timer)
            seconds = clock() - start
            if seconds < best:
                best, parts = seconds, dict(timer.times)
    result = dict(
        side=args.side,
        mode=args.mode,
        frames=args.frames,
        objects=args.objects,
        ms=round(best * 1000, 2),
        clock=args.clock,
        peak_rss_mib=round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        run_rss_mib=round(before, 1),
        run_peak_rss_mib=round(rss_mib('VmHWM'), 1) if resettable else None)
    if args.profile:
        result['components_ms'] = {
            k: round(v * 1000, 2)
            for k, v in parts.items()
        }
    print(json.dumps(result))


if __name__ == '__main__':
    main()
