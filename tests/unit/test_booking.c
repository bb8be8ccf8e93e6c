/*
 * The booking rules, driven through book.c against an in-memory
 * practice: clashes (the new session's own buffer too), rooms, clients,
 * hours,
 * the past, closures, archived records, and the late-cancel edge.
 */
#include <stdio.h>
#include <string.h>

#include "book.h"
#include "db.h"
#include "practice.h"
#include "report.h"
#include "slots.h"
#include "unit.h"

struct book_case {
	const char	*name;
	long long	 clinician, client, service, room;
	time_t		 start;
	int		 force, overlap;
	enum proto_error want;
	int		 forced, overlapped;	/* recorded on success */
};

/* Ana has Tuesday 11:00-11:50 (+10 buffer) in Room 1. */
static const struct book_case book_cases[] = {
	{ "ends as the next session starts", ANA, JORDAN, SESSION, 0,
	    AT(1, 10, 0), 0, 0, PROTO_OK, 0, 0 },
	{ "own buffer runs into the next session", ANA, JORDAN, SESSION, 0,
	    AT(1, 10, 5), 0, 0, PROTO_ECONFLICT, 0, 0 },
	{ "own buffer clash, overlap allowed", ANA, JORDAN, SESSION, 0,
	    AT(1, 10, 5), 0, 1, PROTO_OK, 0, 1 },
	{ "starts inside the other's buffer", ANA, MARIA, SESSION, 0,
	    AT(1, 11, 55), 0, 0, PROTO_ECONFLICT, 0, 0 },
	{ "starts as the other's buffer ends", ANA, MARIA, SESSION, 0,
	    AT(1, 12, 0), 0, 0, PROTO_OK, 0, 0 },
	{ "longer service reaches the session", ANA, MARIA, INTAKE, 0,
	    AT(1, 9, 50), 0, 0, PROTO_ECONFLICT, 0, 0 },
	{ "room taken by another clinician", SAM, MARIA, SESSION, ROOM1,
	    AT(1, 11, 30), 0, 0, PROTO_ECONFLICT, 0, 0 },
	{ "another room is free", SAM, MARIA, SESSION, ROOM2,
	    AT(1, 11, 30), 0, 0, PROTO_OK, 0, 0 },
	{ "same time, other clinician, no room", SAM, MARIA, SESSION, 0,
	    AT(1, 11, 0), 0, 0, PROTO_OK, 0, 0 },
	{ "client already with another clinician", SAM, JORDAN, SESSION, 0,
	    AT(1, 11, 30), 0, 0, PROTO_ECONFLICT, 0, 0 },
	{ "client clash, overlap allowed", SAM, JORDAN, SESSION, 0,
	    AT(1, 11, 30), 0, 1, PROTO_OK, 0, 1 },
	{ "client free in the other's buffer", SAM, JORDAN, SESSION, 0,
	    AT(1, 11, 50), 0, 0, PROTO_OK, 0, 0 },
	{ "client's session ends as this starts", SAM, JORDAN, SESSION, 0,
	    AT(1, 10, 10), 0, 0, PROTO_OK, 0, 0 },
	{ "client's session reached by this one", SAM, JORDAN, SESSION, 0,
	    AT(1, 10, 11), 0, 0, PROTO_ECONFLICT, 0, 0 },
	{ "a cancelled session clashes with nothing", ANA, MARIA, SESSION, 0,
	    AT(1, 14, 0), 0, 0, PROTO_OK, 0, 0 },
	{ "before working hours", ANA, JORDAN, SESSION, 0,
	    AT(1, 8, 30), 0, 0, PROTO_EHOURS, 0, 0 },
	{ "ends after working hours", ANA, JORDAN, SESSION, 0,
	    AT(1, 16, 20), 0, 0, PROTO_EHOURS, 0, 0 },
	{ "ends at closing, buffer after", ANA, JORDAN, SESSION, 0,
	    AT(1, 16, 10), 0, 0, PROTO_OK, 0, 0 },
	{ "on a Saturday", ANA, JORDAN, SESSION, 0,
	    AT(5, 10, 0), 0, 0, PROTO_EHOURS, 0, 0 },
	{ "on a Saturday, forced", ANA, JORDAN, SESSION, 0,
	    AT(5, 10, 0), 1, 0, PROTO_OK, 1, 0 },
	{ "one second ago", ANA, JORDAN, SESSION, 0,
	    PRACTICE_NOW - 1, 0, 0, PROTO_EPAST, 0, 0 },
	{ "now is not the past (but before hours)", ANA, JORDAN, SESSION, 0,
	    PRACTICE_NOW, 0, 0, PROTO_EHOURS, 0, 0 },
	{ "in the past, forced", ANA, JORDAN, SESSION, 0,
	    AT(0, 7, 0), 1, 0, PROTO_OK, 1, 0 },
	{ "on a practice closure", ANA, JORDAN, SESSION, 0,
	    AT(2, 10, 0), 0, 0, PROTO_ECLOSED, 0, 0 },
	{ "on a practice closure, forced", ANA, JORDAN, SESSION, 0,
	    AT(2, 10, 0), 1, 0, PROTO_OK, 1, 0 },
	{ "on the clinician's own closure", SAM, JORDAN, SESSION, 0,
	    AT(3, 10, 0), 0, 0, PROTO_ECLOSED, 0, 0 },
	{ "another clinician's closure", ANA, JORDAN, SESSION, 0,
	    AT(3, 10, 0), 0, 0, PROTO_OK, 0, 0 },
	{ "archived clinician", OLD_CLINICIAN, JORDAN, SESSION, 0,
	    AT(1, 10, 0), 0, 0, PROTO_ESTATE, 0, 0 },
	{ "archived client", ANA, GONE_CLIENT, SESSION, 0,
	    AT(1, 10, 0), 0, 0, PROTO_ESTATE, 0, 0 },
	{ "archived service", ANA, JORDAN, OLD_SERVICE, 0,
	    AT(1, 10, 0), 0, 0, PROTO_ESTATE, 0, 0 },
	{ "archived room", ANA, JORDAN, SESSION, OLD_ROOM,
	    AT(1, 10, 0), 0, 0, PROTO_ESTATE, 0, 0 },
	{ "archived client, even forced", ANA, GONE_CLIENT, SESSION, 0,
	    AT(1, 10, 0), 1, 1, PROTO_ESTATE, 0, 0 },
};

