/*
 * iCalendar imports under way.  A file comes in parts (a request body is
 * small), is checked whole before anything is written (a file that
 * cannot be read imports nothing), then its events go into the schedule
 * in slices of the loop: each slice one transaction, each event one
 * savepoint (a bad event is reported and undone alone), callers served
 * between slices.  A dry run rolls each slice back.  The file is read
 * (checked, then parsed event by event) on a thread of its own, ahead
 * of the slices (import_reader.c): they only write.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "audit.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "ical_read.h"
#include "import_int.h"
#include "import_reader.h"
#include "log.h"
#include "out.h"
#include "practiced.h"

struct imports {
	struct practiced	*pd;
	struct import_job	 job[IMPORT_SLOTS];
	int			 next_id;
};

static const char *const outcome_words[IMPORT_NOUTCOMES] = {
	[IMPORT_ADDED] = "added",
	[IMPORT_UPDATED] = "updated",
	[IMPORT_CANCELLED] = "cancelled",
	[IMPORT_UNCHANGED] = "unchanged",
	[IMPORT_SKIPPED] = "skipped",
};

static const char *const state_words[] = {
	[IMPORT_FREE] = "free",
	[IMPORT_UPLOADING] = "uploading",
	[IMPORT_READING] = "reading",
	[IMPORT_IMPORTING] = "importing",
	[IMPORT_DONE] = "done",
	[IMPORT_REFUSED] = "refused",
};

struct imports *
imports_new(struct practiced *pd)
{
	struct imports	*im;

	if ((im = calloc(1, sizeof(*im))) == NULL)
		return NULL;
	im->pd = pd;
	im->next_id = 1;
	return im;
}

static void
job_clear(struct import_job *job)
{
	struct imports	*owner = job->owner;

	/* The thread first: its wake-up adds the slice. */
	import_reader_stop(job->reader);
	if (job->slice != NULL)
		event_free(job->slice);
	free(job->buf);
	json_decref(job->items);
	json_decref(job->dry_clients);
	import_memo_drop(job);
	json_decref(job->ctx.details);
	memset(job, 0, sizeof(*job));
	job->owner = owner;
}

void
imports_free(struct imports *im)
{
	int	 i;

	if (im == NULL)
		return;
	for (i = 0; i < IMPORT_SLOTS; i++)
		job_clear(&im->job[i]);
	free(im);
}

static int
job_running(const struct import_job *job)
{
	return job->state == IMPORT_READING || job->state == IMPORT_IMPORTING;
}

/* A free slot: an empty one, else an upload left idle, else the
 * oldest finished import (its report goes). */
static struct import_job *
slot_take(struct imports *im, time_t now)
{
	struct import_job	*job, *oldest = NULL;
	int			 i;

	for (i = 0; i < IMPORT_SLOTS; i++) {
		job = &im->job[i];
		if (job->state == IMPORT_FREE)
			return job;
		if (job->state == IMPORT_UPLOADING &&
		    now - job->touched > IMPORT_IDLE) {
			job_clear(job);
			return job;
		}
		if (!job_running(job) && job->state != IMPORT_UPLOADING &&
		    (oldest == NULL || job->id < oldest->id))
			oldest = job;
	}
	if (oldest != NULL)
		job_clear(oldest);
	return oldest;
}

/* The caller's import of that id (imports are their makers' own). */
static struct import_job *
job_find(struct ctx *ctx, int id)
{
	struct imports		*im = ctx->pd->imports;
	struct import_job	*job;
	int			 i;

	for (i = 0; im != NULL && id > 0 && i < IMPORT_SLOTS; i++) {
		job = &im->job[i];
		if (job->state != IMPORT_FREE && job->id == id &&
		    job->uid == ctx->uid)
			return job;
	}
	ctx_error(ctx, PROTO_ENOTFOUND, "no import %d of yours (the last %d "
	    "are kept, until practiced restarts)", id, IMPORT_SLOTS);
	return NULL;
}

size_t
import_part_max(struct ctx *ctx)
{
	size_t	 body = ctx->pd->conf->max_body;

	/* A part is the whole body (no base64, no JSON round it); kept a
	 * little under the limit all the same, off its very edge. */
	if (body < 4096)
		return body / 2;
	return body - 1024;
}

