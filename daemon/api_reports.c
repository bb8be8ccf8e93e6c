/*
 * GET /v1/clients/ID/history and /v1/reports/attendance (report.c):
 * the conversation about consistency, and clients falling out of care.
 */
#include "api.h"
#include "appt.h"
#include "lookup.h"
#include "report.h"

void
api_client_history(struct api_req *req)
{
	struct appt_cursor	 buf, next;
	const struct appt_cursor *after;
	json_t			*answer;
	long long		 id;
	int			 limit, more;

	if (lookup_ref(&req->ctx, KIND_CLIENT, req->arg[0], &id) == 0 &&
	    api_page(req, PROTO_PAGE_DEFAULT, PROTO_PAGE_MAX, &limit, &buf,
	    &after) == 0 &&
	    (answer = report_history(&req->ctx, id, after, limit, &next,
	    &more)) != NULL) {
		json_object_set_new(answer, PROTO_PAGE_NEXT,
		    api_page_next(&next, more));
		api_reply(req, 200, answer);
	}
}

void
api_report_attendance(struct api_req *req)
{
	json_t		*answer;
	const char	*v;
	long long	 clinician = 0;

	if ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &clinician) == -1)
		return;
	if ((answer = report_attendance(&req->ctx, api_query(req, "from"),
	    api_query(req, "to"), clinician)) != NULL)
		api_reply(req, 200, answer);
}
