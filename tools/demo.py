"""A web page to try UniPixel (Gradio); see ``unipixel_mm.apis.demo``.

Example::

    python tools/demo.py PolyU-ChenLab/UniPixel-3B
    python tools/demo.py configs/unipixel_tiny_synthetic.py --random-weights
"""
from unipixel_mm.apis.demo import main

if __name__ == '__main__':
    main()
