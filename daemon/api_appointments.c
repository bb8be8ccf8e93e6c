/*
 * /v1/appointments: book, list, show, move, cancel, mark.  Each change
 * checks the rules and writes in one transaction, so a refusal leaves
 * the schedule exactly as it was.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "appt.h"
#include "audit.h"
#include "config.h"
#include "db.h"
#include "lookup.h"
#include "practiced.h"
#include "schedule.h"
#include "series.h"
#include "tz.h"

/* One statement per leading filter, so each can use its own index. */
#define APPT_LIST_WHERE(lead)						\
    "SELECT " APPT_COLUMNS APPT_FROM " WHERE " lead			\
    " a.start_utc >= ?1 AND a.start_utc < ?2"				\
    "   AND (?3 = 0 OR a.clinician_id = ?3)"				\
    "   AND (?4 = 0 OR a.client_id = ?4)"				\
    "   AND (?5 IS NULL OR a.state = ?5)"				\
    " ORDER BY a.start_utc, a.id"
static const char *appt_list_sql = APPT_LIST_WHERE("");
static const char *appt_list_clinician_sql =
    APPT_LIST_WHERE("a.clinician_id = ?3 AND");
static const char *appt_list_client_sql =
    APPT_LIST_WHERE("a.client_id = ?4 AND");
static const char *appt_move_sql =
    "UPDATE appointments SET clinician_id = ?2, room_id = ?3,"
    "  video_url = ?4, start_utc = ?5, end_utc = ?6, block_end_utc = ?7,"
    "  zone = ?8, forced = ?9, overlap = ?10, state = 'booked',"
    "  override = (series_id IS NOT NULL),"
    "  version = version + 1, updated = ?11 WHERE id = ?1";
static const char *appt_cancel_sql =
    "UPDATE appointments SET state = 'cancelled', cancelled_by = ?2,"
    "  late = ?3, cancel_reason = ?4, version = version + 1,"
    "  updated = ?5 WHERE id = ?1";
static const char *appt_mark_sql =
    "UPDATE appointments SET state = ?2, updated = ?3 WHERE id = ?1";
#define APPT_MAX_DAYS	3660

static void
appt_answer(struct api_req *req, int status, long long id, json_t *warnings)
{
	json_t	*obj = appt_json(req, id);

	if (obj == NULL) {
		json_decref(warnings);
		api_internal(req);
		return;
	}
	if (warnings != NULL)
		api_reply(req, status, json_pack("{s:o,s:o}", "appointment",
		    obj, "warnings", warnings));
	else
		api_reply(req, status, json_pack("{s:o}", "appointment", obj));
}

/* A move or cancel of one session: how many, and its series if any. */
static void
appt_answer_one(struct api_req *req, long long id, json_t *warnings,
    long long series_id, const char *count_key)
{
	json_t	*series = series_id ? series_json(req, series_id, 0) :
		    json_null();

	appt_answer(req, 200, id, warnings);
	if (req->reply == NULL || api_failed(req) || series == NULL) {
		json_decref(series);
		return;
	}
	json_object_set_new(req->reply, "series", series);
	json_object_set_new(req->reply, count_key, json_integer(1));
}

static int
appt_read_at(struct api_req *req, time_t *start)
{
	const char	*at;
	char		 err[200];

	if (api_string(req, "at", 40, 1, &at) == -1)
		return -1;
	if (tz_parse_datetime(at, req->ctx.tz, req->ctx.now, start, err,
	    sizeof(err)) == -1) {
		api_error(req, PROTO_EBADREQUEST, "%s", err);
		return -1;
	}
	return 0;
}

static int
appt_read_flags(struct api_req *req, struct appt_plan *p)
{
	if (api_bool(req, "force", &p->force) == -1 ||
	    api_bool(req, "overlap", &p->overlap) == -1)
		return -1;
	if (api_has(req, "room") && api_has(req, "video") &&
	    !api_clearing(req, "room") && !api_clearing(req, "video")) {
		api_error(req, PROTO_EBADREQUEST,
		    "give a room or a video link, not both");
		return -1;
	}
	return 0;
}

