/*
 * iCalendar export: initials, the window's bounds, and a calendar of an
 * in-memory practice read back with libical (events, overrides, UTC
 * times without a VTIMEZONE) and bounded in size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "appt.h"
#include "book.h"
#include "ical_export.h"
#include "practice.h"
#include "series.h"
#include "strbuf.h"
#include "unit.h"

static void
test_initials(void)
{
	static const struct {
		const char	*name, *want;
	} cases[] = {
		{ "Jordan Lee", "J.L." },
		{ "jordan lee", "J.L." },
		{ "  Ana\tRuiz  ", "A.R." },
		{ "José Ñúñez-Øster", "J.Ñ." },
		{ "élodie durand", "É.D." },
		{ "Mary Ann Smith Jones Brown", "M.A.S.J." },
		{ "'Sam' O'Neil", "S.O." },
		{ "(Jo) Park", "J.P." },
		{ "123 456", "?" },
		{ "", "?" },
	};
	char	 buf[24];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ical_initials(cases[i].name, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].want);
	}
	ical_initials("Jordan Lee", buf, 3);	/* room for one */
	CHECK_STR(buf, "J.");
	ical_initials("\xc3", buf, sizeof(buf));	/* cut UTF-8 */
	CHECK_STR(buf, "?");
}

static void
test_window(struct practice *p)
{
	struct export_query	 q;

	practice_reset(p, PRACTICE_NOW);	/* Monday 2030-01-07, UTC */
	memset(&q, 0, sizeof(q));
	CHECK(export_window(&p->ctx, NULL, NULL, &q) == 0);
	CHECK(q.from == PRACTICE_NOW - 8 * 3600 - 31 * PRACTICE_DAY);
	CHECK(q.to == PRACTICE_NOW - 8 * 3600 + 367 * PRACTICE_DAY);
	CHECK(export_window(&p->ctx, "2030-01-10", NULL, &q) == 0);
	CHECK(q.to - q.from == 367 * PRACTICE_DAY);
	CHECK(export_window(&p->ctx, "2030-01-01", "2032-12-31", &q) == 0);
	CHECK(export_window(&p->ctx, "2030-01-01", "2033-01-01", &q) == -1 &&
	    p->ctx.err == PROTO_EBADREQUEST && strstr(p->ctx.msg, "1097 days"));
	practice_reset(p, PRACTICE_NOW);
	CHECK(export_window(&p->ctx, "2030-01-02", "2030-01-01", &q) == -1 &&
	    strstr(p->ctx.msg, "before it starts") != NULL);
	practice_reset(p, PRACTICE_NOW);
	CHECK(export_window(&p->ctx, "2030-02-30", NULL, &q) == -1 &&
	    strncmp(p->ctx.msg, "from: ", 6) == 0);
	practice_reset(p, PRACTICE_NOW);
	q.from = q.to = 0;
	CHECK(ical_export(&p->ctx, &q, NULL) == -1 &&
	    p->ctx.err == PROTO_EBADREQUEST);
	practice_reset(p, PRACTICE_NOW);
}

/* A weekly series of four sessions, booked through the domain. */
static int
book_weekly4(struct practice *p, long long clinician, long long client,
    time_t start, int force)
{
	struct series_booking	 b;
	struct appt_result	 res;

	memset(&b, 0, sizeof(b));
	b.appt.clinician_id = clinician;
	b.appt.client_id = client;
	b.appt.service_id = SESSION;
	b.appt.start = start;
	b.appt.force = b.appt.overlap = force;
	b.repeat = "weekly";
	b.count = 4;
	memset(&res, 0, sizeof(res));
	if (series_book(&p->ctx, &b, &res) == -1)
		return -1;
	appt_result_clear(&res);
	return 0;
}

/* Ana: Jordan weekly on Tuesdays at 10:00, four times, the third
 * cancelled; Maria once on Wednesday at 14:00 in Room 2. */
static int
book_some(struct practice *p)
{
	struct series_booking	 b;
	struct appt_result	 res;
	long long		 id;
	int			 late;

	if (book_weekly4(p, ANA, JORDAN, AT(1, 10, 0), 0) == -1)
		return -1;
	id = practice_int(p, "SELECT id FROM appointments WHERE series_id = 1"
	    " ORDER BY start_utc LIMIT 1 OFFSET 2");
	if (appt_cancel(&p->ctx, id, "practice", NULL, &late) == -1)
		return -1;
	memset(&b, 0, sizeof(b));
	b.appt.clinician_id = ANA;
	b.appt.client_id = MARIA;
	b.appt.service_id = SESSION;
	b.appt.room_id = ROOM2;
	b.appt.start = AT(2, 14, 0);
	memset(&res, 0, sizeof(res));
	if (book_new(&p->ctx, &b.appt, &res) == -1)
		return -1;
	appt_result_clear(&res);
	return 0;
}

