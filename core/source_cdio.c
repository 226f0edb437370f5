/* source_cdio.c - drives and libcdio's image drivers (cdrdao .toc, Nero
 * .nrg) as discs: TOC import, a positional sector source, paranoia, and
 * the Q-subchannel index scan.  A cdrdao .toc reaches libcdio only
 * through the check and private copy of source_cdio_toc.c.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: MMC-3 (READ TOC formats 2 and 5, READ CD);
 * docs/formats/cd.md; libcdio 2.1 include/cdio (device.h, track.h, cdtext.h,
 * mmc_ll_cmds.h); libcdio-paranoia 10.2 include/cdio/paranoia;
 * docs/formats/cdio.md.
 *
 * The only file of discarc that includes libcdio or libcdio-paranoia
 * headers.  libcdio's "LSN" is discarc's LBA; its "LBA" (LSN + 150) is
 * never used here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cdio/cdio.h>
#include <cdio/cdtext.h>
#include <cdio/logging.h>
#include <cdio/mmc.h>
#include <cdio/mmc_ll_cmds.h>
#include <cdio/paranoia/cdda.h>
#include <cdio/paranoia/paranoia.h>

#include "internal.h"

#define SECTOR_SUBRAW (DISC_SECTOR_RAW + DISC_SECTOR_SUB)
#define SAMPLES 588 /* stereo samples per sector */
#define BATCH 32    /* sectors per low-level read */
#define RETRIES_DEFAULT 5
#define FULLTOC_MAX (4 + 11 * 512)

/* ------------------------------------------------------------------ */
/* libcdio's log                                                       */

/* libcdio logs through one process-wide handler.  The library must not
 * print, so every message is kept (the last one, per thread) and
 * appended to the errors this file reports. */
static _Thread_local char cdsrc_lastlog[160];

static void
cdsrc_log_handler(cdio_log_level_t level, const char *message)
{
    if (level >= CDIO_LOG_WARN && message)
        (void)snprintf(cdsrc_lastlog, sizeof cdsrc_lastlog, "%s",
                       message); /* a long message is cut: still useful */
}

