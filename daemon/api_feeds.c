/*
 * /v1/feeds: calendar feeds (feed.c).  The token is shown once, as the
 * address to subscribe to, in the answer to add and to rotate; the
 * daemon keeps only its hash, so a lost address is rotated, not shown.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "feed.h"
#include "practiced.h"

/* {"feed": {...}, "url": "..."}, and the secret wiped. */
static void
api_feed_reply(struct api_req *req, int status, long long id,
    struct feed_secret *s)
{
	json_t	*obj;
	char	*url;

	url = feed_url(req->ctx.pd->conf, s->token);
	explicit_bzero(s, sizeof(*s));
	if ((obj = feed_json(&req->ctx, id)) == NULL || url == NULL) {
		json_decref(obj);
		free(url);
		if (!api_failed(req))
			api_internal(req);
		return;
	}
	api_reply(req, status, json_pack("{s:o,s:s,s:b}", "feed", obj,
	    "url", url, "listening", req->ctx.pd->feeds != NULL));
	explicit_bzero(url, strlen(url));
	free(url);
}

void
api_feed_add(struct api_req *req)
{
	static const char *const fields[] = { "clinician", "detail", NULL };
	struct feed_secret	 s;
	enum export_detail	 detail = EXPORT_INITIALS;
	const char		*v;
	long long		 clinician, id;

	if (api_fields(req, fields) == -1 ||
	    api_ref(req, KIND_CLINICIAN, "clinician", 1, &clinician) == -1 ||
	    api_string(req, "detail", 20, 0, &v) == -1)
		return;
	if (v != NULL && export_detail_parse(v, &detail) == -1) {
		api_error(req, PROTO_EBADREQUEST, "detail must be busy, "
		    "initials or full");
		return;
	}
	if (api_begin(req) == -1)
		return;
	if (feed_add(&req->ctx, clinician, detail, &id, &s) == 0)
		api_feed_reply(req, 201, id, &s);
	api_finish(req);
}

void
api_feed_list(struct api_req *req)
{
	json_t	*list;

	feeds_sync(req->ctx.pd, 0);	/* the fetches up to now */
	if ((list = feed_list(&req->ctx)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:o,s:b}", "feeds", list,
	    "listening", req->ctx.pd->feeds != NULL));
}

void
api_feed_rotate(struct api_req *req)
{
	struct feed_secret	 s;
	long long		 id;

	if (api_id(req, req->arg[0], &id) == -1 ||
	    api_fields(req, (const char *const[]){ NULL }) == -1)
		return;
	feeds_sync(req->ctx.pd, id);
	if (api_begin(req) == -1)
		return;
	if (feed_rotate(&req->ctx, id, &s) == 0)
		api_feed_reply(req, 200, id, &s);
	api_finish(req);
}

void
api_feed_revoke(struct api_req *req)
{
	json_t		*obj;
	long long	 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	feeds_sync(req->ctx.pd, id);
	if (api_begin(req) == -1)
		return;
	if (feed_revoke(&req->ctx, id) == 0 &&
	    (obj = feed_json(&req->ctx, id)) != NULL)
		api_reply(req, 200, json_pack("{s:o}", "feed", obj));
	api_finish(req);
}
