#!/usr/bin/env bash
# analyze.sh - static analysis of the sources (no build needed).
set -euo pipefail
cd "$(dirname "$0")/.."
srcs=(core/*.c formats/*.c tools/*.c)
pkgflags=$(pkg-config --cflags libcdio libcdio_paranoia sndfile zlib libcrypto liblzma flac libarchive libudfread fuse3)
read -ra cflags <<<"$pkgflags"
# variableScope is suppressed: declaring at the top of a block, next to
# the `goto fail` cleanup that needs the variables, is the house style.
cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
    --inline-suppr --suppress=missingIncludeSystem --suppress=variableScope \
    --error-exitcode=1 \
    -D_POSIX_C_SOURCE=200809L -Icore "${srcs[@]}"
# One clang-tidy process per file: clang-tidy 14's valist checker keeps
# what it learnt from the first file of a run, and then reports every
# correct va_start/vsnprintf/va_end in the later files as "called with an
# uninitialized va_list" (clang-analyzer-valist.Uninitialized).  Alone,
# each file analyses clean and the check stays useful.
status=0
for src in "${srcs[@]}"; do
    clang-tidy --quiet "$src" -- -std=c11 -D_POSIX_C_SOURCE=200809L \
        -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE -Icore "${cflags[@]}" ||
        status=1
done
exit $status
