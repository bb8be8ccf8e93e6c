/*
 * Closures as the domain keeps them: whole days in the zone of whom
 * they close (the clinician's, or the practice's), stored as instants.
 */
#include <stdio.h>
#include <string.h>

#include "appt.h"
#include "attention.h"
#include "audit.h"
#include "book.h"
#include "closure.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"
#include "schedule.h"
#include "series.h"
#include "tz.h"

#define CLOSURE_COLUMNS							\
    "SELECT k.id, k.first_day, k.last_day, k.reason, k.zone, k.start_utc,"\
    "  k.end_utc, k.created, c.id, c.name FROM closures k"		\
    "  LEFT JOIN clinicians c ON c.id = k.clinician_id"
static const char *closure_one_sql = CLOSURE_COLUMNS " WHERE k.id = ?1";
static const char *closure_list_sql = CLOSURE_COLUMNS
    "  WHERE k.end_utc > ?1 AND k.start_utc < ?2"
    "    AND (?3 = 0 OR k.clinician_id IS NULL OR k.clinician_id = ?3)"
    "  ORDER BY k.start_utc, k.id";
static const char *closure_insert_sql =
    "INSERT INTO closures (clinician_id, first_day, last_day, zone,"
    "  start_utc, end_utc, reason, created)"
    "  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char *closure_delete_sql = "DELETE FROM closures WHERE id = ?1";
static const char *closure_span_sql =
    "SELECT start_utc, end_utc, coalesce(clinician_id, 0), reason"
    "  FROM closures WHERE id = ?1";
/*
 * A session within the closure starts at most SCHEDULE_MAX_BLOCK
 * before it (?5): the bound keeps the index's range to the closure's
 * span, not all of the practice's past.  ?6: only those starting
 * after it (those not yet begun), or the bound again.  One statement
 * with the clinician and one without, each with its own index ("?3 =
 * 0 OR" kept either from its index: 40 ms on 100,000).
 */
#define CLOSURE_AFFECTED_SQL(who)					\
    "SELECT id, count(*) OVER () FROM appointments"			\
    "  WHERE " who " state IN ('booked','confirmed')"			\
    "  AND start_utc < ?2 AND start_utc > max(?1 - ?5, ?6)"		\
    "  AND end_utc > ?1 ORDER BY start_utc, id LIMIT ?4"
static const char *closure_affected_sql = CLOSURE_AFFECTED_SQL("");
static const char *closure_affected_one_sql =
    CLOSURE_AFFECTED_SQL("clinician_id = ?3 AND");
/* A closure as the sessions it covers need it. */
struct closure_span {
	time_t		 start, end;
	long long	 clinician_id;	/* 0: practice-wide */
	char		 reason[4 * CLOSURE_REASON_MAX + 1];	/* UTF-8 */
};

static const char *clinician_zone_sql =
    "SELECT zone FROM clinicians WHERE id = ?1";

static json_t *
closure_row_json(struct ctx *ctx, sqlite3_stmt *stmt)
{
	json_t	*who = json_null();

	(void)ctx;
	if (sqlite3_column_type(stmt, 8) != SQLITE_NULL)
		who = json_pack("{s:I,s:s}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 8),
		    "name", db_column_text(stmt, 9));
	return json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:o}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "from", db_column_text(stmt, 1),
	    "to", db_column_text(stmt, 2),
	    "reason", db_column_text(stmt, 3),
	    "clinician", who,
	    "zone", db_column_text(stmt, 4),
	    "start", out_instant((time_t)sqlite3_column_int64(stmt, 5)),
	    "end", out_instant((time_t)sqlite3_column_int64(stmt, 6)),
	    "created", out_instant((time_t)sqlite3_column_int64(stmt, 7)));
}

json_t *
closure_json(struct ctx *ctx, long long id)
{
	return out_row_by_id(ctx, closure_one_sql, id, closure_row_json);
}

json_t *
closure_list(struct ctx *ctx, time_t from, time_t to, long long clinician_id)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, closure_list_sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	sqlite3_bind_int64(stmt, 3, clinician_id);
	return out_rows(ctx, stmt, closure_row_json);
}

