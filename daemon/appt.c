/*
 * The appointment as stored and as answered: its row and its JSON, and
 * the only statements that write it (insert, move, cancel, restore,
 * mark, and the re-keying a series needs).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appt.h"
#include "attention.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "outbox.h"
#include "practiced.h"
#include "remind.h"
#include "tz.h"

static const char *appt_one_sql =
    "SELECT " APPT_COLUMNS APPT_FROM " WHERE a.id = ?1";
static const char *appt_raw_sql =
    "SELECT clinician_id, room_id, video_url, start_utc, end_utc,"
    "  block_end_utc, state, series_id, recurrence_utc, client_id,"
    "  service_id FROM appointments WHERE id = ?1";
static const char *appt_insert_sql =
    "INSERT INTO appointments (clinician_id, client_id, service_id,"
    "  room_id, video_url, start_utc, end_utc, block_end_utc, zone,"
    "  forced, overlap, created, updated, series_id, recurrence_utc)"
    "  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12,"
    "  ?13, ?14)";
static const char *appt_move_sql =
    "UPDATE appointments SET clinician_id = ?2, room_id = ?3,"
    "  video_url = ?4, start_utc = ?5, end_utc = ?6, block_end_utc = ?7,"
    "  zone = ?8, forced = ?9, overlap = ?10, series_id = ?11,"
    "  recurrence_utc = ?12, override = ?13, state = 'booked',"
    "  version = version + 1, updated = ?14 WHERE id = ?1";
static const char *appt_cancel_sql =
    "UPDATE appointments SET state = 'cancelled', cancelled_by = ?2,"
    "  late = (?2 = 'client' AND start_utc < ?5), cancel_reason = ?3,"
    "  version = version + 1, updated = ?4"
    "  WHERE id = ?1 AND state IN ('booked','confirmed')"
    "  RETURNING late";
static const char *appt_restore_sql =
    "UPDATE appointments SET state = 'booked', cancelled_by = NULL,"
    "  late = 0, cancel_reason = NULL, forced = ?2, overlap = ?3,"
    "  version = version + 1, updated = ?4"
    "  WHERE id = ?1 AND state = 'cancelled'";
static const char *appt_mark_sql =
    "UPDATE appointments SET state = ?2, updated = ?3 WHERE id = ?1";
static const char *appt_rekey_sql =
    "UPDATE appointments SET series_id = ?2, recurrence_utc = ?3,"
    "  override = CASE WHEN ?4 THEN 1 ELSE override END, updated = ?5"
    "  WHERE id = ?1";
static const char *appt_unkey_sql =
    "UPDATE appointments SET recurrence_utc = -recurrence_utc - 1"
    "  WHERE series_id = ?1 AND recurrence_utc >= ?2";
static const char *appt_detach_sql =
    "UPDATE appointments SET series_id = NULL, recurrence_utc = NULL,"
    "  cancel_reason = CASE WHEN state IN ('booked','confirmed')"
    "    AND start_utc >= ?2 THEN 'the series no longer has this session'"
    "    ELSE cancel_reason END,"
    "  cancelled_by = CASE WHEN state IN ('booked','confirmed')"
    "    AND start_utc >= ?2 THEN 'practice' ELSE cancelled_by END,"
    "  state = CASE WHEN state IN ('booked','confirmed')"
    "    AND start_utc >= ?2 THEN 'cancelled' ELSE state END,"
    "  updated = ?2 WHERE id = ?1";
static const char *appt_last_id_sql =
    "SELECT coalesce(max(id), 0) FROM appointments";
/* The ids after ?1, few, sorted here: ordered by appointments_start,
 * the planner would go through every appointment for them (25 ms). */
static const char *appt_ids_after_sql =
    "SELECT id FROM appointments WHERE id > ?1 ORDER BY +start_utc, id";
/*
 * One statement per leading filter, so each can use its own index.  The
 * page is chosen from the appointments alone, where that index gives
 * the order and the LIMIT stops the scan; joined first, the planner may
 * walk the clinicians and sort the whole range before the LIMIT.
 */
