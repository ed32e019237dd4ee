import json
import os
import os.path as osp

import pytest
import torch
from safetensors.torch import load_file, save_file

from unipixel_mm.models.checkpoint import (build_from_official,
                                           export_official_checkpoint,
                                           load_official_checkpoint,
                                           modular_to_official_key,
                                           official_to_modular_key,
                                           read_official_state_dict)


@pytest.mark.parametrize('official,modular', [
    ('visual.blocks.0.attn.qkv.weight',
     'vision_tokenizer.visual.blocks.0.attn.qkv.weight'),
    ('model.layers.1.mlp.up_proj.weight',
     'llm.model.layers.1.mlp.up_proj.weight'),
    ('model.embed_tokens.weight', 'llm.model.embed_tokens.weight'),
    ('lm_head.weight', 'llm.lm_head.weight'),
    ('seg_head.3.bias', 'llm.seg_head.3.bias'),
    ('ref_encoder.point_embeddings.2.weight',
     'prompt_encoder.sam_prompt_encoder.point_embeddings.2.weight'),
    ('ref_proj_single.weight', 'prompt_encoder.point_proj.weight'),
    ('ref_proj_double.bias', 'prompt_encoder.box_proj.bias'),
    ('ref_proj.1.weight', 'prompt_encoder.out_proj.1.weight'),
    ('tem_pe.positional_encoding_gaussian_matrix',
     'prompt_encoder.temporal_pe.positional_encoding_gaussian_matrix'),
    ('tem_emb.weight', 'prompt_encoder.temporal_embed.weight'),
    ('tem_proj.weight', 'prompt_encoder.temporal_proj.weight'),
    ('msk_proj.2.weight', 'memory_bank.proj.2.weight'),
    ('sam2.memory_encoder.fuser.layers.1.weight',
     'mask_decoder.sam2.memory_encoder.fuser.layers.1.gamma'),
    ('sam2.memory_encoder.fuser.layers.1.dwconv.weight',
     'mask_decoder.sam2.memory_encoder.fuser.layers.1.dwconv.weight'),
])
def test_key_mapping_both_ways(official, modular):
    assert official_to_modular_key(official) == modular
    assert modular_to_official_key(modular) == official


def test_newer_transformers_names_load():
    assert official_to_modular_key('model.language_model.norm.weight') == \
        'llm.model.norm.weight'
    assert official_to_modular_key('model.visual.merger.ln_q.weight') == \
        'vision_tokenizer.visual.merger.ln_q.weight'


@pytest.mark.parametrize('max_shard_bytes', [10**10, 1_500_000])
def test_round_trip_gives_same_tensors(tiny_model, tmp_path, max_shard_bytes):
    out = str(tmp_path / 'ckpt')
    export_official_checkpoint(
        tiny_model, out, max_shard_bytes=max_shard_bytes)
    sharded = osp.isfile(osp.join(out, 'model.safetensors.index.json'))
    assert sharded == (max_shard_bytes < 10**10)
    with open(osp.join(out, 'config.json')) as f:
        config = json.load(f)
    assert config['model_type'] == 'pixel_qwen2_5_vl'
    assert config['seg_token_id'] == tiny_model.seg_token_id
    official = read_official_state_dict(out)
    assert 'sam2.memory_encoder.fuser.layers.0.weight' in official
    assert all(
        k.split('.')[0] in {
            'visual', 'model', 'lm_head', 'seg_head', 'ref_encoder',
            'ref_proj_single', 'ref_proj_double', 'ref_proj', 'tem_pe',
            'tem_emb', 'tem_proj', 'msk_proj', 'sam2'
        } for k in official)
    loaded = build_from_official(out)
    ours, theirs = tiny_model.state_dict(), loaded.state_dict()
    assert set(ours) == set(theirs)
    assert all(torch.equal(ours[k], theirs[k]) for k in ours)


@pytest.fixture
def exported(tiny_model, tmp_path):
    out = str(tmp_path / 'ckpt')
    export_official_checkpoint(tiny_model, out)
    return out


def _edit_weights(path, fn):
    weights = osp.join(path, 'model.safetensors')
    state = load_file(weights)
    fn(state)
    save_file(state, weights, metadata={'format': 'pt'})


def test_missing_unexpected_and_mismatched_keys_are_named(exported):

    def damage(state):
        state.pop('tem_emb.weight')
        state['extra_head.weight'] = torch.zeros(2)
        state['ref_proj_single.bias'] = torch.zeros(7)

    _edit_weights(exported, damage)
    with pytest.raises(KeyError) as info:
        build_from_official(exported)
    message = str(info.value)
    assert "missing keys: ['tem_emb.weight']" in message
    assert "unexpected keys: ['extra_head.weight']" in message
    assert 'ref_proj_single.bias: checkpoint (7,)' in message


