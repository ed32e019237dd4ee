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
# It works the same from a venv, a conda env or the system interpreter:
# mmcv is built in a throw-away venv (for an older setuptools) that sees
# every package of the invoking interpreter, torch included, and that is
# checked before the build. mmcv's setup.py silently builds a wheel without
# ops when it finds no torch, so a wheel is only cached once it holds
# mmcv/_ext, and a cached wheel without it is discarded and rebuilt.
#
# Usage:
#   bash tools/install_mm_interop.sh                    install (CI runs it)
#   bash tools/install_mm_interop.sh --check-build-env  only check that the
#       build environment sees this interpreter's torch (seconds)
#   bash tools/install_mm_interop.sh --wheel-only       only build or reuse
#       the cached wheel and print its path
#   bash tools/install_mm_interop.sh --check-wheel WHL  exit 0 when the
#       wheel holds the compiled ops
# Cost: compiling the CPU ops takes about 28 CPU-minutes (11 to 26 minutes
# measured on 2 cores, 42-45 on 2 cores shared with other jobs); CUDA ops take
# much longer. The wheel (32 MB) is cached in $MMCV_WHEEL_CACHE: a rerun
# takes about 30 seconds.
#
# Environment:
#   PYTHON            interpreter to install into (default: python)
#   MMCV_WHEEL_CACHE  where built wheels are kept
#                     (default: ~/.cache/unipixel_mm/wheels)
#   MMCV_SDIST        a local mmcv sdist (.tar.gz) to build instead of
#                     downloading it
#   FORCE_CUDA        1: also build the CUDA ops (needs nvcc); 0: CPU ops
#                     only; default: 1 when nvcc and a GPU are present
#   MAX_JOBS          parallel compile jobs (default: number of CPUs)
set -euo pipefail
shopt -s inherit_errexit

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

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { echo "[install_mm_interop $(date +%T)] $*"; }

has_mmcv_ops() {
    "$PYTHON" - <<PY 2>/dev/null
import mmcv
from mmcv import _ext  # noqa: F401
assert mmcv.__version__ == '$MMCV_VERSION'
PY
}

# exit 0 when the wheel $1 holds mmcv's compiled ops (mmcv/_ext*.so|pyd)
wheel_has_ops() {
    "$PYTHON" - "$1" <<'PY'
import re
import sys
import zipfile

try:
    names = zipfile.ZipFile(sys.argv[1]).namelist()
except (OSError, zipfile.BadZipFile):
    sys.exit(1)
sys.exit(not any(re.fullmatch(r'mmcv/_ext[^/]*\.(so|pyd)', n) for n in names))
PY
}

# the existing directories on the import path of interpreter $1
import_paths() {
    "$1" -c 'import os, sys
print("\n".join(p for p in sys.path[1:] if os.path.isdir(p)))'
}

# make the build venv $1: its own setuptools<70 (mmcv's setup.py imports
# pkg_resources) first, then every import path of $PYTHON (a venv, a conda
# env or the system site-packages), so that mmcv's setup.py finds the torch
# it will run with
make_build_env() {
    local venv=$1
    "$PYTHON" -c 'import torch' 2>/dev/null || {
        log "error: $PYTHON cannot import torch; install torch first"
        return 1
    }
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install -q 'setuptools<70' wheel
    import_paths "$PYTHON" | "$venv/bin/python" -c 'import sys, sysconfig
open(sysconfig.get_paths()["purelib"] + "/parent_env.pth", "w").write(
    sys.stdin.read())'
    check_build_env "$venv"
}