/* POST /v1/appointments */

static int
appt_insert(struct api_req *req, struct appt_plan *p, long long client_id,
    long long service_id, const char *video, long long *id)
{
	struct appt_new	 a;

	memset(&a, 0, sizeof(a));
	a.clinician_id = p->slot.clinician_id;
	a.client_id = client_id;
	a.service_id = service_id;
	a.room_id = p->slot.room_id;
	a.video = video;
	a.start = p->slot.start;
	a.end = p->slot.end;
	a.block_end = p->slot.block_end;
	a.zone = p->zone;
	a.forced = p->forced;
	a.overlap = p->overlapped;
	return appt_store(req, &a, id);
}

static void
appt_book_series(struct api_req *req, struct appt_plan *p,
    long long client_id, long long service_id, const char *video)
{
	struct series_booking	 b;

	if (appt_clinician_zone(req, p) == -1) {
		api_internal(req);
		return;
	}
	if (lookup_require_active(&req->ctx, KIND_CLINICIAN,
	    p->slot.clinician_id) == -1 || (p->slot.room_id != 0 &&
	    lookup_require_active(&req->ctx, KIND_ROOM, p->slot.room_id) == -1))
		return;
	memset(&b, 0, sizeof(b));
	b.clinician_id = p->slot.clinician_id;
	b.client_id = client_id;
	b.service_id = service_id;
	b.room_id = p->slot.room_id;
	b.video = video;
	b.zone = p->zone;
	b.start = p->slot.start;
	b.minutes = (int)((p->slot.end - p->slot.start) / 60);
	b.buffer = (int)((p->slot.block_end - p->slot.end) / 60);
	b.force = p->force;
	b.overlap = p->overlap;
	api_series_book(req, &b);
}

void
api_appointment_book(struct api_req *req)
{
	static const char *const fields[] = {
		"client", "clinician", "service", "at", "room", "video",
		"force", "overlap", "repeat", "count", "until", "skip", NULL
	};
	struct appt_plan	 p;
	const char		*video;
	char			 when[TZ_BUFLEN];
	long long		 client_id, service_id, id;

	memset(&p, 0, sizeof(p));
	if (!api_has(req, "repeat") && (api_has(req, "count") ||
	    api_has(req, "until") || api_has(req, "skip"))) {
		api_error(req, PROTO_EBADREQUEST, "count, until and skip go "
		    "with repeat");
		return;
	}
	if (api_fields(req, fields) == -1 || appt_read_flags(req, &p) == -1 ||
	    appt_read_at(req, &p.slot.start) == -1 ||
	    api_url(req, "video", &video) == -1 || api_begin(req) == -1)
		return;
	if (api_ref(req, KIND_CLIENT, "client", 1, &client_id) == -1 ||
	    api_ref(req, KIND_CLINICIAN, "clinician", 1,
	    &p.slot.clinician_id) == -1 ||
	    api_ref(req, KIND_SERVICE, "service", 1, &service_id) == -1 ||
	    api_ref(req, KIND_ROOM, "room", 0, &p.slot.room_id) == -1 ||
	    lookup_require_active(&req->ctx, KIND_CLIENT, client_id) == -1 ||
	    lookup_require_active(&req->ctx, KIND_SERVICE, service_id) == -1)
		goto done;
	if (appt_service_length(req, service_id, &p) == -1) {
		api_internal(req);
		goto done;
	}
	if (api_has(req, "repeat")) {
		appt_book_series(req, &p, client_id, service_id, video);
		goto done;
	}
	if (appt_check(req, &p) == -1)
		goto done;
	if (appt_insert(req, &p, client_id, service_id, video, &id) == -1) {
		api_internal(req);
		goto done;
	}
	tz_format_local(p.zone, p.slot.start, when);
	if (audit_record(&req->ctx, "appointment.book", "appointment", id,
	    "client %lld, clinician %lld, %s %s%s", client_id,
	    p.slot.clinician_id, when, p.zone, appt_flags_note(&p)) == -1)
		goto done;
	appt_answer(req, 201, id, p.warnings);
	p.warnings = NULL;
done:
	json_decref(p.warnings);
	api_finish(req);
}

