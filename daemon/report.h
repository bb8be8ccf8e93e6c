/* Attendance: a client's history and the practice's report. */
#ifndef PRACTICED_REPORT_H
#define PRACTICED_REPORT_H

#include <time.h>

#include <jansson.h>

struct ctx;

struct appt_cursor;

/* The answers of /v1/clients/ID/history (with a page of the client's
 * sessions, see appt_list) and /v1/reports/attendance; NULL with the
 * error set.  Days are dates in ctx->tz (NULL: the last 90 days to
 * today). */
json_t	*report_history(struct ctx *, long long client_id,
	    const struct appt_cursor *after, int limit,
	    struct appt_cursor *next, int *more);

/*
 * A page of the attendance report: its clients by name, at most limit
 * of them, after the client "after" (0: from the first; the first page
 * also carries the clinicians' counts and who is falling out of care).
 * On return, more says whether others may follow, from after next.
 * from and to are the range's instants, filled in.
 */
struct report_page {
	long long	 clinician;	/* 0: all */
	long long	 after;
	int		 limit;
	long long	 next;
	int		 more;
	time_t		 from, to;
};
json_t	*report_attendance(struct ctx *, const char *from, const char *to,
	    struct report_page *);

#endif
