/*
 * Attendance: a client's history, and the practice's report.  These
 * feed the conversation about consistency (the streak, the gap since
 * the last session) and find clients falling out of care.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appt.h"
#include "care.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"
#include "report.h"
#include "tz.h"

#define CARE_WINDOW	(30 * 86400)
/* The clients a page of the report looks at, at most: about 5 ms of
 * index probes. */
#define REPORT_SCAN_MAX	2000

/* A session's figures packed in one column: its enum care_state in
 * the low bits, then these flags (one column read, not four; in SQL,
 * | and << bind alike, hence the parentheses). */
#define TALLY_PRACTICE	2	/* cancelled by the practice */
#define TALLY_LATE	3	/* late */
#define TALLY_PAST	4	/* started before now */
#define TALLY_STATE(code)	((code) & 3)
#define TALLY_FLAG(code, bit)	(((code) >> (bit)) & 1)
#define TALLY_STR(n)	TALLY_STR2(n)
#define TALLY_STR2(n)	#n

/*
 * The clinicians' counts from one pass over the range's sessions,
 * tallied here: a GROUP BY sorts them first, five times the time.  All
 * clinicians: the covering index appointments_care alone (skipping
 * through its clients), not appointments_start and a lookup of the
 * table for each session; one clinician: its own index.
 */
#define TALLY_COLUMNS							\
    "clinician_id, (" CARE_STATE ")"					\
    "  | (coalesce(cancelled_by = 'practice', 0) << "			\
    TALLY_STR(TALLY_PRACTICE) ")"					\
    "  | ((late != 0) << " TALLY_STR(TALLY_LATE) ")"			\
    "  | ((start_utc < ?3) << " TALLY_STR(TALLY_PAST) ")"
static const char *tally_all_sql =
    "SELECT " TALLY_COLUMNS " FROM appointments INDEXED BY appointments_care"
    "  WHERE start_utc >= ?1 AND start_utc < ?2";
static const char *tally_one_sql =
    "SELECT " TALLY_COLUMNS " FROM appointments"
    "  WHERE clinician_id = ?4 AND start_utc >= ?1 AND start_utc < ?2";
static const char *clinician_ids_sql =
    "SELECT id FROM clinicians ORDER BY id";
static const char *clinician_names_sql =
    "SELECT id, name FROM clinicians ORDER BY name COLLATE NOCASE";
/*
 * A page of clients by name (then id), from the first or after the
 * client ?5 (named ?6), each with whether it has a session in the
 * range (of the clinician ?3; 0: any): an index probe, where reading
 * its story is a scan of all its sessions.
 */
#define PAGE_COLUMNS							\
    "SELECT id, name, EXISTS (SELECT 1 FROM appointments AS a"		\
    "  WHERE a.client_id = clients.id AND a.start_utc >= ?1"		\
    "  AND a.start_utc < ?2 AND (?3 = 0 OR a.clinician_id = ?3))"	\
    "  FROM clients"
static const char *page_first_sql =
    PAGE_COLUMNS " ORDER BY name COLLATE NOCASE, id LIMIT ?4";
static const char *page_after_sql =
    PAGE_COLUMNS " WHERE name >= ?6 COLLATE NOCASE"
    "  AND (name > ?6 COLLATE NOCASE OR id > ?5)"
    "  ORDER BY name COLLATE NOCASE, id LIMIT ?4";
static const char *client_name_sql =
    "SELECT name FROM clients WHERE id = ?1";
/*
 * The active clients who attended a session (of the clinician ?3) in
 * the last CARE_WINDOW (?1 to now, ?2) and have none booked or
 * confirmed from now on, the longest gone first: a month of sessions,
 * whatever the range, from the covering index (by client, so grouped
 * without sorting; the planner took appointments_client and a look
 * into the table for each session's state).
 */
