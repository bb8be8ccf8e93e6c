/*
 * GET /v1/slots: the free slots of a clinician for a service (slots.c),
 * in the clinician's zone unless the request names one.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "lookup.h"
#include "slots.h"

static int
slots_params(struct api_req *req, struct slots_query *q)
{
	const char	*v;
	char		 why[40];
	long long	 days = 14, step = 0;

	if ((v = api_query(req, "clinician")) == NULL ||
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &q->clinician_id) == -1) {
		if (v == NULL)
			api_error(req, PROTO_EBADREQUEST, "slots needs a "
			    "clinician");
		return -1;
	}
	if ((v = api_query(req, "service")) == NULL ||
	    lookup_ref(&req->ctx, KIND_SERVICE, v, &q->service_id) == -1) {
		if (v == NULL)
			api_error(req, PROTO_EBADREQUEST, "slots needs a "
			    "service");
		return -1;
	}
	if ((v = api_query(req, "room")) != NULL &&
	    lookup_ref(&req->ctx, KIND_ROOM, v, &q->room_id) == -1)
		return -1;
	snprintf(why, sizeof(why), "days must be 1 to %d", SLOTS_MAX_DAYS);
	/* Checked whole, then narrowed: 4294967301 is no 5. */
	if (api_query_int(req, "days", 1, SLOTS_MAX_DAYS, &days, why) == -1 ||
	    api_query_int(req, "step", 5, 240, &step,
	    "step must be 5 to 240 minutes") == -1)
		return -1;
	q->days = (int)days;
	q->step = (int)step;
	q->from = api_query(req, "from");
	q->in_their_zone = api_query(req, "tz") == NULL;
	return 0;
}

void
api_slots(struct api_req *req)
{
	struct slots_query	 q;
	json_t			*answer;

	memset(&q, 0, sizeof(q));
	if (slots_params(req, &q) == 0 &&
	    (answer = slots_find(&req->ctx, &q)) != NULL)
		api_reply(req, 200, answer);
}
