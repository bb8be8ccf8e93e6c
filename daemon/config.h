/* The configuration file: parsed whole, checked whole, swapped whole. */
#ifndef PRACTICED_CONFIG_H
#define PRACTICED_CONFIG_H

#include <stddef.h>

struct name_list {
	char		**names;
	size_t		  count;
};

struct config {
	char		*path;		/* the file it came from */

	char		*practice_name;
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
