/* GET /v1/audit: the newest changes, oldest first. */
#include "api.h"
#include "appt.h"
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

/* "limit" is how many of the newest entries, not a page's size: the
 * entries come AUDIT_PAGE at a time, "after" the previous page's "next". */
void
api_audit_list(struct api_req *req)
{
	struct appt_cursor	 buf, next;
	const struct appt_cursor *after = NULL;
	const char		*v;
	json_t			*list;
	time_t			 since;
	long long		 limit;
	int			 more;

	if (audit_params(req, &since, &limit) == -1)
		return;
	if ((v = api_query(req, PROTO_PAGE_AFTER)) != NULL) {
		if (appt_cursor_parse(&req->ctx, v, &buf) == -1) {
			api_answer(req);
			return;
		}
		after = &buf;
	}
	if ((list = audit_list(&req->ctx, since, (int)limit, after, &next,
	    &more)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:s,s:o,s:o}", "tz", req->ctx.tz,
	    "audit", list, PROTO_PAGE_NEXT, api_page_next(&next, more)));
}
