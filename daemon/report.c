/*
 * Attendance: a client's history, and the practice's report.  These
 * feed the conversation about consistency (the streak, the gap since
 * the last session) and find clients falling out of care.
 */
#include <stdio.h>
#include <string.h>

#include "appt.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"
#include "report.h"
#include "tz.h"

#define STREAK_GAP	(10 * 86400)	/* weekly, with a little slack */
#define CARE_WINDOW	(30 * 86400)

static const char *client_appts_sql =
    "SELECT start_utc, state, cancelled_by, late FROM appointments"
    "  WHERE client_id = ?1 AND (?2 = 0 OR clinician_id = ?2)"
    "  ORDER BY start_utc DESC";
static const char *by_clinician_sql =
    "SELECT c.id, c.name,"
    "  sum(a.state = 'attended'), sum(a.state = 'no-show'),"
    "  sum(a.state = 'cancelled'),"
    "  sum(a.state = 'cancelled' AND a.late),"
    "  sum(a.state = 'cancelled' AND a.cancelled_by = 'practice'),"
    "  sum(a.state IN ('booked','confirmed') AND a.start_utc < ?3)"
    "  FROM appointments a JOIN clinicians c ON c.id = a.clinician_id"
    "  WHERE a.start_utc >= ?1 AND a.start_utc < ?2"
    "    AND (?4 = 0 OR a.clinician_id = ?4)"
    "  GROUP BY c.id ORDER BY c.name COLLATE NOCASE";
static const char *by_client_sql =
    "SELECT cl.id, cl.name,"
    "  sum(a.state = 'attended'), sum(a.state = 'no-show'),"
    "  sum(a.state = 'cancelled'),"
    "  sum(a.state = 'cancelled' AND a.late)"
    "  FROM appointments a JOIN clients cl ON cl.id = a.client_id"
    "  WHERE a.start_utc >= ?1 AND a.start_utc < ?2"
    "    AND (?3 = 0 OR a.clinician_id = ?3)"
    "  GROUP BY cl.id ORDER BY cl.name COLLATE NOCASE";
static const char *client_name_sql =
    "SELECT name FROM clients WHERE id = ?1";
static const char *falling_sql =
    "SELECT cl.id, cl.name, max(a.start_utc) FROM clients cl"
    "  JOIN appointments a ON a.client_id = cl.id"
    "  WHERE cl.active AND a.state = 'attended'"
    "    AND a.start_utc >= ?1 AND a.start_utc < ?2"
    "    AND (?3 = 0 OR a.clinician_id = ?3)"
    "    AND NOT EXISTS (SELECT 1 FROM appointments f"
    "      WHERE f.client_id = cl.id AND f.start_utc >= ?2"
    "        AND f.state IN ('booked','confirmed')"
    "        AND (?3 = 0 OR f.clinician_id = ?3))"
    "  GROUP BY cl.id ORDER BY max(a.start_utc)";

struct care {
	int	 attended, no_show, cancelled, late, by_practice, upcoming;
	int	 streak;
	time_t	 last_attended;		/* 0: never */
	time_t	 next;			/* 0: none */
};

/*
 * Counting back from the latest past session: attended sessions no
 * more than STREAK_GAP apart; a no-show or the client's cancellation
 * ends it; the practice's cancellations and unmarked ones are passed.
 */
static void
care_step(struct care *k, time_t start, const char *state,
    const char *by, int late, time_t now, time_t *prev, int *open)
{
	int	 mine = by != NULL && strcmp(by, "client") == 0;

	if (strcmp(state, "attended") == 0) {
		k->attended++;
		if (k->last_attended == 0)
			k->last_attended = start;
		if (*open && (*prev == 0 || *prev - start <= STREAK_GAP)) {
			k->streak++;
			*prev = start;
		} else
			*open = 0;
	} else if (strcmp(state, "no-show") == 0) {
		k->no_show++;
		*open = 0;
	} else if (strcmp(state, "cancelled") == 0) {
		k->cancelled++;
		k->late += late;
		k->by_practice += !mine;
		if (mine && start < now)
			*open = 0;
	} else if (start >= now) {
		k->upcoming++;
		k->next = start;	/* rows come newest first */
	}
}

