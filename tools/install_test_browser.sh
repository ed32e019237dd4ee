#!/usr/bin/env bash
# Install the Chromium that the demo's browser test drives (through
# Playwright, from the tests extra; Playwright's own browser download is
# never used).
#
# Nothing is done when `chromium` (or $UNIPIXEL_CHROMIUM) is already there.
# Otherwise Debian's / Ubuntu's `chromium` package is installed with apt-get,
# as root or through sudo. On other systems install Chromium by hand and
# set UNIPIXEL_CHROMIUM to its binary.
set -euo pipefail

if [[ -n "${UNIPIXEL_CHROMIUM:-}" ]]; then
    [[ -x "$UNIPIXEL_CHROMIUM" ]] && exit 0
    echo "UNIPIXEL_CHROMIUM=$UNIPIXEL_CHROMIUM is not an executable file" >&2
    exit 2
fi
command -v chromium >/dev/null && exit 0

if ! command -v apt-get >/dev/null; then
    echo "Chromium not found and no apt-get here: install Chromium and set" \
         "UNIPIXEL_CHROMIUM to its binary for the demo's browser test" >&2
    exit 2
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || {
        echo "Chromium not found: run 'apt-get install chromium' as root" >&2
        exit 2
    }
    sudo=(sudo)
fi
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q chromium
