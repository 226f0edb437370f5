/* disc.c - the disc model: allocation, derived values, setters,
 * invariants (disc_check), features and the full-TOC builder.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: MMC-3 READ TOC format 2; docs/formats/cd.md (full TOC,
 * disc layout).
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

struct disc *
disc_new(struct disc_ctx *ctx)
{
    struct disc *d = disc_calloc(1, sizeof *d);

    if (!d) {
        disc_error(ctx, DISC_E_NOMEM, "out of memory allocating a disc");
        return NULL;
    }
    d->priv = disc_calloc(1, sizeof *d->priv);
    if (!d->priv) {
        disc_free_mem(d);
        disc_error(ctx, DISC_E_NOMEM, "out of memory allocating a disc");
        return NULL;
    }
    return d;
}

static void
cdtext_block_free(struct disc_cdtext_block *b)
{
    int t, f;

    if (!b)
        return;
    for (t = 0; t <= DISC_MAX_TRACKS; t++)
        for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
            disc_free_mem(b->text[t][f]);
    disc_free_mem(b);
}

void
disc_free(struct disc *d)
{
    int i;

    if (!d)
        return;
    for (i = 0; i < DISC_CDTEXT_MAX_BLOCKS; i++)
        cdtext_block_free(d->cdtext[i]);
    for (i = 0; i < d->nmeta; i++) {
        disc_free_mem(d->meta[i].key);
        disc_free_mem(d->meta[i].value);
    }
    disc_free_mem(d->cdtext_raw);
    disc_free_mem(d->rawtoc);
    disc_free_mem(d->source_name);
    if (d->priv) {
        struct disc_source *s = d->priv->sources, *next;
        for (; s; s = next) {
            next = s->next;
            disc_source_close(s);
        }
        disc_free_mem(d->priv->ext);
        disc_free_mem(d->priv);
    }
    disc_free_mem(d);
}

/* ------------------------------------------------------------------ */
/* Derived values                                                      */

int
disc_track_find(const struct disc *d, int number)
{
    int i;
    for (i = 0; i < d->ntracks; i++)
        if (d->track[i].number == number)
            return i;
    return -1;
}

const struct disc_session *
disc_track_session(const struct disc *d, int i)
{
    int s;
    for (s = 0; s < d->nsessions; s++)
        if (d->session[s].number == d->track[i].session)
            return &d->session[s];
    return &d->session[0];
}

disc_lba
disc_track_end(const struct disc *d, int i)
{
    if (i + 1 < d->ntracks && d->track[i + 1].session == d->track[i].session)
        return d->track[i + 1].index[0];
    return disc_track_session(d, i)->leadout;
}

int32_t
disc_track_length(const struct disc *d, int i)
{
    return disc_track_end(d, i) - d->track[i].index[0];
}

int
disc_track_at(const struct disc *d, disc_lba lba)
{
    int lo = 0, hi = d->ntracks - 1, found = -1;

    /* Tracks are sorted by index[0]; find the last one starting <= lba. */
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (d->track[mid].index[0] <= lba) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (found < 0 || lba >= disc_track_end(d, found))
        return -1;
    return found;
}

disc_lba
disc_session_start(const struct disc *d, int s)
{
    int i = disc_track_find(d, d->session[s].first_track);
    if (i < 0)
        return 0;
    return d->track[i].index[0] - DISC_PREGAP;
}

void
disc_track_file_range(const struct disc *d, int i, disc_lba *first,
                      int32_t *count)
{
    const struct disc_track *t = &d->track[i];
    disc_lba s = t->index[0], f = disc_track_end(d, i);
    disc_lba last = t->index[t->last_index];

    if (i == 0 && s < 0)
        s = 0;
    while (s < t->index[1] && !disc_lba_stored(d, s))
        s++;
    while (f - 1 > last && !disc_lba_stored(d, f - 1))
        f--;
    *first = s;
    *count = f - s;
}

int32_t
disc_session_gap(int s)
{
    return (s == 2 ? DISC_LEADOUT1 : DISC_LEADOUT_N) + DISC_LEADIN +
           DISC_PREGAP;
}

int
disc_track_is_data(const struct disc_track *t)
{
    return t->mode != DISC_MODE_AUDIO;
}

