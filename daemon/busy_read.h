/*
 * A busy calendar's text read into busy times, in slices: the events
 * that make their time busy (not TRANSP:TRANSPARENT, not cancelled),
 * recurring ones expanded over a window, all-day ones as whole days in
 * the clinician's zone.  Only times come out: nothing else is kept.
 */
#ifndef PRACTICED_BUSY_READ_H
#define PRACTICED_BUSY_READ_H

#include <stddef.h>
#include <time.h>

#include "busy.h"

/* The window read: from a day before now to 400 days on. */
#define BUSY_READ_BEFORE	86400
#define BUSY_READ_AHEAD		((time_t)400 * 86400)

struct busy_read;

/* NULL (why in err) when the text cannot be taken at all; buf is copied. */
struct busy_read *busy_read_begin(const char *buf, size_t len,
	    const char *zone, time_t now, char *err, size_t errlen);
/*
 * Reads on for about budget_ms: 1 more to do, 0 done, -1 refused (a
 * file that is not iCalendar, or more than BUSY_CALENDAR_MAX times)
 * with why in err.
 */
int	 busy_read_step(struct busy_read *, int budget_ms, char *err,
	    size_t errlen);
/* When done: the times, sorted, and the events skipped as unreadable. */
const struct busy_span *busy_read_spans(const struct busy_read *,
	    size_t *n, size_t *skipped);
void	 busy_read_free(struct busy_read *);

#endif
