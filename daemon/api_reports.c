/*
 * GET /v1/clients/ID/history and /v1/reports/attendance (report.c):
 * the conversation about consistency, and clients falling out of care.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

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

#define REPORT_STR(n)	REPORT_STR2(n)
#define REPORT_STR2(n)	#n

/* Pages of clients, the "next" of one the last client it looked at. */
void
api_report_attendance(struct api_req *req)
{
	struct report_page	 pg;
	json_t			*answer;
	const char		*v;
	long long		 limit = PROTO_REPORT_PAGE_DEFAULT;
	char			 cursor[32];

	memset(&pg, 0, sizeof(pg));
	if (((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &pg.clinician) == -1) ||
	    api_query_int(req, PROTO_PAGE_LIMIT, 1, PROTO_REPORT_PAGE_MAX,
	    &limit, PROTO_PAGE_LIMIT ": a whole number from 1 to "
	    REPORT_STR(PROTO_REPORT_PAGE_MAX)) == -1 ||
	    api_query_int(req, PROTO_PAGE_AFTER, 1, LLONG_MAX, &pg.after,
	    PROTO_PAGE_AFTER ": not a cursor of this report (give back the "
	    "\"" PROTO_PAGE_NEXT "\" of the previous page as it came)") == -1)
		return;
	pg.limit = (int)limit;
	if ((answer = report_attendance(&req->ctx, api_query(req, "from"),
	    api_query(req, "to"), &pg)) == NULL)
		return;
	snprintf(cursor, sizeof(cursor), "%lld", pg.next);
	json_object_set_new(answer, PROTO_PAGE_NEXT, pg.more ?
	    json_string(cursor) : json_null());
	api_reply(req, 200, answer);
}
