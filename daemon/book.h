/*
 * What callers ask of the schedule: book, move, cancel, restore and
 * mark one appointment (or, by scope, its series), each checked against
 * the rules, written through appt.c and audited, in the caller's
 * transaction.  Each returns -1 with the error set in the context.
 */
#ifndef PRACTICED_BOOK_H
#define PRACTICED_BOOK_H

#include "appt.h"

struct ctx;

int	 book_new(struct ctx *, const struct appt_booking *,
	    struct appt_result *);
int	 book_move(struct ctx *, long long id, const struct appt_change *,
	    struct appt_result *);
/*
 * by: "client" or "practice", or NULL for "practice" outside the late
 * window (refused inside it); reason may be NULL.
 */
int	 book_cancel(struct ctx *, long long id, enum appt_scope,
	    const char *by, const char *reason, struct appt_result *);
/*
 * A cancelled session booked again, at its time and place, when every
 * booking rule still holds: force and overlap as for a booking.
 */
int	 book_restore(struct ctx *, long long id, int force, int overlap,
	    struct appt_result *);
/* state: attended, no-show, confirmed or booked. */
int	 book_mark(struct ctx *, long long id, const char *state,
	    struct appt_result *);

/* The checks every booking starts with: client and service active, the
 * service's length; fills the plan's slot. */
int	 book_plan(struct ctx *, const struct appt_booking *,
	    struct appt_plan *);

#endif