const char *
disc_mode_name(enum disc_track_mode m)
{
    switch (m) {
    case DISC_MODE_AUDIO:
        return "audio";
    case DISC_MODE_MODE1:
        return "mode1";
    case DISC_MODE_MODE2:
        return "mode2";
    case DISC_MODE_MODE2_FORM1:
        return "mode2-form1";
    case DISC_MODE_MODE2_FORM2:
        return "mode2-form2";
    case DISC_MODE_MODE2_MIXED:
        return "mode2-mixed";
    }
    return "unknown";
}

int
disc_mode_user_size(enum disc_track_mode m)
{
    switch (m) {
    case DISC_MODE_AUDIO:
        return DISC_SECTOR_RAW;
    case DISC_MODE_MODE2:
        return 2336;
    case DISC_MODE_MODE2_FORM2:
        return 2324;
    default:
        return 2048;
    }
}

/* ------------------------------------------------------------------ */
/* Setters                                                             */

int
disc_valid_mcn(const char *s)
{
    int i;
    for (i = 0; i < 13; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return s[13] == '\0';
}

int
disc_valid_isrc(const char *s)
{
    int i;
    /* CCOOOYYSSSSS: country and owner alphanumeric, year and serial
     * digits (ISO 3901). */
    for (i = 0; i < 12; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i < 5 ? !(isdigit(c) || (c >= 'A' && c <= 'Z')) : !isdigit(c))
            return 0;
    }
    return s[12] == '\0';
}

int
disc_set_mcn(struct disc_ctx *ctx, struct disc *d, const char *mcn)
{
    if (!disc_valid_mcn(mcn))
        return disc_error(ctx, DISC_E_FORMAT,
                          "invalid MCN \"%s\" (13 digits expected)", mcn);
    memcpy(d->mcn, mcn, 14);
    return 0;
}

int
disc_set_isrc(struct disc_ctx *ctx, struct disc_track *t, const char *isrc)
{
    if (!disc_valid_isrc(isrc))
        return disc_error(ctx, DISC_E_FORMAT,
                          "invalid ISRC \"%s\" (CCOOOYYSSSSS expected)", isrc);
    memcpy(t->isrc, isrc, 13);
    return 0;
}

int
disc_cdtext_set(struct disc_ctx *ctx, struct disc *d, int block, int track,
                enum disc_cdtext_field f, const char *utf8)
{
    struct disc_cdtext_block *b;
    char *copy = NULL;

