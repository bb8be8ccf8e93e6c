/*
 * /v1/clients: the people in care.  Their details are health data: they
 * appear in answers to staff, never in logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "db.h"
#include "lookup.h"
#include "practiced.h"

static const char *client_sql =
    "SELECT id, name, email, phone, remind_email, remind_sms, zone, active,"
    "  created FROM clients WHERE id = ?1";
static const char *client_list_sql =
    "SELECT id, name, email, phone, remind_email, remind_sms, zone, active,"
    "  created FROM clients"
    "  WHERE (active OR ?1)"
    "    AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\\'"
    "      OR name LIKE '% ' || ?2 ESCAPE '\\')"
    "  ORDER BY name COLLATE NOCASE, id";
static const char *client_insert_sql =
    "INSERT INTO clients (name, email, phone, remind_email, remind_sms,"
    "  zone, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char *client_update_sql =
    "UPDATE clients SET name = ?2, email = ?3, phone = ?4,"
    "  remind_email = ?5, remind_sms = ?6, zone = ?7, active = ?8"
    "  WHERE id = ?1";

struct client_fields {
	const char	*name, *email, *phone, *zone;
	int		 remind_email, remind_sms, active;
};

static json_t *
client_row_json(struct api_req *req, sqlite3_stmt *stmt)
{
	json_t	*remind = json_array();

	(void)req;
	if (remind == NULL)
		return NULL;
	if (sqlite3_column_int(stmt, 4))
		json_array_append_new(remind, json_string("email"));
	if (sqlite3_column_int(stmt, 5))
		json_array_append_new(remind, json_string("sms"));
	return json_pack("{s:I,s:s,s:o,s:s?,s:s?,s:o,s:s?,s:b,s:o}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "name", db_column_text(stmt, 1),
	    "initials", api_initials(db_column_text(stmt, 1)),
	    "email", db_column_text(stmt, 2),
	    "phone", db_column_text(stmt, 3),
	    "remind", remind,
	    "zone", db_column_text(stmt, 6),
	    "active", sqlite3_column_int(stmt, 7),
	    "created", api_instant((time_t)sqlite3_column_int64(stmt, 8)));
}

static json_t *
client_json(struct api_req *req, long long id)
{
	return api_row_by_id(req, client_sql, id, client_row_json);
}

static void
client_answer(struct api_req *req, int status, long long id)
{
	json_t	*obj = client_json(req, id);

	if (obj == NULL)
		api_internal(req);
	else
		api_reply(req, status, json_pack("{s:o}", "client", obj));
}

static int
remind_word(struct api_req *req, const char *w, size_t len,
    struct client_fields *f)
{
	if (len == 5 && strncmp(w, "email", 5) == 0)
		f->remind_email = 1;
	else if (len == 3 && strncmp(w, "sms", 3) == 0)
		f->remind_sms = 1;
	else if (!(len == 4 && strncmp(w, "none", 4) == 0)) {
		api_error(req, PROTO_EBADREQUEST, "remind: \"%.*s\" is not "
		    "email, sms or none", (int)(len > 20 ? 20 : len), w);
		return -1;
	}
	return 0;
}

/* "email,sms", ["email","sms"], "none" or [] */
static int
client_read_remind(struct api_req *req, struct client_fields *f)
{
	json_t		*v = json_object_get(req->body, "remind"), *item;
	const char	*s, *comma;
	size_t		 i;

	if (v == NULL || json_is_null(v))
		return 0;
	f->remind_email = f->remind_sms = 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (!json_is_string(item)) {
				api_error(req, PROTO_EBADREQUEST,
				    "remind must list email and/or sms");
				return -1;
			}
			s = json_string_value(item);
			if (remind_word(req, s, strlen(s), f) == -1)
				return -1;
		}
		return 0;
	}
	if (!json_is_string(v)) {
		api_error(req, PROTO_EBADREQUEST,
		    "remind must be \"email\", \"sms\", \"email,sms\" or \"none\"");
		return -1;
	}
	for (s = json_string_value(v); ; s = comma + 1) {
		comma = strchr(s, ',');
		if (remind_word(req, s, comma ? (size_t)(comma - s) : strlen(s),
		    f) == -1)
			return -1;
		if (comma == NULL)
			return 0;
	}
}

static int
client_read(struct api_req *req, struct client_fields *f)
{
	const char	*v;

	if (api_name(req, "name", 0, &v) == -1)
		return -1;
	if (v != NULL)
		f->name = v;
	if (api_clearing(req, "email"))
		f->email = NULL;
	else if (api_email(req, "email", &v) == -1)
		return -1;
	else if (v != NULL)
		f->email = v;
	if (api_clearing(req, "phone"))
		f->phone = NULL;
	else if (api_phone(req, "phone", &v) == -1)
		return -1;
	else if (v != NULL)
		f->phone = v;
	if (api_clearing(req, "zone"))
		f->zone = NULL;
	else if (api_zone(req, "zone", &v) == -1)
		return -1;
	else if (v != NULL)
		f->zone = v;
	if (api_bool(req, "active", &f->active) == -1 ||
	    client_read_remind(req, f) == -1)
		return -1;
	if (f->remind_email && f->email == NULL) {
		api_error(req, PROTO_EBADREQUEST,
		    "email reminders need an email address");
		return -1;
	}
	if (f->remind_sms && f->phone == NULL) {
		api_error(req, PROTO_EBADREQUEST,
		    "SMS reminders need a phone number");
		return -1;
	}
	return 0;
}

