/* Attendance: a client's history and the practice's report. */
#ifndef PRACTICED_REPORT_H
#define PRACTICED_REPORT_H

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
json_t	*report_attendance(struct ctx *, const char *from, const char *to,
	    long long clinician_id);

#endif