    if (block < 0 || block >= DISC_CDTEXT_MAX_BLOCKS || track < 0 ||
        track > DISC_MAX_TRACKS || (int)f < 0 || f >= DISC_CDTEXT_NFIELDS)
        return disc_error(ctx, DISC_E_ARG,
                          "CD-TEXT block %d track %d: "
                          "out of range",
                          block, track);
    b = d->cdtext[block];
    if (!b) {
        if (!utf8)
            return 0;
        b = disc_calloc(1, sizeof *b);
        if (!b)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        b->language = block == 0 ? 0x09 : 0x00;
        d->cdtext[block] = b;
        if (d->ncdtext < block + 1)
            d->ncdtext = (uint8_t)(block + 1);
    }
    if (utf8) {
        copy = disc_strdup(utf8);
        if (!copy)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    disc_free_mem(b->text[track][f]);
    b->text[track][f] = copy;
    return 0;
}

const char *
disc_cdtext_get(const struct disc *d, int block, int track,
                enum disc_cdtext_field f)
{
    if (block < 0 || block >= DISC_CDTEXT_MAX_BLOCKS || !d->cdtext[block] ||
        track < 0 || track > DISC_MAX_TRACKS || (int)f < 0 ||
        f >= DISC_CDTEXT_NFIELDS)
        return NULL;
    return d->cdtext[block]->text[track][f];
}

const char *
disc_cdtext_field_name(enum disc_cdtext_field f)
{
    static const char *const names[DISC_CDTEXT_NFIELDS] = {
        "TITLE",   "PERFORMER", "SONGWRITER", "COMPOSER", "ARRANGER",
        "MESSAGE", "DISC_ID",   "GENRE",      "CLOSED",   "UPC_EAN",
    };
    if ((int)f < 0 || f >= DISC_CDTEXT_NFIELDS)
        return "?";
    return names[f];
}

int
disc_meta_add(struct disc_ctx *ctx, struct disc *d, const char *key,
              const char *value)
{
    char *k, *v;

    if (d->nmeta >= DISC_MAX_META)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "more than %d metadata entries", DISC_MAX_META);
    k = disc_strdup(key);
    v = disc_strdup(value);
    if (!k || !v) {
        disc_free_mem(k);
        disc_free_mem(v);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    d->meta[d->nmeta].key = k;
    d->meta[d->nmeta].value = v;
    d->nmeta++;
    return 0;
}

const char *
disc_meta_get(const struct disc *d, const char *key)
{
    int i;
    for (i = 0; i < d->nmeta; i++)
        if (strcmp(d->meta[i].key, key) == 0)
            return d->meta[i].value;
    return NULL;
}

int
disc_set_rawtoc(struct disc_ctx *ctx, struct disc *d,
                const struct disc_rawtoc *e, uint16_t n)
{
    struct disc_rawtoc *copy = NULL;

    if (n) {
        copy = disc_malloc(n * sizeof *copy);
        if (!copy)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        memcpy(copy, e, n * sizeof *copy);
    }
    disc_free_mem(d->rawtoc);
    d->rawtoc = copy;
    d->nrawtoc = n;
    return 0;
}

int
disc_set_cdtext_raw(struct disc_ctx *ctx, struct disc *d, const uint8_t *packs,
                    size_t len)
{
    uint8_t *copy = NULL;

    if (len % 18)
        return disc_error(ctx, DISC_E_FORMAT,
                          "CD-TEXT of %zu bytes is not a whole number of "
                          "18-byte packs",
                          len);
    if (len) {
        copy = disc_malloc(len);
        if (!copy)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        memcpy(copy, packs, len);
    }
    disc_free_mem(d->cdtext_raw);
    d->cdtext_raw = copy;
    d->cdtext_raw_len = len;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Invariants                                                          */

int
disc_check(struct disc_ctx *ctx, const struct disc *d)
{
    int i, s, n;

    if (d->ntracks == 0)
        return disc_error(ctx, DISC_E_FORMAT, "disc has no tracks");
    if (d->nsessions == 0)
        return disc_error(ctx, DISC_E_FORMAT, "disc has no sessions");
    if (d->mcn[0] && !disc_valid_mcn(d->mcn))
        return disc_error(ctx, DISC_E_FORMAT, "invalid MCN \"%s\"", d->mcn);
    for (s = 0; s < d->nsessions; s++) {
        const struct disc_session *ss = &d->session[s];
        int a = disc_track_find(d, ss->first_track);
        int b = disc_track_find(d, ss->last_track);

        if (ss->number != s + 1)
            return disc_error(ctx, DISC_E_FORMAT, "session %d is numbered %d",
                              s + 1, ss->number);
        if (a < 0 || b < a)
            return disc_error(ctx, DISC_E_FORMAT,
                              "session %d: bad track range %d-%d", ss->number,
                              ss->first_track, ss->last_track);
        if (s > 0 && ss->first_track != d->session[s - 1].last_track + 1)
            return disc_error(ctx, DISC_E_FORMAT,
                              "session %d does not start with track %d",
                              ss->number, d->session[s - 1].last_track + 1);
        for (i = a; i <= b; i++)
            if (d->track[i].session != ss->number)
                return disc_error(ctx, DISC_E_FORMAT,
                                  "track %d claims session %d but lies in "
                                  "session %d",
                                  d->track[i].number, d->track[i].session,
                                  ss->number);
        if (ss->leadout <= d->track[b].index[d->track[b].last_index])
            return disc_error(ctx, DISC_E_FORMAT,
                              "session %d: lead-out %d is not after the "
                              "last index of track %d",
                              ss->number, ss->leadout, d->track[b].number);
        if (s > 0 && disc_session_start(d, s) < d->session[s - 1].leadout)
            return disc_error(ctx, DISC_E_FORMAT,
                              "session %d starts at LBA %d, inside session "
                              "%d (lead-out %d)",
                              ss->number, disc_session_start(d, s), s,
                              d->session[s - 1].leadout);
    }
    if (d->session[d->nsessions - 1].last_track !=
        d->track[d->ntracks - 1].number)
        return disc_error(ctx, DISC_E_FORMAT, "track %d belongs to no session",
                          d->track[d->ntracks - 1].number);
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];

        if (t->number < 1 || t->number > DISC_MAX_TRACKS)
            return disc_error(ctx, DISC_E_FORMAT,
                              "track number %d out of "
                              "range",
                              t->number);
        if (i > 0 && t->number != d->track[i - 1].number + 1)
            return disc_error(ctx, DISC_E_FORMAT, "track %d follows track %d",
                              t->number, d->track[i - 1].number);
        if (t->last_index < 1 || t->last_index > DISC_MAX_INDEX)
            return disc_error(ctx, DISC_E_FORMAT, "track %d has no INDEX 01",
                              t->number);
        if (t->index[0] > t->index[1])
            return disc_error(ctx, DISC_E_FORMAT,
                              "track %d: INDEX 00 (%d) after INDEX 01 (%d)",
                              t->number, t->index[0], t->index[1]);
        for (n = 2; n <= t->last_index; n++)
            if (t->index[n] <= t->index[n - 1])
                return disc_error(ctx, DISC_E_FORMAT,
                                  "track %d: INDEX %02d (%d) not after "
                                  "INDEX %02d (%d)",
                                  t->number, n, t->index[n], n - 1,
                                  t->index[n - 1]);
        if (i > 0 && t->index[0] < disc_track_end(d, i - 1) &&
            t->session == d->track[i - 1].session)
            return disc_error(ctx, DISC_E_FORMAT, "track %d overlaps track %d",
                              t->number, d->track[i - 1].number);
        if (disc_track_end(d, i) <= t->index[t->last_index])
            return disc_error(ctx, DISC_E_FORMAT,
                              "track %d has no sectors after its last index",
                              t->number);
        if (!!(t->control & DISC_CTL_DATA) != disc_track_is_data(t))
            return disc_error(ctx, DISC_E_FORMAT,
                              "track %d: CONTROL 0x%x contradicts mode %s",
                              t->number, t->control, disc_mode_name(t->mode));
        if (t->isrc[0] && !disc_valid_isrc(t->isrc))
            return disc_error(ctx, DISC_E_FORMAT,
                              "track %d: invalid ISRC \"%s\"", t->number,
                              t->isrc);
        if (t->index[0] < -DISC_PREGAP)
            return disc_error(ctx, DISC_E_FORMAT,
                              "track %d starts at LBA %d, before the disc",
                              t->number, t->index[0]);
    }
    /* Every sector of every track must be served by an extent. */
    for (i = 0; i < d->ntracks; i++) {
        disc_lba l = d->track[i].index[0], end = disc_track_end(d, i);
        while (l < end) {
            const struct disc_extent *e = disc_extent_find(d, l);
            if (!e)
                return disc_error(ctx, DISC_E_FORMAT,
                                  "track %d: LBA %d is not mapped to any data",
                                  d->track[i].number, l);
            l = e->lba + (disc_lba)e->count;
        }
    }
    if (d->cdtext_raw_len % 18)
        return disc_error(ctx, DISC_E_FORMAT,
                          "raw CD-TEXT length %zu is not "
                          "a multiple of 18",
                          d->cdtext_raw_len);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Full TOC                                                            */

static void
toc_point(struct disc_rawtoc *e, uint8_t session, uint8_t adr, uint8_t control,
          uint8_t point, disc_lba plba)
{
    struct disc_msf m = disc_lba_to_msf(plba);
    memset(e, 0, sizeof *e);
    e->session = session;
    e->adr = adr;
    e->control = control;
    e->point = point;
    e->pmin = m.m;
    e->psec = m.s;
    e->pframe = m.f;
}

/* Most entries a model can imply: one per track plus A0, A1, A2, B0 and
 * C0 per session. */
#define TOC_MAX (DISC_MAX_TRACKS + 5 * DISC_MAX_SESSIONS)

/* Fills e (room for TOC_MAX entries) with the TOC the model implies;
 * returns the number of entries. */
static int
toc_fill(const struct disc *d, struct disc_rawtoc *e)
{
    int s, i, k = 0;

    for (s = 0; s < d->nsessions; s++) {
        const struct disc_session *ss = &d->session[s];
        int a = disc_track_find(d, ss->first_track);
        int b = disc_track_find(d, ss->last_track);
        uint8_t sn = ss->number;

        /* A0/A1/A2 carry the first/last track's CONTROL (as the drive
         * reports it on typical discs); A0 PSec is the disc type. */
        toc_point(&e[k], sn, 1, d->track[a].control, 0xA0, 0);
        e[k].pmin = ss->first_track;
        e[k].psec = ss->type;
        e[k].pframe = 0;
        k++;
        toc_point(&e[k], sn, 1, d->track[b].control, 0xA1, 0);
        e[k].pmin = ss->last_track;
        e[k].psec = 0;
        e[k].pframe = 0;
        k++;
        toc_point(&e[k++], sn, 1, d->track[b].control, 0xA2, ss->leadout);
        for (i = a; i <= b; i++)
            toc_point(&e[k++], sn, 1, d->track[i].control, d->track[i].number,
                      d->track[i].index[1]);
        if (s + 1 < d->nsessions) {
            /* B0: start of the next possible program area (the next
             * session's first INDEX 01 minus its 150-sector pregap) and
             * the outermost possible lead-out (79:59:74, a common ATIP
             * value); Zero = number of mode-5 pointers (B0, C0). */
            struct disc_msf m = disc_lba_to_msf(disc_session_start(d, s + 1));
            toc_point(&e[k], sn, 5, d->track[b].control, 0xB0, 359849);
            e[k].min = m.m;
            e[k].sec = m.s;
            e[k].frame = m.f;
            e[k].zero = 2;
            k++;
            if (s == 0) {
                /* C0: ATIP data, only in the first session. */
                toc_point(&e[k], sn, 5, d->track[b].control, 0xC0, 0);
                e[k].min = 128;
                e[k].pmin = 97;
                e[k].psec = 26;
                e[k].pframe = 66;
                k++;
            }
        }
    }
    return k;
}

int
disc_build_rawtoc(struct disc_ctx *ctx, const struct disc *d,
                  struct disc_rawtoc **out, uint16_t *n)
{
    struct disc_rawtoc tmp[TOC_MAX];
    int k = toc_fill(d, tmp), s;

