#!/usr/bin/env bash
# bench/run.sh - `make bench`: discarc against cp, sha1sum and the peer
# tools on a generated ~700 MB disc (never committed).  Every comparison
# is paired: the discarc command (A) and its reference (B) run in turn
# after one warm-up each, and the ratio A/B is taken pair by pair, so a
# machine whose speed drifts (other load) moves both sides of a pair
# alike.  The order alternates, A B  B A  A B ..., so that neither side
# always runs right after the other: what one command leaves behind (its
# outputs' freed page cache, file system work) must not be billed to the
# other alone.  Prints one table (ratio min / median / max over the
# pairs) and writes it to bench/results.md.
#   BENCH_MB=700   approximate image size
#   BENCH_RUNS=9   measured pairs per comparison (at least 5 is sensible;
#                  the rows that take minutes a run use fewer, as shown)
#   BENCH_SCALE=0  1: also run everything on a half-size image (twice the
#                  image should cost twice the time with the same peak
#                  RSS; a 2x 700 MB image is no CD, so the check halves)
#   BENCH_CHDMAN=1 0: leave out the CHD rows (chdman takes minutes a run)
# Outputs are removed before each run, outside the timed part (no sync:
# the dirty pages of a removed file are dropped, not written, and a global
# sync would wait for whatever else the machine writes).  The whole run
# takes about 15-25 minutes with the CHD rows.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
D=$root/build/discarc
W=$root/bench/work
MB=${BENCH_MB:-700}
RUNS=${BENCH_RUNS:-9}
SCALE=${BENCH_SCALE:-0}
CHD=${BENCH_CHDMAN:-1}
T=/usr/bin/time

need() { command -v "$1" >/dev/null 2>&1; }
for t in xorriso sox bc awk; do
    need "$t" || { echo "bench: $t is needed (make deps-test)"; exit 1; }
done
[ -x "$T" ] || { echo "bench: GNU time (/usr/bin/time) is needed"; exit 1; }
[ -x "$D" ] || { echo "bench: build discarc first"; exit 1; }

# --- the image ---------------------------------------------------------
# gen DIR MB: 1 ISO 9660 data track (~1/7 of the size, files of mixed
# sizes) + 13 audio tracks of a music-like signal with 2 s pregaps,
# ISRCs and CD-TEXT, as one raw BIN + CUE (DIR/disc.cue).
gen() {
    local dir=$1 mb=$2 n=13 i
    local data_mb audio_s
    data_mb=$((mb / 7))
    audio_s=$(( (mb - data_mb) * 1024 * 1024 / 176400 / n ))
    [ -f "$dir/disc.cue" ] && return 0
    rm -rf "$dir" && mkdir -p "$dir/iso"
    echo "bench: generating a ${mb} MB disc in $dir"
    # Files of mixed sizes; compressible text and incompressible bytes.
    local left=$((data_mb * 1024)) k=0 sz
    while [ $left -gt 0 ]; do
        sz=$(( (k * 7919 % 9000) + 4 ))
        [ $sz -gt $left ] && sz=$left
        if [ $((k % 3)) -eq 0 ]; then
            yes "discarc benchmark file $k" | head -c $((sz * 1024)) >"$dir/iso/f$k.txt"
        else
            head -c $((sz * 1024)) /dev/urandom >"$dir/iso/f$k.bin"
        fi
        left=$((left - sz)); k=$((k + 1))
    done
    xorriso -as mkisofs -quiet -V BENCH -o "$dir/data.iso" "$dir/iso" 2>/dev/null
    rm -rf "$dir/iso"
    {
        echo 'CATALOG 0000000000017'
        echo 'PERFORMER "Bench Ensemble"'
        echo 'TITLE "Benchmark Disc"'
        echo 'FILE "data.iso" BINARY'
        echo '  TRACK 01 MODE1/2048'
        echo '    INDEX 01 00:00:00'
        echo '  POSTGAP 00:02:00'
    } >"$dir/gen.cue"
    for i in $(seq 2 $((n + 1))); do
        local f; f=$(printf 't%02d.raw' "$i")
        # A chord with tremolo and a little noise: music-like, neither
        # silence nor pure noise.
        sox -q -n -r 44100 -e signed -b 16 -c 2 -L "$dir/$f" \
            synth "$audio_s" sine $((200 + i * 30)) sine $((300 + i * 45)) \
            pinknoise tremolo 3 40 gain -8
        printf 'FILE "%s" BINARY\n  TRACK %02d AUDIO\n    TITLE "Track %d"\n    ISRC ZZBEN26%05d\n    PREGAP 00:02:00\n    INDEX 01 00:00:00\n' \
            "$f" "$i" "$i" "$i" >>"$dir/gen.cue"
    done
    "$D" -q convert "$dir/gen.cue" "$dir/disc.cue" --force >/dev/null
    rm -f "$dir"/t*.raw "$dir/data.iso" "$dir/gen.cue"
}

