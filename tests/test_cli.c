/* test_cli.c - the discarc command line: exit codes, one-line errors,
 * --help everywhere, the golden `info` output of the bundled sample.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"

static int
lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

TEST(tool_info_bad_inputs_one_line)
{
    char out[4096];

    /* A path that does not exist. */
    CHECK_INT(1,
              t_run(out, sizeof out, "'%s' info nothere.cue 2>&1", t_discarc));
    CHECK_INT(1, lines(out));
    CHECK(strstr(out, "nothere.cue") && strstr(out, "No such file"));
    /* A path that cannot be read as a file. */
    CHECK(mkdir("adir.cue", 0755) == 0);
    CHECK_INT(1, t_run(out, sizeof out, "'%s' info adir.cue 2>&1", t_discarc));
    CHECK_INT(1, lines(out));
    CHECK(strstr(out, "adir.cue") != NULL);
    /* A file no format knows. */
    CHECK(t_write_file("notes.txt", "hello, world\n", 13) == 0);
    CHECK_INT(3, t_run(out, sizeof out, "'%s' info notes.txt 2>&1", t_discarc));
    CHECK_INT(1, lines(out));
    CHECK(strstr(out, "notes.txt: not a disc image format") != NULL);
    /* A descriptor that is damaged: one line naming file and line. */
    CHECK(t_write_file("bad.cue",
                       "FILE \"x.bin\" BINARY\n  TRACK 01 AUDIO\n"
                       "    INDEX 01 00:99:00\n",
                       55) == 0);
    CHECK(t_write_file("x.bin", "", 0) == 0);
    CHECK_INT(3, t_run(out, sizeof out, "'%s' info bad.cue 2>&1", t_discarc));
    CHECK_INT(1, lines(out));
    CHECK(strstr(out, "bad.cue:3:") != NULL);
    /* --from with a format that does not exist is a usage error. */
    CHECK_INT(
        2, t_run(out, sizeof out, "'%s' info --from nope x 2>&1", t_discarc));
}

TEST(tool_usage_and_help)
{
    static const char *const cmds[] = { "info", "convert", "rip",  "extract",
                                        "read", "verify",  "hash", "formats",
                                        "ls",   "mount" };
    char out[16384];
    size_t i;

    CHECK_INT(0, t_run(out, sizeof out, "'%s' --version", t_discarc));
    CHECK(strncmp(out, "discarc ", 8) == 0);
    CHECK_INT(0, t_run(out, sizeof out, "'%s' --help", t_discarc));
    for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char sub[4096];
        /* Every command is listed, and answers --help with a usage. */
        CHECK(strstr(out, cmds[i]) != NULL);
        CHECK_INT(0,
                  t_run(sub, sizeof sub, "'%s' %s --help", t_discarc, cmds[i]));
        CHECK(strstr(sub, "Usage: discarc") != NULL);
    }
    CHECK_INT(2, t_run(out, sizeof out, "'%s' 2>&1", t_discarc));
    CHECK_INT(2, t_run(out, sizeof out, "'%s' frobnicate 2>&1", t_discarc));
    CHECK(strstr(out, "unknown command") != NULL);
    CHECK_INT(
        2, t_run(out, sizeof out, "'%s' convert onlyone.cue 2>&1", t_discarc));
    CHECK_INT(2, t_run(out, sizeof out, "'%s' info --bogus x 2>&1", t_discarc));
    CHECK_INT(
        2, t_run(out, sizeof out, "'%s' convert a.cue b.xyz 2>&1", t_discarc));
    CHECK(strstr(out, "--to") != NULL);
}

TEST(tool_info_golden_sample)
{
    /* `discarc info` of the bundled sample, compared with the committed
     * samples/mixed.info (libcdio's .right practice). */
    char *want, *got;
    size_t n;

    REQUIRE(t_run(NULL, 0, "cp '%s/mixed.cue' '%s/mixed.bin' .", t_samples,
                  t_samples) == 0);
    REQUIRE(t_run(NULL, 0, "'%s' info mixed.cue > got.info", t_discarc) == 0);
    want = t_slurp(t_data("../../samples/mixed.info"), &n);
    got = t_slurp("got.info", NULL);
    REQUIRE(want && got);
    /* The first line names the path given on the command line. */
    CHECK_STR(strchr(want, '\n'), strchr(got, '\n'));
    free(want);
    free(got);
}

TEST(tool_info_json_shape)
{
    char out[16384];

    REQUIRE(t_run(NULL, 0, "cp '%s/mixed.cue' '%s/mixed.bin' .", t_samples,
                  t_samples) == 0);
    CHECK_INT(0,
              t_run(out, sizeof out, "'%s' info --json mixed.cue", t_discarc));
    CHECK(strstr(out, "\"format\": \"cue\""));
    CHECK(strstr(out, "\"mcn\": \"0123456789012\""));
    CHECK(strstr(out, "{\"number\": 2, \"session\": 1, \"mode\": \"audio\", "
                      "\"control\": 2, \"start\": 600"));
    CHECK(strstr(out, "{\"number\": 0, \"lba\": 450, \"stored\": true}"));
    CHECK(strstr(out, "\"field\": \"TITLE\", \"value\": \"Chord in A minor\""));
    if (t_have("python3"))
        CHECK_INT(0, t_run(NULL, 0,
                           "'%s' info --json mixed.cue | python3 -c "
                           "'import json,sys; d=json.load(sys.stdin); "
                           "assert len(d[\"tracks\"]) == 3'",
                           t_discarc));
}

