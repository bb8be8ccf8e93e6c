/*
 * /v1/series: the series a client or clinician has, and one of them
 * with its sessions.  Booking, moving and cancelling by scope is in
 * series_scope.c, reached through /v1/appointments.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "appt.h"
#include "lookup.h"
#include "series.h"

/* GET /v1/series and /v1/series/ID */

#define SERIES_STR(n)	SERIES_STR2(n)
#define SERIES_STR2(n)	#n

void
api_series_list(struct api_req *req)
{
	struct series_filter	 f;
	const char		*v, *all = api_query(req, "all");
	json_t			*list;
	long long		 limit = PROTO_SERIES_PAGE_DEFAULT, after = 0;
	long long		 next = 0;
	char			 cursor[32];
	int			 more;

	memset(&f, 0, sizeof(f));
	f.all = all != NULL && strcmp(all, "0") != 0;
	if (((v = api_query(req, "client")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLIENT, v, &f.client_id) == -1) ||
	    ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &f.clinician_id) == -1) ||
	    api_query_int(req, PROTO_PAGE_LIMIT, 1, PROTO_SERIES_PAGE_MAX,
	    &limit, PROTO_PAGE_LIMIT ": a whole number from 1 to "
	    SERIES_STR(PROTO_SERIES_PAGE_MAX)) == -1 ||
	    api_query_int(req, PROTO_PAGE_AFTER, 1, LLONG_MAX, &after,
	    PROTO_PAGE_AFTER ": not a cursor of this list (give back the "
	    "\"" PROTO_PAGE_NEXT "\" of the previous page as it came)") == -1)
		return;
	if ((list = series_list(&req->ctx, &f, after, (int)limit, &next,
	    &more)) == NULL) {
		api_internal(req);
		return;
	}
	snprintf(cursor, sizeof(cursor), "%lld", next);
	api_reply(req, 200, json_pack("{s:o,s:s?}", "series", list,
	    PROTO_PAGE_NEXT, more ? cursor : NULL));
}

void
api_series_show(struct api_req *req)
{
	struct appt_cursor	 buf, next;
	const struct appt_cursor *after;
	json_t			*obj;
	long long		 id;
	int			 limit, more;

	if (api_id(req, req->arg[0], &id) == -1 ||
	    api_page(req, PROTO_PAGE_DEFAULT, PROTO_PAGE_MAX, &limit, &buf,
	    &after) == -1)
		return;
	if ((obj = series_show(&req->ctx, id, after, limit, &next,
	    &more)) != NULL)
		api_reply(req, 200, json_pack("{s:o,s:o}", "series", obj,
		    PROTO_PAGE_NEXT, api_page_next(&next, more)));
	else if (!api_failed(req))
		api_error(req, PROTO_ENOTFOUND, "no series %lld", id);
}

