"""Read and write the official UniPixel checkpoint format.

An official checkpoint directory (``PolyU-ChenLab/UniPixel-3B`` / ``-7B``)
holds a ``config.json`` of model type ``pixel_qwen2_5_vl`` and safetensors
weights (one file, or shards with ``model.safetensors.index.json``) named as
the reference implementation names its modules (``visual.*``, ``model.*``,
``lm_head.*``, ``sam2.*``, ``seg_head.*``, ``ref_*``, ``tem_*``,
``msk_proj.*``). This module maps them to and from the modular model.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import sam2
import torch
from omegaconf import OmegaConf
from safetensors.torch import save_file

from unipixel_mm import fileio
from unipixel_mm.registry import MODELS
from ..decoders.sam2_builder import (load_sam2_model_config,
                                     resolve_sam2_config_path)
from ..utils.dtype import resolve_dtype
from .hf_weights import (INDEX_NAME, WEIGHTS_NAME, base_model_type,
                         check_base_model, load_checked,
                         modular_to_official_key, official_to_modular_key,
                         stream_official_weights, tied_keys)
from .hub import resolve_model_path

MODEL_TYPE = 'pixel_qwen2_5_vl'


def read_official_config(ckpt_dir: str) -> dict:
    """Load and check ``config.json`` of an official checkpoint directory."""
    path = osp.join(ckpt_dir, 'config.json')
    if not osp.isfile(path):
        raise FileNotFoundError(f'No config.json in checkpoint directory '
                                f'"{ckpt_dir}"')
    with open(path) as f:
        config = json.load(f)
    model_type = config.get('model_type')
    if model_type != MODEL_TYPE:
        raise ValueError(
            f'"{ckpt_dir}" holds a checkpoint of model type "{model_type}", '
            f'not a UniPixel checkpoint (model type "{MODEL_TYPE}")')
    return config


#: Config fields that name a dtype: the components' dtype is set explicitly
#: (``dtype`` of :func:`build_from_official`), never inherited from them.
DTYPE_FIELDS = ('torch_dtype', 'dtype')
#: The precision policy official checkpoints are built with: the whole model
#: in the checkpoint's dtype, SAM2 included, as the reference computes the
#: published numbers (see ``UniPixel``'s ``precision``).
OFFICIAL_PRECISION = 'reference'


def checkpoint_dtype(config: dict) -> Optional[torch.dtype]:
    """The dtype an official ``config.json`` says its weights are stored in
    (``torch_dtype``, or ``dtype`` of newer transformers), or None."""
    return resolve_dtype(config.get('torch_dtype') or config.get('dtype'))


def _without_dtype(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in DTYPE_FIELDS}


def _text_config(config: dict) -> dict:
    if 'text_config' in config:
        return _without_dtype(config['text_config'])
    # Qwen2.5-VL configs older than transformers 4.53 keep text fields on top
    skip = {'vision_config', 'architectures', 'model_type', *DTYPE_FIELDS}
    return {k: v for k, v in config.items() if k not in skip}


def model_cfg_from_official(config: dict,
                            sam2_config: Optional[str] = None,
                            attn_implementation: str = 'sdpa',
                            eos_token_id=None,
                            ckpt_dir: Optional[str] = None,
                            dtype: Optional[torch.dtype] = None,
                            precision: str = OFFICIAL_PRECISION) -> dict:
    """Translate an official ``config.json`` into a ``UniPixel`` config.

    Args:
        config (dict): the parsed ``config.json``.
        sam2_config (str, optional): SAM2 yaml to use instead of the one
            named by ``config['sam2_config']`` (resolved in the sam2 package).
        attn_implementation (str): attention backend of the LLM and ViT.
        eos_token_id (int | list[int], optional): generation stop ids
            (``generation_config.json`` has them); defaults to the config's.
        ckpt_dir (str, optional): the checkpoint directory; a
            ``sam2_config`` naming a file in it is read from there.
        dtype (torch.dtype | str, optional): the model's dtype; by default
            the checkpoint's (``torch_dtype`` of the config, else float32).
        precision (str): the model's precision policy (``'reference'``: the
            whole model in ``dtype``, SAM2 included; ``'sam2_float32'``).

    Returns:
        dict: an mmengine model config of type ``UniPixel``.
    """
    text = _text_config(config)
    dtype = resolve_dtype(dtype) or checkpoint_dtype(config) or torch.float32
    dtype_name = str(dtype).split('.')[-1]
    cfg = dict(
        type='UniPixel',
        vision_tokenizer=dict(
            type='QwenVisionTokenizer',
            vision_config=_without_dtype(config['vision_config']),
            attn_implementation=attn_implementation,
            torch_dtype=dtype_name),
        llm=dict(
            type='QwenLLMHead',
            text_config=text,
            attn_implementation=attn_implementation,
            torch_dtype=dtype_name),
        image_token_id=config['image_token_id'],
        video_token_id=config['video_token_id'],
        vision_start_token_id=config['vision_start_token_id'],
        eos_token_id=eos_token_id if eos_token_id is not None else config.get(
            'eos_token_id', text.get('eos_token_id')),
        pad_token_id=config.get('pad_token_id') or 0,
        precision=precision,
        dtype=dtype_name,
    )
    for name in ('ref', 'seg', 'mem'):
        cfg[f'{name}_token_id'] = config[f'{name}_token_id']
    if config.get('sam2_config') is not None or sam2_config is not None:
        sam2_config = sam2_config or config['sam2_config']
        if ckpt_dir is not None and osp.isfile(
                osp.join(ckpt_dir, sam2_config)):
            sam2_config = osp.join(ckpt_dir, sam2_config)
        cfg['llm']['num_seg_tokens'] = config['sam2_hidden_tokens']
        cfg.update(
            prompt_encoder=dict(type='SAM2PromptEncoder'),
            memory_bank=dict(type='ObjectMemoryBank'),
            mask_decoder=dict(
                type='SAM2Decoder',
                sam2_config=sam2_config,
                image_size=config['sam2_image_size']),
            sample_objects=config.get('sample_objects', -1))
    return cfg


def load_official_state_dict(model: torch.nn.Module,
                             state: Dict[str, torch.Tensor]) -> None:
    """Load official tensors into a modular model, strictly.

    Raises:
        KeyError: when names are missing, unexpected, or shapes differ; the
            message lists each offending official name.
    """
    converted, unknown = {}, []
    for key, value in state.items():
        new_key = official_to_modular_key(key)
        if new_key is None:
            unknown.append(key)
        else:
            converted[new_key] = value
    load_checked(
        model,
        converted,
        unexpected=unknown,
        describe=lambda k: modular_to_official_key(k) or k)


def official_state_dict(model: torch.nn.Module) -> Dict[str, torch.Tensor]:
    """The model's tensors under official names (tied copies left out)."""
    tied = tied_keys(model)
    out = {}
    for key, value in model.state_dict().items():
        if key in tied:
            continue
        official = modular_to_official_key(key)
        if official is None:
            raise KeyError(f'"{key}" has no name in the official format')
        out[official] = value.detach().cpu().contiguous()
    return out


