/*
 * /v1/series: the series a client or clinician has, and one of them
 * with its sessions.  Booking, moving and cancelling by scope is in
 * series_scope.c, reached through /v1/appointments.
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
		if ((obj = series_json(&req->ctx, ids[i], 0)) == NULL) {
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
	if ((obj = series_json(&req->ctx, id, 1)) == NULL)
		api_error(req, PROTO_ENOTFOUND, "no series %lld", id);
	else
		api_reply(req, 200, json_pack("{s:o}", "series", obj));
}

