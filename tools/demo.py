"""A web page to try UniPixel (Gradio); see ``unipixel_mm.apis.demo``.

Examples (then open http://127.0.0.1:7860)::

    python tools/demo.py PolyU-ChenLab/UniPixel-3B
    # the tiny model after the README's training (its latest checkpoint)
    python tools/demo.py configs/unipixel_tiny_synthetic.py \
        --checkpoint work_dirs/unipixel_tiny_synthetic
    # the tiny model untrained: the page works, the masks mean nothing
    python tools/demo.py configs/unipixel_tiny_synthetic.py --random-weights
"""
from unipixel_mm.apis.demo import main

if __name__ == '__main__':
    main()
