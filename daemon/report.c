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

/* Every session of the practice (of one clinician), in one scan of the
 * covering index appointments_care: the report's counts and each
 * client's story come from it at once. */
static const char *all_appts_sql =
    "SELECT " CARE_COLUMNS ", clinician_id,"
    "  coalesce(cancelled_by = 'practice', 0)"
    "  FROM appointments WHERE ?1 = 0 OR clinician_id = ?1";
static const char *clinician_ids_sql =
    "SELECT id FROM clinicians ORDER BY id";
static const char *clinician_names_sql =
    "SELECT id, name FROM clinicians ORDER BY name COLLATE NOCASE";
static const char *client_names_sql =
    "SELECT id, name, active FROM clients ORDER BY name COLLATE NOCASE";
static const char *client_name_sql =
    "SELECT name FROM clients WHERE id = ?1";

/* A client of the report: counts within its range, and its story. */
struct care_client {
	long long	 id;
	int		 in_range;
	int		 attended, no_show, cancelled, late;
	struct care	 k;
	time_t		 gone_since;	/* attended in the last CARE_WINDOW */
};

/* A client falling out of care, to be sorted the longest gone first. */
struct care_gone {
	time_t		 last;
	long long	 id;
	json_t		*client;
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

/*
 * The report's counts and stories from one scan of the sessions, sorted
 * and walked here: a statement per client, or a grouped one per figure,
 * would each go over the practice's 100,000 sessions again.
 */
struct report_scan {
	time_t			 from, to, now;
	struct care_rows	 rows;
	struct care_clinician	*clin;		/* by id */
	size_t			 nclin;
	struct care_client	*cli;		/* by id */
	size_t			 ncli;
};

/* Both structures begin with the id. */
static int
report_id_cmp(const void *key, const void *elem)
{
	long long	 a = *(const long long *)key;
	long long	 b = *(const long long *)elem;

	return a < b ? -1 : a > b;
}

/* bsearch, which may not be given an empty (NULL) array. */
static void *
report_find(long long id, void *v, size_t n, size_t size)
{
	return n == 0 ? NULL : bsearch(&id, v, n, size, report_id_cmp);
}

static int
report_load_clinicians(struct ctx *ctx, struct report_scan *rs)
{
	sqlite3_stmt		*stmt;
	struct care_clinician	*v;
	size_t			 size = 0;
	int			 rc;

	if ((stmt = db_stmt(ctx->pd->db, clinician_ids_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (rs->nclin == size) {
			size = size == 0 ? 16 : size * 2;
			if ((v = reallocarray(rs->clin, size,
			    sizeof(*v))) == NULL)
				break;
			rs->clin = v;
		}
		memset(&rs->clin[rs->nclin], 0, sizeof(*rs->clin));
		rs->clin[rs->nclin++].id = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
report_tally_clinician(struct report_scan *rs, const struct care_row *r,
    long long clinician, int by_practice)
{
	struct care_clinician	*c;

	if (r->start < rs->from || r->start >= rs->to ||
	    (c = report_find(clinician, rs->clin, rs->nclin,
	    sizeof(*c))) == NULL)
		return;
	c->in_range++;
	c->attended += r->state == CARE_ATTENDED;
	c->no_show += r->state == CARE_NO_SHOW;
	c->cancelled += r->state == CARE_CANCELLED;
	c->late += r->state == CARE_CANCELLED && r->late;
	c->by_practice += r->state == CARE_CANCELLED && by_practice;
	c->unmarked += r->state == CARE_OPEN && r->start < rs->now;
}

static int
report_read(struct ctx *ctx, struct report_scan *rs, long long clinician)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, all_appts_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, clinician);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (care_rows_add(&rs->rows, stmt) == -1)
			break;
		report_tally_clinician(rs, &rs->rows.v[rs->rows.n - 1],
		    sqlite3_column_int64(stmt, 6),
		    sqlite3_column_int(stmt, 7));
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * One client's rows: its counts within the range, its story, and the
 * last session attended in the last CARE_WINDOW (with no session to
 * come, the client is falling out of care, whatever the range).
 */
static void
report_client(struct report_scan *rs, const struct care_row *r, size_t n,
    struct care_client *c)
{
	size_t	 i;

	memset(c, 0, sizeof(*c));
	c->id = r->client;
	for (i = 0; i < n; i++) {
		if (r[i].state == CARE_ATTENDED && r[i].start < rs->now &&
		    r[i].start >= rs->now - CARE_WINDOW &&
		    r[i].start > c->gone_since)
			c->gone_since = r[i].start;
		if (r[i].start < rs->from || r[i].start >= rs->to)
			continue;
		c->in_range++;
		c->attended += r[i].state == CARE_ATTENDED;
		c->no_show += r[i].state == CARE_NO_SHOW;
		c->cancelled += r[i].state == CARE_CANCELLED;
		c->late += r[i].state == CARE_CANCELLED && r[i].late;
	}
	care_walk(r, n, rs->now, &c->k);
}

/* The rows by client, newest first, walked a client at a time. */
static int
report_walk(struct report_scan *rs)
{
	const struct care_row	*v;
	size_t			 i, j, groups = 0;

	if (care_sort(&rs->rows) == -1)
		return -1;
	v = rs->rows.v;
	for (i = 0; i < rs->rows.n; i++)
		groups += i == 0 || v[i].client != v[i - 1].client;
	if (groups > 0 && (rs->cli = calloc(groups, sizeof(*rs->cli))) ==
	    NULL)
		return -1;
	for (i = 0; i < rs->rows.n; i = j) {
		for (j = i + 1; j < rs->rows.n && v[j].client == v[i].client;
		    j++)
			;
		report_client(rs, v + i, j - i, &rs->cli[rs->ncli++]);
	}
	return 0;
}

static json_t *
report_clinicians(struct ctx *ctx, struct report_scan *rs)
{
	const struct care_clinician	*c;
	sqlite3_stmt			*stmt;
	json_t				*list;
	long long			 id;

	if ((stmt = db_stmt(ctx->pd->db, clinician_names_sql)) == NULL ||
	    (list = json_array()) == NULL)
		return NULL;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		if ((c = report_find(id, rs->clin, rs->nclin,
		    sizeof(*c))) == NULL || c->in_range == 0)
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
	return list;
}

/* The longest gone first. */
static int
report_gone_cmp(const void *a, const void *b)
{
	const struct care_gone	*x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static json_t *
report_falling(struct ctx *ctx, struct care_gone *gone, size_t n)
{
	json_t	*list;
	size_t	 i;

	if (n > 0)
		qsort(gone, n, sizeof(*gone), report_gone_cmp);
	if ((list = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		json_array_append_new(list, json_pack("{s:o,s:o,s:o}",
		    "client", gone[i].client,
		    "last_attended", out_local(ctx, gone[i].last),
		    "days_since_last", care_days(ctx, gone[i].last)));
		gone[i].client = NULL;
	}
	return list;
}

static json_t *
report_client_ref(sqlite3_stmt *stmt, long long id)
{
	return json_pack("{s:I,s:s,s:o}", "id", (json_int_t)id,
	    "name", db_column_text(stmt, 1),
	    "initials", out_initials(db_column_text(stmt, 1)));
}

/*
 * The clients, by name: those with a session in the range, each with
 * its story; and the active ones falling out of care (into *falling).
 */
static json_t *
report_clients(struct ctx *ctx, struct report_scan *rs, json_t **falling)
{
	const struct care_client	*c;
	struct care_gone		*gone;
	sqlite3_stmt			*stmt;
	json_t				*list = NULL;
	long long			 id;
	size_t				 n = 0, i;

	if ((gone = calloc(rs->ncli > 0 ? rs->ncli : 1,
	    sizeof(*gone))) == NULL ||
	    (stmt = db_stmt(ctx->pd->db, client_names_sql)) == NULL ||
	    (list = json_array()) == NULL) {
		free(gone);
		return NULL;
	}
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		if ((c = report_find(id, rs->cli, rs->ncli,
		    sizeof(*c))) == NULL)
			continue;
		if (sqlite3_column_int(stmt, 2) && c->gone_since != 0 &&
		    c->k.upcoming == 0 && n < rs->ncli) {
			gone[n].last = c->gone_since;
			gone[n].id = id;
			gone[n++].client = report_client_ref(stmt, id);
		}
		if (c->in_range == 0)
			continue;
		/* The streak and the gap are the client's whole story. */
		json_array_append_new(list, json_pack("{s:o,s:i,"
		    "s:i,s:i,s:i,s:i,s:o,s:o,s:o}",
		    "client", report_client_ref(stmt, id),
		    "attended", c->attended, "no_show", c->no_show,
		    "cancelled", c->cancelled, "late_cancelled", c->late,
		    "streak", c->k.streak,
		    "last_attended", care_local(ctx, c->k.last_attended),
		    "days_since_last", care_days(ctx, c->k.last_attended),
		    "next", care_local(ctx, c->k.next)));
	}
	sqlite3_reset(stmt);
	if ((*falling = report_falling(ctx, gone, n)) == NULL) {
		json_decref(list);
		list = NULL;
	}
	for (i = 0; i < n; i++)
		json_decref(gone[i].client);
	free(gone);
	return list;
}

static void
report_scan_free(struct report_scan *rs)
{
	free(rs->rows.v);
	free(rs->clin);
	free(rs->cli);
}

json_t *
report_attendance(struct ctx *ctx, const char *from_day, const char *to_day,
    long long clinician)
{
	struct report_scan	 rs;
	json_t			*by_clin = NULL, *by_client = NULL;
	json_t			*falling = NULL;
	char			 f[TZ_BUFLEN], t[TZ_BUFLEN];

	memset(&rs, 0, sizeof(rs));
	rs.now = ctx->now;
	if (report_range(ctx, from_day, to_day, &rs.from, &rs.to, f, t) == -1)
		return NULL;
	if (report_load_clinicians(ctx, &rs) == -1 ||
	    report_read(ctx, &rs, clinician) == -1 ||
	    report_walk(&rs) == -1 ||
	    (by_clin = report_clinicians(ctx, &rs)) == NULL ||
	    (by_client = report_clients(ctx, &rs, &falling)) == NULL) {
		json_decref(by_clin);
		json_decref(by_client);
		report_scan_free(&rs);
		ctx_internal(ctx);
		return NULL;
	}
	report_scan_free(&rs);
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "from", f,
	    "to", t, "tz", ctx->tz, "clinicians", by_clin, "clients",
	    by_client, "falling_out_of_care", falling);
}
