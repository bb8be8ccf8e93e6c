/*
 * Series changed as a whole: booking one, and moving or cancelling
 * with scope "following" (the series splits) or "all" (the series
 * changes).  Every occurrence row is written through appt.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appt.h"
#include "audit.h"
#include "book.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "lookup.h"
#include "out.h"
#include "practiced.h"
#include "remind.h"
#include "series.h"

static const char *occ_affected_sql =
    "SELECT id, recurrence_utc, start_utc, state, override FROM appointments"
    "  WHERE series_id = ?1 AND recurrence_utc >= ?2"
    "  ORDER BY recurrence_utc";
static const char *skips_drop_sql =
    "DELETE FROM series_skips WHERE series_id = ?1 AND recurrence_utc >= ?2";
static const char *first_future_sql =
    "SELECT min(recurrence_utc) FROM appointments WHERE series_id = ?1"
    "  AND start_utc >= ?2";
static const char *occ_seen_sql =
    "SELECT id, version, state FROM appointments WHERE series_id = ?1";
static const char *occ_now_sql =
    "SELECT version, state, start_utc FROM appointments WHERE id = ?1";
static const char *occ_open_from_sql =
    "SELECT id FROM appointments WHERE series_id = ?1 AND start_utc >= ?2"
    "  AND state IN ('booked','confirmed') ORDER BY start_utc";

/* Booking a series */

static void
series_mode(struct series_run *run, int skip, int force, int overlap)
{
	series_run_init(run, skip ? SERIES_SKIP : overlap ? SERIES_OVERLAP :
	    SERIES_REFUSE);
	run->force = force;
	run->check_hours = 1;
}

static int
series_until(struct ctx *ctx, struct series_def *s,
    const struct recur_rule *rule, const char *v)
{
	struct tz_wall	 w;
	char		 err[160];

	if (v != NULL && rule->has_until) {
		ctx_error(ctx, PROTO_EBADREQUEST, "give the end once: in the "
		    "rule or as until");
		return -1;
	}
	if (v != NULL) {
		if (tz_parse_date(v, ctx->tz, ctx->now, &w, err,
		    sizeof(err)) == -1) {
			ctx_error(ctx, PROTO_EBADREQUEST, "until: %s", err);
			return -1;
		}
	} else if (rule->has_until) {
		/* A rule's UNTIL is a date read like any other: bounded. */
		if (tz_in_window(&rule->until, ctx->now, err,
		    sizeof(err)) == -1)
			return ctx_error(ctx, PROTO_EBADREQUEST, "UNTIL: %s",
			    err);
		w = rule->until;
	} else
		return 0;
	tz_format_date(&w, s->until_date);
	tz_add_days(&w, 1);
	/* The date is the reader's, like every date they type. */
	s->until_utc = tz_day_start(ctx->tz, w.year, w.month, w.day);
	if (s->until_utc <= s->first_utc) {
		ctx_error(ctx, PROTO_EBADREQUEST, "the series ends (%s) before "
		    "its first session", s->until_date);
		return -1;
	}
	return 0;
}

static int
series_first_cb(void *arg, const struct tz_wall *w, time_t t)
{
	(void)w;
	*(time_t *)arg = t;
	return 1;
}

static int
series_rule(struct ctx *ctx, struct series_def *s,
    const struct series_booking *b)
{
	struct recur_rule	 rule;
	char			 err[200];
	long long		 count = b->count;
	time_t			 first = 0;

	if (recur_parse(b->repeat, &s->first, &rule, err, sizeof(err)) == -1) {
		ctx_error(ctx, PROTO_EBADREQUEST, "%s", err);
		return -1;
	}
	if (count != 0 && (rule.count != 0 || b->until != NULL ||
	    rule.has_until)) {
		ctx_error(ctx, PROTO_EBADREQUEST, "give count or until, not "
		    "both");
		return -1;
	}
	snprintf(s->rrule, sizeof(s->rrule), "%s", rule.rrule);
	if (count != 0 && recur_set_count(rule.rrule, (int)count, s->rrule,
	    sizeof(s->rrule)) == -1) {
		ctx_internal(ctx);
		return -1;
	}
	if (series_until(ctx, s, &rule, b->until) == -1)
		return -1;
	/* RFC 5545 counts DTSTART as the first; we ask that it fit. */
	recur_expand(s->rrule, s->zone, &s->first, s->first_utc + 86400 * 400,
	    series_first_cb, &first);
	if (first != s->first_utc) {
		char	 when[TZ_BUFLEN];

		tz_format_local(s->zone, s->first_utc, when);
		ctx_error(ctx, PROTO_EBADREQUEST, "%s is not a day this rule "
		    "(%s) gives; start the series on one", when, s->rrule);
		return -1;
	}
	return 0;
}

