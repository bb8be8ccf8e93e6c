/*
 * Closures: days the practice, or one clinician, does not see clients.
 * Adding one leaves the sessions it covers booked (moving them is
 * staff's call) until staff cancel them through it (closure_cancel);
 * removing one books again what series skipped for it.
 */
#ifndef PRACTICED_CLOSURE_H
#define PRACTICED_CLOSURE_H

#include <time.h>

#include <jansson.h>

struct ctx;

/*
 * The SQL condition that a closure (aliased k) covers a session of a
 * clinician from start to end: one of the practice's or of that
 * clinician, overlapping it.  Booking refuses such a session
 * (schedule.c); one booked before the closure is flagged (appt.c).
 */
#define CLOSURE_COVERS(start, end, clinician)				\
	"k.end_utc > " start " AND k.start_utc < " end			\
	" AND (k.clinician_id IS NULL OR k.clinician_id = " clinician ")"

#define CLOSURE_REASON_MAX	200	/* characters */

struct closure_new {
	long long	 clinician_id;	/* 0: practice-wide */
	const char	*from;		/* dates in the clinician's zone */
	const char	*to;		/* NULL: the day of from */
	const char	*reason;
};

/* Each returns -1 with the error set in the context. */
int	 closure_add(struct ctx *, const struct closure_new *, long long *id);
/* The closure as it was, how many series sessions were booked again
 * (and those sessions, as appointments), and those skipped anew. */
int	 closure_remove(struct ctx *, long long id, json_t **removed,
	    int *restored, json_t **skipped, json_t **booked);

json_t	*closure_json(struct ctx *, long long id);
/* The open sessions the closure covers, the first CLOSURE_AFFECTED_MAX
 * by start as appointments, and *total of them all (NULL on error): 200
 * rows hold the loop about 20 ms, 1000 well over 100. */
#define CLOSURE_AFFECTED_MAX	200
json_t	*closure_affected(struct ctx *, long long id, long long *total);
/*
 * Cancels, by the practice and with the closure's reason, the first
 * CLOSURE_CANCEL_BATCH open sessions the closure covers that have not
 * begun; *cancelled lists them as they now are, *remaining how many
 * such sessions are left for the next call.  A batch of 50 holds the
 * loop about 20 ms on 100,000 sessions (bench_stall).
 */
#define CLOSURE_CANCEL_BATCH	50
int	 closure_cancel(struct ctx *, long long id, json_t **cancelled,
	    long long *remaining);
/* Closures that end after from and start before to, of the practice and
 * (when clinician_id != 0) of that clinician. */
json_t	*closure_list(struct ctx *, time_t from, time_t to,
	    long long clinician_id);

#endif
