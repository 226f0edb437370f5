#!/usr/bin/env bash
# deps.sh - installs the Debian packages discarc needs, when missing.
#   deps.sh build   what `make` needs (compiler, pkg-config, libraries)
#   deps.sh test    also what `make check` uses: the second compiler,
#                   sanitizer runtimes, valgrind, analysers, and the
#                   independent tools the tests compare against
# Uses sudo only when not root.  On other systems it lists what to install.
# When the test packages cannot be installed (no network, no root), it
# says so and succeeds: the suite then skips the tests whose tool is
# missing and names those tools in its summary.  A missing build package
# is an error.
set -euo pipefail

build_pkgs=(gcc make pkg-config libcdio-dev libcdio-paranoia-dev
            libsndfile1-dev zlib1g-dev libssl-dev libdeflate-dev liblzma-dev
            libflac-dev libarchive-dev libfuse3-dev libudfread-dev)
test_pkgs=(clang libclang-rt-dev valgrind cppcheck clang-tidy clang-format
           libcdio-utils vcdimager ffmpeg sox libsox-fmt-base bchunk
           mame-tools cdrdao ccd2iso mdf2iso iat xorriso flac time bc
           libarchive-zip-perl genisoimage chromium libxml2-utils
           fuse3 udftools)

want=("${build_pkgs[@]}")
if [ "${1:-build}" = test ]; then
    want+=("${test_pkgs[@]}")
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${want[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
             grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
else
    echo "deps: not a Debian system; make sure these are installed:" >&2
    echo "  ${want[*]}" >&2
    exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo -n"
    else
        sudo=unavailable
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$sudo" != unavailable ] && $sudo apt-get update -qq &&
   $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    exit 0
fi
for p in "${missing[@]}"; do
    for b in "${build_pkgs[@]}"; do
        if [ "$p" = "$b" ]; then
            echo "deps: cannot install $p, which the build needs" \
                 "(run as root: apt-get install ${missing[*]})" >&2
            exit 1
        fi
    done
done
echo "deps: could not install ${missing[*]}; the tests that use them" \
     "will be skipped" >&2
