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
#include "practiced.h"

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
