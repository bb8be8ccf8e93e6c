/*
 * The reader: a checked, indexed file handed out one UID at a time (a
 * master with its RECURRENCE-ID overrides), so that an import runs in
 * slices.  Opening is one linear pass; each ical_read_next() parses
 * only the blocks of one UID.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical_event.h"
#include "ical_read.h"
#include "ical_scan.h"
#include "ical_zone.h"

struct sortrec {
	const char	*key;		/* NULL: no usable UID, alone */
	size_t		 idx;
};

struct group {
	size_t		 first, n;	/* in order[] */
	size_t		 min_idx;	/* its first block in the file */
};

struct ical_reader {
	struct ical_read_opts	 opts;
	char			 default_zone[ICAL_READ_ZONE_MAX];
	struct ical_scan	 scan;
	int			 scanned, refused;
	struct ical_read_error	 refusal;
	struct ical_zones	*zones;
	size_t			*order;
	struct group		*groups;
	size_t			 ngroups, next;
	/* What the current UID gave, still to hand out. */
	struct ical_read_error	*errs;
	size_t			 nerrs, errnext, errcap;
	struct ical_event	**ready;
	size_t			 nready, readynext, readycap;
};

static int
cmp_sortrec(const void *va, const void *vb)
{
	const struct sortrec	*a = va, *b = vb;
	int			 c;

	if (a->key != NULL && b->key != NULL &&
	    (c = strcmp(a->key, b->key)) != 0)
		return c;
	if ((a->key == NULL) != (b->key == NULL))
		return a->key == NULL ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int
cmp_group(const void *va, const void *vb)
{
	const struct group	*a = va, *b = vb;

	return a->min_idx < b->min_idx ? -1 : a->min_idx > b->min_idx;
}

static const char *
block_uid(const struct ical_block *b)
{
	if (b->key == NULL || b->key[0] == '\0' || b->key_too_long)
		return NULL;
	return b->key;
}

/* Blocks by UID (then file order), and UIDs in the order they appear. */
static int
reader_index(struct ical_reader *r)
{
	struct sortrec	*recs;
	size_t		 n = r->scan.nevents, i;

	if (n == 0)
		return 0;
	if ((recs = calloc(n, sizeof(*recs))) == NULL ||
	    (r->order = calloc(n, sizeof(*r->order))) == NULL ||
	    (r->groups = calloc(n, sizeof(*r->groups))) == NULL) {
		free(recs);
		return -1;
	}
	for (i = 0; i < n; i++) {
		recs[i].key = block_uid(&r->scan.events[i]);
		recs[i].idx = i;
	}
	qsort(recs, n, sizeof(*recs), cmp_sortrec);
	for (i = 0; i < n; i++) {
		r->order[i] = recs[i].idx;
		if (i > 0 && recs[i].key != NULL && recs[i - 1].key != NULL &&
		    strcmp(recs[i].key, recs[i - 1].key) == 0) {
			r->groups[r->ngroups - 1].n++;
			continue;
		}
		r->groups[r->ngroups].first = i;
		r->groups[r->ngroups].n = 1;
		r->groups[r->ngroups++].min_idx = recs[i].idx;
	}
	free(recs);
	qsort(r->groups, r->ngroups, sizeof(*r->groups), cmp_group);
	return 0;
}

/* A reader of nothing yet, for opts; NULL with err. */
static struct ical_reader *
reader_new(const struct ical_read_opts *opts, struct ical_read_error *err)
{
	struct ical_reader	*r;

	memset(err, 0, sizeof(*err));
	if (opts->default_zone == NULL || !tz_valid(opts->default_zone)) {
		snprintf(err->reason, sizeof(err->reason), "the default zone "
		    "\"%.60s\" is not a zone practiced knows",
		    opts->default_zone ? opts->default_zone : "");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err->reason, sizeof(err->reason), "out of memory");
		return NULL;
	}
	r->opts = *opts;
	snprintf(r->default_zone, sizeof(r->default_zone), "%s",
	    opts->default_zone);
	return r;
}

struct ical_reader *
ical_read_begin(const char *buf, size_t len,
    const struct ical_read_opts *opts, struct ical_read_error *err)
{
	struct ical_reader	*r;

	if ((r = reader_new(opts, err)) == NULL)
		return NULL;
	if (ical_scan_begin(&r->scan, buf, len, err) == -1) {
		ical_read_close(r);
		return NULL;
	}
	return r;
}