#define APPT_LIST_WHERE(from, lead)					\
    "SELECT " APPT_COLUMNS APPT_FROM " WHERE a.id IN (SELECT id"	\
    "   FROM " from " WHERE " lead					\
    "   start_utc >= ?1 AND start_utc < ?2"				\
    "   AND (?3 = 0 OR clinician_id = ?3)"				\
    "   AND (?4 = 0 OR client_id = ?4)"					\
    "   AND (?5 IS NULL OR state = ?5)"					\
    "   AND (?9 = 0 OR series_id = ?9)"				\
    "   AND (start_utc > ?6 OR id > ?7)"				\
    "   ORDER BY start_utc, id LIMIT ?8)"				\
    " ORDER BY a.start_utc, a.id"
static const char *appt_list_sql = APPT_LIST_WHERE("appointments", "");
static const char *appt_list_clinician_sql =
    APPT_LIST_WHERE("appointments", "clinician_id = ?3 AND");
static const char *appt_list_client_sql =
    APPT_LIST_WHERE("appointments", "client_id = ?4 AND");
static const char *appt_list_series_sql =
    APPT_LIST_WHERE("appointments", "series_id = ?9 AND");
/*
 * A state alone: in the order of starts, a rare state (no-shows) is
 * found only by looking into the table for every session of the range
 * (45 ms on 100,000); the covering index has the state, and the page
 * is sorted from what matches (a LIMIT keeps the sort to the page):
 * about 10 ms, whatever the state.
 */
static const char *appt_list_state_sql =
    APPT_LIST_WHERE("appointments INDEXED BY appointments_care", "");

static json_t *
appt_ref(sqlite3_stmt *stmt, int id_col)
{
	if (sqlite3_column_type(stmt, id_col) == SQLITE_NULL)
		return json_null();
	return json_pack("{s:I,s:s}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, id_col),
	    "name", db_column_text(stmt, id_col + 1));
}

static void
appt_series_fields(struct ctx *ctx, sqlite3_stmt *stmt, json_t *obj)
{
	time_t	 rec = (time_t)sqlite3_column_int64(stmt, 24);
	int	 in_series = sqlite3_column_type(stmt, 23) != SQLITE_NULL;

	json_object_set_new(obj, "series", in_series ?
	    json_integer(sqlite3_column_int64(stmt, 23)) : json_null());
	json_object_set_new(obj, "recurrence", in_series ?
	    out_instant(rec) : json_null());
	json_object_set_new(obj, "recurrence_local", in_series ?
	    out_local(ctx, rec) : json_null());
	json_object_set_new(obj, "override",
	    json_boolean(sqlite3_column_int(stmt, 25)));
}

/* What the session needs from the front desk (attention.c). */
static json_t *
appt_attention(struct ctx *ctx, sqlite3_stmt *stmt)
{
	struct attention_row	 a;

	memset(&a, 0, sizeof(a));
	a.clinician_id = sqlite3_column_int64(stmt, 15);
	a.zone = db_column_text(stmt, 26);
	a.state = db_column_text(stmt, 5);
	a.start = (time_t)sqlite3_column_int64(stmt, 1);
	a.end = (time_t)sqlite3_column_int64(stmt, 2);
	a.clinician_active = sqlite3_column_int(stmt, 27);
	a.client_active = sqlite3_column_int(stmt, 28);
	a.has_room = sqlite3_column_type(stmt, 29) != SQLITE_NULL;
	a.room_active = sqlite3_column_int(stmt, 29);
	a.on_closure = sqlite3_column_int(stmt, 30);
	a.on_busy = sqlite3_column_int(stmt, 31);
	a.imported_clash = sqlite3_column_int(stmt, 32);
	return attention_codes(ctx, &a);
}

