"""Names and files of HuggingFace-format UniPixel / Qwen2.5-VL weights.

The reference implementation (and the Qwen2.5-VL checkpoints it starts from)
names tensors ``visual.*``, ``model.*``, ``lm_head.*``, ``sam2.*``,
``seg_head.*``, ``ref_*``, ``tem_*`` and ``msk_proj.*``; newer transformers
releases write ``model.visual.*`` and ``model.language_model.*``. This module
maps those names to the modular model's and reads safetensors directories.
"""
import json
import os.path as osp
import re
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import torch
from safetensors import SafetensorError, safe_open

WEIGHTS_NAME = 'model.safetensors'
INDEX_NAME = 'model.safetensors.index.json'
#: safetensors dtype names of the floating dtypes a model can load.
SAFETENSORS_FLOAT_DTYPES = {
    'F32': torch.float32,
    'BF16': torch.bfloat16,
    'F16': torch.float16,
}

# (official prefix, modular prefix); the first match wins.
KEY_PREFIXES: List[Tuple[str, str]] = [
    ('model.visual.', 'vision_tokenizer.visual.'),
    ('model.language_model.', 'llm.model.'),
    ('visual.', 'vision_tokenizer.visual.'),
    ('model.', 'llm.model.'),
    ('lm_head.', 'llm.lm_head.'),
    ('seg_head.', 'llm.seg_head.'),
    ('ref_encoder.', 'prompt_encoder.sam_prompt_encoder.'),
    ('ref_proj_single.', 'prompt_encoder.point_proj.'),
    ('ref_proj_double.', 'prompt_encoder.box_proj.'),
    ('ref_proj.', 'prompt_encoder.out_proj.'),
    ('tem_pe.', 'prompt_encoder.temporal_pe.'),
    ('tem_emb.', 'prompt_encoder.temporal_embed.'),
    ('tem_proj.', 'prompt_encoder.temporal_proj.'),
    ('msk_proj.', 'memory_bank.proj.'),
    ('sam2.', 'mask_decoder.sam2.'),
]
# The reference renamed the layer scale of SAM2's memory fuser blocks from
# ``gamma`` to ``weight``; the sam2 package keeps ``gamma``.
_FUSER_OFFICIAL = re.compile(r'^(sam2\.memory_encoder\.fuser\.layers\.\d+)'
                             r'\.weight$')
_FUSER_MODULAR = re.compile(r'^(mask_decoder\.sam2\.memory_encoder\.fuser\.'
                            r'layers\.\d+)\.gamma$')
# Prefixes the official format writes (for the reverse mapping).
_SAVE_PREFIXES = [
    (o, m) for o, m in KEY_PREFIXES
    if not o.startswith(('model.visual.', 'model.language_model.'))
]


def official_to_modular_key(key: str) -> Optional[str]:
    """Map an official weight name to the modular model's, or None."""
    key = _FUSER_OFFICIAL.sub(r'\1.gamma', key)
    for official, modular in KEY_PREFIXES:
        if key.startswith(official):
            return modular + key[len(official):]
    return None


def modular_to_official_key(key: str) -> Optional[str]:
    """Map a modular weight name to the official one, or None."""
    key = _FUSER_MODULAR.sub(r'\1.weight', key)
    for official, modular in _SAVE_PREFIXES:
        if key.startswith(modular):
            return official + key[len(modular):]
    return None


def weight_files(ckpt_dir: str) -> List[str]:
    """The safetensors files of a checkpoint directory (sharded or not).

    Raises:
        FileNotFoundError: when there is no weight file, or a shard listed
            in the index is missing.
    """
    index = osp.join(ckpt_dir, INDEX_NAME)
    if osp.isfile(index):
        with open(index) as f:
            names = sorted(set(json.load(f)['weight_map'].values()))
        paths = [osp.join(ckpt_dir, n) for n in names]
        for path in paths:
            if not osp.isfile(path):
                raise FileNotFoundError(f'Shard "{path}" listed in the index '
                                        'is missing')
        return paths
    single = osp.join(ckpt_dir, WEIGHTS_NAME)
    if osp.isfile(single):
        return [single]
    raise FileNotFoundError(f'No {WEIGHTS_NAME} or {INDEX_NAME} in '
                            f'"{ckpt_dir}"')


@contextmanager
def open_weights(path: str) -> Iterator:
    """``safe_open`` of one safetensors file whose errors name the file.

    Raises:
        ValueError: naming the file when it is truncated or corrupt (the
            header or a tensor cannot be read).
    """
    try:
        with safe_open(path, framework='pt') as f:
            yield f
    except SafetensorError as e:
        raise ValueError(
            f'corrupt or truncated safetensors file "{path}": {e}') from e


