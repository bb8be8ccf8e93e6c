/*
 * One imported event into the schedule: whose it is (the clinician, the
 * client), each of its occurrences a session or a busy block, made or
 * changed through the same functions as a booking (book.c), and
 * remembered by UID and occurrence (import_map) so that importing the
 * file again changes only what changed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appt.h"
#include "book.h"
#include "busy.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "ical_export.h"
#include "ical_read.h"
#include "import_int.h"
#include "practiced.h"
#include "resource.h"
#include "series.h"
#include "tz.h"

static const char *clinician_by_email_sql =
    "SELECT id FROM clinicians WHERE lower(email) = ?1 AND active = 1"
    " ORDER BY id LIMIT 1";
static const char *clinician_sql =
    "SELECT zone, lower(coalesce(email, '')) FROM clinicians WHERE id = ?1";
static const char *client_by_email_sql =
    "SELECT id FROM clients WHERE lower(email) = ?1 AND active = 1"
    " ORDER BY id LIMIT 1";
static const char *service_by_minutes_sql =
    "SELECT id FROM services WHERE minutes = ?1 AND active = 1"
    " ORDER BY buffer, id LIMIT 1";
static const char *map_put_sql =
    "INSERT OR REPLACE INTO import_map (uid, occurrence, clinician_id,"
    "  appointment_id, busy_id, sequence, hash, clash, imported)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char *map_of_uid_sql =
    "SELECT occurrence, appointment_id, busy_id, sequence, hash, clash"
    " FROM import_map WHERE uid = ?1 ORDER BY occurrence";
static const char *map_delete_sql =
    "DELETE FROM import_map WHERE uid = ?1 AND occurrence = ?2";
static const char *appt_now_sql =
    "SELECT state, start_utc, end_utc, clinician_id, client_id, overlap"
    " FROM appointments WHERE id = ?1";

#define HASH_GONE	"gone"

/* What the map holds of an occurrence. */
struct mapped {
	int		 found;
	time_t		 occurrence;
	long long	 appt_id, busy_id;
	int		 sequence;
	int		 clash;
	char		 hash[24];
};

/* What the map held of a UID when its event came, by occurrence: read
 * once an event, not once an occurrence (and none for a new UID). */
struct uid_map {
	struct mapped	*row;
	size_t		 n;
};

/* FNV-1a of what an occurrence was imported as. */
void
import_want_hash(const struct whose *w, struct want *o)
{
	char			 text[160];
	unsigned long long	 h = 14695981039346656037ULL;
	const char		*p;

	snprintf(text, sizeof(text), "%c|%lld|%lld|%lld|%lld|%d",
	    w->busy ? 'b' : 's', (long long)o->start, (long long)o->end,
	    w->clinician_id, w->client_id, o->cancelled);
	for (p = text; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	snprintf(o->hash, sizeof(o->hash), "%016llx", h);
}

int
import_id_by_text(struct ctx *ctx, const char *sql, const char *text,
    long long *id)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	*id = 0;
	if ((stmt = db_stmt(ctx->pd->db, sql)) == NULL)
		return ctx_internal(ctx);
	db_bind_text(stmt, 1, text);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ctx_internal(ctx);
}

/* import_id_by_text, remembered for the import (import_memo.c). */
static int
memo_id_by_text(struct import_job *job, const char *kind, const char *sql,
    const char *text, long long *id)
{
	if (import_memo_get(job, kind, text, id))
		return 0;
	if (import_id_by_text(&job->ctx, sql, text, id) == -1)
		return -1;
	import_memo_put(job, kind, text, *id);
	return 0;
}

/* The clinician: --clinician, else the ORGANIZER's if hers. */
static int
whose_clinician(struct import_job *job, const struct ical_event *ev,
    struct whose *w)
{
	struct ctx	*ctx = &job->ctx;
	sqlite3_stmt	*stmt;
	int		 rc;

