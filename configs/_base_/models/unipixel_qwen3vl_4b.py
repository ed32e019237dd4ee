# UniPixel-Qwen3-VL-4B: Qwen3-VL-4B-Instruct (DeepStack ViT, interleaved
# M-RoPE, time-stamped video frames) + SAM2.1 Hiera-B+ at 768 px, with the
# three UniPixel tokens appended to Qwen3-VL's tokenizer (151669-151671).
_base_ = ['./sam2_1_hiera.py']

model = dict(
    type='UniPixel',
    vision_tokenizer=dict(
        type='Qwen3VisionTokenizer',
        vision_config=dict(
            depth=24,
            hidden_size=1024,
            intermediate_size=4096,
            num_heads=16,
            out_hidden_size=2560,
            deepstack_visual_indexes=[5, 11, 17],
            num_position_embeddings=2304,
            patch_size=16,
            spatial_merge_size=2,
            temporal_patch_size=2,
            in_channels=3,
            hidden_act='gelu_pytorch_tanh'),
        attn_implementation='sdpa'),
    prompt_encoder=dict(type='SAM2PromptEncoder'),
    memory_bank=dict(type='ObjectMemoryBank'),
    llm=dict(
        type='Qwen3LLMHead',
        text_config=dict(
            vocab_size=151936,
            hidden_size=2560,
            intermediate_size=9728,
            num_hidden_layers=36,
            num_attention_heads=32,
            num_key_value_heads=8,
            head_dim=128,
            hidden_act='silu',
            max_position_embeddings=262144,
            rms_norm_eps=1e-6,
            rope_theta=5000000,
            rope_scaling=dict(
                rope_type='default',
                mrope_section=[24, 20, 20],
                mrope_interleaved=True),
            attention_bias=False,
            attention_dropout=0.0,
            tie_word_embeddings=True,
            bos_token_id=151643,
            eos_token_id=151645),
        num_seg_tokens=2,
        attn_implementation='sdpa'),
    mask_decoder=_base_.sam2_1_hiera_b_plus,
    image_token_id=151655,
    video_token_id=151656,
    vision_start_token_id=151652,
    ref_token_id=151669,
    seg_token_id=151670,
    mem_token_id=151671,
    eos_token_id=[151645, 151643],
    pad_token_id=151643,
    sample_objects=5,
    generation_cfg=dict(max_new_tokens=512),
    data_preprocessor=dict(type='UniPixelDataPreprocessor'))
