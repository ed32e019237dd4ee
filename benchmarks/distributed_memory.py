"""Per-rank parameter + optimizer memory of DDP, DeepSpeed ZeRO and FSDP.

For the tiny model the bytes are measured: the script launches itself on
``--nproc`` CPU processes (torchrun, gloo), trains one iteration of each
strategy's tiny config and counts, on every rank, the parameter storage it
holds (the ZeRO-3 partitions, the FSDP shards) and the optimizer's (its
states and the fp32 master partitions DeepSpeed keeps). The same counts are
computed from the model's parameter sizes, which checks the formulas; for
a model of UniPixel-3B's shape (stage-3 recipe: LoRA, SAM2, embeddings
trainable) they are computed on the meta device for ``--world`` ranks,
with the dtypes the configs train in on GPUs (bf16).

The measured optimizer of DDP and FSDP is below the computed one: AdamW
creates no state for a parameter that has had no gradient yet (SAM2's
memory modules in an image step); DeepSpeed allocates all at once.

    python benchmarks/distributed_memory.py --out result.json
"""
import argparse
import json
import os
import os.path as osp
import socket
import subprocess
import sys
import tempfile
from typing import Dict, List

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from common import ROOT, report  # noqa: E402

STRATEGIES = {
    'DDP': 'configs/unipixel_tiny_synthetic.py',
    'ZeRO-2': 'configs/strategies/unipixel_tiny_deepspeed_zero2.py',
    'ZeRO-3': 'configs/strategies/unipixel_tiny_deepspeed_zero3.py',
    'FSDP': 'configs/strategies/unipixel_tiny_fsdp.py',
}
#: optimizer states per trainable parameter: AdamW's two moments
ADAM_STATES = 2
MB = 2**20


def computed(params: int, trainable: int, world: int, strategy: str,
             bf16: bool) -> Dict[str, float]:
    """The bytes one rank holds for the weights and the optimizer.

    Args:
        params (int): Parameter elements of the model (stored in float32).
        trainable (int): Trainable parameter elements.
        world (int): Ranks.
        strategy (str): A key of :data:`STRATEGIES` or ``'ZeRO-3 offload'``.
        bf16 (bool): As the stage configs train on GPUs: DDP autocasts
            float32 weights, FSDP computes in bf16 from float32 shards,
            DeepSpeed holds bf16 weights and float32 master partitions.

    Returns:
        dict: ``params_mb`` and ``optimizer_mb`` of one rank (accelerator
        memory: with offload the optimizer lives in CPU memory).
    """
    states = ADAM_STATES * 4 * trainable
    deepspeed = strategy.startswith('ZeRO')
    weights = (2 if bf16 and deepspeed else 4) * params
    if strategy in ('ZeRO-3', 'ZeRO-3 offload', 'FSDP'):
        weights /= world
    if strategy == 'DDP':
        optimizer = states
    else:
        # ZeRO-2 always steps on float32 copies of its partitions, ZeRO-3
        # on the partitions themselves unless they are bf16
        master = 4 * trainable if strategy == 'ZeRO-2' or (
            bf16 and deepspeed) else 0
        optimizer = (states + master) / world
    if strategy == 'ZeRO-3 offload':
        optimizer = 0
    return dict(params_mb=weights / MB, optimizer_mb=optimizer / MB)


def model_sizes(model: torch.nn.Module) -> Dict[str, int]:
    params = list(model.parameters())
    return dict(
        params=sum(p.numel() for p in params),
        trainable=sum(p.numel() for p in params if p.requires_grad))


def held_bytes(model: torch.nn.Module, optimizer) -> Dict[str, float]:
    """The parameter and optimizer storage this rank holds, in MB."""
    seen = set()

    def count(tensor: torch.Tensor) -> int:
        ptr = tensor.untyped_storage().data_ptr()
        if tensor.numel() == 0 or ptr in seen:
            return 0
        seen.add(ptr)
        return tensor.untyped_storage().nbytes()

    params = sum(
        count(getattr(p, 'ds_tensor', p)) for p in model.parameters())
    inner = getattr(optimizer, 'optimizer', optimizer)  # DeepSpeed's
    masters = [p for g in inner.param_groups for p in g['params']]
    states = [
        t for s in inner.state.values() for t in s.values()
        if torch.is_tensor(t) and t.dim() > 0
    ]
    return dict(
        params_mb=params / MB,
        optimizer_mb=sum(count(t) for t in masters + states) / MB)


