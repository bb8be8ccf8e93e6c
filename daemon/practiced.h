/* The daemon's shared context. */
#ifndef PRACTICED_H
#define PRACTICED_H

#include <sys/types.h>
#include <time.h>

struct busy_fetch;
struct config;
struct control;
struct db;
struct event;
struct event_base;
struct feeds;
struct agenda_mail;
struct imports;
struct outbox;
struct backups;
struct verifier;

struct practiced {
	struct event_base	*base;
	struct config		*conf;		/* swapped whole on SIGHUP */
	struct db		*db;
	struct control		*control;
	time_t			 started;
	uid_t			 uid;		/* our own user: always admin */
	struct event		*extend;	/* series to the horizon */
	struct outbox		*outbox;	/* reminders on their way */
	struct feeds		*feeds;		/* NULL: no [feeds] listen */
	struct busy_fetch	*busy;		/* busy calendars' fetches */
	struct backups		*backups;	/* backup.c */
	struct verifier		*verify;	/* verify.c */
	struct agenda_mail	*agenda_mail;	/* the morning's agenda */
	struct imports		*imports;	/* iCalendar imports */
};

/* demo.c */
int	demo_seed(struct practiced *);

#endif