static char *
export_text(struct practice *p, enum export_detail detail, size_t max)
{
	struct export_query	 q;
	struct strbuf		 out = STRBUF_INIT;

	memset(&q, 0, sizeof(q));
	q.clinician_id = ANA;
	q.detail = detail;
	q.max_bytes = max;
	if (export_window(&p->ctx, "2030-01-01", "2030-03-01", &q) == -1 ||
	    ical_export(&p->ctx, &q, &out) == -1) {
		free(strbuf_finish(&out));
		return NULL;
	}
	return strbuf_finish(&out);
}

static void
test_calendar(struct practice *p)
{
	icalcomponent	*cal, *ev;
	char		*text, *again;
	long long	 cursor;
	size_t		 n;
	int		 events = 0, overrides = 0, masters = 0;

	practice_reset(p, PRACTICE_NOW);
	CHECK(book_some(p) == 0);
	CHECK((text = export_text(p, EXPORT_FULL, 0)) != NULL);
	if (text == NULL)
		return;
	CHECK(strstr(text, "\r\nDTSTART:20300108T100000Z\r\n") != NULL);
	CHECK(strstr(text, "BEGIN:VTIMEZONE") == NULL);	/* UTC only */
	CHECK(strstr(text, "SUMMARY:Maria Santos\r\n") != NULL);
	CHECK(strstr(text, "LOCATION:Room 2\r\n") != NULL);
	CHECK(strstr(text, "Individual") == NULL);
	CHECK((cal = icalparser_parse_string(text)) != NULL);
	for (ev = cal ? icalcomponent_get_first_component(cal,
	    ICAL_VEVENT_COMPONENT) : NULL; ev != NULL;
	    ev = icalcomponent_get_next_component(cal,
	    ICAL_VEVENT_COMPONENT)) {
		events++;
		if (icalcomponent_get_first_property(ev,
		    ICAL_RRULE_PROPERTY) != NULL)
			masters++;
		if (icalcomponent_get_first_property(ev,
		    ICAL_RECURRENCEID_PROPERTY) != NULL) {
			overrides++;
			CHECK(icalcomponent_get_status(ev) ==
			    ICAL_STATUS_CANCELLED);
		}
	}
	CHECK(events == 3 && masters == 1 && overrides == 1);
	icalcomponent_free(cal);
	free(text);

	CHECK((text = export_text(p, EXPORT_INITIALS, 0)) != NULL);
	CHECK(text != NULL && strstr(text, "SUMMARY:M.S.\r\n") != NULL &&
	    strstr(text, "Maria") == NULL && strstr(text, "Room") == NULL);

	/* The horizon's extension stores the series again, changing
	 * nothing it shows: the same text, LAST-MODIFIED included. */
	practice_reset(p, PRACTICE_NOW + 10 * PRACTICE_DAY);
	cursor = 0;
	CHECK(series_extend(&p->ctx, &cursor, 0, &n) == 0 && n == 1);
	CHECK(practice_int(p, "SELECT updated FROM series WHERE id = 1") ==
	    PRACTICE_NOW + 10 * PRACTICE_DAY);
	CHECK((again = export_text(p, EXPORT_INITIALS, 0)) != NULL);
	CHECK(text != NULL && again != NULL && strcmp(text, again) == 0);
	free(again);
	free(text);

	/* A text over its bound is refused, not cut. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(export_text(p, EXPORT_BUSY, 600) == NULL &&
	    p->ctx.err == PROTO_ETOOLARGE);
	practice_reset(p, PRACTICE_NOW);
}

/* Sam: n sessions an hour apart from 2030-01-02 in the window, and
 * series weekly series of four. */
static int
sam_books(struct practice *p, int n, int series)
{
	char			 sql[768];
	int			 i;

	snprintf(sql, sizeof(sql),
	    "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k"
	    "  WHERE i < %d - 1)"
	    " INSERT INTO appointments (clinician_id, client_id, service_id,"
	    "  start_utc, end_utc, block_end_utc, zone, state, version,"
	    "  created, updated) SELECT 2, 2, 1, 1893542400 + i * 3600,"
	    "  1893542400 + i * 3600 + 3000, 1893542400 + i * 3600 + 3600,"
	    "  'UTC', 'booked', 1, 0, 0 FROM k", n);
	if (practice_exec(p, sql) == -1)
		return -1;
	for (i = 0; i < series; i++)
		if (book_weekly4(p, SAM, MARIA, AT(i % 5, 9 + i / 5 % 8, 0) +
		    i / 40 * 7 * PRACTICE_DAY, 1) == -1)
			return -1;
	return 0;
}

/*
 * What Ana's calendar reads does not grow with Sam's sessions and
 * series: counted in SQLite's steps.  A filter "?3 = 0 OR clinician_id
 * = ?3" had it read every session of the window, and probe every series
 * of the practice for one of hers.
 */
static void
test_one_clinician_reads_hers(struct practice *p)
{
	char		*before, *after;
	long long	 few, many;

	practice_reset(p, PRACTICE_NOW);
	CHECK(sam_books(p, 20, 1) == 0);
	(void)practice_vm_steps(p);
	before = export_text(p, EXPORT_FULL, 0);
	few = practice_vm_steps(p);
	CHECK(sam_books(p, 1400, 40) == 0);
	(void)practice_vm_steps(p);
	after = export_text(p, EXPORT_FULL, 0);
	many = practice_vm_steps(p);
	/* Sam's are not hers: her calendar is the same. */
	CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
	free(before);
	free(after);
	if (many > few * 3 / 2)
		fprintf(stderr, "Ana's calendar: %lld steps beside 21 of Sam's "
		    "sessions and series, %lld beside 1,421\n", few, many);
	CHECK(few > 0 && many <= few * 3 / 2);
}

static void
test_unknown_clinician(struct practice *p)
{
	struct export_query	 q;
	struct strbuf		 out = STRBUF_INIT;

	practice_reset(p, PRACTICE_NOW);
	memset(&q, 0, sizeof(q));
	q.clinician_id = 99;
	CHECK(export_window(&p->ctx, NULL, NULL, &q) == 0);
	CHECK(ical_export(&p->ctx, &q, &out) == -1 &&
	    p->ctx.err == PROTO_ENOTFOUND);
	free(strbuf_finish(&out));
	practice_reset(p, PRACTICE_NOW);
}

/* The UIDs the export writes, told from others'. */
static void
test_uid_is_ours(void)
{
	static const struct {
		const char	*uid;
		int		 ours;
	} cases[] = {
		{ "a12-f00d@practiced", 1 },
		{ "s3-f00d@practiced", 1 },
		{ "a12-beef@practiced", 0 },		/* another practice */
		{ "a12-f00d@practiced.org", 0 },
		{ "a-f00d@practiced", 0 },
		{ "x12-f00d@practiced", 0 },
		{ "a12f00d@practiced", 0 },
		{ "a1x-f00d@practiced", 0 },
		{ "a12-f00@practiced", 0 },
		{ "", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(ical_uid_is_ours(cases[i].uid, "f00d") == cases[i].ours);
	CHECK(!ical_uid_is_ours("a1-@practiced", ""));
}

/* strbuf_addf: in place while it fits, grown when not, whole either way. */
static void
test_strbuf_addf(void)
{
	struct strbuf	 b = STRBUF_INIT;
	char		*s, want[1200];
	int		 i;

	strbuf_addf(&b, "%s:%d", "SEQUENCE", 3);	/* from nothing */
	strbuf_adds(&b, "\r\n");
	for (i = 0; i < 100; i++)			/* past 256, grown */
		strbuf_addf(&b, "%02d%s", i, i % 10 == 9 ? "\n" : "");
	s = strbuf_finish(&b);
	snprintf(want, sizeof(want), "SEQUENCE:3\r\n");
	for (i = 0; i < 100; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    "%02d%s", i, i % 10 == 9 ? "\n" : "");
	CHECK(s != NULL && strcmp(s, want) == 0);
	free(s);
}

void
test_export(void)
{
	struct practice	 p;

	test_strbuf_addf();
	test_initials();
	test_uid_is_ours();
	if (practice_open(&p) == -1) {
		CHECK(0);
		return;
	}
	test_window(&p);
	test_calendar(&p);
	test_one_clinician_reads_hers(&p);
	test_unknown_clinician(&p);
	practice_close(&p);
}