struct ical_reader *
ical_read_take(char *buf, size_t len, size_t cap,
    const struct ical_read_opts *opts, struct ical_read_error *err)
{
	struct ical_reader	*r;

	if ((r = reader_new(opts, err)) == NULL) {
		free(buf);
		return NULL;
	}
	if (ical_scan_take(&r->scan, buf, len, cap, err) == -1) {
		ical_read_close(r);
		return NULL;
	}
	return r;
}

int
ical_read_scan(struct ical_reader *r, size_t budget,
    struct ical_read_error *err)
{
	int	 rc;

	if (r->refused) {
		*err = r->refusal;
		return -1;
	}
	if (r->scanned)
		return 0;
	if ((rc = ical_scan_step(&r->scan, budget, err)) == 1)
		return 1;
	if (rc == 0) {
		if ((r->zones = ical_zones_new(&r->scan, r->default_zone,
		    r->opts.now, err->reason, sizeof(err->reason))) == NULL ||
		    reader_index(r) == -1) {
			if (r->zones != NULL)
				snprintf(err->reason, sizeof(err->reason),
				    "out of memory");
			rc = -1;
		}
	}
	if (rc == -1) {
		r->refused = 1;
		r->refusal = *err;
		return -1;
	}
	r->scanned = 1;
	return 0;
}

struct ical_reader *
ical_read_open(const char *buf, size_t len, const struct ical_read_opts *opts,
    struct ical_read_error *err)
{
	struct ical_reader	*r;

	if ((r = ical_read_begin(buf, len, opts, err)) == NULL)
		return NULL;
	if (ical_read_scan(r, SIZE_MAX, err) == -1) {
		ical_read_close(r);
		return NULL;
	}
	return r;
}

void
ical_read_close(struct ical_reader *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = r->readynext; i < r->nready; i++)
		ical_event_free(r->ready[i]);
	free(r->ready);
	free(r->errs);
	free(r->order);
	free(r->groups);
	ical_zones_free(r->zones);
	ical_scan_free(&r->scan);
	free(r);
}

void
ical_read_progress(const struct ical_reader *r, size_t *done, size_t *total)
{
	*done = r->next;
	*total = r->ngroups;
}

static void
reader_error(struct ical_reader *r, const struct ical_read_error *e)
{
	struct ical_read_error	*grown;
	size_t			 ncap;

	if (r->nerrs == r->errcap) {
		ncap = r->errcap ? r->errcap * 2 : 8;
		if ((grown = reallocarray(r->errs, ncap, sizeof(*grown))) ==
		    NULL)
			return;		/* the event is skipped all the same */
		r->errs = grown;
		r->errcap = ncap;
	}
	r->errs[r->nerrs++] = *e;
}

static void
reader_skip(struct ical_reader *r, const struct ical_event *ev,
    const char *fmt, ...)
{
	struct ical_read_error	 e;
	va_list			 ap;

	memset(&e, 0, sizeof(e));
	snprintf(e.uid, sizeof(e.uid), "%s", ev->uid);
	e.line = ev->line;
	va_start(ap, fmt);
	vsnprintf(e.reason, sizeof(e.reason), fmt, ap);
	va_end(ap);
	reader_error(r, &e);
}

static void
reader_ready(struct ical_reader *r, struct ical_event *ev)
{
	struct ical_event	**grown, *copy;
	size_t			  ncap;

	if (r->nready == r->readycap) {
		ncap = r->readycap ? r->readycap * 2 : 4;
		if ((grown = reallocarray(r->ready, ncap, sizeof(*grown))) ==
		    NULL)
			goto fail;
		r->ready = grown;
		r->readycap = ncap;
	}
	if ((copy = malloc(sizeof(*copy))) == NULL)
		goto fail;
	*copy = *ev;
	r->ready[r->nready++] = copy;
	return;
fail:
	reader_skip(r, ev, "out of memory");
	ical_event_clear(ev);
}

/*
 * Of two VEVENTs for one occurrence (or two masters), the higher
 * SEQUENCE wins, then the first in the file; the other is reported.
 */
static void
reader_keep(struct ical_reader *r, struct ical_event *kept,
    struct ical_event *ev)
{
	struct ical_event	 loser;

	if (ev->sequence > kept->sequence) {
		loser = *kept;
		*kept = *ev;
	} else
		loser = *ev;
	reader_skip(r, &loser, "the same event again: the VEVENT of line "
	    "%d (SEQUENCE %d) is kept", kept->line, kept->sequence);
	ical_event_clear(&loser);
}

