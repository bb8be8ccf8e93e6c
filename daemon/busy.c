/*
 * Busy blocks as the domain keeps them: a clinician's taken times,
 * start and end only, stored in pieces of a week at most.
 */
#include <stdio.h>
#include <string.h>

#include "busy.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"
#include "tz.h"

/* How far ahead a block may end: the dates callers may give, and a year. */
#define BUSY_AHEAD	((time_t)(TZ_YEARS_AHEAD + 1) * 366 * 86400)

static const char *busy_clinician_sql =
    "SELECT 1 FROM clinicians WHERE id = ?1";
static const char *busy_calendar_sql =
    "SELECT clinician_id FROM busy_calendars WHERE id = ?1";
static const char *busy_same_sql =
    "SELECT id FROM busy_blocks WHERE clinician_id = ?1 AND start_utc = ?2"
    "  AND end_utc = ?3 AND source = ?4 AND calendar_id IS ?5"
    "  AND piece_of IS ?6 LIMIT 1";
static const char *busy_insert_sql =
    "INSERT INTO busy_blocks (clinician_id, start_utc, end_utc, source,"
    "  calendar_id, piece_of, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char *busy_delete_sql =
    "DELETE FROM busy_blocks WHERE id = ?1 OR piece_of = ?1";
static const char *busy_clear_sql =
    "DELETE FROM busy_blocks WHERE calendar_id = ?1";
static const char *busy_count_sql =
    "UPDATE busy_calendars SET blocks = ?2 WHERE id = ?1";
static const char *busy_overlap_sql =
    "SELECT b.id, b.source, b.calendar_id, b.start_utc, b.end_utc,"
    "  coalesce(b.piece_of, b.id) FROM busy_blocks b"
    "  WHERE " BUSY_COVERS("?2", "?3", "?1") " ORDER BY b.start_utc, b.id";

static int
busy_exists(struct ctx *ctx, const char *sql, long long id, long long *col)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && col != NULL)
		*col = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ctx_internal(ctx);
	return rc == SQLITE_ROW;
}

static int
busy_check(struct ctx *ctx, long long clinician_id, time_t start,
    time_t end, const char *source, long long calendar_id)
{
	long long	 owner = 0;
	int		 found;

	if (source == NULL || (strcmp(source, BUSY_SOURCE_IMPORT) != 0 &&
	    strcmp(source, BUSY_SOURCE_CALENDAR) != 0))
		return ctx_error(ctx, PROTO_EBADREQUEST, "busy block: source "
		    "is \"%s\" or \"%s\"", BUSY_SOURCE_IMPORT,
		    BUSY_SOURCE_CALENDAR);
	if ((strcmp(source, BUSY_SOURCE_CALENDAR) == 0) != (calendar_id != 0))
		return ctx_error(ctx, PROTO_EBADREQUEST, "busy block: a "
		    "calendar's block names its calendar, and only it does");
	if (start < 0 || end <= start || end > ctx->now + BUSY_AHEAD)
		return ctx_error(ctx, PROTO_EBADREQUEST, "busy block: its end "
		    "comes after its start, within %d years from now",
		    TZ_YEARS_AHEAD);
	if (end - start > BUSY_SPAN_MAX)
		return ctx_error(ctx, PROTO_EBADREQUEST, "busy block: longer "
		    "than %d days", BUSY_SPAN_MAX / 86400);
	if ((found = busy_exists(ctx, busy_clinician_sql, clinician_id,
	    NULL)) != 1)
		return found == -1 ? -1 : ctx_error(ctx, PROTO_ENOTFOUND,
		    "no clinician %lld", clinician_id);
	if (calendar_id == 0)
		return 0;
	if ((found = busy_exists(ctx, busy_calendar_sql, calendar_id,
	    &owner)) != 1)
		return found == -1 ? -1 : ctx_error(ctx, PROTO_ENOTFOUND,
		    "no busy calendar %lld", calendar_id);
	if (owner != clinician_id)
		return ctx_error(ctx, PROTO_EBADREQUEST, "busy calendar %lld "
		    "is another clinician's", calendar_id);
	return 0;
}

/* One piece: the same one found, or a new one; *id is its id. */
static int
busy_piece(struct ctx *ctx, long long clinician_id, time_t start,
    time_t end, const char *source, long long calendar_id, long long first,
    int reuse, long long *id)
{
	sqlite3_stmt	*stmt;
	int		 rc, i;

	for (i = reuse ? 0 : 1; i < 2; i++) {
		if ((stmt = db_stmt(ctx->pd->db, i == 0 ? busy_same_sql :
		    busy_insert_sql)) == NULL)
			return ctx_internal(ctx);
		sqlite3_bind_int64(stmt, 1, clinician_id);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)start);
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)end);
		db_bind_text(stmt, 4, source);
		if (calendar_id != 0)
			sqlite3_bind_int64(stmt, 5, calendar_id);
		if (first != 0)
			sqlite3_bind_int64(stmt, 6, first);
		if (i == 1)
			sqlite3_bind_int64(stmt, 7, (sqlite3_int64)ctx->now);
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW)
			*id = sqlite3_column_int64(stmt, 0);
		sqlite3_reset(stmt);
		if (rc == SQLITE_ROW)
			return 0;
		if (rc != SQLITE_DONE)
			return ctx_internal(ctx);
	}
	*id = sqlite3_last_insert_rowid(db_handle(ctx->pd->db));
	return 0;
}

