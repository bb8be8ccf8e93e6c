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

/* The newest limit entries from since on, oldest first (NULL on error). */
json_t	*audit_list(struct ctx *, time_t since, int limit);

#endif
