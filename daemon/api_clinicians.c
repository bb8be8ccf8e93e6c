/* /v1/clinicians: who sees clients, in which zone, and when. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "db.h"
#include "hours.h"
#include "lookup.h"
#include "practiced.h"
#include "schedule.h"
#include "tz.h"

static const char *clinician_sql =
    "SELECT id, name, email, phone, zone, active FROM clinicians"
    "  WHERE id = ?1";
static const char *clinician_ids_sql =
    "SELECT id FROM clinicians WHERE active OR ?1 ORDER BY name";
static const char *clinician_insert_sql =
    "INSERT INTO clinicians (name, email, phone, zone, created)"
    "  VALUES (?1, ?2, ?3, ?4, ?5)";
static const char *clinician_update_sql =
    "UPDATE clinicians SET name = ?2, email = ?3, phone = ?4, zone = ?5,"
    "  active = ?6 WHERE id = ?1";
static const char *hours_delete_sql =
    "DELETE FROM working_hours WHERE clinician_id = ?1";
static const char *hours_insert_sql =
    "INSERT INTO working_hours (clinician_id, weekday, start_min, end_min)"
    "  VALUES (?1, ?2, ?3, ?4)";

static json_t *
clinician_hours_json(struct api_req *req, long long id)
{
	struct hours_range	 r[HOURS_MAX];
	size_t			 n;

	if (schedule_hours(&req->ctx, id, 0, r, &n) == -1)
		return NULL;
	return schedule_hours_json(r, n, -1);
}

static json_t *
clinician_json(struct api_req *req, long long id)
{
	sqlite3_stmt	*stmt;
	json_t		*obj = NULL, *hours;

	if ((stmt = db_stmt(req->ctx.pd->db, clinician_sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		obj = json_pack("{s:I,s:s,s:s?,s:s?,s:s,s:b}",
		    "id", (json_int_t)id,
		    "name", db_column_text(stmt, 1),
		    "email", db_column_text(stmt, 2),
		    "phone", db_column_text(stmt, 3),
		    "zone", db_column_text(stmt, 4),
		    "active", sqlite3_column_int(stmt, 5));
	sqlite3_reset(stmt);
	if (obj == NULL || (hours = clinician_hours_json(req, id)) == NULL) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "hours", hours);
	return obj;
}

static void
clinician_answer(struct api_req *req, int status, long long id)
{
	json_t	*obj = clinician_json(req, id);

	if (obj == NULL)
		api_internal(req);
	else
		api_reply(req, status, json_pack("{s:o}", "clinician", obj));
}

void
api_clinician_add(struct api_req *req)
{
	static const char *const fields[] = {
		"name", "email", "phone", "zone", NULL
	};
	const char	*name, *email, *phone, *zone;
	sqlite3_stmt	*stmt;
	long long	 id;

	if (api_fields(req, fields) == -1 ||
	    api_name(req, "name", 1, &name) == -1 ||
	    api_email(req, "email", &email) == -1 ||
	    api_phone(req, "phone", &phone) == -1 ||
	    api_zone(req, "zone", &zone) == -1 ||
	    api_begin(req) == -1)
		return;
	if (zone == NULL)
		zone = req->ctx.pd->conf->timezone;
	if (lookup_name_free(&req->ctx, KIND_CLINICIAN, name, 0) == -1)
		goto done;
	if ((stmt = db_stmt(req->ctx.pd->db, clinician_insert_sql)) == NULL)
		goto fail;
	db_bind_text(stmt, 1, name);
	db_bind_text(stmt, 2, email);
	db_bind_text(stmt, 3, phone);
	db_bind_text(stmt, 4, zone);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)req->ctx.now);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	id = sqlite3_last_insert_rowid(db_handle(req->ctx.pd->db));
	if (audit_record(&req->ctx, "clinician.add", "clinician", id, "zone %s",
	    zone) == -1)
		goto done;
	clinician_answer(req, 201, id);
	goto done;
fail:
	api_internal(req);
done:
	api_finish(req);
}

void
api_clinician_list(struct api_req *req)
{
	sqlite3_stmt	*stmt;
	json_t		*list, *obj;
	long long	 ids[1000];
	size_t		 n = 0, i;
	const char	*all = api_query(req, "all");

	if ((stmt = db_stmt(req->ctx.pd->db, clinician_ids_sql)) == NULL ||
	    (list = json_array()) == NULL) {
		api_internal(req);
		return;
	}
	sqlite3_bind_int(stmt, 1, all != NULL && strcmp(all, "0") != 0);
	while (n < sizeof(ids) / sizeof(ids[0]) &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	for (i = 0; i < n; i++) {
		if ((obj = clinician_json(req, ids[i])) == NULL) {
			json_decref(list);
			api_internal(req);
			return;
		}
		json_array_append_new(list, obj);
	}
	api_reply(req, 200, json_pack("{s:o}", "clinicians", list));
}

void
api_clinician_show(struct api_req *req)
{
	long long	 id;

	if (lookup_ref(&req->ctx, KIND_CLINICIAN, req->arg[0], &id) == 0)
		clinician_answer(req, 200, id);
}

/* Current values, overlaid with what the request changes. */
struct clinician_edit {
	const char	*name, *email, *phone, *zone;
	int		 active;
};