int
import_create(struct ctx *ctx, const struct import_opts *opts, int *id)
{
	struct imports		*im = ctx->pd->imports;
	struct import_job	*job;

	if (im == NULL || (job = slot_take(im, ctx->now)) == NULL)
		return ctx_error(ctx, PROTO_EUNAVAILABLE, "%d imports are "
		    "under way already; try again when one is done",
		    IMPORT_SLOTS);
	job->pd = ctx->pd;
	job->id = im->next_id;
	im->next_id = im->next_id >= IMPORT_ID_MAX ? 1 : im->next_id + 1;
	job->state = IMPORT_UPLOADING;
	job->opts = *opts;
	job->uid = ctx->uid;
	snprintf(job->user, sizeof(job->user), "%s", ctx->user);
	snprintf(job->zone, sizeof(job->zone), "%s", ctx->tz);
	job->touched = ctx->now;
	*id = job->id;
	return 0;
}

int
import_append(struct ctx *ctx, int id, const void *data, size_t len)
{
	struct import_job	*job;
	size_t			 cap;
	char			*grown;

	if ((job = job_find(ctx, id)) == NULL)
		return -1;
	if (job->state != IMPORT_UPLOADING)
		return ctx_error(ctx, PROTO_ESTATE, "import %d has begun: its "
		    "file takes no more parts", id);
	if (len > IMPORT_MAX_BYTES - job->len)
		return ctx_error(ctx, PROTO_ETOOLARGE, "the file is over %u MB",
		    IMPORT_MAX_BYTES / (1024 * 1024));
	if (job->len + len > job->cap) {
		cap = job->cap == 0 ? 256 * 1024 : job->cap;
		while (cap < job->len + len)
			cap *= 2;
		if (cap > IMPORT_MAX_BYTES)
			cap = IMPORT_MAX_BYTES;
		if ((grown = realloc(job->buf, cap)) == NULL)
			return ctx_internal(ctx);
		job->buf = grown;
		job->cap = cap;
	}
	memcpy(job->buf + job->len, data, len);
	job->len += len;
	job->touched = ctx->now;
	return 0;
}

/* Report */

json_t *
import_note(struct import_job *job, enum import_outcome out, const char *uid,
    int line, time_t occurrence, const char *what, long long id, int clash,
    const char *fmt, ...)
{
	json_t	*item;
	char	 reason[400] = "";
	va_list	 ap;
	int	 keep;

	if (out < IMPORT_NOUTCOMES)
		job->count[out]++;
	if (clash)
		job->clashes++;
	keep = out == IMPORT_SKIPPED || out == IMPORT_UPDATED ||
	    out == IMPORT_CANCELLED || out == IMPORT_NOUTCOMES || clash ||
	    (out == IMPORT_ADDED && job->opts.dry_run);
	if (!keep)
		return NULL;
	if (json_array_size(job->items) >= IMPORT_ITEMS_MAX) {
		job->items_dropped++;
		return NULL;
	}
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
	}
	item = json_pack("{s:s,s:s,s:i,s:s*}", "outcome", out <
	    IMPORT_NOUTCOMES ? outcome_words[out] : "note", "uid", uid,
	    "line", line, "what", what);
	if (item == NULL)
		return NULL;
	if (occurrence != 0)
		json_object_set_new(item, "occurrence",
		    out_instant(occurrence));
	if (id != 0)
		json_object_set_new(item, "id", json_integer(id));
	if (clash)
		json_object_set_new(item, "clash", json_true());
	if (reason[0] != '\0')
		json_object_set_new(item, "reason", json_string(reason));
	return json_array_append_new(job->items, item) == 0 ? item : NULL;
}

/* A line that named the client, or gave her address as a reason. */
static void
item_forget(json_t *item, long long client_id, const char *name,
    const char *email)
{
	json_t		*who = json_object_get(item, "client");
	const char	*why = json_string_value(json_object_get(item,
			    "reason"));

	if (json_integer_value(json_object_get(who, "id")) == client_id)
		json_object_set_new(who, "name", json_string(name));
	if (email != NULL && why != NULL && strcasestr(why, email) != NULL)
		json_object_set_new(item, "reason", json_sprintf("about %s, "
		    "erased since", name));
}

void
imports_forget_client(struct imports *im, long long client_id,
    const char *name, const char *email)
{
	json_t	*item;
	size_t	 i, k;

	for (i = 0; im != NULL && i < IMPORT_SLOTS; i++)
		json_array_foreach(im->job[i].items, k, item)
			item_forget(item, client_id, name, email);
}

/* What the report held before an event, to forget it if undone. */
struct note_mark {
	size_t	 count[IMPORT_NOUTCOMES];
	size_t	 clashes, clients, services, items, dropped;
};

