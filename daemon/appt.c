/*
 * The appointment as stored and as answered: its row, its JSON, and
 * its insertion.  The handlers in api_appointments.c and the series code
 * share these.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "appt.h"
#include "db.h"
#include "practiced.h"
#include "tz.h"

static const char *appt_one_sql =
    "SELECT " APPT_COLUMNS APPT_FROM " WHERE a.id = ?1";
static const char *appt_raw_sql =
    "SELECT clinician_id, room_id, video_url, start_utc, end_utc,"
    "  block_end_utc, state, series_id, recurrence_utc"
    "  FROM appointments WHERE id = ?1";
static const char *appt_insert_sql =
    "INSERT INTO appointments (clinician_id, client_id, service_id,"
    "  room_id, video_url, start_utc, end_utc, block_end_utc, zone,"
    "  forced, overlap, created, updated, series_id, recurrence_utc)"
    "  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12,"
    "  ?13, ?14)";
static const char *appt_by_series_sql =
    "SELECT " APPT_COLUMNS APPT_FROM
    " WHERE a.series_id = ?1 ORDER BY a.start_utc, a.id";
static const char *appt_by_client_sql =
    "SELECT " APPT_COLUMNS APPT_FROM
    " WHERE a.client_id = ?1 ORDER BY a.start_utc, a.id";

static json_t *
appt_ref(sqlite3_stmt *stmt, int id_col)
{
	if (sqlite3_column_type(stmt, id_col) == SQLITE_NULL)
		return json_null();
	return json_pack("{s:I,s:s}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, id_col),
	    "name", db_column_text(stmt, id_col + 1));
}

static void
appt_series_fields(struct api_req *req, sqlite3_stmt *stmt, json_t *obj)
{
	time_t	 rec = (time_t)sqlite3_column_int64(stmt, 24);
	int	 in_series = sqlite3_column_type(stmt, 23) != SQLITE_NULL;

	json_object_set_new(obj, "series", in_series ?
	    json_integer(sqlite3_column_int64(stmt, 23)) : json_null());
	json_object_set_new(obj, "recurrence", in_series ?
	    api_instant(rec) : json_null());
	json_object_set_new(obj, "recurrence_local", in_series ?
	    api_local(req, rec) : json_null());
	json_object_set_new(obj, "override",
	    json_boolean(sqlite3_column_int(stmt, 25)));
}

json_t *
appt_row_json(struct api_req *req, sqlite3_stmt *stmt)
{
	time_t	 start = (time_t)sqlite3_column_int64(stmt, 1);
	time_t	 end = (time_t)sqlite3_column_int64(stmt, 2);
	time_t	 block_end = (time_t)sqlite3_column_int64(stmt, 3);
	json_t	*obj, *client;

	client = appt_ref(stmt, 17);
	if (client != NULL)
		json_object_set_new(client, "initials",
		    api_initials(db_column_text(stmt, 18)));
	obj = json_pack("{s:I,s:o,s:o,s:o,s:o,s:s,s:s,s:i,s:i,s:o,s:o,s:o,"
	    "s:o,s:s?,s:s,s:s?,s:b,s:s?,s:b,s:b,s:i,s:o,s:o}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "start", api_instant(start),
	    "end", api_instant(end),
	    "local_start", api_local(req, start),
	    "local_end", api_local(req, end),
	    "tz", req->ctx.tz,
	    "zone", db_column_text(stmt, 4),
	    "minutes", (int)((end - start) / 60),
	    "buffer", (int)((block_end - end) / 60),
	    "clinician", appt_ref(stmt, 15),
	    "client", client,
	    "service", appt_ref(stmt, 19),
	    "room", appt_ref(stmt, 21),
	    "video_url", db_column_text(stmt, 14),
	    "state", db_column_text(stmt, 5),
	    "cancelled_by", db_column_text(stmt, 6),
	    "late", sqlite3_column_int(stmt, 7),
	    "cancel_reason", db_column_text(stmt, 8),
	    "forced", sqlite3_column_int(stmt, 9),
	    "overlap", sqlite3_column_int(stmt, 10),
	    "version", sqlite3_column_int(stmt, 11),
	    "created", api_instant((time_t)sqlite3_column_int64(stmt, 12)),
	    "updated", api_instant((time_t)sqlite3_column_int64(stmt, 13)));
	if (obj != NULL)
		appt_series_fields(req, stmt, obj);
	return obj;
}

json_t *
appt_json(struct api_req *req, long long id)
{
	return api_row_by_id(req, appt_one_sql, id, appt_row_json);
}

int
appt_store(struct api_req *req, const struct appt_new *a, long long *id)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(req->ctx.pd->db, appt_insert_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, a->clinician_id);
	sqlite3_bind_int64(stmt, 2, a->client_id);
	sqlite3_bind_int64(stmt, 3, a->service_id);
	if (a->room_id != 0)
		sqlite3_bind_int64(stmt, 4, a->room_id);
	db_bind_text(stmt, 5, a->video);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)a->start);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)a->end);
	sqlite3_bind_int64(stmt, 8, (sqlite3_int64)a->block_end);
	db_bind_text(stmt, 9, a->zone);
	sqlite3_bind_int(stmt, 10, a->forced);
	sqlite3_bind_int(stmt, 11, a->overlap);
	sqlite3_bind_int64(stmt, 12, (sqlite3_int64)req->ctx.now);
	if (a->series_id != 0) {
		sqlite3_bind_int64(stmt, 13, a->series_id);
		sqlite3_bind_int64(stmt, 14, (sqlite3_int64)a->recurrence);
	}
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(db_handle(req->ctx.pd->db));
	return 0;
}

int
appt_load(struct api_req *req, long long id, struct appt_row *row)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(req->ctx.pd->db, appt_raw_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row->clinician_id = sqlite3_column_int64(stmt, 0);
		row->room_id = sqlite3_column_int64(stmt, 1);
		row->has_video = sqlite3_column_type(stmt, 2) != SQLITE_NULL;
		snprintf(row->video, sizeof(row->video), "%s",
		    row->has_video ? db_column_text(stmt, 2) : "");
		row->start = (time_t)sqlite3_column_int64(stmt, 3);
		row->end = (time_t)sqlite3_column_int64(stmt, 4);
		row->block_end = (time_t)sqlite3_column_int64(stmt, 5);
		snprintf(row->state, sizeof(row->state), "%s",
		    db_column_text(stmt, 6));
		row->series_id = sqlite3_column_int64(stmt, 7);
		row->recurrence = (time_t)sqlite3_column_int64(stmt, 8);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
appt_is_open(const struct appt_row *row)
{
	return strcmp(row->state, "booked") == 0 ||
	    strcmp(row->state, "confirmed") == 0;
}

int
appt_load_open(struct api_req *req, long long id, struct appt_row *row,
    const char *verb)
{
	if (appt_load(req, id, row) == -1) {
		api_internal(req);
		return -1;
	}
	if (!appt_is_open(row)) {
		api_error(req, PROTO_ESTATE, "appointment %lld is %s and "
		    "cannot be %s", id, row->state, verb);
		return -1;
	}
	return 0;
}

/* Every appointment of a series or of a client, as a JSON array. */
static json_t *
appt_list_where(struct api_req *req, const char *sql, long long id)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(req->ctx.pd->db, sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	return api_rows(req, stmt, appt_row_json);
}

json_t *
appt_list_series(struct api_req *req, long long series_id)
{
	return appt_list_where(req, appt_by_series_sql, series_id);
}

json_t *
appt_list_client(struct api_req *req, long long client_id)
{
	return appt_list_where(req, appt_by_client_sql, client_id);
}
