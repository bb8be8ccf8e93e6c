/*
 * Busy blocks against an in-memory practice: what busy_add accepts,
 * pieces and their removal, a calendar's blocks replaced, and the rules
 * that respect them: booking (and --force), slots, a series, and the
 * attention a session booked before a block needs.
 */
#include <stdio.h>
#include <string.h>

#include "appt.h"
#include "book.h"
#include "busy.h"
#include "busy_cal.h"
#include "busy_read.h"
#include "db.h"
#include "practice.h"
#include "series.h"
#include "slots.h"
#include "unit.h"

struct busy_case {
	const char	*name;
	long long	 clinician;
	time_t		 start, end;
	const char	*source;
	long long	 calendar;
	enum proto_error want;
};

/* Calendar 1 is Ana's (added by the test). */
static const struct busy_case busy_cases[] = {
	{ "an hour of Ana's, imported", ANA, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_IMPORT, 0, PROTO_OK },
	{ "from her calendar", ANA, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_CALENDAR, 1, PROTO_OK },
	{ "an archived clinician's", OLD_CLINICIAN, AT(1, 10, 0),
	    AT(1, 11, 0), BUSY_SOURCE_IMPORT, 0, PROTO_OK },
	{ "no such clinician", 99, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_IMPORT, 0, PROTO_ENOTFOUND },
	{ "ends as it starts", ANA, AT(1, 10, 0), AT(1, 10, 0),
	    BUSY_SOURCE_IMPORT, 0, PROTO_EBADREQUEST },
	{ "ends before it starts", ANA, AT(1, 10, 0), AT(1, 9, 0),
	    BUSY_SOURCE_IMPORT, 0, PROTO_EBADREQUEST },
	{ "longer than a year", ANA, AT(1, 0, 0), AT(368, 0, 0),
	    BUSY_SOURCE_IMPORT, 0, PROTO_EBADREQUEST },
	{ "a year exactly", ANA, AT(1, 0, 0), AT(367, 0, 0),
	    BUSY_SOURCE_IMPORT, 0, PROTO_OK },
	{ "fifty years ahead", ANA, AT(18250, 0, 0), AT(18250, 1, 0),
	    BUSY_SOURCE_IMPORT, 0, PROTO_EBADREQUEST },
	{ "an unknown source", ANA, AT(1, 10, 0), AT(1, 11, 0),
	    "manual", 0, PROTO_EBADREQUEST },
	{ "an import naming a calendar", ANA, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_IMPORT, 1, PROTO_EBADREQUEST },
	{ "a calendar's without it", ANA, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_CALENDAR, 0, PROTO_EBADREQUEST },
	{ "no such calendar", ANA, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_CALENDAR, 7, PROTO_ENOTFOUND },
	{ "another clinician's calendar", SAM, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_CALENDAR, 1, PROTO_EBADREQUEST },
};

static const char *calendar_sql =
    "INSERT INTO busy_calendars (id, clinician_id, url, every, created,"
    "  created_by) VALUES (1, 1, 'https://example.org/a.ics', 900, 0, 't')";

static void
test_busy_cases(struct practice *p)
{
	const struct busy_case	*c;
	size_t			 i;
	long long		 id;
	int			 rc;

	for (i = 0; i < sizeof(busy_cases) / sizeof(busy_cases[0]); i++) {
		c = &busy_cases[i];
		practice_reset(p, PRACTICE_NOW);
		CHECK(db_begin(p->pd.db) == 0);
		rc = busy_add(&p->ctx, c->clinician, c->start, c->end,
		    c->source, c->calendar, &id);
		if (p->ctx.err != c->want)
			fprintf(stderr, "busy \"%s\": got %s (%s)\n", c->name,
			    proto_errors[p->ctx.err].code, p->ctx.msg);
		CHECK(rc == (c->want == PROTO_OK ? 0 : -1));
		CHECK(p->ctx.err == c->want);
		db_rollback(p->pd.db);
	}
}