/* The zone a closure's days are in: its clinician's, or the practice's. */
static int
closure_zone(struct ctx *ctx, long long clinician_id, char *zone,
    size_t len)
{
	sqlite3_stmt	*stmt;

	snprintf(zone, len, "%s", ctx->pd->conf->timezone);
	if (clinician_id == 0)
		return 0;
	if ((stmt = db_stmt(ctx->pd->db, clinician_zone_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, clinician_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		snprintf(zone, len, "%s", db_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return 0;
}

static int
closure_day(struct ctx *ctx, const char *field, const char *v,
    const char *zone, struct tz_wall *w)
{
	char	 err[160];

	if (tz_parse_date(v, zone, ctx->now, w, err, sizeof(err)) == -1)
		return ctx_error(ctx, PROTO_EBADREQUEST, "%s: %s", field, err);
	return 0;
}

int
closure_add(struct ctx *ctx, const struct closure_new *c, long long *id)
{
	sqlite3_stmt	*stmt;
	struct tz_wall	 from, to, next;
	char		 zone[72], first[TZ_BUFLEN], last[TZ_BUFLEN];
	time_t		 start, end;

	if (closure_zone(ctx, c->clinician_id, zone, sizeof(zone)) == -1 ||
	    closure_day(ctx, "from", c->from, zone, &from) == -1 ||
	    (c->to != NULL && closure_day(ctx, "to", c->to, zone, &to) == -1))
		return -1;
	if (c->to == NULL)
		to = from;
	start = tz_day_start(zone, from.year, from.month, from.day);
	next = to;
	tz_add_days(&next, 1);
	end = tz_day_start(zone, next.year, next.month, next.day);
	if (end <= start)
		return ctx_error(ctx, PROTO_EBADREQUEST, "the closure ends "
		    "before it starts");
	if (end - start > 400L * 86400)
		return ctx_error(ctx, PROTO_EBADREQUEST, "a closure is at most "
		    "400 days");
	tz_format_date(&from, first);
	tz_format_date(&to, last);
	if ((stmt = db_stmt(ctx->pd->db, closure_insert_sql)) == NULL)
		return ctx_internal(ctx);
	if (c->clinician_id != 0)
		sqlite3_bind_int64(stmt, 1, c->clinician_id);
	db_bind_text(stmt, 2, first);
	db_bind_text(stmt, 3, last);
	db_bind_text(stmt, 4, zone);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)start);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)end);
	db_bind_text(stmt, 7, c->reason);
	sqlite3_bind_int64(stmt, 8, (sqlite3_int64)ctx->now);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	*id = sqlite3_last_insert_rowid(db_handle(ctx->pd->db));
	return audit_record(ctx, "closure.add", "closure", *id, "%s to %s, %s",
	    first, last, c->clinician_id ? "one clinician" : "practice-wide");
}

/* A closure's span and whom it closes; -1 (not found) if there is none. */
static int
closure_span(struct ctx *ctx, long long id, struct closure_span *k)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	memset(k, 0, sizeof(*k));
	if ((stmt = db_stmt(ctx->pd->db, closure_span_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		k->start = (time_t)sqlite3_column_int64(stmt, 0);
		k->end = (time_t)sqlite3_column_int64(stmt, 1);
		k->clinician_id = sqlite3_column_int64(stmt, 2);
		snprintf(k->reason, sizeof(k->reason), "%s",
		    db_column_text(stmt, 3));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no closure %lld", id);
	return 0;
}

/*
 * The first max open sessions the closure covers, by start (only those
 * starting after `after`, if not 0), into ids, *n of them; *total of
 * them all.
 */
static int
closure_open_ids(struct ctx *ctx, const struct closure_span *k,
    time_t after, long long *ids, size_t max, size_t *np, long long *total)
{
	sqlite3_stmt	*stmt;
	size_t		 n = 0;
	int		 rc;

	*np = 0;
	*total = 0;
	if ((stmt = db_stmt(ctx->pd->db, k->clinician_id != 0 ?
	    closure_affected_one_sql : closure_affected_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)k->start);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)k->end);
	if (k->clinician_id != 0)
		sqlite3_bind_int64(stmt, 3, k->clinician_id);
	sqlite3_bind_int(stmt, 4, (int)max);
	sqlite3_bind_int64(stmt, 5, SCHEDULE_MAX_BLOCK);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)(after != 0 ? after :
	    k->start - SCHEDULE_MAX_BLOCK));
	while (n < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		ids[n++] = sqlite3_column_int64(stmt, 0);
		*total = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (n < max && rc != SQLITE_DONE)
		return ctx_internal(ctx);
	*np = n;
	return 0;
}

