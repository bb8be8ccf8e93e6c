/*
 * The day at a glance, per clinician: what the morning needs to know.
 * Sessions come from the appointment list, clients falling out of care
 * from the attendance report (one clinician's); the rest is a query a
 * list, each bounded.
 */
#include <stdio.h>
#include <string.h>

#include "agenda.h"
#include "appt.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"
#include "report.h"
#include "tz.h"

static const char *clinicians_sql =
    "SELECT id, name FROM clinicians WHERE (?1 = 0 AND active = 1"
    "  AND id > ?2) OR id = ?1 ORDER BY id LIMIT ?3";
/* Reminders of the session as it is now that could not be delivered. */
static const char *failed_sql =
    "SELECT r.id, r.notice, r.channel, r.reason, r.updated, a.id,"
    "  a.start_utc, cl.id, cl.name FROM appointments a"
    "  JOIN reminders r ON r.appointment_id = a.id"
    "  AND r.version = a.version AND r.state = 'failed'"
    "  JOIN clients cl ON cl.id = a.client_id"
    "  WHERE a.clinician_id = ?1 AND a.start_utc >= ?2"
    "  AND a.state IN ('booked','confirmed')"
    "  ORDER BY a.start_utc, r.id LIMIT ?3";
/*
 * Sessions of the days before, from ?2 on and over by ?3, still booked
 * or confirmed: attended or not, nobody has said, and the attendance
 * report and who is falling out of care count on it.
 */
static const char *unmarked_sql =
    "SELECT a.id, a.start_utc, cl.id, cl.name FROM appointments a"
    "  JOIN clients cl ON cl.id = a.client_id"
    "  WHERE a.clinician_id = ?1 AND a.start_utc >= ?2"
    "  AND a.start_utc < ?3 AND a.end_utc <= ?3"
    "  AND a.state IN ('booked','confirmed')"
    "  ORDER BY a.start_utc, a.id LIMIT ?4";
/*
 * Series with an end whose last open session falls in the week, the
 * client having nothing booked with the clinician after it: the care
 * ends unless someone books more.
 */
static const char *ending_sql =
    "SELECT x.id, cl.id, cl.name, max(a.start_utc) AS last"
    "  FROM series x JOIN appointments a ON a.series_id = x.id"
    "  AND a.state IN ('booked','confirmed')"
    "  JOIN clients cl ON cl.id = x.client_id"
    "  WHERE x.clinician_id = ?1 AND x.state != 'cancelled'"
    "  AND ((x.until_utc IS NOT NULL AND (x.until_utc <= ?3"
    "   OR x.materialized_until >= x.until_utc))"
    "   OR (x.until_utc IS NULL AND instr(x.rrule, 'COUNT=') > 0))"
    "  GROUP BY x.id HAVING last >= ?2 AND last < ?3"
    "  AND NOT EXISTS (SELECT 1 FROM appointments b"
    "   WHERE b.client_id = x.client_id AND b.clinician_id = ?1"
    "   AND b.state IN ('booked','confirmed') AND b.start_utc >= ?3)"
    "  ORDER BY last, x.id LIMIT ?4";

/* The instants of a day and of its week (Monday to Monday). */
struct agenda_span {
	struct tz_wall	 wall;		/* the day */
	time_t		 from, to;
	time_t		 week_from, week_to;
	char		 day[16];
};

static int
agenda_span(struct ctx *ctx, const char *day, struct agenda_span *s)
{
	struct tz_wall	 w, next;
	char		 err[160];

	if (tz_parse_date(day != NULL ? day : "today", ctx->tz, ctx->now, &w,
	    err, sizeof(err)) == -1)
		return ctx_error(ctx, PROTO_EBADREQUEST, "day: %s", err);
	snprintf(s->day, sizeof(s->day), "%04d-%02d-%02d", w.year, w.month,
	    w.day);
	s->wall = w;
	s->from = tz_day_start(ctx->tz, w.year, w.month, w.day);
	next = w;
	tz_add_days(&next, 1);
	s->to = tz_day_start(ctx->tz, next.year, next.month, next.day);
	next = w;
	tz_add_days(&next, -w.wday);
	s->week_from = tz_day_start(ctx->tz, next.year, next.month, next.day);
	tz_add_days(&next, 7);
	s->week_to = tz_day_start(ctx->tz, next.year, next.month, next.day);
	return 0;
}