/* Added twice, one block; a long one in pieces, removed whole. */
static void
test_busy_pieces(struct practice *p)
{
	long long	 a, b, week;

	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(busy_add(&p->ctx, ANA, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_IMPORT, 0, &a) == 0);
	CHECK(busy_add(&p->ctx, ANA, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_IMPORT, 0, &b) == 0);
	CHECK(a == b);
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks") == 1);
	/* Eighteen days: a week, a week, four days. */
	CHECK(busy_add(&p->ctx, SAM, AT(7, 0, 0), AT(25, 0, 0),
	    BUSY_SOURCE_IMPORT, 0, &week) == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks"
	    " WHERE clinician_id = 2") == 3);
	CHECK(practice_int(p, "SELECT max(end_utc - start_utc)"
	    " FROM busy_blocks") == BUSY_PIECE);
	CHECK(busy_add(&p->ctx, SAM, AT(7, 0, 0), AT(25, 0, 0),
	    BUSY_SOURCE_IMPORT, 0, &b) == 0);
	CHECK(b == week);
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks") == 4);
	/* A day in the middle of the second week is found, by its id. */
	{
		json_t	*found = busy_overlapping(&p->ctx, SAM, AT(17, 9, 0),
			    AT(17, 10, 0));

		CHECK(json_array_size(found) == 1);
		CHECK(json_integer_value(json_object_get(json_array_get(found,
		    0), "id")) == week);
		json_decref(found);
	}
	CHECK(busy_remove(&p->ctx, week) == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks") == 1);
	CHECK(busy_remove(&p->ctx, week) == -1);
	CHECK(p->ctx.err == PROTO_ENOTFOUND);
	db_rollback(p->pd.db);
}

static void
test_busy_replace(struct practice *p)
{
	struct busy_span	 first[] = {
		{ AT(1, 10, 0), AT(1, 11, 0) }, { AT(2, 10, 0), AT(2, 11, 0) },
		{ AT(3, 0, 0), AT(13, 0, 0) },	/* ten days: two pieces */
	};
	struct busy_span	 second[] = { { AT(4, 9, 0), AT(4, 9, 30) } };
	struct busy_span	 bad[] = {
		{ AT(4, 9, 0), AT(4, 9, 30) }, { AT(4, 9, 0), AT(4, 8, 0) },
	};

	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(practice_exec(p, calendar_sql) == 0);
	CHECK(busy_add(&p->ctx, ANA, AT(1, 12, 0), AT(1, 13, 0),
	    BUSY_SOURCE_IMPORT, 0, NULL) == 0);
	CHECK(busy_replace(&p->ctx, 1, first, 3) == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks"
	    " WHERE calendar_id = 1") == 4);
	CHECK(practice_int(p, "SELECT blocks FROM busy_calendars") == 3);
	CHECK(busy_replace(&p->ctx, 1, second, 1) == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks"
	    " WHERE calendar_id = 1") == 1);
	CHECK(practice_int(p, "SELECT blocks FROM busy_calendars") == 1);
	/* The import's block is not the calendar's to replace. */
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks"
	    " WHERE source = 'import'") == 1);
	CHECK(busy_replace(&p->ctx, 1, bad, 2) == -1);
	CHECK(p->ctx.err == PROTO_EBADREQUEST);
	practice_reset(p, PRACTICE_NOW);
	CHECK(busy_replace(&p->ctx, 1, bad, BUSY_CALENDAR_MAX + 1) == -1);
	CHECK(p->ctx.err == PROTO_ETOOLARGE);
	practice_reset(p, PRACTICE_NOW);
	CHECK(busy_replace(&p->ctx, 2, second, 1) == -1);
	CHECK(p->ctx.err == PROTO_ENOTFOUND);
	practice_reset(p, PRACTICE_NOW);
	CHECK(busy_replace(&p->ctx, 1, NULL, 0) == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks"
	    " WHERE calendar_id = 1") == 0);
	/* Removing the calendar takes its blocks (ON DELETE CASCADE). */
	CHECK(busy_replace(&p->ctx, 1, second, 1) == 0);
	CHECK(practice_exec(p, "DELETE FROM busy_calendars") == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM busy_blocks") == 1);
	db_rollback(p->pd.db);
}