json_t *
appt_row_json(struct ctx *ctx, sqlite3_stmt *stmt)
{
	time_t	 start = (time_t)sqlite3_column_int64(stmt, 1);
	time_t	 end = (time_t)sqlite3_column_int64(stmt, 2);
	time_t	 block_end = (time_t)sqlite3_column_int64(stmt, 3);
	json_t	*obj, *client, *attention;

	client = appt_ref(stmt, 17);
	if (client != NULL)
		json_object_set_new(client, "initials",
		    out_initials(db_column_text(stmt, 18)));
	obj = json_pack("{s:I,s:o,s:o,s:o,s:o,s:s,s:s,s:i,s:i,s:o,s:o,s:o,"
	    "s:o,s:s?,s:s,s:s?,s:b,s:s?,s:b,s:b,s:i,s:o,s:o}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "start", out_instant(start),
	    "end", out_instant(end),
	    "local_start", out_local(ctx, start),
	    "local_end", out_local(ctx, end),
	    "tz", ctx->tz,
	    "zone", db_column_text(stmt, 4),
	    "minutes", (int)((end - start) / 60),
	    "buffer", (int)((block_end - end) / 60),
	    "clinician", appt_ref(stmt, 15),
	    "client", client,
	    "service", appt_ref(stmt, 19),
	    "room", appt_ref(stmt, 21),
	    "video_url", db_column_text(stmt, 14),
	    "state", db_column_text(stmt, 5),
	    "cancelled_by", db_column_text(stmt, 6),
	    "late", sqlite3_column_int(stmt, 7),
	    "cancel_reason", db_column_text(stmt, 8),
	    "forced", sqlite3_column_int(stmt, 9),
	    "overlap", sqlite3_column_int(stmt, 10),
	    "version", sqlite3_column_int(stmt, 11),
	    "created", out_instant((time_t)sqlite3_column_int64(stmt, 12)),
	    "updated", out_instant((time_t)sqlite3_column_int64(stmt, 13)));
	if (obj == NULL)
		return NULL;
	appt_series_fields(ctx, stmt, obj);
	if ((attention = appt_attention(ctx, stmt)) == NULL) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "attention", attention);
	return obj;
}

json_t *
appt_json(struct ctx *ctx, long long id)
{
	return out_row_by_id(ctx, appt_one_sql, id, appt_row_json);
}

/* The columns appt_insert and appt_move share, from ?2 on. */
static void
appt_bind_place(sqlite3_stmt *stmt, const struct appt_new *a)
{
	sqlite3_bind_int64(stmt, 2, a->clinician_id);
	if (a->room_id != 0)
		sqlite3_bind_int64(stmt, 3, a->room_id);
	db_bind_text(stmt, 4, a->video);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)a->start);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)a->end);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)a->block_end);
	db_bind_text(stmt, 8, a->zone);
	sqlite3_bind_int(stmt, 9, a->forced);
	sqlite3_bind_int(stmt, 10, a->overlap);
	if (a->series_id != 0) {
		sqlite3_bind_int64(stmt, 11, a->series_id);
		sqlite3_bind_int64(stmt, 12, (sqlite3_int64)a->recurrence);
	}
}

static int
appt_exec(struct ctx *ctx, sqlite3_stmt *stmt)
{
	if (stmt == NULL || db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	return 0;
}

/* What follows every change of an appointment, in its transaction: its
 * reminders planned anew, and the outbox's timer re-armed on commit. */
static int
appt_changed(struct ctx *ctx, long long id, enum remind_change change,
    const struct remind_seen *before)
{
	if (remind_plan(ctx, id, change, before) == -1)
		return -1;
	outbox_kick(ctx->pd);
	return 0;
}

/* A writer's statement, then what follows the change.  The session as
 * its client saw it before is read first: a notice tells the difference. */
static int
appt_exec_changed(struct ctx *ctx, sqlite3_stmt *stmt, long long id,
    enum remind_change change)
{
	struct remind_seen	 before;

	if (remind_seen_load(ctx, id, &before) == -1 ||
	    appt_exec(ctx, stmt) == -1)
		return -1;
	return appt_changed(ctx, id, change, &before);
}

int
appt_insert(struct ctx *ctx, const struct appt_new *a, long long *id)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, appt_insert_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, a->clinician_id);
	sqlite3_bind_int64(stmt, 2, a->client_id);
	sqlite3_bind_int64(stmt, 3, a->service_id);
	if (a->room_id != 0)
		sqlite3_bind_int64(stmt, 4, a->room_id);
	db_bind_text(stmt, 5, a->video);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)a->start);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)a->end);
	sqlite3_bind_int64(stmt, 8, (sqlite3_int64)a->block_end);
	db_bind_text(stmt, 9, a->zone);
	sqlite3_bind_int(stmt, 10, a->forced);
	sqlite3_bind_int(stmt, 11, a->overlap);
	sqlite3_bind_int64(stmt, 12, (sqlite3_int64)ctx->now);
	if (a->series_id != 0) {
		sqlite3_bind_int64(stmt, 13, a->series_id);
		sqlite3_bind_int64(stmt, 14, (sqlite3_int64)a->recurrence);
	}
	if (appt_exec(ctx, stmt) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(db_handle(ctx->pd->db));
	return appt_changed(ctx, *id, REMIND_BOOKED, NULL);
}

