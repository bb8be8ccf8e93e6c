/* Attendance: a client's history and the practice's report. */
#ifndef PRACTICED_REPORT_H
#define PRACTICED_REPORT_H

#include <jansson.h>

struct ctx;

/* The answers of /v1/clients/ID/history and /v1/reports/attendance;
 * NULL with the error set.  Days are dates in ctx->tz (NULL: the last
 * 90 days to today). */
json_t	*report_history(struct ctx *, long long client_id);
json_t	*report_attendance(struct ctx *, const char *from, const char *to,
	    long long clinician_id);

#endif
