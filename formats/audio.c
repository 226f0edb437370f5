/* audio.c - WAV, AIFF and FLAC through libsndfile: the encoder behind
 * `discarc rip` (one file per audio track) and the decoder that serves
 * CUE `FILE x WAVE/AIFF/FLAC` audio as 16-bit little-endian PCM.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: libsndfile API (sf_open_virtual, sf_set_string; which tags
 * each container writes: src/wavlike.c, src/aiff.c, src/flac.c of
 * libsndfile 1.2); docs/formats/audio.md, docs/formats/cd.md.
 * The only file of the project that includes <sndfile.h>.  The three
 * descriptors share one code path told apart by the SF_FORMAT major
 * type (libarchive's ar_bsd/ar_svr4 idea).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <sndfile.h>

#include "disc_format.h"

/* libsndfile is opened by the first call that needs it (disc_lib_load):
 * it brings a dozen codec libraries that other commands never use. */
/* clang-format off: it re-indents each line of an X-macro list
 * anew on every run (clang-format 14 is not stable on it) */
#define SNDFILE_FUNCS(X)                                                       \
    X(sf_close)                                                                \
    X(sf_error_number)                                                         \
    X(sf_format_check)                                                         \
    X(sf_open)                                                                 \
    X(sf_open_virtual)                                                         \
    X(sf_readf_short)                                                          \
    X(sf_seek)                                                                 \
    X(sf_set_string)                                                           \
    X(sf_strerror)                                                             \
    X(sf_write_raw)                                                            \
    X(sf_writef_short)
/* clang-format on */
DISC_LIB_DEFINE(sndfile, SNDFILE_FUNCS, "libsndfile.so.1", "libsndfile1");

#define AUDIO_FRAMES 4096 /* frames per decoding step of an audio source */
#define ENC_SECTORS 4     /* sectors converted per sf_writef_short call */
#define CD_RATE 44100
#define CD_CHANNELS 2

extern const struct disc_format disc_fmt_wav;
extern const struct disc_format disc_fmt_aiff;
extern const struct disc_format disc_fmt_flac;

/* ------------------------------------------------------------------ */
/* Decoding: an audio file as a byte source of CD PCM                 */

struct audio_source {
    struct disc_source base;
    SNDFILE *sf;
    int64_t frames;              /* stereo frames in the file */
    sf_count_t pos;              /* libsndfile's position (saves seeks) */
    short pcm[AUDIO_FRAMES * 2]; /* scratch, so reads never allocate */
};

static int
audio_pread(struct disc_ctx *ctx, struct disc_source *s, int64_t off,
            size_t len, void *buf)
{
    struct audio_source *a = (struct audio_source *)s;
    uint8_t *out = buf;
    size_t done = 0;

    if (off < 0)
        return disc_error(ctx, DISC_E_ARG, "%s: negative offset", s->name);
    while (done < len) {
        int64_t at = off + (int64_t)done, frame = at / 4;
        size_t skip = (size_t)(at % 4), n, k;
        sf_count_t want, got;

        if (frame >= a->frames)
            break;
        want = (sf_count_t)((skip + (len - done) + 3) / 4);
        if (want > AUDIO_FRAMES)
            want = AUDIO_FRAMES;
        if (want > a->frames - frame)
            want = a->frames - frame;
        /* Positional: seek whenever libsndfile is not already there. */
        if (a->pos != frame) {
            if (sndfile.sf_seek(a->sf, frame, SEEK_SET) != frame) {
                a->pos = -1;
                return disc_error(ctx, DISC_E_AUDIO,
                                  "%s: cannot seek to sample %lld: %s", s->name,
                                  (long long)frame, sndfile.sf_strerror(a->sf));
            }
            a->pos = frame;
        }
        got = sndfile.sf_readf_short(a->sf, a->pcm, want);
        if (got <= 0) {
            a->pos = -1;
            return disc_error(ctx, DISC_E_AUDIO,
                              "%s: cannot decode at sample %lld: %s", s->name,
                              (long long)frame, sndfile.sf_strerror(a->sf));
        }
        a->pos += got;
        n = (size_t)got * 4 - skip;
        if (n > len - done)
            n = len - done;
        for (k = 0; k < n; k++) {
            size_t b = skip + k;
            uint16_t v = (uint16_t)a->pcm[b / 2];
            out[done + k] = (uint8_t)(b & 1 ? v >> 8 : v);
        }
        done += n;
    }
    if (done < len) {
        memset(out + done, 0, len - done);
        return disc_error(ctx, DISC_E_RANGE,
                          "%s: the audio ends at byte %lld, %zu bytes short",
                          s->name, (long long)a->frames * 4, len - done);
    }
    return 0;
}

