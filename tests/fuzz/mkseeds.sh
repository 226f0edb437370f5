#!/usr/bin/env bash
# mkseeds.sh - rebuilds the seed corpora of tests/fuzz/*/seeds from the
# public corpus (DISCARC_CORPUS, default ../shared/corpus/public next to
# the tree), the tests' own data and discarc's own outputs.  File names
# inside descriptors are rewritten to the fixed companion names the
# targets write (a.bin, b.bin, c.wav, d.cdt; f.img/f.sub/f.mdf).
# Usage: make && bash tests/fuzz/mkseeds.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
corpus=${DISCARC_CORPUS:-$top/../shared/corpus/public}
S=tests/fuzz
SPLIT=$'\n#FUZZ-FILE#\n'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

renames_cue() { # sheet -> sheet with fixed companion names
    sed -E 's/^([[:space:]]*)FILE[[:space:]]+("[^"]*"|[^[:space:]]+)[[:space:]]+(BINARY|MOTOROLA)/\1FILE "a.bin" \3/I;
            s/^([[:space:]]*)FILE[[:space:]]+("[^"]*"|[^[:space:]]+)[[:space:]]+(WAVE|AIFF|MP3|FLAC)/\1FILE "c.wav" \3/I;
            s/^([[:space:]]*)CDTEXTFILE[[:space:]]+.*/\1CDTEXTFILE "d.cdt"/I'
}
renames_toc() {
    sed -E 's/(AUDIOFILE|FILE)[[:space:]]+"[^"]*\.(wav|WAV)"/\1 "c.wav"/;
            s/(AUDIOFILE|FILE|DATAFILE)[[:space:]]+"[^"]*"/\1 "a.bin"/'
}

for d in cue ccd mds nrg toc cdtext cdt audio dat; do
    mkdir -p "$S/$d/seeds"
done

# CUE: public sheets, the tests' sheets, our own writer's output.
n=0
for f in "$corpus"/flac/good.*.cue "$corpus"/whipper/*.cue \
         "$corpus"/libcdio/*.cue "$corpus"/libcdio-paranoia/*.cue \
         tests/data/cue/*.cue tests/data/cue/bad/*.cue; do
    [ -f "$f" ] || continue
    b=$(basename "$f" .cue)
    renames_cue <"$f" >"$S/cue/seeds/$(basename "$(dirname "$f")")-$b"
    n=$((n + 1))
done
build/discarc convert samples/mixed.cue "$tmp/split.cue" --split >/dev/null
renames_cue <"$tmp/split.cue" >"$S/cue/seeds/discarc-split"
renames_cue <samples/mixed.cue >"$S/cue/seeds/discarc-mixed"
# A sheet with its CD-TEXT file and a short data file as parts.
{
    printf 'CDTEXTFILE "d.cdt"\nFILE "a.bin" BINARY\n  TRACK 01 MODE1/2352\n'
    printf '    INDEX 01 00:00:00\nFILE "c.wav" WAVE\n  TRACK 02 AUDIO\n'
    printf '    INDEX 01 00:00:00'
    printf '%s' "$SPLIT"
    head -c 4704 /dev/zero | tr '\0' '\1'
    printf '%s%s%s' "$SPLIT" "$SPLIT" "$SPLIT"
    cat "$corpus/libcdio/cdtext.cdt"
} >"$S/cue/seeds/parts-cdt"

# CloneCD: the tests' descriptors and our writer's.
for f in tests/data/ccd/*.ccd tests/data/ccd/bad/*.ccd; do
    cp "$f" "$S/ccd/seeds/$(basename "$(dirname "$f")")-$(basename "$f" .ccd)"
done
build/discarc convert samples/mixed.cue "$tmp/m.ccd" --lossy >/dev/null 2>&1
cp "$tmp/m.ccd" "$S/ccd/seeds/discarc-mixed"

# Alcohol: our writer's descriptors, with and without subchannel.
build/discarc convert samples/mixed.cue "$tmp/m.mds" --lossy >/dev/null 2>&1
cp "$tmp/m.mds" "$S/mds/seeds/discarc-mixed"
build/discarc convert samples/mixed.cue "$tmp/s.mds" --lossy --sub \
    >/dev/null 2>&1
cp "$tmp/s.mds" "$S/mds/seeds/discarc-mixed-sub"
# A descriptor and a short image as two parts.
{ cat "$tmp/m.mds"; printf '%s' "$SPLIT"; head -c 9792 "$tmp/m.mdf"; } \
    >"$S/mds/seeds/parts-mdf"

# cdrdao TOC files.
for f in "$corpus"/cdrdao/*.toc "$corpus"/libcdio/*.toc \
         "$corpus"/whipper/*.toc; do
    [ -f "$f" ] || continue
    renames_toc <"$f" >"$S/toc/seeds/$(basename "$(dirname "$f")")-$(basename "$f" .toc)"
done

# NRG: small images in the layouts libcdio reads (see mknrg.py).
python3 tests/fuzz/mknrg.py "$S/nrg/seeds"

# CD-TEXT: .cdt files and packs our encoder writes.
for f in "$corpus"/libcdio/*.cdt; do
    cp "$f" "$S/cdt/seeds/$(basename "$f" .cdt)"
    cp "$f" "$S/cdtext/seeds/$(basename "$f" .cdt)"
done
build/discarc convert samples/mixed.cue "$tmp/t.cue" >/dev/null
if [ -f "$tmp/t.cdt" ]; then cp "$tmp/t.cdt" "$S/cdtext/seeds/discarc-mixed"; fi

# Audio: 10 sectors of WAVE, AIFF and FLAC (sox).
sox -n -r 44100 -c 2 -b 16 "$tmp/a.wav" synth 0.1333 sine 440
sox "$tmp/a.wav" "$tmp/a.aiff"
sox "$tmp/a.wav" "$tmp/a.flac"
cp "$tmp/a.wav" "$S/audio/seeds/sine.wav"
cp "$tmp/a.aiff" "$S/audio/seeds/sine.aiff"
cp "$tmp/a.flac" "$S/audio/seeds/sine.flac"

# DAT: a redump-style datafile.
cat >"$S/dat/seeds/redump" <<'DAT'
<?xml version="1.0"?>
<!DOCTYPE datafile PUBLIC "-//Logiqx//DTD ROM Management Datafile//EN" "http://www.logiqx.com/Dats/datafile.dtd">
<datafile>
	<header><name>Test - Discs</name><description>x &amp; y</description></header>
	<game name="Other &amp; Game">
		<category>Games</category>
		<description>Other</description>
		<rom name="Other.cue" size="100" crc="12345678" md5="0123456789abcdef0123456789abcdef" sha1="0123456789abcdef0123456789abcdef01234567"/>
		<rom name="Other (Track 1).bin" size="2352" crc="12345678" md5="0123456789abcdef0123456789abcdef" sha1="0123456789abcdef0123456789abcdef01234567"/>
		<rom name="Other (Track 2).bin" size="4704" crc="12345679"/>
	</game>
	<game name='Single'><rom name='x.bin' size='7056' crc='1234567a'/></game>
</datafile>
DAT
echo "seeds: cue $n+; done"
