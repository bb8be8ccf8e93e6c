/*
 * GET /v1/export: the schedule as iCalendar (ical_export.c), of one
 * clinician or the whole practice, in a window, at a detail level; in
 * pages (page=first, then the page's next) for a calendar of any size.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ical_export.h"
#include "lookup.h"
#include "strbuf.h"

/* A page of the calendar, its text and where the next one starts. */
static void
api_export_page(struct api_req *req, struct export_query *q,
    const char *page)
{
	struct strbuf	 out = STRBUF_INIT;
	char		 next[EXPORT_CURSOR_MAX], *text;
	json_t		*obj;

	q->page = strcmp(page, PROTO_EXPORT_FIRST) == 0 ? "" : page;
	if (ical_export_page(&req->ctx, q, &out, next, sizeof(next)) == -1) {
		free(strbuf_finish(&out));
		return;
	}
	if ((text = strbuf_finish(&out)) == NULL) {
		api_internal(req);
		return;
	}
	obj = json_pack("{s:{s:s%,s:s?}}", PROTO_CALENDAR,
	    PROTO_CALENDAR_TEXT, text, strlen(text),
	    PROTO_CALENDAR_NEXT, next[0] != '\0' ? next : NULL);
	free(text);
	if (obj == NULL)
		api_internal(req);
	else
		api_reply(req, 200, obj);
}

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
	if ((v = api_query(req, PROTO_EXPORT_PAGE)) != NULL) {
		api_export_page(req, &q, v);
		return;
	}
	if (ical_export(&req->ctx, &q, &out) == -1) {
		free(strbuf_finish(&out));
		return;
	}
	api_reply_text(req, 200, "text/calendar; charset=utf-8",
	    strbuf_finish(&out));
}