def measure(out: str, processor: str) -> None:
    """On each rank of a torchrun job: one iteration per strategy, then its
    held bytes (rank ``r`` writes ``<out>/rank<r>.json``)."""
    from mmengine._strategy.deepspeed import MMDeepSpeedEngineWrapper
    from mmengine.config import Config
    from mmengine.dist import get_rank
    from mmengine.hooks import Hook

    from unipixel_mm.engine import build_runner
    from unipixel_mm.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    rows = {}

    class Measure(Hook):

        def after_train(self, runner) -> None:
            model = runner.model
            if isinstance(model, MMDeepSpeedEngineWrapper):
                model = model.model  # the DeepSpeed engine
            rows[name] = held_bytes(model, runner.optim_wrapper.optimizer)

    for name, path in STRATEGIES.items():
        cfg = Config.fromfile(osp.join(ROOT, path))
        for transform in cfg.train_dataloader.dataset.pipeline:
            if 'processor' in transform:
                transform['processor'] = processor
        # the ranks of a step must run the same modules (see
        # docs/distributed_training.md): images only
        cfg.train_dataloader.dataset.max_frames = 1
        cfg.train_dataloader.update(num_workers=0, persistent_workers=False)
        cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1)
        cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
        cfg.custom_hooks = []
        cfg.default_hooks.checkpoint.update(interval=100, save_last=False)
        cfg.update(
            work_dir=osp.join(out, name),
            launcher='pytorch',
            experiment_name=name)
        runner = build_runner(cfg)
        runner.register_hook(Measure())
        runner.train()
    with open(osp.join(out, f'rank{get_rank()}.json'), 'w') as f:
        json.dump(rows, f)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def measured_rows(nproc: int) -> List[Dict]:
    """Launches :func:`measure` on ``nproc`` CPU processes."""
    from unipixel_mm.datasets import build_tiny_processor
    with tempfile.TemporaryDirectory() as out:
        processor = osp.join(out, 'processor')
        build_tiny_processor(processor)
        subprocess.run([
            sys.executable, '-m', 'torch.distributed.run',
            '--nproc_per_node',
            str(nproc), '--master_addr', '127.0.0.1', '--master_port',
            str(free_port()),
            osp.abspath(__file__), '--measure', out, processor
        ],
                       check=True,
                       env=dict(
                           os.environ,
                           PYTHONPATH=os.pathsep.join(
                               [ROOT, os.environ.get('PYTHONPATH', '')]),
                           OMP_NUM_THREADS='1'))
        ranks = []
        for rank in range(nproc):
            with open(osp.join(out, f'rank{rank}.json')) as f:
                ranks.append(json.load(f))
    sizes = model_sizes(build_model('tiny_synthetic'))
    rows = []
    for name in STRATEGIES:
        expected = computed(sizes['params'], sizes['trainable'], nproc,
                            name, bf16=False)
        rows.append(
            dict(
                model='tiny',
                strategy=name,
                ranks=nproc,
                params_mb=max(r[name]['params_mb'] for r in ranks),
                optimizer_mb=max(r[name]['optimizer_mb'] for r in ranks),
                computed_params_mb=expected['params_mb'],
                computed_optimizer_mb=expected['optimizer_mb'],
                source='measured (largest rank)'))
    return rows


def build_model(name: str) -> torch.nn.Module:
    """The model of ``configs/unipixel_<name>.py`` on the meta device."""
    from accelerate import init_empty_weights
    from mmengine.config import Config

    from unipixel_mm.registry import MODELS
    from unipixel_mm.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(osp.join(ROOT, 'configs', f'unipixel_{name}.py'))
    with init_empty_weights():
        return MODELS.build(cfg.model)


def computed_rows(size: str, world: int) -> List[Dict]:
    """The 3B / 7B stage-3 model on the meta device, ``world`` ranks."""
    sizes = model_sizes(build_model(f'{size}_stage3'))
    rows = []
    for name in list(STRATEGIES) + ['ZeRO-3 offload']:
        expected = computed(sizes['params'], sizes['trainable'], world,
                            name, bf16=True)
        rows.append(
            dict(
                model=size,
                strategy=name,
                ranks=world,
                params_mb=expected['params_mb'],
                optimizer_mb=expected['optimizer_mb'],
                computed_params_mb=expected['params_mb'],
                computed_optimizer_mb=expected['optimizer_mb'],
                source='computed (meta device, bf16 training)'))
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == '--measure':
        from unipixel_mm.engine import closing_process_group
        with closing_process_group():
            measure(*sys.argv[2:4])
        return
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--nproc', type=int, default=2)
    parser.add_argument('--world', type=int, default=8)
    parser.add_argument('--sizes', nargs='*', default=['3b'])
    parser.add_argument('--out', default=None, help='JSON result file')
    args = parser.parse_args()
    rows = measured_rows(args.nproc)
    for size in args.sizes:
        rows += computed_rows(size, args.world)
    report(
        'Per-rank parameter + optimizer memory (MB; the tiny model measured '
        f'on {args.nproc} CPU ranks, larger ones computed for {args.world})',
        [
            'model', 'strategy', 'ranks', 'params_mb', 'optimizer_mb',
            'computed_params_mb', 'computed_optimizer_mb', 'source'
        ], rows, args.out)


if __name__ == '__main__':
    main()
