/*
 * Online backups: sqlite3_backup_step() on the daemon's own connection,
 * BACKUP_STEP_PAGES at a time for at most BACKUP_SLICE_MS a turn of the
 * loop.  Writes made on the same connection between turns are copied
 * into the backup as they happen (SQLite's rule), so the result is the
 * database as it stood at the last commit before the end.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "backup.h"
#include "backup_int.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "practiced.h"
#include "tz.h"

#define BACKUP_STEP_PAGES	16
#define BACKUP_SLICE_MS		20


int
backup_dir(const struct practiced *pd, char *buf)
{
	const char	*db = pd->conf->database, *slash;
	int		 n;

	if (pd->conf->backup.dir != NULL)
		n = snprintf(buf, PATH_MAX, "%s", pd->conf->backup.dir);
	else if ((slash = strrchr(db, '/')) != NULL)
		n = snprintf(buf, PATH_MAX, "%.*s/backups",
		    (int)(slash - db), db);
	else
		n = snprintf(buf, PATH_MAX, "backups");
	if (n < 0 || n >= PATH_MAX)
		return -1;
	/* "dir/" and "dir" are one folder. */
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return 0;
}

int
backup_name(struct ctx *ctx, const char *dir, const char *name, char *base)
{
	const char	*slash, *p;
	size_t		 dlen;

	if ((slash = strrchr(name, '/')) != NULL) {
		dlen = (size_t)(slash - name);
		while (dlen > 1 && name[dlen - 1] == '/')
			dlen--;
		if (name[0] != '/' || strlen(dir) != dlen ||
		    strncmp(name, dir, dlen) != 0)
			return ctx_error(ctx, PROTO_EBADREQUEST, "practiced "
			    "writes backups into its backup folder, %s: give "
			    "a file name, or a path in that folder (see "
			    "[backup] dir in practiced.conf(5))", dir);
		name = slash + 1;
	}
	if (*name == '\0' || *name == '.' || strlen(name) > BACKUP_NAME_MAX)
		return ctx_error(ctx, PROTO_EBADREQUEST, "a backup's name has "
		    "1 to %d characters and does not start with '.'",
		    BACKUP_NAME_MAX);
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			return ctx_error(ctx, PROTO_EBADREQUEST, "a backup's "
			    "name has only letters, digits, '.', '_' and '-'");
	memcpy(base, name, strlen(name) + 1);
	return 0;
}

/* Makes the folder, ours only, if it is not there. */
static int
backup_mkdir(struct ctx *ctx, const char *dir)
{
	struct stat	 st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("backup: mkdir %s", dir);
		return ctx_error(ctx, PROTO_EINTERNAL, "cannot make the "
		    "backup folder %s: %s", dir, strerror(errno));
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return ctx_error(ctx, PROTO_EINTERNAL, "the backup folder %s "
		    "is not a folder", dir);
	return 0;
}

void
backup_fsync_dir(const char *dir)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if (fsync(fd) == -1)
		log_warn("backup: fsync %s", dir);
	close(fd);
}

/* Ends the SQLite side of a job, and removes its file unless kept. */
static void
backup_close(struct backups *bs, int keep)
{
	if (bs->job != NULL)
		(void)sqlite3_backup_finish(bs->job);
	bs->job = NULL;
	if (bs->dest != NULL)
		(void)sqlite3_close(bs->dest);
	bs->dest = NULL;
	if (bs->fd != -1)
		close(bs->fd);
	bs->fd = -1;
	if (!keep && bs->tmp[0] != '\0')
		(void)unlink(bs->tmp);
	bs->tmp[0] = '\0';
}

/* what: what failed ("" when why says it all); why: the reason. */
static void
backup_fail(struct backups *bs, const char *what, const char *why)
{
	struct backup_info	*b = &bs->cur;

	snprintf(b->detail, sizeof(b->detail), "%s%s%.200s", what,
	    *what != '\0' ? ": " : "", why);
	snprintf(b->state, sizeof(b->state), "%s", "failed");
	log_warnx("backup %s: %s", b->name, b->detail);
	backup_close(bs, 0);
}

/* Into place, never over a file that appeared meanwhile. */
static int
backup_rename(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A file system without it: the name was free when we began. */
	return rename(from, to);
}