static int
client_bind(sqlite3_stmt *stmt, int first, const struct client_fields *f)
{
	db_bind_text(stmt, first, f->name);
	db_bind_text(stmt, first + 1, f->email);
	db_bind_text(stmt, first + 2, f->phone);
	sqlite3_bind_int(stmt, first + 3, f->remind_email);
	sqlite3_bind_int(stmt, first + 4, f->remind_sms);
	return db_bind_text(stmt, first + 5, f->zone);
}

static const char *const client_fields_allowed[] = {
	"name", "email", "phone", "remind", "zone", "active", NULL
};

void
api_client_add(struct api_req *req)
{
	struct client_fields	 f;
	sqlite3_stmt		*stmt;
	long long		 id;

	memset(&f, 0, sizeof(f));
	if (api_fields(req, client_fields_allowed) == -1 ||
	    api_name(req, "name", 1, &f.name) == -1 ||
	    client_read(req, &f) == -1 || api_begin(req) == -1)
		return;
	if ((stmt = db_stmt(req->ctx.pd->db, client_insert_sql)) == NULL)
		goto fail;
	client_bind(stmt, 1, &f);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)req->ctx.now);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	id = sqlite3_last_insert_rowid(db_handle(req->ctx.pd->db));
	if (audit_record(&req->ctx, "client.add", "client", id, "reminders %s%s%s",
	    f.remind_email ? "email" : "", f.remind_email && f.remind_sms ?
	    "," : "", f.remind_sms ? "sms" : !f.remind_email ? "none" : "")
	    == -1)
		goto done;
	client_answer(req, 201, id);
	goto done;
fail:
	api_internal(req);
done:
	api_finish(req);
}

void
api_client_list(struct api_req *req)
{
	const char	*all = api_query(req, "all"), *q = api_query(req, "q");
	sqlite3_stmt	*stmt;
	json_t		*list;
	char		*pat = NULL;

	if (q != NULL && (*q == '\0' || strlen(q) > 100)) {
		api_error(req, PROTO_EBADREQUEST, "search text must be 1 to 100 "
		    "characters");
		return;
	}
	if ((q != NULL && (pat = lookup_like_prefix(q)) == NULL) ||
	    (stmt = db_stmt(req->ctx.pd->db, client_list_sql)) == NULL) {
		free(pat);
		api_internal(req);
		return;
	}
	sqlite3_bind_int(stmt, 1, all != NULL && strcmp(all, "0") != 0);
	db_bind_text(stmt, 2, pat);
	free(pat);
	if ((list = api_rows(req, stmt, client_row_json)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:o}", "clients", list));
}

void
api_client_show(struct api_req *req)
{
	long long	 id;

	if (lookup_ref(&req->ctx, KIND_CLIENT, req->arg[0], &id) == 0)
		client_answer(req, 200, id);
}

static void
client_fields_from(json_t *cur, struct client_fields *f)
{
	json_t	*remind = json_object_get(cur, "remind"), *item;
	size_t	 i;

	f->name = json_string_value(json_object_get(cur, "name"));
	f->email = json_string_value(json_object_get(cur, "email"));
	f->phone = json_string_value(json_object_get(cur, "phone"));
	f->zone = json_string_value(json_object_get(cur, "zone"));
	f->active = json_is_true(json_object_get(cur, "active"));
	json_array_foreach(remind, i, item) {
		if (strcmp(json_string_value(item), "email") == 0)
			f->remind_email = 1;
		else
			f->remind_sms = 1;
	}
}

void
api_client_edit(struct api_req *req)
{
	struct client_fields	 f;
	sqlite3_stmt		*stmt;
	json_t			*cur = NULL;
	char			 changed[128];
	long long		 id;

	memset(&f, 0, sizeof(f));
	if (api_fields(req, client_fields_allowed) == -1 ||
	    api_begin(req) == -1)
		return;
	if (lookup_ref(&req->ctx, KIND_CLIENT, req->arg[0], &id) == -1)
		goto done;
	if ((cur = client_json(req, id)) == NULL)
		goto fail;
	client_fields_from(cur, &f);
	if (client_read(req, &f) == -1)
		goto done;
	if ((stmt = db_stmt(req->ctx.pd->db, client_update_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	client_bind(stmt, 2, &f);
	sqlite3_bind_int(stmt, 8, f.active);
	if (db_exec_stmt(req->ctx.pd->db, stmt) == -1)
		goto fail;
	api_field_names(req, changed, sizeof(changed));
	if (audit_record(&req->ctx, "client.edit", "client", id, "changed %s",
	    changed) == -1)
		goto done;
	client_answer(req, 200, id);
	goto done;
fail:
	api_internal(req);
done:
	json_decref(cur);
	api_finish(req);
}
