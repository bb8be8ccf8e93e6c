/*
 * /v1/series: the series a client or clinician has, and one of them
 * with its sessions.  Booking, moving and cancelling by scope is in
 * series_scope.c, reached through /v1/appointments.
 */
#include <string.h>

#include "api.h"
#include "lookup.h"
#include "series.h"

/* GET /v1/series and /v1/series/ID */

void
api_series_list(struct api_req *req)
{
	const char	*v, *all = api_query(req, "all");
	json_t		*list;
	long long	 client = 0, clinician = 0;

	if (((v = api_query(req, "client")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLIENT, v, &client) == -1) ||
	    ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &clinician) == -1))
		return;
	if ((list = series_list(&req->ctx, client, clinician,
	    all != NULL && strcmp(all, "0") != 0)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:o}", "series", list));
}

void
api_series_show(struct api_req *req)
{
	json_t		*obj;
	long long	 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	if ((obj = series_json(&req->ctx, id, 1)) == NULL)
		api_error(req, PROTO_ENOTFOUND, "no series %lld", id);
	else
		api_reply(req, 200, json_pack("{s:o}", "series", obj));
}

