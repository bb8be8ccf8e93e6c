/* The audit log: who changed what, and when. */
#ifndef PRACTICED_AUDIT_H
#define PRACTICED_AUDIT_H

struct api_req;

/* Inside the change's own transaction; -1 (answer set) on failure. */
int	audit_record(struct api_req *, const char *action, const char *object,
	    long long object_id, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

#endif