	w->clinician_id = job->opts.clinician_id;
	if (w->clinician_id == 0) {
		if (ev->organizer.email[0] == '\0')
			return ctx_error(ctx, PROTO_EBADREQUEST, "no ORGANIZER "
			    "to find its clinician by; give --clinician");
		if (memo_id_by_text(job, "clinician", clinician_by_email_sql,
		    ev->organizer.email, &w->clinician_id) == -1)
			return -1;
		if (w->clinician_id == 0)
			return ctx_error(ctx, PROTO_ENOTFOUND, "its ORGANIZER "
			    "(%s) is no clinician's email; give --clinician",
			    ev->organizer.email);
	}
	if (import_memo_get_pair(job, "clinician-row", w->clinician_id,
	    w->zone, sizeof(w->zone), w->email, sizeof(w->email)))
		return 0;
	if ((stmt = db_stmt(ctx->pd->db, clinician_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, w->clinician_id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		snprintf(w->zone, sizeof(w->zone), "%s",
		    db_column_text(stmt, 0));
		snprintf(w->email, sizeof(w->email), "%s",
		    db_column_text(stmt, 1));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return ctx_internal(ctx);
	import_memo_put_pair(job, "clinician-row", w->clinician_id, w->zone,
	    w->email);
	return 0;
}

/* A client for an attendee who is not one yet: name from CN. */
static int
whose_new_client(struct import_job *job, const struct ical_person *a,
    long long *id)
{
	struct res_value	 in[RES_MAXFIELDS];
	char			 name[ICAL_READ_NAME_MAX];
	int			 n, e;

	memset(in, 0, sizeof(in));
	if (a->cn[0] != '\0' && strchr(a->cn, '@') == NULL)
		snprintf(name, sizeof(name), "%s", a->cn);
	else
		snprintf(name, sizeof(name), "%.*s",
		    (int)strcspn(a->email, "@"), a->email);
	if ((n = res_field_index(&res_client, "name")) == -1 ||
	    (e = res_field_index(&res_client, "email")) == -1)
		return ctx_internal(&job->ctx);
	in[n].given = in[e].given = 1;
	in[n].text = name;
	in[e].text = a->email;
	if (res_add(&job->ctx, &res_client, in, id, NULL) == -1)
		return -1;
	import_memo_made(job, "client", a->email, *id);
	/* A dry run's slices roll back: a client is made again in each,
	 * and counted once. */
	if (job->opts.dry_run) {
		if (job->dry_clients == NULL &&
		    (job->dry_clients = json_object()) == NULL)
			return ctx_internal(&job->ctx);
		if (json_object_get(job->dry_clients, a->email) != NULL)
			return 0;
		if (json_object_set_new(job->dry_clients, a->email,
		    json_true()) == -1)
			return ctx_internal(&job->ctx);
	}
	job->clients_added++;
	return 0;
}

/* The client of that email, 0 for none: from the memo, which holds
 * them all unless there are very many. */
static int
client_by_email(struct import_job *job, const char *email, long long *id)
{
	int	 all;

	if (import_memo_get(job, "client", email, id))
		return 0;
	if ((all = import_memo_clients(job)) == -1)
		return -1;
	if (all == 1) {
		if (!import_memo_get(job, "client", email, id))
			*id = 0;
		return 0;
	}
	return memo_id_by_text(job, "client", client_by_email_sql, email, id);
}

/*
 * The client: the first ATTENDEE whose email is a client's (not the
 * organizer, not the clinician); with --create-clients the first other
 * attendee becomes one.  None: a busy block.
 */
static int
whose_client(struct import_job *job, const struct ical_event *ev,
    struct whose *w)
{
	const struct ical_person	*a, *fresh = NULL;
	size_t				 i;

	for (i = 0; i < ev->nattendees; i++) {
		a = &ev->attendees[i];
		if (a->email[0] == '\0' || strcmp(a->email, w->email) == 0 ||
		    strcmp(a->email, ev->organizer.email) == 0)
			continue;
		if (client_by_email(job, a->email, &w->client_id) == -1)
			return -1;
		if (w->client_id != 0)
			return 0;
		if (fresh == NULL)
			fresh = a;
	}
	if (fresh != NULL && job->opts.create_clients)
		return whose_new_client(job, fresh, &w->client_id);
	return 0;
}

/* A service of the session's length, made when there is none. */
int
import_service_for(struct import_job *job, int minutes, long long *id)
{
	struct ctx		*ctx = &job->ctx;
	struct res_value	 in[RES_MAXFIELDS];
	sqlite3_stmt		*stmt;
	char			 name[64], key[16];
	int			 rc, n, m;

	if (minutes < 5 || minutes > 480)
		return ctx_error(ctx, PROTO_EBADREQUEST, "a session of %d "
		    "minutes (sessions last 5 to 480)", minutes);
	snprintf(key, sizeof(key), "%d", minutes);
	if (import_memo_get(job, "service", key, id) && *id != 0)
		return 0;
	if ((stmt = db_stmt(ctx->pd->db, service_by_minutes_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int(stmt, 1, minutes);
	*id = 0;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ctx_internal(ctx);
	if (*id != 0) {
		import_memo_put(job, "service", key, *id);
		return 0;
	}
	memset(in, 0, sizeof(in));
	snprintf(name, sizeof(name), "Imported %d min", minutes);
	if ((n = res_field_index(&res_service, "name")) == -1 ||
	    (m = res_field_index(&res_service, "minutes")) == -1)
		return ctx_internal(ctx);
	in[n].given = in[m].given = 1;
	in[n].text = name;
	in[m].num = minutes;
	if (res_add(ctx, &res_service, in, id, NULL) == -1)
		return -1;
	import_memo_made(job, "service", key, *id);
	job->services_added++;
	return 0;
}

static int
uid_map_load(struct ctx *ctx, const char *uid, struct uid_map *um)
{
	sqlite3_stmt	*stmt;
	struct mapped	*grown, *m;
	int		 rc;

	memset(um, 0, sizeof(*um));
	if ((stmt = db_stmt(ctx->pd->db, map_of_uid_sql)) == NULL)
		return ctx_internal(ctx);
	db_bind_text(stmt, 1, uid);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((grown = reallocarray(um->row, um->n + 1,
		    sizeof(*um->row))) == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		um->row = grown;
		m = &um->row[um->n++];
		memset(m, 0, sizeof(*m));
		m->found = 1;
		m->occurrence = (time_t)sqlite3_column_int64(stmt, 0);
		m->appt_id = sqlite3_column_int64(stmt, 1);
		m->busy_id = sqlite3_column_int64(stmt, 2);
		m->sequence = sqlite3_column_int(stmt, 3);
		snprintf(m->hash, sizeof(m->hash), "%s",
		    db_column_text(stmt, 4));
		m->clash = sqlite3_column_int(stmt, 5);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return 0;
	free(um->row);
	memset(um, 0, sizeof(*um));
	return ctx_internal(ctx);
}

/* The row of an occurrence (rows are in occurrence order). */
static void
map_get(const struct uid_map *um, time_t occ, struct mapped *m)
{
	size_t	 lo = 0, hi = um->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (um->row[mid].occurrence < occ)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < um->n && um->row[lo].occurrence == occ)
		*m = um->row[lo];
	else
		memset(m, 0, sizeof(*m));
}

int
import_map_put(struct ctx *ctx, const char *uid, time_t occ,
    long long clinician, long long appt_id, long long busy_id, int sequence,
    const char *hash, int clash)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, map_put_sql)) == NULL)
		return ctx_internal(ctx);
	db_bind_text(stmt, 1, uid);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)occ);
	sqlite3_bind_int64(stmt, 3, clinician);
	if (appt_id != 0)
		sqlite3_bind_int64(stmt, 4, appt_id);
	if (busy_id != 0)
		sqlite3_bind_int64(stmt, 5, busy_id);
	sqlite3_bind_int(stmt, 6, sequence);
	db_bind_text(stmt, 7, hash);
	sqlite3_bind_int(stmt, 8, clash);
	sqlite3_bind_int64(stmt, 9, (sqlite3_int64)ctx->now);
	return db_exec_stmt(ctx->pd->db, stmt) == -1 ? ctx_internal(ctx) : 0;
}