static long long
book(struct practice *p, long long clinician, long long client,
    long long room, time_t start)
{
	struct appt_booking	 b;
	struct appt_result	 res;

	memset(&b, 0, sizeof(b));
	b.clinician_id = clinician;
	b.client_id = client;
	b.service_id = SESSION;
	b.room_id = room;
	b.start = start;
	if (book_new(&p->ctx, &b, &res) == -1) {
		fprintf(stderr, "booking set-up: %s\n", p->ctx.msg);
		return -1;
	}
	appt_result_clear(&res);
	return res.appt_id;
}

static int
booking_setup(struct practice *p)
{
	char	 sql[512];
	long long id;

	if (book(p, ANA, JORDAN, ROOM1, AT(1, 11, 0)) != 1 ||
	    (id = book(p, ANA, MARIA, 0, AT(1, 14, 0))) == -1)
		return -1;
	snprintf(sql, sizeof(sql),
	    "UPDATE appointments SET state = 'cancelled' WHERE id = %lld;"
	    "INSERT INTO closures (clinician_id, first_day, last_day, zone,"
	    "  start_utc, end_utc, reason, created) VALUES"
	    "  (NULL, '2030-01-09', '2030-01-09', 'UTC', %lld, %lld, 'Training',"
	    "  0), (2, '2030-01-10', '2030-01-10', 'UTC', %lld, %lld, 'Leave', 0)",
	    id, (long long)AT(2, 0, 0), (long long)AT(3, 0, 0),
	    (long long)AT(3, 0, 0), (long long)AT(4, 0, 0));
	return practice_exec(p, sql);
}

static void
test_book_cases(struct practice *p)
{
	const struct book_case	*c;
	struct appt_booking	 b;
	struct appt_result	 res;
	char			 sql[128];
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(book_cases) / sizeof(book_cases[0]); i++) {
		c = &book_cases[i];
		memset(&b, 0, sizeof(b));
		b.clinician_id = c->clinician;
		b.client_id = c->client;
		b.service_id = c->service;
		b.room_id = c->room;
		b.start = c->start;
		b.force = c->force;
		b.overlap = c->overlap;
		practice_reset(p, PRACTICE_NOW);
		CHECK(db_begin(p->pd.db) == 0);
		rc = book_new(&p->ctx, &b, &res);
		if (rc != (c->want == PROTO_OK ? 0 : -1) ||
		    p->ctx.err != c->want)
			fprintf(stderr, "booking \"%s\": got %s (%s)\n", c->name,
			    proto_errors[p->ctx.err].code, p->ctx.msg);
		CHECK(rc == (c->want == PROTO_OK ? 0 : -1));
		CHECK(p->ctx.err == c->want);
		if (rc == 0) {
			snprintf(sql, sizeof(sql), "SELECT forced * 2 + overlap"
			    " FROM appointments WHERE id = %lld", res.appt_id);
			CHECK(practice_int(p, sql) ==
			    c->forced * 2 + c->overlapped);
			CHECK((res.warnings != NULL) ==
			    (c->forced || c->overlapped));
		}
		appt_result_clear(&res);
		db_rollback(p->pd.db);
	}
}