TEST(tool_convert_refuses_loss_and_keeps_outputs)
{
    char out[4096];

    REQUIRE(t_run(NULL, 0, "cp '%s/mixed.cue' '%s/mixed.bin' .", t_samples,
                  t_samples) == 0);
    /* MDS cannot hold CD-TEXT: refused, nothing written (REM comments
     * alone would only be warned about). */
    CHECK_INT(3, t_run(out, sizeof out, "'%s' convert mixed.cue x.mds 2>&1",
                       t_discarc));
    CHECK(strstr(out, "CD-TEXT") && strstr(out, "--lossy"));
    CHECK(!strstr(out, "metadata comments"));
    CHECK_INT(0, t_exists("x.mds") || t_exists("x.mdf"));
    /* --strict refuses even with --lossy, the comments too. */
    CHECK_INT(3, t_run(out, sizeof out,
                       "'%s' convert mixed.cue x.mds "
                       "--lossy --strict 2>&1",
                       t_discarc));
    CHECK(strstr(out, "metadata comments") != NULL);
    CHECK_INT(0, t_exists("x.mds"));
    /* --lossy writes and warns once per dropped feature. */
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' convert mixed.cue x.mds "
                       "--lossy 2>&1",
                       t_discarc));
    CHECK(strstr(out, "mds cannot hold CD-TEXT: dropped") != NULL);
    CHECK(strstr(out, "mds cannot record metadata comments (not on the "
                      "disc; dropped)") != NULL);
    /* An existing output is kept without --force. */
    CHECK_INT(1, t_run(out, sizeof out,
                       "'%s' convert mixed.cue x.mds "
                       "--lossy 2>&1",
                       t_discarc));
    CHECK(strstr(out, "already exists") != NULL);
    /* The input is never overwritten, even with --force. */
    CHECK_INT(2, t_run(out, sizeof out,
                       "'%s' convert mixed.cue mixed.cue "
                       "--force 2>&1",
                       t_discarc));
    CHECK(strstr(out, "input") != NULL);
}

/* An EAC sheet whose only extra is its REM GENRE/DATE/DISCID/COMMENT
 * lines converts to CCD and MDS with a warning; --strict refuses. */
TEST(tool_convert_eac_comments_are_soft)
{
    static const char sheet[] =
        "REM GENRE Rock\r\nREM DATE 1994\r\nREM DISCID 8B0A6C0B\r\n"
        "REM COMMENT \"ExactAudioCopy v1.6\"\r\n"
        "FILE \"e.bin\" BINARY\r\n  TRACK 01 AUDIO\r\n"
        "    INDEX 01 00:00:00\r\n  TRACK 02 AUDIO\r\n"
        "    INDEX 00 00:02:00\r\n    INDEX 01 00:04:00\r\n";
    const char *to[] = { "e.ccd", "e.mds" };
    char out[4096];
    int i;

    REQUIRE(t_write_file("e.cue", sheet, sizeof sheet - 1) == 0);
    REQUIRE(t_run(NULL, 0, "truncate -s %d e.bin", 600 * 2352) == 0);
    for (i = 0; i < 2; i++) {
        CHECK_INT(0, t_run(out, sizeof out, "'%s' convert e.cue %s 2>&1",
                           t_discarc, to[i]));
        CHECK(strstr(out, "cannot record metadata comments (not on the "
                          "disc; dropped)") != NULL);
        CHECK(t_exists(to[i]));
        CHECK_INT(3, t_run(out, sizeof out,
                           "'%s' convert e.cue s%s "
                           "--strict 2>&1",
                           t_discarc, to[i]));
        CHECK(strstr(out, "metadata comments (refused under --strict)"));
        CHECK(!t_exists(i ? "se.mds" : "se.ccd"));
    }
}

TEST(tool_split_refuses_before_writing)
{
    /* With "(Track 3).bin" already there, --split writes nothing at all:
     * the refusal comes before the first byte. */
    char out[4096];

    REQUIRE(t_run(NULL, 0, "cp '%s/mixed.cue' '%s/mixed.bin' .", t_samples,
                  t_samples) == 0);
    REQUIRE(t_write_file("s (Track 3).bin", "keep", 4) == 0);
    CHECK_INT(1, t_run(out, sizeof out,
                       "'%s' convert mixed.cue s.cue "
                       "--split 2>&1",
                       t_discarc));
    CHECK(strstr(out, "s (Track 3).bin: already exists") != NULL);
    CHECK_INT(0, t_exists("s.cue"));
    CHECK_INT(0, t_exists("s (Track 1).bin"));
    CHECK_INT(4, t_file_size("s (Track 3).bin"));
    CHECK_INT(0, t_run(NULL, 0, "test -z \"$(ls -a | grep tmp-)\""));
}

