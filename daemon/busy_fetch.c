/*
 * The busy calendars' fetches.  Each calendar has a timer on its
 * interval; a fetch goes to a sender thread of its own (GET, bounded,
 * conditional), its text is read in slices of the loop, and its blocks
 * are replaced in one transaction.  Whatever fails is recorded in the
 * calendar's row (last_error) and its blocks stay as they were.  The
 * address is never logged: a calendar is named by its id.
 */
#include <sys/queue.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "busy.h"
#include "busy_cal.h"
#include "busy_fetch.h"
#include "busy_read.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "practiced.h"
#include "send.h"

#define BUSY_SENDERS	2	/* transfers at once */
#define BUSY_SLICE_MS	40	/* of reading, between which others run */
#define BUSY_STOP_GRACE	0	/* a fetch cut short is tried again */

struct busy_cal_state {
	TAILQ_ENTRY(busy_cal_state) entry;
	struct busy_fetch	*f;
	long long		 id;
	int			 every;
	struct event		*timer;		/* the next fetch */
	struct event		*slice;		/* reading the text */
	struct busy_read	*read;
	char			*etag;		/* of the text being read */
	char			*modified;
	int			 in_flight;	/* from the GET to the record */
	int			 again;		/* a refresh came meanwhile */
	int			 seen;		/* by the last sync */
	unsigned		 started, done;	/* fetches, by number */
	int			 ok;		/* the last one done */
	char			 detail[256];
	size_t			 blocks, skipped;
};

TAILQ_HEAD(busy_cal_states, busy_cal_state);

struct busy_fetch {
	struct practiced	*pd;
	struct sender		*sender;
	struct busy_cal_states	 cals;
	int			 stopping;
};

static const char *busy_fetch_rows_sql =
    "SELECT id, every, last_fetch FROM busy_calendars";
static const char *busy_fetch_one_sql =
    "SELECT k.url, k.etag, k.last_modified, c.active, c.zone"
    "  FROM busy_calendars k JOIN clinicians c ON c.id = k.clinician_id"
    "  WHERE k.id = ?1";
static const char *busy_fetch_failed_sql =
    "UPDATE busy_calendars SET last_fetch = ?2, last_error = ?3"
    "  WHERE id = ?1";
static const char *busy_fetch_same_sql =
    "UPDATE busy_calendars SET last_fetch = ?2, last_ok = ?2,"
    "  last_error = NULL WHERE id = ?1";
static const char *busy_fetch_stored_sql =
    "UPDATE busy_calendars SET last_fetch = ?2, last_ok = ?2,"
    "  last_error = NULL, etag = ?3, last_modified = ?4 WHERE id = ?1";

static void	busy_fetch_begin(struct busy_cal_state *);

static struct busy_cal_state *
busy_fetch_find(struct busy_fetch *f, long long id)
{
	struct busy_cal_state	*st;

	TAILQ_FOREACH(st, &f->cals, entry)
		if (st->id == id)
			return st;
	return NULL;
}

static void
busy_fetch_arm(struct busy_cal_state *st, int seconds)
{
	struct timeval	 tv = { seconds > 0 ? seconds : 0, 0 };

	evtimer_add(st->timer, &tv);
}

static void
busy_fetch_clear_read(struct busy_cal_state *st)
{
	busy_read_free(st->read);
	st->read = NULL;
	free(st->etag);
	free(st->modified);
	st->etag = st->modified = NULL;
	if (st->slice != NULL)
		evtimer_del(st->slice);
}

static void
busy_fetch_state_free(struct busy_cal_state *st)
{
	busy_fetch_clear_read(st);
	if (st->timer != NULL)
		event_free(st->timer);
	if (st->slice != NULL)
		event_free(st->slice);
	free(st);
}