static void
note_mark(const struct import_job *job, struct note_mark *m)
{
	memcpy(m->count, job->count, sizeof(m->count));
	m->clashes = job->clashes;
	m->clients = job->clients_added;
	m->services = job->services_added;
	m->items = json_array_size(job->items);
	m->dropped = job->items_dropped;
}

static void
note_undo(struct import_job *job, const struct note_mark *m)
{
	memcpy(job->count, m->count, sizeof(m->count));
	job->clashes = m->clashes;
	job->clients_added = m->clients;
	job->services_added = m->services;
	job->items_dropped = m->dropped;
	while (json_array_size(job->items) > m->items)
		json_array_remove(job->items, json_array_size(job->items) - 1);
}

/* Slices */

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
job_refuse(struct import_job *job, const struct ical_read_error *err)
{
	job->state = IMPORT_REFUSED;
	job->refused_line = err->line;
	snprintf(job->refused, sizeof(job->refused), "%s", err->reason);
	job->finished = time(NULL);
	import_reader_stop(job->reader);
	job->reader = NULL;
	free(job->buf);
	job->buf = NULL;
	import_memo_drop(job);
	log_info("import %d: refused at line %d: %s", job->id, err->line,
	    err->reason);
}

/* Whether the reader's thread has checked the whole file. */
static void
job_scan(struct import_job *job)
{
	struct ical_read_error	 err;
	struct ical_event	*ev;

	switch (import_reader_take(job->reader, &ev, &err, &job->done,
	    &job->total)) {
	case IMPORT_TAKE_NONE:
		job->waiting = 1;
		break;
	case IMPORT_TAKE_SCANNED:
		job->state = IMPORT_IMPORTING;
		break;
	case IMPORT_TAKE_REFUSED:
		job_refuse(job, &err);
		break;
	default:	/* the scan comes first */
		ical_event_free(ev);
		break;
	}
}

/* One event in its savepoint: undone alone when it fails. */
static void
job_event(struct import_job *job, struct ical_event *ev)
{
	struct db		*db = job->pd->db;
	struct note_mark	 mark;
	size_t			 made = job->memo_made;

	note_mark(job, &mark);
	if (db_savepoint(db, "import_event") == -1) {
		ctx_internal(&job->ctx);
		return;
	}
	if (import_event(job, ev) == 0) {
		if (db_release(db, "import_event") == -1)
			ctx_internal(&job->ctx);
		return;
	}
	(void)db_rollback_to(db, "import_event");
	if (job->memo_made != made)	/* what it made is gone */
		import_memo_drop(job);
	note_undo(job, &mark);
	import_note(job, IMPORT_SKIPPED, ev->uid, ev->line, 0, NULL, 0, 0,
	    "%s", job->ctx.msg[0] != '\0' ? job->ctx.msg : "not imported");
	ctx_clear(&job->ctx);
}

static void
job_finish_audit(struct import_job *job)
{
	if (audit_record(&job->ctx, "import", "import", job->id, "%s: %zu "
	    "added, %zu updated, %zu cancelled, %zu unchanged, %zu skipped, "
	    "%zu clashes, started by %s", job->opts.dry_run ? "dry run" :
	    "done", job->count[IMPORT_ADDED], job->count[IMPORT_UPDATED],
	    job->count[IMPORT_CANCELLED], job->count[IMPORT_UNCHANGED],
	    job->count[IMPORT_SKIPPED], job->clashes, job->user) == -1)
		ctx_clear(&job->ctx);
}

/*
 * The import's last step, its audit entry, committed as every change is
 * (waiting for the disk): with it the slices before, which did not wait,
 * are on the disk too, since they are in the same write-ahead log.
 */
static void
job_finish_durably(struct import_job *job)
{
	struct db	*db = job->pd->db;

	if (db_begin(db) == -1) {
		log_warnx("import %d: its audit entry could not be written",
		    job->id);
		return;
	}
	job_finish_audit(job);
	if (db_commit(db) == -1) {
		db_rollback(db);
		log_warnx("import %d: its audit entry could not be written",
		    job->id);
	}
	/* A calendar of years may have made most of the schedule. */
	db_optimize(db);
}

/* What the reader gave: 1 at the end (a refusal cannot come after
 * the scan), 0 to go on. */
static int
job_take(struct import_job *job, enum import_take took,
    struct ical_event *ev, const struct ical_read_error *err)
{
	switch (took) {
	case IMPORT_TAKE_EVENT:
		job_event(job, ev);
		ical_event_free(ev);
		return 0;
	case IMPORT_TAKE_SKIPPED:
		import_note(job, IMPORT_SKIPPED, err->uid, err->line, 0,
		    NULL, 0, 0, "%s", err->reason);
		return 0;
	default:
		return 1;
	}
}