/* The session as it stands. */
struct appt_now {
	char		 state[16];
	time_t		 start, end;
	long long	 clinician_id, client_id;
	int		 overlap;
};

static int
appt_now(struct ctx *ctx, long long id, struct appt_now *a)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	memset(a, 0, sizeof(*a));
	if ((stmt = db_stmt(ctx->pd->db, appt_now_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		snprintf(a->state, sizeof(a->state), "%s",
		    db_column_text(stmt, 0));
		a->start = (time_t)sqlite3_column_int64(stmt, 1);
		a->end = (time_t)sqlite3_column_int64(stmt, 2);
		a->clinician_id = sqlite3_column_int64(stmt, 3);
		a->client_id = sqlite3_column_int64(stmt, 4);
		a->overlap = sqlite3_column_int(stmt, 5);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return ctx_error(ctx, PROTO_ENOTFOUND, "its session %lld is "
		    "gone", id);
	return rc == SQLITE_ROW ? 0 : ctx_internal(ctx);
}

static int
appt_open(const struct appt_now *a)
{
	return strcmp(a->state, "booked") == 0 ||
	    strcmp(a->state, "confirmed") == 0;
}

static int
session_cancel(struct ctx *ctx, long long id, const char *why)
{
	struct appt_result	 res;
	int			 rc;

	rc = book_cancel(ctx, id, APPT_THIS, "practice", why, &res);
	appt_result_clear(&res);
	return rc;
}

/* A new session, forced and overlapping if it must: history is kept. */
static int
session_add(struct import_job *job, const struct whose *w,
    const struct want *o, long long *id, int *clash)
{
	struct ctx		*ctx = &job->ctx;
	struct appt_booking	 b;
	struct appt_result	 res;

	memset(&b, 0, sizeof(b));
	b.client_id = w->client_id;
	b.clinician_id = w->clinician_id;
	b.start = o->start;
	b.force = b.overlap = 1;
	if (import_service_for(job, (int)((o->end - o->start) / 60),
	    &b.service_id) == -1)
		return -1;
	if (book_new(ctx, &b, &res) == -1) {
		appt_result_clear(&res);
		return -1;
	}
	*id = res.appt_id;
	*clash = res.overlap;
	appt_result_clear(&res);
	if (o->cancelled && session_cancel(ctx, *id, "cancelled in the "
	    "imported calendar") == -1)
		return -1;
	return 0;
}

/* A session brought to what the file now says. */
static int
session_change(struct import_job *job, const struct whose *w,
    const struct want *o, long long id, int *clash, int *cancelled)
{
	struct ctx		*ctx = &job->ctx;
	struct appt_now		 a;
	struct appt_change	 ch;
	struct appt_result	 res;
	int			 rc;

	*cancelled = 0;
	if (appt_now(ctx, id, &a) == -1)
		return -1;
	if (o->cancelled) {
		*cancelled = appt_open(&a);
		return *cancelled ? session_cancel(ctx, id, "cancelled in "
		    "the imported calendar") : 0;
	}
	if (strcmp(a.state, "cancelled") == 0) {
		rc = book_restore(ctx, id, 1, 1, &res);
		appt_result_clear(&res);
		if (rc == -1)
			return -1;
	}
	if (a.start != o->start || a.clinician_id != w->clinician_id) {
		memset(&ch, 0, sizeof(ch));
		ch.start = o->start;
		ch.scope = APPT_THIS;
		ch.clinician_id = a.clinician_id != w->clinician_id ?
		    w->clinician_id : 0;
		ch.force = ch.overlap = 1;
		rc = book_move(ctx, id, &ch, &res);
		appt_result_clear(&res);
		if (rc == -1)
			return -1;
	}
	if (appt_now(ctx, id, &a) == -1)
		return -1;
	*clash = a.overlap;
	return 0;
}

/* An occurrence gone from the file: its session cancelled, its block
 * removed. */
static int
occurrence_retire(struct import_job *job, const struct ical_event *ev,
    time_t occ, long long appt_id, long long busy_id, int fresh)
{
	struct ctx	*ctx = &job->ctx;
	struct appt_now	 a;
	sqlite3_stmt	*stmt;

	if (busy_id != 0) {
		if (busy_remove(ctx, busy_id) == -1 && ctx->err !=
		    PROTO_ENOTFOUND)
			return -1;
		ctx_clear(ctx);
		if ((stmt = db_stmt(ctx->pd->db, map_delete_sql)) == NULL)
			return ctx_internal(ctx);
		db_bind_text(stmt, 1, ev->uid);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)occ);
		if (db_exec_stmt(ctx->pd->db, stmt) == -1)
			return ctx_internal(ctx);
		import_note(job, IMPORT_CANCELLED, ev->uid, ev->line, occ,
		    "busy", busy_id, 0, "cancelled, or no longer in the "
		    "calendar: its block removed");
		return 0;
	}
	if (appt_now(ctx, appt_id, &a) == -1)
		return -1;
	if (appt_open(&a) && session_cancel(ctx, appt_id, "no longer in "
	    "the imported calendar") == -1)
		return -1;
	if (import_map_put(ctx, ev->uid, occ, a.clinician_id, appt_id, 0,
	    ev->sequence, HASH_GONE, 0) == -1)
		return -1;
	import_note_place(job, import_note(job, IMPORT_CANCELLED, ev->uid,
	    ev->line, occ, "appointment", appt_id, 0, "%s%s", fresh ?
	    "not an occurrence in the calendar (EXDATE)" : "no longer in "
	    "the calendar", appt_open(&a) ? ": cancelled" : ""),
	    a.clinician_id, a.client_id, a.start, a.end, occ);
	return 0;
}

