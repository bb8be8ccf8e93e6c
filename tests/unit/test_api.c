/*
 * The handler edge: query numbers range-checked before narrowing, and
 * the context's error turned into the answer (api_answer).
 */
#include <sys/queue.h>

#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "check.h"
#include "practice.h"
#include "unit.h"

/* One GET handler on the practice with a query string; the status. */
static int
api_get(struct practice *p, api_handler handler, const char *qs,
    char *msg, size_t len)
{
	struct evkeyvalq	 query;
	struct api_req		 req;
	const char		*m;
	int			 status;

	TAILQ_INIT(&query);
	memset(&req, 0, sizeof(req));
	ctx_init(&req.ctx, &p->pd, PRACTICE_NOW);
	req.method = API_GET;
	req.query = &query;
	if (evhttp_parse_query_str(qs, &query) == -1)
		return -1;
	handler(&req);
	api_answer(&req);
	status = req.status;
	m = json_string_value(json_object_get(json_object_get(req.reply,
	    "error"), "message"));
	snprintf(msg, len, "%s", m != NULL ? m : "");
	json_decref(req.reply);
	evhttp_clear_headers(&query);
	return status;
}

static void
test_api_numbers(struct practice *p)
{
	static const struct {
		const char	*qs;
		int		 status;
		const char	*msg;
	} cases[] = {
		{ "clinician=ana&service=1&step=30", 200, "" },
		{ "clinician=ana&service=1&step=4294967301", 400,
		    "step must be 5 to 240 minutes" },
		{ "clinician=ana&service=1&step=-4294967291", 400,
		    "step must be 5 to 240 minutes" },
		{ "clinician=ana&service=1&step=99999999999999999999", 400,
		    "step must be 5 to 240 minutes" },
		{ "clinician=ana&service=1&step=30x", 400,
		    "step must be 5 to 240 minutes" },
		{ "clinician=ana&service=1&step=", 400,
		    "step must be 5 to 240 minutes" },
		{ "clinician=ana&service=1&days=4294967297", 400,
		    "days must be 1 to 62" },
		{ "clinician=ana&service=1&days=62", 200, "" },
	};
	char	 msg[200];
	size_t	 i;
	int	 status;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		status = api_get(p, api_slots, cases[i].qs, msg, sizeof(msg));
		if (status != cases[i].status)
			fprintf(stderr, "slots?%s: %d %s\n", cases[i].qs,
			    status, msg);
		CHECK(status == cases[i].status);
		CHECK_STR(msg, cases[i].msg);
	}
	CHECK(api_get(p, api_audit_list, "limit=4294967297", msg,
	    sizeof(msg)) == 400);
	CHECK(api_get(p, api_audit_list, "limit=10", msg, sizeof(msg)) == 200);
}

/* A refusal left in the context becomes the answer, details and all. */
static void
test_api_answer(struct practice *p)
{
	struct api_req	 req;

	memset(&req, 0, sizeof(req));
	ctx_init(&req.ctx, &p->pd, PRACTICE_NOW);
	ctx_error_details(&req.ctx, PROTO_ECONFLICT, json_pack("{s:i}", "n",
	    1), "clashes with %d", 7);
	ctx_error(&req.ctx, PROTO_EHOURS, "a second error is dropped");
	api_reply(&req, 200, json_object());	/* and so is a reply */
	api_answer(&req);
	CHECK(req.status == 409);
	CHECK_STR(json_string_value(json_object_get(json_object_get(req.reply,
	    "error"), "code")), "conflict");
	CHECK_STR(json_string_value(json_object_get(json_object_get(req.reply,
	    "error"), "message")), "clashes with 7");
	CHECK(json_integer_value(json_object_get(json_object_get(
	    json_object_get(req.reply, "error"), "details"), "n")) == 1);
	CHECK(!ctx_failed(&req.ctx));
	json_decref(req.reply);

	/* No answer at all is an internal error, never an empty 200. */
	memset(&req, 0, sizeof(req));
	ctx_init(&req.ctx, &p->pd, PRACTICE_NOW);
	api_answer(&req);
	CHECK(req.status == 500);
	json_decref(req.reply);
}

/* What a message or a query may carry: whole UTF-8 sequences only. */
static void
test_api_utf8(void)
{
	static const struct {
		const char	*s;
		size_t		 len;	/* of the sequence at s; 0: none */
	} cases[] = {
		{ "a", 1 }, { "\xc3\xa9", 2 }, { "\xe2\x82\xac", 3 },
		{ "\xf0\x9f\x98\x80", 4 },
		{ "\xc3", 0 },			/* cut */
		{ "\xe2\x82", 0 },
		{ "\xff", 0 }, { "\x80", 0 },	/* stray */
		{ "\xc0\xaf", 0 },		/* overlong '/' */
		{ "\xe0\x80\xaf", 0 },
		{ "\xed\xa0\x80", 0 },	/* a surrogate */
		{ "\xf4\x90\x80\x80", 0 },	/* beyond U+10FFFF */
	};
	struct ctx	 ctx;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(check_utf8_seq((const unsigned char *)cases[i].s,
		    strlen(cases[i].s)) == cases[i].len);
	ctx_init(&ctx, NULL, 0);
	ctx_error(&ctx, PROTO_ENOTFOUND, "no client %s", "Jo\xff\xfe\xc3");
	CHECK_STR(ctx.msg, "no client Jo???");
	ctx_clear(&ctx);
	ctx_error(&ctx, PROTO_ENOTFOUND, "no client %s", "Ren\xc3\xa9" "e");
	CHECK_STR(ctx.msg, "no client Ren\xc3\xa9" "e");
	ctx_clear(&ctx);
}

void
test_api(void)
{
	struct practice	 p;

	if (practice_open(&p) == -1) {
		CHECK(!"the api practice could be set up");
		practice_close(&p);
		return;
	}
	test_api_numbers(&p);
	test_api_answer(&p);
	test_api_utf8();
	practice_close(&p);
}