def _shards(state: Dict[str, torch.Tensor],
            max_shard_bytes: int) -> List[Dict[str, torch.Tensor]]:
    shards: List[Dict[str, torch.Tensor]] = [{}]
    size = 0
    for key, value in state.items():
        nbytes = value.numel() * value.element_size()
        if shards[-1] and size + nbytes > max_shard_bytes:
            shards.append({})
            size = 0
        shards[-1][key] = value
        size += nbytes
    return shards


def save_official_checkpoint(
        model: torch.nn.Module,
        out_dir: str,
        config: dict,
        generation_config: Optional[dict] = None,
        max_shard_bytes: int = 5 * 1024**3,
        extra_yaml: Optional[Dict[str, dict]] = None) -> None:
    """Write a checkpoint directory in the official format.

    The directory is written under a temporary name next to ``out_dir``,
    flushed to disk and renamed into place at the end (with the usual
    permissions: readable by others as the umask allows), so a failure or a
    kill leaves nothing half-written under ``out_dir``.

    Args:
        model (nn.Module): the modular UniPixel.
        out_dir (str): directory to create (must not exist).
        config (dict): the ``config.json`` content.
        generation_config (dict, optional): ``generation_config.json``.
        max_shard_bytes (int): shard size limit of the safetensors files.
        extra_yaml (dict, optional): file name -> content of yaml files to
            write beside the weights (a SAM2 architecture).
    """
    if osp.exists(out_dir):
        raise FileExistsError(f'"{out_dir}" already exists')
    state = official_state_dict(model)
    os.makedirs(osp.dirname(osp.abspath(out_dir)), exist_ok=True)
    with fileio.atomic_path(out_dir) as tmp:
        os.mkdir(tmp)
        shards = _shards(state, max_shard_bytes)
        if len(shards) == 1:
            save_file(
                shards[0],
                osp.join(tmp, WEIGHTS_NAME),
                metadata={'format': 'pt'})
        else:
            weight_map = {}
            for i, shard in enumerate(shards, 1):
                name = f'model-{i:05d}-of-{len(shards):05d}.safetensors'
                save_file(
                    shard, osp.join(tmp, name), metadata={'format': 'pt'})
                weight_map.update({k: name for k in shard})
            total = sum(v.numel() * v.element_size() for v in state.values())
            _write_json(
                osp.join(tmp, INDEX_NAME),
                dict(metadata=dict(total_size=total), weight_map=weight_map))
        _write_json(osp.join(tmp, 'config.json'), config)
        if generation_config is not None:
            _write_json(
                osp.join(tmp, 'generation_config.json'), generation_config)
        for name, content in (extra_yaml or {}).items():
            OmegaConf.save(OmegaConf.create(content), osp.join(tmp, name))


