/*
 * GET /v1/reminders (the outbox by state and due time, in pages),
 * GET /v1/appointments/ID/reminders (every reminder of a session with
 * its attempts) and POST /v1/reminders/ID/retry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "appt.h"
#include "remind_query.h"

/* "48h", "90m", "2d" as seconds within (0, REMIND_WINDOW_MAX], or -1. */
static long long
reminders_window(const char *s)
{
	char		*end;
	long long	 n, unit;

	errno = 0;
	if (*s < '0' || *s > '9' ||
	    (n = strtoll(s, &end, 10)) <= 0 || errno != 0 || end[0] == '\0' ||
	    end[1] != '\0' || n > REMIND_WINDOW_MAX / 60)
		return -1;
	switch (*end) {
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (n > REMIND_WINDOW_MAX / unit)
		return -1;
	return n * unit;
}

static int
reminders_filter(struct api_req *req, struct remind_filter *f,
    struct appt_cursor *buf)
{
	const char	*v;
	long long	 window;

	memset(f, 0, sizeof(f[0]));
	if ((v = api_query(req, PROTO_REMINDERS_STATE)) != NULL) {
		if (!remind_state_valid(v)) {
			api_error(req, PROTO_EBADREQUEST, "state must be "
			    "pending, sending, sent, failed, expired, skipped "
			    "or superseded");
			return -1;
		}
		f->state = v;
	}
	if ((v = api_query(req, PROTO_REMINDERS_NEXT)) != NULL) {
		if ((window = reminders_window(v)) == -1) {
			api_error(req, PROTO_EBADREQUEST, "next must be a time "
			    "ahead such as 90m, 48h or 7d, at most 366 days");
			return -1;
		}
		f->until = req->ctx.now + (time_t)window;
	}
	return api_page(req, REMIND_PAGE_DEFAULT, REMIND_PAGE_MAX, &f->limit,
	    buf, &f->after);
}

void
api_reminder_list(struct api_req *req)
{
	struct remind_filter	 f;
	struct appt_cursor	 buf;
	json_t			*list;

	if (reminders_filter(req, &f, &buf) == -1)
		return;
	if ((list = remind_query_list(&req->ctx, &f)) == NULL) {
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:s,s:o,s:o}", "tz", req->ctx.tz,
	    PROTO_REMINDERS, list, PROTO_PAGE_NEXT,
	    api_page_next(&f.next, f.more)));
}

/* GET /v1/appointments/ID/reminders */

void
api_appointment_reminders(struct api_req *req)
{
	json_t		*list, *appt;
	long long	 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	if ((list = remind_query_explain(&req->ctx, id)) == NULL)
		return;
	if ((appt = appt_json(&req->ctx, id)) == NULL) {
		json_decref(list);
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack("{s:s,s:o,s:o}", "tz", req->ctx.tz,
	    "appointment", appt, PROTO_REMINDERS, list));
}

/* POST /v1/reminders/ID/retry */

void
api_reminder_retry(struct api_req *req)
{
	static const char *const fields[] = { NULL };
	json_t		*row;
	long long	 id;

	if (api_fields(req, fields) == -1 ||
	    api_id(req, req->arg[0], &id) == -1 || api_begin(req) == -1)
		return;
	if (remind_retry(&req->ctx, id) == 0 &&
	    (row = remind_query_one(&req->ctx, id)) != NULL)
		api_reply(req, 200, json_pack("{s:o}", "reminder", row));
	api_finish(req);
}