static void
audio_close(struct disc_source *s)
{
    struct audio_source *a = (struct audio_source *)s;

    if (a->sf)
        sndfile.sf_close(a->sf);
    disc_free_mem(s->name);
    disc_free_mem(a);
}

static const struct disc_source_ops audio_source_ops = {
    .name = "audio",
    .pread = audio_pread,
    .close = audio_close,
};

static const char *
audio_sample_kind(int sub)
{
    switch (sub) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
        return "8-bit samples";
    case SF_FORMAT_PCM_24:
        return "24-bit samples";
    case SF_FORMAT_PCM_32:
        return "32-bit samples";
    case SF_FORMAT_FLOAT:
    case SF_FORMAT_DOUBLE:
        return "floating-point samples";
    }
    return "compressed or non-PCM samples";
}

static int
audio_open(struct disc_ctx *ctx, const char *path, struct disc_source **out,
           int64_t *bytes)
{
    struct audio_source *a;
    struct stat st;
    SF_INFO si;
    SNDFILE *sf;
    int sub, r;

    *out = NULL;
    if (stat(path, &st) != 0)
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    if ((r = disc_lib_load(ctx, &sndfile_lib)) < 0)
        return r;
    memset(&si, 0, sizeof si);
    sf = sndfile.sf_open(path, SFM_READ, &si);
    if (!sf)
        return DISC_E_UNSUPPORTED; /* not ours: the registry tries others */
    sub = si.format & SF_FORMAT_SUBMASK;
    if (si.samplerate != CD_RATE || si.channels != CD_CHANNELS) {
        sndfile.sf_close(sf);
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: %d Hz, %d channel%s; CD audio is 44100 Hz "
                          "stereo (resample it first)",
                          path, si.samplerate, si.channels,
                          si.channels == 1 ? "" : "s");
    }
    if (sub != SF_FORMAT_PCM_16 && sub != SF_FORMAT_ALAC_16) {
        sndfile.sf_close(sf);
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: %s; CD audio is 16-bit PCM", path,
                          audio_sample_kind(sub));
    }
    /* An unknown length (libsndfile's SF_COUNT_MAX, e.g. a FLAC header
     * with no sample count) or more than a CD holds (100 minutes) is
     * refused: lengths and offsets computed from it would overflow. */
    if (si.frames < 0 || si.frames > (sf_count_t)100 * 60 * 75 * 588) {
        sndfile.sf_close(sf);
        return disc_error(ctx, DISC_E_FORMAT, "%s: %s", path,
                          si.frames == SF_COUNT_MAX
                              ? "the length is unknown"
                              : "longer than a CD holds (100 minutes)");
    }
    a = disc_calloc(1, sizeof *a);
    if (!a || !(a->base.name = disc_strdup(path))) {
        disc_free_mem(a);
        sndfile.sf_close(sf);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    a->base.ops = &audio_source_ops;
    a->sf = sf;
    a->frames = si.frames;
    a->pos = 0;
    a->base.size = si.frames * 4;
    *out = &a->base;
    *bytes = a->base.size;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Encoding: libsndfile writing into a disc_out                        */

struct audio_kind {
    int major; /* SF_FORMAT_WAV, _AIFF or _FLAC */
};

/* How the PCM reaches the file.  CD audio is 16-bit little-endian
 * stereo, which is exactly a 16-bit PCM WAV's data chunk: WAV takes the
 * bytes as they are (sf_write_raw, or a kernel copy of the payload);
 * AIFF stores big-endian samples, so its bytes are swapped in bulk and
 * written raw; FLAC must encode, so it gets host-order samples. */
enum enc_mode {
    ENC_RAW,   /* WAV: the bytes unchanged */
    ENC_SWAP,  /* AIFF: each sample's bytes swapped, then raw */
    ENC_SHORT, /* FLAC: host-order shorts through sf_writef_short */
    ENC_PLAIN  /* the reference: every sample converted one by one */
};

struct audio_enc {
    struct disc_ctx *ctx;
    struct disc_out *out;
    const char *path;
    sf_count_t pos; /* libsndfile's file position */
    int err;        /* first error from the I/O callbacks */
    enum enc_mode mode;
    SNDFILE *sf;
};

static sf_count_t
enc_filelen(void *user)
{
    struct audio_enc *e = user;
    return disc_out_tell(e->out);
}

static sf_count_t
enc_seek(sf_count_t off, int whence, void *user)
{
    struct audio_enc *e = user;
    sf_count_t base = whence == SEEK_CUR   ? e->pos
                      : whence == SEEK_END ? disc_out_tell(e->out)
                                           : 0;
    if (base + off < 0)
        return -1;
    e->pos = base + off;
    return e->pos;
}

static sf_count_t
enc_read(void *ptr, sf_count_t count, void *user)
{
    /* Writers of WAV, AIFF and FLAC never read back (libsndfile 1.2). */
    (void)ptr;
    (void)count;
    (void)user;
    return 0;
}

/* Writes at the current position: appends, or patches what was written
 * (headers rewritten on close, FLAC's STREAMINFO). */
static sf_count_t
enc_write(const void *ptr, sf_count_t count, void *user)
{
    static const uint8_t zeros[4096];
    struct audio_enc *e = user;
    const uint8_t *p = ptr;
    sf_count_t left = count, size = disc_out_tell(e->out);
    int r = 0;

    if (e->err)
        return 0;
    while (r == 0 && e->pos > size) {
        size_t k = e->pos - size > (sf_count_t)sizeof zeros
                       ? sizeof zeros
                       : (size_t)(e->pos - size);
        r = disc_out_write(e->ctx, e->out, zeros, k);
        size += (sf_count_t)k;
    }
    if (r == 0 && e->pos < size && left > 0) {
        sf_count_t k = size - e->pos < left ? size - e->pos : left;
        r = disc_out_pwrite(e->ctx, e->out, p, (size_t)k, e->pos);
        p += k;
        left -= k;
        e->pos += k;
    }
    if (r == 0 && left > 0) {
        r = disc_out_write(e->ctx, e->out, p, (size_t)left);
        e->pos += left;
    }
    if (r < 0) {
        e->err = r;
        return 0;
    }
    return count;
}

static sf_count_t
enc_tell(void *user)
{
    struct audio_enc *e = user;
    return e->pos;
}

static void
enc_tag(SNDFILE *sf, int type, const char *v)
{
    /* Best effort: a container without the field drops it (see
     * docs/formats/audio.md for what each one keeps). */
    if (v && *v)
        (void)sndfile.sf_set_string(sf, type, v);
}

static int
audio_enc_open(void *user, struct disc_ctx *ctx, const struct disc_rip_plan *p,
               const struct disc_rip_file *f, struct disc_out *out, void **encp)
{
    const struct audio_kind *kind = user;
    SF_VIRTUAL_IO vio = { enc_filelen, enc_seek, enc_read, enc_write,
                          enc_tell };
    struct audio_enc *e;
    SF_INFO si;
    int r;

    *encp = NULL;
    memset(&si, 0, sizeof si);
    si.samplerate = CD_RATE;
    si.channels = CD_CHANNELS;
    si.format = kind->major | SF_FORMAT_PCM_16;
    if ((r = disc_lib_load(ctx, &sndfile_lib)) < 0)
        return r;
    if (!sndfile.sf_format_check(&si))
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "this libsndfile cannot write 16-bit %s",
                          disc_path_base(f->path));
    e = disc_calloc(1, sizeof *e);
    if (!e)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    e->ctx = ctx;
    e->out = out;
    e->path = f->path;
    e->mode = p->o.plain_encoder              ? ENC_PLAIN
              : kind->major == SF_FORMAT_WAV  ? ENC_RAW
              : kind->major == SF_FORMAT_AIFF ? ENC_SWAP
                                              : ENC_SHORT;
    e->sf = sndfile.sf_open_virtual(&vio, SFM_WRITE, &si, e);
    if (!e->sf) {
        r = e->err ? e->err
                   : disc_error(ctx, DISC_E_AUDIO, "%s: %s", f->path,
                                sndfile.sf_strerror(NULL));
        disc_free_mem(e);
        return r;
    }
    /* Tags must be set before the first sample is written.  A disc
     * without any text keeps the canonical 44-byte WAV / 54-byte AIFF
     * header (docs/formats/audio.md): the track number alone is not worth a
     * LIST chunk. */
    if (f->title || f->artist || f->album || f->comment[0] || f->date ||
        f->genre)
        enc_tag(e->sf, SF_STR_TRACKNUMBER, f->number);
    enc_tag(e->sf, SF_STR_TITLE, f->title);
    enc_tag(e->sf, SF_STR_ARTIST, f->artist);
    enc_tag(e->sf, SF_STR_ALBUM, f->album);
    enc_tag(e->sf, SF_STR_COMMENT, f->comment);
    enc_tag(e->sf, SF_STR_DATE, f->date);
    enc_tag(e->sf, SF_STR_GENRE, f->genre);
    *encp = e;
    return 0;
}

