/*
 * /v1/appointments: book, list, show, move, cancel, restore, mark.  Each change
 * checks the rules and writes in one transaction, so a refusal leaves
 * the schedule exactly as it was.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "appt.h"
#include "attention.h"
#include "book.h"
#include "lookup.h"
#include "recur.h"
#include "remind_query.h"
#include "series.h"
#include "tz.h"

#define APPT_MAX_DAYS	3660

/*
 * Each session a change changed, as appointments: those the domain
 * names, else the one the change was of.  NULL on a database error.
 */
static json_t *
appt_changed_rows(struct api_req *req, const struct appt_result *res)
{
	json_t	*rows, *id, *row;
	size_t	 i;

	if ((rows = json_array()) == NULL)
		return NULL;
	if (res->changed == NULL) {
		if ((row = appt_json(&req->ctx, res->appt_id)) == NULL ||
		    json_array_append_new(rows, row) == -1) {
			json_decref(rows);
			return NULL;
		}
		return rows;
	}
	/* Each clinician's hours read once for all the rows, not per row. */
	attention_begin();
	json_array_foreach(res->changed, i, id) {
		if ((row = appt_json(&req->ctx, json_integer_value(id))) ==
		    NULL || json_array_append_new(rows, row) == -1) {
			attention_end();
			json_decref(rows);
			return NULL;
		}
	}
	attention_end();
	return rows;
}

/*
 * The answer to a change: the appointment, its warnings, and for a
 * session of a series the series and how many sessions changed.  A
 * move, cancel or restore (count_key given) lists what it changed.
 */
static void
appt_answer(struct api_req *req, int status, const struct appt_result *res,
    const char *count_key)
{
	json_t	*obj, *series, *changed;

	if ((obj = appt_json(&req->ctx, res->appt_id)) == NULL) {
		api_internal(req);
		return;
	}
	if ((obj = json_pack("{s:o}", "appointment", obj)) == NULL) {
		api_internal(req);
		return;
	}
	/* One shape: warnings always, empty when there are none. */
	json_object_set_new(obj, "warnings", res->warnings != NULL ?
	    json_incref(res->warnings) : json_array());
	if (count_key != NULL) {
		if ((changed = appt_changed_rows(req, res)) == NULL) {
			json_decref(obj);
			api_internal(req);
			return;
		}
		json_object_set_new(obj, PROTO_CHANGED, changed);
	}
	if (res->series_id != 0 && count_key != NULL) {
		if ((series = series_json(&req->ctx, res->series_id))
		    == NULL) {
			json_decref(obj);
			api_internal(req);
			return;
		}
		json_object_set_new(obj, "series", series);
		json_object_set_new(obj, count_key, json_integer(res->count));
		if (res->skipped != NULL)
			json_object_set(obj, "skipped", res->skipped);
	}
	api_reply(req, status, obj);
}

