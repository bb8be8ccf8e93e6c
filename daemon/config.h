/* The configuration file: parsed whole, checked whole, swapped whole. */
#ifndef PRACTICED_CONFIG_H
#define PRACTICED_CONFIG_H

#include <stddef.h>

#include "notice.h"

struct templates;

struct name_list {
	char		**names;
	size_t		  count;
};

/* A reminder: by which channel, how long before the start. */
struct remind_rule {
	enum channel	 channel;
	int		 minutes;
};

#define CONFIG_MAX_RULES	8

struct config_reminders {
	struct remind_rule	 rules[CONFIG_MAX_RULES];
	int			 nrules;
	int			 rules_given;	/* by the file */
	int			 quiet_from;	/* minutes of the day; */
	int			 quiet_to;	/* equal: no quiet hours */
	int			 notices;	/* confirm, reschedule, cancel */
	int			 grace_seconds;	/* before a notice goes */
	int			 invitations;	/* email notices carry .ics */
	char			*templates_dir;	/* NULL: the built-in texts */
	struct templates	*templates;
};

/* No url: email is written into the outbox folder instead. */
struct config_smtp {
	char		*url;		/* smtp:// or smtps:// */
	int		 starttls;	/* required (smtp://), unless "no" */
	char		*from;
	char		*username;
	char		*password;	/* read from password_file */
	char		*ca_file;	/* NULL: the system's authorities */
};

enum sms_provider {
	SMS_NONE,			/* written into the outbox folder */
	SMS_TWILIO,
	SMS_WEBHOOK
};

struct config_sms {
	enum sms_provider provider;
	char		*url;
	char		*account;
	char		*token;		/* read from token_file */
	char		*from;		/* E.164 */
	char		*header;	/* webhook: the token's; NULL: bearer */
};

/* The calendar feeds' listener (feed_serve.c); off while listen is NULL. */
struct config_feeds {
	char		*listen;	/* "127.0.0.1:8470", "[::1]:8470" */
	char		*host;		/* its numeric address */
	char		*port;
	char		*url;		/* the public base; NULL: http://LISTEN */
};

struct config {
	char		*path;		/* the file it came from */

	char		*practice_name;
	char		*practice_phone;	/* for clients; NULL: none */
	char		*timezone;	/* IANA name */
	int		 timezone_set;	/* named by the file, not the default */
	int		 late_cancel_hours;
	int		 series_horizon_days;

	char		*database;	/* absolute paths */
	char		*socket_path;
	char		*socket_group;	/* NULL: the daemon's own group */
	int		 demo;		/* seed an empty database */
	int		 max_connections;
	int		 request_timeout;	/* seconds */
	size_t		 max_body;		/* bytes */

	struct name_list admin;
	struct name_list staff;
	struct name_list readonly;

	struct config_reminders	 reminders;
	struct config_smtp	 smtp;
	struct config_sms	 sms;
	struct config_feeds	 feeds;
};

/* Returns NULL and writes "FILE:LINE: why" into err on any fault. */
struct config	*config_load(const char *path, char *err, size_t errlen);
/*
 * A reload may not drop what the running configuration relies on: the
 * practice's zone, or every access rule (a file truncated mid-edit reads
 * as the defaults).  -1 with the reason in err.
 */
int		 config_check_reload(const struct config *old,
		    const struct config *new, char *err, size_t errlen);
void		 config_free(struct config *);

#endif