#: safetensors dtype names -> torch dtypes.
SAFETENSORS_DTYPES = {
    'F64': torch.float64,
    'F32': torch.float32,
    'BF16': torch.bfloat16,
    'F16': torch.float16,
    'I64': torch.int64,
    'I32': torch.int32,
    'I16': torch.int16,
    'I8': torch.int8,
    'U8': torch.uint8,
    'BOOL': torch.bool,
}


def read_tensors_into(path: str,
                      pairs: Sequence[Tuple[str, torch.Tensor]]) -> None:
    """Read tensors of a safetensors file into existing tensors.

    Plain file reads, no memory map: a tensor of the target's dtype is read
    straight into the target's memory (other dtypes through one buffer of
    the tensor's size, then cast), so reading adds at most one tensor to
    the process's memory, and the file's pages are not held. The header
    must have been checked (:func:`open_weights`).

    Args:
        path (str): the safetensors file.
        pairs (Sequence[tuple[str, Tensor]]): name in the file, and the
            contiguous CPU tensor of the same shape to fill.

    Raises:
        ValueError: naming the file when it ends before a tensor's data.
    """
    with open(path, 'rb') as f:
        size = int.from_bytes(f.read(8), 'little')
        header = json.loads(f.read(size))
        for key, target in pairs:
            info = header[key]
            begin, end = info['data_offsets']
            f.seek(8 + size + begin)
            dtype = SAFETENSORS_DTYPES[info['dtype']]
            direct = dtype == target.dtype and target.is_contiguous() \
                and target.device.type == 'cpu'
            out = target.detach().reshape(-1).view(torch.uint8).numpy() \
                if direct else bytearray(end - begin)
            if f.readinto(out) != end - begin:
                raise ValueError(
                    f'corrupt or truncated safetensors file "{path}": the '
                    f'data of "{key}" is cut')
            if not direct and end > begin:
                target.copy_(
                    torch.frombuffer(out, dtype=dtype).view(info['shape']))


def read_official_state_dict(
        ckpt_dir: str,
        select: Optional[Callable[[str],
                                  bool]] = None) -> Dict[str, torch.Tensor]:
    """Tensors of a safetensors checkpoint directory, by official name.

    Args:
        ckpt_dir (str): directory with one or sharded safetensors files.
        select (callable, optional): keep only the names it accepts.
    """
    state = {}
    for path in weight_files(ckpt_dir):
        with open_weights(path) as f:
            for key in f.keys():
                if select is None or select(key):
                    state[key] = f.get_tensor(key)
    return state


def tied_keys(module: torch.nn.Module) -> set:
    """Names of tensors that share storage with an earlier one."""
    seen, tied = {}, set()
    for name, tensor in module.state_dict(keep_vars=True).items():
        if tensor.device.type == 'meta' or tensor.numel() == 0:
            continue
        ptr = (tensor.data_ptr(), tensor.shape)
        if ptr in seen:
            tied.add(name)
        else:
            seen[ptr] = name
    return tied


def is_lora_key(key: str) -> bool:
    """Whether ``key`` names a LoRA adapter tensor injected by peft."""
    return '.lora_' in key


def lora_base_key(key: str, own: Dict[str, torch.Tensor]) -> str:
    """The name of ``key`` in a module whose layer got a LoRA adapter.

    peft moves the weights of an adapted ``nn.Linear`` to its
    ``base_layer``: ``q_proj.weight`` becomes ``q_proj.base_layer.weight``.

    Args:
        key (str): a name of the plain module.
        own (dict): the state dict of the (maybe adapted) module.

    Returns:
        str: the name in ``own`` (``key`` itself when not adapted).
    """
    if key in own:
        return key
    head, _, leaf = key.rpartition('.')
    adapted = f'{head}.base_layer.{leaf}'
    return adapted if adapted in own else key