/* The copy is complete: a plain file (no -wal), renamed into place. */
static void
backup_done(struct backups *bs)
{
	struct backup_info	*b = &bs->cur;
	struct stat		 st;
	char			 dir[PATH_MAX], *errmsg = NULL;

	(void)sqlite3_backup_finish(bs->job);
	bs->job = NULL;
	if (sqlite3_exec(bs->dest, "PRAGMA journal_mode = DELETE", NULL,
	    NULL, &errmsg) != SQLITE_OK) {
		backup_fail(bs, "cannot finish the copy",
		    errmsg != NULL ? errmsg : "?");
		sqlite3_free(errmsg);
		return;
	}
	if (sqlite3_close(bs->dest) != SQLITE_OK) {
		backup_fail(bs, "cannot close the copy",
		    sqlite3_errmsg(bs->dest));
		return;
	}
	bs->dest = NULL;
	/* Mostly written back by now (backup_slice): a short wait. */
	if (fdatasync(bs->fd) == -1) {
		backup_fail(bs, "cannot write it", strerror(errno));
		return;
	}
	close(bs->fd);
	bs->fd = -1;
	if (backup_rename(bs->tmp, b->path) == -1) {
		backup_fail(bs, "cannot rename it into place",
		    strerror(errno));
		return;
	}
	bs->tmp[0] = '\0';
	if (backup_dir(bs->pd, dir) == 0) {
		backup_fsync_dir(dir);
		if (b->daily)
			backup_daily_rotate(bs, dir);
	}
	b->bytes = stat(b->path, &st) == 0 ? (long long)st.st_size : 0;
	snprintf(b->state, sizeof(b->state), "%s", "done");
	log_info("backup %s: written, %lld bytes", b->path, b->bytes);
}

static long long
backup_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * One slice.  Never inside a transaction of our connection: a step
 * would copy what is not committed yet.
 */
