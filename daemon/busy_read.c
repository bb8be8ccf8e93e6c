/*
 * A busy calendar's text into busy times, with the reading layer
 * (ical_read.h) in slices.  Titles, places and attendees are read by
 * that layer and dropped with each event: only the times are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "busy_read.h"
#include "ical_read.h"
#include "tz.h"

/* Times read before merging: each event may give ICAL_EXPAND_MAX. */
#define BUSY_READ_RAW_MAX	(5 * BUSY_CALENDAR_MAX)
/* Scanned in pieces, the clock read between them (a MB took 20-30 ms). */
#define BUSY_READ_SCAN_BYTES	(512u * 1024)
/* Expanded from earlier, for an event that began before the window. */
#define BUSY_READ_LEAD		((time_t)31 * 86400)

struct busy_read {
	struct ical_reader	*reader;
	char			 zone[72];
	time_t			 from, to;
	int			 scanned, done;
	struct busy_span	*spans;
	size_t			 n, cap, skipped;
};

static long
busy_read_ms(const struct timespec *since)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	    (now.tv_nsec - since->tv_nsec) / 1000000;
}

struct busy_read *
busy_read_begin(const char *buf, size_t len, const char *zone, time_t now,
    char *err, size_t errlen)
{
	struct busy_read	*r;
	struct ical_read_opts	 opts;
	struct ical_read_error	 e;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(r->zone, sizeof(r->zone), "%s", zone);
	r->from = now - BUSY_READ_BEFORE;
	r->to = now + BUSY_READ_AHEAD;
	memset(&opts, 0, sizeof(opts));
	opts.default_zone = r->zone;
	opts.now = now;
	memset(&e, 0, sizeof(e));
	if ((r->reader = ical_read_begin(buf, len, &opts, &e)) == NULL) {
		snprintf(err, errlen, "%s", e.reason[0] != '\0' ? e.reason :
		    "the calendar cannot be read");
		free(r);
		return NULL;
	}
	return r;
}

static int
busy_read_add(struct busy_read *r, time_t start, time_t end)
{
	struct busy_span	*grown;
	size_t			 ncap;

	if (end <= r->from || start >= r->to || end <= start)
		return 0;
	if (end - start > BUSY_SPAN_MAX)
		end = start + BUSY_SPAN_MAX;
	if (r->n == BUSY_READ_RAW_MAX)
		return -1;
	if (r->n == r->cap) {
		ncap = r->cap ? r->cap * 2 : 64;
		if ((grown = reallocarray(r->spans, ncap, sizeof(*grown))) ==
		    NULL)
			return -1;
		r->spans = grown;
		r->cap = ncap;
	}
	r->spans[r->n].start = start;
	r->spans[r->n++].end = end;
	return 0;
}

/* An all-day date (00:00 UTC of its day) as that day's start there. */
static time_t
busy_read_day(const char *zone, time_t date)
{
	struct tm	 tm;

	gmtime_r(&date, &tm);
	return tz_day_start(zone, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}

static int
busy_read_free_time(const struct ical_event *ev)
{
	return ev->transparent || ev->status == ICS_STATUS_CANCELLED;
}

/* One event (a master with its overrides): its busy occurrences. */
static int
busy_read_event(struct busy_read *r, const struct ical_event *ev)
{
	struct ical_occurrence	*occ;
	const struct ical_occurrence *o;
	char			 why[ICAL_READ_REASON_MAX];
	size_t			 n, i;
	int			 rc = 0;

	if (ical_read_expand(ev, r->from - BUSY_READ_LEAD, r->to, &occ, &n,
	    why, sizeof(why)) == -1) {
		r->skipped++;
		return 0;
	}
	for (i = 0; i < n && rc == 0; i++) {
		o = &occ[i];
		if (busy_read_free_time(o->ev))
			continue;
		if (o->is_date)
			rc = busy_read_add(r, busy_read_day(r->zone, o->start),
			    busy_read_day(r->zone, o->end));
		else
			rc = busy_read_add(r, o->start, o->end);
	}
	free(occ);
	return rc;
}

static int
cmp_span(const void *va, const void *vb)
{
	const struct busy_span	*a = va, *b = vb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->end > b->end) - (a->end < b->end);
}

/* Sorted, and overlapping or touching times made one. */
static void
busy_read_merge(struct busy_read *r)
{
	size_t	 i, k = 0;

	if (r->n > 1)
		qsort(r->spans, r->n, sizeof(*r->spans), cmp_span);
	for (i = 0; i < r->n; i++) {
		if (k > 0 && r->spans[i].start <= r->spans[k - 1].end &&
		    r->spans[i].end - r->spans[k - 1].start <= BUSY_SPAN_MAX) {
			if (r->spans[i].end > r->spans[k - 1].end)
				r->spans[k - 1].end = r->spans[i].end;
			continue;
		}
		r->spans[k++] = r->spans[i];
	}
	r->n = k;
}

int
busy_read_step(struct busy_read *r, int budget_ms, char *err, size_t errlen)
{
	struct timespec		 start;
	struct ical_read_error	 e;
	struct ical_event	*ev;
	int			 rc;

	if (r->done)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(&e, 0, sizeof(e));
	while (!r->scanned) {
		if ((rc = ical_read_scan(r->reader, BUSY_READ_SCAN_BYTES,
		    &e)) == -1) {
			snprintf(err, errlen, "line %d: %s", e.line, e.reason);
			return -1;
		}
		r->scanned = rc == 0;
		if (busy_read_ms(&start) >= budget_ms)
			return 1;
	}
	while (busy_read_ms(&start) < budget_ms) {
		if ((rc = ical_read_next(r->reader, &ev, &e)) == -2) {
			snprintf(err, errlen, "line %d: %s", e.line, e.reason);
			return -1;
		}
		if (rc == -1) {
			r->skipped++;
			continue;
		}
		if (rc == 0) {
			busy_read_merge(r);
			if (r->n > BUSY_CALENDAR_MAX) {
				snprintf(err, errlen, "more than %d busy times "
				    "in the window", BUSY_CALENDAR_MAX);
				return -1;
			}
			r->done = 1;
			return 0;
		}
		/* A cancelled event is gone with its overrides; a free one
		 * may have busy overrides. */
		rc = ev->status == ICS_STATUS_CANCELLED ||
		    (ev->transparent && ev->noverrides == 0) ? 0 :
		    busy_read_event(r, ev);
		ical_event_free(ev);
		if (rc == -1) {
			snprintf(err, errlen, "more than %d busy times in the "
			    "window", BUSY_READ_RAW_MAX);
			return -1;
		}
	}
	return 1;
}

const struct busy_span *
busy_read_spans(const struct busy_read *r, size_t *n, size_t *skipped)
{
	*n = r->done ? r->n : 0;
	*skipped = r->skipped;
	return r->spans;
}

void
busy_read_free(struct busy_read *r)
{
	if (r == NULL)
		return;
	ical_read_close(r->reader);
	free(r->spans);
	free(r);
}