/*
 * Events until the slice's time is up or the reader has none ready, in
 * one transaction.  A slice's commit does not wait for the disk
 * (synchronous=NORMAL): on a busy disk that wait held the loop for
 * hundreds of milliseconds a slice.  A power cut can lose the last
 * slices, never corrupt what is there, and the same file imported again
 * adds what was lost.
 */
static void
job_import(struct import_job *job, const struct timespec *t0)
{
	struct db		*db = job->pd->db;
	struct ical_read_error	 err;
	struct ical_event	*ev;
	enum import_take	 took;
	size_t			 done = job->done, total = job->total;
	int			 end = 0;

	/* Nothing ready: no transaction, the reader wakes the slice. */
	memset(&err, 0, sizeof(err));
	if ((took = import_reader_take(job->reader, &ev, &err, &done,
	    &total)) == IMPORT_TAKE_NONE) {
		job->waiting = 1;
		return;
	}
	ctx_init_internal(&job->ctx, job->pd, time(NULL), "import");
	ctx_set_zone(&job->ctx, job->pd->conf->timezone);
	import_memo_enter(job);
	if (!job->opts.dry_run)
		(void)db_synchronous(db, 0);
	if (db_begin(db) == -1) {
		(void)db_synchronous(db, 1);
		ical_event_free(ev);
		memset(&err, 0, sizeof(err));
		snprintf(err.reason, sizeof(err.reason), "the database could "
		    "not begin a transaction; what was imported before stays");
		job_refuse(job, &err);
		return;
	}
	for (;;) {
		end = job_take(job, took, ev, &err);
		job->done = done;
		job->total = total;
		if (end || ctx_failed(&job->ctx) ||	/* a savepoint failed */
		    elapsed_ms(t0) >= IMPORT_SLICE_MS)
			break;
		memset(&err, 0, sizeof(err));
		if ((took = import_reader_take(job->reader, &ev, &err, &done,
		    &total)) == IMPORT_TAKE_NONE) {
			job->waiting = 1;
			break;
		}
	}
	if (end && job->opts.dry_run)
		job_finish_audit(job);
	if (job->opts.dry_run || ctx_failed(&job->ctx)) {
		db_rollback(db);
		import_memo_drop(job);
	} else if (db_commit(db) == -1) {
		db_rollback(db);
		import_memo_drop(job);
		ctx_internal(&job->ctx);
	}
	(void)db_synchronous(db, 1);
	import_memo_leave(job);
	if (end && !job->opts.dry_run && !ctx_failed(&job->ctx))
		job_finish_durably(job);
	if (ctx_failed(&job->ctx)) {
		snprintf(err.reason, sizeof(err.reason), "the database failed "
		    "(%.100s); what was imported before stays", job->ctx.msg);
		err.line = 0;
		job_refuse(job, &err);
		return;
	}
	if (end) {
		job->state = IMPORT_DONE;
		job->finished = time(NULL);
		import_reader_stop(job->reader);
		job->reader = NULL;
		import_memo_drop(job);
		free(job->buf);
		job->buf = NULL;
		log_info("import %d: %s, %zu added, %zu updated, %zu "
		    "cancelled, %zu unchanged, %zu skipped", job->id,
		    job->opts.dry_run ? "dry run done" : "done",
		    job->count[IMPORT_ADDED], job->count[IMPORT_UPDATED],
		    job->count[IMPORT_CANCELLED], job->count[IMPORT_UNCHANGED],
		    job->count[IMPORT_SKIPPED]);
	}
}

static void
on_slice(evutil_socket_t fd, short what, void *arg)
{
	struct import_job	*job = arg;
	struct timeval		 tv = { 0, 0 };
	struct timespec		 t0, c0, c1;
	long			 took, cpu;

	(void)fd;
	(void)what;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	job->waiting = 0;
	if (job->state == IMPORT_READING)
		job_scan(job);
	else if (job->state == IMPORT_IMPORTING)
		job_import(job, &t0);
	if ((took = elapsed_ms(&t0)) > job->longest_slice_ms)
		job->longest_slice_ms = took;
	/* And the CPU it took: on a busy machine the wall clock counts
	 * the turns others had too. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	cpu = (c1.tv_sec - c0.tv_sec) * 1000 +
	    (c1.tv_nsec - c0.tv_nsec) / 1000000;
	if (cpu > job->longest_slice_cpu_ms)
		job->longest_slice_cpu_ms = cpu;
	/* At the lowest priority: whatever callers wait goes first.  One
	 * that waits for the reader is woken by it. */
	if (job_running(job) && !job->waiting &&
	    evtimer_add(job->slice, &tv) == -1) {
		log_warnx("import %d: cannot go on", job->id);
		job->state = IMPORT_REFUSED;
		snprintf(job->refused, sizeof(job->refused), "practiced "
		    "could not go on with it");
	}
}

