/*
 * The daily backup, daily-YYYY-MM-DD.db, at [backup] hour in the
 * practice's zone, and the rotation that keeps the newest [backup] keep
 * of them.  Backups made by name are never rotated away.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "backup.h"
#include "backup_int.h"
#include "config.h"
#include "ctx.h"
#include "log.h"
#include "practiced.h"
#include "tz.h"

#define BACKUP_RETRY_SECONDS	60	/* when another backup runs */
#define BACKUP_CHECK_SECONDS	3600	/* clock jumps are seen this soon */
#define BACKUP_MAX_DAILY	400	/* names read when rotating */

/* The daily backups beyond keep, oldest first, are removed. */
void
backup_daily_rotate(struct backups *bs, const char *dir)
{
	char		*names[BACKUP_MAX_DAILY], path[PATH_MAX];
	struct dirent	*de;
	DIR		*d;
	size_t		 plen = strlen(BACKUP_DAILY_PREFIX);
	int		 n = 0, i, j, keep = bs->pd->conf->backup.keep;

	if ((d = opendir(dir)) == NULL) {
		log_warn("backup: rotate %s", dir);
		return;
	}
	while ((de = readdir(d)) != NULL && n < BACKUP_MAX_DAILY)
		if (strlen(de->d_name) == plen + 13 &&
		    strncmp(de->d_name, BACKUP_DAILY_PREFIX, plen) == 0 &&
		    strcmp(de->d_name + plen + 10, ".db") == 0 &&
		    (names[n] = strdup(de->d_name)) != NULL)
			n++;
	closedir(d);
	/* YYYY-MM-DD sorts as it runs; n is small. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (i < n - keep &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path)) {
			if (unlink(path) == -1)
				log_warn("backup: rotate %s", path);
			else
				log_info("backup: removed %s (keep = %d)",
				    names[i], keep);
		}
		free(names[i]);
	}
}

/*
 * The daily backup: once a day at [backup] hour or later, in the
 * practice's zone; one missed while the daemon was down is made at
 * start.  The timer looks at least hourly, as the clock may jump.
 */
void
backup_daily_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct backups		*bs = arg;
	struct practiced	*pd = bs->pd;
	struct backup_info	 b;
	struct tz_wall		 w;
	struct ctx		 ctx;
	char			 day[16], base[BACKUP_NAME_MAX + 1];
	int			 hour = pd->conf->backup.hour;

	(void)fd;
	(void)what;
	ctx_init_internal(&ctx, pd, time(NULL), "backup");
	tz_to_wall(pd->conf->timezone, ctx.now, &w);
	snprintf(day, sizeof(day), "%04d-%02d-%02d", w.year, w.month, w.day);
	if (hour < 0 || w.hour < hour || strcmp(day, bs->last_daily) == 0) {
		backup_daily_arm(bs, BACKUP_CHECK_SECONDS);
		return;
	}
	if (bs->job != NULL) {
		backup_daily_arm(bs, BACKUP_RETRY_SECONDS);
		return;
	}
	snprintf(base, sizeof(base), BACKUP_DAILY_PREFIX "%s.db", day);
	/* Made, or there already: done for the day; else tried again. */
	if (backup_begin_named(&ctx, base, 1, &b) == 0 ||
	    ctx.err == PROTO_EDUPLICATE)
		snprintf(bs->last_daily, sizeof(bs->last_daily), "%s", day);
	else
		log_warnx("daily backup: %s", ctx.msg);
	ctx_clear(&ctx);
	backup_daily_arm(bs, BACKUP_CHECK_SECONDS);
}

/* The next look: at the hour if it comes sooner than seconds. */
void
backup_daily_arm(struct backups *bs, int seconds)
{
	struct practiced	*pd = bs->pd;
	struct timeval		 tv = { seconds, 0 };
	struct tz_wall		 w;
	time_t			 now = time(NULL), at;
	char			 err[128];

	if (pd->conf->backup.hour >= 0) {
		tz_to_wall(pd->conf->timezone, now, &w);
		w.hour = pd->conf->backup.hour;
		w.minute = 0;
		if (tz_from_wall(pd->conf->timezone, &w, &at, err,
		    sizeof(err)) == 0 && at > now && at - now < seconds)
			tv.tv_sec = at - now;
	}
	evtimer_add(bs->daily, &tv);
}