/* One statement on the calendar's row, in its own transaction. */
static int
busy_fetch_record(struct busy_fetch *f, const char *sql, long long id,
    const char *text)
{
	sqlite3_stmt	*stmt;

	if (db_begin(f->pd->db) == -1)
		return -1;
	if ((stmt = db_stmt(f->pd->db, sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)time(NULL));
	if (text != NULL)
		db_bind_text(stmt, 3, text);
	if (db_exec_stmt(f->pd->db, stmt) == -1)
		goto fail;
	return db_commit(f->pd->db);
fail:
	db_rollback(f->pd->db);
	return -1;
}

/* The fetch is over: said, and the next one armed (or started). */
static void
busy_fetch_finish(struct busy_cal_state *st, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
busy_fetch_finish(struct busy_cal_state *st, int ok, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(st->detail, sizeof(st->detail), fmt, ap);
	va_end(ap);
	st->ok = ok;
	if (!ok && busy_fetch_record(st->f, busy_fetch_failed_sql, st->id,
	    st->detail) == -1)
		log_warnx("busy calendar %lld: cannot record the fetch",
		    st->id);
	log_info("busy calendar %lld: %s%s", st->id, ok ? "" :
	    "fetch failed, its busy times unchanged: ", st->detail);
	busy_fetch_clear_read(st);
	st->done = st->started;
	st->in_flight = 0;
	if (st->again) {
		st->again = 0;
		busy_fetch_begin(st);
	} else
		busy_fetch_arm(st, st->every);
}

/* The text read: the calendar's blocks replaced, in one transaction. */
static void
busy_fetch_store(struct busy_cal_state *st)
{
	struct practiced	*pd = st->f->pd;
	const struct busy_span	*spans;
	struct ctx		 ctx;
	sqlite3_stmt		*stmt;
	size_t			 n, skipped;

	spans = busy_read_spans(st->read, &n, &skipped);
	ctx_init_internal(&ctx, pd, time(NULL), "practiced");
	if (db_begin(pd->db) == -1) {
		busy_fetch_finish(st, 0, "the database is not writable");
		return;
	}
	if (busy_replace(&ctx, st->id, spans, n) == -1 ||
	    (stmt = db_stmt(pd->db, busy_fetch_stored_sql)) == NULL) {
		db_rollback(pd->db);
		busy_fetch_finish(st, 0, "%s", ctx.msg[0] != '\0' ? ctx.msg :
		    "the database failed");
		ctx_clear(&ctx);
		return;
	}
	ctx_clear(&ctx);
	sqlite3_bind_int64(stmt, 1, st->id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)time(NULL));
	db_bind_text(stmt, 3, st->etag);
	db_bind_text(stmt, 4, st->modified);
	if (db_exec_stmt(pd->db, stmt) == -1 || db_commit(pd->db) == -1) {
		db_rollback(pd->db);
		busy_fetch_finish(st, 0, "the database failed");
		return;
	}
	st->blocks = n;
	st->skipped = skipped;
	if (skipped > 0)
		busy_fetch_finish(st, 1, "%zu busy times (%zu events could "
		    "not be read and were left out)", n, skipped);
	else
		busy_fetch_finish(st, 1, "%zu busy times", n);
}

static void
busy_fetch_on_slice(evutil_socket_t fd, short what, void *arg)
{
	struct busy_cal_state	*st = arg;
	struct timeval		 now = { 0, 0 };
	char			 err[300];
	int			 rc;

	(void)fd;
	(void)what;
	if (st->read == NULL)
		return;
	if ((rc = busy_read_step(st->read, BUSY_SLICE_MS, err,
	    sizeof(err))) == 1)
		evtimer_add(st->slice, &now);
	else if (rc == -1)
		busy_fetch_finish(st, 0, "not a calendar that can be read: %s",
		    err);
	else
		busy_fetch_store(st);
}

/* A text came: its reading starts (the text is copied). */
static void
busy_fetch_got(struct busy_cal_state *st, const struct send_result *r)
{
	struct practiced	*pd = st->f->pd;
	sqlite3_stmt		*stmt;
	struct timeval		 now = { 0, 0 };
	char			 zone[72] = "UTC", err[300];

	if ((stmt = db_stmt(pd->db, busy_fetch_one_sql)) != NULL) {
		sqlite3_bind_int64(stmt, 1, st->id);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			snprintf(zone, sizeof(zone), "%s",
			    db_column_text(stmt, 4));
		sqlite3_reset(stmt);
	}
	if ((st->read = busy_read_begin(r->response != NULL ? r->response :
	    "", r->response_len, zone, time(NULL), err, sizeof(err))) ==
	    NULL) {
		busy_fetch_finish(st, 0, "not a calendar that can be read: %s",
		    err);
		return;
	}
	if ((r->etag != NULL && (st->etag = strdup(r->etag)) == NULL) ||
	    (r->modified != NULL &&
	    (st->modified = strdup(r->modified)) == NULL)) {
		busy_fetch_finish(st, 0, "out of memory");
		return;
	}
	evtimer_add(st->slice, &now);
}

static void
busy_fetch_on_results(struct send_result *results, size_t n, void *arg)
{
	struct busy_fetch	*f = arg;
	struct busy_cal_state	*st;
	size_t			 i;

	for (i = 0; i < n && !f->stopping; i++) {
		if ((st = busy_fetch_find(f, results[i].id)) == NULL ||
		    !st->in_flight)
			continue;	/* removed meanwhile */
		if (results[i].outcome != SEND_SENT)
			busy_fetch_finish(st, 0, "%s", results[i].detail);
		else if (results[i].code == 304) {
			if (busy_fetch_record(f, busy_fetch_same_sql, st->id,
			    NULL) == -1)
				busy_fetch_finish(st, 0, "the database failed");
			else
				busy_fetch_finish(st, 1, "unchanged (304)");
		} else
			busy_fetch_got(st, &results[i]);
	}
}

/* The GET, with a copy of all it needs. */
static struct send_job *
busy_fetch_job(struct busy_cal_state *st, sqlite3_stmt *stmt, int http)
{
	struct send_job	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	job->id = st->id;
	job->kind = SEND_GET;
	job->allow_http = http;
	job->max_redirs = BUSY_FETCH_REDIRECTS;
	job->max_body = BUSY_FETCH_BYTES;
	job->timeout = BUSY_FETCH_SECONDS;
	if ((job->url = strdup(db_column_text(stmt, 0))) == NULL ||
	    (db_column_text(stmt, 1) != NULL &&
	    (job->etag = strdup(db_column_text(stmt, 1))) == NULL) ||
	    (db_column_text(stmt, 2) != NULL &&
	    (job->modified = strdup(db_column_text(stmt, 2))) == NULL)) {
		send_job_free(job);
		return NULL;
	}
	return job;
}

static void
busy_fetch_begin(struct busy_cal_state *st)
{
	struct busy_fetch	*f = st->f;
	struct send_job		*job = NULL;
	sqlite3_stmt		*stmt;
	char			 why[160];
	int			 rc, active = 0, http = 0, bad = 0;

	if (st->in_flight) {
		st->again = 1;
		return;
	}
	if ((stmt = db_stmt(f->pd->db, busy_fetch_one_sql)) == NULL)
		return;
	sqlite3_bind_int64(stmt, 1, st->id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		active = sqlite3_column_int(stmt, 3);
		bad = busy_cal_url_check(db_column_text(stmt, 0), &http, why,
		    sizeof(why)) == -1;
		if (active && !bad)
			job = busy_fetch_job(st, stmt, http);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return;		/* removed: the next sync forgets it */
	/* An archived clinician's calendars wait, unfetched. */
	if (!active || bad || job == NULL) {
		busy_fetch_arm(st, st->every);
		return;
	}
	st->in_flight = 1;
	st->started++;
	if (sender_submit(f->sender, job) == -1)
		busy_fetch_finish(st, 0, "practiced is stopping");
}

static void
busy_fetch_on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	busy_fetch_begin(arg);
}

static struct busy_cal_state *
busy_fetch_state_new(struct busy_fetch *f, long long id)
{
	struct busy_cal_state	*st;
	int			 low = event_base_get_npriorities(f->pd->base) -
				    1;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->f = f;
	st->id = id;
	if ((st->timer = evtimer_new(f->pd->base, busy_fetch_on_timer,
	    st)) == NULL ||
	    (st->slice = evtimer_new(f->pd->base, busy_fetch_on_slice,
	    st)) == NULL ||
	    event_priority_set(st->timer, low) == -1 ||
	    event_priority_set(st->slice, low) == -1) {
		busy_fetch_state_free(st);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&f->cals, st, entry);
	return st;
}

void
busy_fetch_sync(void *arg)
{
	struct busy_fetch	*f = arg;
	struct busy_cal_state	*st, *next;
	sqlite3_stmt		*stmt;
	time_t			 now = time(NULL), last;
	int			 rc, due;

	if (f == NULL || (stmt = db_stmt(f->pd->db, busy_fetch_rows_sql)) ==
	    NULL)
		return;
	TAILQ_FOREACH(st, &f->cals, entry)
		st->seen = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		long long	 id = sqlite3_column_int64(stmt, 0);

		if ((st = busy_fetch_find(f, id)) == NULL) {
			if ((st = busy_fetch_state_new(f, id)) == NULL)
				continue;
			st->every = sqlite3_column_int(stmt, 1);
			/* Never fetched: now; else when its interval ends. */
			last = (time_t)sqlite3_column_int64(stmt, 2);
			due = sqlite3_column_type(stmt, 2) == SQLITE_NULL ||
			    last > now ? 0 : (int)(last + st->every - now);
			/* A new calendar's first fetch is number 1 at once,
			 * for its add to wait on. */
			if (due <= 0)
				busy_fetch_begin(st);
			else
				busy_fetch_arm(st, due < st->every ? due :
				    st->every);
		}
		st->every = sqlite3_column_int(stmt, 1);
		st->seen = 1;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return;
	for (st = TAILQ_FIRST(&f->cals); st != NULL; st = next) {
		next = TAILQ_NEXT(st, entry);
		if (!st->seen) {
			TAILQ_REMOVE(&f->cals, st, entry);
			busy_fetch_state_free(st);
		}
	}
}

struct busy_fetch *
busy_fetch_start(struct practiced *pd)
{
	struct busy_fetch	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->pd = pd;
	TAILQ_INIT(&f->cals);
	if ((f->sender = sender_start(pd->base, BUSY_SENDERS,
	    busy_fetch_on_results, f)) == NULL) {
		free(f);
		return NULL;
	}
	busy_fetch_sync(f);
	return f;
}

void
busy_fetch_stop(struct busy_fetch *f)
{
	struct busy_cal_state	*st;

	if (f == NULL)
		return;
	f->stopping = 1;
	sender_stop(f->sender, BUSY_STOP_GRACE);
	while ((st = TAILQ_FIRST(&f->cals)) != NULL) {
		TAILQ_REMOVE(&f->cals, st, entry);
		busy_fetch_state_free(st);
	}
	free(f);
}

int
busy_fetch_refresh(struct ctx *ctx, long long id, unsigned *fetch)
{
	struct busy_fetch	*f = ctx->pd->busy;
	struct busy_cal_state	*st;

	if (f == NULL)
		return ctx_error(ctx, PROTO_EUNAVAILABLE, "busy calendars are "
		    "not being fetched");
	if ((st = busy_fetch_find(f, id)) == NULL) {
		busy_fetch_sync(f);
		if ((st = busy_fetch_find(f, id)) == NULL)
			return ctx_error(ctx, PROTO_ENOTFOUND, "no busy "
			    "calendar %lld", id);
	}
	*fetch = st->started + 1;
	if (st->in_flight)
		st->again = 1;
	else {
		evtimer_del(st->timer);
		busy_fetch_begin(st);
		if (!st->in_flight)
			return ctx_error(ctx, PROTO_EUNAVAILABLE, "the fetch "
			    "of busy calendar %lld cannot start", id);
	}
	return 0;
}

int
busy_fetch_result(struct ctx *ctx, long long id, unsigned fetch,
    json_t **result)
{
	struct busy_fetch	*f = ctx->pd->busy;
	struct busy_cal_state	*st;

	*result = NULL;
	if (f == NULL || (st = busy_fetch_find(f, id)) == NULL)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no busy calendar %lld",
		    id);
	if (fetch == 0 || fetch > st->started + (st->again ? 1 : 0))
		return ctx_error(ctx, PROTO_ENOTFOUND, "no fetch %u of busy "
		    "calendar %lld (fetches are numbered until practiced "
		    "restarts)", fetch, id);
	if (st->done < fetch)
		return 0;
	*result = json_pack("{s:b,s:s,s:I,s:I}", "ok", st->ok,
	    "detail", st->detail, "blocks", (json_int_t)st->blocks,
	    "skipped", (json_int_t)st->skipped);
	return *result != NULL ? 1 : ctx_internal(ctx);
}