int
import_start(struct ctx *ctx, int id)
{
	struct import_job	*job;
	struct ical_read_opts	 o;
	struct ical_read_error	 err;
	struct ical_reader	*r;

	if ((job = job_find(ctx, id)) == NULL)
		return -1;
	if (job->state != IMPORT_UPLOADING)
		return ctx_error(ctx, PROTO_ESTATE, "import %d has begun "
		    "already", id);
	if (job->len == 0)
		return ctx_error(ctx, PROTO_EBADREQUEST, "import %d has no "
		    "file: send its parts first", id);
	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	o.default_zone = job->zone;
	o.now = ctx->now;
	job->started = ctx->now;
	if ((job->items = json_array()) == NULL)
		return ctx_internal(ctx);
	/* The reader takes the file as it came, not a copy of it. */
	r = ical_read_take(job->buf, job->len, job->cap, &o, &err);
	job->buf = NULL;
	job->size = job->len;
	job->len = job->cap = 0;
	if (r == NULL) {
		job_refuse(job, &err);
		return 0;
	}
	/* The first slice comes when the reader has checked the file. */
	if ((job->slice = evtimer_new(ctx->pd->base, on_slice, job)) == NULL ||
	    event_priority_set(job->slice, 2) == -1) {
		ical_read_close(r);
		return ctx_internal(ctx);
	}
	if ((job->reader = import_reader_start(ctx->pd->base, r,
	    job->slice)) == NULL)
		return ctx_internal(ctx);
	job->state = IMPORT_READING;
	log_info("import %d: %s%s started by %s", id, job->opts.dry_run ?
	    "a dry run " : "", "reading", job->user);
	return 0;
}

/* JSON */

static json_t *
import_counts(const struct import_job *job)
{
	json_t	*obj;
	int	 i;

	if ((obj = json_object()) == NULL)
		return NULL;
	for (i = 0; i < IMPORT_NOUTCOMES; i++)
		json_object_set_new(obj, outcome_words[i],
		    json_integer((json_int_t)job->count[i]));
	json_object_set_new(obj, "clashes", json_integer((json_int_t)
	    job->clashes));
	json_object_set_new(obj, "clients_added", json_integer((json_int_t)
	    job->clients_added));
	json_object_set_new(obj, "services_added", json_integer((json_int_t)
	    job->services_added));
	return obj;
}

json_t *
import_json(struct ctx *ctx, int id, int items)
{
	struct import_job	*job;
	json_t			*obj, *imp;
	char			 wait[64];

	if ((job = job_find(ctx, id)) == NULL)
		return NULL;
	imp = json_pack("{s:i,s:s,s:b,s:b,s:I,s:I,s:I,s:o,s:i}",
	    "id", job->id, "state", state_words[job->state],
	    "dry_run", job->opts.dry_run,
	    "create_clients", job->opts.create_clients,
	    "bytes", (json_int_t)(job->len + job->size),
	    "events_done", (json_int_t)job->done,
	    "events_total", (json_int_t)job->total,
	    "counts", import_counts(job),
	    "longest_slice_ms", (int)job->longest_slice_ms);
	if (imp != NULL)
		json_object_set_new(imp, "longest_slice_cpu_ms",
		    json_integer(job->longest_slice_cpu_ms));
	if (imp == NULL)
		return NULL;
	if (job->opts.clinician_id != 0)
		json_object_set_new(imp, "clinician", json_integer(
		    job->opts.clinician_id));
	if (job->items != NULL && (items || !job_running(job)))
		json_object_set(imp, "items", job->items);
	if (job->items_dropped > 0)
		json_object_set_new(imp, "items_dropped", json_integer(
		    (json_int_t)job->items_dropped));
	if (job->state == IMPORT_REFUSED)
		json_object_set_new(imp, "refused", json_pack("{s:i,s:s}",
		    "line", job->refused_line, "reason", job->refused));
	if ((obj = json_pack("{s:o}", "import", imp)) == NULL)
		return NULL;
	if (job_running(job)) {
		snprintf(wait, sizeof(wait), PROTO_PATH_IMPORTS "/%d", job->id);
		json_object_set_new(obj, PROTO_WAIT, json_string(wait));
	}
	return obj;
}
