/*
 * GET /v1/clients/ID/export and POST /v1/clients/ID/erase {"force"}:
 * a client's access to, and erasure of, what the practice holds.  Both
 * are administrators' (health data) and both are audited.
 */
#include "api.h"
#include "lookup.h"
#include "privacy.h"

void
api_client_export(struct api_req *req)
{
	json_t		*answer;
	long long	 id;

	if (lookup_ref(&req->ctx, KIND_CLIENT, req->arg[0], &id) == -1 ||
	    api_begin(req) == -1)
		return;
	if ((answer = privacy_export(&req->ctx, id)) != NULL)
		api_reply(req, 200, answer);
	api_finish(req);
}

void
api_client_erase(struct api_req *req)
{
	static const char *const fields[] = { "force", NULL };
	struct privacy_after	 after;
	json_t			*summary;
	long long		 id;
	int			 force = 0;

	if (api_fields(req, fields) == -1 || api_bool(req, "force",
	    &force) == -1 ||
	    lookup_ref(&req->ctx, KIND_CLIENT, req->arg[0], &id) == -1 ||
	    api_begin(req) == -1)
		return;
	if (privacy_erase(&req->ctx, id, force, &summary, &after) == 0)
		api_reply(req, 200, json_pack("{s:o}", "erased", summary));
	api_finish(req);
	if (!api_failed(req) && req->reply != NULL)
		privacy_erase_after(req->ctx.pd, &after);
	privacy_after_free(&after);
}
