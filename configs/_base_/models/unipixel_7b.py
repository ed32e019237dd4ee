# UniPixel-7B: Qwen2.5-VL-7B-Instruct + SAM2.1 Hiera-B+ at 768 px.
_base_ = './unipixel_3b.py'

model = dict(
    vision_tokenizer=dict(vision_config=dict(out_hidden_size=3584)),
    llm=dict(
        text_config=dict(
            vocab_size=152064,
            hidden_size=3584,
            intermediate_size=18944,
            num_hidden_layers=28,
            num_attention_heads=28,
            num_key_value_heads=4,
            tie_word_embeddings=False,
            max_window_layers=28)))
