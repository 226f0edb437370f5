#!/usr/bin/env bash
# format.sh - the code follows .clang-format (make check); `make format`
# rewrites the files that do not.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null 2>&1 || {
    echo "clang-format is missing (tools/deps.sh installs it)"
    exit 1
}
clang-format --dry-run --Werror core/*.[ch] formats/*.[ch] tools/*.[ch] \
    tests/*.[ch] tests/fuzz/*.[ch]
