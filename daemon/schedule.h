/* The booking rules: clashes between appointments, and working hours. */
#ifndef PRACTICED_SCHEDULE_H
#define PRACTICED_SCHEDULE_H

#include <time.h>

#include <jansson.h>

#include "hours.h"

struct ctx;

/* Longest block a booking can hold: 480 minutes plus a 120 buffer. */
#define SCHEDULE_MAX_BLOCK	(600 * 60)

struct slot_request {
	long long	 id;		/* the appointment itself, or 0 */
	long long	 clinician_id;
	long long	 room_id;	/* 0: none */
	long long	 client_id;	/* 0: not checked */
	time_t		 start;
	time_t		 end;
	time_t		 block_end;	/* end plus buffer */
};

/*
 * A clinician's working hours, sorted by day and start; joined makes
 * touching ranges one span.  -1 on a database error.
 */
int	 schedule_hours(struct ctx *, long long clinician_id, int joined,
	    struct hours_range *, size_t *n);
/* Ranges as [{day, start, end}], those of one day (0-6) or all (-1). */
json_t	*schedule_hours_json(const struct hours_range *, size_t n, int wday);

/*
 * Live appointments of the clinician, room or client that overlap the
 * slot (the clinician's and room's with buffers; the client's sessions
 * themselves, since a buffer is the clinician's time),
 * as a JSON array (empty when free), the first SCHEDULE_MAX_CLASHES by
 * start (an import of many events at one time made each booking list
 * every one before it); NULL on a database error.
 */
#define SCHEDULE_MAX_CLASHES	20
json_t	*schedule_clashes(struct ctx *, const struct slot_request *);
/*
 * Closures (practice-wide or the clinician's) that the session overlaps,
 * as a JSON array; NULL on a database error.
 */
json_t	*schedule_closures(struct ctx *, const struct slot_request *);
/* A sentence naming the first clash, for the refusal. */
void	 schedule_clash_message(struct ctx *, json_t *clashes,
	    char *buf, size_t len);
/*
 * 1 inside the clinician's working hours (in their zone), 0 outside
 * with a sentence saying which hours apply, -1 on a database error.
 */
int	 schedule_within_hours(struct ctx *, const struct slot_request *,
	    char *why, size_t len, json_t **hours);

#endif