static json_t *
series_warnings(const struct series_run *run)
{
	json_t	*warnings;

	if (!run->forced && !run->overlapped)
		return NULL;
	warnings = json_array();
	if (run->forced)
		json_array_append_new(warnings, json_string(
		    "some sessions forced (past, hours or closures)"));
	if (run->overlapped)
		json_array_append_new(warnings, json_string(
		    "some sessions overlap others (allowed)"));
	return warnings;
}

/* The series of the first session; the clinician's zone is its zone. */
static int
series_first(struct ctx *ctx, const struct series_booking *b,
    struct series_def *s)
{
	struct appt_plan	 p;

	memset(&p, 0, sizeof(p));
	if (book_plan(ctx, &b->appt, &p) == -1)
		return -1;
	if (appt_clinician_zone(ctx, &p) == -1)
		return ctx_internal(ctx);
	if (lookup_require_active(ctx, KIND_CLINICIAN,
	    p.slot.clinician_id) == -1 || (p.slot.room_id != 0 &&
	    lookup_require_active(ctx, KIND_ROOM, p.slot.room_id) == -1))
		return -1;
	memset(s, 0, sizeof(*s));
	s->clinician_id = b->appt.clinician_id;
	s->client_id = b->appt.client_id;
	s->service_id = b->appt.service_id;
	s->room_id = b->appt.room_id;
	if ((s->has_video = b->appt.video != NULL))
		snprintf(s->video, sizeof(s->video), "%s", b->appt.video);
	snprintf(s->zone, sizeof(s->zone), "%s", p.zone);
	s->first_utc = b->appt.start;
	tz_to_wall(s->zone, s->first_utc, &s->first);
	s->minutes = (int)((p.slot.end - p.slot.start) / 60);
	s->buffer = (int)((p.slot.block_end - p.slot.end) / 60);
	s->materialized_until = s->first_utc;
	return 0;
}

int
series_book(struct ctx *ctx, const struct series_booking *b,
    struct appt_result *res)
{
	struct series_def	 s;
	struct series_run	 run;
	char			 when[TZ_BUFLEN];
	int			 rc = -1;

	memset(res, 0, sizeof(*res));
	if (series_first(ctx, b, &s) == -1 || series_rule(ctx, &s, b) == -1)
		return -1;
	series_mode(&run, b->skip, b->appt.force, b->appt.overlap);
	if (s.first_utc < ctx->now && !b->appt.force) {
		tz_format_local(ctx->tz, s.first_utc, when);
		ctx_error(ctx, PROTO_EPAST, "%s (%s) is in the past; use "
		    "--force to start a series in the past", when, ctx->tz);
		goto done;
	}
	if (series_store(ctx, &s) == -1 ||
	    series_materialize(ctx, &s, series_horizon(ctx) > s.first_utc ?
	    series_horizon(ctx) : s.first_utc + 1, &run) == -1) {
		ctx_internal(ctx);
		goto done;
	}
	if (series_refusal(ctx, &run, run.booked +
	    (int)json_array_size(run.problems)) == -1)
		goto done;
	if (run.booked == 0) {
		ctx_error(ctx, PROTO_ECONFLICT, "none of the series' sessions "
		    "could be booked");
		goto done;
	}
	tz_format_local(s.zone, s.first_utc, when);
	if (audit_record(ctx, "series.book", "series", s.id, "client %lld, "
	    "clinician %lld, %s from %s %s, %d booked, %zu skipped%s",
	    s.client_id, s.clinician_id, s.rrule, when, s.zone, run.booked,
	    json_array_size(run.skipped), run.forced ? " (forced)" : "") == -1)
		goto done;
	res->appt_id = run.first_id;
	res->series_id = s.id;
	res->count = run.booked;
	res->skipped = json_incref(run.skipped);
	res->warnings = series_warnings(&run);
	rc = 0;
done:
	series_run_clear(&run);
	return rc;
}