/* Swaps the two bytes of every 16-bit sample of src (n bytes, even)
 * into dst, eight bytes per step. */
static void
swap16(uint8_t *dst, const uint8_t *src, size_t n)
{
    const uint64_t lo = 0x00ff00ff00ff00ffu;
    size_t i;

    for (i = 0; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, src + i, 8);
        v = ((v & lo) << 8) | ((v >> 8) & lo);
        memcpy(dst + i, &v, 8);
    }
    for (; i + 2 <= n; i += 2) {
        dst[i] = src[i + 1];
        dst[i + 1] = src[i];
    }
}

static int
enc_fail(struct audio_enc *e, struct disc_ctx *ctx)
{
    return e->err ? e->err
                  : disc_error(ctx, DISC_E_AUDIO, "%s: %s", e->path,
                               sndfile.sf_strerror(e->sf));
}

static int
audio_enc_write(void *encp, struct disc_ctx *ctx, const uint8_t *pcm, size_t n)
{
    struct audio_enc *e = encp;
    short s[ENC_SECTORS * 588 * 2];
    size_t done = 0;

    if (e->mode == ENC_RAW)
        return sndfile.sf_write_raw(e->sf, pcm, (sf_count_t)n) == (sf_count_t)n
                   ? 0
                   : enc_fail(e, ctx);
    while (done < n) {
        size_t k = n - done < sizeof s ? n - done : sizeof s, j;
        sf_count_t frames = (sf_count_t)(k / 4);
        if (e->mode == ENC_SWAP) {
            swap16((uint8_t *)s, pcm + done, k);
            if (sndfile.sf_write_raw(e->sf, s, (sf_count_t)k) != (sf_count_t)k)
                return enc_fail(e, ctx);
            done += k;
            continue;
        }
        if (e->mode == ENC_SHORT) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            memcpy(s, pcm + done, k);
#else
            for (j = 0; j < k / 2; j++)
                s[j] = (short)(int16_t)(pcm[done + 2 * j] |
                                        pcm[done + 2 * j + 1] << 8);
#endif
        } else {
            for (j = 0; j < k / 2; j++)
                s[j] = (short)(int16_t)(pcm[done + 2 * j] |
                                        pcm[done + 2 * j + 1] << 8);
        }
        if (sndfile.sf_writef_short(e->sf, s, frames) != frames)
            return enc_fail(e, ctx);
        done += k;
    }
    return 0;
}