/* GET /v1/appointments */

struct appt_range {
	struct tz_wall	 from, to;	/* inclusive days */
};

static int
appt_date_param(struct api_req *req, const char *key, struct tz_wall *w)
{
	const char	*v = api_query(req, key);
	char		 err[160];

	if (v == NULL)
		return 0;
	if (tz_parse_date(v, req->ctx.tz, req->ctx.now, w, err, sizeof(err)) == -1) {
		api_error(req, PROTO_EBADREQUEST, "%s: %s", key, err);
		return -1;
	}
	return 1;
}

static long
appt_days_between(const struct tz_wall *a, const struct tz_wall *b)
{
	time_t	 ta = tz_day_start("UTC", a->year, a->month, a->day);
	time_t	 tb = tz_day_start("UTC", b->year, b->month, b->day);

	return (long)((tb - ta) / 86400);
}

static int
appt_read_range(struct api_req *req, struct appt_range *r)
{
	int	 day, week, from, to;

	if ((day = appt_date_param(req, "day", &r->from)) == -1 ||
	    (week = appt_date_param(req, "week", &r->from)) == -1 ||
	    (from = appt_date_param(req, "from", &r->from)) == -1 ||
	    (to = appt_date_param(req, "to", &r->to)) == -1)
		return -1;
	if (day + week + (from || to) > 1) {
		api_error(req, PROTO_EBADREQUEST,
		    "give one of day, week, or from/to");
		return -1;
	}
	if (day + week + from + to == 0)
		tz_parse_date("today", req->ctx.tz, req->ctx.now, &r->from, NULL, 0);
	if (week)
		tz_add_days(&r->from, -r->from.wday);
	if (to && !from)
		tz_parse_date("today", req->ctx.tz, req->ctx.now, &r->from, NULL, 0);
	if (!to) {
		r->to = r->from;
		tz_add_days(&r->to, week ? 6 : from ? 6 : 0);
	}
	if (appt_days_between(&r->from, &r->to) < 0) {
		api_error(req, PROTO_EBADREQUEST, "the range ends before it "
		    "starts");
		return -1;
	}
	if (appt_days_between(&r->from, &r->to) > APPT_MAX_DAYS) {
		api_error(req, PROTO_EBADREQUEST, "the range is longer than "
		    "%d days", APPT_MAX_DAYS);
		return -1;
	}
	return 0;
}

static int
appt_list_filters(struct api_req *req, long long *clinician,
    long long *client, const char **state)
{
	static const char *const states[] = {
		"booked", "confirmed", "cancelled", "attended", "no-show", NULL
	};
	const char	*v;
	size_t		 i;

	*clinician = *client = 0;
	if ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, clinician) == -1)
		return -1;
	if ((v = api_query(req, "client")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLIENT, v, client) == -1)
		return -1;
	if ((*state = api_query(req, "state")) == NULL)
		return 0;
	for (i = 0; states[i] != NULL; i++)
		if (strcmp(states[i], *state) == 0)
			return 0;
	api_error(req, PROTO_EBADREQUEST, "state must be booked, confirmed, "
	    "cancelled, attended or no-show");
	return -1;
}

void
api_appointment_list(struct api_req *req)
{
	struct appt_range	 r;
	sqlite3_stmt		*stmt;
	const char		*state;
	json_t			*list;
	char			 from[TZ_BUFLEN], to[TZ_BUFLEN];
	struct tz_wall		 end;
	long long		 clinician, client;

	if (appt_read_range(req, &r) == -1 ||
	    appt_list_filters(req, &clinician, &client, &state) == -1)
		return;
	if ((stmt = db_stmt(req->ctx.pd->db, client != 0 ? appt_list_client_sql :
	    clinician != 0 ? appt_list_clinician_sql : appt_list_sql)) == NULL) {
		api_internal(req);
		return;
	}
	end = r.to;
	tz_add_days(&end, 1);
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)tz_day_start(req->ctx.tz,
	    r.from.year, r.from.month, r.from.day));
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)tz_day_start(req->ctx.tz,
	    end.year, end.month, end.day));
	sqlite3_bind_int64(stmt, 3, clinician);
	sqlite3_bind_int64(stmt, 4, client);
	db_bind_text(stmt, 5, state);
	if ((list = api_rows(req, stmt, appt_row_json)) == NULL) {
		api_internal(req);
		return;
	}
	tz_format_date(&r.from, from);
	tz_format_date(&r.to, to);
	api_reply(req, 200, json_pack("{s:s,s:s,s:s,s:o}", "from", from,
	    "to", to, "tz", req->ctx.tz, "appointments", list));
}

