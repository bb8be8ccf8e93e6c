/*
 * Every change is written to the audit table in the transaction that
 * makes it, so the log and the data can never disagree.  Details name
 * ids and times, never clinical words.
 */
#include <stdarg.h>
#include <stdio.h>

#include "audit.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"

static const char *audit_list_sql =
    "SELECT id, at, uid, user, role, action, object, object_id, detail"
    "  FROM (SELECT * FROM audit WHERE at >= ?1 ORDER BY id DESC LIMIT ?2)"
    "  ORDER BY id";
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

json_t *
audit_list(struct ctx *ctx, time_t since, int limit)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, audit_list_sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)since);
	sqlite3_bind_int(stmt, 2, limit);
	return out_rows(ctx, stmt, audit_row_json);
}