/* A change by scope following or all: the series and its counts. */
static void
appt_scope_answer(struct api_req *req, const struct appt_result *res,
    const char *count_key)
{
	json_t	*obj = series_json(&req->ctx, res->series_id);
	json_t	*appt = appt_json(&req->ctx, res->appt_id);
	json_t	*changed = appt_changed_rows(req, res);

	if (obj == NULL || appt == NULL || changed == NULL) {
		json_decref(obj);
		json_decref(appt);
		json_decref(changed);
		api_internal(req);
		return;
	}
	if (res->skipped != NULL)
		api_reply(req, 200, json_pack("{s:o,s:o,s:i,s:o,s:O,s:[]}",
		    "appointment", appt, "series", obj, count_key, res->count,
		    PROTO_CHANGED, changed, "skipped", res->skipped,
		    "warnings"));
	else
		api_reply(req, 200, json_pack("{s:o,s:o,s:i,s:o,s:[]}",
		    "appointment", appt, "series", obj, count_key, res->count,
		    PROTO_CHANGED, changed, "warnings"));
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
appt_read_booking(struct api_req *req, struct appt_booking *b)
{
	struct appt_plan	 flags;

	memset(&flags, 0, sizeof(flags));
	if (appt_read_flags(req, &flags) == -1 ||
	    appt_read_at(req, &b->start) == -1 ||
	    api_url(req, "video", &b->video) == -1)
		return -1;
	b->force = flags.force;
	b->overlap = flags.overlap;
	return 0;
}

static int
appt_read_refs(struct api_req *req, struct appt_booking *b)
{
	if (api_ref(req, KIND_CLIENT, "client", 1, &b->client_id) == -1 ||
	    api_ref(req, KIND_CLINICIAN, "clinician", 1,
	    &b->clinician_id) == -1 ||
	    api_ref(req, KIND_SERVICE, "service", 1, &b->service_id) == -1 ||
	    api_ref(req, KIND_ROOM, "room", 0, &b->room_id) == -1)
		return -1;
	return 0;
}

static int
appt_read_repeat(struct api_req *req, struct series_booking *sb)
{
	if (api_string(req, "repeat", RECUR_RULE_MAX - 1, 1, &sb->repeat)
	    == -1 ||
	    api_int(req, "count", 1, RECUR_MAX_COUNT, 0, &sb->count) == -1 ||
	    api_string(req, "until", 20, 0, &sb->until) == -1 ||
	    api_bool(req, "skip", &sb->skip) == -1)
		return -1;
	return 0;
}

static void
appt_series_answer(struct api_req *req, const struct appt_result *res)
{
	json_t	*obj = series_json(&req->ctx, res->series_id);
	json_t	*first = appt_json(&req->ctx, res->appt_id);

	if (obj == NULL || first == NULL) {
		json_decref(obj);
		json_decref(first);
		api_internal(req);
		return;
	}
	api_reply(req, 201, json_pack("{s:o,s:o,s:i,s:O,s:o}", "series", obj,
	    "appointment", first, "booked", res->count, "skipped",
	    res->skipped, "warnings", res->warnings ?
	    json_incref(res->warnings) : json_array()));
}

void
api_appointment_book(struct api_req *req)
{
	static const char *const fields[] = {
		"client", "clinician", "service", "at", "room", "video",
		"force", "overlap", "repeat", "count", "until", "skip", NULL
	};
	struct series_booking	 sb;
	struct appt_result	 res;
	int			 repeat = api_has(req, "repeat");

	memset(&sb, 0, sizeof(sb));
	memset(&res, 0, sizeof(res));
	if (!repeat && (api_has(req, "count") || api_has(req, "until") ||
	    api_has(req, "skip"))) {
		api_error(req, PROTO_EBADREQUEST, "count, until and skip go "
		    "with repeat");
		return;
	}
	if (api_fields(req, fields) == -1 ||
	    appt_read_booking(req, &sb.appt) == -1 ||
	    (repeat && appt_read_repeat(req, &sb) == -1) ||
	    api_begin(req) == -1)
		return;
	if (appt_read_refs(req, &sb.appt) == -1)
		goto done;
	if (repeat) {
		if (series_book(&req->ctx, &sb, &res) == 0)
			appt_series_answer(req, &res);
	} else if (book_new(&req->ctx, &sb.appt, &res) == 0)
		appt_answer(req, 201, &res, NULL);
done:
	appt_result_clear(&res);
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

int
api_page(struct api_req *req, int dflt, int max, int *limit,
    struct appt_cursor *buf, const struct appt_cursor **after)
{
	const char	*v;
	char		 why[64];
	long long	 n = dflt;

	*after = NULL;
	snprintf(why, sizeof(why), PROTO_PAGE_LIMIT ": a whole number from "
	    "1 to %d", max);
	if (api_query_int(req, PROTO_PAGE_LIMIT, 1, max, &n, why) == -1)
		return -1;
	*limit = (int)n;
	if ((v = api_query(req, PROTO_PAGE_AFTER)) == NULL)
		return 0;
	if (appt_cursor_parse(&req->ctx, v, buf) == -1)
		return -1;
	*after = buf;
	return 0;
}

json_t *
api_page_next(const struct appt_cursor *next, int more)
{
	char	 cursor[APPT_CURSOR_LEN];

	if (!more)
		return json_null();
	appt_cursor_format(next, cursor, sizeof(cursor));
	return json_string(cursor);
}

void
api_appointment_list(struct api_req *req)
{
	struct appt_range	 r;
	struct appt_filter	 f;
	struct appt_cursor	 buf, next;
	const struct appt_cursor *after;
	json_t			*list;
	char			 from[TZ_BUFLEN], to[TZ_BUFLEN];
	struct tz_wall		 end;
	int			 limit, more;

	memset(&f, 0, sizeof(f));
	if (appt_read_range(req, &r) == -1 ||
	    appt_list_filters(req, &f.clinician_id, &f.client_id,
	    &f.state) == -1 ||
	    api_page(req, PROTO_PAGE_DEFAULT, PROTO_PAGE_MAX, &limit, &buf,
	    &after) == -1)
		return;
	end = r.to;
	tz_add_days(&end, 1);
	f.from = tz_day_start(req->ctx.tz, r.from.year, r.from.month,
	    r.from.day);
	f.to = tz_day_start(req->ctx.tz, end.year, end.month, end.day);
	if ((list = appt_list(&req->ctx, &f, after, limit, &next,
	    &more)) == NULL || remind_query_counts(&req->ctx, list) == -1) {
		json_decref(list);
		api_internal(req);
		return;
	}
	tz_format_date(&r.from, from);
	tz_format_date(&r.to, to);
	api_reply(req, 200, json_pack("{s:s,s:s,s:s,s:o,s:o}", "from", from,
	    "to", to, "tz", req->ctx.tz, "appointments", list,
	    PROTO_PAGE_NEXT, api_page_next(&next, more)));
}

/* GET /v1/appointments/ID */

void
api_appointment_show(struct api_req *req)
{
	struct appt_row		 row;
	struct appt_result	 res;
	long long		 id;

	memset(&res, 0, sizeof(res));
	if (api_id(req, req->arg[0], &id) == -1 ||
	    appt_load(&req->ctx, id, &row) == -1)
		return;
	res.appt_id = id;
	appt_answer(req, 200, &res, NULL);
}

/* "this" (or nothing), "following" or "all". */
static int
appt_read_scope(struct api_req *req, enum appt_scope *scope)
{
	const char	*v;

	*scope = APPT_THIS;
	if (api_string(req, "scope", 20, 0, &v) == -1)
		return -1;
	if (v == NULL || strcmp(v, "this") == 0)
		return 0;
	if (strcmp(v, "following") == 0)
		*scope = APPT_FOLLOWING;
	else if (strcmp(v, "all") == 0)
		*scope = APPT_ALL;
	else {
		api_error(req, PROTO_EBADREQUEST,
		    "scope must be this, following or all");
		return -1;
	}
	return 0;
}

/* POST /v1/appointments/ID/move */

static int
appt_read_where(struct api_req *req, struct appt_change *ch)
{
	if (api_ref(req, KIND_CLINICIAN, "clinician", 0,
	    &ch->clinician_id) == -1)
		return -1;
	if (api_clearing(req, "room"))
		ch->room_id = -1;
	else if (api_ref(req, KIND_ROOM, "room", 0, &ch->room_id) == -1)
		return -1;
	if ((ch->video_given = api_has(req, "video")) &&
	    !api_clearing(req, "video") &&
	    api_url(req, "video", &ch->video) == -1)
		return -1;
	return 0;
}

void
api_appointment_move(struct api_req *req)
{
	static const char *const fields[] = {
		"at", "room", "video", "clinician", "force", "overlap",
		"scope", "skip", NULL
	};
	struct appt_plan	 flags;
	struct appt_change	 ch;
	struct appt_result	 res;
	long long		 id;

	memset(&flags, 0, sizeof(flags));
	memset(&ch, 0, sizeof(ch));
	memset(&res, 0, sizeof(res));
	ch.same_time = !api_has(req, "at");
	if (api_fields(req, fields) == -1 ||
	    appt_read_flags(req, &flags) == -1 ||
	    appt_read_scope(req, &ch.scope) == -1 ||
	    (!ch.same_time && appt_read_at(req, &ch.start) == -1) ||
	    api_bool(req, "skip", &ch.skip) == -1 ||
	    api_id(req, req->arg[0], &id) == -1)
		return;
	/* A move changes the time, the place, or both; not nothing. */
	if (ch.same_time && !api_has(req, "room") && !api_has(req, "video") &&
	    !api_has(req, "clinician")) {
		api_error(req, PROTO_EBADREQUEST, "a move needs a new time "
		    "(at), room, video link or clinician");
		return;
	}
	if (ch.scope == APPT_THIS && api_has(req, "skip")) {
		api_error(req, PROTO_EBADREQUEST, "skip goes with scope "
		    "following or all");
		return;
	}
	ch.force = flags.force;
	ch.overlap = flags.overlap;
	if (api_begin(req) == -1)
		return;
	if (appt_read_where(req, &ch) == 0 &&
	    book_move(&req->ctx, id, &ch, &res) == 0) {
		if (ch.scope == APPT_THIS)
			appt_answer(req, 200, &res, "moved");
		else
			appt_scope_answer(req, &res, "moved");
	}
	appt_result_clear(&res);
	api_finish(req);
}

/* POST /v1/appointments/ID/cancel */

void
api_appointment_cancel(struct api_req *req)
{
	static const char *const fields[] = { "by", "reason", "scope", NULL };
	struct appt_result	 res;
	enum appt_scope		 scope;
	const char		*by, *reason;
	long long		 id;

	memset(&res, 0, sizeof(res));
	if (api_fields(req, fields) == -1 ||
	    appt_read_scope(req, &scope) == -1 ||
	    api_string(req, "by", 10, 0, &by) == -1 ||
	    api_text(req, "reason", 500, 0, &reason) == -1)
		return;
	if (by != NULL && strcmp(by, "client") != 0 &&
	    strcmp(by, "practice") != 0) {
		api_error(req, PROTO_EBADREQUEST,
		    "by must be client or practice");
		return;
	}
	if (api_id(req, req->arg[0], &id) == -1 || api_begin(req) == -1)
		return;
	if (book_cancel(&req->ctx, id, scope, by, reason, &res) == 0) {
		if (scope == APPT_THIS)
			appt_answer(req, 200, &res, "cancelled");
		else
			appt_scope_answer(req, &res, "cancelled");
	}
	appt_result_clear(&res);
	api_finish(req);
}

/* POST /v1/appointments/ID/restore */

void
api_appointment_restore(struct api_req *req)
{
	static const char *const fields[] = { "force", "overlap", NULL };
	struct appt_plan	 flags;
	struct appt_result	 res;
	long long		 id;

	memset(&flags, 0, sizeof(flags));
	memset(&res, 0, sizeof(res));
	if (api_fields(req, fields) == -1 ||
	    api_bool(req, "force", &flags.force) == -1 ||
	    api_bool(req, "overlap", &flags.overlap) == -1 ||
	    api_id(req, req->arg[0], &id) == -1 || api_begin(req) == -1)
		return;
	if (book_restore(&req->ctx, id, flags.force, flags.overlap,
	    &res) == 0)
		appt_answer(req, 200, &res, "restored");
	appt_result_clear(&res);
	api_finish(req);
}

/* POST /v1/appointments/ID/mark */

void
api_appointment_mark(struct api_req *req)
{
	static const char *const fields[] = { "state", NULL };
	static const char *const states[] = {
		"attended", "no-show", "confirmed", "booked", NULL
	};
	struct appt_result	 res;
	const char		*state;
	long long		 id;
	size_t			 i;

	memset(&res, 0, sizeof(res));
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
	if (api_id(req, req->arg[0], &id) == -1 || api_begin(req) == -1)
		return;
	if (book_mark(&req->ctx, id, state, &res) == 0)
		appt_answer(req, 200, &res, NULL);
	appt_result_clear(&res);
	api_finish(req);
}
