/*
 * GET /v1/reminders (the outbox by state and due time, in pages),
 * GET /v1/appointments/ID/reminders (every reminder of a session with
 * its attempts), POST /v1/reminders/ID/retry, and test messages (POST
 * /v1/reminders/tests, GET /v1/reminders/tests/ID).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "appt.h"
#include "outbox_test.h"
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

/* A test as its answer shows it; "wait" while it is on its way. */
static json_t *
reminder_test_json(const struct outbox_test *t)
{
	json_t	*obj;
	char	 wait[64];

	obj = json_pack("{s:{s:i,s:I,s:s,s:s,s:s*,s:o}}", PROTO_TEST,
	    "id", t->id, PROTO_TEST_CLIENT, (json_int_t)t->client_id,
	    PROTO_TEST_CHANNEL, t->channel == CHANNEL_EMAIL ? "email" : "sms",
	    "state", t->state, "detail", t->detail[0] != '\0' ? t->detail :
	    NULL, "code", t->code != 0 ? json_integer(t->code) : json_null());
	if (obj != NULL && strcmp(t->state, "sending") == 0) {
		snprintf(wait, sizeof(wait), PROTO_PATH_REMINDERS
		    PROTO_PATH_TESTS "/%d", t->id);
		if (json_object_set_new(obj, PROTO_WAIT, json_string(wait))
		    == -1) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* POST /v1/reminders/tests {"client": REF, "channel": "email"|"sms"} */
void
api_reminder_test(struct api_req *req)
{
	static const char *const fields[] = { PROTO_TEST_CLIENT,
	    PROTO_TEST_CHANNEL, NULL };
	struct outbox_test	 t;
	const char		*channel;
	long long		 client;
	enum channel		 ch;

	if (api_fields(req, fields) == -1 ||
	    api_ref(req, KIND_CLIENT, PROTO_TEST_CLIENT, 1, &client) == -1 ||
	    api_string(req, PROTO_TEST_CHANNEL, 8, 1, &channel) == -1)
		return;
	if (strcmp(channel, "email") == 0)
		ch = CHANNEL_EMAIL;
	else if (strcmp(channel, "sms") == 0)
		ch = CHANNEL_SMS;
	else {
		api_error(req, PROTO_EBADREQUEST, "channel is email or sms, "
		    "not \"%s\"", channel);
		return;
	}
	if (api_begin(req) == -1)
		return;
	if (outbox_test_send(&req->ctx, client, ch, &t) == 0)
		api_reply(req, 202, reminder_test_json(&t));
	api_finish(req);
}

/* GET /v1/reminders/tests/ID */
void
api_reminder_test_show(struct api_req *req)
{
	struct outbox_test	 t;
	long long		 id;

	if (api_id(req, req->arg[0], &id) == -1)
		return;
	if (outbox_test_get(&req->ctx, id > OUTBOX_TEST_ID_MAX ? 0 : (int)id,
	    &t) == 0)
		api_reply(req, 200, reminder_test_json(&t));
}