int
appt_move(struct ctx *ctx, long long id, const struct appt_new *a,
    int override)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, appt_move_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	appt_bind_place(stmt, a);
	sqlite3_bind_int(stmt, 13, override);
	sqlite3_bind_int64(stmt, 14, (sqlite3_int64)ctx->now);
	return appt_exec_changed(ctx, stmt, id, REMIND_MOVED);
}

time_t
appt_late_before(const struct ctx *ctx)
{
	return ctx->now + (time_t)ctx->pd->conf->late_cancel_hours * 3600;
}

int
appt_cancel(struct ctx *ctx, long long id, const char *by,
    const char *reason, int *late)
{
	struct remind_seen	 before;
	sqlite3_stmt		*stmt;
	int			 rc;

	*late = 0;
	if (remind_seen_load(ctx, id, &before) == -1)
		return -1;
	if ((stmt = db_stmt(ctx->pd->db, appt_cancel_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, by);
	db_bind_text(stmt, 3, reason);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)ctx->now);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)appt_late_before(ctx));
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*late = sqlite3_column_int(stmt, 0);
	/* Step to the end, so the change is complete before the reset. */
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return ctx_internal(ctx);
	return appt_changed(ctx, id, REMIND_CANCELLED, &before);
}

int
appt_mark(struct ctx *ctx, long long id, const char *state)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, appt_mark_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, state);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)ctx->now);
	return appt_exec_changed(ctx, stmt, id, REMIND_MARKED);
}

int
appt_restore(struct ctx *ctx, long long id, int forced, int overlap)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, appt_restore_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, forced);
	sqlite3_bind_int(stmt, 3, overlap);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)ctx->now);
	return appt_exec_changed(ctx, stmt, id, REMIND_RESTORED);
}

int
appt_rekey(struct ctx *ctx, long long id, long long series_id,
    time_t recurrence, int override)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, appt_rekey_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, series_id);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)recurrence);
	sqlite3_bind_int(stmt, 4, override);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)ctx->now);
	return appt_exec(ctx, stmt);
}

int
appt_unkey_from(struct ctx *ctx, long long series_id, time_t from)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, appt_unkey_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, series_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)from);
	return appt_exec(ctx, stmt);
}

int
appt_detach(struct ctx *ctx, long long id)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, appt_detach_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	return appt_exec_changed(ctx, stmt, id, REMIND_DETACHED);
}

int
appt_load(struct ctx *ctx, long long id, struct appt_row *row)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, appt_raw_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row->id = id;
		row->clinician_id = sqlite3_column_int64(stmt, 0);
		row->room_id = sqlite3_column_int64(stmt, 1);
		row->has_video = sqlite3_column_type(stmt, 2) != SQLITE_NULL;
		snprintf(row->video, sizeof(row->video), "%s",
		    row->has_video ? db_column_text(stmt, 2) : "");
		row->start = (time_t)sqlite3_column_int64(stmt, 3);
		row->end = (time_t)sqlite3_column_int64(stmt, 4);
		row->block_end = (time_t)sqlite3_column_int64(stmt, 5);
		snprintf(row->state, sizeof(row->state), "%s",
		    db_column_text(stmt, 6));
		row->series_id = sqlite3_column_int64(stmt, 7);
		row->recurrence = (time_t)sqlite3_column_int64(stmt, 8);
		row->client_id = sqlite3_column_int64(stmt, 9);
		row->service_id = sqlite3_column_int64(stmt, 10);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no appointment %lld",
		    id);
	return ctx_internal(ctx);
}

void
appt_result_clear(struct appt_result *res)
{
	json_decref(res->skipped);
	json_decref(res->warnings);
	json_decref(res->changed);
	res->skipped = res->warnings = res->changed = NULL;
}

int
appt_is_open(const struct appt_row *row)
{
	return strcmp(row->state, "booked") == 0 ||
	    strcmp(row->state, "confirmed") == 0;
}

int
appt_load_open(struct ctx *ctx, long long id, struct appt_row *row,
    const char *verb)
{
	if (appt_load(ctx, id, row) == -1)
		return -1;
	if (!appt_is_open(row)) {
		ctx_error(ctx, PROTO_ESTATE, "appointment %lld is %s and "
		    "cannot be %s", id, row->state, verb);
		return -1;
	}
	return 0;
}