/* WAV: the payload without passing through user space where the extents
 * allow (disc_out_copy_sectors).  libsndfile still writes the header and
 * the tags: the first sector goes through it (it writes the header with
 * the tags before its first data), and so does the last, after a seek
 * past the copied ones; it counts frames up to the furthest one written,
 * so the sizes it puts in the header on close are right. */
static int
audio_enc_copy(void *encp, struct disc_ctx *ctx, const struct disc *d,
               disc_lba lba, uint32_t n)
{
    struct audio_enc *e = encp;
    struct disc_copy c;
    uint8_t sec[DISC_SECTOR_RAW];
    sf_count_t last = (sf_count_t)(n - 1) * 588;
    int r;

    if (e->mode != ENC_RAW)
        return 0;
    r = disc_read_sectors(ctx, d, lba, 1, sec, NULL);
    if (r == 0)
        r = audio_enc_write(e, ctx, sec, sizeof sec);
    if (r < 0)
        return r;
    ctx->progress_done++;
    if (n > 2) {
        memset(&c, 0, sizeof c);
        c.main = e->out;
        c.layout = DISC_DATA_RAW;
        r = disc_out_copy_sectors(ctx, d, lba + 1, n - 2, &c);
        if (r < 0)
            return r;
    }
    if (n > 1) {
        r = disc_read_sectors(ctx, d, lba + (disc_lba)(n - 1), 1, sec, NULL);
        if (r < 0)
            return r;
        if (sndfile.sf_seek(e->sf, last, SEEK_SET) != last)
            return enc_fail(e, ctx);
        r = audio_enc_write(e, ctx, sec, sizeof sec);
        if (r < 0)
            return r;
        ctx->progress_done++;
    }
    disc_progress(ctx, ctx->progress_done, ctx->progress_total);
    return 1;
}