/* Forget what an occurrence was (a session becoming a block, or the
 * client changing): cancel or remove it, for a new one. */
static int
occurrence_drop(struct ctx *ctx, const struct mapped *m)
{
	struct appt_now	 a;

	if (m->busy_id != 0) {
		if (busy_remove(ctx, m->busy_id) == -1 &&
		    ctx->err != PROTO_ENOTFOUND)
			return -1;
		ctx_clear(ctx);
		return 0;
	}
	if (appt_now(ctx, m->appt_id, &a) == -1)
		return -1;
	return appt_open(&a) ? session_cancel(ctx, m->appt_id, "replaced "
	    "by the imported calendar") : 0;
}

static int
occurrence_new(struct import_job *job, const struct whose *w,
    const struct want *o, long long *appt_id, long long *busy_id,
    int *clash)
{
	*appt_id = *busy_id = 0;
	*clash = 0;
	if (w->busy)
		return busy_add(&job->ctx, w->clinician_id, o->start, o->end,
		    BUSY_SOURCE_IMPORT, 0, busy_id);
	return session_add(job, w, o, appt_id, clash);
}

/* Whether the session can be changed in place (same client, same
 * length) rather than replaced. */
static int
occurrence_same_kind(struct ctx *ctx, const struct whose *w,
    const struct want *o, const struct mapped *m, int *same)
{
	struct appt_now	 a;

	*same = 0;
	if (w->busy || m->appt_id == 0)
		return 0;
	if (appt_now(ctx, m->appt_id, &a) == -1)
		return -1;
	*same = a.client_id == w->client_id &&
	    a.end - a.start == o->end - o->start;
	return 0;
}

