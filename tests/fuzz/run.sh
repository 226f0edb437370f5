#!/usr/bin/env bash
# run.sh - runs the libFuzzer binaries of build-fuzz/ one after another
# on one core, niced (the machine may be shared).
#   run.sh SECONDS [TARGET...]   fuzz each target SECONDS of wall time;
#                                new inputs go to build-fuzz/corpus/T,
#                                crashes to build-fuzz/artifacts/, and one
#                                line per run to build-fuzz/fuzz-log.tsv:
#                                date, target, wall s, CPU s, executions,
#                                coverage, features, exit status
#   run.sh --smoke [TARGET...]   the short deterministic run of make
#                                check: fixed seed, bounded runs, at most
#                                10 s per target; fails only on a crash,
#                                leak, hang or oversized allocation
# Limits for every run: 10 s per input (smoke: 60 s, for loaded
# machines), 256 MB per allocation, 2 GB resident.
# Each input is written to a scratch folder ($FUZZ_TMPDIR): by default
# on /dev/shm, a memory file system, where there is one; on a disk the
# page cache's writeback throttles the fuzzer (one target got a sixth
# of its CPU time while other programs wrote large files).
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${FUZZ_TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    export FUZZ_TMPDIR=/dev/shm
fi
B=build-fuzz
smoke=0
if [ "${1:-}" = --smoke ]; then
    smoke=1
    shift
    secs=10
else
    secs=${1:-60}
    shift || true
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in tests/fuzz/target_*.c; do
        t=${f#tests/fuzz/target_}
        targets+=("${t%.c}")
    done
fi
mkdir -p "$B/artifacts" "$B/corpus"
fail=0
for t in "${targets[@]}"; do
    bin=$B/fuzz/fuzz-$t
    dict=()
    [ -f "tests/fuzz/$t/dict" ] && dict=(-dict="tests/fuzz/$t/dict")
    if [ $smoke -eq 1 ]; then
        # A scratch corpus, so that every smoke run starts from the seeds.
        work=$(mktemp -d)
        args=(-seed=1 -runs=20000 -max_total_time="$secs" -timeout=60)
    else
        work=$B/corpus/$t
        mkdir -p "$work"
        args=(-max_total_time="$secs" -timeout=10)
    fi
    log=$B/fuzz-$t.log
    start=$(date +%s)
    # CPU seconds (user + system) of the fuzzer, by GNU time when present.
    timer=()
    if [ -x /usr/bin/time ]; then
        timer=(/usr/bin/time -f '%U %S' -o "$B/fuzz-$t.cpu")
    fi
    nice -n 10 "${timer[@]}" "$bin" "${args[@]}" "${dict[@]}" \
        -malloc_limit_mb=256 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$B/artifacts/$t-" "$work" "tests/fuzz/$t/seeds" \
        >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    # (after a non-zero exit GNU time puts a line of its own first)
    cpu=$(tail -1 "$B/fuzz-$t.cpu" 2>/dev/null |
        awk '{ printf "%.0f", $1 + $2 }')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    if [ $smoke -eq 1 ]; then
        rm -rf "$work"
    else
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" \
            "$t" "$((end - start))" "${cpu:-?}" "${execs:-0}" "${cov:-0}" \
            "${ft:-0}" "$rc" >>"$B/fuzz-log.tsv"
    fi
    if [ $rc -ne 0 ]; then
        echo "FAIL fuzz:$t (exit $rc; see $log and $B/artifacts/$t-*)"
        grep -E '^(==[0-9]+==|SUMMARY|.*ERROR)' "$log" | head -5
        fail=1
    else
        echo "PASS fuzz:$t ($((end - start)) s, ${cpu:-?} CPU s, ${execs:-?} runs, cov ${cov:-?})"
    fi
done
exit $fail