static int
care_of(struct ctx *ctx, long long client, long long clinician,
    struct care *k)
{
	sqlite3_stmt	*stmt;
	time_t		 prev = 0, start;
	int		 open = 1, rc;

	memset(k, 0, sizeof(*k));
	if ((stmt = db_stmt(ctx->pd->db, client_appts_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, client);
	sqlite3_bind_int64(stmt, 2, clinician);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		start = (time_t)sqlite3_column_int64(stmt, 0);
		/* Future sessions do not count toward the streak. */
		care_step(k, start, db_column_text(stmt, 1),
		    db_column_text(stmt, 2), sqlite3_column_int(stmt, 3),
		    ctx->now, &prev, start < ctx->now ? &open : &(int){ 0 });
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *
care_local(struct ctx *ctx, time_t t)
{
	return t == 0 ? json_null() : out_local(ctx, t);
}

/* Calendar days in the practice's zone: 00:30 after a 09:00 is 1 day. */
static json_t *
care_days(struct ctx *ctx, time_t t)
{
	return t == 0 ? json_null() :
	    json_integer(tz_days_between(ctx->tz, t, ctx->now));
}

json_t *
report_history(struct ctx *ctx, long long id)
{
	struct care	 k;
	json_t		*client, *appts;
	sqlite3_stmt	*stmt;

	if (care_of(ctx, id, 0, &k) == -1 ||
	    (appts = appt_list_client(ctx, id)) == NULL ||
	    (stmt = db_stmt(ctx->pd->db, client_name_sql)) == NULL) {
		ctx_internal(ctx);
		return NULL;
	}
	client = json_pack("{s:I}", "id", (json_int_t)id);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		json_object_set_new(client, "name", json_string(
		    db_column_text(stmt, 0)));
		json_object_set_new(client, "initials",
		    out_initials(db_column_text(stmt, 0)));
	}
	sqlite3_reset(stmt);
	return json_pack("{s:o,s:o,s:{s:i,s:i,s:i,s:i,s:i,s:i,"
	    "s:i,s:o,s:o,s:o},s:s}", "client", client, "appointments", appts,
	    "summary", "attended", k.attended, "no_show", k.no_show,
	    "cancelled", k.cancelled, "late_cancelled", k.late,
	    "cancelled_by_practice", k.by_practice, "upcoming", k.upcoming,
	    "streak", k.streak, "last_attended", care_local(ctx,
	    k.last_attended), "days_since_last", care_days(ctx,
	    k.last_attended), "next", care_local(ctx, k.next), "tz", ctx->tz);
}

/* GET /v1/reports/attendance */

static int
report_range(struct ctx *ctx, const char *from_day, const char *to_day,
    time_t *from, time_t *to, char *f, char *t)
{
	struct tz_wall	 a, b;
	char		 err[160];

	tz_parse_date("today", ctx->tz, ctx->now, &b, err, sizeof(err));
	a = b;
	tz_add_days(&a, -90);
	if ((from_day != NULL && tz_parse_date(from_day, ctx->tz, ctx->now,
	    &a, err, sizeof(err)) == -1) || (to_day != NULL &&
	    tz_parse_date(to_day, ctx->tz, ctx->now, &b, err,
	    sizeof(err)) == -1)) {
		ctx_error(ctx, PROTO_EBADREQUEST, "%s", err);
		return -1;
	}
	tz_format_date(&a, f);
	tz_format_date(&b, t);
	*from = tz_day_start(ctx->tz, a.year, a.month, a.day);
	tz_add_days(&b, 1);
	*to = tz_day_start(ctx->tz, b.year, b.month, b.day);
	if (*to <= *from) {
		ctx_error(ctx, PROTO_EBADREQUEST, "the range ends before it "
		    "starts");
		return -1;
	}
	return 0;
}

static json_t *
report_clinicians(struct ctx *ctx, time_t from, time_t to,
    long long clinician)
{
	sqlite3_stmt	*stmt;
	json_t		*list;

	if ((stmt = db_stmt(ctx->pd->db, by_clinician_sql)) == NULL ||
	    (list = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)ctx->now);
	sqlite3_bind_int64(stmt, 4, clinician);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:{s:I,s:s},s:i,s:i,"
		    "s:i,s:i,s:i,s:i}", "clinician",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "name", db_column_text(stmt, 1),
		    "attended", sqlite3_column_int(stmt, 2),
		    "no_show", sqlite3_column_int(stmt, 3),
		    "cancelled", sqlite3_column_int(stmt, 4),
		    "late_cancelled", sqlite3_column_int(stmt, 5),
		    "cancelled_by_practice", sqlite3_column_int(stmt, 6),
		    "unmarked", sqlite3_column_int(stmt, 7)));
	sqlite3_reset(stmt);
	return list;
}