struct busy_book_case {
	const char	*name;
	long long	 clinician;
	time_t		 start;
	int		 force, overlap;
	enum proto_error want;
};

/* Ana is busy Tuesday 10:00-11:00 (the 50-minute session's end counts,
 * as for a closure, not its buffer). */
static const struct busy_book_case busy_book_cases[] = {
	{ "inside the block", ANA, AT(1, 10, 0), 0, 0, PROTO_EBUSY },
	{ "reaching into it", ANA, AT(1, 9, 15), 0, 0, PROTO_EBUSY },
	{ "starting before its end", ANA, AT(1, 10, 55), 0, 0, PROTO_EBUSY },
	{ "ending as it starts", ANA, AT(1, 9, 10), 0, 0, PROTO_OK },
	{ "starting as it ends", ANA, AT(1, 11, 0), 0, 0, PROTO_OK },
	{ "overlap does not lift it", ANA, AT(1, 10, 0), 0, 1, PROTO_EBUSY },
	{ "forced", ANA, AT(1, 10, 0), 1, 0, PROTO_OK },
	{ "another clinician", SAM, AT(1, 10, 0), 0, 0, PROTO_OK },
};

static void
test_busy_booking(struct practice *p)
{
	const struct busy_book_case	*c;
	struct appt_booking		 b;
	struct appt_result		 res;
	size_t				 i;
	int				 rc;

	for (i = 0; i < sizeof(busy_book_cases) /
	    sizeof(busy_book_cases[0]); i++) {
		c = &busy_book_cases[i];
		practice_reset(p, PRACTICE_NOW);
		CHECK(db_begin(p->pd.db) == 0);
		CHECK(busy_add(&p->ctx, ANA, AT(1, 10, 0), AT(1, 11, 0),
		    BUSY_SOURCE_IMPORT, 0, NULL) == 0);
		memset(&b, 0, sizeof(b));
		memset(&res, 0, sizeof(res));
		b.clinician_id = c->clinician;
		b.client_id = JORDAN;
		b.service_id = SESSION;
		b.start = c->start;
		b.force = c->force;
		b.overlap = c->overlap;
		rc = book_new(&p->ctx, &b, &res);
		if (p->ctx.err != c->want)
			fprintf(stderr, "busy booking \"%s\": got %s (%s)\n",
			    c->name, proto_errors[p->ctx.err].code,
			    p->ctx.msg);
		CHECK(rc == (c->want == PROTO_OK ? 0 : -1));
		CHECK(p->ctx.err == c->want);
		if (c->want == PROTO_EBUSY)
			CHECK(strstr(p->ctx.msg, "busy block 1") != NULL);
		if (rc == 0 && c->force)
			CHECK(practice_int(p, "SELECT forced FROM appointments"
			    " ORDER BY id DESC LIMIT 1") == 1);
		appt_result_clear(&res);
		db_rollback(p->pd.db);
	}
}

