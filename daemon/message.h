/* A reminder or notice as its recipient reads it: the template filled in
 * the recipient's zone, and for email the whole RFC 5322 message. */
#ifndef PRACTICED_MESSAGE_H
#define PRACTICED_MESSAGE_H

#include <time.h>

#include "notice.h"

struct config;
struct invite_series;
struct practiced;
struct send_job;

struct message_row {
	long long	 id;		/* the reminder's */
	int		 version;	/* the appointment's */
	enum notice	 notice;
	enum channel	 channel;
	char		 recipient[320];
	time_t		 start;
	char		 zone[72];	/* the recipient's */
	char		 client[256];
	char		 clinician[256];
	char		 place[2049];	/* a room or a link; "" none */
	char		 rrule[256];	/* its series' rule; "" none */
	char		 until[16];	/* its series' last day, YYYY-MM-DD */
	/* A notice that tells of later sessions of the series as well
	 * (remind_notices_as_one): how many, and the last one's start. */
	int		 also;
	time_t		 also_last;
	int		 series_ends;	/* cancelled, or ends before it */
	int		 series_open;	/* no end: grows with time */

	/* For an email notice's invitation (invite.h). */
	long long	 appt_id;
	time_t		 end;
	time_t		 created, modified;	/* the appointment's */
	char		 practice_uid[64];
	/* Set by message_render_read: the session's series (NULL: none),
	 * or no invitation at all. */
	const struct invite_series *series;
	int		 no_invite;
};

/* The text to send (email: the composed message, with the session's
 * invitation for a confirmation, reschedule or cancellation unless
 * [reminders] invitations is off); NULL when out of memory.  now dates
 * an email. */
char		*message_render(const struct config *,
		    const struct message_row *, time_t now);
/* The same, the session's series read for its invitation: a session
 * of a series carries the series whole (invite.h). */
char		*message_render_read(struct practiced *,
		    const struct message_row *, time_t now);
/* A test message to the row's recipient (no session: only its client,
 * zone and id are read); NULL when out of memory. */
char		*message_render_test(const struct config *,
		    const struct message_row *, time_t now);
/* A job carrying text (now the job's) by the configured provider; NULL
 * with text untouched when the channel has none. */
struct send_job	*message_job(const struct config *,
		    const struct message_row *, char *text);

#endif