static json_t *
agenda_client(sqlite3_stmt *stmt, int col)
{
	const char	*name = db_column_text(stmt, col + 1);

	return json_pack("{s:I,s:s,s:o}", "id",
	    (json_int_t)sqlite3_column_int64(stmt, col), "name", name,
	    "initials", out_initials(name));
}

/* The day's sessions but the cancelled ones, and the ids of those not
 * yet confirmed. */
static int
agenda_sessions(struct ctx *ctx, long long clinician,
    const struct agenda_span *s, json_t *obj, int *cut)
{
	struct appt_filter	 f;
	struct appt_cursor	 next;
	json_t			*all, *keep, *open, *a;
	const char		*state;
	size_t			 i;
	int			 more;

	memset(&f, 0, sizeof(f));
	f.from = s->from;
	f.to = s->to;
	f.clinician_id = clinician;
	if ((all = appt_list(ctx, &f, NULL, AGENDA_MAX, &next, &more)) ==
	    NULL)
		return -1;
	*cut |= more;
	keep = json_array();
	open = json_array();
	json_array_foreach(all, i, a) {
		state = json_string_value(json_object_get(a, "state"));
		if (state == NULL || strcmp(state, "cancelled") == 0)
			continue;
		json_array_append(keep, a);
		if (strcmp(state, "booked") == 0)
			json_array_append(open, json_object_get(a, "id"));
	}
	json_decref(all);
	if (json_object_set_new(obj, "sessions", keep) == -1 ||
	    json_object_set_new(obj, "unconfirmed", open) == -1)
		return -1;
	return 0;
}

static json_t *
agenda_failed_row(struct ctx *ctx, sqlite3_stmt *stmt)
{
	time_t	 start = (time_t)sqlite3_column_int64(stmt, 6);

	return json_pack("{s:I,s:s,s:s,s:s?,s:o,s:I,s:o,s:o,s:o}",
	    "reminder", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "notice", db_column_text(stmt, 1),
	    "channel", db_column_text(stmt, 2),
	    "reason", db_column_text(stmt, 3),
	    "failed", out_instant((time_t)sqlite3_column_int64(stmt, 4)),
	    "appointment", (json_int_t)sqlite3_column_int64(stmt, 5),
	    "start", out_instant(start),
	    "local_start", out_local(ctx, start),
	    "client", agenda_client(stmt, 7));
}

static json_t *
agenda_unmarked_row(struct ctx *ctx, sqlite3_stmt *stmt)
{
	time_t	 start = (time_t)sqlite3_column_int64(stmt, 1);

	return json_pack("{s:I,s:o,s:o,s:o}",
	    "appointment", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "start", out_instant(start),
	    "local_start", out_local(ctx, start),
	    "client", agenda_client(stmt, 2));
}

static json_t *
agenda_ending_row(struct ctx *ctx, sqlite3_stmt *stmt)
{
	time_t	 last = (time_t)sqlite3_column_int64(stmt, 3);

	return json_pack("{s:I,s:o,s:o,s:o}",
	    "series", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "client", agenda_client(stmt, 1),
	    "last", out_instant(last),
	    "local_last", out_local(ctx, last));
}

/* A bounded list: one more row than kept says it was cut. */
static int
agenda_list(struct ctx *ctx, json_t *obj, const char *key,
    sqlite3_stmt *stmt, out_row_fn fn, int *cut)
{
	json_t	*rows;

	if ((rows = out_rows(ctx, stmt, fn)) == NULL)
		return -1;
	if (json_array_size(rows) > AGENDA_MAX) {
		json_array_remove(rows, AGENDA_MAX);
		*cut = 1;
	}
	return json_object_set_new(obj, key, rows);
}

static int
agenda_failed(struct ctx *ctx, long long clinician, json_t *obj, int *cut)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, failed_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, clinician);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	sqlite3_bind_int(stmt, 3, AGENDA_MAX + 1);
	return agenda_list(ctx, obj, "failed_deliveries", stmt,
	    agenda_failed_row, cut);
}

static int
agenda_unmarked(struct ctx *ctx, long long clinician,
    const struct agenda_span *s, json_t *obj, int *cut)
{
	sqlite3_stmt	*stmt;
	struct tz_wall	 w;

	if ((stmt = db_stmt(ctx->pd->db, unmarked_sql)) == NULL)
		return -1;
	w = s->wall;
	tz_add_days(&w, -AGENDA_UNMARKED_DAYS);
	sqlite3_bind_int64(stmt, 1, clinician);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)tz_day_start(ctx->tz,
	    w.year, w.month, w.day));
	/* Ended before the day, and before now for a day ahead. */
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)(s->from < ctx->now ?
	    s->from : ctx->now));
	sqlite3_bind_int(stmt, 4, AGENDA_MAX + 1);
	return agenda_list(ctx, obj, "unmarked", stmt, agenda_unmarked_row,
	    cut);
}