/* Slots skip the block; a session booked before it needs attention. */
static void
test_busy_slots_attention(struct practice *p)
{
	struct slots_query	 q;
	struct appt_booking	 b;
	struct appt_result	 res;
	json_t			*out, *slots, *appt, *attn;
	size_t			 i;
	int			 busy_offered = 0, busy_flag = 0;

	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	memset(&b, 0, sizeof(b));
	memset(&res, 0, sizeof(res));
	b.clinician_id = ANA;
	b.client_id = JORDAN;
	b.service_id = SESSION;
	b.start = AT(1, 14, 0);
	CHECK(book_new(&p->ctx, &b, &res) == 0);
	CHECK(busy_add(&p->ctx, ANA, AT(1, 10, 0), AT(1, 11, 0),
	    BUSY_SOURCE_IMPORT, 0, NULL) == 0);
	CHECK(busy_add(&p->ctx, ANA, AT(1, 14, 30), AT(1, 15, 0),
	    BUSY_SOURCE_IMPORT, 0, NULL) == 0);

	memset(&q, 0, sizeof(q));
	q.clinician_id = ANA;
	q.service_id = SESSION;
	q.from = "2030-01-08";
	q.days = 1;
	q.step = 30;
	CHECK((out = slots_find(&p->ctx, &q)) != NULL);
	slots = json_object_get(out, "slots");
	CHECK(json_array_size(slots) > 0);
	for (i = 0; i < json_array_size(slots); i++) {
		const char *s = json_string_value(json_object_get(
		    json_array_get(slots, i), "local_start"));

		/* 09:30 would run into 10:00 with its buffer. */
		if (strcmp(s, "2030-01-08 09:30") == 0 ||
		    strcmp(s, "2030-01-08 10:00") == 0 ||
		    strcmp(s, "2030-01-08 10:30") == 0)
			busy_offered = 1;
	}
	CHECK(!busy_offered);
	json_decref(out);

	CHECK((appt = appt_json(&p->ctx, res.appt_id)) != NULL);
	attn = json_object_get(appt, "attention");
	for (i = 0; i < json_array_size(attn); i++)
		if (strcmp(json_string_value(json_array_get(attn, i)),
		    PROTO_ATTN_BUSY) == 0)
			busy_flag = 1;
	CHECK(busy_flag);
	json_decref(appt);
	appt_result_clear(&res);
	db_rollback(p->pd.db);
}

/* A weekly series skips the week the block takes, as for a clash. */
static void
test_busy_series(struct practice *p)
{
	struct series_booking	 sb;
	struct appt_result	 res;

	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(busy_add(&p->ctx, ANA, AT(8, 10, 0), AT(8, 11, 0),
	    BUSY_SOURCE_IMPORT, 0, NULL) == 0);
	memset(&sb, 0, sizeof(sb));
	memset(&res, 0, sizeof(res));
	sb.appt.clinician_id = ANA;
	sb.appt.client_id = JORDAN;
	sb.appt.service_id = SESSION;
	sb.appt.start = AT(1, 10, 0);
	sb.repeat = "weekly";
	sb.count = 3;
	CHECK(series_book(&p->ctx, &sb, &res) == -1);
	CHECK(p->ctx.err == PROTO_ECONFLICT);
	CHECK(strstr(p->ctx.msg, "busy block 1") != NULL);
	appt_result_clear(&res);
	db_rollback(p->pd.db);
	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(busy_add(&p->ctx, ANA, AT(8, 10, 0), AT(8, 11, 0),
	    BUSY_SOURCE_IMPORT, 0, NULL) == 0);
	sb.skip = 1;
	CHECK(series_book(&p->ctx, &sb, &res) == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM appointments") == 2);
	CHECK(practice_int(p, "SELECT count(*) FROM series_skips"
	    " WHERE reason = 'clash' AND detail = 'busy block 1'") == 1);
	appt_result_clear(&res);
	db_rollback(p->pd.db);
}

static void
test_busy_addresses(void)
{
	static const struct {
		const char	*url, *shown;
		int		 ok, http;
	} cases[] = {
		{ "https://calendar.google.com/calendar/ical/x%40gmail.com/"
		    "private-abc/basic.ics", "https://calendar.google.com/…",
		    1, 0 },
		{ "https://user:pw@host.example:8443/a?b=c",
		    "https://host.example:8443/…", 1, 0 },
		{ "https://host.example?secret", "https://host.example/…",
		    1, 0 },
		{ "http://127.0.0.1:8000/x.ics", "http://127.0.0.1:8000/…",
		    1, 1 },
		{ "http://localhost/x.ics", "http://localhost/…", 1, 1 },
		{ "http://[::1]:8080/x.ics", "http://[::1]:8080/…", 1, 1 },
		{ "http://calendar.example.org/x.ics",
		    "http://calendar.example.org/…", 0, 0 },
		{ "http://127.0.0.1.example.org/x.ics",
		    "http://127.0.0.1.example.org/…", 0, 0 },
		{ "webcal://calendar.example.org/x.ics",
		    "webcal://calendar.example.org/…", 0, 0 },
		{ "ftp://127.0.0.1/x.ics", "ftp://127.0.0.1/…", 0, 0 },
		{ "no address at all", "…", 0, 0 },
	};
	static const struct {
		const char	*s;
		int		 seconds;	/* -1: refused */
	} every[] = {
		{ "15m", 900 }, { "2h", 7200 }, { "300", 300 }, { "300s", 300 },
		{ "24h", 86400 }, { "5m", 300 }, { "299", -1 }, { "1m", -1 },
		{ "25h", -1 }, { "15", -1 }, { "15 m", -1 }, { "-5m", -1 },
		{ "m", -1 }, { "", -1 }, { "99999999999999999999h", -1 },
		{ "1d", -1 },
	};
	char	 buf[300], why[160];
	size_t	 i;
	int	 http, secs;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		busy_cal_redact(cases[i].url, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].shown);
		http = -1;
		CHECK((busy_cal_url_check(cases[i].url, &http, why,
		    sizeof(why)) == 0) == cases[i].ok);
		if (cases[i].ok)
			CHECK(http == cases[i].http);
	}
	for (i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
		secs = -1;
		if (busy_cal_every(every[i].s, &secs, why, sizeof(why)) == -1)
			secs = -1;
		if (secs != every[i].seconds)
			fprintf(stderr, "every \"%s\": %d\n", every[i].s, secs);
		CHECK(secs == every[i].seconds);
	}
}

