/*
 * /v1/series, and the series side of booking, moving and cancelling:
 * a booking with "repeat", and moves or cancellations whose scope is
 * "following" (the series splits) or "all" (the series changes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "appt.h"
#include "audit.h"
#include "config.h"
#include "db.h"
#include "lookup.h"
#include "practiced.h"
#include "series.h"

static const char *series_list_sql =
    "SELECT id FROM series WHERE (?1 = 0 OR client_id = ?1)"
    "  AND (?2 = 0 OR clinician_id = ?2)"
    "  AND (?3 OR state = 'active') ORDER BY id";
static const char *occ_affected_sql =
    "SELECT id, recurrence_utc, start_utc, state, override FROM appointments"
    "  WHERE series_id = ?1 AND recurrence_utc >= ?2"
    "  ORDER BY recurrence_utc";
static const char *occ_hide_sql =
    "UPDATE appointments SET recurrence_utc = -recurrence_utc - 1"
    "  WHERE series_id = ?1 AND recurrence_utc >= ?2";
static const char *occ_rekey_sql =
    "UPDATE appointments SET series_id = ?2, recurrence_utc = ?3,"
    "  updated = ?4 WHERE id = ?1";
static const char *occ_detach_sql =
    "UPDATE appointments SET series_id = NULL, recurrence_utc = NULL,"
    "  cancel_reason = CASE WHEN state IN ('booked','confirmed')"
    "    AND start_utc >= ?2 THEN 'the series no longer has this session'"
    "    ELSE cancel_reason END,"
    "  cancelled_by = CASE WHEN state IN ('booked','confirmed')"
    "    AND start_utc >= ?2 THEN 'practice' ELSE cancelled_by END,"
    "  state = CASE WHEN state IN ('booked','confirmed')"
    "    AND start_utc >= ?2 THEN 'cancelled' ELSE state END,"
    "  updated = ?2 WHERE id = ?1";
static const char *skips_drop_sql =
    "DELETE FROM series_skips WHERE series_id = ?1 AND recurrence_utc >= ?2";
static const char *first_future_sql =
    "SELECT min(recurrence_utc) FROM appointments WHERE series_id = ?1"
    "  AND start_utc >= ?2";
static const char *occ_cancel_from_sql =
    "UPDATE appointments SET state = 'cancelled', cancelled_by = ?3,"
    "  cancel_reason = ?4, late = (?3 = 'client' AND start_utc < ?6),"
    "  version = version + 1, updated = ?5"
    "  WHERE series_id = ?1 AND start_utc >= ?2"
    "    AND state IN ('booked','confirmed')";

/* GET /v1/series and /v1/series/ID */

void
api_series_list(struct api_req *req)
{
	const char	*v, *all = api_query(req, "all");
	sqlite3_stmt	*stmt;
	json_t		*list, *obj;
	long long	 client = 0, clinician = 0, ids[2000];
	size_t		 n = 0, i;

	if (((v = api_query(req, "client")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLIENT, v, &client) == -1) ||
	    ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &clinician) == -1))
		return;
	if ((stmt = db_stmt(req->ctx.pd->db, series_list_sql)) == NULL ||
	    (list = json_array()) == NULL) {
		api_internal(req);
		return;
	}
	sqlite3_bind_int64(stmt, 1, client);
	sqlite3_bind_int64(stmt, 2, clinician);
	sqlite3_bind_int(stmt, 3, all != NULL && strcmp(all, "0") != 0);
	while (n < sizeof(ids) / sizeof(ids[0]) &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	for (i = 0; i < n; i++) {
		if ((obj = series_json(req, ids[i], 0)) == NULL) {
			json_decref(list);
			api_internal(req);
			return;
		}
		json_array_append_new(list, obj);
	}
	api_reply(req, 200, json_pack("{s:o}", "series", list));
}

void
api_series_show(struct api_req *req)
{
	json_t		*obj;
	long long	 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	if ((obj = series_json(req, id, 1)) == NULL)
		api_error(req, PROTO_ENOTFOUND, "no series %lld", id);
	else
		api_reply(req, 200, json_pack("{s:o}", "series", obj));
}