/* Moving with scope following or all */

struct occ_list {
	time_t	*v;
	size_t	 n;
	size_t	 max;		/* 0: no bound but the end */
};

static int
occ_collect(void *arg, const struct tz_wall *w, time_t t)
{
	struct occ_list	*l = arg;
	time_t		*grown;

	(void)w;
	if (l->max != 0 && l->n == l->max)
		return 1;
	if ((l->n & 63) == 0) {
		if ((grown = reallocarray(l->v, l->n + 64, sizeof(time_t)))
		    == NULL)
			return -1;
		l->v = grown;
	}
	l->v[l->n++] = t;
	return 0;
}

/* The occurrences before end, at most max of them (0: all). */
static int
occ_expand(const struct series_def *s, time_t end, size_t max,
    struct occ_list *l)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
	return recur_expand(s->rrule, s->zone, &s->first, end, occ_collect,
	    l) == -1 ? -1 : 0;
}

static size_t
occ_index(const struct occ_list *l, time_t t)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] >= t)
			return i;
	return l->n;
}

struct scope_move {
	long long	 appt_id;
	long long	 series_id;
	time_t		 recurrence;	/* of the named occurrence */
	time_t		 new_start;
	long long	 clinician_id;	/* 0: unchanged */
	long long	 room_id;	/* 0: unchanged, -1: none */
	int		 following;
};

/* The shifted series: new first, new rule, new people and place. */
static int
scope_new_series(struct ctx *ctx, const struct series_def *old,
    const struct scope_move *m, struct series_def *n, size_t k0)
{
	struct tz_wall	 was, now;
	char		 err[200], rule[RECUR_RULE_MAX];
	long		 delta;
	char		*c;

	*n = *old;
	tz_to_wall(old->zone, m->recurrence, &was);
	tz_to_wall(old->zone, m->new_start, &now);
	delta = (long)((tz_day_start("UTC", now.year, now.month, now.day) -
	    tz_day_start("UTC", was.year, was.month, was.day)) / 86400);
	if (recur_shift(old->rrule, (int)delta, now.wday, !m->following, rule,
	    sizeof(rule), err, sizeof(err)) == -1) {
		ctx_error(ctx, PROTO_EBADREQUEST, "%s", err);
		return -1;
	}
	snprintf(n->rrule, sizeof(n->rrule), "%s", rule);
	if (m->following) {
		n->id = 0;
		n->parent_id = old->id;
		n->first = now;
		/* COUNT goes on from where the old series stops. */
		if ((c = strstr(n->rrule, "COUNT=")) != NULL &&
		    recur_set_count(n->rrule, atoi(c + 6) - (int)k0, n->rrule,
		    sizeof(n->rrule)) == -1)
			return -1;
	} else {
		tz_add_days(&n->first, (int)delta);
		n->first.hour = now.hour;
		n->first.minute = now.minute;
	}
	n->first_utc = tz_from_wall_rfc(n->zone, &n->first);
	if (m->clinician_id != 0)
		n->clinician_id = m->clinician_id;
	if (m->room_id != 0) {
		n->room_id = m->room_id < 0 ? 0 : m->room_id;
		n->has_video = 0;
	}
	return 0;
}

struct occ_row {
	long long	 id;
	time_t		 rec;
	time_t		 start;
	int		 open;		/* booked or confirmed */
	int		 override;
};

static int
occ_rows(struct ctx *ctx, long long series_id, time_t from,
    struct occ_row **rows, size_t *n)
{
	sqlite3_stmt	*stmt;
	struct occ_row	*grown;