/* The report's line for the occurrence as the file has it. */
static void
note_place(struct import_job *job, const struct whose *w,
    const struct want *o, json_t *item)
{
	import_note_place(job, item, w->clinician_id, w->busy ? 0 :
	    w->client_id, o->start, o->end, o->occurrence);
}

static int
occurrence_apply(struct import_job *job, const struct whose *w,
    const struct uid_map *um, struct want *o)
{
	struct ctx		*ctx = &job->ctx;
	const struct ical_event	*ev = o->ev;
	const char		*what = w->busy ? "busy" : "appointment";
	struct mapped		 m;
	enum import_outcome	 out;
	long long		 appt_id, busy_id;
	int			 clash = 0, same, cancelled;

	import_want_hash(w, o);
	map_get(um, o->occurrence, &m);
	if (m.found && strcmp(m.hash, o->hash) == 0 && w->fresh) {
		note_place(job, w, o, import_note(job, IMPORT_ADDED, ev->uid,
		    ev->line, o->occurrence, what, m.appt_id, m.clash, NULL));
		return 0;
	}
	if (m.found && strcmp(m.hash, o->hash) == 0) {
		import_note(job, IMPORT_UNCHANGED, ev->uid, ev->line,
		    o->occurrence, what, m.appt_id + m.busy_id, 0, NULL);
		return 0;
	}
	if (m.found && ev->sequence < m.sequence) {
		note_place(job, w, o, import_note(job, IMPORT_SKIPPED, ev->uid,
		    ev->line, o->occurrence, what, m.appt_id + m.busy_id, 0,
		    "SEQUENCE %d is older than the %d imported before",
		    ev->sequence, m.sequence));
		return 0;
	}
	if (w->busy && o->cancelled) {
		/* A cancelled event blocks nothing. */
		if (m.found && m.busy_id != 0)
			return occurrence_retire(job, ev, o->occurrence, 0,
			    m.busy_id, 0);
		note_place(job, w, o, import_note(job, IMPORT_SKIPPED, ev->uid,
		    ev->line, o->occurrence, what, 0, 0, "cancelled, and with "
		    "no client: nothing to block"));
		return 0;
	}
	if (!m.found) {
		if (occurrence_new(job, w, o, &appt_id, &busy_id, &clash) == -1)
			return -1;
		out = IMPORT_ADDED;
	} else {
		if (occurrence_same_kind(ctx, w, o, &m, &same) == -1)
			return -1;
		appt_id = m.appt_id;
		busy_id = 0;
		if (same) {
			if (session_change(job, w, o, appt_id, &clash,
			    &cancelled) == -1)
				return -1;
		} else if (occurrence_drop(ctx, &m) == -1 ||
		    occurrence_new(job, w, o, &appt_id, &busy_id,
		    &clash) == -1)
			return -1;
		out = o->cancelled ? IMPORT_CANCELLED : IMPORT_UPDATED;
		if (w->fresh)
			out = IMPORT_ADDED;
	}
	if (import_map_put(ctx, ev->uid, o->occurrence, w->clinician_id,
	    appt_id, busy_id, ev->sequence, o->hash, clash) == -1)
		return -1;
	note_place(job, w, o, import_note(job, out, ev->uid, ev->line,
	    o->occurrence, what, appt_id + busy_id, clash, "%s%s",
	    o->cancelled ? "cancelled in the calendar" : "", clash ?
	    (o->cancelled ? "; clashes with another session" : "clashes "
	    "with another session (imported anyway)") : ""));
	return 0;
}