/* Booking a series */

static int
series_read_mode(struct api_req *req, struct series_run *run, int force,
    int overlap)
{
	int	 skip = 0;

	if (api_bool(req, "skip", &skip) == -1)
		return -1;
	series_run_init(run, skip ? SERIES_SKIP : overlap ? SERIES_OVERLAP :
	    SERIES_REFUSE);
	run->force = force;
	run->check_hours = 1;
	return 0;
}

static int
series_read_until(struct api_req *req, struct series_def *s,
    const struct recur_rule *rule)
{
	struct tz_wall	 w;
	const char	*v;
	char		 err[160];

	if (api_string(req, "until", 20, 0, &v) == -1)
		return -1;
	if (v != NULL && rule->has_until) {
		api_error(req, PROTO_EBADREQUEST, "give the end once: in the "
		    "rule or as until");
		return -1;
	}
	if (v != NULL) {
		if (tz_parse_date(v, req->ctx.tz, req->ctx.now, &w, err,
		    sizeof(err)) == -1) {
			api_error(req, PROTO_EBADREQUEST, "until: %s", err);
			return -1;
		}
	} else if (rule->has_until)
		w = rule->until;
	else
		return 0;
	tz_format_date(&w, s->until_date);
	tz_add_days(&w, 1);
	/* The date is the reader's, like every date they type. */
	s->until_utc = tz_day_start(req->ctx.tz, w.year, w.month, w.day);
	if (s->until_utc <= s->first_utc) {
		api_error(req, PROTO_EBADREQUEST, "the series ends (%s) before "
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
series_read_rule(struct api_req *req, struct series_def *s)
{
	struct recur_rule	 rule;
	const char		*repeat;
	char			 err[200];
	long long		 count = 0;
	time_t			 first = 0;

	if (api_string(req, "repeat", RECUR_RULE_MAX - 1, 1, &repeat) == -1 ||
	    api_int(req, "count", 1, RECUR_MAX_COUNT, 0, &count) == -1)
		return -1;
	if (recur_parse(repeat, &s->first, &rule, err, sizeof(err)) == -1) {
		api_error(req, PROTO_EBADREQUEST, "%s", err);
		return -1;
	}
	if (count != 0 && (rule.count != 0 || api_has(req, "until") ||
	    rule.has_until)) {
		api_error(req, PROTO_EBADREQUEST, "give count or until, not "
		    "both");
		return -1;
	}
	snprintf(s->rrule, sizeof(s->rrule), "%s", rule.rrule);
	if (count != 0 && recur_set_count(rule.rrule, (int)count, s->rrule,
	    sizeof(s->rrule)) == -1) {
		api_internal(req);
		return -1;
	}
	if (series_read_until(req, s, &rule) == -1)
		return -1;
	/* RFC 5545 counts DTSTART as the first; we ask that it fit. */
	recur_expand(s->rrule, s->zone, &s->first, s->first_utc + 86400 * 400,
	    series_first_cb, &first);
	if (first != s->first_utc) {
		char	 when[TZ_BUFLEN];

		tz_format_local(s->zone, s->first_utc, when);
		api_error(req, PROTO_EBADREQUEST, "%s is not a day this rule "
		    "(%s) gives; start the series on one", when, s->rrule);
		return -1;
	}
	return 0;
}

static void
series_book_answer(struct api_req *req, struct series_def *s,
    struct series_run *run, json_t *warnings)
{
	json_t	*obj = series_json(req, s->id, 0);
	json_t	*first = appt_json(req, run->first_id);

	if (obj == NULL || first == NULL) {
		json_decref(obj);
		json_decref(first);
		json_decref(warnings);
		api_internal(req);
		return;
	}
	api_reply(req, 201, json_pack("{s:o,s:o,s:i,s:O,s:o}", "series", obj,
	    "appointment", first, "booked", run->booked, "skipped",
	    run->skipped, "warnings", warnings ? warnings : json_array()));
}

void
api_series_book(struct api_req *req, const struct series_booking *b)
{
	struct series_def	 s;
	struct series_run	 run;
	json_t			*warnings = NULL;
	char			 when[TZ_BUFLEN];

	memset(&s, 0, sizeof(s));
	s.clinician_id = b->clinician_id;
	s.client_id = b->client_id;
	s.service_id = b->service_id;
	s.room_id = b->room_id;
	if ((s.has_video = b->video != NULL))
		snprintf(s.video, sizeof(s.video), "%s", b->video);
	snprintf(s.zone, sizeof(s.zone), "%s", b->zone);
	s.first_utc = b->start;
	tz_to_wall(s.zone, s.first_utc, &s.first);
	s.minutes = b->minutes;
	s.buffer = b->buffer;
	s.materialized_until = s.first_utc;
	if (series_read_rule(req, &s) == -1 ||
	    series_read_mode(req, &run, b->force, b->overlap) == -1)
		return;
	if (s.first_utc < req->ctx.now && !b->force) {
		tz_format_local(req->ctx.tz, s.first_utc, when);
		api_error(req, PROTO_EPAST, "%s (%s) is in the past; use "
		    "--force to start a series in the past", when, req->ctx.tz);
		goto done;
	}
	if (series_store(req, &s) == -1 ||
	    series_materialize(req, &s, series_horizon(req) > s.first_utc ?
	    series_horizon(req) : s.first_utc + 1, &run) == -1) {
		api_internal(req);
		goto done;
	}
	if (series_refusal(req, &run, run.booked +
	    (int)json_array_size(run.problems)) == -1)
		goto done;
	if (run.booked == 0) {
		api_error(req, PROTO_ECONFLICT, "none of the series' sessions "
		    "could be booked");
		goto done;
	}
	if (run.forced || run.overlapped) {
		warnings = json_array();
		if (run.forced)
			json_array_append_new(warnings, json_string(
			    "some sessions forced (past, hours or closures)"));
		if (run.overlapped)
			json_array_append_new(warnings, json_string(
			    "some sessions overlap others (allowed)"));
	}
	tz_format_local(s.zone, s.first_utc, when);
	if (audit_record(&req->ctx, "series.book", "series", s.id, "client %lld, "
	    "clinician %lld, %s from %s %s, %d booked, %zu skipped%s",
	    s.client_id, s.clinician_id, s.rrule, when, s.zone, run.booked,
	    json_array_size(run.skipped), run.forced ? " (forced)" : "") == -1)
		goto done;
	series_book_answer(req, &s, &run, warnings);
done:
	series_run_clear(&run);
}

/* Moving with scope following or all */

struct occ_list {
	time_t	*v;
	size_t	 n;
};

static int
occ_collect(void *arg, const struct tz_wall *w, time_t t)
{
	struct occ_list	*l = arg;
	time_t		*grown;

	(void)w;
	if ((l->n & 63) == 0) {
		if ((grown = reallocarray(l->v, l->n + 64, sizeof(time_t)))
		    == NULL)
			return -1;
		l->v = grown;
	}
	l->v[l->n++] = t;
	return 0;
}

static int
occ_expand(const struct series_def *s, time_t end, struct occ_list *l)
{
	memset(l, 0, sizeof(*l));
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
scope_new_series(struct api_req *req, const struct series_def *old,
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
		api_error(req, PROTO_EBADREQUEST, "%s", err);
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
occ_rows(struct api_req *req, long long series_id, time_t from,
    struct occ_row **rows, size_t *n)
{
	sqlite3_stmt	*stmt;
	struct occ_row	*grown;

	*rows = NULL;
	*n = 0;
	if ((stmt = db_stmt(req->ctx.pd->db, occ_affected_sql)) == NULL)
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
exec_id_time(struct api_req *req, const char *sql, long long id, time_t t)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(req->ctx.pd->db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)t);
	return db_exec_stmt(req->ctx.pd->db, stmt);
}

/*
 * A session the changed rule has no place for: it leaves the series
 * (as a one-off), and if still to come it is called off, saying why.
 */
static int
occ_detach(struct api_req *req, const struct occ_row *row)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(req->ctx.pd->db, occ_detach_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, row->id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)req->ctx.now);
	return db_exec_stmt(req->ctx.pd->db, stmt);
}

static int
occ_rekey(struct api_req *req, long long id, long long series_id, time_t rec)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(req->ctx.pd->db, occ_rekey_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, series_id);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)rec);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)req->ctx.now);
	return db_exec_stmt(req->ctx.pd->db, stmt);
}

