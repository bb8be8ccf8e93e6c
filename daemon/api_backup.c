/*
 * Backups and integrity checks: both start at once and go on after
 * their answer, which says where to wait (PROTO_WAIT) while they run.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "backup.h"
#include "protocol.h"
#include "verify.h"

/* Adds "wait": path while state is "running". */
static json_t *
api_with_wait(json_t *obj, const char *state, const char *path, int id)
{
	char	 wait[64];

	if (obj == NULL || strcmp(state, "running") != 0)
		return obj;
	snprintf(wait, sizeof(wait), "%s/%d", path, id);
	if (json_object_set_new(obj, PROTO_WAIT, json_string(wait)) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *
backup_json(const struct backup_info *b)
{
	return api_with_wait(json_pack("{s:{s:i,s:s,s:s,s:s,s:b,s:I,s:i,"
	    "s:i,s:s*}}", PROTO_BACKUP, "id", b->id, PROTO_BACKUP_NAME,
	    b->name, "path", b->path, "state", b->state, "daily", b->daily,
	    "bytes", (json_int_t)b->bytes, "pages_done", b->pages_done,
	    "pages", b->pages, "detail", b->detail[0] != '\0' ? b->detail :
	    NULL), b->state, PROTO_PATH_BACKUPS, b->id);
}

/* A finished backup that failed is the daemon's failure, said plainly. */
static void
backup_answer(struct api_req *req, const struct backup_info *b, int status)
{
	if (strcmp(b->state, "failed") == 0) {
		api_error(req, PROTO_EINTERNAL, "backup %s failed: %s",
		    b->name, b->detail);
		return;
	}
	api_reply(req, status, backup_json(b));
}

/* POST /v1/backups {"name": NAME} (optional) */
void
api_backup(struct api_req *req)
{
	static const char *const fields[] = { PROTO_BACKUP_NAME, NULL };
	struct backup_info	 b;
	const char		*name = NULL;

	if (api_fields(req, fields) == -1 ||
	    api_string(req, PROTO_BACKUP_NAME, 4096, 0, &name) == -1)
		return;
	if (backup_begin(&req->ctx, name, &b) == -1)
		return;
	backup_answer(req, &b, strcmp(b.state, "running") == 0 ? 202 : 200);
}

/* GET /v1/backups/ID */
void
api_backup_show(struct api_req *req)
{
	struct backup_info	 b;
	long long		 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	if (backup_get(&req->ctx, id > 1000000000 ? 0 : (int)id, &b) == 0)
		backup_answer(req, &b, 200);
}

static void
verify_answer(struct api_req *req, struct verify_info *v, int status)
{
	json_t	*obj;

	if (strcmp(v->state, "failed") == 0) {
		api_error(req, PROTO_EINTERNAL, "cannot verify %s: %s",
		    v->path, v->detail);
		json_decref(v->problems);
		return;
	}
	obj = json_pack("{s:{s:i,s:s,s:s,s:b,s:o}}", PROTO_VERIFY, "id",
	    v->id, "path", v->path, "state", v->state, "ok",
	    strcmp(v->state, "done") == 0 && json_array_size(v->problems) == 0,
	    PROTO_VERIFY_PROBLEMS, v->problems);
	api_reply(req, status, api_with_wait(obj, v->state, PROTO_PATH_VERIFY,
	    v->id));
}

/* POST /v1/verify {"name": BACKUP} (optional: the database) */
void
api_verify(struct api_req *req)
{
	static const char *const fields[] = { PROTO_BACKUP_NAME, NULL };
	struct verify_info	 v;
	const char		*name = NULL;

	if (api_fields(req, fields) == -1 ||
	    api_string(req, PROTO_BACKUP_NAME, 4096, 0, &name) == -1)
		return;
	if (verify_begin(&req->ctx, name, &v) == 0)
		verify_answer(req, &v, 202);
}

/* GET /v1/verify/ID */
void
api_verify_show(struct api_req *req)
{
	struct verify_info	 v;
	long long		 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	if (verify_get(&req->ctx, id > 1000000000 ? 0 : (int)id, &v) == 0)
		verify_answer(req, &v, 200);
}
