/*
 * GET /v1/export: the schedule as iCalendar (ical_export.c), of one
 * clinician or the whole practice, in a window, at a detail level.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ical_export.h"
#include "lookup.h"
#include "strbuf.h"

void
api_export(struct api_req *req)
{
	struct export_query	 q;
	struct strbuf		 out = STRBUF_INIT;
	const char		*v;

	memset(&q, 0, sizeof(q));
	q.detail = EXPORT_INITIALS;
	q.emails = 1;
	if ((v = api_query(req, "clinician")) != NULL &&
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &q.clinician_id) == -1)
		return;
	if ((v = api_query(req, "detail")) != NULL &&
	    export_detail_parse(v, &q.detail) == -1) {
		api_error(req, PROTO_EBADREQUEST, "detail must be busy, "
		    "initials or full");
		return;
	}
	if (export_window(&req->ctx, api_query(req, "from"),
	    api_query(req, "to"), &q) == -1)
		return;
	if (ical_export(&req->ctx, &q, &out) == -1) {
		free(strbuf_finish(&out));
		return;
	}
	api_reply_text(req, 200, "text/calendar; charset=utf-8",
	    strbuf_finish(&out));
}
