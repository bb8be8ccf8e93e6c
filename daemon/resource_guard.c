/*
 * Changes that strand booked sessions: archiving a clinician, a client
 * or a room that still has sessions ahead (refused unless forced), and hours or a
 * zone that leave sessions outside a clinician's hours.  Each names the
 * sessions, as closure add does, so the front desk can move them.
 */
#include <stdio.h>
#include <string.h>

#include "appt.h"
#include "ctx.h"
#include "db.h"
#include "practiced.h"
#include "resource.h"
#include "schedule.h"

#define GUARD_MAX	500	/* sessions an answer names */
#define GUARD_TEXT	8	/* sessions a refusal's message names */

#define GUARD_SQL(column)						\
    "SELECT id, clinician_id, start_utc, end_utc FROM appointments"	\
    "  WHERE " column " = ?1 AND state IN ('booked','confirmed')"	\
    "    AND start_utc > ?2 ORDER BY start_utc, id"

/* Booked sessions ahead of each kind that has any; NULL: none can. */
static const char *const guard_sqls[] = {
	[KIND_CLINICIAN] = GUARD_SQL("clinician_id"),
	[KIND_CLIENT] = GUARD_SQL("client_id"),
	[KIND_SERVICE] = NULL,
	[KIND_ROOM] = GUARD_SQL("room_id"),
};

int
res_guarded(const struct res_type *t)
{
	return guard_sqls[t->kind] != NULL;
}

/* Whether the session of the current row is outside its clinician's
 * hours; -1 on a database error. */
static int
guard_outside(struct ctx *ctx, sqlite3_stmt *stmt)
{
	struct slot_request	 slot;
	json_t			*hours = NULL;
	char			 why[512];
	int			 inside;

	memset(&slot, 0, sizeof(slot));
	slot.id = sqlite3_column_int64(stmt, 0);
	slot.clinician_id = sqlite3_column_int64(stmt, 1);
	slot.start = (time_t)sqlite3_column_int64(stmt, 2);
	slot.end = slot.block_end = (time_t)sqlite3_column_int64(stmt, 3);
	inside = schedule_within_hours(ctx, &slot, why, sizeof(why), &hours);
	json_decref(hours);
	return inside == -1 ? -1 : !inside;
}

json_t *
res_guard_sessions(struct ctx *ctx, enum kind kind, long long id,
    int outside_hours)
{
	sqlite3_stmt	*stmt;
	long long	 ids[GUARD_MAX];
	json_t		*list, *a;
	size_t		 n = 0, i;
	int		 rc = SQLITE_DONE, out;

	if (guard_sqls[kind] == NULL)
		return json_array();
	if ((stmt = db_stmt(ctx->pd->db, guard_sqls[kind])) == NULL)
		goto internal;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	while (n < GUARD_MAX && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		out = outside_hours ? guard_outside(ctx, stmt) : 1;
		if (out == -1)
			break;
		if (out)
			ids[n++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	if (n < GUARD_MAX && rc != SQLITE_DONE)
		goto internal;
	if ((list = json_array()) == NULL)
		goto internal;
	for (i = 0; i < n; i++)
		if ((a = appt_json(ctx, ids[i])) == NULL ||
		    json_array_append_new(list, a) == -1) {
			json_decref(list);
			goto internal;
		}
	return list;
internal:
	ctx_internal(ctx);
	return NULL;
}

/* "41 on 2026-12-03 10:00, 42 on ..., and 3 more" */
static void
guard_text(json_t *list, char *buf, size_t len)
{
	json_t	*a;
	size_t	 i, off = 0;
	int	 n;

	buf[0] = '\0';
	json_array_foreach(list, i, a) {
		if (i == GUARD_TEXT) {
			snprintf(buf + off, len - off, ", and %zu more",
			    json_array_size(list) - i);
			return;
		}
		n = snprintf(buf + off, len - off, "%s%lld on %s",
		    i > 0 ? ", " : "", (long long)json_integer_value(
		    json_object_get(a, "id")), json_string_value(
		    json_object_get(a, "local_start")));
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}

int
res_guard_archive(struct ctx *ctx, const struct res_type *t, long long id,
    const char *name, int force, json_t **affected)
{
	json_t	*list;
	char	 text[512];
	size_t	 n;

	*affected = NULL;
	if ((list = res_guard_sessions(ctx, t->kind, id, 0)) == NULL)
		return -1;
	if ((n = json_array_size(list)) == 0 || force) {
		*affected = list;
		return 0;
	}
	guard_text(list, text, sizeof(text));
	return ctx_error_details(ctx, PROTO_ESTATE,
	    json_pack("{s:o}", "affected", list), "%s %s has %zu booked "
	    "session%s ahead (%s); move or cancel %s first, or archive with "
	    "--force to keep %s booked", t->noun, name, n, n == 1 ? "" : "s",
	    text, n == 1 ? "it" : "them", n == 1 ? "it" : "them");
}
