/* GET /v1/agenda?clinician=&day=: the day at a glance (agenda.c). */
#include "agenda.h"
#include "api.h"
#include "appt.h"
#include "lookup.h"

void
api_agenda(struct api_req *req)
{
	struct appt_cursor	 buf, next;
	const struct appt_cursor *after = NULL;
	const char		*v;
	json_t			*answer;
	long long		 clinician = 0;
	int			 more;

	if ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &clinician) == -1)
		return;
	if ((v = api_query(req, PROTO_PAGE_AFTER)) != NULL) {
		if (appt_cursor_parse(&req->ctx, v, &buf) == -1)
			return;
		after = &buf;
	}
	if ((answer = agenda_day(&req->ctx, clinician, api_query(req, "day"),
	    after, &next, &more)) == NULL)
		return;
	json_object_set_new(answer, PROTO_PAGE_NEXT, api_page_next(&next,
	    more));
	api_reply(req, 200, answer);
}