/*
 * Carry the occurrences from the pivot on over to the new rule, k-th
 * to k-th.  Open, unmoved ones go to their new time (checked); moved
 * (override), cancelled and past ones keep their time and take their
 * new RECURRENCE-ID, so the new rule does not book those days again.
 */
static int
scope_carry(struct api_req *req, struct series_def *n,
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
			if (occ_detach(req, &rows[i]) == -1)
				return -1;
			continue;
		}
		idx = j0 + (k - k0);
		if (idx >= new->n ||
		    (n->until_utc != 0 && new->v[idx] >= n->until_utc)) {
			/* Past the new rule's end: no longer of the series. */
			if (occ_detach(req, &rows[i]) == -1)
				return -1;
			continue;
		}
		/* The named session goes where it was asked to, moved or not. */
		if (rows[i].open && (!rows[i].override || rows[i].id == named) &&
		    (rows[i].start >= req->ctx.now || rows[i].id == named)) {
			if (series_place(req, n, rows[i].id, new->v[idx],
			    run) == -1)
				return -1;
		} else if (occ_rekey(req, rows[i].id, n->id, new->v[idx]) == -1)
			return -1;
	}
	return 0;
}

/*
 * The series stops before pivot, the k-th occurrence of its rule: it
 * keeps its past and no longer grows.
 */