def _write_json(path: str, obj: dict) -> None:
    with open(path, 'w') as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write('\n')


def load_generation_config(ckpt_dir: str) -> dict:
    path = osp.join(ckpt_dir, 'generation_config.json')
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def official_model_cfg(ckpt_dir: str,
                       sam2_config: Optional[str] = None,
                       attn_implementation: str = 'sdpa',
                       dtype: Optional[torch.dtype] = None,
                       precision: str = OFFICIAL_PRECISION) -> dict:
    """The ``UniPixel`` config of an official checkpoint directory: its
    ``config.json`` translated (:func:`model_cfg_from_official`) with the
    stop ids of its ``generation_config.json``.

    With :func:`load_official_checkpoint` it is how every entry point gets an
    official model: :func:`build_from_official` (``init_model``, the
    inferencer), ``tools/test.py CONFIG DIR`` (the architecture replaces the
    config's) and a directory in ``partial_checkpoints`` (loaded over the
    config's model).

    Args:
        ckpt_dir (str): The directory, or its Hugging Face hub id.
        sam2_config, attn_implementation, dtype, precision: See
            :func:`model_cfg_from_official`.

    Returns:
        dict: The model config, for ``MODELS.build``.
    """
    ckpt_dir = resolve_model_path(ckpt_dir)
    return model_cfg_from_official(
        read_official_config(ckpt_dir), sam2_config, attn_implementation,
        load_generation_config(ckpt_dir).get('eos_token_id'), ckpt_dir, dtype,
        precision)


def load_official_checkpoint(model: torch.nn.Module,
                             ckpt_dir: str,
                             dtype: Optional[torch.dtype] = None) -> None:
    """Load an official safetensors directory into a modular model, strictly,
    one tensor at a time (the peak memory is the model's plus one tensor;
    tensors are cast to the model's dtypes).

    Args:
        model (nn.Module): the modular UniPixel.
        ckpt_dir (str): the checkpoint directory.
        dtype (torch.dtype, optional): the dtype all its tensors must have;
            by default the ``torch_dtype`` of its ``config.json`` if it has
            one, else that of its first tensor.

    Raises:
        KeyError: when names are missing, unexpected, or shapes differ; the
            message lists each offending official name.
        TypeError: when a tensor's dtype differs from the others' or is not
            a floating dtype the model can load (the message names it).
    """
    llm = getattr(model, 'llm', None)
    if llm is not None:
        check_base_model(ckpt_dir, llm.config.model_type)
    config = osp.join(ckpt_dir, 'config.json')
    if dtype is None and osp.isfile(config):
        with open(config) as f:
            dtype = checkpoint_dtype(json.load(f))
    stream_official_weights(
        model,
        ckpt_dir,
        official_to_modular_key,
        describe=lambda k: modular_to_official_key(k) or k,
        dtype=dtype)


