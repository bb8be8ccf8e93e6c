/*
 * Reminders: when each is due (remind_due.c), planned with every change
 * of an appointment (remind.c), sent and recorded by the outbox
 * (outbox.c).
 */
#ifndef PRACTICED_REMIND_H
#define PRACTICED_REMIND_H

#include <time.h>

#include "notice.h"

struct ctx;

/* Which kind of change an appointment writer made: what a notice says. */
enum remind_change {
	REMIND_BOOKED,
	REMIND_MOVED,
	REMIND_CANCELLED,
	REMIND_RESTORED,
	REMIND_MARKED,
	REMIND_DETACHED,	/* left its series; cancelled if ahead */
	REMIND_CLIENT		/* the client's channels or consent */
};

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
 * What a client has been told of a session: that it is booked, when and
 * where (a room's id or a video link); or nothing is booked (never told,
 * or told it was cancelled).
 */
struct remind_seen {
	int		 booked;
	time_t		 start;
	char		 place[256];
};

/* The session as the client would see it now; -1 with the error set.
 * A writer reads it before its change (remind_plan's before). */
int	 remind_seen_load(struct ctx *, long long appt_id,
	    struct remind_seen *);

/*
 * An appointment's reminders made to fit what it is now, inside the
 * transaction that changed it: those pending for an earlier version (a
 * move) or for a session no longer open are superseded, and each rule
 * gets a row for the current version, pending, or skipped with the reason
 * (no address, no consent, the client's choice, its time already past).
 * The change's notice is planned with it, held for [reminders]
 * notice_grace: it tells the difference between what the client was last
 * told and the session now (remind_notice_between), so changes corrected
 * within the grace period make one message or none.  before: the session
 * before the change (NULL for a new one).  Called by appt.c's writers,
 * and for a client's open sessions when their channels or consent change
 * (REMIND_CLIENT: no notice; a waiting one goes to the new address, or
 * is skipped if its channel is now refused).  -1 with the error set.
 */
int	 remind_plan(struct ctx *, long long appt_id, enum remind_change,
	    const struct remind_seen *before);

/*
 * Re-plan the reminders of a client's open sessions still ahead (at most
 * REMIND_REPLAN_MAX, the soonest), after their channels, addresses or
 * SMS consent changed.  -1 with the error set.
 */
#define REMIND_REPLAN_MAX	500
int	 remind_replan_client(struct ctx *, long long client_id);

/*
 * The notices of sessions of one series changed at once (a move or a
 * cancel of the following sessions or all), made one a kind and channel:
 * the first session's tells of the others (told_by), whose own are
 * superseded.  The message says how many and to when ({also}).  If that
 * notice is superseded in turn, the others' wait again.  -1 with the
 * error set.
 */
int	 remind_notices_as_one(struct ctx *, const long long *appt_ids,
	    size_t n);

/* The notice that takes a client from what they were told to what the
 * session is now: a confirmation, a reschedule (time or place), a
 * cancellation, or NOTICE_COUNT when nothing changed for them. */
enum notice	 remind_notice_between(const struct remind_seen *told,
		    const struct remind_seen *now);

#endif
