/*
 * A session as an invitation (iTIP, RFC 5546): the calendar an email
 * notice carries so that the client's own calendar holds the session and
 * a move or a cancellation updates it there.
 */
#ifndef PRACTICED_INVITE_H
#define PRACTICED_INVITE_H

#include <time.h>

#include "notice.h"

struct invite {
	enum notice	 notice;	/* confirmation, reschedule, cancellation */
	const char	*practice_uid;	/* the practice's random id */
	long long	 appt_id;	/* with practice_uid: the UID */
	int		 version;	/* the appointment's, for the SEQUENCE */
	time_t		 start, end;
	const char	*zone;		/* the recipient's, for DTSTART/DTEND */
	time_t		 created, modified;
	time_t		 now;		/* DTSTAMP */
	const char	*organizer;	/* the sender: "Name <addr>" or "addr" */
	const char	*practice;	/* the organizer's CN */
	const char	*attendee;	/* the client's address */
	const char	*summary;	/* what the calendar shows */
	const char	*location;	/* NULL: none */
};

/* "REQUEST" or "CANCEL" for a notice that carries an invitation; NULL
 * for one that carries none (a reminder). */
const char	*invite_method(enum notice);

/* The SEQUENCE of a notice of the appointment at version: one that
 * grows with every notice, a cancel after the request it cancels. */
int		 invite_sequence(enum notice, int version);

/*
 * The VCALENDAR: METHOD, the zone's VTIMEZONE and one VEVENT named as
 * the export names a one-off session ("a<id>-<practice>@practiced"): the
 * appointment keeps its id when it moves, so the UID stays.  NULL when
 * the notice carries none, the organizer has no address, or on a
 * libical or memory failure.
 */
char		*invite_calendar(const struct invite *);

#endif
