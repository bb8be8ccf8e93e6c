/*
 * Busy blocks: times a clinician is taken by something that is not a
 * session (an imported event, her private calendar).  Booking refuses
 * them, slots skip them, and a session booked before one is flagged.
 */
#ifndef PRACTICED_BUSY_H
#define PRACTICED_BUSY_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct ctx;

#define BUSY_SOURCE_IMPORT	"import"
#define BUSY_SOURCE_CALENDAR	"calendar"

/*
 * A block is stored as pieces of at most BUSY_PIECE seconds (a week),
 * so that finding the blocks over a time reads one week of the
 * (clinician, start) index.  BUSY_SPAN_MAX bounds a whole block.
 */
#define BUSY_PIECE		604800
#define BUSY_PIECE_SQL		"604800"
#define BUSY_SPAN_MAX		(366 * 86400)

/*
 * The SQL condition that a busy block (aliased b) of the clinician
 * overlaps start to end.  Booking refuses such a session (appt_rules.c);
 * one booked before the block is flagged (appt.h, attention.c).
 */
#define BUSY_COVERS(start, end, clinician)				\
	"b.clinician_id = " clinician " AND b.start_utc < " end		\
	" AND b.start_utc > " start " - " BUSY_PIECE_SQL		\
	" AND b.end_utc > " start

/*
 * Each returns -1 with the error set in the context, and writes inside
 * the caller's transaction.
 *
 * busy_add: a block of the clinician from start to end (UTC).  source
 * is BUSY_SOURCE_IMPORT (calendar_id 0) or BUSY_SOURCE_CALENDAR (its
 * calendar's id).  Adding a block that is already there (same
 * clinician, times, source and calendar) adds nothing and gives the
 * existing id, so a second import of the same file changes nothing.
 * A block over a week is stored as pieces; *id (may be NULL) is the
 * first's, and busy_remove of it removes them all.
 */
int	 busy_add(struct ctx *, long long clinician_id, time_t start,
	    time_t end, const char *source, long long calendar_id,
	    long long *id);
/* A block by the id busy_add gave (not_found when there is none). */
int	 busy_remove(struct ctx *, long long id);

/* One busy time, as a calendar's reading gives it. */
struct busy_span {
	time_t		 start, end;
};

/* At most this many blocks a calendar: a dozen a day over the window
 * read (busy_read.h), stored in about 40 ms of the loop. */
#define BUSY_CALENDAR_MAX	5000

/*
 * All the blocks of one busy calendar replaced by spans (n at most
 * BUSY_CALENDAR_MAX; spans of any order, overlapping ones kept as
 * they are), and its count of blocks set.
 */
int	 busy_replace(struct ctx *, long long calendar_id,
	    const struct busy_span *, size_t n);

/*
 * The clinician's blocks overlapping start to end, by start, as
 * [{id, source, calendar, start, end, local_start, local_end}];
 * NULL on a database error (ctx_internal).
 */
json_t	*busy_overlapping(struct ctx *, long long clinician_id,
	    time_t start, time_t end);
/* A sentence naming the first of them, for a refusal. */
void	 busy_message(json_t *blocks, char *buf, size_t len);

#endif