static int
clinician_edit_read(struct api_req *req, struct clinician_edit *e)
{
	const char	*v;

	if (api_name(req, "name", 0, &v) == -1)
		return -1;
	if (v != NULL)
		e->name = v;
	if (api_clearing(req, "email"))
		e->email = NULL;
	else if (api_email(req, "email", &v) == -1)
		return -1;
	else if (v != NULL)
		e->email = v;
	if (api_clearing(req, "phone"))
		e->phone = NULL;
	else if (api_phone(req, "phone", &v) == -1)
		return -1;
	else if (v != NULL)
		e->phone = v;
	if (api_zone(req, "zone", &v) == -1)
		return -1;
	if (v != NULL)
		e->zone = v;
	return api_bool(req, "active", &e->active) == -1 ? -1 : 0;
}

void
api_clinician_edit(struct api_req *req)
{
	static const char *const fields[] = {
		"name", "email", "phone", "zone", "active", NULL
	};
	struct clinician_edit	 e;
	char			 changed[128];
	json_t			*cur;
	sqlite3_stmt		*stmt;
	long long		 id;

	if (api_fields(req, fields) == -1 || api_begin(req) == -1)
		return;
	if (lookup_ref(&req->ctx, KIND_CLINICIAN, req->arg[0], &id) == -1)
		goto done;
	if ((cur = clinician_json(req, id)) == NULL)
		goto fail;
	e.name = json_string_value(json_object_get(cur, "name"));
	e.email = json_string_value(json_object_get(cur, "email"));
	e.phone = json_string_value(json_object_get(cur, "phone"));
	e.zone = json_string_value(json_object_get(cur, "zone"));
	e.active = json_is_true(json_object_get(cur, "active"));
	if (clinician_edit_read(req, &e) == -1 ||
	    lookup_name_free(&req->ctx, KIND_CLINICIAN, e.name, id) == -1) {
		json_decref(cur);
		goto done;
	}
	if ((stmt = db_stmt(req->ctx.pd->db, clinician_update_sql)) == NULL) {
		json_decref(cur);
		goto fail;
	}
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, e.name);
	db_bind_text(stmt, 3, e.email);
	db_bind_text(stmt, 4, e.phone);
	db_bind_text(stmt, 5, e.zone);
	sqlite3_bind_int(stmt, 6, e.active);
	json_decref(cur);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	api_field_names(req, changed, sizeof(changed));
	if (audit_record(&req->ctx, "clinician.edit", "clinician", id, "changed %s",
	    changed) == -1)
		goto done;
	clinician_answer(req, 200, id);
	goto done;
fail:
	api_internal(req);
done:
	api_finish(req);
}

static int
clinician_hours_store(struct api_req *req, long long id,
    const struct hours_range *r, size_t n)
{
	sqlite3_stmt	*stmt;
	size_t		 i;

	if ((stmt = db_stmt(req->ctx.pd->db, hours_delete_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((stmt = db_stmt(req->ctx.pd->db, hours_insert_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int(stmt, 2, r[i].wday);
		sqlite3_bind_int(stmt, 3, r[i].start);
		sqlite3_bind_int(stmt, 4, r[i].end);
		if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
			return -1;
	}
	return 0;
}

void
api_clinician_hours(struct api_req *req)
{
	static const char *const fields[] = { "hours", NULL };
	struct hours_range	 r[HOURS_MAX];
	const char		*spec;
	char			 err[160];
	size_t			 n;
	long long		 id;

	if (api_fields(req, fields) == -1)
		return;
	if (api_clearing(req, "hours"))
		spec = "";
	else if (api_string(req, "hours", 500, 1, &spec) == -1)
		return;
	if (hours_parse(spec, r, &n, err, sizeof(err)) == -1) {
		api_error(req, PROTO_EBADREQUEST, "hours: %s", err);
		return;
	}
	if (api_begin(req) == -1)
		return;
	if (lookup_ref(&req->ctx, KIND_CLINICIAN, req->arg[0], &id) == -1)
		goto done;
	if (clinician_hours_store(req, id, r, n) == -1) {
		api_internal(req);
		goto done;
	}
	if (audit_record(&req->ctx, "clinician.hours", "clinician", id, "%s",
	    n == 0 ? "cleared" : spec) == -1)
		goto done;
	clinician_answer(req, 200, id);
done:
	api_finish(req);
}