# fail unless the build venv $1 imports the same torch as $PYTHON
check_build_env() {
    local want got missing
    want=$("$PYTHON" -c 'import torch; print(torch.__version__, torch.__file__)')
    got=$("$1/bin/python" -c 'import torch; print(torch.__version__, torch.__file__)' 2>/dev/null || true)
    if [[ "$got" != "$want" ]]; then
        log "error: the mmcv build environment does not see the torch of" \
            "$PYTHON ($want; it sees: ${got:-no torch}); mmcv would be" \
            "built without its ops"
        return 1
    fi
    # the packages beside torch too (numpy, a venv's own site-packages)
    missing=$(comm -23 <(import_paths "$PYTHON" | sort) \
        <(import_paths "$1/bin/python" | sort))
    if [[ -n "$missing" ]]; then
        log "error: the mmcv build environment misses import paths of" \
            "$PYTHON: $missing"
        return 1
    fi
    "$1/bin/python" -c 'import pkg_resources' 2>/dev/null || {
        log "error: the mmcv build environment has no pkg_resources"
        return 1
    }
    log "the build environment sees torch $want"
}

build_mmcv_wheel() {
    local work=$WORK/build sdist
    make_build_env "$work/venv" || return 1
    if [[ -n "${MMCV_SDIST:-}" ]]; then
        sdist=$MMCV_SDIST
    else
        log "downloading the mmcv $MMCV_VERSION sdist"
        (cd "$work" && "$work/venv/bin/pip" download -q \
            --no-build-isolation --no-binary :all: --no-deps \
            "mmcv==$MMCV_VERSION")
        sdist=$work/mmcv-$MMCV_VERSION.tar.gz
    fi
    tar -xzf "$sdist" -C "$work"
    # torch>=2.10 headers need C++20; mmcv asks for C++14/17.
    sed -i -E 's/std([=:])c\+\+1[47]/std\1c++20/g' \
        "$work/mmcv-$MMCV_VERSION/setup.py"
    log "building mmcv $MMCV_VERSION ($VARIANT ops, MAX_JOBS=$MAX_JOBS)"
    (
        cd "$work/mmcv-$MMCV_VERSION"
        # mmcv builds CUDA ops whenever torch sees a GPU
        [[ $FORCE_CUDA == 1 ]] || export CUDA_VISIBLE_DEVICES=
        "$work/venv/bin/pip" wheel -q --no-build-isolation --no-deps \
            -w "$work/dist" .
    )
    local built
    built=$(ls "$work"/dist/mmcv-"$MMCV_VERSION"-*.whl)
    if ! wheel_has_ops "$built"; then
        log "error: the built $(basename "$built") has no mmcv._ext;" \
            "not caching it"
        return 1
    fi
    # into the cache only when complete (a killed build leaves nothing)
    mkdir -p "$WHEEL_CACHE"
    cp "$built" "$WHEEL_CACHE/.$(basename "$built").part"
    mv "$WHEEL_CACHE/.$(basename "$built").part" \
        "$WHEEL_CACHE/$(basename "$built")"
}

# print the path of a cached wheel with ops, building one when needed
cached_wheel() {
    local wheel
    for wheel in "$WHEEL_CACHE"/mmcv-"$MMCV_VERSION"-*.whl; do
        [[ -e "$wheel" ]] || continue
        if wheel_has_ops "$wheel"; then
            log "using the cached wheel $wheel" >&2
            echo "$wheel"
            return
        fi
        log "discarding the cached wheel $wheel: it has no mmcv._ext" \
            "(built where torch was not found); rebuilding" >&2
        rm -f "$wheel"
    done
    build_mmcv_wheel >&2
    ls "$WHEEL_CACHE"/mmcv-"$MMCV_VERSION"-*.whl | head -n1
}

case "${1:-}" in
    --check-wheel)
        wheel_has_ops "${2:?usage: --check-wheel WHEEL}"
        exit
        ;;
    --check-build-env)
        make_build_env "$WORK/check"
        exit
        ;;
    --wheel-only)
        cached_wheel
        exit
        ;;
    "") ;;
    *)
        echo "usage: $0 [--check-build-env | --wheel-only |" \
            "--check-wheel WHEEL]" >&2
        exit 2
        ;;
esac

start=$(date +%s)
if has_mmcv_ops; then
    log "mmcv $MMCV_VERSION with ops already installed"
else
    wheel=$(cached_wheel)
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
