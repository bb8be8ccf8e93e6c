/* /v1/services: what is booked, for how long, with what buffer after. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "db.h"
#include "lookup.h"
#include "practiced.h"

static const char *service_sql =
    "SELECT id, name, minutes, buffer, active FROM services WHERE id = ?1";
static const char *service_list_sql =
    "SELECT id, name, minutes, buffer, active FROM services"
    "  WHERE active OR ?1 ORDER BY name COLLATE NOCASE";
static const char *service_insert_sql =
    "INSERT INTO services (name, minutes, buffer) VALUES (?1, ?2, ?3)";
static const char *service_update_sql =
    "UPDATE services SET name = ?2, minutes = ?3, buffer = ?4, active = ?5"
    "  WHERE id = ?1";

static json_t *
service_row_json(struct api_req *req, sqlite3_stmt *stmt)
{
	(void)req;
	return json_pack("{s:I,s:s,s:i,s:i,s:b}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "name", db_column_text(stmt, 1),
	    "minutes", sqlite3_column_int(stmt, 2),
	    "buffer", sqlite3_column_int(stmt, 3),
	    "active", sqlite3_column_int(stmt, 4));
}

static void
service_answer(struct api_req *req, int status, long long id)
{
	json_t	*obj = api_row_by_id(req, service_sql, id, service_row_json);

	if (obj == NULL)
		api_internal(req);
	else
		api_reply(req, status, json_pack("{s:o}", "service", obj));
}

void
api_service_add(struct api_req *req)
{
	static const char *const fields[] = { "name", "minutes", "buffer", NULL };
	const char	*name;
	long long	 minutes, buffer = 0, id;
	sqlite3_stmt	*stmt;

	if (api_fields(req, fields) == -1 ||
	    api_name(req, "name", 1, &name) == -1 ||
	    api_int(req, "minutes", 5, 480, 1, &minutes) == -1 ||
	    api_int(req, "buffer", 0, 120, 0, &buffer) == -1 ||
	    api_begin(req) == -1)
		return;
	if (lookup_name_free(&req->ctx, KIND_SERVICE, name, 0) == -1)
		goto done;
	if ((stmt = db_stmt(req->ctx.pd->db, service_insert_sql)) == NULL)
		goto fail;
	db_bind_text(stmt, 1, name);
	sqlite3_bind_int64(stmt, 2, minutes);
	sqlite3_bind_int64(stmt, 3, buffer);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	id = sqlite3_last_insert_rowid(db_handle(req->ctx.pd->db));
	if (audit_record(&req->ctx, "service.add", "service", id,
	    "%lld minutes, buffer %lld", minutes, buffer) == -1)
		goto done;
	service_answer(req, 201, id);
	goto done;
fail:
	api_internal(req);
done:
	api_finish(req);
}

void
api_service_list(struct api_req *req)
{
	const char	*all = api_query(req, "all");
	sqlite3_stmt	*stmt;
	json_t		*list;

	if ((stmt = db_stmt(req->ctx.pd->db, service_list_sql)) == NULL) {
		api_internal(req);
		return;
	}
	sqlite3_bind_int(stmt, 1, all != NULL && strcmp(all, "0") != 0);
	if ((list = api_rows(req, stmt, service_row_json)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:o}", "services", list));
}

void
api_service_show(struct api_req *req)
{
	long long	 id;

	if (lookup_ref(&req->ctx, KIND_SERVICE, req->arg[0], &id) == 0)
		service_answer(req, 200, id);
}

void
api_service_edit(struct api_req *req)
{
	static const char *const fields[] = {
		"name", "minutes", "buffer", "active", NULL
	};
	sqlite3_stmt	*stmt;
	const char	*name;
	char		 changed[128], *cur_name = NULL;
	long long	 id, minutes = 0, buffer = 0;
	int		 active = 1;

	if (api_fields(req, fields) == -1 || api_begin(req) == -1)
		return;
	if (lookup_ref(&req->ctx, KIND_SERVICE, req->arg[0], &id) == -1)
		goto done;
	if ((stmt = db_stmt(req->ctx.pd->db, service_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		cur_name = strdup(db_column_text(stmt, 1));
		minutes = sqlite3_column_int(stmt, 2);
		buffer = sqlite3_column_int(stmt, 3);
		active = sqlite3_column_int(stmt, 4);
	}
	sqlite3_reset(stmt);
	if (cur_name == NULL)
		goto fail;
	if (api_name(req, "name", 0, &name) == -1 ||
	    api_int(req, "minutes", 5, 480, 0, &minutes) == -1 ||
	    api_int(req, "buffer", 0, 120, 0, &buffer) == -1 ||
	    api_bool(req, "active", &active) == -1)
		goto done;
	if (name == NULL)
		name = cur_name;
	if (lookup_name_free(&req->ctx, KIND_SERVICE, name, id) == -1)
		goto done;
	if ((stmt = db_stmt(req->ctx.pd->db, service_update_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, name);
	sqlite3_bind_int64(stmt, 3, minutes);
	sqlite3_bind_int64(stmt, 4, buffer);
	sqlite3_bind_int(stmt, 5, active);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	api_field_names(req, changed, sizeof(changed));
	if (audit_record(&req->ctx, "service.edit", "service", id, "changed %s",
	    changed) == -1)
		goto done;
	service_answer(req, 200, id);
	goto done;
fail:
	api_internal(req);
done:
	free(cur_name);
	api_finish(req);
}