static int
agenda_ending(struct ctx *ctx, long long clinician,
    const struct agenda_span *s, json_t *obj, int *cut)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, ending_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, clinician);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)s->week_from);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)s->week_to);
	sqlite3_bind_int(stmt, 4, AGENDA_MAX + 1);
	return agenda_list(ctx, obj, "series_ending", stmt,
	    agenda_ending_row, cut);
}

/* The attendance report's own finding, for this clinician. */
static int
agenda_falling(struct ctx *ctx, long long clinician, json_t *obj)
{
	struct report_page	 page = { .clinician = clinician, .limit = 1 };
	json_t			*report, *falling;
	int			 rc;

	/* The first page carries who is falling out of care; one client
	 * row is all the page need hold. */
	if ((report = report_attendance(ctx, NULL, NULL, &page)) == NULL)
		return -1;
	falling = json_object_get(report, "falling_out_of_care");
	rc = json_object_set(obj, "falling_out_of_care", falling != NULL ?
	    falling : json_array());
	json_decref(report);
	return rc;
}

static json_t *
agenda_clinician(struct ctx *ctx, sqlite3_stmt *stmt,
    const struct agenda_span *s)
{
	long long	 id = sqlite3_column_int64(stmt, 0);
	json_t		*obj;
	int		 cut = 0;

	if ((obj = json_pack("{s:{s:I,s:s}}", "clinician", "id",
	    (json_int_t)id, "name", db_column_text(stmt, 1))) == NULL)
		return NULL;
	if (agenda_sessions(ctx, id, s, obj, &cut) == -1 ||
	    agenda_unmarked(ctx, id, s, obj, &cut) == -1 ||
	    agenda_failed(ctx, id, obj, &cut) == -1 ||
	    agenda_ending(ctx, id, s, obj, &cut) == -1 ||
	    agenda_falling(ctx, id, obj) == -1 ||
	    json_object_set_new(obj, "cut", json_boolean(cut)) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The clinicians of the page; their rows read first, since each
 * clinician's lists run statements of their own. */
static int
agenda_ids(struct ctx *ctx, long long clinician,
    const struct appt_cursor *after, long long *ids, int *n)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	*n = 0;
	if ((stmt = db_stmt(ctx->pd->db, clinicians_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, clinician);
	sqlite3_bind_int64(stmt, 2, after != NULL ? after->id : 0);
	sqlite3_bind_int(stmt, 3, AGENDA_PAGE + 1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const char *clinician_sql =
    "SELECT id, name FROM clinicians WHERE id = ?1";

json_t *
agenda_day(struct ctx *ctx, long long clinician, const char *day,
    const struct appt_cursor *after, struct appt_cursor *next, int *more)
{
	struct agenda_span	 s;
	sqlite3_stmt		*stmt;
	long long		 ids[AGENDA_PAGE + 1];
	json_t			*list, *one;
	int			 i, n;

	*more = 0;
	if (agenda_span(ctx, day, &s) == -1)
		return NULL;
	if (agenda_ids(ctx, clinician, after, ids, &n) == -1 ||
	    (list = json_array()) == NULL) {
		ctx_internal(ctx);
		return NULL;
	}
	for (i = 0; i < n && i < AGENDA_PAGE; i++) {
		if ((stmt = db_stmt(ctx->pd->db, clinician_sql)) == NULL)
			break;
		sqlite3_bind_int64(stmt, 1, ids[i]);
		one = sqlite3_step(stmt) == SQLITE_ROW ?
		    agenda_clinician(ctx, stmt, &s) : NULL;
		sqlite3_reset(stmt);
		if (one == NULL || json_array_append_new(list, one) == -1)
			break;
	}
	if (i < n && i < AGENDA_PAGE) {
		json_decref(list);
		ctx_internal(ctx);
		return NULL;
	}
	if (n > AGENDA_PAGE) {
		*more = 1;
		next->start = 0;
		next->id = ids[AGENDA_PAGE - 1];
	}
	return json_pack("{s:s,s:s,s:o,s:o,s:o}", "day", s.day, "tz", ctx->tz,
	    "week_from", out_local(ctx, s.week_from),
	    "week_to", out_local(ctx, s.week_to), PROTO_AGENDA, list);
}
