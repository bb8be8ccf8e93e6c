/* /v1/rooms: where sessions happen; a room holds one session at a time. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "db.h"
#include "lookup.h"
#include "practiced.h"

static const char *room_sql =
    "SELECT id, name, active FROM rooms WHERE id = ?1";
static const char *room_list_sql =
    "SELECT id, name, active FROM rooms WHERE active OR ?1"
    "  ORDER BY name COLLATE NOCASE";
static const char *room_insert_sql = "INSERT INTO rooms (name) VALUES (?1)";
static const char *room_update_sql =
    "UPDATE rooms SET name = ?2, active = ?3 WHERE id = ?1";

static json_t *
room_row_json(struct api_req *req, sqlite3_stmt *stmt)
{
	(void)req;
	return json_pack("{s:I,s:s,s:b}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "name", db_column_text(stmt, 1),
	    "active", sqlite3_column_int(stmt, 2));
}

static json_t *
room_json(struct api_req *req, long long id)
{
	return api_row_by_id(req, room_sql, id, room_row_json);
}

static void
room_answer(struct api_req *req, int status, long long id)
{
	json_t	*obj = room_json(req, id);

	if (obj == NULL)
		api_internal(req);
	else
		api_reply(req, status, json_pack("{s:o}", "room", obj));
}

void
api_room_add(struct api_req *req)
{
	static const char *const fields[] = { "name", NULL };
	const char	*name;
	sqlite3_stmt	*stmt;
	long long	 id;

	if (api_fields(req, fields) == -1 ||
	    api_name(req, "name", 1, &name) == -1 ||
	    api_begin(req) == -1)
		return;
	if (lookup_name_free(&req->ctx, KIND_ROOM, name, 0) == -1)
		goto done;
	if ((stmt = db_stmt(req->ctx.pd->db, room_insert_sql)) == NULL)
		goto fail;
	db_bind_text(stmt, 1, name);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	id = sqlite3_last_insert_rowid(db_handle(req->ctx.pd->db));
	if (audit_record(&req->ctx, "room.add", "room", id, "added") == -1)
		goto done;
	room_answer(req, 201, id);
	goto done;
fail:
	api_internal(req);
done:
	api_finish(req);
}

void
api_room_list(struct api_req *req)
{
	const char	*all = api_query(req, "all");
	sqlite3_stmt	*stmt;
	json_t		*list;

	if ((stmt = db_stmt(req->ctx.pd->db, room_list_sql)) == NULL) {
		api_internal(req);
		return;
	}
	sqlite3_bind_int(stmt, 1, all != NULL && strcmp(all, "0") != 0);
	if ((list = api_rows(req, stmt, room_row_json)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:o}", "rooms", list));
}

void
api_room_show(struct api_req *req)
{
	long long	 id;

	if (lookup_ref(&req->ctx, KIND_ROOM, req->arg[0], &id) == 0)
		room_answer(req, 200, id);
}

void
api_room_edit(struct api_req *req)
{
	static const char *const fields[] = { "name", "active", NULL };
	sqlite3_stmt	*stmt;
	json_t		*cur = NULL;
	const char	*name;
	char		 changed[64];
	long long	 id;
	int		 active;

	if (api_fields(req, fields) == -1 || api_begin(req) == -1)
		return;
	if (lookup_ref(&req->ctx, KIND_ROOM, req->arg[0], &id) == -1)
		goto done;
	if ((cur = room_json(req, id)) == NULL)
		goto fail;
	active = json_is_true(json_object_get(cur, "active"));
	if (api_name(req, "name", 0, &name) == -1 ||
	    api_bool(req, "active", &active) == -1)
		goto done;
	if (name == NULL)
		name = json_string_value(json_object_get(cur, "name"));
	if (lookup_name_free(&req->ctx, KIND_ROOM, name, id) == -1)
		goto done;
	if ((stmt = db_stmt(req->ctx.pd->db, room_update_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, name);
	sqlite3_bind_int(stmt, 3, active);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	api_field_names(req, changed, sizeof(changed));
	if (audit_record(&req->ctx, "room.edit", "room", id, "changed %s",
	    changed) == -1)
		goto done;
	room_answer(req, 200, id);
	goto done;
fail:
	api_internal(req);
done:
	json_decref(cur);
	api_finish(req);
}
