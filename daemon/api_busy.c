/*
 * /v1/busy: busy calendars (busy_cal.c), fetched by busy_fetch.c.  A
 * refresh answers 202 at once and the caller waits on the fetch.
 */
#include <stdio.h>

#include "api.h"
#include "busy_cal.h"
#include "busy_fetch.h"
#include "check.h"
#include "db.h"
#include "practiced.h"

/* Its first fetch, number 1, starts once the add commits. */
static void
api_busy_added(struct api_req *req, long long id)
{
	json_t	*obj;
	char	 wait[96];

	if ((obj = busy_cal_json(&req->ctx, id)) == NULL) {
		api_internal(req);
		return;
	}
	snprintf(wait, sizeof(wait), PROTO_PATH_BUSY "/%lld"
	    PROTO_PATH_REFRESH "/1", id);
	api_reply(req, 201, json_pack("{s:o,s:n,s:s*}", PROTO_BUSY, obj,
	    PROTO_BUSY_FETCH, PROTO_WAIT, req->ctx.pd->busy != NULL ? wait :
	    NULL));
}

/* POST /v1/busy {"clinician", "url", "every"} */
void
api_busy_add(struct api_req *req)
{
	static const char *const fields[] = { PROTO_BUSY_CLINICIAN,
	    PROTO_BUSY_URL, PROTO_BUSY_EVERY, NULL };
	const char	*url, *every;
	char		 why[160];
	long long	 clinician, id;
	int		 seconds = BUSY_EVERY_DEFAULT;

	if (api_fields(req, fields) == -1 ||
	    api_ref(req, KIND_CLINICIAN, PROTO_BUSY_CLINICIAN, 1,
	    &clinician) == -1 ||
	    api_string(req, PROTO_BUSY_URL, CHECK_URL_MAX, 1, &url) ==
	    -1 || api_string(req, PROTO_BUSY_EVERY, 16, 0, &every) == -1)
		return;
	if (every != NULL && busy_cal_every(every, &seconds, why,
	    sizeof(why)) == -1) {
		api_error(req, PROTO_EBADREQUEST, "%s", why);
		return;
	}
	if (api_begin(req) == -1)
		return;
	if (busy_cal_add(&req->ctx, clinician, url, seconds, &id) == 0 &&
	    db_after_commit(req->ctx.pd->db, busy_fetch_sync,
	    req->ctx.pd->busy) == 0)
		api_busy_added(req, id);
	api_finish(req);
}

/* GET /v1/busy */
void
api_busy_list(struct api_req *req)
{
	json_t	*list;

	if ((list = busy_cal_list(&req->ctx)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:o}", PROTO_BUSY, list));
}

/* GET /v1/busy/ID */
void
api_busy_show(struct api_req *req)
{
	json_t		*obj;
	long long	 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	if ((obj = busy_cal_json(&req->ctx, id)) == NULL) {
		if (!api_failed(req))
			api_error(req, PROTO_ENOTFOUND, "no busy calendar "
			    "%lld", id);
		return;
	}
	api_reply(req, 200, json_pack("{s:o}", PROTO_BUSY, obj));
}

/* DELETE /v1/busy/ID: the calendar and its blocks. */
void
api_busy_remove(struct api_req *req)
{
	json_t		*obj;
	long long	 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	if (api_begin(req) == -1)
		return;
	obj = busy_cal_json(&req->ctx, id);
	if (busy_cal_remove(&req->ctx, id) == 0 &&
	    db_after_commit(req->ctx.pd->db, busy_fetch_sync,
	    req->ctx.pd->busy) == 0)
		api_reply(req, 200, json_pack("{s:O}", PROTO_BUSY, obj));
	json_decref(obj);
	api_finish(req);
}

/* {"busy": {...}, "fetch": {...} or null, "wait": path or absent} */
static void
api_busy_fetch_reply(struct api_req *req, int status, long long id,
    unsigned fetch)
{
	json_t	*obj, *result = NULL, *answer;
	char	 wait[96];
	int	 over;

	if ((over = busy_fetch_result(&req->ctx, id, fetch, &result)) == -1)
		return;
	if ((obj = busy_cal_json(&req->ctx, id)) == NULL) {
		json_decref(result);
		api_error(req, PROTO_ENOTFOUND, "no busy calendar %lld", id);
		return;
	}
	answer = json_pack("{s:o,s:o}", PROTO_BUSY, obj, PROTO_BUSY_FETCH,
	    over ? result : json_null());
	if (answer != NULL && !over) {
		snprintf(wait, sizeof(wait), PROTO_PATH_BUSY "/%lld"
		    PROTO_PATH_REFRESH "/%u", id, fetch);
		json_object_set_new(answer, PROTO_WAIT, json_string(wait));
	}
	api_reply(req, over ? 200 : status, answer);
}

/* POST /v1/busy/ID/refresh: 202, and "wait" on the fetch. */
void
api_busy_refresh(struct api_req *req)
{
	unsigned	 fetch;
	long long	 id;

	if (api_id(req, req->arg[0], &id) == -1 ||
	    api_fields(req, (const char *const[]){ NULL }) == -1)
		return;
	if (api_begin(req) == -1)
		return;
	if (busy_cal_refresh(&req->ctx, id) == 0 &&
	    busy_fetch_refresh(&req->ctx, id, &fetch) == 0)
		api_busy_fetch_reply(req, 202, id, fetch);
	api_finish(req);
}

/* GET /v1/busy/ID/refresh/N */
void
api_busy_fetch(struct api_req *req)
{
	long long	 id, fetch;

	if (api_id(req, req->arg[0], &id) == -1 ||
	    api_id(req, req->arg[1], &fetch) == -1)
		return;
	if (fetch > 0xffffffffLL) {
		api_error(req, PROTO_ENOTFOUND, "no fetch %lld", fetch);
		return;
	}
	api_busy_fetch_reply(req, 200, id, (unsigned)fetch);
}