/* GET /v1/appointments/ID */

static int
appt_lookup(struct api_req *req, long long *id)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (api_id(req, req->arg[0], id) == -1)
		return -1;
	if ((stmt = db_stmt(req->ctx.pd->db, "SELECT 1 FROM appointments "
	    "WHERE id = ?1")) == NULL) {
		api_internal(req);
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, *id);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		api_error(req, PROTO_ENOTFOUND, "no appointment %lld", *id);
	else
		api_internal(req);
	return -1;
}

void
api_appointment_show(struct api_req *req)
{
	long long	 id;

	if (appt_lookup(req, &id) == 0)
		appt_answer(req, 200, id, NULL);
}

/* "this" (or nothing), "following" or "all"; -1 on a bad word. */
static int
appt_read_scope(struct api_req *req, int *scope)
{
	const char	*v;

	*scope = 0;
	if (api_string(req, "scope", 20, 0, &v) == -1)
		return -1;
	if (v == NULL || strcmp(v, "this") == 0)
		return 0;
	if (strcmp(v, "following") == 0)
		*scope = 1;
	else if (strcmp(v, "all") == 0)
		*scope = 2;
	else {
		api_error(req, PROTO_EBADREQUEST,
		    "scope must be this, following or all");
		return -1;
	}
	return 0;
}

static int
appt_in_series(struct api_req *req, long long id, const struct appt_row *row)
{
	if (row->series_id != 0)
		return 0;
	api_error(req, PROTO_EBADREQUEST, "appointment %lld is not part of "
	    "a series; following and all apply to series", id);
	return -1;
}

static int
appt_move_series(struct api_req *req, long long id, const struct appt_row *row,
    struct appt_plan *p, int scope)
{
	struct series_change	 ch;

	memset(&ch, 0, sizeof(ch));
	ch.following = scope == 1;
	ch.force = p->force;
	ch.overlap = p->overlap;
	if (api_bool(req, "skip", &ch.skip) == -1 ||
	    api_ref(req, KIND_CLINICIAN, "clinician", 0,
	    &ch.clinician_id) == -1)
		return -1;
	if (api_clearing(req, "room"))
		ch.room_id = -1;
	else if (api_ref(req, KIND_ROOM, "room", 0, &ch.room_id) == -1)
		return -1;
	if (api_has(req, "video")) {
		api_error(req, PROTO_EBADREQUEST, "a series' video link "
		    "changes one session at a time (scope this)");
		return -1;
	}
	if ((ch.clinician_id != 0 && lookup_require_active(&req->ctx,
	    KIND_CLINICIAN, ch.clinician_id) == -1) || (ch.room_id > 0 &&
	    lookup_require_active(&req->ctx, KIND_ROOM, ch.room_id) == -1))
		return -1;
	return api_series_move(req, id, row->series_id, row->recurrence,
	    p->slot.start, &ch);
}

/* POST /v1/appointments/ID/move */

