# UniPixel-Qwen3-VL-8B: Qwen3-VL-8B-Instruct + SAM2.1 Hiera-B+ at 768 px.
_base_ = './unipixel_qwen3vl_4b.py'

model = dict(
    vision_tokenizer=dict(
        vision_config=dict(
            depth=27,
            hidden_size=1152,
            intermediate_size=4304,
            out_hidden_size=4096,
            deepstack_visual_indexes=[8, 16, 24])),
    llm=dict(
        text_config=dict(
            hidden_size=4096,
            intermediate_size=12288,
            tie_word_embeddings=False)))