# --- measurement -------------------------------------------------------
# once CMD: runs CMD (a shell string) once with empty $W/out; prints
# "wall cpu rss_kb user sys".  Wall comes from bash's microsecond clock,
# CPU (user + system) and peak RSS from GNU time.
once() {
    local t0 t1 u s m
    rm -rf "$W/out" && mkdir -p "$W/out"
    t0=$EPOCHREALTIME
    # bash's `times` (milliseconds) for the CPU time, GNU time for RSS.
    if ! $T -f '%M' -o "$W/time.txt" bash -c "$1"'
            st=$?; times >"$0"; exit $st' "$W/times.txt" >"$W/cmd.log" 2>&1
    then
        echo "bench: failed: $1" >&2
        tail -5 "$W/cmd.log" >&2
        return 1
    fi
    t1=$EPOCHREALTIME
    read -r m <"$W/time.txt"
    read -r u s <<<"$(sed 's/\([0-9]*\)m\([0-9.]*\)s/\1 \2/g' "$W/times.txt" |
        awk '{u += $1 * 60 + $2; s += $3 * 60 + $4} END {print u, s}')"
    echo "$t0 $t1 $u $s $m" | awk '{printf "%.4f %.3f %d %.3f %.3f\n", $2 - $1, $3 + $4, $5, $3, $4}'
}

