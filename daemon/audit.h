/* The audit log: who changed what, and when. */
#ifndef PRACTICED_AUDIT_H
#define PRACTICED_AUDIT_H

#include <time.h>

#include <jansson.h>

struct ctx;

/* Inside the change's own transaction; -1 (error set) on failure. */
int	audit_record(struct ctx *, const char *action, const char *object,
	    long long object_id, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* Entries a page holds: 500 hold the loop about 10 ms. */
#define AUDIT_PAGE	500

struct appt_cursor;
/*
 * The newest limit entries from since on, oldest first, a page at a time:
 * after is NULL for the first page, else the cursor *next the previous
 * page gave with *more set (the window stays the one the first page saw).
 * NULL on a database error.
 */
json_t	*audit_list(struct ctx *, time_t since, int limit,
	    const struct appt_cursor *after, struct appt_cursor *next,
	    int *more);

#endif
