/* Reading the outbox and retrying from it: pages, counts, refusals. */
#include <string.h>

#include "db.h"
#include "remind_query.h"

#include "practice.h"
#include "unit.h"

/* Appointment 1 ahead (version 2), 2 cancelled ahead, 3 begun. */
static int
query_setup(struct practice *p)
{
	static const char *const sql[] = {
	    "UPDATE clients SET email = 'j@example.org', remind_email = 1"
	    "  WHERE id = 1",
	    "INSERT INTO appointments (id, clinician_id, client_id, service_id,"
	    "  start_utc, end_utc, block_end_utc, zone, state, version,"
	    "  created, updated) VALUES"
	    "  (1, 1, 1, 1, 1894010400, 1894013400, 1894014000, 'UTC',"
	    "   'booked', 2, 0, 0),"
	    "  (2, 1, 1, 1, 1894096800, 1894099800, 1894100400, 'UTC',"
	    "   'cancelled', 2, 0, 0),"
	    "  (3, 1, 1, 1, 1894000000, 1894003000, 1894003600, 'UTC',"
	    "   'booked', 1, 0, 0)",
	    /* id, appointment, version, due, state */
	    "INSERT INTO reminders (id, appointment_id, notice, channel,"
	    "  rule_minutes, version, due_utc, state, recipient, attempts,"
	    "  created, updated) VALUES"
	    "  (1, 1, 'reminder', 'email', 120, 1, 1893999000, 'superseded',"
	    "   'old@example.org', 0, 0, 0),"
	    "  (2, 1, 'reminder', 'email', 120, 2, 1894003200, 'failed',"
	    "   'old@example.org', 1, 0, 0),"
	    "  (3, 1, 'reminder', 'email', 60, 2, 1894006800, 'pending',"
	    "   'j@example.org', 0, 0, 0),"
	    "  (4, 1, 'reminder', 'sms', 60, 2, 1894006800, 'skipped',"
	    "   NULL, 0, 0, 0),"
	    "  (5, 2, 'reminder', 'email', 120, 1, 1894003300, 'failed',"
	    "   'j@example.org', 1, 0, 0),"
	    "  (6, 3, 'reminder', 'email', 60, 1, 1893996400, 'expired',"
	    "   'j@example.org', 1, 0, 0),"
	    "  (7, 1, 'reminder', 'email', 2880, 2, 1893900000, 'sent',"
	    "   'j@example.org', 1, 0, 0)",
	    "INSERT INTO deliveries (reminder_id, attempt, started, finished,"
	    "  outcome, code, detail) VALUES"
	    "  (2, 1, 1894003200, 1894003201, 'failed', 550, 'no such user')",
	};
	size_t	 i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (practice_exec(p, sql[i]) == -1)
			return -1;
	return 0;
}

/* The ids of a page, "2,3,..." */
static void
page_ids(json_t *list, char *buf, size_t len)
{
	json_t	*r;
	size_t	 i, n = 0;

	buf[0] = '\0';
	json_array_foreach(list, i, r)
		n += snprintf(buf + n, len - n, "%s%lld", i ? "," : "",
		    (long long)json_integer_value(json_object_get(r, "id")));
}

static void
list_is(struct practice *p, struct remind_filter *f, const char *want)
{
	json_t	*list;
	char	 got[128];

	practice_reset(p, PRACTICE_NOW);
	CHECK((list = remind_query_list(&p->ctx, f)) != NULL);
	page_ids(list, got, sizeof(got));
	CHECK_STR(got, want);
	json_decref(list);
}

static void
test_pages(struct practice *p)
{
	struct remind_filter	 f;
	struct appt_cursor	 cursor;

	memset(&f, 0, sizeof(f));
	f.limit = 100;
	/* due order, superseded left out */
	list_is(p, &f, "7,6,2,5,3,4");
	CHECK(!f.more);
	f.state = "failed";
	list_is(p, &f, "2,5");
	f.state = "superseded";
	list_is(p, &f, "1");
	/* the next two hours: due from now (08:00 UTC) to 10:00 */
	f.state = NULL;
	f.until = PRACTICE_NOW + 2 * 3600;
	list_is(p, &f, "2,5,3,4");
	/* pages of two follow each other */
	memset(&f, 0, sizeof(f));
	f.limit = 2;
	list_is(p, &f, "7,6");
	CHECK(f.more && f.next.id == 6);
	cursor = f.next;
	f.after = &cursor;
	list_is(p, &f, "2,5");
	cursor = f.next;
	list_is(p, &f, "3,4");
	CHECK(!f.more);
	CHECK(remind_state_valid("expired") && !remind_state_valid("lost") &&
	    !remind_state_valid(""));
}