static int
reader_add_override(struct ical_reader *r, struct ical_event **ovs,
    size_t *nov, struct ical_event *ev)
{
	struct ical_event	*grown;
	size_t			 i;

	for (i = 0; i < *nov; i++)
		if ((*ovs)[i].recurrence_id.utc == ev->recurrence_id.utc) {
			reader_keep(r, &(*ovs)[i], ev);
			return 0;
		}
	if (*nov == ICAL_READ_MAX_OVERRIDES) {
		reader_skip(r, ev, "more than %d RECURRENCE-IDs for one "
		    "UID", ICAL_READ_MAX_OVERRIDES);
		ical_event_clear(ev);
		return 0;
	}
	if ((*nov & (*nov - 1)) == 0 || *nov == 0) {	/* powers of two */
		grown = reallocarray(*ovs, *nov ? *nov * 2 : 1, sizeof(**ovs));
		if (grown == NULL) {
			reader_skip(r, ev, "out of memory");
			ical_event_clear(ev);
			return -1;
		}
		*ovs = grown;
	}
	(*ovs)[(*nov)++] = *ev;
	return 0;
}

/* Overrides go with their master if they fit it (a date for a date). */
static void
reader_attach(struct ical_reader *r, struct ical_event *m,
    struct ical_event *ovs, size_t nov)
{
	size_t	 i, n = 0;

	for (i = 0; i < nov; i++) {
		if (ovs[i].recurrence_id.is_date != m->start.is_date) {
			reader_skip(r, &ovs[i], "RECURRENCE-ID is a %s and "
			    "the DTSTART of line %d a %s",
			    ovs[i].recurrence_id.is_date ? "date" : "date-time",
			    m->line, m->start.is_date ? "date" : "date-time");
			ical_event_clear(&ovs[i]);
			continue;
		}
		ovs[n++] = ovs[i];
	}
	if (n == 0) {
		free(ovs);
		return;
	}
	m->overrides = ovs;
	m->noverrides = n;
}

static void
reader_group(struct ical_reader *r, const struct group *g)
{
	struct ical_event	 ev, master, *ovs = NULL;
	struct ical_read_error	 err;
	const struct ical_block	*first;
	size_t			 i, nov = 0;
	int			 have_master = 0;

	/* One call reads one UID: so many blocks are not read at all. */
	if (g->n > ICAL_READ_MAX_OVERRIDES + 1) {
		first = &r->scan.events[r->order[g->first]];
		memset(&err, 0, sizeof(err));
		snprintf(err.uid, sizeof(err.uid), "%s",
		    first->key != NULL ? first->key : "");
		err.line = first->line;
		snprintf(err.reason, sizeof(err.reason), "%zu VEVENTs with this "
		    "UID, more than %d: none is read", g->n,
		    ICAL_READ_MAX_OVERRIDES + 1);
		reader_error(r, &err);
		return;
	}
	for (i = 0; i < g->n; i++) {
		if (ical_event_read(&r->scan, r->zones,
		    &r->scan.events[r->order[g->first + i]], &ev, &err) == -1) {
			reader_error(r, &err);
			continue;
		}
		if (ev.has_recurrence_id)
			reader_add_override(r, &ovs, &nov, &ev);
		else if (have_master)
			reader_keep(r, &master, &ev);
		else {
			master = ev;
			have_master = 1;
		}
	}
	if (have_master) {
		reader_attach(r, &master, ovs, nov);
		reader_ready(r, &master);
		return;
	}
	/* Overrides of a master the file lacks stand alone. */
	for (i = 0; i < nov; i++)
		reader_ready(r, &ovs[i]);
	free(ovs);
}

int
ical_read_next(struct ical_reader *r, struct ical_event **ev,
    struct ical_read_error *err)
{
	*ev = NULL;
	if (!r->scanned && ical_read_scan(r, SIZE_MAX, err) == -1)
		return -2;
	for (;;) {
		if (r->errnext < r->nerrs) {
			*err = r->errs[r->errnext++];
			return -1;
		}
		if (r->readynext < r->nready) {
			*ev = r->ready[r->readynext++];
			return 1;
		}
		r->nerrs = r->errnext = r->nready = r->readynext = 0;
		if (r->next == r->ngroups)
			return 0;
		reader_group(r, &r->groups[r->next++]);
	}
}