def test_checkpoint_of_another_model_type(exported):
    config_path = osp.join(exported, 'config.json')
    with open(config_path) as f:
        config = json.load(f)
    config['model_type'] = 'qwen2_5_vl'
    with open(config_path, 'w') as f:
        json.dump(config, f)
    with pytest.raises(
            ValueError,
            match='model type "qwen2_5_vl", not a '
            'UniPixel checkpoint'):
        build_from_official(exported)


def test_missing_files_are_named(tmp_path, exported):
    with pytest.raises(FileNotFoundError, match='No config.json'):
        build_from_official(str(tmp_path / 'nowhere'))
    os.remove(osp.join(exported, 'model.safetensors'))
    with pytest.raises(FileNotFoundError, match='model.safetensors'):
        build_from_official(exported)


def test_failed_export_leaves_nothing(tiny_model, tmp_path, monkeypatch):
    import unipixel_mm.models.checkpoint.official as module

    def fail(*args, **kwargs):
        raise OSError('disk full')

    monkeypatch.setattr(module, 'save_file', fail)
    with pytest.raises(OSError, match='disk full'):
        export_official_checkpoint(tiny_model, str(tmp_path / 'ckpt'))
    assert os.listdir(tmp_path) == []


def test_build_in_bfloat16(tiny_model, exported):
    """The LLM, the ViT and the heads are built and loaded in bfloat16 (no
    float32 copy first); under 'sam2_float32' the SAM2 parts stay float32."""
    model = build_from_official(
        exported, dtype=torch.bfloat16, precision='sam2_float32')
    ours = tiny_model.state_dict()
    for name, param in model.named_parameters():
        sam2 = name.startswith(('mask_decoder.', 'prompt_encoder.'))
        assert param.dtype == (torch.float32 if sam2 else torch.bfloat16), \
            name
        assert torch.equal(param, ours[name].to(param.dtype)), name
    ids = torch.tensor([[1, 2, 3]])
    logits = model(dict(input_ids=ids, attention_mask=torch.ones_like(ids)))
    assert logits.dtype == torch.bfloat16 and torch.isfinite(logits).all()


def test_dtype_fields_of_the_config_are_not_inherited(exported):
    """A config whose sub-configs name bfloat16 (as transformers writes
    them) still builds one dtype, the top-level ``torch_dtype``; one that
    claims a dtype its tensors do not have stops at load time."""
    path = osp.join(exported, 'config.json')
    with open(path) as f:
        config = json.load(f)
    config['vision_config']['torch_dtype'] = 'bfloat16'
    config['text_config']['torch_dtype'] = 'bfloat16'
    with open(path, 'w') as f:
        json.dump(config, f)
    model = build_from_official(exported)
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    config['torch_dtype'] = 'bfloat16'
    with open(path, 'w') as f:
        json.dump(config, f)
    with pytest.raises(TypeError, match='is float32 but the checkpoint '
                       r'holds bfloat16 \(torch_dtype of config.json\)'):
        build_from_official(exported)


def test_weights_are_streamed_one_tensor_at_a_time(tiny_model, exported,
                                                   monkeypatch):
    """The weights are read straight into the model's tensors (no
    checkpoint tensor is materialised beside them, no memory map of a
    shard is read), and a checkpoint that does not fit changes nothing."""
    import unipixel_mm.models.checkpoint.hf_weights as module
    real_open = module.safe_open
    materialised = []

    class CountingOpen:

        def __init__(self, *args, **kwargs):
            self.handle = real_open(*args, **kwargs)

        def __enter__(self):
            self.file = self.handle.__enter__()
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def keys(self):
            return self.file.keys()

        def get_slice(self, key):
            return self.file.get_slice(key)

        def get_tensor(self, key):
            materialised.append(key)
            return self.file.get_tensor(key)

    monkeypatch.setattr(module, 'safe_open', CountingOpen)
    model = build_from_official(exported, dtype=torch.float32)
    pointers = {k: v.data_ptr() for k, v in model.state_dict().items()}
    load_official_checkpoint(model, exported)
    assert materialised == []
    assert {k: v.data_ptr()
            for k, v in model.state_dict().items()} == pointers
    assert all(
        torch.equal(v, tiny_model.state_dict()[k])
        for k, v in model.state_dict().items())

    before = {k: v.clone() for k, v in model.state_dict().items()}
    _edit_weights(exported,
                  lambda state: state.update(extra=torch.zeros(1)))
    with pytest.raises(KeyError, match=r"unexpected keys: \['extra'\]"):
        load_official_checkpoint(model, exported)
    assert all(
        torch.equal(v, before[k]) for k, v in model.state_dict().items())


