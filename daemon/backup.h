/*
 * Backups of the live database with SQLite's online backup API, a few
 * pages a turn of the loop, into the backup folder ([backup] dir): on
 * request (practicectl backup) and daily with rotation ([backup] hour,
 * keep).  Each is written to a hidden temporary file, 0600, and renamed
 * into place once complete, so a name in the folder is always whole.
 */
#ifndef PRACTICED_BACKUP_H
#define PRACTICED_BACKUP_H

#include <limits.h>
#include <time.h>

struct ctx;
struct practiced;
struct backups;

#define BACKUP_NAME_MAX		100
#define BACKUP_DAILY_PREFIX	"daily-"

/* A backup as its answer shows it. */
struct backup_info {
	int		 id;		/* from 1 */
	char		 name[BACKUP_NAME_MAX + 1];
	char		 path[PATH_MAX];
	char		 state[16];	/* running, done, failed */
	int		 daily;
	time_t		 started;
	long long	 bytes;		/* done: the file's size */
	int		 pages_done;
	int		 pages;
	char		 detail[256];	/* failed: why */
};

/* Arms the daily backup; NULL on failure (logged). */
struct backups	*backup_start(struct practiced *);
/* Abandons a backup still running (its temporary file removed). */
void		 backup_stop(struct backups *);

/*
 * Starts a backup named name (NULL: practice-DATE-TIME.db), a plain
 * file name or a path in the backup folder; refused (-1, error set)
 * when one runs, the name is bad or taken, or the folder is unusable.
 * *out: the backup as it stands after its first slice.
 */
int		 backup_begin(struct ctx *, const char *name,
		    struct backup_info *out);
/* The backup of that id, if it is the last one; -1 (not found) else. */
int		 backup_get(struct ctx *, int id, struct backup_info *out);

/* The backup folder (a buffer of PATH_MAX); -1 if too long. */
int		 backup_dir(const struct practiced *, char *buf);
/*
 * A name given for the folder: a plain name, or an absolute path in it;
 * into base.  -1 with the error set if it is neither, or not a name
 * of letters, digits, '.', '_', '-' not starting with '.'.
 */
int		 backup_name(struct ctx *, const char *dir, const char *name,
		    char *base);

#endif