/* A move is checked like a booking, but never against itself. */
static void
test_move(struct practice *p)
{
	struct appt_change	 ch;
	struct appt_result	 res;

	memset(&ch, 0, sizeof(ch));
	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	ch.start = AT(1, 11, 30);		/* into its own old block */
	CHECK(book_move(&p->ctx, 1, &ch, &res) == 0);
	CHECK(practice_int(p, "SELECT start_utc FROM appointments"
	    " WHERE id = 1") == AT(1, 11, 30));
	CHECK(practice_int(p, "SELECT version FROM appointments"
	    " WHERE id = 1") == 2);
	appt_result_clear(&res);
	db_rollback(p->pd.db);

	/* Sam at 10:30 in Room 2, then Ana's session moved there. */
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(book(p, SAM, MARIA, ROOM2, AT(1, 10, 30)) > 0);
	ch.start = AT(1, 10, 0);
	ch.room_id = ROOM2;
	CHECK(book_move(&p->ctx, 1, &ch, &res) == -1);
	CHECK(p->ctx.err == PROTO_ECONFLICT);
	appt_result_clear(&res);
	db_rollback(p->pd.db);

	practice_reset(p, PRACTICE_NOW);
	ch.room_id = 0;
	CHECK(book_move(&p->ctx, 99, &ch, &res) == -1);
	CHECK(p->ctx.err == PROTO_ENOTFOUND);
}

/*
 * Late is a client's cancellation within late_cancel_hours (24) of the
 * start: 24 hours before is on time, a second less is late.  Inside
 * the window who cancels must be said (by NULL is refused).
 */
static void
test_late_edge(struct practice *p)
{
	static const struct {
		time_t		 before;	/* start - now */
		const char	*by;
		int		 late;
		enum proto_error want;
	} cases[] = {
		{ 24 * 3600 + 1, "client", 0, PROTO_OK },
		{ 24 * 3600, "client", 0, PROTO_OK },
		{ 24 * 3600 - 1, "client", 1, PROTO_OK },
		{ 60, "client", 1, PROTO_OK },
		{ 60, "practice", 0, PROTO_OK },
		{ 24 * 3600, NULL, 0, PROTO_OK },
		{ 24 * 3600 - 1, NULL, 0, PROTO_EBADREQUEST },
		{ 60, NULL, 0, PROTO_EBADREQUEST },
	};
	struct appt_result	 res;
	size_t			 i;
	time_t			 start = AT(1, 11, 0);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		practice_reset(p, start - cases[i].before);
		CHECK(db_begin(p->pd.db) == 0);
		CHECK(book_cancel(&p->ctx, 1, APPT_THIS, cases[i].by, NULL,
		    &res) == (cases[i].want == PROTO_OK ? 0 : -1));
		if (cases[i].want != PROTO_OK) {
			CHECK(p->ctx.err == cases[i].want);
			CHECK(practice_int(p, "SELECT count(*) FROM appointments"
			    " WHERE id = 1 AND state = 'cancelled'") == 0);
			db_rollback(p->pd.db);
			continue;
		}
		CHECK(practice_int(p, "SELECT late FROM appointments"
		    " WHERE id = 1") == cases[i].late);
		CHECK(practice_int(p, "SELECT count(*) FROM audit WHERE action ="
		    " 'appointment.cancel' AND detail LIKE '%late'") ==
		    cases[i].late);
		appt_result_clear(&res);
		db_rollback(p->pd.db);
	}
	/* Cancelled once, not twice. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(book_cancel(&p->ctx, 1, APPT_THIS, "client", NULL, &res) == 0);
	CHECK(book_cancel(&p->ctx, 1, APPT_THIS, "client", NULL, &res) == -1);
	CHECK(p->ctx.err == PROTO_ESTATE);
	db_rollback(p->pd.db);
}

static void
test_mark(struct practice *p)
{
	struct appt_result	 res;

	/* Not yet begun: no outcome; once begun it may be marked. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(book_mark(&p->ctx, 1, "attended", &res) == -1);
	CHECK(p->ctx.err == PROTO_ESTATE);
	practice_reset(p, AT(1, 11, 0));
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(book_mark(&p->ctx, 1, "attended", &res) == 0);
	CHECK(practice_int(p, "SELECT state = 'attended' FROM appointments"
	    " WHERE id = 1") == 1);
	db_rollback(p->pd.db);
}

/* Free slots around Ana's Tuesday session and its buffer. */
static void
test_slots(struct practice *p)
{
	static const struct {
		int		 step;
		size_t		 n;
		const char	*third;
	} cases[] = {
		{ 0, 7, "2030-01-08 12:00" },	/* packed, jumping the block */
		{ 30, 12, "2030-01-08 10:00" },	/* 10:30 and 11:30 blocked */
		{ 5, 64, "2030-01-08 09:10" },	/* 10:05 to 11:55 blocked */
	};
	struct slots_query	 q;
	json_t			*answer, *slots;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&q, 0, sizeof(q));
		q.clinician_id = ANA;
		q.service_id = SESSION;
		q.from = "2030-01-08";
		q.days = 1;
		q.step = cases[i].step;
		practice_reset(p, PRACTICE_NOW);
		if ((answer = slots_find(&p->ctx, &q)) == NULL) {
			CHECK(!"slots found");
			continue;
		}
		slots = json_object_get(answer, "slots");
		CHECK(json_array_size(slots) == cases[i].n);
		CHECK_STR(json_string_value(json_object_get(json_array_get(
		    slots, 2), "local_start")), cases[i].third);
		json_decref(answer);
	}
}