def test_missing_shard_is_named(tiny_model, tmp_path):
    out = str(tmp_path / 'ckpt')
    export_official_checkpoint(tiny_model, out, max_shard_bytes=1_500_000)
    with open(osp.join(out, 'model.safetensors.index.json')) as f:
        shard = sorted(set(json.load(f)['weight_map'].values()))[-1]
    os.remove(osp.join(out, shard))
    with pytest.raises(FileNotFoundError,
                       match=f'{shard}" listed in the index is missing'):
        build_from_official(out)


@pytest.mark.parametrize('keep', [10, 0.5])
def test_truncated_shard_is_named(tiny_model, tmp_path, keep):
    out = str(tmp_path / 'ckpt')
    export_official_checkpoint(tiny_model, out, max_shard_bytes=1_500_000)
    with open(osp.join(out, 'model.safetensors.index.json')) as f:
        shard = sorted(set(json.load(f)['weight_map'].values()))[-1]
    path = osp.join(out, shard)
    with open(path, 'r+b') as f:
        f.truncate(keep if isinstance(keep, int) else int(
            os.path.getsize(path) * keep))
    before = {k: v.clone() for k, v in tiny_model.state_dict().items()}
    with pytest.raises(
            ValueError,
            match=f'corrupt or truncated safetensors file ".*{shard}"'):
        load_official_checkpoint(tiny_model, out)
    # the headers are read before any tensor: nothing was loaded
    assert all(
        torch.equal(v, before[k]) for k, v in tiny_model.state_dict().items())


def _bf16_fixture_copy(tmp_path, edit):
    """The bfloat16 parity checkpoint as two shards, ``edit`` applied to
    its state dict; returns the directory and the SAM2 yaml."""
    from parity_fixture import _DATA, parity_fixture_files
    src, sam2_yaml = parity_fixture_files(osp.join(_DATA,
                                                   'upstream_tiny_bf16'))
    state = load_file(osp.join(src, 'model.safetensors'))
    edit(state)
    keys = sorted(state)
    out = tmp_path / 'ckpt'
    out.mkdir()
    weight_map = {}
    for i, part in enumerate((keys[:len(keys) // 2], keys[len(keys) // 2:])):
        name = f'model-{i + 1:05d}-of-00002.safetensors'
        save_file({k: state[k] for k in part}, str(out / name))
        weight_map.update({k: name for k in part})
    (out / 'model.safetensors.index.json').write_text(
        json.dumps(dict(metadata={}, weight_map=weight_map)))
    for name in ('config.json', 'generation_config.json'):
        (out / name).write_text(open(osp.join(src, name)).read())
    return str(out), sam2_yaml


def test_official_dtype_and_precision_defaults(tmp_path):
    ckpt, sam2_yaml = _bf16_fixture_copy(tmp_path, lambda state: None)
    model = build_from_official(ckpt, sam2_config=sam2_yaml)
    assert model.precision == 'reference'
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
    model = build_from_official(
        ckpt, sam2_config=sam2_yaml, precision='sam2_float32')
    assert model.llm.lm_head.weight.dtype == torch.bfloat16
    assert {p.dtype for p in model.mask_decoder.parameters()} == \
        {torch.float32}
    model = build_from_official(ckpt, sam2_config=sam2_yaml, dtype='float32')
    assert {p.dtype for p in model.parameters()} == {torch.float32}


@pytest.mark.parametrize('dtype,message', [
    (torch.float32, 'is float32 but the checkpoint holds bfloat16'),
    (torch.int8, 'is stored as I8, which the model cannot load'),
])
def test_tensor_of_another_dtype_stops_the_load(tmp_path, dtype, message):
    key = 'sam2.obj_ptr_proj.layers.0.weight'

    def edit(state):
        state[key] = state[key].to(dtype)

    ckpt, sam2_yaml = _bf16_fixture_copy(tmp_path, edit)
    with pytest.raises(TypeError, match=message) as error:
        build_from_official(ckpt, sam2_config=sam2_yaml)
    assert f'"{key}" in model-0000' in str(error.value)


def test_export_of_a_model_built_from_a_config(tmp_path):
    """init_model builds the SAM2 decoder from the config's ConfigDict; the
    export writes its architecture as a plain yaml, readable by others."""
    from unipixel_mm.apis import init_model
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    model = init_model(
        osp.join(root, 'configs', 'unipixel_tiny_synthetic.py'),
        random_weights=True)
    out = str(tmp_path / 'export')
    old = os.umask(0o022)
    try:
        export_official_checkpoint(model, out)
    finally:
        os.umask(old)
    assert os.stat(out).st_mode & 0o777 == 0o755
    assert sorted(os.listdir(tmp_path)) == ['export']
    loaded = build_from_official(out, precision='sam2_float32')
    state = loaded.state_dict()
    assert all(
        torch.equal(v, state[k]) for k, v in model.state_dict().items())