static json_t *
report_clients(struct ctx *ctx, time_t from, time_t to,
    long long clinician)
{
	sqlite3_stmt	*stmt;
	json_t		*list, *row;
	struct care	 k;
	size_t		 i;

	if ((stmt = db_stmt(ctx->pd->db, by_client_sql)) == NULL ||
	    (list = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	sqlite3_bind_int64(stmt, 3, clinician);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:{s:I,s:s,s:o},s:i,"
		    "s:i,s:i,s:i}", "client",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "name", db_column_text(stmt, 1),
		    "initials", out_initials(db_column_text(stmt, 1)),
		    "attended", sqlite3_column_int(stmt, 2),
		    "no_show", sqlite3_column_int(stmt, 3),
		    "cancelled", sqlite3_column_int(stmt, 4),
		    "late_cancelled", sqlite3_column_int(stmt, 5)));
	sqlite3_reset(stmt);
	/* The streak and the gap are the client's whole story. */
	json_array_foreach(list, i, row) {
		if (care_of(ctx, json_integer_value(json_object_get(
		    json_object_get(row, "client"), "id")), clinician, &k) == -1) {
			json_decref(list);
			return NULL;
		}
		json_object_set_new(row, "streak", json_integer(k.streak));
		json_object_set_new(row, "last_attended", care_local(ctx,
		    k.last_attended));
		json_object_set_new(row, "days_since_last", care_days(ctx,
		    k.last_attended));
		json_object_set_new(row, "next", care_local(ctx, k.next));
	}
	return list;
}

static json_t *
report_falling(struct ctx *ctx, long long clinician)
{
	sqlite3_stmt	*stmt;
	json_t		*list;
	time_t		 last;

	if ((stmt = db_stmt(ctx->pd->db, falling_sql)) == NULL ||
	    (list = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)(ctx->now - CARE_WINDOW));
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	sqlite3_bind_int64(stmt, 3, clinician);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		last = (time_t)sqlite3_column_int64(stmt, 2);
		json_array_append_new(list, json_pack("{s:{s:I,s:s,s:o},s:o,"
		    "s:o}", "client",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "name", db_column_text(stmt, 1),
		    "initials", out_initials(db_column_text(stmt, 1)),
		    "last_attended", out_local(ctx, last),
		    "days_since_last", care_days(ctx, last)));
	}
	sqlite3_reset(stmt);
	return list;
}

json_t *
report_attendance(struct ctx *ctx, const char *from_day, const char *to_day,
    long long clinician)
{
	json_t		*by_clin = NULL, *by_client = NULL, *falling = NULL;
	char		 f[TZ_BUFLEN], t[TZ_BUFLEN];
	time_t		 from, to;

	if (report_range(ctx, from_day, to_day, &from, &to, f, t) == -1)
		return NULL;
	if ((by_clin = report_clinicians(ctx, from, to, clinician)) == NULL ||
	    (by_client = report_clients(ctx, from, to, clinician)) == NULL ||
	    (falling = report_falling(ctx, clinician)) == NULL) {
		json_decref(by_clin);
		json_decref(by_client);
		ctx_internal(ctx);
		return NULL;
	}
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "from", f,
	    "to", t, "tz", ctx->tz, "clinicians", by_clin, "clients",
	    by_client, "falling_out_of_care", falling);
}