static void
backup_slice(struct backups *bs)
{
	struct timeval	 now = { 0, 0 }, later = { 0, 10000 };
	sqlite3		*src = db_handle(bs->pd->db);
	long long	 until = backup_ms() + BACKUP_SLICE_MS;
	int		 rc = SQLITE_OK;

	if (bs->job == NULL)
		return;
	if (!sqlite3_get_autocommit(src)) {
		evtimer_add(bs->step, &later);
		return;
	}
	do
		rc = sqlite3_backup_step(bs->job, BACKUP_STEP_PAGES);
	while (rc == SQLITE_OK && backup_ms() < until);
	bs->cur.pages = sqlite3_backup_pagecount(bs->job);
	bs->cur.pages_done = bs->cur.pages -
	    sqlite3_backup_remaining(bs->job);
	if (rc == SQLITE_DONE)
		backup_done(bs);
	else if (rc == SQLITE_OK) {
		/*
		 * Start writing back what this slice wrote, without waiting,
		 * so that the sync at the end does not hold the loop for the
		 * whole file.
		 */
		(void)sync_file_range(bs->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		evtimer_add(bs->step, &now);
	}
	else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		evtimer_add(bs->step, &later);
	else
		backup_fail(bs, "", sqlite3_errstr(rc));
}

static void
backup_on_step(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	backup_slice(arg);
}

/* The temporary file, made 0600 before SQLite opens it, and the job. */
static int
backup_open(struct ctx *ctx, struct backups *bs, const char *dir)
{
	struct backup_info	*b = &bs->cur;
	int			 fd;

	if (snprintf(bs->tmp, sizeof(bs->tmp), "%s/.%s.tmp", dir, b->name) >=
	    (int)sizeof(bs->tmp))
		return ctx_error(ctx, PROTO_EBADREQUEST, "the backup's path "
		    "is too long");
	(void)unlink(bs->tmp);		/* left by a crash */
	if ((fd = open(bs->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		bs->tmp[0] = '\0';
		return ctx_error(ctx, PROTO_EINTERNAL, "cannot write into %s: "
		    "%s", dir, strerror(errno));
	}
	bs->fd = fd;
	/* Synced by us (backup_done), a slice at a time, not by SQLite. */
	if (sqlite3_open_v2(bs->tmp, &bs->dest, SQLITE_OPEN_READWRITE,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(bs->dest, "PRAGMA synchronous = OFF", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    (bs->job = sqlite3_backup_init(bs->dest, "main",
	    db_handle(ctx->pd->db), "main")) == NULL) {
		(void)ctx_error(ctx, PROTO_EINTERNAL, "cannot start the "
		    "backup: %s", bs->dest != NULL ?
		    sqlite3_errmsg(bs->dest) : "out of memory");
		backup_close(bs, 0);
		return -1;
	}
	return 0;
}

/* The default name: practice-YYYYMMDD-HHMMSS.db, in the practice's zone. */
static void
backup_default_name(struct ctx *ctx, char *base, size_t len)
{
	struct tz_wall	 w;

	tz_to_wall(ctx->pd->conf->timezone, ctx->now, &w);
	snprintf(base, len, "practice-%04d%02d%02d-%02d%02d%02d.db", w.year,
	    w.month, w.day, w.hour, w.minute, (int)(ctx->now % 60));
}

int
backup_begin_named(struct ctx *ctx, const char *base, int daily,
    struct backup_info *out)
{
	struct backups		*bs = ctx->pd->backups;
	struct backup_info	 b;
	char			 dir[PATH_MAX];

	if (bs->job != NULL)
		return ctx_error(ctx, PROTO_ESTATE, "backup %s is running; "
		    "try again when it is done", bs->cur.name);
	if (backup_dir(ctx->pd, dir) == -1)
		return ctx_error(ctx, PROTO_EINTERNAL, "the backup folder's "
		    "path is too long");
	if (backup_mkdir(ctx, dir) == -1)
		return -1;
	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "%s", base);
	if (snprintf(b.path, sizeof(b.path), "%s/%s", dir, base) >=
	    (int)sizeof(b.path))
		return ctx_error(ctx, PROTO_EBADREQUEST, "the backup's path "
		    "is too long");
	if (access(b.path, F_OK) == 0)
		return ctx_error(ctx, PROTO_EDUPLICATE, "%s exists: a backup "
		    "never replaces a file", b.path);
	b.id = bs->next_id++;
	b.daily = daily;
	b.started = ctx->now;
	snprintf(b.state, sizeof(b.state), "%s", "running");
	bs->cur = b;
	if (backup_open(ctx, bs, dir) == -1) {
		backup_fail(bs, "", ctx->msg);
		return -1;
	}
	log_info("backup %s: started", b.path);
	backup_slice(bs);
	*out = bs->cur;
	return 0;
}

int
backup_begin(struct ctx *ctx, const char *name, struct backup_info *out)
{
	char	 dir[PATH_MAX], base[BACKUP_NAME_MAX + 1];

	if (name == NULL)
		backup_default_name(ctx, base, sizeof(base));
	else {
		if (backup_dir(ctx->pd, dir) == -1)
			return ctx_error(ctx, PROTO_EINTERNAL, "the backup "
			    "folder's path is too long");
		if (backup_name(ctx, dir, name, base) == -1)
			return -1;
		if (strncmp(base, BACKUP_DAILY_PREFIX,
		    strlen(BACKUP_DAILY_PREFIX)) == 0)
			return ctx_error(ctx, PROTO_EBADREQUEST, "names "
			    "starting \"%s\" are the daily backups', which "
			    "rotation removes", BACKUP_DAILY_PREFIX);
	}
	return backup_begin_named(ctx, base, 0, out);
}

int
backup_get(struct ctx *ctx, int id, struct backup_info *out)
{
	struct backups	*bs = ctx->pd->backups;

	if (id <= 0 || id != bs->cur.id)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no backup %d: "
		    "practiced keeps the last one only", id);
	*out = bs->cur;
	return 0;
}

struct backups *
backup_start(struct practiced *pd)
{
	struct backups	*bs;

	if ((bs = calloc(1, sizeof(*bs))) == NULL)
		return NULL;
	bs->pd = pd;
	bs->next_id = 1;
	bs->fd = -1;
	/* Slices at the last priority: a caller waiting is served first. */
	if ((bs->step = evtimer_new(pd->base, backup_on_step, bs)) == NULL ||
	    event_priority_set(bs->step,
	    event_base_get_npriorities(pd->base) - 1) == -1 ||
	    (bs->daily = evtimer_new(pd->base, backup_daily_on_timer, bs)) == NULL) {
		backup_stop(bs);
		return NULL;
	}
	/* A first look soon after start, once the loop runs. */
	backup_daily_arm(bs, 1);
	return bs;
}

void
backup_stop(struct backups *bs)
{
	if (bs == NULL)
		return;
	if (bs->job != NULL)
		log_warnx("backup %s: abandoned at exit", bs->cur.name);
	backup_close(bs, 0);
	if (bs->step != NULL)
		event_free(bs->step);
	if (bs->daily != NULL)
		event_free(bs->daily);
	free(bs);
}