/*
 * A page of the list: at most limit rows after the cursor (from the
 * range's start without one).  The keyset (start, id) is the list's
 * order, so a page costs the same wherever it starts, and a session
 * booked or moved between pages lands before or after the cursor but is
 * never seen twice.  One row more than the page is read to learn whether
 * another page follows.
 */
json_t *
appt_list(struct ctx *ctx, const struct appt_filter *f,
    const struct appt_cursor *after, int limit, struct appt_cursor *next,
    int *more)
{
	sqlite3_stmt	*stmt;
	json_t		*list, *obj;
	int		 rc, n = 0;

	*more = 0;
	if ((stmt = db_stmt(ctx->pd->db, f->series_id != 0 ?
	    appt_list_series_sql : f->client_id != 0 ? appt_list_client_sql :
	    f->clinician_id != 0 ? appt_list_clinician_sql :
	    f->state != NULL ? appt_list_state_sql : appt_list_sql))
	    == NULL)
		return NULL;
	if ((list = json_array()) == NULL) {
		sqlite3_reset(stmt);
		return NULL;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)(after != NULL &&
	    after->start > f->from ? after->start : f->from));
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)f->to);
	sqlite3_bind_int64(stmt, 3, f->clinician_id);
	sqlite3_bind_int64(stmt, 4, f->client_id);
	db_bind_text(stmt, 5, f->state);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)(after != NULL ?
	    after->start : f->from));
	sqlite3_bind_int64(stmt, 7, after != NULL ? after->id : 0);
	sqlite3_bind_int(stmt, 8, limit + 1);
	sqlite3_bind_int64(stmt, 9, f->series_id);
	/* Each clinician's hours read once for the page's rows. */
	attention_begin();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == limit) {
			*more = 1;
			continue;
		}
		next->id = sqlite3_column_int64(stmt, 0);
		next->start = (time_t)sqlite3_column_int64(stmt, 1);
		if ((obj = appt_row_json(ctx, stmt)) == NULL ||
		    json_array_append_new(list, obj) == -1)
			break;
		n++;
	}
	attention_end();
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* The cursor as the caller sees it: "START.ID", to be given back as is. */
void
appt_cursor_format(const struct appt_cursor *c, char *buf, size_t len)
{
	snprintf(buf, len, "%lld.%lld", (long long)c->start, c->id);
}

/* Digits only, with an optional minus: strtoll alone takes " +1". */
static int
appt_cursor_number(const char *s, const char *stop, long long min,
    long long max, long long *out)
{
	const char	*p = *s == '-' ? s + 1 : s;
	char		*end;

	if (p == stop || (size_t)(stop - p) > 19 ||
	    strspn(p, "0123456789") != (size_t)(stop - p))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return end == stop && errno == 0 && *out >= min && *out <= max ?
	    0 : -1;
}

int
appt_cursor_parse(struct ctx *ctx, const char *s, struct appt_cursor *c)
{
	const char	*dot;
	long long	 start;

	if (strlen(s) < APPT_CURSOR_LEN && (dot = strchr(s, '.')) != NULL &&
	    appt_cursor_number(s, dot, -APPT_CURSOR_SPAN, APPT_CURSOR_SPAN,
	    &start) == 0 && appt_cursor_number(dot + 1, dot + 1 + strlen(dot +
	    1), 1, LLONG_MAX, &c->id) == 0) {
		c->start = (time_t)start;
		return 0;
	}
	return ctx_error(ctx, PROTO_EBADREQUEST, "after: not a cursor of "
	    "this list (give back the \"%s\" of the previous page as it "
	    "came)", PROTO_PAGE_NEXT);
}

long long
appt_last_id(struct ctx *ctx)
{
	return db_count(ctx->pd->db, appt_last_id_sql);
}

json_t *
appt_ids_after(struct ctx *ctx, long long last)
{
	sqlite3_stmt	*stmt;
	json_t		*ids;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, appt_ids_after_sql)) == NULL ||
	    (ids = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, last);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(ids, json_integer(
		    sqlite3_column_int64(stmt, 0)));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(ids);
		return NULL;
	}
	return ids;
}
