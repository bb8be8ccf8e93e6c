/*
 * Every change is written to the audit table in the transaction that
 * makes it, so the log and the data can never disagree.  Details name
 * ids and times, never clinical words.
 */
#include <stdarg.h>
#include <stdio.h>

#include "appt.h"
#include "audit.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"

/* The window of the newest ?2 entries from ?1 on, up to entry ?3. */
static const char *audit_window_sql =
    "SELECT MIN(id), (SELECT MAX(id) FROM audit) FROM (SELECT id FROM audit"
    "  WHERE at >= ?1 ORDER BY id DESC LIMIT ?2)";
static const char *audit_page_sql =
    "SELECT id, at, uid, user, role, action, object, object_id, detail"
    "  FROM audit WHERE id >= ?1 AND id <= ?2 AND at >= ?3"
    "  ORDER BY id LIMIT ?4";
static const char *audit_sql =
    "INSERT INTO audit (at, uid, user, role, action, object, object_id,"
    "  detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int
audit_record(struct ctx *ctx, const char *action, const char *object,
    long long object_id, const char *fmt, ...)
{
	sqlite3_stmt	*stmt;
	char		 detail[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if ((stmt = db_stmt(ctx->pd->db, audit_sql)) == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)ctx->now);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->uid);
	sqlite3_bind_text(stmt, 3, ctx->user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 4, ctx->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, object, -1, SQLITE_STATIC);
	if (object_id > 0)
		sqlite3_bind_int64(stmt, 7, object_id);
	sqlite3_bind_text(stmt, 8, detail, -1, SQLITE_TRANSIENT);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1) {
		ctx_internal(ctx);
		return -1;
	}
	return 0;
}

static json_t *
audit_row_json(struct ctx *ctx, sqlite3_stmt *stmt)
{
	time_t	 at = (time_t)sqlite3_column_int64(stmt, 1);

	return json_pack("{s:I,s:o,s:o,s:I,s:s,s:s,s:s,s:s,s:o,s:s?}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "at", out_instant(at),
	    "local_at", out_local(ctx, at),
	    "uid", (json_int_t)sqlite3_column_int64(stmt, 2),
	    "user", db_column_text(stmt, 3),
	    "role", db_column_text(stmt, 4),
	    "action", db_column_text(stmt, 5),
	    "object", db_column_text(stmt, 6),
	    "object_id", sqlite3_column_type(stmt, 7) == SQLITE_NULL ?
	    json_null() : json_integer(sqlite3_column_int64(stmt, 7)),
	    "detail", db_column_text(stmt, 8));
}

/* Where the newest limit entries from since on begin, and the newest
 * entry now: the window every page of one reading walks. */
static int
audit_window(struct ctx *ctx, time_t since, int limit, long long *lo,
    long long *top)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, audit_window_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)since);
	sqlite3_bind_int(stmt, 2, limit);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*lo = sqlite3_column_int64(stmt, 0);
		*top = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

static void
audit_page_next(sqlite3_stmt *stmt, long long top, struct appt_cursor *next)
{
	next->start = (time_t)top;
	next->id = sqlite3_column_int64(stmt, 0);
}

json_t *
audit_list(struct ctx *ctx, time_t since, int limit,
    const struct appt_cursor *after, struct appt_cursor *next, int *more)
{
	sqlite3_stmt	*stmt;
	json_t		*rows, *row;
	long long	 lo, top;
	int		 rc, n = 0;

	*more = 0;
	if (after != NULL) {
		lo = after->id + 1;
		top = (long long)after->start;
	} else if (audit_window(ctx, since, limit, &lo, &top) == -1)
		return NULL;
	if ((stmt = db_stmt(ctx->pd->db, audit_page_sql)) == NULL ||
	    (rows = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, lo);
	sqlite3_bind_int64(stmt, 2, top);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)since);
	sqlite3_bind_int(stmt, 4, AUDIT_PAGE + 1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n++ == AUDIT_PAGE) {
			*more = 1;
			break;
		}
		if ((row = audit_row_json(ctx, stmt)) == NULL ||
		    json_array_append_new(rows, row) == -1)
			break;
		audit_page_next(stmt, top, next);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}
