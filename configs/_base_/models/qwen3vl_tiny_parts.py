# The Qwen3-VL parts of the tiny UniPixel, over the tiny Qwen2.5-VL model
# (_base_/models/unipixel_tiny.py: SAM2, prompt encoder, memory bank and the
# tiny tokenizer's token ids stay): a 2-block 32-d Qwen3-VL ViT (patch 16,
# DeepStack from both blocks) and a 2-layer 64-d Qwen3-VL LLM (interleaved
# M-RoPE). A variable, not a model, so that a config can put it over any
# tiny model: model = _base_.qwen3vl_tiny_parts.
qwen3vl_tiny_parts = dict(
    vision_tokenizer=dict(
        _delete_=True,
        type='Qwen3VisionTokenizer',
        vision_config=dict(
            depth=2,
            hidden_size=32,
            intermediate_size=64,
            num_heads=2,
            out_hidden_size=64,
            deepstack_visual_indexes=[0, 1],
            num_position_embeddings=64,
            patch_size=16,
            spatial_merge_size=2,
            temporal_patch_size=2,
            in_channels=3,
            hidden_act='gelu_pytorch_tanh'),
        attn_implementation='sdpa'),
    llm=dict(
        type='Qwen3LLMHead',
        text_config=dict(
            _delete_=True,
            vocab_size=256,
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=16,
            hidden_act='silu',
            max_position_embeddings=4096,
            rms_norm_eps=1e-6,
            rope_theta=10000.0,
            rope_scaling=dict(
                rope_type='default',
                mrope_section=[2, 3, 3],
                mrope_interleaved=True),
            tie_word_embeddings=False,
            bos_token_id=1,
            eos_token_id=2,
            pad_token_id=0)))
