/*
 * Reminders: when each is due (remind_due.c), and later the outbox that
 * plans, claims and records them (remind.c).
 */
#ifndef PRACTICED_REMIND_H
#define PRACTICED_REMIND_H

#include <time.h>

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

#endif