	*rows = NULL;
	*n = 0;
	if ((stmt = db_stmt(ctx->pd->db, occ_affected_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, series_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)from);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		if ((grown = reallocarray(*rows, *n + 1, sizeof(**rows)))
		    == NULL) {
			sqlite3_reset(stmt);
			return -1;
		}
		*rows = grown;
		grown[*n].id = sqlite3_column_int64(stmt, 0);
		grown[*n].rec = (time_t)sqlite3_column_int64(stmt, 1);
		grown[*n].start = (time_t)sqlite3_column_int64(stmt, 2);
		grown[*n].open = strcmp(db_column_text(stmt, 3), "booked") == 0
		    || strcmp(db_column_text(stmt, 3), "confirmed") == 0;
		grown[*n].override = sqlite3_column_int(stmt, 4);
		(*n)++;
	}
	sqlite3_reset(stmt);
	return 0;
}

static int
skips_drop(struct ctx *ctx, long long series_id, time_t from)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, skips_drop_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, series_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)from);
	return db_exec_stmt(ctx->pd->db, stmt);
}

/*
 * Carry the occurrences from the pivot on over to the new rule, k-th
 * to k-th.  Open, unmoved ones go to their new time (checked); moved
 * (override), cancelled and past ones keep their time and take their
 * new RECURRENCE-ID, so the new rule does not book those days again.
 */
static int
scope_carry(struct ctx *ctx, struct series_def *n,
    const struct occ_list *old, const struct occ_list *new, size_t k0,
    size_t j0, struct occ_row *rows, size_t nrows, long long named,
    struct series_run *run)
{
	size_t	 i, k, idx, step;
	int	 forward = nrows > 0 && new->n > j0 && old->n > k0 &&
		    new->v[j0] > old->v[k0];

	/* Moving later, place the last first so none lands on a sibling. */
	for (step = 0; step < nrows; step++) {
		i = forward ? nrows - 1 - step : step;
		k = occ_index(old, rows[i].rec);
		if (k >= old->n || old->v[k] != rows[i].rec || k < k0) {
			if (appt_detach(ctx, rows[i].id) == -1)
				return -1;
			continue;
		}
		idx = j0 + (k - k0);
		if (idx >= new->n ||
		    (n->until_utc != 0 && new->v[idx] >= n->until_utc)) {
			/* Past the new rule's end: no longer of the series. */
			if (appt_detach(ctx, rows[i].id) == -1)
				return -1;
			continue;
		}
		/* The named session goes where it was asked to, moved or not. */
		if (rows[i].open && (!rows[i].override || rows[i].id == named) &&
		    (rows[i].start >= ctx->now || rows[i].id == named)) {
			if (series_place(ctx, n, rows[i].id, new->v[idx],
			    run) == -1)
				return -1;
		} else if (appt_rekey(ctx, rows[i].id, n->id, new->v[idx], 0) == -1)
			return -1;
	}
	return 0;
}

/*
 * The series stops before pivot, the k-th occurrence of its rule: it
 * keeps its past and no longer grows.  It stays active until its last
 * session (series.c reads its state).
 */
static int
series_end_before(struct ctx *ctx, struct series_def *s, time_t pivot,
    size_t k)
{
	struct tz_wall	 last;
	char		*c;

	s->until_utc = pivot;
	tz_to_wall(s->zone, pivot, &last);
	tz_add_days(&last, -1);
	tz_format_date(&last, s->until_date);
	if ((c = strstr(s->rrule, "COUNT=")) != NULL && (size_t)atoi(c + 6) > k &&
	    recur_set_count(s->rrule, (int)k, s->rrule, sizeof(s->rrule)) == -1)
		return -1;
	if (s->materialized_until > pivot)
		s->materialized_until = pivot;
	return series_store(ctx, s);
}

