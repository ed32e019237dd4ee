"""Export a model trained with any strategy to the official format.

The model of CONFIG is built as for training (its pretrained parts and
``partial_checkpoints`` loaded), the weights of CHECKPOINT are put over it
(an mmengine file, a DeepSpeed ZeRO folder or a sharded FSDP folder, whose
shards are gathered here on one process), the LoRA adapters are merged and
the official checkpoint directory (safetensors + config.json) is written
atomically.

Examples:
    python tools/export_official.py \
        configs/strategies/unipixel_7b_deepspeed_zero3.py \
        work_dirs/unipixel_7b_deepspeed_zero3/epoch_1.pth exports/unipixel_7b
"""
import argparse

from mmengine.config import Config

from unipixel_mm.apis.errors import cli_errors
from unipixel_mm.engine import load_trained_weights
from unipixel_mm.models.checkpoint import export_official_checkpoint
from unipixel_mm.models.utils.finetune import merge_lora
from unipixel_mm.registry import MODELS
from unipixel_mm.utils import register_all_modules


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Export a trained UniPixel to the official format')
    parser.add_argument('config', help='the training config')
    parser.add_argument('checkpoint', help='a checkpoint file or folder')
    parser.add_argument('out_dir', help='the directory to create')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of an error (else one line, exit status 2)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with cli_errors(args.debug):
        register_all_modules()
        cfg = Config.fromfile(args.config)
        model = MODELS.build(cfg.model)
        model.init_weights()
        load_trained_weights(model, args.checkpoint)
        merge_lora(model)
        export_official_checkpoint(model.eval(), args.out_dir)
        print(f'Exported {args.checkpoint} to {args.out_dir}')


if __name__ == '__main__':
    main()
