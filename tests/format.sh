#!/usr/bin/env bash
# format.sh - the code follows .clang-format (make check); `make format`
# rewrites the files that do not.  Then no function in core/, formats/ or
# tools/ may be longer than MAXLINES lines (150 unless set): a body runs
# from a "{" in the first column to the next "}" alone on its line, as
# .clang-format lays out function definitions (initialisers end in "};").
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null 2>&1 || {
    echo "clang-format is missing (tools/deps.sh installs it)"
    exit 1
}
bad=0
clang-format --dry-run --Werror core/*.[ch] formats/*.[ch] tools/*.[ch] \
    tests/*.[ch] tests/fuzz/*.[ch] || bad=1
awk -v max="${MAXLINES:-150}" '
    FNR == 1 { name = ""; start = 0 }
    /^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name) }
    /^\{/ { start = FNR }
    /^\}$/ && start {
        if (FNR - start + 1 > max) {
            printf "%s:%d: %s is %d lines long (split it: at most %d)\n",
                   FILENAME, start, name, FNR - start + 1, max
            bad = 1
        }
        start = 0
    }
    END { exit bad }
' core/*.c formats/*.c tools/*.c || bad=1
exit "$bad"
