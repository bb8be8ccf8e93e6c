/*
 * A session as an invitation (iTIP, RFC 5546): the calendar an email
 * notice carries so that the client's own calendar holds the session and
 * a move or a cancellation updates it there.
 */
#ifndef PRACTICED_INVITE_H
#define PRACTICED_INVITE_H

#include <stddef.h>
#include <time.h>

#include "notice.h"

struct practiced;

/* A session of a series as the text of the message names it or not. */
struct invite_session {
	time_t		 recurrence;	/* 0: the series' own (its master) */
	int		 same_clinician;	/* the one the message names */
	int		 same_place;
};

/*
 * A series as its client's calendar holds it, read when the notice of
 * one of its sessions goes (invite_series_load): the export's VEVENTs
 * of it (ical_series.c, in the client's view), its SEQUENCE, and what
 * the message's text says of each session.
 */
struct invite_series {
	long long		 id;
	char			*events;	/* iCalendar text, VEVENTs */
	char			 zone[72];	/* the series' */
	time_t			 first;		/* its first session */
	int			 sequence;
	int			 cancelled;	/* nothing left of it */
	struct invite_session	*sessions;	/* the master first */
	size_t			 nsessions;
	/* The series it split from (a move of "following" sessions),
	 * told its new end with it; NULL: none. */
	struct invite_series	*parent;
	long long		 parent_id;
	int			 held;		/* it has sessions */
	/* Split from the first session of another, it goes under that
	 * one's UID, the client's entry; "": its own. */
	char			 uid[128];
};

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
	/* A session of a series: the series whole (NULL: a one-off), and
	 * what its sessions of another clinician show. */
	const struct invite_series *series;
	const char	*summary_plain;
};

/* "REQUEST" or "CANCEL" for a notice that carries an invitation; NULL
 * for one that carries none (a reminder). */
const char	*invite_method(enum notice);

/* The SEQUENCE of a notice of the appointment at version: one that
 * grows with every notice, a cancel after the request it cancels. */
int		 invite_sequence(enum notice, int version);

/* The METHOD the invitation is sent with: a series' notices are
 * REQUESTs of it as it stands, unless nothing is left of it. */
const char	*invite_calendar_method(const struct invite *);

/*
 * The VCALENDAR: METHOD, the zone's VTIMEZONE and, for a one-off
 * session, one VEVENT named as the export names it
 * ("a<id>-<practice>@practiced"): the appointment keeps its id when it
 * moves, so the UID stays.  For a session of a series (in->series), the
 * series whole as the export writes it ("s<id>-<practice>@practiced"),
 * in its own zone.  NULL when the notice carries none, the organizer has
 * no address, or on a libical or memory failure.
 */
char		*invite_calendar(const struct invite *);

/*
 * The series of appointment appt_id for its notice's invitation, the
 * message naming clinician and place: 0 with s->id 0 for a session of
 * no series (a one-off), 0 with the series read, 1 when the notice
 * should carry no invitation (a session its series let go: its entry
 * is the series', which its siblings' notices update), -1 on a database
 * or memory failure.  practice_uid names the UIDs.
 */
int		 invite_series_load(struct practiced *, long long appt_id,
		    const char *practice_uid, const char *clinician,
		    const char *place, time_t now, struct invite_series *);
void		 invite_series_free(struct invite_series *);

#endif
