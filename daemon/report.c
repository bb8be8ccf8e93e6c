/*
 * Attendance: a client's history, and the practice's report.  These
 * feed the conversation about consistency (the streak, the gap since
 * the last session) and find clients falling out of care.
 */
#include <stdio.h>
#include <stdlib.h>
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

/* Every session of one client, as care_walk reads them. */
#define CARE_COLUMNS							\
    "id, client_id, start_utc,"						\
    "  CASE state WHEN 'attended' THEN 1 WHEN 'no-show' THEN 2"		\
    "    WHEN 'cancelled' THEN 3 ELSE 0 END,"				\
    "  coalesce(cancelled_by = 'client', 0), late != 0"
static const char *client_appts_sql =
    "SELECT " CARE_COLUMNS " FROM appointments WHERE client_id = ?1";
/* Every session of the practice (of one clinician), in one table scan:
 * the report's counts and each client's story come from it at once. */
static const char *all_appts_sql =
    "SELECT " CARE_COLUMNS ", clinician_id,"
    "  coalesce(cancelled_by = 'practice', 0)"
    "  FROM appointments WHERE ?1 = 0 OR clinician_id = ?1";
static const char *clinician_ids_sql =
    "SELECT id FROM clinicians ORDER BY id";
static const char *clinician_names_sql =
    "SELECT id, name FROM clinicians ORDER BY name COLLATE NOCASE";
static const char *client_names_sql =
    "SELECT id, name FROM clients ORDER BY name COLLATE NOCASE";
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

enum care_state { CARE_OPEN, CARE_ATTENDED, CARE_NO_SHOW, CARE_CANCELLED };

/* One session, as small as the story needs it. */
struct care_row {
	long long		 id;
	long long		 client;
	time_t			 start;
	unsigned char		 state;		/* enum care_state */
	unsigned char		 mine;		/* cancelled by the client */
	unsigned char		 late;
};

/* The rows read so far: grown by doubling. */
struct care_rows {
	struct care_row		*v;
	size_t			 n, size;
};

struct care {
	int	 attended, no_show, cancelled, late, by_practice, upcoming;
	int	 streak;
	time_t	 last_attended;		/* 0: never */
	time_t	 next;			/* 0: none */
};

/* A client of the report: counts within its range, and its story. */
struct care_client {
	long long	 id;
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

/*
 * Counting back from the latest past session: attended sessions no
 * more than STREAK_GAP apart; a no-show or the client's cancellation
 * ends it; the practice's cancellations and unmarked ones are passed.
 */
static void
care_step(struct care *k, const struct care_row *r, time_t now,
    time_t *prev, int *open)
{
	switch (r->state) {
	case CARE_ATTENDED:
		k->attended++;
		if (k->last_attended == 0)
			k->last_attended = r->start;
		if (*open && (*prev == 0 || *prev - r->start <= STREAK_GAP)) {
			k->streak++;
			*prev = r->start;
		} else
			*open = 0;
		break;
	case CARE_NO_SHOW:
		k->no_show++;
		*open = 0;
		break;
	case CARE_CANCELLED:
		k->cancelled++;
		k->late += r->late;
		k->by_practice += !r->mine;
		if (r->mine && r->start < now)
			*open = 0;
		break;
	default:
		if (r->start >= now) {
			k->upcoming++;
			k->next = r->start;	/* rows come newest first */
		}
		break;
	}
}

/* One client's rows, newest first: its story. */
static void
care_walk(const struct care_row *r, size_t n, time_t now, struct care *k)
{
	time_t	 prev = 0;
	int	 open = 1, future = 0;
	size_t	 i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < n; i++) {
		/* Future sessions do not count toward the streak. */
		future = 0;
		care_step(k, &r[i], now, &prev, r[i].start < now ? &open :
		    &future);
	}
}

/* By client, then newest first (the latest id first on a tie). */
static int
care_row_cmp(const void *a, const void *b)
{
	const struct care_row	*x = a, *y = b;

	if (x->client != y->client)
		return x->client < y->client ? -1 : 1;
	if (x->start != y->start)
		return x->start > y->start ? -1 : 1;
	if (x->id != y->id)
		return x->id > y->id ? -1 : 1;
	return 0;
}

static int
care_rows_add(struct care_rows *rows, sqlite3_stmt *stmt)
{
	struct care_row	*r, *v;
	size_t		 size;

	if (rows->n == rows->size) {
		size = rows->size == 0 ? 256 : rows->size * 2;
		if ((v = reallocarray(rows->v, size, sizeof(*v))) == NULL)
			return -1;
		rows->v = v;
		rows->size = size;
	}
	r = &rows->v[rows->n++];
	r->id = sqlite3_column_int64(stmt, 0);
	r->client = sqlite3_column_int64(stmt, 1);
	r->start = (time_t)sqlite3_column_int64(stmt, 2);
	r->state = (unsigned char)sqlite3_column_int(stmt, 3);
	r->mine = (unsigned char)sqlite3_column_int(stmt, 4);
	r->late = (unsigned char)sqlite3_column_int(stmt, 5);
	return 0;
}