static time_t
scope_pivot(struct ctx *ctx, const struct scope_move *m)
{
	sqlite3_stmt	*stmt;
	time_t		 p = ctx->now;

	if (m->following)
		return m->recurrence;
	if ((stmt = db_stmt(ctx->pd->db, first_future_sql)) == NULL)
		return m->recurrence;
	sqlite3_bind_int64(stmt, 1, m->series_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		p = (time_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return p < m->recurrence ? p : m->recurrence;
}

static int
scope_apply(struct ctx *ctx, struct series_def *s, struct series_def *n,
    const struct scope_move *m, struct series_run *run)
{
	struct occ_list	 old, new;
	struct occ_row	*rows = NULL;
	size_t		 nrows = 0, k0, j0;
	time_t		 pivot = scope_pivot(ctx, m), end;
	int		 rc = -1;

	end = s->materialized_until + 400L * 86400;
	memset(&new, 0, sizeof(new));
	if (occ_expand(s, s->materialized_until + 1, 0, &old) == -1)
		goto out;
	k0 = occ_index(&old, pivot);
	if (scope_new_series(ctx, s, m, n, k0) == -1) {
		rc = -2;
		goto out;
	}
	if (m->following && series_store(ctx, n) == -1)
		goto out;
	/* The new rule's k-th for each old one from the pivot, no more. */
	j0 = m->following ? 0 : k0;
	if (occ_expand(n, end, j0 + (old.n - k0) + 1, &new) == -1 ||
	    occ_rows(ctx, s->id, pivot, &rows, &nrows) == -1 ||
	    appt_unkey_from(ctx, s->id, pivot) == -1 ||
	    skips_drop(ctx, s->id, pivot) == -1)
		goto out;
	run->moving = 1;
	if (scope_carry(ctx, n, &old, &new, k0, j0, rows, nrows, m->appt_id,
	    run) == -1)
		goto out;
	run->moving = 0;
	/* Refused already: the caller rolls back, nothing more to check. */
	if (json_array_size(run->problems) > 0) {
		rc = 0;
		goto out;
	}
	/* What the shift left unbooked, the new rule books (or skips). */
	n->materialized_until = j0 < new.n ? new.v[j0] : n->first_utc;
	if (series_materialize(ctx, n, series_horizon(ctx) >
	    n->materialized_until ? series_horizon(ctx) :
	    n->materialized_until + 1, run) == -1)
		goto out;
	if (m->following && series_end_before(ctx, s, pivot, k0) == -1)
		goto out;
	rc = 0;
out:
	free(old.v);
	free(new.v);
	free(rows);
	return rc;
}

/*
 * What a move of several sessions changed, told afterwards: the series'
 * sessions whose version or state moved on (moved, or cancelled as
 * they left it), and those it booked anew.
 */
struct occ_seen {
	long long	 id;
	int		 version;
	char		 state[16];
};

struct occ_before {
	struct occ_seen	*v;
	size_t		 n;
	long long	 last_id;	/* later ids: booked by the change */
};

static int
occ_before_take(struct ctx *ctx, long long series_id, struct occ_before *b)
{
	sqlite3_stmt	*stmt;
	struct occ_seen	*grown;
	int		 rc;

	memset(b, 0, sizeof(*b));
	if ((b->last_id = appt_last_id(ctx)) == -1 ||
	    (stmt = db_stmt(ctx->pd->db, occ_seen_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, series_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((grown = reallocarray(b->v, b->n + 1, sizeof(*b->v)))
		    == NULL)
			break;
		b->v = grown;
		grown[b->n].id = sqlite3_column_int64(stmt, 0);
		grown[b->n].version = sqlite3_column_int(stmt, 1);
		snprintf(grown[b->n].state, sizeof(grown[b->n].state), "%s",
		    db_column_text(stmt, 2));
		b->n++;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct occ_changed {
	long long	 id;
	time_t		 start;
};

static int
occ_changed_cmp(const void *a, const void *b)
{
	const struct occ_changed	*x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The sessions of before that changed, by start; -1 on an error. */
static int
occ_changed_of(struct ctx *ctx, const struct occ_before *b,
    struct occ_changed *out, size_t *n)
{
	sqlite3_stmt	*stmt;
	size_t		 i;
	int		 rc;

	*n = 0;
	for (i = 0; i < b->n; i++) {
		if ((stmt = db_stmt(ctx->pd->db, occ_now_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, b->v[i].id);
		if ((rc = sqlite3_step(stmt)) == SQLITE_ROW &&
		    (sqlite3_column_int(stmt, 0) != b->v[i].version ||
		    strcmp(db_column_text(stmt, 1), b->v[i].state) != 0)) {
			out[*n].id = b->v[i].id;
			out[(*n)++].start = (time_t)sqlite3_column_int64(stmt, 2);
		}
		sqlite3_reset(stmt);
		if (rc != SQLITE_ROW)
			return -1;
	}
	qsort(out, *n, sizeof(*out), occ_changed_cmp);
	return 0;
}

/* Ids of what changed since before, the moved then the newly booked. */
static json_t *
occ_before_changed(struct ctx *ctx, const struct occ_before *b)
{
	struct occ_changed	*changed;
	json_t			*ids;
	size_t			 n, i;

	if ((changed = reallocarray(NULL, b->n + 1, sizeof(*changed))) ==
	    NULL)
		return NULL;
	if (occ_changed_of(ctx, b, changed, &n) == -1 ||
	    (ids = appt_ids_after(ctx, b->last_id)) == NULL) {
		free(changed);
		return NULL;
	}
	for (i = n; i > 0; i--)
		json_array_insert_new(ids, 0, json_integer(changed[i - 1].id));
	free(changed);
	return ids;
}

/* ", clinician 2 -> 3, room 1 -> none": what the series' place became. */
static void
scope_place_note(const struct series_def *s, const struct series_def *n,
    char *buf, size_t len)
{
	size_t	 off;

	buf[0] = '\0';
	if (s->clinician_id != n->clinician_id)
		snprintf(buf, len, ", clinician %lld -> %lld", s->clinician_id,
		    n->clinician_id);
	off = strlen(buf);
	if (s->room_id == n->room_id)
		return;
	if (s->room_id == 0)
		snprintf(buf + off, len - off, ", room none -> %lld",
		    n->room_id);
	else if (n->room_id == 0)
		snprintf(buf + off, len - off, ", room %lld -> none",
		    s->room_id);
	else
		snprintf(buf + off, len - off, ", room %lld -> %lld",
		    s->room_id, n->room_id);
}

/* The notices of the sessions a change of the series touched, one a
 * kind and channel (remind_notices_as_one): a client is not sent a
 * message for every week. */
static int
scope_notices_as_one(struct ctx *ctx, const json_t *ids)
{
	long long	*v;
	size_t		 i, n = json_array_size(ids);
	int		 rc;

	if (n < 2)
		return 0;
	if ((v = reallocarray(NULL, n, sizeof(*v))) == NULL)
		return ctx_internal(ctx);
	for (i = 0; i < n; i++)
		v[i] = json_integer_value(json_array_get(ids, i));
	rc = remind_notices_as_one(ctx, v, n);
	free(v);
	return rc;
}

int
series_move(struct ctx *ctx, const struct appt_row *row,
    const struct appt_change *ch, struct appt_result *res)
{
	struct series_def	 s, n;
	struct series_run	 run;
	struct scope_move	 m;
	struct occ_before	 before;
	char			 place[96];
	int			 rc;

	memset(res, 0, sizeof(*res));
	memset(&before, 0, sizeof(before));
	if (ch->video_given)
		return ctx_error(ctx, PROTO_EBADREQUEST, "a series' video "
		    "link changes one session at a time (scope this)");
	if ((ch->clinician_id != 0 && lookup_require_active(ctx,
	    KIND_CLINICIAN, ch->clinician_id) == -1) || (ch->room_id > 0 &&
	    lookup_require_active(ctx, KIND_ROOM, ch->room_id) == -1))
		return -1;
	if (series_load(ctx, row->series_id, &s) == -1 ||
	    occ_before_take(ctx, row->series_id, &before) == -1) {
		free(before.v);
		return ctx_internal(ctx);
	}
	memset(&m, 0, sizeof(m));
	/* Without a new time the rule keeps its own, and so does a session
	 * moved on its own, the named one too. */
	m.appt_id = ch->same_time ? 0 : row->id;
	m.series_id = row->series_id;
	m.recurrence = row->recurrence;
	m.new_start = ch->same_time ? row->recurrence : ch->start;
	m.clinician_id = ch->clinician_id;
	m.room_id = ch->room_id;
	m.following = ch->scope == APPT_FOLLOWING;
	series_mode(&run, ch->skip, ch->force, ch->overlap);
	if ((rc = scope_apply(ctx, &s, &n, &m, &run)) != 0) {
		if (rc == -1)
			ctx_internal(ctx);
		goto fail;
	}
	if (series_refusal(ctx, &run, run.booked +
	    (int)json_array_size(run.problems)) == -1)
		goto fail;
	scope_place_note(&s, &n, place, sizeof(place));
	if (series_store(ctx, &n) == -1 || audit_record(ctx, m.following ?
	    "series.split" : "series.move", "series", n.id, "from appointment "
	    "%lld, %d moved or booked, %zu skipped%s", row->id, run.booked,
	    json_array_size(run.skipped), place) == -1) {
		ctx_internal(ctx);
		goto fail;
	}
	if ((res->changed = occ_before_changed(ctx, &before)) == NULL) {
		ctx_internal(ctx);
		goto fail;
	}
	if (scope_notices_as_one(ctx, res->changed) == -1)
		goto fail;
	res->appt_id = row->id;
	res->series_id = n.id;
	res->count = run.booked;
	res->skipped = json_incref(run.skipped);
	series_run_clear(&run);
	free(before.v);
	return 0;
fail:
	series_run_clear(&run);
	free(before.v);
	return -1;
}

/* Cancelling with scope following or all */

/* Each open session from "from" on, cancelled one by one through appt.c. */
static int
series_cancel_from(struct ctx *ctx, long long series_id, time_t from,
    const char *by, const char *reason, json_t *done)
{
	sqlite3_stmt	*stmt;
	long long	*ids;
	size_t		 count, i;
	int		 late;

	if ((stmt = db_stmt(ctx->pd->db, occ_open_from_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, series_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)from);
	if (db_ids(ctx->pd->db, stmt, &ids, &count) == -1)
		return ctx_internal(ctx);
	for (i = 0; i < count; i++) {
		if (appt_cancel(ctx, ids[i], by, reason, &late) == -1)
			break;
		json_array_append_new(done, json_integer(ids[i]));
	}
	free(ids);
	return i == count ? 0 : -1;
}

int
series_cancel(struct ctx *ctx, const struct appt_row *row,
    enum appt_scope scope, const char *by, const char *reason,
    struct appt_result *res)
{
	struct series_def	 s;
	int			 following = scope == APPT_FOLLOWING, n;
	/* "all" takes the named session too, even once it has begun. */
	time_t			 from = following || row->start < ctx->now ?
				    row->start : ctx->now;

	memset(res, 0, sizeof(*res));
	if ((res->changed = json_array()) == NULL ||
	    series_load(ctx, row->series_id, &s) == -1 ||
	    series_cancel_from(ctx, row->series_id, from, by, reason,
	    res->changed) == -1)
		return ctx_internal(ctx);
	if (scope_notices_as_one(ctx, res->changed) == -1)
		return -1;
	n = (int)json_array_size(res->changed);
	if (following) {
		struct occ_list	 old;
		size_t		 k;

		if (occ_expand(&s, row->recurrence + 1, 0, &old) == -1)
			return ctx_internal(ctx);
		k = occ_index(&old, row->recurrence);
		free(old.v);
		if (k == 0)		/* from the first on: all of it */
			snprintf(s.state, sizeof(s.state), "cancelled");
		else if (series_end_before(ctx, &s, row->recurrence, k) == -1)
			return ctx_internal(ctx);
	} else
		snprintf(s.state, sizeof(s.state), "cancelled");
	if (series_store(ctx, &s) == -1 ||
	    skips_drop(ctx, row->series_id, following ? row->recurrence :
	    ctx->now) == -1 ||
	    audit_record(ctx, "series.cancel", "series", row->series_id,
	    "%s from appointment %lld, %d cancelled, by %s",
	    following ? "following" : "all", row->id, n, by) == -1)
		return ctx_internal(ctx);
	res->appt_id = row->id;
	res->series_id = row->series_id;
	res->count = n;
	return 0;
}
