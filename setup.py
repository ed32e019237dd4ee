"""Installation of unipixel_mm."""
import os.path as osp

from setuptools import find_packages, setup


def read_version() -> str:
    scope: dict = {}
    with open(osp.join('unipixel_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='unipixel_mm',
    version=read_version(),
    description='UniPixel (pixel-level vision-language model: Qwen2.5-VL + '
    'SAM2) as an OpenMMLab-style plugin',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    license='BSD-3-Clause',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.10',
    install_requires=[
        'torch>=2.5',
        'torchvision',
        'transformers>=4.56,<5',  # the dtype= keyword of from_config
        'mmengine>=0.10.7',
        'mmcv-lite>=2.0,<2.2',
        'sam2>=1.1.0',
        'hydra-core>=1.3',
        'omegaconf',
        'timm',
        'safetensors',
        'huggingface_hub',  # hub ids of checkpoints (snapshot_download)
        'peft',
        'tokenizers',
        'numpy',
        'opencv-python',
        'pycocotools',
        'av',
    ],
    extras_require={
        # the demo's browser test also needs Chromium (Debian: apt-get
        # install chromium); Playwright drives it, nothing is downloaded
        'tests': [
            'pytest', 'flake8', 'isort', 'accelerate', 'pycocoevalcap',
            'pandas', 'pyarrow', 'gradio>=6,<7', 'playwright',
            'deepspeed>=0.19.8'
        ],
        # tools/demo.py (the web page)
        'demo': ['gradio>=6,<7'],
        # caption scores (CaptionMetric; METEOR also needs java) and the
        # Video-MME parquet file
        'eval': ['pycocoevalcap', 'pandas', 'pyarrow'],
        'cuda': ['flash-attn'],
        # DeepSpeed ZeRO strategies (its ops compile on first use; install
        # with DS_BUILD_OPS=0); 'deepspeed' is the old name of this extra
        'distributed': ['deepspeed>=0.19.8'],
        'deepspeed': ['deepspeed>=0.19.8'],
        # then run tools/install_mm_interop.sh (builds mmcv with its ops)
        'mm': [
            'mmdet==3.3.0', 'mmsegmentation==1.2.2', 'ftfy', 'regex',
            'setuptools<81'
        ],
    },
    entry_points={
        'console_scripts': [
            'unipixel-infer=unipixel_mm.apis.cli:main',
            'unipixel-demo=unipixel_mm.apis.demo:main'
        ],
    },
)
