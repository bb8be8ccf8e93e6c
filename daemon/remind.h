/*
 * Reminders: when each is due (remind_due.c), planned with every change
 * of an appointment (remind.c), sent and recorded by the outbox
 * (outbox.c).
 */
#ifndef PRACTICED_REMIND_H
#define PRACTICED_REMIND_H

#include <time.h>

struct ctx;

/* How long before quiet hours begin a reminder moved out of them goes,
 * so that a dispatch a little late still lands before they start. */
#define REMIND_QUIET_MARGIN	(10 * 60)

/*
 * When a rule of minutes before a session starting at start fires, for a
 * recipient in zone with quiet hours [quiet_from, quiet_to) in minutes of
 * the local day (wrapping midnight when from > to; equal: none).  A time
 * inside quiet hours moves earlier, to REMIND_QUIET_MARGIN before they
 * began, never later.
 */
time_t	 remind_due(time_t start, int minutes, const char *zone,
	    int quiet_from, int quiet_to);

/*
 * An appointment's reminders made to fit what it is now, inside the
 * transaction that changed it: those pending for an earlier version (a
 * move) or for a session no longer open are superseded, and each rule
 * gets a row for the current version, pending, or skipped with the reason
 * (no address, no consent, the client's choice, its time already past).
 * Called by appt.c's writers only.  -1 with the error set.
 */
int	 remind_plan(struct ctx *, long long appt_id);

#endif
