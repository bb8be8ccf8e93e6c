/*
 * The write-ahead log copied into the database on a thread of its own,
 * through a connection of its own (db_checkpoint.c).  A checkpoint
 * writes and syncs the database file: 10 to 40 ms a time under an
 * import, which the loop had to spend between requests.  A passive
 * checkpoint takes no lock a writer needs, so the loop goes on
 * committing while it runs.  Kicks while one runs make one more after
 * it; a hold waits for the one running and starts none until released
 * (a truncating checkpoint of the daemon's own finds the lock free).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db_checkpoint.h"
#include "log.h"
#include "thread.h"

struct checkpointer {
	sqlite3		*sqlite;	/* the thread's connection */
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 changed;
	/* Under lock. */
	int		 wanted;
	int		 running;
	int		 held;
	int		 stopping;
};

static void
checkpoint_once(struct checkpointer *cp)
{
	int	 rc;

	rc = sqlite3_wal_checkpoint_v2(cp->sqlite, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		log_warnx("database checkpoint: %s",
		    sqlite3_errmsg(cp->sqlite));
}

static void *
checkpointer_main(void *arg)
{
	struct checkpointer	*cp = arg;

	pthread_mutex_lock(&cp->lock);
	for (;;) {
		while (!cp->stopping && (!cp->wanted || cp->held))
			pthread_cond_wait(&cp->changed, &cp->lock);
		if (cp->stopping)
			break;
		cp->wanted = 0;
		cp->running = 1;
		pthread_mutex_unlock(&cp->lock);
		checkpoint_once(cp);
		pthread_mutex_lock(&cp->lock);
		cp->running = 0;
		pthread_cond_broadcast(&cp->changed);
	}
	pthread_mutex_unlock(&cp->lock);
	return NULL;
}

/* The connection: the database as the daemon made it, synced in full. */
static int
checkpointer_open(struct checkpointer *cp, const char *path, char *err,
    size_t errlen)
{
	if (sqlite3_open_v2(path, &cp->sqlite, SQLITE_OPEN_READWRITE,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(cp->sqlite, "PRAGMA synchronous = FULL;"
	    " PRAGMA cache_size = -256", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: checkpoint connection: %s", path,
		    cp->sqlite != NULL ? sqlite3_errmsg(cp->sqlite) :
		    "out of memory");
		return -1;
	}
	return 0;
}

struct checkpointer *
checkpointer_start(const char *path, char *err, size_t errlen)
{
	struct checkpointer	*cp;
	int			 rc;

	if ((cp = calloc(1, sizeof(*cp))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (checkpointer_open(cp, path, err, errlen) == -1) {
		(void)sqlite3_close(cp->sqlite);
		free(cp);
		return NULL;
	}
	pthread_mutex_init(&cp->lock, NULL);
	pthread_cond_init(&cp->changed, NULL);
	if ((rc = thread_start(&cp->thread, checkpointer_main, cp)) != 0) {
		snprintf(err, errlen, "checkpoint thread: %s", strerror(rc));
		pthread_cond_destroy(&cp->changed);
		pthread_mutex_destroy(&cp->lock);
		(void)sqlite3_close(cp->sqlite);
		free(cp);
		return NULL;
	}
	return cp;
}

void
checkpointer_kick(struct checkpointer *cp)
{
	pthread_mutex_lock(&cp->lock);
	cp->wanted = 1;
	pthread_cond_broadcast(&cp->changed);
	pthread_mutex_unlock(&cp->lock);
}

void
checkpointer_hold(struct checkpointer *cp)
{
	pthread_mutex_lock(&cp->lock);
	cp->held = 1;
	while (cp->running)
		pthread_cond_wait(&cp->changed, &cp->lock);
	pthread_mutex_unlock(&cp->lock);
}

void
checkpointer_release(struct checkpointer *cp)
{
	pthread_mutex_lock(&cp->lock);
	cp->held = 0;
	pthread_cond_broadcast(&cp->changed);
	pthread_mutex_unlock(&cp->lock);
}

/* Waits for a checkpoint running; what is left the daemon's close does. */
void
checkpointer_stop(struct checkpointer *cp)
{
	if (cp == NULL)
		return;
	pthread_mutex_lock(&cp->lock);
	cp->stopping = 1;
	pthread_cond_broadcast(&cp->changed);
	pthread_mutex_unlock(&cp->lock);
	(void)pthread_join(cp->thread, NULL);
	if (sqlite3_close(cp->sqlite) != SQLITE_OK)
		log_warnx("checkpoint connection close: %s",
		    sqlite3_errmsg(cp->sqlite));
	pthread_cond_destroy(&cp->changed);
	pthread_mutex_destroy(&cp->lock);
	free(cp);
}