static const char *falling_sql =
    "SELECT c.id, c.name, g.last FROM"
    "  (SELECT client_id, max(start_utc) AS last"
    "    FROM appointments INDEXED BY appointments_care"
    "    WHERE start_utc >= ?1 AND start_utc < ?2 AND state = 'attended'"
    "    AND (?3 = 0 OR clinician_id = ?3) GROUP BY client_id) AS g"
    "  JOIN clients AS c ON c.id = g.client_id"
    "  WHERE c.active AND NOT EXISTS (SELECT 1 FROM appointments AS f"
    "    WHERE f.client_id = g.client_id AND f.start_utc >= ?2"
    "    AND f.state IN ('booked', 'confirmed')"
    "    AND (?3 = 0 OR f.clinician_id = ?3))"
    "  ORDER BY g.last, c.id";

/* A client of the report: counts within its range, and its story. */
struct care_client {
	int		 in_range;
	int		 attended, no_show, cancelled, late;
	struct care	 k;
};

/* A clinician of the report: counts within its range. */
struct care_clinician {
	long long	 id;
	int		 in_range;
	int		 attended, no_show, cancelled, late, by_practice;
	int		 unmarked;
};

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
report_history(struct ctx *ctx, long long id, const struct appt_cursor *after,
    int limit, struct appt_cursor *next, int *more)
{
	struct appt_filter	 f;
	struct care		 k;
	json_t			*client, *appts;
	sqlite3_stmt		*stmt;

	memset(&f, 0, sizeof(f));
	f.from = APPT_EVER_FROM;
	f.to = APPT_EVER_TO;
	f.client_id = id;
	if (care_of(ctx, id, &k) == -1 ||
	    (stmt = db_stmt(ctx->pd->db, client_name_sql)) == NULL ||
	    (appts = appt_list(ctx, &f, after, limit, next, more)) == NULL) {
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

/* The clinicians, by id, with their counts over the range. */
struct report_tally {
	struct care_clinician	*v;
	size_t			 n;
};

static int
report_id_cmp(const void *key, const void *elem)
{
	long long	 a = *(const long long *)key;
	long long	 b = ((const struct care_clinician *)elem)->id;

	return a < b ? -1 : a > b;
}

static int
report_load_clinicians(struct ctx *ctx, struct report_tally *t)
{
	sqlite3_stmt		*stmt;
	struct care_clinician	*v;
	size_t			 size = 0;
	int			 rc;

	if ((stmt = db_stmt(ctx->pd->db, clinician_ids_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (t->n == size) {
			size = size == 0 ? 16 : size * 2;
			if ((v = reallocarray(t->v, size,
			    sizeof(*v))) == NULL)
				break;
			t->v = v;
		}
		memset(&t->v[t->n], 0, sizeof(*t->v));
		t->v[t->n++].id = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
report_tally(struct ctx *ctx, struct report_tally *t, time_t from, time_t to,
    long long clinician)
{
	struct care_clinician	*c;
	sqlite3_stmt		*stmt;
	int			 rc, state, code;

	if (report_load_clinicians(ctx, t) == -1 ||
	    (stmt = db_stmt(ctx->pd->db, clinician == 0 ? tally_all_sql :
	    tally_one_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)ctx->now);
	if (clinician != 0)
		sqlite3_bind_int64(stmt, 4, clinician);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		c = NULL;
		if (t->n > 0)
			c = bsearch(&(long long){ sqlite3_column_int64(stmt,
			    0) }, t->v, t->n, sizeof(*c), report_id_cmp);
		if (c == NULL)
			continue;
		code = sqlite3_column_int(stmt, 1);
		state = TALLY_STATE(code);
		c->in_range++;
		c->attended += state == CARE_ATTENDED;
		c->no_show += state == CARE_NO_SHOW;
		c->cancelled += state == CARE_CANCELLED;
		c->late += state == CARE_CANCELLED &&
		    TALLY_FLAG(code, TALLY_LATE);
		c->by_practice += state == CARE_CANCELLED &&
		    TALLY_FLAG(code, TALLY_PRACTICE);
		c->unmarked += state == CARE_OPEN &&
		    TALLY_FLAG(code, TALLY_PAST);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *
report_clinicians(struct ctx *ctx, time_t from, time_t to,
    long long clinician)
{
	struct report_tally		 t = { NULL, 0 };
	const struct care_clinician	*c;
	sqlite3_stmt			*stmt;
	json_t				*list = NULL;
	long long			 id;

	if (report_tally(ctx, &t, from, to, clinician) == -1 ||
	    (stmt = db_stmt(ctx->pd->db, clinician_names_sql)) == NULL ||
	    (list = json_array()) == NULL) {
		free(t.v);
		return NULL;
	}
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		if (t.n == 0 || (c = bsearch(&id, t.v, t.n, sizeof(*c),
		    report_id_cmp)) == NULL || c->in_range == 0)
			continue;
		json_array_append_new(list, json_pack("{s:{s:I,s:s},s:i,s:i,"
		    "s:i,s:i,s:i,s:i}", "clinician", "id", (json_int_t)id,
		    "name", db_column_text(stmt, 1),
		    "attended", c->attended, "no_show", c->no_show,
		    "cancelled", c->cancelled, "late_cancelled", c->late,
		    "cancelled_by_practice", c->by_practice,
		    "unmarked", c->unmarked));
	}
	sqlite3_reset(stmt);
	free(t.v);
	return list;
}

static json_t *
report_client_ref(sqlite3_stmt *stmt, long long id)
{
	return json_pack("{s:I,s:s,s:o}", "id", (json_int_t)id,
	    "name", db_column_text(stmt, 1),
	    "initials", out_initials(db_column_text(stmt, 1)));
}

/* Those falling out of care, whatever the range. */
static json_t *
report_falling(struct ctx *ctx, long long clinician)
{
	sqlite3_stmt	*stmt;
	json_t		*list;
	time_t		 last;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, falling_sql)) == NULL ||
	    (list = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)(ctx->now - CARE_WINDOW));
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	sqlite3_bind_int64(stmt, 3, clinician);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		last = (time_t)sqlite3_column_int64(stmt, 2);
		json_array_append_new(list, json_pack("{s:o,s:o,s:o}",
		    "client", report_client_ref(stmt,
		    sqlite3_column_int64(stmt, 0)),
		    "last_attended", out_local(ctx, last),
		    "days_since_last", care_days(ctx, last)));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* One client's rows, newest first: its counts within the range, and
 * its story. */
static void
report_client(const struct report_page *pg, const struct care_row *r,
    size_t n, time_t now, struct care_client *c)
{
	size_t	 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		if (r[i].start < pg->from || r[i].start >= pg->to)
			continue;
		c->in_range++;
		c->attended += r[i].state == CARE_ATTENDED;
		c->no_show += r[i].state == CARE_NO_SHOW;
		c->cancelled += r[i].state == CARE_CANCELLED;
		c->late += r[i].state == CARE_CANCELLED && r[i].late;
	}
	care_walk(r, n, now, &c->k);
}

/* The client of the page's row, with its story, appended to list. */
static int
report_client_row(struct ctx *ctx, const struct report_page *pg,
    sqlite3_stmt *page, json_t *list)
{
	struct care_rows	 rows = { NULL, 0, 0 };
	struct care_client	 c;
	long long		 id = sqlite3_column_int64(page, 0);

	if (care_read(ctx, id, pg->clinician, &rows) == -1) {
		free(rows.v);
		return -1;
	}
	report_client(pg, rows.v, rows.n, ctx->now, &c);
	free(rows.v);
	if (c.in_range == 0)
		return 0;
	/* The streak and the gap are the client's whole story. */
	json_array_append_new(list, json_pack("{s:o,s:i,"
	    "s:i,s:i,s:i,s:i,s:o,s:o,s:o}",
	    "client", report_client_ref(page, id),
	    "attended", c.attended, "no_show", c.no_show,
	    "cancelled", c.cancelled, "late_cancelled", c.late,
	    "streak", c.k.streak,
	    "last_attended", care_local(ctx, c.k.last_attended),
	    "days_since_last", care_days(ctx, c.k.last_attended),
	    "next", care_local(ctx, c.k.next)));
	return 0;
}

/* The page's statement, bound; NULL with the error set. */
static sqlite3_stmt *
report_page_stmt(struct ctx *ctx, const struct report_page *pg)
{
	sqlite3_stmt	*stmt, *name = NULL;

	if (pg->after != 0) {
		if ((name = db_stmt(ctx->pd->db, client_name_sql)) == NULL) {
			ctx_internal(ctx);
			return NULL;
		}
		sqlite3_bind_int64(name, 1, pg->after);
		if (sqlite3_step(name) != SQLITE_ROW) {
			sqlite3_reset(name);
			ctx_error(ctx, PROTO_EBADREQUEST, "%s: not a cursor of "
			    "this report (give back the \"%s\" of the previous "
			    "page as it came)", PROTO_PAGE_AFTER,
			    PROTO_PAGE_NEXT);
			return NULL;
		}
	}
	if ((stmt = db_stmt(ctx->pd->db, pg->after != 0 ? page_after_sql :
	    page_first_sql)) == NULL) {
		if (name != NULL)
			sqlite3_reset(name);
		ctx_internal(ctx);
		return NULL;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)pg->from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)pg->to);
	sqlite3_bind_int64(stmt, 3, pg->clinician);
	sqlite3_bind_int(stmt, 4, REPORT_SCAN_MAX);
	if (name != NULL) {
		sqlite3_bind_int64(stmt, 5, pg->after);
		sqlite3_bind_text(stmt, 6, db_column_text(name, 0), -1,
		    SQLITE_TRANSIENT);
		sqlite3_reset(name);
	}
	return stmt;
}

/*
 * The page's clients: those with a session in the range, by name, at
 * most pg->limit of them, among at most REPORT_SCAN_MAX clients looked
 * at (a narrow range over a large practice gives a short page, even an
 * empty one, and a cursor, rather than hold the loop).
 */
static json_t *
report_clients(struct ctx *ctx, struct report_page *pg)
{
	sqlite3_stmt	*stmt;
	json_t		*list;
	int		 rc, seen = 0;

	pg->more = 0;
	if ((stmt = report_page_stmt(ctx, pg)) == NULL)
		return NULL;
	if ((list = json_array()) == NULL) {
		sqlite3_reset(stmt);
		ctx_internal(ctx);
		return NULL;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (json_array_size(list) == (size_t)pg->limit) {
			pg->more = 1;
			break;
		}
		seen++;
		pg->next = sqlite3_column_int64(stmt, 0);
		if (sqlite3_column_int(stmt, 2) &&
		    report_client_row(ctx, pg, stmt, list) == -1) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		ctx_internal(ctx);
		return NULL;
	}
	if (rc == SQLITE_DONE && seen == REPORT_SCAN_MAX)
		pg->more = 1;
	return list;
}

json_t *
report_attendance(struct ctx *ctx, const char *from_day, const char *to_day,
    struct report_page *pg)
{
	json_t		*clients, *answer;
	json_t		*by_clin = NULL, *falling = NULL;
	char		 f[TZ_BUFLEN], t[TZ_BUFLEN];

	if (report_range(ctx, from_day, to_day, &pg->from, &pg->to, f,
	    t) == -1 || (clients = report_clients(ctx, pg)) == NULL)
		return NULL;
	answer = json_pack("{s:s,s:s,s:s}", "from", f, "to", t, "tz",
	    ctx->tz);
	/* The whole report's figures come with its first page. */
	if (pg->after == 0 &&
	    ((by_clin = report_clinicians(ctx, pg->from, pg->to,
	    pg->clinician)) == NULL ||
	    (falling = report_falling(ctx, pg->clinician)) == NULL)) {
		json_decref(by_clin);
		json_decref(clients);
		json_decref(answer);
		ctx_internal(ctx);
		return NULL;
	}
	if (by_clin != NULL) {
		json_object_set_new(answer, "clinicians", by_clin);
		json_object_set_new(answer, "clients", clients);
		json_object_set_new(answer, "falling_out_of_care", falling);
	} else
		json_object_set_new(answer, "clients", clients);
	return answer;
}