/* The streak counts back weekly attended sessions until a break. */
static void
test_history(struct practice *p)
{
	static const struct {
		int		 days_ago;
		const char	*state, *by;
	} past[] = {
		{ 35, "attended", NULL }, { 28, "no-show", NULL },
		{ 21, "attended", NULL }, { 14, "cancelled", "practice" },
		{ 13, "attended", NULL }, { 7, "attended", NULL },
	};
	struct appt_cursor next;
	json_t		*h, *sum;
	char		 sql[512];
	int		 more;
	size_t		 i;
	time_t		 t;

	CHECK(db_begin(p->pd.db) == 0);
	for (i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
		t = PRACTICE_NOW - past[i].days_ago * PRACTICE_DAY;
		snprintf(sql, sizeof(sql), "INSERT INTO appointments"
		    " (clinician_id, client_id, service_id, start_utc, end_utc,"
		    " block_end_utc, zone, state, cancelled_by, created, updated)"
		    " VALUES (2, 2, 1, %lld, %lld, %lld, 'UTC', '%s', %s%s%s,"
		    " 0, 0)", (long long)t, (long long)t + 3000,
		    (long long)t + 3600, past[i].state, past[i].by ? "'" : "",
		    past[i].by ? past[i].by : "NULL", past[i].by ? "'" : "");
		CHECK(practice_exec(p, sql) == 0);
	}
	practice_reset(p, PRACTICE_NOW);
	h = report_history(&p->ctx, MARIA, NULL, PROTO_PAGE_MAX, &next, &more);
	sum = json_object_get(h, "summary");
	CHECK(json_integer_value(json_object_get(sum, "streak")) == 3);
	CHECK(json_integer_value(json_object_get(sum, "attended")) == 4);
	CHECK(json_integer_value(json_object_get(sum, "days_since_last")) == 7);
	CHECK(json_array_size(json_object_get(h, "appointments")) == 7);
	CHECK(!more);
	json_decref(h);
	db_rollback(p->pd.db);
}

void
test_booking(void)
{
	struct practice	 p;

	if (practice_open(&p) == -1 || booking_setup(&p) == -1) {
		CHECK(!"the booking practice could be set up");
		practice_close(&p);
		return;
	}
	test_book_cases(&p);
	test_move(&p);
	test_late_edge(&p);
	test_mark(&p);
	test_slots(&p);
	test_history(&p);
	/* Every change so far was in the staff caller's name. */
	CHECK(practice_int(&p, "SELECT count(*) FROM audit WHERE user !="
	    " 'frontdesk' OR role != 'staff'") == 0);
	practice_close(&p);
}
