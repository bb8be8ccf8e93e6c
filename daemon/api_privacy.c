/*
 * GET /v1/clients/ID/export and POST /v1/clients/ID/erase {"force"}:
 * a client's access to, and erasure of, what the practice holds.  Both
 * are administrators' (health data) and both are audited.
 */
#include "api.h"
#include "appt.h"
#include "lookup.h"
#include "privacy.h"

/* In pages of records, each a few ms of the loop ("after": "next"). */
void
api_client_export(struct api_req *req)
{
	struct appt_cursor	 buf, next;
	const struct appt_cursor *after;
	json_t			*answer;
	long long		 id;
	int			 limit, more;

	if (lookup_ref(&req->ctx, KIND_CLIENT, req->arg[0], &id) == -1 ||
	    api_page(req, PRIVACY_PAGE, PRIVACY_PAGE, &limit, &buf,
	    &after) == -1 || api_begin(req) == -1)
		return;
	if ((answer = privacy_export(&req->ctx, id, after, limit, &next,
	    &more)) != NULL) {
		json_object_set_new(answer, PROTO_PAGE_NEXT,
		    api_page_next(&next, more));
		api_reply(req, 200, answer);
	}
	api_finish(req);
}

void
api_client_erase(struct api_req *req)
{
	static const char *const fields[] = { "force", NULL };
	struct privacy_after	 after;
	json_t			*summary;
	long long		 id;
	int			 force = 0, files;

	if (api_fields(req, fields) == -1 || api_bool(req, "force",
	    &force) == -1 ||
	    lookup_ref(&req->ctx, KIND_CLIENT, req->arg[0], &id) == -1 ||
	    api_begin(req) == -1)
		return;
	if (privacy_erase(&req->ctx, id, force, &summary, &after) == 0)
		api_reply(req, 200, json_pack("{s:o}", "erased", summary));
	api_finish(req);
	/* Committed: the files go, and the answer counts them. */
	if (!api_failed(req) && req->reply != NULL) {
		files = privacy_erase_after(req->ctx.pd, &after);
		json_object_set_new(json_object_get(req->reply, PROTO_ERASED),
		    "files", json_integer(files));
	}
	privacy_after_free(&after);
}
