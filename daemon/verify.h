/*
 * practicectl verify: PRAGMA integrity_check of the live database, or of
 * a backup in the backup folder, on a thread of its own with a second,
 * read-only connection, so that the loop serves others meanwhile.
 */
#ifndef PRACTICED_VERIFY_H
#define PRACTICED_VERIFY_H

#include <limits.h>

#include <jansson.h>

struct ctx;
struct practiced;
struct verifier;

#define VERIFY_MAX_PROBLEMS	100	/* integrity_check(N) */

/* A check as its answer shows it. */
struct verify_info {
	int		 id;		/* from 1 */
	char		 path[PATH_MAX];
	char		 state[16];	/* running, done, failed */
	json_t		*problems;	/* done: the lines other than "ok" */
	char		 detail[256];	/* failed: why */
};

struct verifier	*verify_start(struct practiced *);
/* Interrupts a check still running and waits for its thread. */
void		 verify_stop(struct verifier *);

/*
 * Starts a check of the database (name NULL) or of the backup name (a
 * name or path in the backup folder); refused (-1, error set) when one
 * runs or the backup is not there.  out->problems is the caller's.
 */
int		 verify_begin(struct ctx *, const char *name,
		    struct verify_info *out);
/* The check of that id, if it is the last one; -1 (not found) else. */
int		 verify_get(struct ctx *, int id, struct verify_info *out);

#endif