static int
appt_move_where(struct api_req *req, const struct appt_row *row,
    struct appt_plan *p, const char **video)
{
	*video = row->has_video ? row->video : NULL;
	p->slot.room_id = row->room_id;
	p->slot.clinician_id = row->clinician_id;
	if (api_ref(req, KIND_CLINICIAN, "clinician", 0,
	    &p->slot.clinician_id) == -1)
		return -1;
	if (p->slot.clinician_id == 0)
		p->slot.clinician_id = row->clinician_id;
	if (api_clearing(req, "room"))
		p->slot.room_id = 0;
	else if (api_has(req, "room")) {
		if (api_ref(req, KIND_ROOM, "room", 0,
		    &p->slot.room_id) == -1)
			return -1;
		*video = NULL;
	}
	if (api_clearing(req, "video"))
		*video = NULL;
	else if (api_has(req, "video")) {
		if (api_url(req, "video", video) == -1)
			return -1;
		p->slot.room_id = 0;
	}
	return 0;
}

static int
appt_update_move(struct api_req *req, long long id, struct appt_plan *p,
    const char *video)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(req->ctx.pd->db, appt_move_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, p->slot.clinician_id);
	if (p->slot.room_id != 0)
		sqlite3_bind_int64(stmt, 3, p->slot.room_id);
	db_bind_text(stmt, 4, video);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)p->slot.start);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)p->slot.end);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)p->slot.block_end);
	db_bind_text(stmt, 8, p->zone);
	sqlite3_bind_int(stmt, 9, p->forced);
	sqlite3_bind_int(stmt, 10, p->overlapped);
	sqlite3_bind_int64(stmt, 11, (sqlite3_int64)req->ctx.now);
	return db_exec_stmt(req->ctx.pd->db, stmt);
}

void
api_appointment_move(struct api_req *req)
{
	static const char *const fields[] = {
		"at", "room", "video", "clinician", "force", "overlap",
		"scope", "skip", NULL
	};
	struct appt_plan	 p;
	struct appt_row		 row;
	const char		*video;
	char			 was[TZ_BUFLEN], now[TZ_BUFLEN];
	long long		 id;
	int			 scope;

	memset(&p, 0, sizeof(p));
	if (api_fields(req, fields) == -1 || appt_read_flags(req, &p) == -1 ||
	    appt_read_scope(req, &scope) == -1 ||
	    appt_read_at(req, &p.slot.start) == -1 || api_begin(req) == -1)
		return;
	if (scope == 0 && api_has(req, "skip")) {
		api_error(req, PROTO_EBADREQUEST, "skip goes with scope "
		    "following or all");
		goto done;
	}
	if (appt_lookup(req, &id) == -1 ||
	    appt_load_open(req, id, &row, "moved") == -1)
		goto done;
	if (scope != 0) {
		if (appt_in_series(req, id, &row) == 0)
			(void)appt_move_series(req, id, &row, &p, scope);
		goto done;
	}
	if (appt_move_where(req, &row, &p, &video) == -1)
		goto done;
	p.slot.id = id;
	p.slot.end = p.slot.start + (row.end - row.start);
	p.slot.block_end = p.slot.end + (row.block_end - row.end);
	if (appt_check(req, &p) == -1)
		goto done;
	if (appt_update_move(req, id, &p, video) == -1) {
		api_internal(req);
		goto done;
	}
	tz_format_local(p.zone, row.start, was);
	tz_format_local(p.zone, p.slot.start, now);
	if (audit_record(&req->ctx, "appointment.move", "appointment", id,
	    "from %s to %s %s, clinician %lld%s", was, now, p.zone,
	    p.slot.clinician_id, appt_flags_note(&p)) == -1)
		goto done;
	appt_answer_one(req, id, p.warnings ? p.warnings : json_array(),
	    row.series_id, "moved");
	p.warnings = NULL;
done:
	json_decref(p.warnings);
	api_finish(req);
}

/* POST /v1/appointments/ID/cancel */