static void
cdsrc_quiet(void)
{
    static _Thread_local int installed;
    if (!installed) {
        cdio_log_set_handler(cdsrc_log_handler);
        installed = 1;
    }
    cdsrc_lastlog[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* The source                                                          */

struct cdsrc {
    struct disc_source base;
    CdIo_t *cdio;
    const struct disc *d; /* the disc that owns this source */
    int image;            /* libcdio image driver, not a drive */
    int swap_audio;       /* cdrdao: audio files are big-endian */
    int one_at_a_time;    /* driver mis-strides multi-sector reads */
    int can_raw;          /* MMC READ CD returns 2352-byte sectors */
    int can_sub;          /* ... and raw P-W subchannel */
    int retries;
    int offset; /* read offset correction, samples */
    void (*report)(void *user, const struct disc_cdio_event *ev);
    void *report_user;
    cdrom_drive_t *cdda; /* paranoia, when requested and usable */
    cdrom_paranoia_t *par;
    disc_lba par_next;       /* sector paranoia will return next */
    disc_lba par_lo, par_hi; /* range given to paranoia_set_range */
    uint8_t *buf;            /* (BATCH + 2) * 2448 bytes */
};

static void
cdsrc_close(struct disc_source *base)
{
    struct cdsrc *s = (struct cdsrc *)base;

    if (s->par)
        cdio_paranoia_free(s->par);
    if (s->cdda)
        cdio_cddap_close_no_free_cdio(s->cdda);
    if (s->cdio)
        cdio_destroy(s->cdio);
    disc_free_mem(s->buf);
    disc_free_mem(s->base.name);
    disc_free_mem(s);
}

/* Tells the caller about one sector; returns 1 when a callback took it
 * (the read goes on, zero-filled), 0 when nobody listens (the read must
 * fail instead: the library never hides a bad sector). */
static int
cdsrc_event(struct cdsrc *s, disc_lba lba, enum disc_cdio_status st,
            int attempts, const char *what)
{
    struct disc_cdio_event ev;
    int t;

    if (!s->report)
        return 0;
    t = s->d ? disc_track_at(s->d, lba) : -1;
    ev.lba = lba;
    ev.track = t >= 0 ? s->d->track[t].number : 0;
    ev.status = st;
    ev.attempts = attempts;
    ev.what = what;
    s->report(s->report_user, &ev);
    return 1;
}

/* One libcdio read of n sectors of the given kind into out (raw 2352
 * bytes per sector for audio and raw reads; cooked sizes otherwise). */
enum cdsrc_kind {
    KIND_AUDIO,  /* CD-DA, 2352 */
    KIND_RAW,    /* MMC READ CD, 2352 */
    KIND_RAWSUB, /* MMC READ CD with raw P-W, 2448 */
    KIND_MODE1,  /* 2048 user bytes */
    KIND_MODE2   /* 2336 bytes after the header */
};

static size_t
cdsrc_kind_size(enum cdsrc_kind k)
{
    switch (k) {
    case KIND_MODE1:
        return 2048;
    case KIND_MODE2:
        return 2336;
    case KIND_RAWSUB:
        return SECTOR_SUBRAW;
    case KIND_AUDIO:
    case KIND_RAW:
        break;
    }
    return DISC_SECTOR_RAW;
}

/* One libcdio read of n sectors of kind k at lba into out. */
static int
cdsrc_driver_read(struct cdsrc *s, enum cdsrc_kind k, disc_lba lba, uint32_t n,
                  uint8_t *out)
{
    driver_return_code_t rc = DRIVER_OP_ERROR;

    switch (k) {
    case KIND_AUDIO:
        rc = cdio_read_audio_sectors(s->cdio, out, lba, n);
        break;
    case KIND_RAW:
        rc = mmc_read_cd(s->cdio, out, lba, 0, false, true, 3, true, true, 0, 0,
                         DISC_SECTOR_RAW, n);
        break;
    case KIND_RAWSUB:
        rc = mmc_read_cd(s->cdio, out, lba, 0, false, true, 3, true, true, 0, 1,
                         SECTOR_SUBRAW, n);
        break;
    case KIND_MODE1:
        rc = cdio_read_mode1_sectors(s->cdio, out, lba, false, n);
        break;
    case KIND_MODE2:
        rc = cdio_read_mode2_sectors(s->cdio, out, lba, true, n);
        break;
    }
    return rc == DRIVER_OP_SUCCESS ? 0 : -1;
}

static int
cdsrc_lowread(struct cdsrc *s, enum cdsrc_kind k, disc_lba lba, uint32_t n,
              uint8_t *out)
{
    size_t sz = cdsrc_kind_size(k);
    uint32_t i;

    if (lba < 0)
        return -1; /* libcdio images start at LSN 0 */
    /* Short reads from image files leave the tail untouched: make it
     * zeros rather than stale bytes. */
    memset(out, 0, (size_t)n * sz);
    if (s->one_at_a_time && n > 1 && k != KIND_AUDIO) {
        for (i = 0; i < n; i++) {
            uint8_t *p = out + i * sz;
            if (cdsrc_driver_read(s, k, lba + (disc_lba)i, 1, p) < 0)
                return -1;
        }
        return 0;
    }
    return cdsrc_driver_read(s, k, lba, n, out);
}

/* Reads n sectors, retrying sector by sector after a failed batch.
 * Sectors that stay unreadable are zero-filled and reported; without a
 * report callback they fail the read. */
static int
cdsrc_read_retry(struct disc_ctx *ctx, struct cdsrc *s, enum cdsrc_kind k,
                 disc_lba lba, uint32_t n, uint8_t *out)
{
    size_t sz = cdsrc_kind_size(k);
    uint32_t i;
    int a;

    if (cdsrc_lowread(s, k, lba, n, out) == 0)
        return 0;
    for (i = 0; i < n; i++) {
        uint8_t *p = out + i * sz;
        disc_lba l = lba + (disc_lba)i;
        int ok = 0;

        /* Images do not get better by asking again. */
        int tries = s->image ? 1 : s->retries + 1;
        for (a = 1; a <= tries && !ok; a++)
            ok = cdsrc_lowread(s, k, l, 1, p) == 0;
        if (ok && a > 2)
            cdsrc_event(s, l, DISC_CDIO_RETRIED, a - 1, "read error");
        if (ok)
            continue;
        memset(p, 0, sz);
        if (!cdsrc_event(s, l, DISC_CDIO_UNREADABLE, a - 1, "read error"))
            return disc_error(ctx, DISC_E_DRIVE,
                              "%s: cannot read LBA %d "
                              "(%s)%s%s",
                              s->base.name, l,
                              k == KIND_AUDIO ? "audio" : "data",
                              cdsrc_lastlog[0] ? ": " : "", cdsrc_lastlog);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Audio: paranoia and the read offset                                 */

/* paranoia's callback has no user pointer: the source being read is
 * kept per thread for the duration of one cdio_paranoia_read call. */
static _Thread_local int cdsrc_par_worst;

static void
cdsrc_par_cb(long inpos, paranoia_cb_mode_t mode)
{
    int sev = 0;
    (void)inpos;
    switch (mode) {
    case PARANOIA_CB_READERR:
    case PARANOIA_CB_FIXUP_EDGE:
    case PARANOIA_CB_FIXUP_ATOM:
    case PARANOIA_CB_FIXUP_DROPPED:
    case PARANOIA_CB_FIXUP_DUPED:
    case PARANOIA_CB_DRIFT:
        sev = 1;
        break;
    case PARANOIA_CB_SKIP:
        sev = 2;
        break;
    default:
        break;
    }
    if (sev > cdsrc_par_worst)
        cdsrc_par_worst = sev;
}

/* Reads audio sectors [lba, lba+n) (all inside [lo, hi)) through
 * paranoia into out. */
static int
cdsrc_par_read(struct disc_ctx *ctx, struct cdsrc *s, disc_lba lba, uint32_t n,
               disc_lba lo, disc_lba hi, uint8_t *out)
{
    uint32_t i;

    if (lba != s->par_next || lo != s->par_lo || hi != s->par_hi) {
        /* seek drops paranoia's cached root; set_range then positions
         * the cursor without consulting libcdio's track table (which
         * need not match the model, see docs/formats/cdio.md). */
        cdio_paranoia_seek(s->par, lba, SEEK_SET);
        cdio_paranoia_set_range(s->par, lba, hi - 1);
        s->par_lo = lo;
        s->par_hi = hi;
    }
    for (i = 0; i < n; i++) {
        int16_t *p;
        disc_lba l = lba + (disc_lba)i;

        cdsrc_par_worst = 0;
        p = cdio_paranoia_read_limited(s->par, cdsrc_par_cb, s->retries);
        if (!p) {
            s->par_next = -1;
            memset(out + (size_t)i * DISC_SECTOR_RAW, 0, DISC_SECTOR_RAW);
            if (!cdsrc_event(s, l, DISC_CDIO_UNREADABLE, s->retries,
                             "paranoia: read failed"))
                return disc_error(ctx, DISC_E_DRIVE,
                                  "%s: paranoia could "
                                  "not read LBA %d",
                                  s->base.name, l);
            /* paranoia cannot continue from a failed read: reposition */
            cdio_paranoia_seek(s->par, l + 1, SEEK_SET);
            cdio_paranoia_set_range(s->par, l + 1, hi - 1);
            continue;
        }
        memcpy(out + (size_t)i * DISC_SECTOR_RAW, p, DISC_SECTOR_RAW);
        if (cdsrc_par_worst == 2 &&
            !cdsrc_event(s, l, DISC_CDIO_UNREADABLE, s->retries,
                         "paranoia: gave up, data may be wrong"))
            return disc_error(ctx, DISC_E_DRIVE,
                              "%s: paranoia gave up on "
                              "LBA %d",
                              s->base.name, l);
        if (cdsrc_par_worst == 1)
            cdsrc_event(s, l, DISC_CDIO_RETRIED, 0, "paranoia: corrected");
    }
    s->par_next = lba + (disc_lba)n;
    return 0;
}

/* The readable run of audio sectors around lba: consecutive audio
 * tracks of lba's session, pregaps included. */
static void
cdsrc_audio_run(const struct disc *d, disc_lba lba, disc_lba *lo, disc_lba *hi)
{
    int t = disc_track_at(d, lba), a = t, b = t;

    while (a > 0 && d->track[a - 1].mode == DISC_MODE_AUDIO &&
           d->track[a - 1].session == d->track[t].session)
        a--;
    while (b + 1 < d->ntracks && d->track[b + 1].mode == DISC_MODE_AUDIO &&
           d->track[b + 1].session == d->track[t].session)
        b++;
    *lo = d->track[a].index[0];
    *hi = disc_track_end(d, b);
}

/* n (<= BATCH) audio sectors from lba, shifted by the read offset:
 * output sample k of the disc is drive sample k + offset.  Samples that
 * fall outside the audio run are silence. */
static int
cdsrc_read_audio(struct disc_ctx *ctx, struct cdsrc *s, disc_lba lba,
                 uint32_t n, uint8_t *out)
{
    disc_lba lo, hi, first, last, a, b;
    int64_t start = (int64_t)lba * SAMPLES + s->offset;
    int64_t shift;
    int r;

    cdsrc_audio_run(s->d, lba, &lo, &hi);
    first = (disc_lba)((start >= 0 ? start : start - (SAMPLES - 1)) / SAMPLES);
    last = (disc_lba)((start + (int64_t)n * SAMPLES - 1 >= 0
                           ? start + (int64_t)n * SAMPLES - 1
                           : start + (int64_t)n * SAMPLES - SAMPLES) /
                      SAMPLES);
    shift = (start - (int64_t)first * SAMPLES) * 4; /* bytes */
    memset(s->buf, 0, (size_t)(last - first + 1) * DISC_SECTOR_RAW);
    a = first < lo ? lo : first;
    b = last >= hi ? hi - 1 : last;
    if (a <= b) {
        uint8_t *p = s->buf + (size_t)(a - first) * DISC_SECTOR_RAW;
        if (s->par)
            r = cdsrc_par_read(ctx, s, a, (uint32_t)(b - a + 1), lo, hi, p);
        else
            r = cdsrc_read_retry(ctx, s, s->can_raw ? KIND_RAW : KIND_AUDIO, a,
                                 (uint32_t)(b - a + 1), p);
        if (r < 0)
            return r;
        if (s->swap_audio)
            disc_swap16(p, (size_t)(b - a + 1) * DISC_SECTOR_RAW);
    }
    memcpy(out, s->buf + shift, (size_t)n * DISC_SECTOR_RAW);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Data and subchannel                                                 */

static int
cdsrc_read_data(struct disc_ctx *ctx, struct cdsrc *s, disc_lba lba, uint32_t n,
                enum disc_track_mode mode, uint8_t *out)
{
    enum cdsrc_kind k;
    enum disc_data_layout l;
    uint32_t i;
    int r;

    if (s->can_raw)
        return cdsrc_read_retry(ctx, s, KIND_RAW, lba, n, out);
    if (mode == DISC_MODE_MODE1) {
        k = KIND_MODE1;
        l = DISC_DATA_MODE1;
    } else {
        k = KIND_MODE2;
        l = DISC_DATA_MODE2;
    }
    r = cdsrc_read_retry(ctx, s, k, lba, n, s->buf);
    if (r < 0)
        return r;
    /* Cooked bytes back to raw sectors: sync, header (and for Mode 1 the
     * EDC/ECC) regenerated by the core's sector codec. */
    for (i = 0; i < n; i++)
        disc_sector_from_cooked(out + (size_t)i * DISC_SECTOR_RAW,
                                lba + (disc_lba)i, l,
                                s->buf + i * cdsrc_kind_size(k));
    return 0;
}

static int
cdsrc_read_sub(struct disc_ctx *ctx, struct cdsrc *s, disc_lba lba, uint32_t n,
               uint8_t *sub)
{
    uint32_t i;
    int r;

    if (!s->can_sub)
        return disc_sub_synth(ctx, s->d, lba, n, sub);
    r = cdsrc_read_retry(ctx, s, KIND_RAWSUB, lba, n, s->buf);
    if (r < 0)
        return r;
    for (i = 0; i < n; i++)
        disc_sub_deinterleave(s->buf + (size_t)i * SECTOR_SUBRAW +
                                  DISC_SECTOR_RAW,
                              sub + (size_t)i * DISC_SECTOR_SUB);
    return 0;
}

static int
cdsrc_read_run(struct disc_ctx *ctx, struct cdsrc *s, disc_lba lba,
               uint32_t count, uint8_t *main, uint8_t *sub)
{
    struct disc_source *base = &s->base;
    uint32_t done = 0;
    int r;

    while (done < count) {
        disc_lba l = lba + (disc_lba)done;
        int t = disc_track_at(s->d, l);
        uint32_t n = count - done;
        uint8_t *m = main ? main + (size_t)done * DISC_SECTOR_RAW : NULL;
        uint8_t *q = sub ? sub + (size_t)done * DISC_SECTOR_SUB : NULL;

        if (t < 0)
            return disc_error(ctx, DISC_E_RANGE,
                              "%s: LBA %d is in no "
                              "track",
                              base->name, l);
        if ((int64_t)l + n > disc_track_end(s->d, t))
            n = (uint32_t)(disc_track_end(s->d, t) - l);
        if (n > BATCH)
            n = BATCH;
        r = 0;
        if (m)
            r = s->d->track[t].mode == DISC_MODE_AUDIO
                    ? cdsrc_read_audio(ctx, s, l, n, m)
                    : cdsrc_read_data(ctx, s, l, n, s->d->track[t].mode, m);
        if (r == 0 && q)
            r = cdsrc_read_sub(ctx, s, l, n, q);
        if (r < 0)
            return r;
        done += n;
    }
    return 0;
}

static int
cdsrc_read_sectors(struct disc_ctx *ctx, struct disc_source *base, disc_lba lba,
                   uint32_t count, uint8_t *main, uint8_t *sub)
{
    struct cdsrc *s = (struct cdsrc *)base;

    cdsrc_quiet();
    return cdsrc_read_run(ctx, s, lba, count, main, sub);
}

static const struct disc_source_ops cdsrc_ops = {
    .name = "libcdio",
    .pread = NULL,
    .read_sectors = cdsrc_read_sectors,
    .close = cdsrc_close,
};

/* ------------------------------------------------------------------ */
/* TOC import                                                          */

static enum disc_track_mode
cdsrc_mode(track_format_t f, int green, int image)
{
    switch (f) {
    case TRACK_FORMAT_AUDIO:
        return DISC_MODE_AUDIO;
    case TRACK_FORMAT_DATA:
        return DISC_MODE_MODE1;
    case TRACK_FORMAT_XA:
        /* A drive's TOC says XA for every data track of a CD-ROM XA
         * disc (and libcdio's Linux "green" is the copy bit), so a drive
         * XA track is Mode 2 with per-sector forms.  The image drivers
         * set green only for cdrdao MODE2_FORM_MIX/MODE2_RAW and Nero
         * Mode 2 raw tracks; their other XA tracks are cdrdao MODE2,
         * MODE2_FORM1 or MODE2_FORM2, which libcdio does not tell apart:
         * formless Mode 2 describes all three. */
        return image && !green ? DISC_MODE_MODE2 : DISC_MODE_MODE2_MIXED;
    case TRACK_FORMAT_CDI:
    case TRACK_FORMAT_PSX:
        return DISC_MODE_MODE2_MIXED;
    case TRACK_FORMAT_ERROR:
        break;
    }
    return DISC_MODE_MODE1;
}

/* MMC READ TOC format 2 (full TOC).  Returns the number of descriptors
 * (0 when the driver cannot send MMC commands). */
static int
cdsrc_full_toc(CdIo_t *p, uint8_t *buf, size_t len)
{
    mmc_cdb_t cdb;
    unsigned n;

    memset(&cdb, 0, sizeof cdb);
    memset(buf, 0, len);
    CDIO_MMC_SET_COMMAND(cdb.field, CDIO_MMC_GPCMD_READ_TOC);
    cdb.field[1] = 0x02; /* MSF */
    cdb.field[2] = 0x02; /* format 2: full TOC */
    CDIO_MMC_SET_READ_LENGTH16(cdb.field, len);
    if (mmc_run_cmd(p, 0, &cdb, SCSI_MMC_DATA_READ, (unsigned)len, buf) !=
        DRIVER_OP_SUCCESS)
        return 0;
    n = ((unsigned)buf[0] << 8 | buf[1]);
    if (n < 2)
        return 0;
    n = (n - 2) / 11;
    if (4 + n * 11 > len)
        n = (unsigned)((len - 4) / 11);
    return (int)n;
}

/* Sessions, lead-outs, CONTROL and the raw TOC from the drive's full
 * TOC.  Returns 1 when used, 0 when not available. */
static int
cdsrc_import_full_toc(struct disc_ctx *ctx, CdIo_t *p, struct disc *d)
{
    uint8_t buf[FULLTOC_MAX];
    struct disc_rawtoc e[512];
    int n = cdsrc_full_toc(p, buf, sizeof buf), i, j, ns = 0;

    if (n <= 0)
        return 0;
    for (i = 0; i < n; i++) {
        const uint8_t *x = buf + 4 + (size_t)i * 11;
        e[i].session = x[0];
        e[i].adr = x[1] >> 4;
        e[i].control = x[1] & 0x0F;
        e[i].tno = x[2];
        e[i].point = x[3];
        e[i].min = x[4];
        e[i].sec = x[5];
        e[i].frame = x[6];
        e[i].zero = x[7];
        e[i].pmin = x[8];
        e[i].psec = x[9];
        e[i].pframe = x[10];
    }
    for (i = 0; i < n; i++) {
        struct disc_msf m = { e[i].pmin, e[i].psec, e[i].pframe };
        int sn = e[i].session;
        if (e[i].adr != 1 || sn < 1 || sn > DISC_MAX_SESSIONS)
            continue;
        if (sn > ns)
            ns = sn;
        if (e[i].point == 0xA0) {
            d->session[sn - 1].first_track = e[i].pmin;
            d->session[sn - 1].type = e[i].psec;
        } else if (e[i].point == 0xA1) {
            d->session[sn - 1].last_track = e[i].pmin;
        } else if (e[i].point == 0xA2) {
            d->session[sn - 1].leadout = disc_msf_to_lba(m);
        } else if (e[i].point >= 1 && e[i].point <= 99) {
            for (j = 0; j < d->ntracks; j++)
                if (d->track[j].number == e[i].point) {
                    d->track[j].session = (uint8_t)sn;
                    d->track[j].control = e[i].control;
                }
        }
    }
    if (ns < 1)
        return 0;
    for (i = 0; i < ns; i++)
        d->session[i].number = (uint8_t)(i + 1);
    d->nsessions = (uint8_t)ns;
    return disc_set_rawtoc(ctx, d, e, (uint16_t)n) < 0 ? -1 : 1;
}

/* Sessions without a full TOC: libcdio's last-session LSN splits the
 * disc in two at most; the first lead-out is estimated (Red Book gap). */
static void
cdsrc_sessions_simple(struct disc_ctx *ctx, CdIo_t *p, struct disc *d,
                      disc_lba leadout, int image)
{
    lsn_t last = 0;
    int i, split = 0;

    if (!image && cdio_get_last_session(p, &last) == DRIVER_OP_SUCCESS &&
        last > 0)
        for (i = 1; i < d->ntracks; i++)
            if (d->track[i].index[1] == last)
                split = i;
    d->nsessions = split ? 2 : 1;
    d->session[0].number = 1;
    d->session[0].first_track = d->track[0].number;
    d->session[0].last_track =
        d->track[split ? split - 1 : d->ntracks - 1].number;
    d->session[0].leadout = split ? last - DISC_SESSION_GAP : leadout;
    if (split) {
        d->session[1].number = 2;
        d->session[1].first_track = d->track[split].number;
        d->session[1].last_track = d->track[d->ntracks - 1].number;
        d->session[1].leadout = leadout;
        disc_warn(ctx,
                  "no full TOC: session 1 lead-out estimated at LBA "
                  "%d (Red Book gap)",
                  d->session[0].leadout);
    }
    for (i = 0; i < d->ntracks; i++)
        d->track[i].session = (uint8_t)(split && i >= split ? 2 : 1);
}

static const cdtext_field_t cdsrc_cdt_fields[] = {
    CDTEXT_FIELD_TITLE,    CDTEXT_FIELD_PERFORMER, CDTEXT_FIELD_SONGWRITER,
    CDTEXT_FIELD_COMPOSER, CDTEXT_FIELD_ARRANGER,  CDTEXT_FIELD_MESSAGE,
    CDTEXT_FIELD_DISCID,   CDTEXT_FIELD_GENRE,     CDTEXT_FIELD_ISRC,
    CDTEXT_FIELD_UPC_EAN,
};
static const enum disc_cdtext_field cdsrc_our_fields[] = {
    DISC_CDTEXT_TITLE,    DISC_CDTEXT_PERFORMER, DISC_CDTEXT_SONGWRITER,
    DISC_CDTEXT_COMPOSER, DISC_CDTEXT_ARRANGER,  DISC_CDTEXT_MESSAGE,
    DISC_CDTEXT_DISCID,   DISC_CDTEXT_GENRE,     DISC_CDTEXT_UPC_ISRC,
    DISC_CDTEXT_UPC_ISRC,
};

/* CD-TEXT: raw packs when the driver gives them (drives: READ TOC
 * format 5, with its 4-byte header), else libcdio's decoded blocks. */
static int
cdsrc_import_cdtext(struct disc_ctx *ctx, CdIo_t *p, struct disc *d)
{
    uint8_t *raw = cdio_get_cdtext_raw(p);
    cdtext_t *ct;
    cdtext_lang_t *langs;
    int i, b = 0, r = 0;

    if (raw) {
        size_t len = (size_t)(raw[0] << 8 | raw[1]);
        len = len >= 2 ? len - 2 : 0;
        len -= len % 18;
        if (len) {
            r = disc_set_cdtext_raw(ctx, d, raw + 4, len);
            if (r == 0)
                r = disc_cdtext_decode(ctx, d, raw + 4, len);
        }
        cdio_free(raw);
        if (len)
            return r;
    }
    ct = cdio_get_cdtext(p);
    if (!ct)
        return 0;
    langs = cdtext_list_languages_v2(ct);
    for (i = 0; langs && i < 8 && b < DISC_CDTEXT_MAX_BLOCKS; i++) {
        int t, f, any = 0, first, last;
        if (langs[i] == CDTEXT_LANGUAGE_BLOCK_UNUSED ||
            langs[i] == CDTEXT_LANGUAGE_INVALID)
            continue;
        if (!cdtext_set_language_index(ct, i))
            continue;
        first = cdtext_get_first_track(ct);
        last = cdtext_get_last_track(ct);
        if (first < 1 || last < first) {
            first = d->track[0].number;
            last = d->track[d->ntracks - 1].number;
        }
        for (t = 0; t <= last; t++) {
            if (t && t < first)
                continue;
            for (f = 0; f < (int)(sizeof cdsrc_cdt_fields /
                                  sizeof cdsrc_cdt_fields[0]);
                 f++) {
                const char *v;
                if ((cdsrc_cdt_fields[f] == CDTEXT_FIELD_ISRC && t == 0) ||
                    (cdsrc_cdt_fields[f] == CDTEXT_FIELD_UPC_EAN && t != 0))
                    continue;
                v = cdtext_get_const(ct, cdsrc_cdt_fields[f], (track_t)t);
                if (!v || !*v)
                    continue;
                r = disc_cdtext_set(ctx, d, b, t, cdsrc_our_fields[f], v);
                if (r < 0)
                    return r;
                any = 1;
            }
        }
        if (any) {
            d->cdtext[b]->language = (uint8_t)langs[i];
            d->cdtext[b]->genre = (uint16_t)cdtext_get_genre(ct);
            b++;
        }
    }
    return 0;
}

/* Opens the libcdio object for path. */
static int
cdsrc_open_cdio(struct disc_ctx *ctx, const char *path, const char *lpath,
                enum disc_cdio_driver drv, CdIo_t **out)
{
    static const driver_id_t ids[] = { DRIVER_DEVICE, DRIVER_CDRDAO,
                                       DRIVER_NRG };
    struct stat st;
    CdIo_t *p;
    char *def = NULL;

    *out = NULL;
    if (lpath && stat(lpath, &st) != 0)
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    if (drv == DISC_CDIO_DEVICE && !path) {
        driver_id_t id = DRIVER_DEVICE;
        def = cdio_get_default_device_driver(&id);
        if (!def)
            return disc_error(ctx, DISC_E_DRIVE, "no CD drive found");
    }
    p = cdio_open(lpath ? lpath : def, ids[drv]);
    if (!p) {
        int r;
        if (drv == DISC_CDIO_DEVICE)
            r = disc_error(ctx, DISC_E_DRIVE,
                           "%s: cannot open as a CD "
                           "drive%s%s",
                           path ? path : def, cdsrc_lastlog[0] ? ": " : "",
                           cdsrc_lastlog);
        else
            r = disc_error(ctx, DISC_E_FORMAT,
                           "%s: libcdio's %s driver "
                           "rejects it%s%s",
                           path, drv == DISC_CDIO_TOC ? "cdrdao" : "nrg",
                           cdsrc_lastlog[0] ? ": " : "", cdsrc_lastlog);
        cdio_free(def);
        return r;
    }
    cdio_free(def);
    *out = p;
    return 0;
}

/* Paranoia for audio reads, when asked for and the disc allows it. */
static void
cdsrc_paranoia(struct disc_ctx *ctx, struct cdsrc *s, int level)
{
    int mode = level >= 2 ? PARANOIA_MODE_FULL ^ PARANOIA_MODE_NEVERSKIP
                          : PARANOIA_MODE_OVERLAP;
    int r;

    s->cdda = cdio_cddap_identify_cdio(s->cdio, CDDA_MESSAGE_FORGETIT, NULL);
    if (!s->cdda) {
        disc_warn(ctx,
                  "paranoia unavailable for %s: libcdio-paranoia "
                  "does not accept it; reading without it",
                  s->base.name);
        return;
    }
    /* discarc does its own byte order (cdrdao) and offset handling:
     * paranoia must neither guess the endianness nor swap. */
    s->cdda->bigendianp = 0;
    s->cdda->b_swap_bytes = false;
    r = cdio_cddap_open(s->cdda);
    if (r != 0) {
        disc_warn(ctx,
                  "paranoia unavailable for %s: libcdio-paranoia "
                  "refuses the disc (error %d%s); reading without it",
                  s->base.name, r,
                  r == -9 ? ": libcdio's table of contents starts before "
                            "LSN 0"
                          : "");
        cdio_cddap_close_no_free_cdio(s->cdda);
        s->cdda = NULL;
        return;
    }
    s->par = cdio_paranoia_init(s->cdda);
    if (!s->par) {
        cdio_cddap_close_no_free_cdio(s->cdda);
        s->cdda = NULL;
        return;
    }
    cdio_paranoia_modeset(s->par, mode);
    s->par_next = -1;
    disc_info(ctx, "%s: audio through libcdio-paranoia (%s mode)", s->base.name,
              level >= 2 ? "full" : "overlap");
}

/* Drive capability: READ CD with raw P-W, then without subchannel. */
static void
cdsrc_probe_raw(struct cdsrc *s, disc_lba lba)
{
    if (s->image)
        return;
    if (cdsrc_lowread(s, KIND_RAWSUB, lba, 1, s->buf) == 0) {
        uint8_t lin[DISC_SECTOR_SUB];
        disc_sub_deinterleave(s->buf + DISC_SECTOR_RAW, lin);
        s->can_raw = 1;
        s->can_sub = disc_q_crc_ok(lin + 12);
        if (s->can_sub)
            return;
    }
    s->can_raw = cdsrc_lowread(s, KIND_RAW, lba, 1, s->buf) == 0;
}

static int
cdsrc_q_at(void *user, disc_lba lba, uint8_t *q)
{
    struct cdsrc *s = user;
    uint8_t lin[DISC_SECTOR_SUB];

    if (cdsrc_lowread(s, KIND_RAWSUB, lba, 1, s->buf) != 0)
        return 1; /* unreadable: the scan probes a neighbour */
    disc_sub_deinterleave(s->buf + DISC_SECTOR_RAW, lin);
    memcpy(q, lin + 12, 12);
    return 0;
}

/* Reads the first and the last sector of every track, so that a TOC
 * libcdio cannot serve is refused now rather than half-way through a
 * conversion. */
static int
cdsrc_check_readable(struct disc_ctx *ctx, struct cdsrc *s, const char *path)
{
    uint8_t raw[DISC_SECTOR_RAW];
    int i;

    for (i = 0; i < s->d->ntracks; i++) {
        const struct disc_track *t = &s->d->track[i];
        disc_lba ends[2];
        int k;
        ends[0] = t->index[0];
        ends[1] = disc_track_end(s->d, i) - 1;
        for (k = 0; k < 2; k++) {
            int r;
            cdsrc_lastlog[0] = '\0';
            r = t->mode == DISC_MODE_AUDIO
                    ? cdsrc_lowread(s, KIND_AUDIO, ends[k], 1, raw)
                    : cdsrc_lowread(s,
                                    t->mode == DISC_MODE_MODE1 ? KIND_MODE1
                                                               : KIND_MODE2,
                                    ends[k], 1, raw);
            if (r < 0)
                return disc_error(ctx, DISC_E_FORMAT,
                                  "%s: libcdio cannot read LSN %d of track "
                                  "%d (its data file is missing or too "
                                  "short for the TOC)%s%s",
                                  path, ends[k], t->number,
                                  cdsrc_lastlog[0] ? ": " : "", cdsrc_lastlog);
        }
    }
    return 0;
}

/* The tracks of libcdio's TOC: starts, modes, CONTROL, ISRC, the pregaps
 * libcdio knows; *leadout gets the last lead-out. */
static int
cdsrc_import_tracks(struct disc_ctx *ctx, struct cdsrc *s, struct disc *d,
                    lsn_t *leadout)
{
    CdIo_t *p = s->cdio;
    track_t first = cdio_get_first_track_num(p), ntr;
    int i;

    ntr = cdio_get_num_tracks(p);
    if (first == CDIO_INVALID_TRACK || ntr == CDIO_INVALID_TRACK || ntr == 0)
        return disc_error(ctx, s->image ? DISC_E_FORMAT : DISC_E_DRIVE,
                          "%s: %s", s->base.name,
                          s->image ? "libcdio finds no tracks"
                                   : "no disc in the drive, or the drive "
                                     "is not ready");
    if (first < 1 || first + ntr - 1 > DISC_MAX_TRACKS)
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: tracks %d-%d out of "
                          "range",
                          s->base.name, first, first + ntr - 1);
    *leadout = cdio_get_track_lsn(p, CDIO_CDROM_LEADOUT_TRACK);
    d->ntracks = (uint8_t)ntr;
    for (i = 0; i < ntr; i++) {
        struct disc_track *t = &d->track[i];
        track_t tn = (track_t)(first + i);
        lsn_t lsn = cdio_get_track_lsn(p, tn);
        track_format_t f = cdio_get_track_format(p, tn);
        char *isrc;

        t->number = (uint8_t)tn;
        t->mode = cdsrc_mode(f, cdio_get_track_green(p, tn), s->image);
        if (lsn == CDIO_INVALID_LSN)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: libcdio gives no "
                              "start for track %d",
                              s->base.name, tn);
        if (lsn < 0 && i == 0 && s->image) {
            /* libcdio's cdrdao driver puts the first track before the
             * image (it reads a DATAFILE length as a start time, and a
             * SILENCE track at -150), yet reads sector n of the image
             * at byte n * 2352 of the data file: start it at LSN 0. */
            disc_warn(ctx,
                      "%s: libcdio places track %d at LSN %d, before "
                      "the image; reading it from LSN 0",
                      s->base.name, tn, lsn);
            lsn = 0;
        }
        t->index[1] = lsn;
        t->index[0] = lsn;
        t->last_index = 1;
        if (t->mode != DISC_MODE_AUDIO)
            t->control |= DISC_CTL_DATA;
        if (cdio_get_track_copy_permit(p, tn) == CDIO_TRACK_FLAG_TRUE)
            t->control |= DISC_CTL_COPY;
        if (t->mode == DISC_MODE_AUDIO) {
            if (cdio_get_track_preemphasis(p, tn) == CDIO_TRACK_FLAG_TRUE)
                t->control |= DISC_CTL_PREEMPH;
            if (cdio_get_track_channels(p, tn) == 4)
                t->control |= DISC_CTL_4CH;
        }
        isrc = cdio_get_track_isrc(p, tn);
        if (isrc && disc_valid_isrc(isrc))
            memcpy(t->isrc, isrc, 13);
        else if (isrc && *isrc)
            disc_warn(ctx, "track %d: ignoring invalid ISRC \"%s\"", tn, isrc);
        cdio_free(isrc);
    }
    for (i = 0; i < ntr; i++) {
        struct disc_track *t = &d->track[i];
        disc_lba next = i + 1 < ntr ? d->track[i + 1].index[1] : *leadout;
        if (next <= t->index[1])
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: libcdio's TOC is not usable: track %d "
                              "starts at LSN %d but %s at LSN %d",
                              s->base.name, t->number, t->index[1],
                              i + 1 < ntr ? "the next track starts"
                                          : "the lead-out is",
                              next);
    }
    /* Pregaps libcdio knows (Nero's INDEX 00, cdrdao START); a value
     * outside the gap before the track is one of the cdrdao driver's
     * lengths-taken-for-addresses and is ignored. */
    for (i = 0; i < ntr; i++) {
        struct disc_track *t = &d->track[i];
        lsn_t pg = cdio_get_track_pregap_lsn(p, t->number);
        disc_lba lo = i ? d->track[i - 1].index[1] + 1 : 0;
        if (pg == CDIO_INVALID_LSN || pg >= t->index[1])
            continue;
        if (pg >= lo)
            t->index[0] = pg;
    }
    /* HTOA: audio before track 1's INDEX 01 belongs to its pregap. */
    if (d->track[0].index[1] > 0 && !s->image)
        d->track[0].index[0] = 0;
    if (s->image && d->track[0].index[0] > 0 &&
        d->track[0].index[0] == d->track[0].index[1])
        d->track[0].index[0] = 0;
    return 0;
}

/* One extent per session: our LBA is libcdio's LSN. */
static int
cdsrc_map_sessions(struct disc_ctx *ctx, struct cdsrc *s, struct disc *d)
{
    struct disc_extent e;
    int i, r;

    for (i = 0; i < d->nsessions; i++) {
        int a = disc_track_find(d, d->session[i].first_track);
        if (a < 0)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: session %d has no "
                              "tracks",
                              s->base.name, i + 1);
        memset(&e, 0, sizeof e);
        e.lba = d->track[a].index[0];
        e.count = (uint32_t)(d->session[i].leadout - e.lba);
        e.src = &s->base;
        e.offset = e.lba;
        e.data = DISC_DATA_SECTORS;
        e.sub = DISC_SUBL_NONE;
        if (d->session[i].leadout <= e.lba)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: session %d: lead-out "
                              "LSN %d is not after its first track",
                              s->base.name, i + 1, d->session[i].leadout);
        r = disc_extent_add(ctx, d, &e);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
cdsrc_open(struct disc_ctx *ctx, const char *path, const char *lpath,
           const struct disc_cdio_opts *o, struct disc *d)
{
    struct cdsrc *s = NULL;
    CdIo_t *p = NULL;
    lsn_t leadout = 0;
    char *mcn;
    int i, r, full;

    r = cdsrc_open_cdio(ctx, path, lpath, o->driver, &p);
    if (r < 0)
        return r;
    s = disc_calloc(1, sizeof *s);
    if (!s) {
        cdio_destroy(p);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    s->base.ops = &cdsrc_ops;
    s->base.size = -1;
    s->cdio = p;
    s->image = o->driver != DISC_CDIO_DEVICE;
    s->swap_audio = o->driver == DISC_CDIO_TOC;
    s->one_at_a_time = o->driver == DISC_CDIO_TOC;
    s->retries = o->retries > 0 ? o->retries : RETRIES_DEFAULT;
    s->offset = o->offset_samples;
    s->report = o->report;
    s->report_user = o->report_user;
    s->base.name = disc_strdup(path ? path : cdio_get_arg(p, "source"));
    s->buf = disc_malloc((size_t)(BATCH + 2) * SECTOR_SUBRAW);
    if (!s->base.name || !s->buf) {
        cdsrc_close(&s->base);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    /* From here on the disc owns the source (and libcdio's object). */
    disc_source_attach(d, &s->base);
    s->d = d;

    r = cdsrc_import_tracks(ctx, s, d, &leadout);
    if (r < 0)
        return r;
    full = s->image ? 0 : cdsrc_import_full_toc(ctx, p, d);
    if (full < 0)
        return ctx->err;
    if (!full)
        cdsrc_sessions_simple(ctx, p, d, leadout, s->image);
    for (i = 0; i < d->nsessions && !full; i++) {
        discmode_t m = cdio_get_discmode(p);
        d->session[i].type =
            m == CDIO_DISC_MODE_CD_XA || m == CDIO_DISC_MODE_CD_MIXED
                ? DISC_TYPE_XA
            : m == CDIO_DISC_MODE_CD_I ? DISC_TYPE_CDI
                                       : DISC_TYPE_CDDA;
        if (d->session[i].type == DISC_TYPE_XA) {
            int k, anyxa = 0;
            for (k = 0; k < d->ntracks; k++)
                if (d->track[k].mode >= DISC_MODE_MODE2)
                    anyxa = 1;
            if (!anyxa)
                d->session[i].type = DISC_TYPE_CDDA;
        }
    }

    mcn = cdio_get_mcn(p);
    if (mcn && disc_valid_mcn(mcn) && strcmp(mcn, "0000000000000") != 0)
        memcpy(d->mcn, mcn, 14);
    cdio_free(mcn);
    r = cdsrc_import_cdtext(ctx, p, d);
    if (r < 0)
        return r;

    r = cdsrc_map_sessions(ctx, s, d);
    if (r < 0)
        return r;
    if (s->image) {
        r = cdsrc_check_readable(ctx, s, s->base.name);
        if (r < 0)
            return r;
    } else {
        cdsrc_probe_raw(s, d->track[0].index[1]);
        if (s->can_sub && !o->no_qscan) {
            r = disc_qscan(ctx, d, cdsrc_q_at, s);
            if (r < 0)
                return r;
            disc_info(ctx, "Q subchannel scan: %d sectors read", r);
        }
    }
    d->sub = s->can_sub ? DISC_SUB_CAPTURED : DISC_SUB_SYNTH;
    if (o->paranoia > 0) {
        int any = 0;
        for (i = 0; i < d->ntracks; i++)
            any |= d->track[i].mode == DISC_MODE_AUDIO;
        if (any)
            cdsrc_paranoia(ctx, s, o->paranoia);
    }
    return 0;
}

int
disc_open_cdio(struct disc_ctx *ctx, const char *path,
               const struct disc_cdio_opts *o, struct disc *d)
{
    static const struct disc_cdio_opts defaults;
    char *copy = NULL;
    int r;

    if (!o)
        o = &defaults;
    cdsrc_quiet();
    if ((unsigned)o->driver > DISC_CDIO_NRG)
        return disc_error(ctx, DISC_E_ARG, "unknown libcdio driver %d",
                          (int)o->driver);
    if (o->driver == DISC_CDIO_DEVICE && path) {
        struct stat st;
        if (stat(path, &st) != 0)
            return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
        if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
            return disc_error(ctx, DISC_E_DRIVE,
                              "%s: not a CD drive (a "
                              "device node is expected)",
                              path);
    }
    if (o->driver == DISC_CDIO_TOC && path) {
        r = disc_cdio_toc_guard(ctx, path, &copy);
        if (r < 0)
            return r;
    }
    /* libcdio reads the copy whole at open and keeps only the (absolute)
     * data file name. */
    r = cdsrc_open(ctx, path, copy ? copy : path, o, d);
    disc_cdio_toc_drop(copy);
    return r;
}

int
disc_open_drive(struct disc_ctx *ctx, const char *device,
                const struct disc_cdio_opts *o, struct disc **out)
{
    struct disc *d;
    int r;

    *out = NULL;
    d = disc_new(ctx);
    if (!d)
        return DISC_E_NOMEM;
    if (device) {
        d->source_name = disc_strdup(device);
        if (!d->source_name) {
            disc_free(d);
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        }
    }
    r = disc_open_cdio(ctx, device, o, d);
    if (r == 0)
        r = disc_check(ctx, d);
    if (r < 0) {
        disc_free(d);
        return r;
    }
    *out = d;
    return 0;
}