def check_state(module: torch.nn.Module,
                shapes: Dict[str, Tuple[int, ...]],
                unexpected: Optional[List[str]] = None,
                skip_missing: Tuple[str, ...] = (),
                describe: Callable[[str], str] = str) -> Dict[str, str]:
    """Check the names and shapes of a checkpoint against ``module``.

    Args:
        module (nn.Module): the module to load into.
        shapes (dict): the checkpoint's tensor shapes by the module's own
            names.
        unexpected (list[str], optional): names already known not to fit
            (e.g. checkpoint names without a mapping).
        skip_missing (tuple[str]): prefixes of the module's names that the
            checkpoint may lack (new modules initialised otherwise).
        describe (callable): how to print a module name in the error (e.g.
            its checkpoint name).

    Returns:
        dict[str, str]: each checkpoint name's name in ``module`` (they
        differ for layers that got a LoRA adapter).

    Raises:
        KeyError: listing missing, unexpected and mis-shaped names.
    """
    own = module.state_dict()
    targets = {k: lora_base_key(k, own) for k in shapes}
    unexpected = list(unexpected or []) + [
        describe(k) for k, t in targets.items() if t not in own
    ]
    loaded = set(targets.values())
    tied = tied_keys(module)
    missing = [
        describe(k) for k in own
        if k not in loaded and k not in tied and not k.startswith(skip_missing)
        and not is_lora_key(k)
    ]
    mismatched = [
        f'{describe(k)}: checkpoint {tuple(shapes[k])} vs model '
        f'{tuple(own[t].shape)}' for k, t in targets.items()
        if t in own and tuple(shapes[k]) != tuple(own[t].shape)
    ]
    problems = [
        f'{what}: {names}'
        for what, names in (('missing keys', missing), ('unexpected keys',
                                                        unexpected),
                            ('shape mismatches', mismatched)) if names
    ]
    if problems:
        raise KeyError('The checkpoint does not fit the model; ' +
                       '; '.join(problems))
    return {k: t for k, t in targets.items() if t in own}


def load_checked(module: torch.nn.Module,
                 state: Dict[str, torch.Tensor],
                 unexpected: Optional[List[str]] = None,
                 skip_missing: Tuple[str, ...] = (),
                 describe: Callable[[str], str] = str) -> None:
    """Load ``state`` into ``module`` after checking every name and shape
    (see :func:`check_state` for the arguments).

    Raises:
        KeyError: listing missing, unexpected and mis-shaped names.
    """
    targets = check_state(module, {k: v.shape
                                   for k, v in state.items()}, unexpected,
                          skip_missing, describe)
    module.load_state_dict({t: state[k]
                            for k, t in targets.items()},
                           strict=False)


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace('torch.', '')


def check_dtypes(dtypes: Dict[str, Tuple[str, str]],
                 expected: Optional[torch.dtype] = None) -> None:
    """Check that a checkpoint's tensors share one usable floating dtype.

    Args:
        dtypes (dict): checkpoint name -> (safetensors dtype name such as
            ``'BF16'``, file name), for the tensors to load.
        expected (torch.dtype, optional): the dtype the checkpoint says it
            holds (``torch_dtype`` of its ``config.json``); by default the
            dtype of its first tensor.

    Raises:
        TypeError: naming the first tensor whose dtype no model can load
            (e.g. int8 or float8) or that differs from the others'.
    """
    source = 'torch_dtype of config.json'
    for key, (name, path) in dtypes.items():
        dtype = SAFETENSORS_FLOAT_DTYPES.get(name)
        if dtype is None:
            raise TypeError(
                f'Tensor "{key}" in {path} is stored as {name}, which the '
                f'model cannot load (floating dtypes: '
                f'{sorted(SAFETENSORS_FLOAT_DTYPES)})')
        if expected is None:
            expected, source = dtype, f'as tensor "{key}"'
        elif dtype != expected:
            raise TypeError(
                f'Tensor "{key}" in {path} is {_dtype_name(dtype)} but the '
                f'checkpoint holds {_dtype_name(expected)} ({source}); its '
                'shards disagree in dtype')