/* The block in pieces of a week; reuse finds an identical one first. */
static int
busy_store(struct ctx *ctx, long long clinician_id, time_t start,
    time_t end, const char *source, long long calendar_id, int reuse,
    long long *id)
{
	long long	 first = 0, piece = 0;
	time_t		 t, e;

	for (t = start; t < end; t = e) {
		e = end - t > BUSY_PIECE ? t + BUSY_PIECE : end;
		if (busy_piece(ctx, clinician_id, t, e, source, calendar_id,
		    first, reuse, &piece) == -1)
			return -1;
		if (first == 0)
			first = piece;
	}
	if (id != NULL)
		*id = first;
	return 0;
}

int
busy_add(struct ctx *ctx, long long clinician_id, time_t start, time_t end,
    const char *source, long long calendar_id, long long *id)
{
	if (busy_check(ctx, clinician_id, start, end, source,
	    calendar_id) == -1)
		return -1;
	return busy_store(ctx, clinician_id, start, end, source, calendar_id,
	    1, id);
}

int
busy_remove(struct ctx *ctx, long long id)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, busy_delete_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	if (sqlite3_changes(db_handle(ctx->pd->db)) == 0)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no busy block %lld",
		    id);
	return 0;
}

int
busy_replace(struct ctx *ctx, long long calendar_id,
    const struct busy_span *spans, size_t n)
{
	sqlite3_stmt	*stmt;
	long long	 clinician_id = 0;
	size_t		 i;
	int		 found;

	if (n > BUSY_CALENDAR_MAX)
		return ctx_error(ctx, PROTO_ETOOLARGE, "more than %d busy "
		    "times in one calendar", BUSY_CALENDAR_MAX);
	if ((found = busy_exists(ctx, busy_calendar_sql, calendar_id,
	    &clinician_id)) != 1)
		return found == -1 ? -1 : ctx_error(ctx, PROTO_ENOTFOUND,
		    "no busy calendar %lld", calendar_id);
	if ((stmt = db_stmt(ctx->pd->db, busy_clear_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, calendar_id);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	for (i = 0; i < n; i++) {
		if (busy_check(ctx, clinician_id, spans[i].start, spans[i].end,
		    BUSY_SOURCE_CALENDAR, calendar_id) == -1 ||
		    busy_store(ctx, clinician_id, spans[i].start, spans[i].end,
		    BUSY_SOURCE_CALENDAR, calendar_id, 0, NULL) == -1)
			return -1;
	}
	if ((stmt = db_stmt(ctx->pd->db, busy_count_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, calendar_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)n);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	return 0;
}

json_t *
busy_overlapping(struct ctx *ctx, long long clinician_id, time_t start,
    time_t end)
{
	sqlite3_stmt	*stmt;
	json_t		*found;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, busy_overlap_sql)) == NULL ||
	    (found = json_array()) == NULL) {
		ctx_internal(ctx);
		return NULL;
	}
	sqlite3_bind_int64(stmt, 1, clinician_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)start);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)end);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		time_t	 s = (time_t)sqlite3_column_int64(stmt, 3);
		time_t	 e = (time_t)sqlite3_column_int64(stmt, 4);

		json_array_append_new(found, json_pack(
		    "{s:I,s:s,s:o,s:o,s:o,s:o,s:o}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 5),
		    "source", db_column_text(stmt, 1),
		    "calendar", sqlite3_column_type(stmt, 2) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int64(stmt, 2)),
		    "start", out_instant(s), "end", out_instant(e),
		    "local_start", out_local(ctx, s),
		    "local_end", out_local(ctx, e)));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(found);
		ctx_internal(ctx);
		return NULL;
	}
	return found;
}

void
busy_message(json_t *blocks, char *buf, size_t len)
{
	json_t		*first = json_array_get(blocks, 0);
	json_t		*cal = json_object_get(first, "calendar");
	const char	*ls = json_string_value(json_object_get(first,
			    "local_start"));
	const char	*le = json_string_value(json_object_get(first,
			    "local_end"));
	char		 from[64];

	if (json_is_integer(cal))
		snprintf(from, sizeof(from), "busy calendar %lld",
		    (long long)json_integer_value(cal));
	else
		snprintf(from, sizeof(from), "imported");
	snprintf(buf, len, "busy: the clinician is taken from %s to %s "
	    "(busy block %lld, %s); use --force to book anyway", ls,
	    strlen(le) > 11 && strncmp(ls, le, 10) == 0 ? le + 11 : le,
	    (long long)json_integer_value(json_object_get(first, "id")),
	    from);
}
