#!/usr/bin/env bash
# layers.sh - the include rules that keep the layers apart (make check).
#   public API   core/disc.h, disc_drive.h, discid.h, rip.h, verify.h,
#                fs.h, map.h, trackfs.h:
#                include only each other
#   plugin API   core/disc_format.h (includes the public API)
#   internals    core/internal.h, core/alloc.h: core (and tests) only
#   formats      formats/*.c include disc_format.h and their own private
#                header (formats/<f>.h for <f>.c and <f>_*.c: cue.h,
#                chd.h, toc.h, ccd.h), never another
#                format's, an operation's or an internal header
#   tools        tools/*.c include public headers and tools/cli.h only;
#                tools/mksample.c, which builds sector-level samples for
#                the tests, may use the plugin API
#   libraries    each of these is included by one file of the tree:
#                libcdio (core/source_cdio.c), libsndfile
#                (formats/audio.c), libcrypto (core/md.c), libarchive
#                and libudfread (core/fs.c), libfuse3 (tools/cmd_mount.c)
# Prints one line per broken rule and exits 1 when there is any.
set -uo pipefail
cd "$(dirname "$0")/.."
public="disc.h disc_drive.h discid.h rip.h verify.h fs.h map.h trackfs.h"
bad=0

includes() { # file -> "line header" per #include "..."
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$1" |
        sed -E 's/^([0-9]+):.*"([^"]+)".*/\1 \2/'
}
in_list() { # word, list
    case " $2 " in *" $1 "*) return 0 ;; esac
    return 1
}
broken() { # file, line, header, rule
    echo "$1:$2: includes \"$3\": $4"
    bad=1
}

for f in $public; do
    while read -r ln h; do
        in_list "$h" "$public" ||
            broken "core/$f" "$ln" "$h" "a public header includes only public headers"
    done < <(includes "core/$f")
done
for f in formats/*.c formats/*.h; do
    stem=$(basename "$f")
    stem=${stem%%_*}
    stem=${stem%.*}
    while read -r ln h; do
        [ "$h" = disc_format.h ] && continue
        [ "$h" = "$stem.h" ] && [ -f "formats/$h" ] && continue
        broken "$f" "$ln" "$h" "a format includes disc_format.h and its own header only"
    done < <(includes "$f")
done
for f in tools/*.c tools/*.h; do
    [ "$f" = tools/mksample.c ] && continue
    while read -r ln h; do
        [ "$h" = cli.h ] && continue
        in_list "$h" "$public" ||
            broken "$f" "$ln" "$h" "tools include public headers only"
    done < <(includes "$f")
done
for f in tools/* formats/*; do
    while read -r ln h; do
        case "$h" in internal.h | alloc.h)
            broken "$f" "$ln" "$h" "internal headers stay in core" ;;
        esac
    done < <(includes "$f")
done
# library header prefix -> the one file that may include it
for rule in "cdio/ core/source_cdio.c" "sndfile formats/audio.c" \
    "openssl/ core/md.c" "archive core/fs.c" "udfread/ core/fs.c" \
    "fuse tools/cmd_mount.c"; do
    read -r lib home <<<"$rule"
    while IFS=: read -r f ln _; do
        [ "$f" = "$home" ] ||
            broken "$f" "$ln" "<$lib...>" "only $home includes this library"
    done < <(grep -n "^[[:space:]]*#[[:space:]]*include[[:space:]]*<$lib" \
        core/*.c core/*.h formats/*.c formats/*.h tools/*.c tools/*.h)
done
exit "$bad"
