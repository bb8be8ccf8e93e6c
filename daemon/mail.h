/*
 * An email as RFC 5322 and MIME want it: headers with a Date, a
 * Message-ID that is the same on every attempt (so a resend after a crash
 * is recognisably the same message), UTF-8 text in quoted-printable, an
 * encoded subject, and an invitation when there is one.  Only the text is
 * made here; send.c carries it.
 */
#ifndef PRACTICED_MAIL_H
#define PRACTICED_MAIL_H

#include <stddef.h>
#include <time.h>

struct mail_message {
	const char	*from;		/* "Name <addr>" or "addr" */
	const char	*to;		/* an address */
	const char	*subject;	/* UTF-8 */
	const char	*body;		/* UTF-8, lines end in \n */
	const char	*message_id;	/* "local@domain", no brackets */
	time_t		 date;
	/* An invitation: iCalendar text and its METHOD; NULL: none. */
	const char	*calendar;
	const char	*method;	/* "REQUEST", "CANCEL" */
};

/* The attachment's name, as mail clients show it. */
#define MAIL_INVITE_NAME	"invite.ics"

/*
 * The whole message, CRLF line ends; NULL when out of memory.  With a
 * calendar it is the shape calendar services send and mail clients
 * recognise: multipart/mixed holding a multipart/alternative of the text
 * and the text/calendar (method=...), then the same calendar attached as
 * MAIL_INVITE_NAME.
 */
char	*mail_compose(const struct mail_message *);
/* The bare address of "Name <addr>" or "addr", for the envelope;
 * -1 when there is none or it does not fit. */
int	 mail_address(const char *from, char *addr, size_t len);
/* "tag.id.version@domain", the domain taken from the address of from;
 * -1 when from has no domain or it does not fit. */
int	 mail_message_id(char *buf, size_t len, const char *tag,
	    long long id, int version, const char *from);

struct config_smtp;
struct send_job;

/* A job for the sender: message (composed, now the job's) to one
 * recipient through the configured server.  NULL when out of memory. */
struct send_job *mail_job(const struct config_smtp *, long long id,
		    const char *to, char *message);

#endif