# stats: min median max of the numbers on stdin.
stats() {
    sort -g | awk '{v[NR] = $1} END {
        if (NR == 0) { print "NA NA NA"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%s %s %s\n", v[1], m, v[NR] }'
}

rows=()
# pair OP TARGET REFNAME CMD_A CMD_B: RUNS pairs after a warm-up of each.
pair() {
    local op=$1 target=$2 rname=$3 a=$4 b=$5 i ra rb
    local aw=() bw=() ac=() au=() as=() rat=() crat=() rss=0
    once "$a" >/dev/null || { row_na "$op" "$rname" "$target"; return; }
    once "$b" >/dev/null || { row_na "$op" "$rname" "$target"; return; }
    for i in $(seq 1 "$RUNS"); do
        if [ $((i % 2)) -eq 1 ]; then
            ra=$(once "$a") || { row_na "$op" "$rname" "$target"; return; }
            rb=$(once "$b") || { row_na "$op" "$rname" "$target"; return; }
        else
            rb=$(once "$b") || { row_na "$op" "$rname" "$target"; return; }
            ra=$(once "$a") || { row_na "$op" "$rname" "$target"; return; }
        fi
        read -r w1 c1 m1 u1 s1 <<<"$ra"
        read -r w2 c2 _ _ _ <<<"$rb"
        aw+=("$w1"); bw+=("$w2"); ac+=("$c1"); au+=("$u1"); as+=("$s1")
        rat+=("$(echo "$w1 $w2" | awk '{printf "%.3f", $1 / $2}')")
        crat+=("$(echo "$c1 $c2" | awk '{printf "%.3f", ($2 > 0 ? $1 / $2 : 0)}')")
        [ "$m1" -gt "$rss" ] && rss=$m1
    done
    local awm bwm acm aum asm rmin rmed rmax cmed ok=- rssmb
    read -r _ awm _ < <(printf '%s\n' "${aw[@]}" | stats)
    read -r _ bwm _ < <(printf '%s\n' "${bw[@]}" | stats)
    read -r _ acm _ < <(printf '%s\n' "${ac[@]}" | stats)
    read -r _ aum _ < <(printf '%s\n' "${au[@]}" | stats)
    read -r _ asm _ < <(printf '%s\n' "${as[@]}" | stats)
    read -r rmin rmed rmax < <(printf '%s\n' "${rat[@]}" | stats)
    read -r _ cmed _ < <(printf '%s\n' "${crat[@]}" | stats)
    if [ "$target" != - ]; then
        ok=$(echo "$rmed $target" | awk '{print ($1 <= $2) ? "met" : "MISSED"}')
    fi
    rssmb=$(echo "$rss" | awk '{printf "%.1f", $1 / 1024}')
    awm=$(printf '%.3f' "$awm"); bwm=$(printf '%.3f' "$bwm"); acm=$(printf "%.3f" "$acm")
    aum=$(printf '%.3f' "$aum"); asm=$(printf '%.3f' "$asm")
    rmed=$(printf '%.2f' "$rmed"); rmin=$(printf '%.2f' "$rmin")
    rmax=$(printf '%.2f' "$rmax"); cmed=$(printf '%.2f' "$cmed")
    rows+=("| $op | $awm | $acm ($aum + $asm) | $rname | $bwm | $rmin / **$rmed** / $rmax | $cmed | $target | $ok | $rssmb |")
    printf '%-36s %7s s %5s cpu (%s u + %s s)  vs %-16s %7s s  ratio %s / %s / %s  cpu ratio %s  target %4s %-6s rss %5s MB\n' \
        "$op" "$awm" "$acm" "$aum" "$asm" "$rname" "$bwm" "$rmin" "$rmed" "$rmax" "$cmed" "$target" "$ok" "$rssmb"
}
row_na() {
    rows+=("| $1 | NA | NA | $2 | NA | NA | NA | $3 | - | NA |")
    echo "$1: NA (failed)"
}

run_suite() { # dir label
    local dir=$1 label=$2
    local bin="$dir/disc.bin" size
    local cp="cp '$bin' '$W/out/x.bin'" sha="sha1sum '$bin' >/dev/null"
    size=$(stat -c %s "$bin")
    echo "== $label: $(echo "scale=1; $size / 1048576" | bc) MB image, $RUNS pairs + warm-up"
    "$D" -q convert "$dir/disc.cue" "$dir/disc.ccd" --force --lossy >/dev/null 2>&1
    "$D" -q convert "$dir/disc.cue" "$dir/disc.mds" --force --lossy >/dev/null 2>&1
    pair "$label cat > /dev/null (read only)" - cp "cat '$bin' >/dev/null" "$cp"
    pair "$label rip all audio to WAV" 1.2 cp \
        "'$D' -q rip '$dir/disc.cue' -o '$W/out' --no-cue" "$cp"
    if need bchunk; then
        pair "$label rip all audio to WAV" 1.0 "bchunk -w" \
            "'$D' -q rip '$dir/disc.cue' -o '$W/out' --no-cue" \
            "cd '$W/out' && bchunk -w '$bin' '$dir/disc.cue' t >/dev/null"
    fi
    pair "$label CUE -> MDS" 1.15 cp \
        "'$D' -q convert '$dir/disc.cue' '$W/out/x.mds' --lossy" "$cp"
    pair "$label CUE -> CCD (synth SUB)" 1.15 cp \
        "'$D' -q convert '$dir/disc.cue' '$W/out/x.ccd' --lossy" "$cp"
    pair "$label CCD -> CUE" 1.2 cp \
        "'$D' -q convert '$dir/disc.ccd' '$W/out/x.cue' --lossy" "$cp"
    pair "$label CUE single -> split" 1.2 cp \
        "'$D' -q convert '$dir/disc.cue' '$W/out/x.cue' --split" "$cp"
    pair "$label extract ISO" 1.2 cp \
        "'$D' -q extract '$dir/disc.cue' --track 1 -o '$W/out/x.iso'" "$cp"
    pair "$label hash (CRC32+MD5+SHA-1)" 1.2 sha1sum \
        "'$D' -q hash '$dir/disc.cue' >/dev/null" "$sha"
    pair "$label hash --image (+ image MD5/SHA-1)" 1.5 sha1sum \
        "'$D' -q hash --image '$dir/disc.cue' >/dev/null" "$sha"
    pair "$label md5sum+sha1sum (peer)" - sha1sum \
        "md5sum '$bin' >/dev/null && sha1sum '$bin' >/dev/null" "$sha"
    pair "$label verify (EDC/ECC/Q)" - cp \
        "'$D' -q verify '$dir/disc.cue' >/dev/null" "$cp"
    if need ccd2iso; then
        pair "$label ccd2iso (peer)" - cp \
            "ccd2iso '$dir/disc.img' '$W/out/x.iso' >/dev/null 2>&1; test -s '$W/out/x.iso'" "$cp"
    fi
    if need mdf2iso; then
        pair "$label mdf2iso (peer)" - cp \
            "mdf2iso '$dir/disc.mdf' '$W/out/x.iso' >/dev/null" "$cp"
    fi
    if [ "$CHD" = 1 ] && need chdman && [ "$label" = 1x ]; then
        # chdman compresses (minutes per run): one pair (after a warm-up)
        # for each CHD row.
        local chdw="chdman createcd -f -i '$dir/disc.cue' -o '$W/out/p.chd' >/dev/null"
        RUNS=1 pair "$label CUE -> CHD (cdlz/cdzl/cdfl)" 0.8 "chdman createcd" \
            "'$D' -q convert '$dir/disc.cue' '$W/out/x.chd' --lossy --force" "$chdw"
        # Sizes, and the reading side, from one CHD of each.
        local oz pz
        chdman createcd -i "$dir/disc.cue" -o "$W/peer.chd" -f >/dev/null 2>&1
        "$D" -q convert "$dir/disc.cue" "$W/ours.chd" --lossy --force >/dev/null 2>&1
        pz=$(stat -c %s "$W/peer.chd")
        oz=$(stat -c %s "$W/ours.chd")
        rows+=("| $label CHD size: discarc $oz B, chdman $pz B | - | - | chdman | - | $(echo "$oz $pz" | awk '{printf "%.3f", $1 / $2}') | - | 1.01 | $(echo "$oz $pz" | awk '{print ($1 <= $2 * 1.01) ? "met" : "MISSED"}') | - |")
        echo "$label CHD size: discarc $oz bytes, chdman $pz bytes"
        RUNS=3 pair "$label CHD -> CUE/BIN" 0.5 "chdman extractcd" \
            "'$D' -q convert '$W/peer.chd' '$W/out/x.cue' --force" \
            "chdman extractcd -f -i '$W/peer.chd' -o '$W/out/y.cue' -ob '$W/out/y.bin' >/dev/null"
        rm -f "$W/peer.chd" "$W/ours.chd"
    fi
}

start=$(date -u '+%Y-%m-%d %H:%M UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$W"
gen "$W/img1" "$MB"
run_suite "$W/img1" "1x"
if [ "$SCALE" != 0 ]; then
    gen "$W/img2" $((MB / 2))
    run_suite "$W/img2" "0.5x"
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg)

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
    echo "# discarc benchmark results"
    echo
    echo "Machine: $cpu, $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MB RAM;"
    echo "run $start; load average (1/5/15 min) $load0 at the start, $load1 at the end."
    echo "Image: generated by bench/run.sh (1 ISO 9660 data track + 13 audio"
    echo "tracks with pregaps, ISRCs, CD-TEXT), page cache warm."
    echo "Each row: $RUNS pairs of runs (discarc and the reference, the order"
    echo "alternating from pair to pair) after one warm-up each; wall times are"
    echo "medians in seconds, cpu = user + system of the discarc command (median;"
    echo "user and system medians in brackets); ratio = discarc wall / reference wall"
    echo "per pair, shown as min / **median** / max; the target applies to the"
    echo "median.  cpu ratio = discarc cpu / reference cpu, median over the pairs"
    echo "(steadier than wall time on a virtual machine, where the first touch of"
    echo "fresh page cache costs a varying wait).  Peak RSS is the largest over"
    echo "the runs."
    echo
    echo "| operation | wall | cpu | reference | ref wall | ratio min / median / max | cpu ratio | target | | peak RSS MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} >"$root/bench/results.md"
echo "bench: table written to bench/results.md"