TEST(tool_convert_store_gaps)
{
    /* PREGAP sectors are generated; --store-gaps writes them into the BIN
     * (as INDEX 00 data) and the disc stays the same, sector for sector. */
    static const char cue[] = "FILE \"a.bin\" BINARY\n"
                              "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"
                              "  TRACK 02 AUDIO\n    PREGAP 00:01:00\n"
                              "    INDEX 01 00:04:00\n";
    static uint8_t bin[600 * DISC_SECTOR_RAW];
    char out[4096], *sheet;
    size_t i;

    for (i = 0; i < sizeof bin; i++)
        bin[i] = (uint8_t)(i * 13 + (i >> 11));
    REQUIRE(t_write_file("a.cue", cue, sizeof cue - 1) == 0);
    REQUIRE(t_write_file("a.bin", bin, sizeof bin) == 0);
    CHECK_INT(
        0, t_run(out, sizeof out, "'%s' convert a.cue b.cue 2>&1", t_discarc));
    CHECK_INT(sizeof bin, t_file_size("b.bin"));
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' convert a.cue c.cue "
                       "--store-gaps --verify 2>&1",
                       t_discarc));
    CHECK(strstr(out, "identical") != NULL);
    CHECK_INT(sizeof bin + 75 * DISC_SECTOR_RAW, t_file_size("c.bin"));
    sheet = t_slurp("c.cue", NULL);
    REQUIRE(sheet);
    CHECK(strstr(sheet, "PREGAP") == NULL);
    CHECK(strstr(sheet, "INDEX 00 00:04:00") != NULL);
    CHECK(strstr(sheet, "INDEX 01 00:05:00") != NULL);
    free(sheet);
}

TEST(tool_opens_optional_libraries_only_when_needed)
{
    /* libsndfile, libarchive and libcrypto are opened by the code that
     * needs them (core/lib.c): `info` and `convert` load neither of the
     * first two, `convert` (no digests) not libcrypto either; `ls` loads
     * libarchive, `rip` libsndfile and `hash` libcrypto.  The dynamic
     * loader's own log (glibc's LD_DEBUG=files) says what was loaded. */
    char *log, out[4096], sha1[41];
    FILE *f;

    REQUIRE(t_run(NULL, 0, "cp '%s/mixed.cue' '%s/mixed.bin' .", t_samples,
                  t_samples) == 0);
    REQUIRE(t_run(NULL, 0,
                  "LD_DEBUG=files '%s' -q convert mixed.cue x.ccd >/dev/null "
                  "2>ld0",
                  t_discarc) == 0);
    log = t_slurp("ld0", NULL);
    REQUIRE(log);
    CHECK(strstr(log, "file=libc.so.6")); /* the log is there at all */
    CHECK(!strstr(log, "libcrypto.so"));
    free(log);
    REQUIRE(t_run(NULL, 0,
                  "LD_DEBUG=files '%s' -q info mixed.cue >/dev/null 2>ld1 && "
                  "LD_DEBUG=files '%s' -q convert mixed.cue y.ccd >/dev/null "
                  "2>>ld1",
                  t_discarc, t_discarc) == 0);
    log = t_slurp("ld1", NULL);
    REQUIRE(log);
    CHECK(strstr(log, "file=libc.so.6"));
    CHECK(!strstr(log, "libsndfile.so"));
    CHECK(!strstr(log, "libarchive.so"));
    free(log);
    /* `hash --image` loads libcrypto and its SHA-1 is sha1sum's. */
    REQUIRE(t_run(NULL, 0, "sha1sum mixed.bin > s1") == 0);
    f = fopen("s1", "r");
    REQUIRE(f);
    REQUIRE(fscanf(f, "%40s", sha1) == 1);
    fclose(f);
    REQUIRE(t_run(out, sizeof out,
                  "LD_DEBUG=files '%s' hash --image mixed.cue 2>ld4",
                  t_discarc) == 0);
    CHECK(strstr(out, sha1) != NULL);
    log = t_slurp("ld4", NULL);
    REQUIRE(log);
    CHECK(strstr(log, "file=libcrypto.so.3 [0];  dynamically loaded"));
    free(log);
    REQUIRE(t_run(NULL, 0, "LD_DEBUG=files '%s' ls mixed.cue >/dev/null 2>ld2",
                  t_discarc) == 0);
    log = t_slurp("ld2", NULL);
    REQUIRE(log);
    CHECK(strstr(log, "file=libarchive.so.13 [0];  dynamically loaded"));
    CHECK(!strstr(log, "libsndfile.so"));
    free(log);
    REQUIRE(t_run(NULL, 0,
                  "LD_DEBUG=files '%s' -q rip mixed.cue -o r >/dev/null 2>ld3",
                  t_discarc) == 0);
    log = t_slurp("ld3", NULL);
    REQUIRE(log);
    CHECK(strstr(log, "file=libsndfile.so.1 [0];  dynamically loaded"));
    free(log);
    CHECK(t_run(NULL, 0, "test -s r/01*.wav || test -s r/02*.wav") == 0);
}
