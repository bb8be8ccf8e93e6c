/*
 * An event's occurrences in a window.  recur.c expands the RRULE in
 * wall time; RDATEs, EXDATEs and the RECURRENCE-ID overrides are
 * applied here, since libical's expansion knows none of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "ical_read.h"
#include "recur.h"

struct expand {
	const struct ical_event	*ev;
	time_t			 from, to, dur;
	struct ical_occurrence	*out;
	size_t			 n, cap, steps;
	int			 too_many, nomem;
};

static int
expand_add(struct expand *x, time_t start, time_t end,
    const struct ical_event *from)
{
	struct ical_occurrence	*grown;
	size_t			 ncap;

	if (x->n == ICAL_EXPAND_MAX) {
		x->too_many = 1;
		return -1;
	}
	if (x->n == x->cap) {
		ncap = x->cap ? x->cap * 2 : 16;
		if ((grown = reallocarray(x->out, ncap, sizeof(*grown))) ==
		    NULL) {
			x->nomem = 1;
			return -1;
		}
		x->out = grown;
		x->cap = ncap;
	}
	x->out[x->n].start = start;
	x->out[x->n].end = end;
	x->out[x->n].is_date = from->start.is_date;
	x->out[x->n++].ev = from;
	return 0;
}

static int
expand_excluded(const struct ical_event *ev, time_t t)
{
	struct tz_wall	 w;
	size_t		 i;
	int		 have_wall = 0;

	for (i = 0; i < ev->nexdates; i++) {
		if (ev->exdates[i].utc == t)
			return 1;
		if (!ev->exdates[i].is_date || ev->start.is_date)
			continue;
		/* A date excludes the event's occurrences on that day. */
		if (!have_wall) {
			tz_to_wall(ev->start.zone, t, &w);
			have_wall = 1;
		}
		if (ev->exdates[i].wall.year == w.year &&
		    ev->exdates[i].wall.month == w.month &&
		    ev->exdates[i].wall.day == w.day)
			return 1;
	}
	return 0;
}

static int
expand_overridden(const struct ical_event *ev, time_t t)
{
	size_t	 i;

	for (i = 0; i < ev->noverrides; i++)
		if (ev->overrides[i].recurrence_id.utc == t)
			return 1;
	return 0;
}

/* An occurrence of the master, unless excluded or overridden. */
static int
expand_candidate(struct expand *x, time_t t)
{
	if (t < x->from || t >= x->to || expand_excluded(x->ev, t) ||
	    expand_overridden(x->ev, t))
		return 0;
	return expand_add(x, t, t + x->dur, x->ev);
}

static int
expand_step(void *arg, const struct tz_wall *w, time_t t)
{
	struct expand	*x = arg;

	(void)w;
	x->steps++;
	/* recur.c places minutes; the seconds are DTSTART's. */
	if (!x->ev->start.is_date)
		t += x->ev->start.second;
	return expand_candidate(x, t) == -1 ? 1 : 0;
}

static int
cmp_occurrence(const void *va, const void *vb)
{
	const struct ical_occurrence	*a = va, *b = vb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->ev > b->ev) - (a->ev < b->ev);
}

static int
expand_rule(struct expand *x, char *err, size_t errlen)
{
	const struct ical_event		*ev = x->ev;
	struct icalrecurrencetype	 r;
	int				 rc;

	r = icalrecurrencetype_from_string(ev->rrule);
	icalerror_clear_errno();
	if (r.freq == ICAL_NO_RECURRENCE || r.freq == ICAL_SECONDLY_RECURRENCE ||
	    r.freq == ICAL_MINUTELY_RECURRENCE ||
	    r.freq == ICAL_HOURLY_RECURRENCE) {
		snprintf(err, errlen, "the rule repeats more often than daily "
		    "or cannot be read");
		return -1;
	}
	rc = recur_expand(ev->rrule, ev->start.is_date ? "UTC" :
	    ev->start.zone, &ev->start.wall, x->to, expand_step, x);
	if (rc == -1) {
		snprintf(err, errlen, "libical cannot expand the rule");
		return -1;
	}
	if (!x->too_many && !x->nomem && x->steps >= RECUR_MAX_STEPS) {
		snprintf(err, errlen, "the rule has more than %d occurrences "
		    "before the end of the window", RECUR_MAX_STEPS);
		return -1;
	}
	return 0;
}

static int
expand_all(struct expand *x, char *err, size_t errlen)
{
	const struct ical_event	*ev = x->ev, *o;
	size_t			 i;

	/* DTSTART is the first occurrence even if the rule skips it. */
	if (expand_candidate(x, ev->start.utc) == -1)
		return 0;
	if (ev->rrule[0] != '\0' && expand_rule(x, err, errlen) == -1)
		return -1;
	for (i = 0; i < ev->nrdates && !x->too_many && !x->nomem; i++)
		if (expand_candidate(x, ev->rdates[i].utc) == -1)
			return 0;
	for (i = 0; i < ev->noverrides && !x->too_many && !x->nomem; i++) {
		o = &ev->overrides[i];
		if (o->status != ICS_STATUS_CANCELLED &&
		    o->start.utc >= x->from && o->start.utc < x->to &&
		    expand_add(x, o->start.utc, o->end.utc, o) == -1)
			return 0;
	}
	return 0;
}

int
ical_read_expand(const struct ical_event *ev, time_t from, time_t to,
    struct ical_occurrence **out, size_t *n, char *err, size_t errlen)
{
	struct expand	 x;
	size_t		 i, k;

	*out = NULL;
	*n = 0;
	if (to < from || to - from > ICAL_EXPAND_MAX_WINDOW) {
		snprintf(err, errlen, "the window must end after it begins, "
		    "and last at most %ld days",
		    (long)(ICAL_EXPAND_MAX_WINDOW / 86400));
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.ev = ev;
	x.from = from;
	x.to = to;
	x.dur = ev->end.utc - ev->start.utc;
	if (expand_all(&x, err, errlen) == -1 || x.too_many || x.nomem) {
		if (x.too_many)
			snprintf(err, errlen, "more than %d occurrences in the "
			    "window", ICAL_EXPAND_MAX);
		else if (x.nomem)
			snprintf(err, errlen, "out of memory");
		free(x.out);
		return -1;
	}
	/* The rule, DTSTART and RDATEs may name one occurrence twice. */
	if (x.n > 1)
		qsort(x.out, x.n, sizeof(*x.out), cmp_occurrence);
	for (i = k = 0; i < x.n; i++)
		if (k == 0 || x.out[k - 1].start != x.out[i].start ||
		    x.out[k - 1].ev != x.out[i].ev)
			x.out[k++] = x.out[i];
	*out = x.out;
	*n = k;
	return 0;
}