static int
care_of(struct ctx *ctx, long long client, struct care *k)
{
	struct care_rows	 rows = { NULL, 0, 0 };
	sqlite3_stmt		*stmt;
	int			 rc;

	if ((stmt = db_stmt(ctx->pd->db, client_appts_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, client);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (care_rows_add(&rows, stmt) == -1)
			break;
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		qsort(rows.v, rows.n, sizeof(*rows.v), care_row_cmp);
		care_walk(rows.v, rows.n, ctx->now, k);
	}
	free(rows.v);
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
	struct care_client	*cli;		/* by id, those in range */
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
	    (c = bsearch(&clinician, rs->clin, rs->nclin, sizeof(*c),
	    report_id_cmp)) == NULL)
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

/* One client's rows: its counts within the range, and its story. */
static void
report_client(struct report_scan *rs, const struct care_row *r, size_t n,
    struct care_client *c)
{
	size_t	 i;

	memset(c, 0, sizeof(*c));
	c->id = r->client;
	for (i = 0; i < n; i++) {
		if (r[i].start < rs->from || r[i].start >= rs->to)
			continue;
		c->in_range++;
		c->attended += r[i].state == CARE_ATTENDED;
		c->no_show += r[i].state == CARE_NO_SHOW;
		c->cancelled += r[i].state == CARE_CANCELLED;
		c->late += r[i].state == CARE_CANCELLED && r[i].late;
	}
	if (c->in_range > 0)
		care_walk(r, n, rs->now, &c->k);
}

/*
 * The rows by client, newest first.  Client ids are dense, so they are
 * dealt into their clients' places first (in reverse, which leaves
 * rows read oldest first nearly in order), and each client's few rows
 * are sorted alone: a third of the time of one sort of them all.
 */
static int
report_sort(struct care_rows *rows)
{
	struct care_row	*v;
	size_t		*at, i, n = rows->n;
	long long	 max = 0;

	for (i = 0; i < n && rows->v[i].client > 0; i++)
		if (rows->v[i].client > max)
			max = rows->v[i].client;
	if (i < n || max > (long long)n * 8 + 4096) {
		qsort(rows->v, n, sizeof(*v), care_row_cmp);
		return 0;
	}
	if ((at = calloc((size_t)max + 2, sizeof(*at))) == NULL ||
	    (v = reallocarray(NULL, n > 0 ? n : 1, sizeof(*v))) == NULL) {
		free(at);
		return -1;
	}
	for (i = 0; i < n; i++)
		at[rows->v[i].client + 1]++;
	for (i = 1; i < (size_t)max + 2; i++)
		at[i] += at[i - 1];
	for (i = n; i-- > 0;)
		v[at[rows->v[i].client]++] = rows->v[i];
	/* at[c] is now where client c + 1 begins. */
	for (i = 0; i < (size_t)max + 1; i++)
		qsort(v + (i == 0 ? 0 : at[i - 1]), at[i] - (i == 0 ? 0 :
		    at[i - 1]), sizeof(*v), care_row_cmp);
	free(at);
	free(rows->v);
	rows->v = v;
	rows->size = n;
	return 0;
}

/* The rows by client, newest first, walked a client at a time. */
static int
report_walk(struct report_scan *rs)
{
	const struct care_row	*v;
	size_t			 i, j, groups = 0;

	if (report_sort(&rs->rows) == -1)
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
		report_client(rs, v + i, j - i, &rs->cli[rs->ncli]);
		rs->ncli += rs->cli[rs->ncli].in_range > 0;
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
		if ((c = bsearch(&id, rs->clin, rs->nclin, sizeof(*c),
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
	return list;
}

static json_t *
report_clients(struct ctx *ctx, struct report_scan *rs)
{
	const struct care_client	*c;
	sqlite3_stmt			*stmt;
	json_t				*list;
	long long			 id;

	if ((stmt = db_stmt(ctx->pd->db, client_names_sql)) == NULL ||
	    (list = json_array()) == NULL)
		return NULL;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		if ((c = bsearch(&id, rs->cli, rs->ncli, sizeof(*c),
		    report_id_cmp)) == NULL)
			continue;
		/* The streak and the gap are the client's whole story. */
		json_array_append_new(list, json_pack("{s:{s:I,s:s,s:o},s:i,"
		    "s:i,s:i,s:i,s:i,s:o,s:o,s:o}", "client", "id",
		    (json_int_t)id, "name", db_column_text(stmt, 1),
		    "initials", out_initials(db_column_text(stmt, 1)),
		    "attended", c->attended, "no_show", c->no_show,
		    "cancelled", c->cancelled, "late_cancelled", c->late,
		    "streak", c->k.streak,
		    "last_attended", care_local(ctx, c->k.last_attended),
		    "days_since_last", care_days(ctx, c->k.last_attended),
		    "next", care_local(ctx, c->k.next)));
	}
	sqlite3_reset(stmt);
	return list;
}

static void
report_scan_free(struct report_scan *rs)
{
	free(rs->rows.v);
	free(rs->clin);
	free(rs->cli);
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
	    (by_client = report_clients(ctx, &rs)) == NULL ||
	    (falling = report_falling(ctx, clinician)) == NULL) {
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
