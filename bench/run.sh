#!/usr/bin/env bash
# bench/run.sh - `make bench`: discarc against cp and the peer tools on a
# generated ~700 MB disc (never committed).  Prints one table and writes it
# to bench/results.md.
#   BENCH_MB=700   approximate image size
#   BENCH_RUNS=3   measured runs per operation (after one warm-up)
#   BENCH_SCALE=1  also run the scaling check on a half-size image (0 to
#                  skip): twice the image should cost twice the time with the
#                  same peak RSS.  (A 2x 700 MB image is no CD: past 89:59:74
#                  a TOC cannot be written, so the check halves instead.)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
D=$root/build/discarc
W=$root/bench/work
MB=${BENCH_MB:-700}
RUNS=${BENCH_RUNS:-3}
SCALE=${BENCH_SCALE:-1}
T=/usr/bin/time

need() { command -v "$1" >/dev/null 2>&1; }
for t in xorriso sox; do
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
# meas NAME CMD...: median wall/CPU and max RSS over RUNS runs after a
# warm-up; "wall cpu rss_kb" on stdout.  Outputs go to $W/out (cleared).
meas() {
    local name=$1
    shift
    local i walls=() cpus=() rss=0
    for i in $(seq 0 "$RUNS"); do
        rm -rf "$W/out" && mkdir -p "$W/out"
        sync
        if ! $T -f '%e %U %S %M' -o "$W/time.txt" bash -c "$*" \
            >"$W/cmd.log" 2>&1; then
            echo "bench: $name failed:" >&2
            tail -5 "$W/cmd.log" >&2
            echo "NA NA NA"
            return
        fi
        [ "$i" -eq 0 ] && continue
        read -r e u s m <"$W/time.txt"
        walls+=("$e")
        cpus+=("$(echo "$u + $s" | bc)")
        [ "$m" -gt "$rss" ] && rss=$m
    done
    printf '%s %s %s\n' \
        "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")" \
        "$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")" \
        "$rss"
}

ratio() { if [ "$1" = NA ] || [ "$2" = NA ]; then echo NA; else echo "scale=2; $1 / $2" | bc; fi; }

rows=()
row() { # op discarc-result ref-name ref-result target
    local op=$1 a=$2 rname=$3 b=$4 target=$5 aw ac ar bw bc_ br
    read -r aw ac ar <<<"$a"
    read -r bw bc_ br <<<"$b"
    local r; r=$(ratio "$aw" "$bw")
    local ok="-"
    if [ "$target" != "-" ] && [ "$r" != NA ]; then
        ok=$(echo "$r <= $target" | bc -l | sed 's/1/met/; s/0/MISSED/')
    fi
    local rssmb=NA
    [ "$ar" != NA ] && rssmb=$(echo "scale=1; $ar / 1024" | bc)
    rows+=("| $op | $aw | $ac | $rname | $bw | $r | ${target} | $ok | $rssmb |")
    printf '%-34s %7s s %7s cpu  vs %-22s %7s s  ratio %5s  target %4s %-6s rss %6s MB\n' \
        "$op" "$aw" "$ac" "$rname" "$bw" "$r" "$target" "$ok" "$rssmb"
}