/* Google's style; now is Monday 2030-01-07 08:00 UTC (03:00 in New York). */
static const char *busy_ics =
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
    "VERSION:2.0\r\n"
    "X-WR-TIMEZONE:America/New_York\r\n"
    /* Weekly on Mondays 10:00-11:00 New York, the 14th excluded, the
     * 21st moved to 12:00, four in all. */
    "BEGIN:VEVENT\r\n"
    "UID:weekly@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART;TZID=America/New_York:20300107T100000\r\n"
    "DTEND;TZID=America/New_York:20300107T110000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
    "EXDATE;TZID=America/New_York:20300114T100000\r\n"
    "SUMMARY:SECRETTITLE\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:weekly@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "RECURRENCE-ID;TZID=America/New_York:20300121T100000\r\n"
    "DTSTART;TZID=America/New_York:20300121T120000\r\n"
    "DTEND;TZID=America/New_York:20300121T130000\r\n"
    "END:VEVENT\r\n"
    /* Floating: in X-WR-TIMEZONE, Tuesday 14:00-15:00 (19:00Z). */
    "BEGIN:VEVENT\r\n"
    "UID:floating@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART:20300108T140000\r\n"
    "DTEND:20300108T150000\r\n"
    "END:VEVENT\r\n"
    /* Free, and cancelled: not busy. */
    "BEGIN:VEVENT\r\n"
    "UID:free@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART:20300109T150000Z\r\n"
    "DTEND:20300109T160000Z\r\n"
    "TRANSP:TRANSPARENT\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:cancelled@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART:20300109T170000Z\r\n"
    "DTEND:20300109T180000Z\r\n"
    "STATUS:CANCELLED\r\n"
    "END:VEVENT\r\n"
    /* All day Thursday the 10th: midnight to midnight in New York. */
    "BEGIN:VEVENT\r\n"
    "UID:allday@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART;VALUE=DATE:20300110\r\n"
    "DTEND;VALUE=DATE:20300111\r\n"
    "END:VEVENT\r\n"
    /* Outside the window: last year, and in two years. */
    "BEGIN:VEVENT\r\n"
    "UID:old@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART:20290107T150000Z\r\n"
    "DTEND:20290107T160000Z\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:far@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART:20320107T150000Z\r\n"
    "DTEND:20320107T160000Z\r\n"
    "END:VEVENT\r\n"
    /* Overlapping and touching times are made one. */
    "BEGIN:VEVENT\r\n"
    "UID:a@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART:20300111T150000Z\r\n"
    "DTEND:20300111T160000Z\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:b@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART:20300111T153000Z\r\n"
    "DTEND:20300111T170000Z\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:c@google.com\r\n"
    "DTSTAMP:20291201T000000Z\r\n"
    "DTSTART:20300111T170000Z\r\n"
    "DTEND:20300111T173000Z\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static void