def stream_official_weights(
    module: torch.nn.Module,
    ckpt_dir: str,
    to_modular: Callable[[str], Optional[str]],
    describe: Callable[[str], str] = str,
    skip_missing: Tuple[str, ...] = (),
    select: Optional[Callable[[str], bool]] = None,
    dtype: Optional[torch.dtype] = None
) -> int:
    """Load a safetensors directory into ``module`` one tensor at a time.

    Names and shapes are checked from the files' headers first (nothing is
    loaded when they do not fit); then each tensor is read and copied into
    into its parameter or buffer (:func:`read_tensors_into`: in place when
    the dtypes agree, else cast through one tensor's buffer), so the peak
    memory is the model's plus at most one tensor, not the model's plus the
    checkpoint's or a memory-mapped shard's.

    Args:
        module (nn.Module): the module to load into.
        ckpt_dir (str): directory with one or sharded safetensors files.
        to_modular (callable): checkpoint name -> the module's name, or None
            for a name that does not belong to the module.
        describe (callable): how to print a module name in the error.
        skip_missing (tuple[str]): prefixes of the module's names that the
            checkpoint may lack.
        select (callable, optional): checkpoint names to consider (e.g.
            those of one component); the others are passed over.
        dtype (torch.dtype, optional): the dtype the checkpoint says its
            tensors have; all must share one floating dtype (see
            :func:`check_dtypes`).

    Returns:
        int: the number of tensors loaded; 0, with nothing checked, when
        ``select`` accepts no name.

    Raises:
        KeyError: listing missing, unexpected and mis-shaped names.
        TypeError: naming a tensor of another or an unusable dtype.
        FileNotFoundError: when a weight file is missing.
    """
    files, shapes, unknown, dtypes = {}, {}, [], {}
    for path in weight_files(ckpt_dir):
        with open_weights(path) as f:
            for key in f.keys():
                if select is not None and not select(key):
                    continue
                name = to_modular(key)
                if name is None:
                    unknown.append(key)
                    continue
                files.setdefault(path, []).append((key, name))
                header = f.get_slice(key)
                shapes[name] = tuple(header.get_shape())
                dtypes[key] = (header.get_dtype(), osp.basename(path))
    if select is not None and not (shapes or unknown):
        return 0
    targets = check_state(module, shapes, unknown, skip_missing, describe)
    check_dtypes(dtypes, dtype)
    own = module.state_dict(keep_vars=True)
    with torch.no_grad():
        for path, names in files.items():
            pairs = [(key, own[targets[name]]) for key, name in names]
            read_tensors_into(path, pairs)
    return len(shapes)


def base_model_type(model_type: str) -> str:
    """The base a (sub-)config's ``model_type`` belongs to:
    ``'qwen2_5_vl_text'`` and ``'pixel_qwen2_5_vl'`` -> ``'qwen2_5_vl'``."""
    if model_type.startswith('pixel_'):
        model_type = model_type[len('pixel_'):]
    for suffix in ('_text', '_vision'):
        if model_type.endswith(suffix):
            model_type = model_type[:-len(suffix)]
    return model_type


def checkpoint_base_model(ckpt_dir: str) -> Optional[str]:
    """The base model type of a HuggingFace / UniPixel directory's
    ``config.json`` (``base_model``, else its text config's or its own
    ``model_type``), or None without one."""
    path = osp.join(ckpt_dir, 'config.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        config = json.load(f)
    model_type = config.get('base_model') or config.get(
        'text_config', {}).get('model_type') or config.get('model_type')
    return base_model_type(model_type) if model_type else None


def check_base_model(ckpt_dir: str, model_type: str) -> None:
    """Refuse a checkpoint of another base model than the component's.

    Args:
        ckpt_dir (str): the checkpoint directory.
        model_type (str): the component's transformers ``model_type``
            (e.g. ``'qwen3_vl_text'``).

    Raises:
        ValueError: naming both model types when they differ.
    """
    found, expected = checkpoint_base_model(ckpt_dir), base_model_type(
        model_type)
    if found is not None and found != expected:
        raise ValueError(
            f'"{ckpt_dir}" holds a {found} checkpoint but the model is built '
            f'on {expected}: load a {expected} checkpoint, or use a config '
            f'of the {found} base')


def load_hf_part(module: torch.nn.Module,
                 ckpt_dir: str,
                 prefix: str,
                 skip_missing: Tuple[str, ...] = (),
                 model_type: Optional[str] = None) -> None:
    """Load the tensors of one component from a HuggingFace directory.

    Args:
        module (nn.Module): the component (e.g. the vision tokenizer).
        ckpt_dir (str): a Qwen2.5-VL, Qwen3-VL or UniPixel safetensors
            directory.
        prefix (str): the component's name prefix in the modular model
            (``'vision_tokenizer.'``, ``'llm.'``...).
        skip_missing (tuple[str]): prefixes of the component's names that
            the checkpoint may lack.
        model_type (str, optional): the component's transformers
            ``model_type``; a checkpoint of another base is refused (see
            :func:`check_base_model`).
    """
    if model_type is not None:
        check_base_model(ckpt_dir, model_type)

    def modular(key: str) -> str:
        return official_to_modular_key(key) or ''

    loaded = stream_official_weights(
        module,
        ckpt_dir,
        lambda k: modular(k)[len(prefix):],
        describe=lambda k: modular_to_official_key(prefix + k) or k,
        skip_missing=skip_missing,
        select=lambda k: modular(k).startswith(prefix))
    if not loaded:
        raise KeyError(f'"{ckpt_dir}" has no weights for "{prefix[:-1]}"')