    /* A TOC point is an absolute MSF, and under the MMC rule minutes
     * 90-99 are lead-in (negative) addresses: a program area past
     * 89:59:74 has no full TOC.  A CUE sheet can describe such a "disc";
     * CloneCD and Alcohol cannot store it. */
    for (s = 0; s < d->nsessions; s++)
        if (d->session[s].leadout > DISC_LBA_MAX)
            return disc_error(ctx, DISC_E_UNSUPPORTED,
                              "session %d: lead-out at LBA %d lies beyond "
                              "89:59:74, the last address a CD TOC can "
                              "hold",
                              d->session[s].number, d->session[s].leadout);

    *out = disc_malloc((size_t)k * sizeof **out + 1);
    if (!*out)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    memcpy(*out, tmp, (size_t)k * sizeof **out);
    *n = (uint16_t)k;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Features                                                            */

static int
rawtoc_beyond_model(const struct disc *d)
{
    struct disc_rawtoc syn[TOC_MAX];
    int n, i, j;
    int beyond = 0;

    if (!d->nrawtoc)
        return 0;
    n = toc_fill(d, syn);
    /* The raw TOC says more than the model when it has an entry the
     * model would not produce identically.  Entries the builder makes
     * up on its own (B0/C0) are compared too: a real ATIP value is
     * information. */
    for (i = 0; i < d->nrawtoc && !beyond; i++) {
        const struct disc_rawtoc *r = &d->rawtoc[i];
        int found = 0;
        for (j = 0; j < n; j++)
            if (memcmp(r, &syn[j], sizeof *r) == 0) {
                found = 1;
                break;
            }
        if (!found)
            beyond = 1;
    }
    return beyond;
}

int
disc_rawtoc_fits(const struct disc *d)
{
    uint8_t found[DISC_MAX_TRACKS + 1] = { 0 };
    uint8_t lead[DISC_MAX_SESSIONS] = { 0 }; /* bits: A0, A1, A2 seen */
    uint16_t i;
    int s, t;

    if (!d->nrawtoc)
        return 0;
    for (i = 0; i < d->nrawtoc; i++) {
        const struct disc_rawtoc *r = &d->rawtoc[i];
        struct disc_msf m = { r->pmin, r->psec, r->pframe };
        const struct disc_session *ss;

        if (r->session < 1 || r->session > d->nsessions)
            return 0;
        if (r->adr != 1)
            continue;
        ss = &d->session[r->session - 1];
        if (r->point >= 1 && r->point <= DISC_MAX_TRACKS) {
            t = disc_track_find(d, r->point);
            if (t < 0 || d->track[t].session != r->session ||
                d->track[t].control != r->control ||
                disc_msf_to_lba(m) != d->track[t].index[1] || found[r->point])
                return 0;
            found[r->point] = 1;
        } else if ((r->point == 0xA0 &&
                    (r->pmin != ss->first_track || r->psec != ss->type)) ||
                   (r->point == 0xA1 && r->pmin != ss->last_track) ||
                   (r->point == 0xA2 && disc_msf_to_lba(m) != ss->leadout)) {
            return 0;
        } else if (r->point >= 0xA0 && r->point <= 0xA2) {
            lead[r->session - 1] |= (uint8_t)(1u << (r->point - 0xA0));
        }
    }
    for (t = 0; t < d->ntracks; t++)
        if (!found[d->track[t].number])
            return 0;
    for (s = 0; s < d->nsessions; s++)
        if (lead[s] != 7)
            return 0;
    return 1;
}

unsigned
disc_features(const struct disc *d)
{
    unsigned f = 0;
    int i, n;

    if (d->nsessions > 1)
        f |= DISC_CAP_MULTISESSION;
    if (d->mcn[0])
        f |= DISC_CAP_ISRC_MCN;
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        f |= disc_track_is_data(t) ? DISC_CAP_DATA : DISC_CAP_AUDIO;
        if (t->isrc[0])
            f |= DISC_CAP_ISRC_MCN;
        if (t->index[0] != t->index[1] || t->last_index > 1)
            f |= DISC_CAP_INDEXES;
        /* Mixed is what every format can say; formless, Form 1 and
         * Form 2 are declarations only some can keep. */
        if (t->mode == DISC_MODE_MODE2_FORM1 ||
            t->mode == DISC_MODE_MODE2_FORM2 || t->mode == DISC_MODE_MODE2)
            f |= DISC_CAP_MODE2_FORM;
    }
    if (d->track[0].index[1] > 0 && d->track[0].index[0] < d->track[0].index[1])
        f |= DISC_CAP_HTOA;
    if (d->sub == DISC_SUB_CAPTURED)
        f |= DISC_CAP_SUBCHANNEL;
    for (i = 0; i < DISC_CDTEXT_MAX_BLOCKS; i++) {
        if (!d->cdtext[i])
            continue;
        for (n = 0; n <= DISC_MAX_TRACKS * DISC_CDTEXT_NFIELDS; n++)
            if (d->cdtext[i]
                    ->text[n / DISC_CDTEXT_NFIELDS][n % DISC_CDTEXT_NFIELDS])
                break;
        if (n <= DISC_MAX_TRACKS * DISC_CDTEXT_NFIELDS || d->cdtext[i]->genre)
            f |= i == 0 ? DISC_CAP_CDTEXT : DISC_CAP_CDTEXT_LANGS;
    }
    if (d->cdtext_raw_len)
        f |= DISC_CAP_CDTEXT;
    if (rawtoc_beyond_model(d))
        f |= DISC_CAP_RAWTOC;
    if (d->nmeta)
        f |= DISC_CAP_META;
    return f;
}

const char *
disc_cap_name(unsigned bit)
{
    switch (bit) {
    case DISC_CAP_AUDIO:
        return "audio tracks";
    case DISC_CAP_DATA:
        return "data tracks";
    case DISC_CAP_MULTISESSION:
        return "multiple sessions";
    case DISC_CAP_SUBCHANNEL:
        return "captured subchannel";
    case DISC_CAP_CDTEXT:
        return "CD-TEXT";
    case DISC_CAP_CDTEXT_LANGS:
        return "CD-TEXT in further languages";
    case DISC_CAP_INDEXES:
        return "index points (pregaps, INDEX 02+)";
    case DISC_CAP_ISRC_MCN:
        return "ISRC/MCN";
    case DISC_CAP_RAWTOC:
        return "raw TOC entries";
    case DISC_CAP_HTOA:
        return "hidden track one audio";
    case DISC_CAP_TRACK_FILES:
        return "one file per track";
    case DISC_CAP_META:
        return "metadata comments";
    case DISC_CAP_MODE2_FORM:
        return "Mode 2 form of whole tracks";
    }
    return "unknown feature";
}