/* An all-day time as the clinician's day: 00:00 of it in her zone. */
static time_t
whose_day(const struct whose *w, time_t utc_midnight)
{
	struct tm	 tm;

	if (gmtime_r(&utc_midnight, &tm) == NULL)
		return utc_midnight;
	return tz_day_start(w->zone, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}

static void
want_fill(const struct whose *w, struct want *o, const struct ical_event *ev,
    time_t occurrence, time_t start, time_t end, int is_date)
{
	memset(o, 0, sizeof(*o));
	o->ev = ev;
	o->occurrence = occurrence;
	o->start = is_date ? whose_day(w, start) : start;
	o->end = is_date ? whose_day(w, end) : end;
	if (o->end <= o->start)
		o->end = o->start + (is_date ? 86400 : 60);
	o->cancelled = ev->status == ICS_STATUS_CANCELLED;
}

/* The wanted occurrences of a recurring event, up to the horizon. */
static int
wants_expand(struct import_job *job, const struct whose *w,
    const struct ical_event *ev, struct want **out, size_t *n)
{
	struct ctx		*ctx = &job->ctx;
	struct ical_occurrence	*occ = NULL;
	struct want		*v;
	time_t			 from, to, rec;
	size_t			 nocc = 0, i, k = 0;
	char			 err[ICAL_READ_REASON_MAX];

	to = series_horizon(ctx);
	if (to <= ev->start.utc)
		to = ev->start.utc + 1;
	from = ev->start.utc;
	if (to - from > ICAL_EXPAND_MAX_WINDOW)
		from = to - ICAL_EXPAND_MAX_WINDOW;
	if (ical_read_expand(ev, from, to, &occ, &nocc, err,
	    sizeof(err)) == -1)
		return ctx_error(ctx, PROTO_EBADREQUEST, "%s", err);
	if ((v = calloc(nocc + ev->noverrides + 1, sizeof(*v))) == NULL) {
		free(occ);
		return ctx_internal(ctx);
	}
	for (i = 0; i < nocc; i++) {
		rec = occ[i].ev->has_recurrence_id ?
		    occ[i].ev->recurrence_id.utc : occ[i].start;
		if (occ[i].ev->has_recurrence_id &&
		    occ[i].ev->recurrence_id.is_date)
			rec = whose_day(w, rec);
		else if (occ[i].is_date)
			rec = whose_day(w, rec);
		want_fill(w, &v[k], occ[i].ev, rec, occ[i].start, occ[i].end,
		    occ[i].is_date);
		if (ev->status == ICS_STATUS_CANCELLED)
			v[k].cancelled = 1;
		k++;
	}
	free(occ);
	/* Cancelled overrides are gone from the expansion: kept here as
	 * cancelled sessions, as the other system held them. */
	for (i = 0; i < ev->noverrides; i++) {
		const struct ical_event *ov = &ev->overrides[i];

		/* Past the horizon, a series would book it again. */
		if (ov->status != ICS_STATUS_CANCELLED || w->busy ||
		    ov->recurrence_id.utc >= to)
			continue;
		want_fill(w, &v[k], ov, ov->recurrence_id.is_date ?
		    whose_day(w, ov->recurrence_id.utc) :
		    ov->recurrence_id.utc, ov->start.utc, ov->end.utc,
		    ov->start.is_date);
		k++;
	}
	*out = v;
	*n = k;
	return 0;
}

static int
wants_of(struct import_job *job, const struct whose *w,
    const struct ical_event *ev, struct want **out, size_t *n)
{
	if (ev->rrule[0] != '\0' || ev->nrdates > 0 || ev->noverrides > 0)
		return wants_expand(job, w, ev, out, n);
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return ctx_internal(&job->ctx);
	want_fill(w, *out, ev, 0, ev->start.utc, ev->end.utc,
	    ev->start.is_date);
	*n = 1;
	return 0;
}

/* Occurrences imported before that the file no longer has. */
static int
wants_retire(struct import_job *job, const struct whose *w,
    const struct ical_event *ev, const struct uid_map *um,
    const struct want *v, size_t n)
{
	const struct mapped	*m;
	size_t			 i, k;
	int			 rc = 0;

	for (i = 0; i < um->n && rc == 0; i++) {
		m = &um->row[i];
		if (strcmp(m->hash, HASH_GONE) == 0)
			continue;
		for (k = 0; k < n && v[k].occurrence != m->occurrence; k++)
			;
		if (k == n)
			rc = occurrence_retire(job, ev, m->occurrence,
			    m->appt_id, m->busy_id, w->fresh);
	}
	return rc;
}

/*
 * Whether the event is one this practice exported (its UID names the
 * practice's own id): it is in the schedule already, and imported again
 * would be a copy of every session.  The id is read once an import.
 */
static int
own_event(struct import_job *job, const struct ical_event *ev, int *own)
{
	char	 uid[128], none[2];

	if (!import_memo_get_pair(job, "practice", 1, uid, sizeof(uid), none,
	    sizeof(none))) {
		if (ical_practice_uid(&job->ctx, uid, sizeof(uid)) == -1)
			return -1;
		import_memo_put_pair(job, "practice", 1, uid, "");
	}
	*own = ical_uid_is_ours(ev->uid, uid);
	return 0;
}

/* A recurring event imported occurrence by occurrence: how many, to
 * when, and why no series. */
static void
note_single(struct import_job *job, const struct whose *w,
    const struct ical_event *ev, const struct want *v, size_t n)
{
	char	 last[TZ_BUFLEN];
	time_t	 t = 0;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (v[i].start > t)
			t = v[i].start;
	tz_format_local(job->zone, t, last);
	last[10] = '\0';	/* the date */
	import_note(job, IMPORT_NOUTCOMES, ev->uid, ev->line, 0,
	    w->busy ? "busy" : "appointment", 0, 0, "a recurring event: %zu "
	    "%s up to %s, no series: %s", n, w->busy ? "busy blocks" :
	    "sessions of their own", last, w->busy ? (ev->start.is_date ?
	    "it lasts all day" : "it has no client") : w->single[0] != '\0' ?
	    w->single : "its rule makes no series here");
}

int
import_event(struct import_job *job, const struct ical_event *ev)
{
	struct whose	 w;
	struct uid_map	 um;
	struct want	*v = NULL;
	size_t		 n = 0, i;
	int		 rc = -1, own;

	if (own_event(job, ev, &own) == -1)
		return -1;
	if (own)
		return ctx_error(&job->ctx, PROTO_ESTATE, "exported from this "
		    "practice: its sessions are in the schedule already");
	memset(&w, 0, sizeof(w));
	if (whose_clinician(job, ev, &w) == -1)
		return -1;
	if (!ev->start.is_date && whose_client(job, ev, &w) == -1)
		return -1;
	w.busy = ev->start.is_date || w.client_id == 0;
	if (w.busy && ev->transparent && !ev->start.is_date)
		return ctx_error(&job->ctx, PROTO_EBADREQUEST, "marked free "
		    "(TRANSP:TRANSPARENT) and with no client: nothing to "
		    "block");
	if (!w.busy && ev->rrule[0] != '\0' &&
	    import_series_of(job, &w, ev) == -1)
		return -1;
	if (wants_of(job, &w, ev, &v, &n) == -1)
		return -1;
	/* After the series is adopted: its sessions are in the map. */
	if (uid_map_load(&job->ctx, ev->uid, &um) == -1) {
		free(v);
		return -1;
	}
	if (n > 1 && w.series_id == 0)
		note_single(job, &w, ev, v, n);
	for (i = 0; i < n; i++)
		if (occurrence_apply(job, &w, &um, &v[i]) == -1)
			goto out;
	rc = wants_retire(job, &w, ev, &um, v, n);
out:
	free(um.row);
	free(v);
	return rc;
}