static int
series_end_before(struct api_req *req, struct series_def *s, time_t pivot,
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
	snprintf(s->state, sizeof(s->state), "ended");
	return series_store(req, s);
}

static time_t
scope_pivot(struct api_req *req, const struct scope_move *m)
{
	sqlite3_stmt	*stmt;
	time_t		 p = req->ctx.now;

	if (m->following)
		return m->recurrence;
	if ((stmt = db_stmt(req->ctx.pd->db, first_future_sql)) == NULL)
		return m->recurrence;
	sqlite3_bind_int64(stmt, 1, m->series_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)req->ctx.now);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		p = (time_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return p < m->recurrence ? p : m->recurrence;
}

static int
scope_apply(struct api_req *req, struct series_def *s, struct series_def *n,
    const struct scope_move *m, struct series_run *run)
{
	struct occ_list	 old, new;
	struct occ_row	*rows = NULL;
	size_t		 nrows = 0, k0, j0;
	time_t		 pivot = scope_pivot(req, m), end;
	int		 rc = -1;

	end = s->materialized_until + 400L * 86400;
	memset(&new, 0, sizeof(new));
	if (occ_expand(s, s->materialized_until + 1, &old) == -1)
		goto out;
	k0 = occ_index(&old, pivot);
	if (scope_new_series(req, s, m, n, k0) == -1) {
		rc = -2;
		goto out;
	}
	if (m->following && series_store(req, n) == -1)
		goto out;
	if (occ_expand(n, end, &new) == -1 ||
	    occ_rows(req, s->id, pivot, &rows, &nrows) == -1 ||
	    exec_id_time(req, occ_hide_sql, s->id, pivot) == -1 ||
	    exec_id_time(req, skips_drop_sql, s->id, pivot) == -1)
		goto out;
	j0 = m->following ? 0 : k0;
	run->moving = 1;
	if (scope_carry(req, n, &old, &new, k0, j0, rows, nrows, m->appt_id,
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
	if (series_materialize(req, n, series_horizon(req) >
	    n->materialized_until ? series_horizon(req) :
	    n->materialized_until + 1, run) == -1)
		goto out;
	if (m->following && series_end_before(req, s, pivot, k0) == -1)
		goto out;
	rc = 0;
out:
	free(old.v);
	free(new.v);
	free(rows);
	return rc;
}

int
api_series_move(struct api_req *req, long long appt_id, long long series_id,
    time_t recurrence, time_t new_start, const struct series_change *ch)
{
	struct series_def	 s, n;
	struct series_run	 run;
	struct scope_move	 m;
	json_t			*obj, *appt;
	int			 rc;

	if (series_load(req, series_id, &s) == -1) {
		api_internal(req);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.appt_id = appt_id;
	m.series_id = series_id;
	m.recurrence = recurrence;
	m.new_start = new_start;
	m.clinician_id = ch->clinician_id;
	m.room_id = ch->room_id;
	m.following = ch->following;
	series_run_init(&run, ch->skip ? SERIES_SKIP : ch->overlap ?
	    SERIES_OVERLAP : SERIES_REFUSE);
	run.force = ch->force;
	run.check_hours = 1;
	if ((rc = scope_apply(req, &s, &n, &m, &run)) != 0) {
		if (rc == -1)
			api_internal(req);
		goto fail;
	}
	if (series_refusal(req, &run, run.booked +
	    (int)json_array_size(run.problems)) == -1)
		goto fail;
	if (series_store(req, &n) == -1 || audit_record(&req->ctx, m.following ?
	    "series.split" : "series.move", "series", n.id, "from appointment "
	    "%lld, %d moved or booked, %zu skipped%s", appt_id, run.booked,
	    json_array_size(run.skipped), m.following ? "" : "") == -1)
		goto internal;
	obj = series_json(req, n.id, 0);
	appt = appt_json(req, appt_id);
	if (obj == NULL || appt == NULL) {
		json_decref(obj);
		json_decref(appt);
		goto internal;
	}
	api_reply(req, 200, json_pack("{s:o,s:o,s:i,s:O,s:[]}", "appointment",
	    appt, "series", obj, "moved", run.booked, "skipped", run.skipped,
	    "warnings"));
	series_run_clear(&run);
	return 0;
internal:
	api_internal(req);
fail:
	series_run_clear(&run);
	return -1;
}

/* Cancelling with scope following or all */

int
api_series_cancel(struct api_req *req, long long appt_id, long long series_id,
    time_t start, time_t recurrence, int following, const char *by,
    const char *reason)
{
	struct series_def	 s;
	sqlite3_stmt		*stmt;
	json_t			*obj, *appt;
	/* "all" takes the named session too, even once it has begun. */
	time_t			 from = following || start < req->ctx.now ?
				    start : req->ctx.now;
	int			 n;

	if (series_load(req, series_id, &s) == -1 ||
	    (stmt = db_stmt(req->ctx.pd->db, occ_cancel_from_sql)) == NULL)
		goto internal;
	sqlite3_bind_int64(stmt, 1, series_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)from);
	db_bind_text(stmt, 3, by);
	db_bind_text(stmt, 4, reason);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)req->ctx.now);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)(req->ctx.now +
	    (time_t)req->ctx.pd->conf->late_cancel_hours * 3600));
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto internal;
	n = sqlite3_changes(db_handle(req->ctx.pd->db));
	if (following) {
		struct occ_list	 old;
		size_t		 k;

		if (occ_expand(&s, recurrence + 1, &old) == -1)
			goto internal;
		k = occ_index(&old, recurrence);
		free(old.v);
		if (k == 0)		/* from the first on: all of it */
			snprintf(s.state, sizeof(s.state), "cancelled");
		else if (series_end_before(req, &s, recurrence, k) == -1)
			goto internal;
	} else
		snprintf(s.state, sizeof(s.state), "cancelled");
	if (series_store(req, &s) == -1 ||
	    exec_id_time(req, skips_drop_sql, series_id, following ?
	    recurrence : req->ctx.now) == -1 ||
	    audit_record(&req->ctx, "series.cancel", "series", series_id,
	    "%s from appointment %lld, %d cancelled, by %s",
	    following ? "following" : "all", appt_id, n, by) == -1)
		goto internal;
	obj = series_json(req, series_id, 0);
	appt = appt_json(req, appt_id);
	if (obj == NULL || appt == NULL) {
		json_decref(obj);
		json_decref(appt);
		goto internal;
	}
	api_reply(req, 200, json_pack("{s:o,s:o,s:i}", "appointment", appt,
	    "series", obj, "cancelled", n));
	return 0;
internal:
	api_internal(req);
	return -1;
}