static void
test_counts_and_explain(struct practice *p)
{
	json_t	*appts, *c, *list;

	practice_reset(p, PRACTICE_NOW);
	appts = json_pack("[{s:i},{s:i},{s:i}]", "id", 1, "id", 2, "id", 3);
	CHECK(remind_query_counts(&p->ctx, appts) == 0);
	/* appointment 1: its version 2 only; 2 was cancelled at version 2 */
	c = json_object_get(json_array_get(appts, 0), "reminders");
	CHECK(json_integer_value(json_object_get(c, "failed")) == 1);
	CHECK(json_integer_value(json_object_get(c, "pending")) == 1);
	CHECK(json_integer_value(json_object_get(c, "skipped")) == 1);
	CHECK(json_integer_value(json_object_get(c, "sent")) == 1);
	CHECK(json_object_size(c) == 4);
	CHECK(json_object_size(json_object_get(json_array_get(appts, 1),
	    "reminders")) == 0);
	json_decref(appts);

	CHECK((list = remind_query_explain(&p->ctx, 1)) != NULL);
	CHECK(json_array_size(list) == 5);
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0),
	    "state")), "superseded");
	c = json_object_get(json_array_get(list, 1), "deliveries");
	CHECK(json_array_size(c) == 1);
	CHECK(json_integer_value(json_object_get(json_array_get(c, 0),
	    "code")) == 550);
	json_decref(list);
	CHECK(remind_query_explain(&p->ctx, 99) == NULL &&
	    p->ctx.err == PROTO_ENOTFOUND);
}

static void
retry_refused(struct practice *p, long long id, const char *why)
{
	practice_reset(p, PRACTICE_NOW);
	CHECK(remind_retry(&p->ctx, id) == -1);
	CHECK(p->ctx.err == PROTO_ESTATE || p->ctx.err == PROTO_ENOTFOUND);
	if (strstr(p->ctx.msg, why) == NULL) {
		fprintf(stderr, "retry %lld: %s, want \"%s\"\n", id,
		    p->ctx.msg, why);
		CHECK(!"the refusal says why");
	}
}

static void
test_retry(struct practice *p)
{
	retry_refused(p, 7, "was sent already");
	retry_refused(p, 3, "waiting to be sent");
	retry_refused(p, 4, "was skipped");
	retry_refused(p, 1, "earlier time");
	retry_refused(p, 5, "cancelled session");
	retry_refused(p, 6, "has begun");
	retry_refused(p, 99, "no reminder 99");

	/* the client opted out since: no retry */
	CHECK(practice_exec(p, "UPDATE clients SET remind_email = 0") == 0);
	retry_refused(p, 2, "takes no email");
	CHECK(practice_exec(p, "UPDATE clients SET remind_email = 1") == 0);

	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(remind_retry(&p->ctx, 2) == 0);
	CHECK(db_commit(p->pd.db) == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM reminders WHERE id = 2"
	    " AND state = 'pending' AND due_utc = 1894003200 AND attempts = 1"
	    " AND recipient = 'j@example.org'") == 1);
	CHECK(practice_int(p, "SELECT count(*) FROM audit WHERE"
	    " action = 'reminder.retry' AND object_id = 2"
	    " AND detail NOT LIKE '%@%'") == 1);
}

void
test_remind_query(void)
{
	struct practice	 p;

	if (practice_open(&p) == -1 || query_setup(&p) == -1) {
		CHECK(!"the outbox practice could be set up");
		practice_close(&p);
		return;
	}
	test_pages(&p);
	test_counts_and_explain(&p);
	test_retry(&p);
	practice_close(&p);
}
