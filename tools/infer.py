"""Segment, refer and answer with UniPixel; see ``unipixel_mm.apis.cli``."""
from unipixel_mm.apis.cli import main

if __name__ == '__main__':
    main()