void
api_appointment_cancel(struct api_req *req)
{
	static const char *const fields[] = { "by", "reason", "scope", NULL };
	struct appt_row	 row;
	sqlite3_stmt	*stmt;
	const char	*by, *reason;
	long long	 id;
	int		 late, scope;

	if (api_fields(req, fields) == -1 ||
	    appt_read_scope(req, &scope) == -1 ||
	    api_string(req, "by", 10, 0, &by) == -1 ||
	    api_text(req, "reason", 500, 0, &reason) == -1)
		return;
	if (by == NULL)
		by = "practice";
	if (strcmp(by, "client") != 0 && strcmp(by, "practice") != 0) {
		api_error(req, PROTO_EBADREQUEST,
		    "by must be client or practice");
		return;
	}
	if (api_begin(req) == -1)
		return;
	if (appt_lookup(req, &id) == -1 ||
	    appt_load_open(req, id, &row, "cancelled") == -1)
		goto done;
	if (scope != 0) {
		if (appt_in_series(req, id, &row) == 0)
			(void)api_series_cancel(req, id, row.series_id,
			    row.start, row.recurrence, scope == 1, by, reason);
		goto done;
	}
	/* Late is the client's short notice; the practice is never late. */
	late = strcmp(by, "client") == 0 && row.start - req->ctx.now <
	    (time_t)req->ctx.pd->conf->late_cancel_hours * 3600;
	if ((stmt = db_stmt(req->ctx.pd->db, appt_cancel_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, by);
	sqlite3_bind_int(stmt, 3, late);
	db_bind_text(stmt, 4, reason);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)req->ctx.now);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	if (audit_record(&req->ctx, "appointment.cancel", "appointment", id,
	    "by %s%s", by, late ? ", late" : "") == -1)
		goto done;
	appt_answer_one(req, id, NULL, row.series_id, "cancelled");
	goto done;
fail:
	api_internal(req);
done:
	api_finish(req);
}

/* POST /v1/appointments/ID/mark */

static int
appt_mark_allowed(struct api_req *req, long long id,
    const struct appt_row *row, const char *state)
{
	int	 outcome = strcmp(state, "attended") == 0 ||
		    strcmp(state, "no-show") == 0;

	if (strcmp(row->state, "cancelled") == 0) {
		api_error(req, PROTO_ESTATE, "appointment %lld is cancelled "
		    "and cannot be marked %s", id, state);
		return -1;
	}
	if (outcome && row->start > req->ctx.now) {
		char	 when[TZ_BUFLEN];

		tz_format_local(req->ctx.tz, row->start, when);
		api_error(req, PROTO_ESTATE, "appointment %lld has not "
		    "started yet (it starts %s %s)", id, when, req->ctx.tz);
		return -1;
	}
	if (!outcome && !appt_is_open(row)) {
		api_error(req, PROTO_ESTATE, "appointment %lld is already "
		    "marked %s", id, row->state);
		return -1;
	}
	return 0;
}

void
api_appointment_mark(struct api_req *req)
{
	static const char *const fields[] = { "state", NULL };
	static const char *const states[] = {
		"attended", "no-show", "confirmed", "booked", NULL
	};
	struct appt_row	 row;
	sqlite3_stmt	*stmt;
	const char	*state;
	long long	 id;
	size_t		 i;

	if (api_fields(req, fields) == -1 ||
	    api_string(req, "state", 20, 1, &state) == -1)
		return;
	for (i = 0; states[i] != NULL; i++)
		if (strcmp(states[i], state) == 0)
			break;
	if (states[i] == NULL) {
		api_error(req, PROTO_EBADREQUEST, "state must be attended, "
		    "no-show, confirmed or booked");
		return;
	}
	if (api_begin(req) == -1)
		return;
	if (appt_lookup(req, &id) == -1)
		goto done;
	if (appt_load(req, id, &row) == -1)
		goto fail;
	if (appt_mark_allowed(req, id, &row, state) == -1)
		goto done;
	if (strcmp(row.state, state) != 0) {
		if ((stmt = db_stmt(req->ctx.pd->db, appt_mark_sql)) == NULL)
			goto fail;
		sqlite3_bind_int64(stmt, 1, id);
		db_bind_text(stmt, 2, state);
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)req->ctx.now);
		if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
			goto fail;
		if (audit_record(&req->ctx, "appointment.mark", "appointment", id,
		    "%s -> %s", row.state, state) == -1)
			goto done;
	}
	appt_answer(req, 200, id, NULL);
	goto done;
fail:
	api_internal(req);
done:
	api_finish(req);
}