run_suite() { # dir label
    local dir=$1 label=$2
    local bin="$dir/disc.bin" size
    size=$(stat -c %s "$bin")
    echo "== $label: $(echo "scale=1; $size / 1048576" | bc) MB image, $RUNS runs + warm-up"
    "$D" -q convert "$dir/disc.cue" "$dir/disc.ccd" --force --lossy >/dev/null 2>&1
    "$D" -q convert "$dir/disc.cue" "$dir/disc.mds" --force --lossy >/dev/null 2>&1
    local cp_r cat_r sha_r
    cp_r=$(meas cp "cp '$bin' '$W/out/x.bin'")
    cat_r=$(meas cat "cat '$bin' >/dev/null")
    row "$label cp (the limit)" "$cp_r" "cp" "$cp_r" -
    row "$label cat > /dev/null" "$cat_r" "cp" "$cp_r" -
    row "$label CUE -> CCD (synth SUB)" \
        "$(meas ccd "'$D' -q convert '$dir/disc.cue' '$W/out/x.ccd' --lossy")" \
        "cp" "$cp_r" 1.5
    row "$label CUE -> MDS" \
        "$(meas mds "'$D' -q convert '$dir/disc.cue' '$W/out/x.mds' --lossy")" \
        "cp" "$cp_r" 1.2
    row "$label CCD -> CUE" \
        "$(meas ccd2cue "'$D' -q convert '$dir/disc.ccd' '$W/out/x.cue' --lossy")" \
        "cp" "$cp_r" 1.2
    row "$label CUE single -> split" \
        "$(meas split "'$D' -q convert '$dir/disc.cue' '$W/out/x.cue' --split")" \
        "cp" "$cp_r" 1.2
    local rip_r
    rip_r=$(meas rip "'$D' -q rip '$dir/disc.cue' -o '$W/out' --no-cue")
    row "$label rip all audio to WAV" "$rip_r" "cp" "$cp_r" 1.2
    if need bchunk; then
        row "$label rip all audio to WAV" "$rip_r" "bchunk -w" \
            "$(meas bchunk "cd '$W/out' && bchunk -w '$bin' '$dir/disc.cue' t")" 1.0
    fi
    row "$label extract ISO" \
        "$(meas iso "'$D' -q extract '$dir/disc.cue' --track 1 -o '$W/out/x.iso'")" \
        "cp" "$cp_r" 1.2
    sha_r=$(meas sha1sum "sha1sum '$bin' >/dev/null")
    row "$label hash (CRC32+MD5+SHA-1)" \
        "$(meas hash "'$D' -q hash '$dir/disc.cue' >/dev/null")" \
        "sha1sum" "$sha_r" 1.2
    row "$label hash --image (+ image MD5/SHA-1)" \
        "$(meas hashimg "'$D' -q hash --image '$dir/disc.cue' >/dev/null")" \
        "sha1sum" "$sha_r" -
    row "$label md5sum+sha1sum (peer)" \
        "$(meas md5sha1 "md5sum '$bin' >/dev/null && sha1sum '$bin' >/dev/null")" \
        "sha1sum" "$sha_r" -
    row "$label verify (EDC/ECC/Q)" \
        "$(meas verify "'$D' -q verify '$dir/disc.cue' >/dev/null")" \
        "cp" "$cp_r" -
    if need chdman && [ "$label" = 1x ]; then
        # chdman compresses (minutes per run): one measured run only, and
        # the same for discarc's CHD rows against it.
        local chd_r ours_r oz pz
        chd_r=$(RUNS=1 meas chd "chdman createcd -i '$dir/disc.cue' -o '$W/out/x.chd' >/dev/null")
        row "$label chdman createcd (peer)" "$chd_r" "cp" "$cp_r" -
        ours_r=$(RUNS=1 meas chdw "'$D' -q convert '$dir/disc.cue' '$W/out/x.chd' --lossy")
        row "$label CUE -> CHD (cdlz/cdzl/cdfl)" "$ours_r" \
            "chdman createcd" "$chd_r" 0.8
        row "$label CUE -> CHD --fast (cdzl/cdfl)" \
            "$(RUNS=1 meas chdwf "'$D' -q convert '$dir/disc.cue' '$W/out/x.chd' --lossy --fast")" \
            "chdman createcd" "$chd_r" -
        # Sizes, and the reading side, from one CHD of each.
        chdman createcd -i "$dir/disc.cue" -o "$W/peer.chd" -f >/dev/null 2>&1
        "$D" -q convert "$dir/disc.cue" "$W/ours.chd" --lossy --force >/dev/null 2>&1
        pz=$(stat -c %s "$W/peer.chd")
        oz=$(stat -c %s "$W/ours.chd")
        rows+=("| $label CHD size: discarc $oz B, chdman $pz B | - | - | chdman | - | $(ratio "$oz" "$pz") | 1.01 | $(echo "$oz <= $pz * 1.01" | bc -l | sed 's/1/met/; s/0/MISSED/') | - |")
        echo "$label CHD size: discarc $oz bytes, chdman $pz bytes"
        row "$label CHD -> CUE/BIN" \
            "$(meas chdr "'$D' -q convert '$W/peer.chd' '$W/out/x.cue'")" \
            "chdman extractcd" \
            "$(meas chdx "chdman extractcd -i '$W/peer.chd' -o '$W/out/x.cue' -ob '$W/out/x.bin' >/dev/null")" 0.5
        rm -f "$W/peer.chd" "$W/ours.chd"
    fi
    if need ccd2iso; then
        row "$label ccd2iso (peer)" \
            "$(meas ccd2iso "ccd2iso '$dir/disc.img' '$W/out/x.iso' >/dev/null 2>&1; test -s '$W/out/x.iso'")" \
            "cp" "$cp_r" -
    fi
    if need mdf2iso; then
        row "$label mdf2iso (peer)" \
            "$(meas mdf2iso "mdf2iso '$dir/disc.mdf' '$W/out/x.iso' >/dev/null")" \
            "cp" "$cp_r" -
    fi
}

mkdir -p "$W"
gen "$W/img1" "$MB"
run_suite "$W/img1" "1x"
if [ "$SCALE" != 0 ]; then
    gen "$W/img2" $((MB / 2))
    run_suite "$W/img2" "0.5x"
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
    echo "# discarc benchmark results"
    echo
    echo "Machine: $cpu, $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MB RAM."
    echo "Image: generated by bench/run.sh (1 ISO 9660 data track + 13 audio"
    echo "tracks with pregaps, ISRCs, CD-TEXT).  Times are medians of $RUNS runs"
    echo "after a warm-up, in seconds; ratio = discarc wall / reference wall."
    echo
    echo "| operation | wall | cpu | reference | ref wall | ratio | target | | peak RSS MB |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} >"$root/bench/results.md"
echo "bench: table written to bench/results.md"
