/*
 * /v1/imports: an iCalendar file sent in parts, each a request body of
 * its bytes under the configured limit, then started; the import
 * runs on the loop in slices (import.c) and is followed with GET.  The
 * daemon never opens a path a caller names.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "import.h"
#include "practiced.h"

static int
import_arg(struct api_req *req, int *id)
{
	long long	 n;

	if (api_id(req, req->arg[0], &n) == -1)
		return -1;
	*id = n > IMPORT_ID_MAX ? 0 : (int)n;
	return 0;
}

static void
import_reply(struct api_req *req, int status, int id)
{
	const char	*items = api_query(req, "items");
	json_t		*obj;

	if ((obj = import_json(&req->ctx, id, items != NULL &&
	    strcmp(items, "0") != 0)) == NULL) {
		if (!ctx_failed(&req->ctx))
			api_internal(req);
		return;
	}
	if (status == 201)
		json_object_set_new(obj, PROTO_IMPORT_PART_MAX, json_integer(
		    (json_int_t)import_part_max(&req->ctx)));
	api_reply(req, status, obj);
}

/* POST /v1/imports {"clinician", "dry_run", "create_clients"} */
void
api_import_create(struct api_req *req)
{
	static const char *const fields[] = { "clinician", "dry_run",
	    "create_clients", NULL };
	struct import_opts	 o;
	int			 id;

	memset(&o, 0, sizeof(o));
	if (api_fields(req, fields) == -1 ||
	    api_ref(req, KIND_CLINICIAN, "clinician", 0,
	    &o.clinician_id) == -1 ||
	    api_bool(req, "dry_run", &o.dry_run) == -1 ||
	    api_bool(req, "create_clients", &o.create_clients) == -1)
		return;
	if (o.clinician_id != 0 &&
	    lookup_require_active(&req->ctx, KIND_CLINICIAN,
	    o.clinician_id) == -1)
		return;
	if (import_create(&req->ctx, &o, &id) == 0)
		import_reply(req, 201, id);
}

/* POST /v1/imports/ID/parts, the part's bytes the body (control.c has
 * checked their type and left them unparsed in req->raw). */
void
api_import_part(struct api_req *req)
{
	size_t	 max = import_part_max(&req->ctx);
	int	 id;

	if (import_arg(req, &id) == -1)
		return;
	if (req->rawlen == 0)
		api_error(req, PROTO_EBADREQUEST, "the part is empty: the body "
		    "is the file's next bytes");
	else if (req->rawlen > max)
		api_error(req, PROTO_ETOOLARGE, "the part is over %zu bytes "
		    "(%s); send the file in more parts", max,
		    PROTO_IMPORT_PART_MAX);
	else if (import_append(&req->ctx, id, req->raw, req->rawlen) == 0)
		api_reply(req, 200, json_pack("{s:{s:i,s:I}}", PROTO_IMPORT,
		    "id", id, "received", (json_int_t)req->rawlen));
}

/* POST /v1/imports/ID/start */
void
api_import_start(struct api_req *req)
{
	static const char *const fields[] = { NULL };
	int	 id;

	if (api_fields(req, fields) == -1 || import_arg(req, &id) == -1)
		return;
	if (import_start(&req->ctx, id) == 0)
		import_reply(req, 202, id);
}

/* GET /v1/imports/ID */
void
api_import_show(struct api_req *req)
{
	int	 id;

	if (import_arg(req, &id) == 0)
		import_reply(req, 200, id);
}
