/* GET /v1/audit: the newest changes, oldest first. */
#include "api.h"
#include "audit.h"
#include "tz.h"

static int
audit_params(struct api_req *req, time_t *since, long long *limit)
{
	const char	*v;
	struct tz_wall	 w;
	char		 err[160];

	*since = 0;
	*limit = 100;
	if ((v = api_query(req, "since")) != NULL) {
		if (tz_parse_date(v, req->ctx.tz, req->ctx.now, &w, err,
		    sizeof(err)) == -1) {
			api_error(req, PROTO_EBADREQUEST, "since: %s", err);
			return -1;
		}
		*since = tz_day_start(req->ctx.tz, w.year, w.month, w.day);
	}
	if (api_query_int(req, "limit", 1, 10000, limit,
	    "limit must be a number from 1 to 10000") == -1)
		return -1;
	return 0;
}

void
api_audit_list(struct api_req *req)
{
	json_t		*list;
	time_t		 since;
	long long	 limit;

	if (audit_params(req, &since, &limit) == -1)
		return;
	if ((list = audit_list(&req->ctx, since, (int)limit)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:s,s:o}", "tz", req->ctx.tz, "audit",
	    list));
}
