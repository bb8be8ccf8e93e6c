/* GET /v1/audit: the newest changes, oldest first. */
#include <stdlib.h>

#include "api.h"
#include "db.h"
#include "practiced.h"
#include "tz.h"

static const char *audit_list_sql =
    "SELECT id, at, uid, user, role, action, object, object_id, detail"
    "  FROM (SELECT * FROM audit WHERE at >= ?1 ORDER BY id DESC LIMIT ?2)"
    "  ORDER BY id";

static int
audit_params(struct api_req *req, time_t *since, long long *limit)
{
	const char	*v;
	struct tz_wall	 w;
	char		 err[160];

	*since = 0;
	*limit = 100;
	if ((v = api_query(req, "since")) != NULL) {
		if (tz_parse_date(v, req->ctx.tz, req->ctx.now, &w, err,
		    sizeof(err)) == -1) {
			api_error(req, PROTO_EBADREQUEST, "since: %s", err);
			return -1;
		}
		*since = tz_day_start(req->ctx.tz, w.year, w.month, w.day);
	}
	if (api_query_int(req, "limit", 1, 10000, limit,
	    "limit must be a number from 1 to 10000") == -1)
		return -1;
	return 0;
}

void
api_audit_list(struct api_req *req)
{
	sqlite3_stmt	*stmt;
	json_t		*list;
	time_t		 since;
	long long	 limit;
	int		 rc;

	if (audit_params(req, &since, &limit) == -1)
		return;
	if ((stmt = db_stmt(req->ctx.pd->db, audit_list_sql)) == NULL ||
	    (list = json_array()) == NULL) {
		api_internal(req);
		return;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(stmt, 2, limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		time_t	 at = (time_t)sqlite3_column_int64(stmt, 1);

		json_array_append_new(list, json_pack(
		    "{s:I,s:o,s:o,s:I,s:s,s:s,s:s,s:s,s:o,s:s?}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "at", api_instant(at),
		    "local_at", api_local(req, at),
		    "uid", (json_int_t)sqlite3_column_int64(stmt, 2),
		    "user", db_column_text(stmt, 3),
		    "role", db_column_text(stmt, 4),
		    "action", db_column_text(stmt, 5),
		    "object", db_column_text(stmt, 6),
		    "object_id", sqlite3_column_type(stmt, 7) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int64(stmt, 7)),
		    "detail", db_column_text(stmt, 8)));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:s,s:o}", "tz", req->ctx.tz, "audit",
	    list));
}