static int
audio_enc_close(void *encp, struct disc_ctx *ctx, int ok)
{
    struct audio_enc *e = encp;
    int r = 0, err;

    if (!e)
        return 0;
    if (!ok)
        e->err = DISC_E_IO; /* abandoning: no more writes, no messages */
    err = sndfile.sf_close(e->sf);
    if (ok && e->err)
        r = e->err;
    else if (ok && err)
        r = disc_error(ctx, DISC_E_AUDIO, "%s: %s", e->path,
                       sndfile.sf_error_number(err));
    disc_free_mem(e);
    return r;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

static int
audio_major(const struct disc_format *f)
{
    if (f == &disc_fmt_wav)
        return SF_FORMAT_WAV;
    if (f == &disc_fmt_aiff)
        return SF_FORMAT_AIFF;
    if (f == &disc_fmt_flac)
        return SF_FORMAT_FLAC;
    return 0;
}

int
disc_rip(struct disc_ctx *ctx, const struct disc *d,
         const struct disc_format *container, const char *dir,
         const struct disc_rip_opts *o, struct disc_rip_plan **plan)
{
    struct audio_kind kind = { container ? audio_major(container) : 0 };
    struct disc_rip_sink sink = { audio_enc_open, audio_enc_write,
                                  audio_enc_close, &kind, audio_enc_copy };
    struct disc_rip_plan *p = NULL;
    char ext[8];
    size_t n;
    int r;

    if (plan)
        *plan = NULL;
    if (!kind.major)
        return disc_error(ctx, DISC_E_ARG,
                          "%s is not an audio container "
                          "(wav, aiff, flac)",
                          container ? container->name : "(none)");
    n = strcspn(container->extensions, ",");
    (void)snprintf(ext, sizeof ext, "%.*s", (int)n, container->extensions);
    r = disc_rip_plan_new(ctx, d, dir, ext, o, &p);
    if (r == 0)
        r = disc_rip_run(ctx, p, &sink);
    if (r == 0 && plan)
        *plan = p;
    else
        disc_rip_plan_free(p);
    return r;
}

/* The write hook is a rip with the defaults: every audio track, gaps
 * appended, the CUE sheet; path is the output directory. */
static int
audio_write_as(struct disc_ctx *ctx, const struct disc *d, const char *path,
               const struct disc_write_opts *o, const struct disc_format *self)
{
    struct disc_rip_opts ro;

    memset(&ro, 0, sizeof ro);
    ro.force = o->force;
    ro.allow_lossy = o->allow_lossy;
    ro.strict = o->strict;
    ro.gaps = DISC_GAPS_APPEND;
    return disc_rip(ctx, d, self, path, &ro, NULL);
}

static int
wav_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
          const struct disc_write_opts *o)
{
    return audio_write_as(ctx, d, path, o, &disc_fmt_wav);
}

