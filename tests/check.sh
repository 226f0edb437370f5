#!/usr/bin/env bash
# check.sh - everything `make check` runs.  Every stage and every test
# gives one PASS or FAIL line; the last line sums them: "N passed, N failed".
#   1. gcc build with -Werror, and the whole test suite on it
#   2. clang build with -Werror (a second compiler's warnings)
#   3. the whole suite under AddressSanitizer + UBSan
#   4. the suite under valgrind, minus the tests that mostly time external
#      tools (VALGRIND_SKIP, a regular expression over test names)
#   5. static analysis (cppcheck, clang-tidy)
#   6. the include rules of the layers (tests/layers.sh) and the
#      .clang-format style with at most 150 lines a function
#      (tests/format.sh; `make format` fixes the layout)
#   7. a short fuzz smoke: every libFuzzer target of tests/fuzz from its
#      seeds, fixed seed, at most 10 s each (the seeds and the regression
#      corpus are replayed by the suite itself, test fuzz_replay)
#   8. the set-up itself: a fresh clone of this tree runs `make run`
#      (FRESH=0 leaves it out)
# `make check` installs the Debian packages the suite uses before this.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
log=$(mktemp -d)
trap 'rm -rf "$log"; rmdir "$TMPDIR" 2>/dev/null' EXIT
res=$log/results
: >"$res"
export DISCARC_SRCDIR=$PWD
export DISCARC_SAMPLES=$PWD/build/samples
# The tests' folders go in a folder of this run's own, so that nothing else
# that cleans /tmp meets them; failed tests' folders are kept there.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/discarc-check.XXXXXX")
export TMPDIR

stage() { # name, command...
    local name=$1
    shift
    echo "== $name"
    if "$@" >"$log/$name.out" 2>&1; then
        echo "PASS stage:$name" | tee -a "$res"
    else
        tail -n 40 "$log/$name.out"
        echo "FAIL stage:$name" | tee -a "$res"
    fi
}

suite() { # name, command...
    local name=$1
    shift
    echo "== $name"
    "$@" >"$log/$name.out" 2>&1
    grep -vE '^PASS ' "$log/$name.out" | grep -vE '^[0-9]+ (passed|skipped)' || true
    grep -E '^(PASS|FAIL) ' "$log/$name.out" |
        sed -E "s/^(PASS|FAIL) /\1 $name:/" >>"$res"
    if ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$log/$name.out"; then
        echo "FAIL $name:runner (no summary line: the runner crashed)" |
            tee -a "$res"
    fi
    grep -E '^SKIP ' "$log/$name.out" |
        sed -E "s/^SKIP /SKIP $name:/" >>"$res"
    grep -E '^[0-9]+ (passed|skipped)' "$log/$name.out" | sed 's/^/   /'
}

stage build-gcc make -j"$jobs" EXTRA_CFLAGS=-Werror all build/tests/run samples
suite tests env DISCARC_BIN="$PWD/build/discarc" build/tests/run -j"$jobs"
stage build-clang make -j"$jobs" CC=clang BUILD=build-clang \
    EXTRA_CFLAGS=-Werror all build-clang/tests/run
stage build-san make -j"$jobs" BUILD=build-san SAN=1 EXTRA_CFLAGS=-Werror \
    all build-san/tests/run
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    suite asan env DISCARC_BIN="$PWD/build-san/discarc" DISCARC_TEST_TIMEOUT=900 \
        build-san/tests/run -j"$jobs"
stage build-vg make -j"$jobs" BUILD=build-vg OPT="-O0 -g" all build-vg/tests/run
if command -v valgrind >/dev/null 2>&1; then
    vg_tests=$(build-vg/tests/run -l | grep -vE "${VALGRIND_SKIP:-^(peer_|tool_)}")
    # Leaks that are errors are the ones shown: "possibly lost" blocks are
    # neither.  The one test that has them is chd_read_after_fork, whose
    # child must leave the parent's decode-ahead ring (its threads are
    # not in the child, its locks may be held) allocated until _exit.
    # shellcheck disable=SC2086
    suite valgrind env DISCARC_BIN="$PWD/build-vg/discarc" \
        DISCARC_TEST_TIMEOUT=1800 \
        valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect \
        --error-exitcode=99 build-vg/tests/run -j"$jobs" $vg_tests
else
    echo "FAIL valgrind:missing (install valgrind)" | tee -a "$res"
fi
stage analyze bash tests/analyze.sh
stage layers bash tests/layers.sh
stage format bash tests/format.sh

# A newcomer's first command, in a fresh clone of what is committed: it
# must build and run the sample in one go and leave the clone clean.
fresh() {
    local dir
    dir=$(mktemp -d) || return 1
    git clone -q "$PWD" "$dir/discarc" &&
        make -C "$dir/discarc" run &&
        out=$(git -C "$dir/discarc" status --porcelain) &&
        { [ -z "$out" ] || { echo "fresh clone not clean:"; echo "$out"; false; }; }
    local rc=$?
    rm -rf "$dir"
    return $rc
}
stage fuzz-smoke make -j"$jobs" fuzz-smoke

if [ "${FRESH:-1}" = 1 ]; then
    stage fresh-clone fresh
fi

echo
echo "FAILED:"
grep '^FAIL' "$res" | sed 's/^/  /' || echo "  nothing"
pass=$(grep -c '^PASS' "$res")
fail=$(grep -c '^FAIL' "$res")
skip=$(grep -c '^SKIP' "$res")
tools=$(sed -n 's/.*(tool not installed: \(.*\))$/\1/p' "$res" | sort -u |
        paste -sd, - | sed 's/,/, /g')
if [ -n "$tools" ]; then
    echo "skipped for a missing tool ($(grep -c 'tool not installed' "$res")" \
         "test runs): $tools; \`make deps-test\` installs them"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
