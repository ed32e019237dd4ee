#!/usr/bin/env bash
# Install the MMDetection / MMSegmentation interop extra of unipixel_mm.
#
# mmdet 3.3.0 and mmsegmentation 1.2.2 require mmcv>=2.0.0rc4,<2.2.0 with
# its compiled ops (mmcv._ext); mmcv-lite has no ops and PyPI has no mmcv
# wheel for recent torch. So this script builds mmcv 2.1.0 from its PyPI
# sdist, replaces mmcv-lite with it (both install the same `mmcv` package),
# then installs mmdet, mmseg, the two packages mmseg uses but does not
# declare, and a setuptools that still has pkg_resources (mmengine needs it
# for `mmdet::` config paths). It is idempotent: a rerun checks the install
# and repairs it from the cached wheel (e.g. after `pip install -e .` put
# mmcv-lite back).
#
# Usage: bash tools/install_mm_interop.sh    (run once; CI runs it too)
# Cost: compiling the CPU ops takes about 28 CPU-minutes (about 15 minutes
# on 2 idle cores; 42 minutes measured on 2 cores shared with other jobs);
# CUDA ops take much longer. The wheel (32 MB) is cached in
# $MMCV_WHEEL_CACHE: a rerun takes about 30 seconds.
#
# Environment:
#   PYTHON            interpreter to install into (default: python)
#   MMCV_WHEEL_CACHE  where built wheels are kept
#                     (default: ~/.cache/unipixel_mm/wheels)
#   FORCE_CUDA        1: also build the CUDA ops (needs nvcc); 0: CPU ops
#                     only; default: 1 when nvcc and a GPU are present
#   MAX_JOBS          parallel compile jobs (default: number of CPUs)
set -euo pipefail

PYTHON=${PYTHON:-python}
MMCV_VERSION=2.1.0
MMDET_VERSION=3.3.0
MMSEG_VERSION=1.2.2
if [[ -z "${FORCE_CUDA:-}" ]]; then
    FORCE_CUDA=0
    if command -v nvcc >/dev/null && "$PYTHON" -c \
        'import sys, torch; sys.exit(not torch.cuda.is_available())'; then
        FORCE_CUDA=1
    fi
fi
VARIANT=$([[ $FORCE_CUDA == 1 ]] && echo cuda || echo cpu)
WHEEL_CACHE=${MMCV_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unipixel_mm/wheels}/$VARIANT
export FORCE_CUDA MAX_JOBS=${MAX_JOBS:-$(nproc)} MMCV_WITH_OPS=1

log() { echo "[install_mm_interop $(date +%T)] $*"; }

has_mmcv_ops() {
    "$PYTHON" - <<PY 2>/dev/null
import mmcv
from mmcv import _ext  # noqa: F401
assert mmcv.__version__ == '$MMCV_VERSION'
PY
}

build_mmcv_wheel() {
    local work
    work=$(mktemp -d)
    trap 'rm -rf "$work"' RETURN
    # A throw-away venv that sees the installed torch but pins an older
    # setuptools: mmcv's setup.py imports pkg_resources (gone in >=70).
    "$PYTHON" -m venv --system-site-packages "$work/venv"
    "$work/venv/bin/pip" install -q 'setuptools<70' wheel
    log "downloading the mmcv $MMCV_VERSION sdist"
    (cd "$work" && "$work/venv/bin/pip" download -q --no-build-isolation \
        --no-binary :all: --no-deps "mmcv==$MMCV_VERSION")
    tar -xzf "$work/mmcv-$MMCV_VERSION.tar.gz" -C "$work"
    # torch>=2.10 headers need C++20; mmcv asks for C++14/17.
    sed -i -E 's/std([=:])c\+\+1[47]/std\1c++20/g' \
        "$work/mmcv-$MMCV_VERSION/setup.py"
    log "building mmcv $MMCV_VERSION ($VARIANT ops, MAX_JOBS=$MAX_JOBS)"
    mkdir -p "$WHEEL_CACHE"
    (
        cd "$work/mmcv-$MMCV_VERSION"
        # mmcv builds CUDA ops whenever torch sees a GPU
        [[ $FORCE_CUDA == 1 ]] || export CUDA_VISIBLE_DEVICES=
        "$work/venv/bin/pip" wheel -q --no-build-isolation --no-deps \
            -w "$WHEEL_CACHE" .
    )
}

start=$(date +%s)
if has_mmcv_ops; then
    log "mmcv $MMCV_VERSION with ops already installed"
else
    wheel=$(ls "$WHEEL_CACHE"/mmcv-"$MMCV_VERSION"-*.whl 2>/dev/null | head -n1 || true)
    if [[ -z "$wheel" ]]; then
        build_mmcv_wheel
        wheel=$(ls "$WHEEL_CACHE"/mmcv-"$MMCV_VERSION"-*.whl | head -n1)
    else
        log "using the cached wheel $wheel"
    fi
    # mmcv-lite and mmcv own the same files: remove both before installing.
    "$PYTHON" -m pip uninstall -y -q mmcv-lite mmcv || true
    "$PYTHON" -m pip install -q "$wheel"
fi

log "installing mmdet $MMDET_VERSION and mmsegmentation $MMSEG_VERSION"
# mmengine finds `mmdet::` config paths with pkg_resources, which
# setuptools>=81 no longer has
"$PYTHON" -m pip install -q "mmdet==$MMDET_VERSION" \
    "mmsegmentation==$MMSEG_VERSION" ftfy regex 'setuptools<81'
has_mmcv_ops || { log "mmcv ops are missing after install"; exit 1; }
"$PYTHON" -c "import mmdet, mmseg; print('mmdet', mmdet.__version__, \
'mmseg', mmseg.__version__)"
log "done in $(($(date +%s) - start)) s"
