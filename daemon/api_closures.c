/*
 * /v1/closures: days the practice, or one clinician, does not see
 * clients (closure.c).  A closure blocks booking and availability; the
 * sessions it covers stay booked and are listed in the answer, until
 * staff cancel them (POST .../cancel, a batch at a time).
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "closure.h"
#include "lookup.h"
#include "tz.h"

/* The closure with extra's members (stolen), and when inside, the open
 * sessions inside it and how many. */
static void
closure_reply(struct api_req *req, int status, long long id, json_t *extra,
    int inside)
{
	json_t		*obj, *affected = NULL;
	long long	 total = 0;

	obj = closure_json(&req->ctx, id);
	if (inside)
		affected = closure_affected(&req->ctx, id, &total);
	if (obj == NULL || (inside && affected == NULL) || extra == NULL) {
		json_decref(obj);
		json_decref(affected);
		json_decref(extra);
		api_internal(req);
		return;
	}
	/* Each steals its value, set or not. */
	if (json_object_set_new(extra, "closure", obj) == -1 ||
	    (inside && (json_object_set_new(extra, "affected", affected) ==
	    -1 || json_object_set_new(extra, "affected_total",
	    json_integer(total)) == -1))) {
		json_decref(extra);
		api_internal(req);
		return;
	}
	api_reply(req, status, extra);
}

void
api_closure_add(struct api_req *req)
{
	static const char *const fields[] = {
		"from", "to", "reason", "clinician", NULL
	};
	struct closure_new	 c;
	long long		 id;

	memset(&c, 0, sizeof(c));
	if (api_fields(req, fields) == -1 ||
	    api_string(req, "reason", CLOSURE_REASON_MAX, 1, &c.reason) == -1 ||
	    api_ref(req, KIND_CLINICIAN, "clinician", 0,
	    &c.clinician_id) == -1 ||
	    api_string(req, "from", 20, 1, &c.from) == -1 ||
	    api_string(req, "to", 20, 0, &c.to) == -1 ||
	    api_begin(req) == -1)
		return;
	if (closure_add(&req->ctx, &c, &id) == 0)
		closure_reply(req, 201, id, json_object(), 1);
	api_finish(req);
}

static int
closure_list_range(struct api_req *req, time_t *from, time_t *to)
{
	const char	*v;
	struct tz_wall	 w;
	char		 err[160];

	*from = req->ctx.now;
	*to = (time_t)1 << 40;
	if ((v = api_query(req, "from")) != NULL) {
		if (tz_parse_date(v, req->ctx.tz, req->ctx.now, &w, err,
		    sizeof(err)) == -1) {
			api_error(req, PROTO_EBADREQUEST, "from: %s", err);
			return -1;
		}
		*from = tz_day_start(req->ctx.tz, w.year, w.month, w.day);
	}
	if ((v = api_query(req, "to")) != NULL) {
		if (tz_parse_date(v, req->ctx.tz, req->ctx.now, &w, err,
		    sizeof(err)) == -1) {
			api_error(req, PROTO_EBADREQUEST, "to: %s", err);
			return -1;
		}
		tz_add_days(&w, 1);
		*to = tz_day_start(req->ctx.tz, w.year, w.month, w.day);
	}
	return 0;
}

void
api_closure_list(struct api_req *req)
{
	json_t		*list;
	const char	*v;
	time_t		 from, to;
	long long	 clinician = 0;

	if (closure_list_range(req, &from, &to) == -1)
		return;
	if ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &clinician) == -1)
		return;
	if ((list = closure_list(&req->ctx, from, to, clinician)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:o}", "closures", list));
}

/* POST /v1/closures/ID/cancel: a batch of the sessions it covers. */
void
api_closure_cancel(struct api_req *req)
{
	static const char *const fields[] = { NULL };
	json_t		*cancelled;
	long long	 id, remaining;

	if (api_id(req, req->arg[0], &id) == -1 ||
	    api_fields(req, fields) == -1 || api_begin(req) == -1)
		return;
	/* What stays inside is told once, with the last batch: listed
	 * with each, it cost as much as the batch itself. */
	if (closure_cancel(&req->ctx, id, &cancelled, &remaining) == 0)
		closure_reply(req, 200, id, json_pack("{s:o,s:I}",
		    PROTO_CHANGED, cancelled, PROTO_REMAINING,
		    (json_int_t)remaining), remaining == 0);
	api_finish(req);
}

void
api_closure_remove(struct api_req *req)
{
	json_t		*obj, *skipped, *booked;
	long long	 id;
	int		 restored;

	if (api_id(req, req->arg[0], &id) == -1 || api_begin(req) == -1)
		return;
	if (closure_remove(&req->ctx, id, &obj, &restored, &skipped,
	    &booked) == 0)
		api_reply(req, 200, json_pack("{s:o,s:i,s:o,s:o}", "closure",
		    obj, "restored", restored, PROTO_CHANGED, booked,
		    "skipped", skipped));
	api_finish(req);
}
