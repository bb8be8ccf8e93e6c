/*
 * What the copy (backup.c) and the daily backup with its rotation
 * (backup_daily.c) share: the module's state and the steps each
 * takes of the other.
 */
#ifndef PRACTICED_BACKUP_INT_H
#define PRACTICED_BACKUP_INT_H

#include <limits.h>

#include <event2/util.h>
#include <sqlite3.h>

#include "backup.h"

struct ctx;
struct event;
struct practiced;

struct backups {
	struct practiced	*pd;
	struct event		*step;		/* the next slice */
	struct event		*daily;
	int			 next_id;
	struct backup_info	 cur;		/* the last one, or running */
	sqlite3			*dest;		/* running: the copy */
	sqlite3_backup		*job;
	int			 fd;		/* the copy's, for its syncs */
	char			 tmp[PATH_MAX];
	char			 last_daily[16];	/* YYYY-MM-DD tried */
};

/* backup.c: starts the copy to base in the folder (checked already). */
int	 backup_begin_named(struct ctx *, const char *base, int daily,
	    struct backup_info *out);
void	 backup_fsync_dir(const char *dir);

/* backup_daily.c: the timer's callback, arming it, and the rotation
 * after a daily backup is in place in dir. */
void	 backup_daily_on_timer(evutil_socket_t, short, void *);
void	 backup_daily_arm(struct backups *, int seconds);
void	 backup_daily_rotate(struct backups *, const char *dir);

#endif
