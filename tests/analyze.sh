#!/usr/bin/env bash
# analyze.sh - static analysis of the sources (no build needed).
set -euo pipefail
cd "$(dirname "$0")/.."
srcs=$(ls core/*.c formats/*.c tools/*.c)
cflags=$(pkg-config --cflags libcdio libcdio_paranoia sndfile zlib libcrypto)
# variableScope is suppressed: declaring at the top of a block, next to
# the `goto fail` cleanup that needs the variables, is the house style.
cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
    --inline-suppr --suppress=missingIncludeSystem --suppress=variableScope \
    --error-exitcode=1 \
    -D_POSIX_C_SOURCE=200809L -Icore $srcs
# shellcheck disable=SC2086
clang-tidy --quiet $srcs -- -std=c11 -D_POSIX_C_SOURCE=200809L \
    -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE -Icore $cflags