static int
aiff_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
           const struct disc_write_opts *o)
{
    return audio_write_as(ctx, d, path, o, &disc_fmt_aiff);
}

static int
flac_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
           const struct disc_write_opts *o)
{
    return audio_write_as(ctx, d, path, o, &disc_fmt_flac);
}

static int
audio_probe(const uint8_t *buf, size_t len, int major)
{
    if (len < 12)
        return 0;
    switch (major) {
    case SF_FORMAT_WAV:
        return (!memcmp(buf, "RIFF", 4) || !memcmp(buf, "RF64", 4)) &&
                       !memcmp(buf + 8, "WAVE", 4)
                   ? 100
                   : 0;
    case SF_FORMAT_AIFF:
        return !memcmp(buf, "FORM", 4) && (!memcmp(buf + 8, "AIFF", 4) ||
                                           !memcmp(buf + 8, "AIFC", 4))
                   ? 100
                   : 0;
    default:
        return !memcmp(buf, "fLaC", 4) ? 100 : 0;
    }
}

static int
wav_probe(const uint8_t *buf, size_t len, const char *path)
{
    (void)path;
    return audio_probe(buf, len, SF_FORMAT_WAV);
}

static int
aiff_probe(const uint8_t *buf, size_t len, const char *path)
{
    (void)path;
    return audio_probe(buf, len, SF_FORMAT_AIFF);
}

static int
flac_probe(const uint8_t *buf, size_t len, const char *path)
{
    (void)path;
    return audio_probe(buf, len, SF_FORMAT_FLAC);
}

/* What a rip keeps: the audio of every audio track, and through the
 * rip's CUE sheet its index points (gaps appended by default), ISRC and
 * MCN, first-language CD-TEXT as CUE text commands, hidden track one
 * audio (a track00 file) and REM metadata.  Not kept: data tracks, a
 * second session, subchannel, further CD-TEXT languages, the raw TOC. */
#define AUDIO_CAPS                                                             \
    (DISC_CAP_AUDIO | DISC_CAP_TRACK_FILES | DISC_CAP_INDEXES |                \
     DISC_CAP_ISRC_MCN | DISC_CAP_CDTEXT | DISC_CAP_HTOA | DISC_CAP_META)

const struct disc_format disc_fmt_wav = {
    .name = "wav",
    .description = "WAV audio rip: one file per track plus a CUE sheet",
    .extensions = "wav",
    .caps = AUDIO_CAPS,
    .probe = wav_probe,
    .write = wav_write,
    .open_audio = audio_open,
};

const struct disc_format disc_fmt_aiff = {
    .name = "aiff",
    .description = "AIFF audio rip: one file per track plus a CUE sheet",
    .extensions = "aiff,aif",
    .caps = AUDIO_CAPS,
    .probe = aiff_probe,
    .write = aiff_write,
    .open_audio = audio_open,
};

const struct disc_format disc_fmt_flac = {
    .name = "flac",
    .description = "FLAC audio rip: one file per track plus a CUE sheet",
    .extensions = "flac",
    .caps = AUDIO_CAPS,
    .probe = flac_probe,
    .write = flac_write,
    .open_audio = audio_open,
};