test_busy_read(void)
{
	/* In UTC: New York is 5 hours behind in January. */
	static const struct busy_span want[] = {
		{ 1894028400, 1894032000 },	/* Mon 7th 15:00Z-16:00Z */
		{ 1894129200, 1894132800 },	/* Tue 8th 19:00Z-20:00Z */
		{ 1894251600, 1894338000 },	/* Thu 10th 05:00Z-05:00Z */
		{ 1894374000, 1894383000 },	/* Fri 11th 15:00Z-17:30Z */
		{ 1895245200, 1895248800 },	/* Mon 21st 17:00Z-18:00Z */
		{ 1895842800, 1895846400 },	/* Mon 28th 15:00Z-16:00Z */
	};
	const struct busy_span	*spans;
	struct busy_read	*r;
	char			 err[300];
	size_t			 n, skipped, i;
	int			 rc, steps = 0;

	r = busy_read_begin(busy_ics, strlen(busy_ics), "America/New_York",
	    PRACTICE_NOW, err, sizeof(err));
	CHECK(r != NULL);
	if (r == NULL) {
		fprintf(stderr, "busy_read_begin: %s\n", err);
		return;
	}
	while ((rc = busy_read_step(r, 40, err, sizeof(err))) == 1 &&
	    steps < 1000)
		steps++;
	CHECK(rc == 0);
	if (rc != 0)
		fprintf(stderr, "busy_read_step: %s\n", err);
	spans = busy_read_spans(r, &n, &skipped);
	CHECK(n == sizeof(want) / sizeof(want[0]));
	CHECK(skipped == 0);
	for (i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++) {
		if (spans[i].start != want[i].start ||
		    spans[i].end != want[i].end)
			fprintf(stderr, "busy span %zu: %lld-%lld\n", i,
			    (long long)spans[i].start, (long long)spans[i].end);
		CHECK(spans[i].start == want[i].start);
		CHECK(spans[i].end == want[i].end);
	}
	busy_read_free(r);

	/* Not a calendar: refused, at begin or on the way. */
	r = busy_read_begin("<html>no</html>", 15, "UTC", PRACTICE_NOW, err,
	    sizeof(err));
	if (r != NULL) {
		while ((rc = busy_read_step(r, 40, err, sizeof(err))) == 1)
			;
		CHECK(rc == -1);
		busy_read_free(r);
	}
	CHECK(err[0] != '\0');
}

void
test_busy(void)
{
	struct practice	 p;

	if (practice_open(&p) == -1) {
		CHECK(0);
		return;
	}
	CHECK(practice_exec(&p, calendar_sql) == 0);
	test_busy_cases(&p);
	CHECK(practice_exec(&p, "DELETE FROM busy_calendars") == 0);
	test_busy_pieces(&p);
	test_busy_replace(&p);
	test_busy_booking(&p);
	test_busy_slots_attention(&p);
	test_busy_series(&p);
	practice_close(&p);
	test_busy_addresses();
	test_busy_read();
}
