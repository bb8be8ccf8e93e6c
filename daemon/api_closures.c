/*
 * /v1/closures: days the practice, or one clinician, does not see
 * clients.  A closure blocks booking and availability; the sessions it
 * covers stay booked and are listed, since moving them is staff's call.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "db.h"
#include "lookup.h"
#include "practiced.h"
#include "tz.h"
#include "appt.h"
#include "series.h"

static const char *closure_one_sql =
    "SELECT k.id, k.first_day, k.last_day, k.reason, k.zone, k.start_utc,"
    "  k.end_utc, k.created, c.id, c.name FROM closures k"
    "  LEFT JOIN clinicians c ON c.id = k.clinician_id WHERE k.id = ?1";
static const char *closure_list_sql =
    "SELECT k.id, k.first_day, k.last_day, k.reason, k.zone, k.start_utc,"
    "  k.end_utc, k.created, c.id, c.name FROM closures k"
    "  LEFT JOIN clinicians c ON c.id = k.clinician_id"
    "  WHERE k.end_utc > ?1 AND k.start_utc < ?2"
    "    AND (?3 = 0 OR k.clinician_id IS NULL OR k.clinician_id = ?3)"
    "  ORDER BY k.start_utc, k.id";
static const char *closure_insert_sql =
    "INSERT INTO closures (clinician_id, first_day, last_day, zone,"
    "  start_utc, end_utc, reason, created)"
    "  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char *closure_delete_sql = "DELETE FROM closures WHERE id = ?1";
static const char *closure_affected_sql =
    "SELECT id FROM appointments WHERE state IN ('booked','confirmed')"
    "  AND start_utc < ?2 AND end_utc > ?1"
    "  AND (?3 = 0 OR clinician_id = ?3) ORDER BY start_utc";

static json_t *
closure_row_json(struct api_req *req, sqlite3_stmt *stmt)
{
	json_t	*who = json_null();

	(void)req;
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
	    "start", api_instant((time_t)sqlite3_column_int64(stmt, 5)),
	    "end", api_instant((time_t)sqlite3_column_int64(stmt, 6)),
	    "created", api_instant((time_t)sqlite3_column_int64(stmt, 7)));
}

static json_t *
closure_json(struct api_req *req, long long id)
{
	return api_row_by_id(req, closure_one_sql, id, closure_row_json);
}

static int
closure_day(struct api_req *req, const char *field, int required,
    const char *zone, struct tz_wall *w)
{
	const char	*v;
	char		 err[160];

	if (api_string(req, field, 20, required, &v) == -1)
		return -1;
	if (v == NULL)
		return 0;
	if (tz_parse_date(v, zone, req->ctx.now, w, err, sizeof(err)) == -1) {
		api_error(req, PROTO_EBADREQUEST, "%s: %s", field, err);
		return -1;
	}
	return 1;
}

struct closure_new {
	long long	 clinician_id;
	char		 zone[72];
	struct tz_wall	 from, to;
	time_t		 start, end;
	const char	*reason;
};

static int
closure_read(struct api_req *req, struct closure_new *c)
{
	struct tz_wall	 next;
	int		 has_to;

	if (api_string(req, "reason", 200, 1, &c->reason) == -1 ||
	    api_ref(req, KIND_CLINICIAN, "clinician", 0,
	    &c->clinician_id) == -1)
		return -1;
	snprintf(c->zone, sizeof(c->zone), "%s", req->ctx.pd->conf->timezone);
	if (c->clinician_id != 0) {
		sqlite3_stmt	*stmt = db_stmt(req->ctx.pd->db,
		    "SELECT zone FROM clinicians WHERE id = ?1");

		if (stmt == NULL) {
			api_internal(req);
			return -1;
		}
		sqlite3_bind_int64(stmt, 1, c->clinician_id);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			snprintf(c->zone, sizeof(c->zone), "%s",
			    db_column_text(stmt, 0));
		sqlite3_reset(stmt);
	}
	if (closure_day(req, "from", 1, c->zone, &c->from) == -1 ||
	    (has_to = closure_day(req, "to", 0, c->zone, &c->to)) == -1)
		return -1;
	if (!has_to)
		c->to = c->from;
	c->start = tz_day_start(c->zone, c->from.year, c->from.month,
	    c->from.day);
	next = c->to;
	tz_add_days(&next, 1);
	c->end = tz_day_start(c->zone, next.year, next.month, next.day);
	if (c->end <= c->start) {
		api_error(req, PROTO_EBADREQUEST, "the closure ends before it "
		    "starts");
		return -1;
	}
	if (c->end - c->start > 400L * 86400) {
		api_error(req, PROTO_EBADREQUEST, "a closure is at most 400 "
		    "days");
		return -1;
	}
	return 0;
}

static json_t *
closure_affected(struct api_req *req, const struct closure_new *c)
{
	sqlite3_stmt	*stmt;
	json_t		*list, *a;
	long long	 ids[1000];
	size_t		 n = 0, i;

	if ((stmt = db_stmt(req->ctx.pd->db, closure_affected_sql)) == NULL ||
	    (list = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)c->start);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)c->end);
	sqlite3_bind_int64(stmt, 3, c->clinician_id);
	while (n < sizeof(ids) / sizeof(ids[0]) &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	for (i = 0; i < n; i++)
		if ((a = appt_json(&req->ctx, ids[i])) != NULL)
			json_array_append_new(list, a);
	return list;
}

void
api_closure_add(struct api_req *req)
{
	static const char *const fields[] = {
		"from", "to", "reason", "clinician", NULL
	};
	struct closure_new	 c;
	sqlite3_stmt		*stmt;
	json_t			*obj, *affected;
	char			 from[TZ_BUFLEN], to[TZ_BUFLEN];
	long long		 id;

	memset(&c, 0, sizeof(c));
	if (api_fields(req, fields) == -1 || api_begin(req) == -1)
		return;
	if (closure_read(req, &c) == -1)
		goto done;
	tz_format_date(&c.from, from);
	tz_format_date(&c.to, to);
	if ((stmt = db_stmt(req->ctx.pd->db, closure_insert_sql)) == NULL)
		goto fail;
	if (c.clinician_id != 0)
		sqlite3_bind_int64(stmt, 1, c.clinician_id);
	db_bind_text(stmt, 2, from);
	db_bind_text(stmt, 3, to);
	db_bind_text(stmt, 4, c.zone);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)c.start);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)c.end);
	db_bind_text(stmt, 7, c.reason);
	sqlite3_bind_int64(stmt, 8, (sqlite3_int64)req->ctx.now);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	id = sqlite3_last_insert_rowid(db_handle(req->ctx.pd->db));
	if (audit_record(&req->ctx, "closure.add", "closure", id, "%s to %s, %s",
	    from, to, c.clinician_id ? "one clinician" : "practice-wide")
	    == -1)
		goto done;
	if ((obj = closure_json(req, id)) == NULL ||
	    (affected = closure_affected(req, &c)) == NULL) {
		json_decref(obj);
		goto fail;
	}
	api_reply(req, 201, json_pack("{s:o,s:o}", "closure", obj,
	    "affected", affected));
	goto done;
fail:
	api_internal(req);
done:
	api_finish(req);
}

static int
closure_list_range(struct api_req *req, time_t *from, time_t *to)
{
	const char	*v;
	struct tz_wall	 w;
	char		 err[160];

	*from = req->ctx.now;
	*to = (time_t)1 << 40;
	if ((v = api_query(req, "from")) != NULL) {
		if (tz_parse_date(v, req->ctx.tz, req->ctx.now, &w, err,
		    sizeof(err)) == -1) {
			api_error(req, PROTO_EBADREQUEST, "from: %s", err);
			return -1;
		}
		*from = tz_day_start(req->ctx.tz, w.year, w.month, w.day);
	}
	if ((v = api_query(req, "to")) != NULL) {
		if (tz_parse_date(v, req->ctx.tz, req->ctx.now, &w, err,
		    sizeof(err)) == -1) {
			api_error(req, PROTO_EBADREQUEST, "to: %s", err);
			return -1;
		}
		tz_add_days(&w, 1);
		*to = tz_day_start(req->ctx.tz, w.year, w.month, w.day);
	}
	return 0;
}

void
api_closure_list(struct api_req *req)
{
	sqlite3_stmt	*stmt;
	json_t		*list;
	const char	*v;
	time_t		 from, to;
	long long	 clinician = 0;

	if (closure_list_range(req, &from, &to) == -1)
		return;
	if ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &clinician) == -1)
		return;
	if ((stmt = db_stmt(req->ctx.pd->db, closure_list_sql)) == NULL) {
		api_internal(req);
		return;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	sqlite3_bind_int64(stmt, 3, clinician);
	if ((list = api_rows(req, stmt, closure_row_json)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:o}", "closures", list));
}

void
api_closure_remove(struct api_req *req)
{
	struct series_run	 run;
	sqlite3_stmt		*stmt;
	json_t			*obj = NULL;
	long long		 id;

	if (api_id(req, req->arg[0], &id) == -1 || api_begin(req) == -1)
		return;
	series_run_init(&run, SERIES_SKIP);
	if ((obj = closure_json(req, id)) == NULL) {
		api_error(req, PROTO_ENOTFOUND, "no closure %lld", id);
		goto done;
	}
	if ((stmt = db_stmt(req->ctx.pd->db, closure_delete_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1 ||
	    series_closure_removed(&req->ctx, id, &run) == -1)
		goto fail;
	if (audit_record(&req->ctx, "closure.remove", "closure", id, "%s to %s, "
	    "%d series sessions booked again",
	    json_string_value(json_object_get(obj, "from")),
	    json_string_value(json_object_get(obj, "to")), run.booked) == -1)
		goto done;
	api_reply(req, 200, json_pack("{s:O,s:i,s:O}", "closure", obj,
	    "restored", run.booked, "skipped", run.skipped));
	goto done;
fail:
	api_internal(req);
done:
	series_run_clear(&run);
	json_decref(obj);
	api_finish(req);
}