def build_from_official(ckpt_dir: str,
                        sam2_config: Optional[str] = None,
                        attn_implementation: str = 'sdpa',
                        dtype: Optional[torch.dtype] = None,
                        precision: str = OFFICIAL_PRECISION):
    """Build a ``UniPixel`` from an official checkpoint directory.

    The model is built without initialising its weights, in ``dtype``, and
    the checkpoint is streamed into it (see
    :func:`load_official_checkpoint`): loading the 7B model in bfloat16
    needs about its bfloat16 size in memory.

    By default the model computes as the reference does with the official
    checkpoints (bfloat16, SAM2 included): ``dtype`` is the checkpoint's
    ``torch_dtype`` and ``precision`` is ``'reference'``.

    Args:
        ckpt_dir (str): directory with ``config.json`` and safetensors, or
            its Hugging Face hub id (``'PolyU-ChenLab/UniPixel-3B'``;
            downloaded once into the Hugging Face cache).
        sam2_config (str, optional): SAM2 yaml overriding the config's
            ``sam2_config`` (needed when it names a yaml that is neither a
            file nor a config of the sam2 package).
        attn_implementation (str): attention backend.
        dtype (torch.dtype | str, optional): dtype of the model; the
            checkpoint's (``torch_dtype`` of its ``config.json``) by default.
        precision (str): ``'reference'`` (default: SAM2 in ``dtype`` too) or
            ``'sam2_float32'`` (SAM2 kept float32).

    Returns:
        UniPixel: the model with the checkpoint's weights, in eval mode.
    """
    from transformers.modeling_utils import no_init_weights

    # (the model classes are registered: this module is in unipixel_mm.models)
    ckpt_dir = resolve_model_path(ckpt_dir)
    cfg = official_model_cfg(ckpt_dir, sam2_config, attn_implementation,
                             dtype, precision)
    with no_init_weights():
        model = MODELS.build(cfg)  # cast to ``cfg['dtype']`` as it says
    # (its tensors must have the checkpoint's torch_dtype)
    load_official_checkpoint(model, ckpt_dir)
    return model.eval()


SAM2_CONFIG_FILE = 'sam2_config.yaml'


def official_config_from_model(model) -> Tuple[dict, Optional[dict]]:
    """The ``config.json`` of a modular UniPixel in the official format.

    Returns:
        tuple[dict, dict | None]: the config, and the SAM2 ``model`` node to
        write as ``sam2_config.yaml`` beside it when the SAM2 architecture is
        not a config of the sam2 package (else None).
    """
    text = model.llm.config.to_dict()
    if base_model_type(text['model_type']) != 'qwen2_5_vl':
        raise ValueError(
            f'The official UniPixel format holds Qwen2.5-VL models (model '
            f'type "{MODEL_TYPE}"); this model is built on '
            f'{base_model_type(text["model_type"])}: save it as an mmengine '
            'checkpoint instead')
    config = dict(
        architectures=['PixelQwen2_5_VLForConditionalGeneration'],
        model_type=MODEL_TYPE,
        base_model='qwen2_5_vl',
        text_config=text,
        vision_config=model.vision_tokenizer.config.to_dict(),
        hidden_size=text['hidden_size'],
        vocab_size=text['vocab_size'],
        image_token_id=model.image_token_id,
        video_token_id=model.video_token_id,
        vision_start_token_id=model.llm.vision_start_token_id,
        ref_token_id=model.ref_token_id,
        seg_token_id=model.seg_token_id,
        mem_token_id=model.mem_token_id,
        eos_token_id=model.eos_token_ids[0],
        pad_token_id=model.pad_token_id,
        sample_objects=model.sample_objects,
        torch_dtype=str(next(model.llm.parameters()).dtype).split('.')[-1])
    decoder, sam2_node = model.mask_decoder, None
    if decoder is not None:
        source = decoder.sam2_config
        package = osp.join(osp.dirname(sam2.__file__), 'configs')
        path = resolve_sam2_config_path(source) if isinstance(source,
                                                              str) else None
        if path is not None and osp.abspath(path).startswith(package):
            # the reference's name for a packaged config
            name = 'configs/' + osp.splitext(osp.basename(path))[0]
        else:
            name = SAM2_CONFIG_FILE
            sam2_node = dict(model=load_sam2_model_config(source))
        config.update(
            sam2_config=name,
            sam2_image_size=decoder.image_size,
            sam2_hidden_tokens=model.llm.num_seg_tokens,
            sam2_checkpoint=None,
            sam2_inference_mode=True,
            sam2_enable_decoder=True,
            sam2_batch_mode=False,
            sam2_apply_postprocessing=False)
    return config, sam2_node


def export_official_checkpoint(model, out_dir: str, **kwargs) -> None:
    """Save a modular UniPixel as an official checkpoint directory.

    Args:
        model (UniPixel): the model.
        out_dir (str): directory to create.
        **kwargs: passed to :func:`save_official_checkpoint`.
    """
    config, sam2_node = official_config_from_model(model)
    extra = {SAM2_CONFIG_FILE: sam2_node} if sam2_node else {}
    generation = dict(
        bos_token_id=model.llm.config.bos_token_id,
        eos_token_id=model.eos_token_ids,
        pad_token_id=model.pad_token_id)
    save_official_checkpoint(
        model, out_dir, config, generation, extra_yaml=extra, **kwargs)