/* The appointments of ids, as they are now (NULL on an error). */
static json_t *
closure_appts(struct ctx *ctx, const long long *ids, size_t n)
{
	json_t	*list, *a;
	size_t	 i;

	if ((list = json_array()) == NULL)
		return NULL;
	/* Each clinician's hours read once for all the rows, not per row. */
	attention_begin();
	for (i = 0; i < n; i++) {
		if ((a = appt_json(ctx, ids[i])) == NULL) {
			json_decref(list);
			list = NULL;
			break;
		}
		json_array_append_new(list, a);
	}
	attention_end();
	return list;
}

json_t *
closure_affected(struct ctx *ctx, long long id, long long *total)
{
	struct closure_span	 k;
	long long		 ids[CLOSURE_AFFECTED_MAX];
	size_t			 n;

	*total = 0;
	if (closure_span(ctx, id, &k) == -1 || closure_open_ids(ctx, &k, 0,
	    ids, CLOSURE_AFFECTED_MAX, &n, total) == -1)
		return NULL;
	return closure_appts(ctx, ids, n);
}

int
closure_cancel(struct ctx *ctx, long long id, json_t **cancelled,
    long long *remaining)
{
	struct closure_span	 k;
	struct appt_result	 res;
	long long		 ids[CLOSURE_CANCEL_BATCH], total;
	size_t			 n, i;
	int			 rc;

	*cancelled = NULL;
	*remaining = 0;
	if (closure_span(ctx, id, &k) == -1 || closure_open_ids(ctx, &k,
	    ctx->now, ids, CLOSURE_CANCEL_BATCH, &n, &total) == -1)
		return -1;
	/* By the practice, which closed: never late, and the client told. */
	for (i = 0; i < n; i++) {
		rc = book_cancel(ctx, ids[i], APPT_THIS, "practice",
		    k.reason, &res);
		appt_result_clear(&res);
		if (rc == -1)
			return -1;
	}
	if (n > 0 && audit_record(ctx, "closure.cancel", "closure", id,
	    "%zu sessions cancelled", n) == -1)
		return -1;
	if ((*cancelled = closure_appts(ctx, ids, n)) == NULL)
		return ctx_internal(ctx);
	*remaining = total - (long long)n;
	return 0;
}

/* The appointments booked after last, in full (NULL on an error). */
static json_t *
closure_booked_since(struct ctx *ctx, long long last)
{
	json_t	*ids, *id, *list, *a;
	size_t	 i;

	if ((ids = appt_ids_after(ctx, last)) == NULL)
		return NULL;
	if ((list = json_array()) != NULL) {
		json_array_foreach(ids, i, id) {
			if ((a = appt_json(ctx, json_integer_value(id))) ==
			    NULL) {
				json_decref(list);
				list = NULL;
				break;
			}
			json_array_append_new(list, a);
		}
	}
	json_decref(ids);
	return list;
}

int
closure_remove(struct ctx *ctx, long long id, json_t **removed,
    int *restored, json_t **skipped, json_t **booked)
{
	struct series_run	 run;
	sqlite3_stmt		*stmt;
	json_t			*obj;
	long long		 last;
	int			 rc = -1;

	*removed = *skipped = *booked = NULL;
	*restored = 0;
	if ((obj = closure_json(ctx, id)) == NULL)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no closure %lld", id);
	series_run_init(&run, SERIES_SKIP);
	if ((last = appt_last_id(ctx)) == -1 ||
	    (stmt = db_stmt(ctx->pd->db, closure_delete_sql)) == NULL)
		goto internal;
	sqlite3_bind_int64(stmt, 1, id);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1 ||
	    series_closure_removed(ctx, id, &run) == -1)
		goto internal;
	if (audit_record(ctx, "closure.remove", "closure", id, "%s to %s, "
	    "%d series sessions booked again",
	    json_string_value(json_object_get(obj, "from")),
	    json_string_value(json_object_get(obj, "to")), run.booked) == -1)
		goto done;
	if ((*booked = closure_booked_since(ctx, last)) == NULL)
		goto internal;
	*removed = json_incref(obj);
	*restored = run.booked;
	*skipped = json_incref(run.skipped);
	rc = 0;
	goto done;
internal:
	ctx_internal(ctx);
done:
	series_run_clear(&run);
	json_decref(obj);
	return rc;
}
