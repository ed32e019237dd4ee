# UniPixel-3B: Qwen2.5-VL-3B-Instruct + SAM2.1 Hiera-B+ at 768 px, with the
# three UniPixel tokens appended to Qwen2.5-VL's tokenizer (151665-151667).
model = dict(
    type='UniPixel',
    vision_tokenizer=dict(
        type='QwenVisionTokenizer',
        vision_config=dict(
            depth=32,
            hidden_size=1280,
            intermediate_size=3420,
            num_heads=16,
            out_hidden_size=2048,
            fullatt_block_indexes=[7, 15, 23, 31],
            window_size=112,
            patch_size=14,
            spatial_merge_size=2,
            temporal_patch_size=2,
            tokens_per_second=2,
            in_chans=3,
            hidden_act='silu'),
        attn_implementation='sdpa'),
    prompt_encoder=dict(type='SAM2PromptEncoder'),
    memory_bank=dict(type='ObjectMemoryBank'),
    llm=dict(
        type='QwenLLMHead',
        text_config=dict(
            vocab_size=151936,
            hidden_size=2048,
            intermediate_size=11008,
            num_hidden_layers=36,
            num_attention_heads=16,
            num_key_value_heads=2,
            hidden_act='silu',
            max_position_embeddings=128000,
            rms_norm_eps=1e-6,
            rope_theta=1000000.0,
            rope_scaling=dict(type='mrope', mrope_section=[16, 24, 24]),
            tie_word_embeddings=True,
            use_sliding_window=False,
            sliding_window=32768,
            max_window_layers=70,
            attention_dropout=0.0,
            bos_token_id=151643,
            eos_token_id=151645),
        num_seg_tokens=2,
        attn_implementation='sdpa'),
    mask_decoder=dict(
        type='SAM2Decoder',
        sam2_config='configs/sam2.1/sam2.1_hiera_b+.yaml',
        image_size=768,
        # the reference's sam2.1_hiera_b+ yaml adds stochastic depth to the
        # Hiera trunk (training only; identity at evaluation)
        sam2_overrides=dict(
            image_encoder=dict(trunk=dict(drop_path_rate=0.1)))),
    image_token_id=151655,
    video_token_id=151656,
    vision_start_token_id=151652,
    ref_token_id=151665,
    seg_token_id=151666,
    mem_token_id=151667,
    eos_token_id=[151645, 151643],
    pad_token_id=151643,
    sample_objects=5,
    # the reference's evaluation scripts generate up to 512 tokens
    # (infer_seg / infer_pixelqa / infer_videorefer_{q,d}.py; 256 in
    # infer_general.py, where only the first word of the answer is scored)
    generation_cfg=dict(max_new_tokens=512),
    data_preprocessor=dict(type='UniPixelDataPreprocessor'))
