/*
 * Integrity checks on a thread.  The thread has its own read-only
 * connection and touches nothing of the loop's: it fills its job's
 * lines and sets done under the mutex; the loop reads them when asked
 * (practicectl follows the answer's "wait") and joins the thread then.
 */
#include <sys/stat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "backup.h"
#include "config.h"
#include "ctx.h"
#include "log.h"
#include "practiced.h"
#include "verify.h"

#define VERIFY_LINE_MAX	512
#define VERIFY_BUSY_MS	5000

struct verify_job {
	struct verifier	*v;
	char		 uri[PATH_MAX + 32];
	int		 lines;
	char		 line[VERIFY_MAX_PROBLEMS + 1][VERIFY_LINE_MAX];
	char		 error[256];
	/* Under the mutex. */
	int		 done;
	sqlite3		*db;
};

struct verifier {
	struct practiced	*pd;
	pthread_mutex_t		 lock;
	pthread_t		 thread;
	struct verify_job	*job;		/* running, until joined */
	int			 next_id;
	struct verify_info	 cur;		/* problems owned here */
};

static void
verify_collect(struct verify_job *job, sqlite3 *db)
{
	sqlite3_stmt	*stmt;
	char		 sql[64];
	int		 rc;

	snprintf(sql, sizeof(sql), "PRAGMA integrity_check(%d)",
	    VERIFY_MAX_PROBLEMS);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		snprintf(job->error, sizeof(job->error), "%s",
		    sqlite3_errmsg(db));
		return;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (job->lines <= VERIFY_MAX_PROBLEMS)
			snprintf(job->line[job->lines++], VERIFY_LINE_MAX,
			    "%s", (const char *)sqlite3_column_text(stmt, 0));
	if (rc != SQLITE_DONE)
		snprintf(job->error, sizeof(job->error), "%s",
		    sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
}

static void *
verify_run(void *arg)
{
	struct verify_job	*job = arg;
	struct verifier		*v = job->v;
	sqlite3			*db = NULL;

	if (sqlite3_open_v2(job->uri, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(job->error, sizeof(job->error), "%s",
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
	} else {
		sqlite3_busy_timeout(db, VERIFY_BUSY_MS);
		pthread_mutex_lock(&v->lock);
		job->db = db;
		pthread_mutex_unlock(&v->lock);
		verify_collect(job, db);
	}
	pthread_mutex_lock(&v->lock);
	job->db = NULL;
	job->done = 1;
	pthread_mutex_unlock(&v->lock);
	sqlite3_close(db);
	return NULL;
}

/* A finished thread's lines become the answer. */
static void
verify_reap(struct verifier *v)
{
	struct verify_job	*job = v->job;
	struct verify_info	*c = &v->cur;
	int			 done, i;

	if (job == NULL)
		return;
	pthread_mutex_lock(&v->lock);
	done = job->done;
	pthread_mutex_unlock(&v->lock);
	if (!done)
		return;
	pthread_join(v->thread, NULL);
	v->job = NULL;
	if (job->error[0] != '\0') {
		snprintf(c->state, sizeof(c->state), "failed");
		snprintf(c->detail, sizeof(c->detail), "%s", job->error);
		log_warnx("verify %s: %s", c->path, job->error);
	} else {
		snprintf(c->state, sizeof(c->state), "done");
		for (i = 0; i < job->lines; i++)
			if (strcmp(job->line[i], "ok") != 0)
				json_array_append_new(c->problems,
				    json_string(job->line[i]));
		log_info("verify %s: %s", c->path,
		    json_array_size(c->problems) == 0 ? "ok" :
		    "problems found");
	}
	free(job);
}

static int
verify_path(struct ctx *ctx, const char *name, char *path)
{
	char		 dir[PATH_MAX], base[BACKUP_NAME_MAX + 1];
	struct stat	 st;

	if (name == NULL) {
		snprintf(path, PATH_MAX, "%s", ctx->pd->conf->database);
		return 0;
	}
	if (backup_dir(ctx->pd, dir) == -1)
		return ctx_error(ctx, PROTO_EINTERNAL, "the backup folder's "
		    "path is too long");
	if (backup_name(ctx, dir, name, base) == -1)
		return -1;
	if (snprintf(path, PATH_MAX, "%s/%s", dir, base) >= PATH_MAX)
		return ctx_error(ctx, PROTO_EBADREQUEST, "path too long");
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return ctx_error(ctx, PROTO_ENOTFOUND, "no backup %s in %s",
		    base, dir);
	return 0;
}

/* SQLite's file: URI of path: '?', '#' and '%' would end or bend it. */
static int
verify_uri(char *uri, size_t len, const char *path, int immutable)
{
	size_t	 n = 5;

	if (len <= n)
		return -1;
	memcpy(uri, "file:", n);
	for (; *path != '\0'; path++) {
		if (n + 4 >= len)
			return -1;
		if (*path == '?' || *path == '#' || *path == '%')
			n += snprintf(uri + n, len - n, "%%%02X",
			    (unsigned char)*path);
		else
			uri[n++] = *path;
	}
	uri[n] = '\0';
	/* A backup never changes: no locks, no -wal needed to read it. */
	if (immutable && snprintf(uri + n, len - n, "?immutable=1") >=
	    (int)(len - n))
		return -1;
	return 0;
}

static void
verify_copy(const struct verify_info *c, struct verify_info *out)
{
	*out = *c;
	out->problems = json_deep_copy(c->problems);
}

int
verify_begin(struct ctx *ctx, const char *name, struct verify_info *out)
{
	struct verifier		*v = ctx->pd->verify;
	struct verify_job	*job;
	struct verify_info	 c;

	verify_reap(v);
	if (v->job != NULL)
		return ctx_error(ctx, PROTO_ESTATE, "a check of %s is running; "
		    "try again when it is done", v->cur.path);
	memset(&c, 0, sizeof(c));
	if (verify_path(ctx, name, c.path) == -1)
		return -1;
	if ((job = calloc(1, sizeof(*job))) == NULL ||
	    (c.problems = json_array()) == NULL) {
		free(job);
		return ctx_internal(ctx);
	}
	job->v = v;
	if (verify_uri(job->uri, sizeof(job->uri), c.path, name != NULL) ==
	    -1) {
		free(job);
		json_decref(c.problems);
		return ctx_error(ctx, PROTO_EBADREQUEST, "path too long");
	}
	if (pthread_create(&v->thread, NULL, verify_run, job) != 0) {
		free(job);
		json_decref(c.problems);
		return ctx_error(ctx, PROTO_EINTERNAL, "cannot start the "
		    "check's thread");
	}
	json_decref(v->cur.problems);
	c.id = v->next_id++;
	snprintf(c.state, sizeof(c.state), "running");
	v->cur = c;
	v->job = job;
	log_info("verify %s: started", c.path);
	verify_copy(&v->cur, out);
	return 0;
}

int
verify_get(struct ctx *ctx, int id, struct verify_info *out)
{
	struct verifier	*v = ctx->pd->verify;

	verify_reap(v);
	if (id <= 0 || id != v->cur.id)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no check %d: "
		    "practiced keeps the last one only", id);
	verify_copy(&v->cur, out);
	return 0;
}

struct verifier *
verify_start(struct practiced *pd)
{
	struct verifier	*v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	if (pthread_mutex_init(&v->lock, NULL) != 0) {
		free(v);
		return NULL;
	}
	v->pd = pd;
	v->next_id = 1;
	return v;
}

void
verify_stop(struct verifier *v)
{
	if (v == NULL)
		return;
	if (v->job != NULL) {
		pthread_mutex_lock(&v->lock);
		if (v->job->db != NULL)
			sqlite3_interrupt(v->job->db);
		pthread_mutex_unlock(&v->lock);
		pthread_join(v->thread, NULL);
		free(v->job);
	}
	json_decref(v->cur.problems);
	pthread_mutex_destroy(&v->lock);
	free(v);
}
