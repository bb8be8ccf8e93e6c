/*
 * Long answers in bounded pieces: the appointment list's pages and
 * cursors (appt.c), and the attendance report's pages of clients and
 * its figures against each client's own history (report.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "appt.h"
#include "db.h"
#include "practice.h"
#include "report.h"
#include "unit.h"

/* A session straight into the table: the rules are not under test. */
static int
paging_insert(struct practice *p, long long clinician, long long client,
    time_t start, const char *state, const char *by)
{
	char	 sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO appointments"
	    " (clinician_id, client_id, service_id, start_utc, end_utc,"
	    " block_end_utc, zone, state, cancelled_by, created, updated)"
	    " VALUES (%lld, %lld, 1, %lld, %lld, %lld, 'UTC', '%s', %s%s%s,"
	    " 0, 0)", clinician, client, (long long)start,
	    (long long)start + 3000, (long long)start + 3600, state,
	    by ? "'" : "", by ? by : "NULL", by ? "'" : "");
	return practice_exec(p, sql);
}

static long long
page_id(json_t *list, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(list, i),
	    "id"));
}

/*
 * Seven sessions, two of them at the same instant (the id orders them),
 * read in pages of three: 3, 3 and 1, each once, in the list's order.
 */
static void
test_list_pages(struct practice *p)
{
	static const struct { int day, hour; long long clinician; } rows[] = {
		{ 1, 12, ANA }, { 1, 9, ANA }, { 1, 10, SAM }, { 1, 10, ANA },
		{ 2, 9, SAM }, { 0, 15, ANA }, { 3, 11, ANA },
	};
	static const long long order[] = { 6, 2, 3, 4, 1, 5, 7 };
	struct appt_filter	 f;
	struct appt_cursor	 next, after;
	json_t			*page;
	size_t			 i, seen = 0, pages = 0;
	int			 more = 1, ok = 1;

	CHECK(db_begin(p->pd.db) == 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(paging_insert(p, rows[i].clinician, JORDAN,
		    AT(rows[i].day, rows[i].hour, 0), "booked", NULL) == 0);
	memset(&f, 0, sizeof(f));
	f.from = AT(0, 0, 0);
	f.to = AT(7, 0, 0);
	practice_reset(p, PRACTICE_NOW);
	while (more && ok && pages < 10) {
		page = appt_list(&p->ctx, &f, pages == 0 ? NULL : &after, 3,
		    &next, &more);
		if ((ok = page != NULL) == 0)
			break;
		CHECK(json_array_size(page) == (pages < 2 ? 3u : 1u));
		CHECK(more == (pages < 2));
		for (i = 0; i < json_array_size(page); i++, seen++)
			CHECK(seen < 7 && page_id(page, i) == order[seen]);
		/* The cursor is the page's last row. */
		CHECK(next.id == page_id(page, json_array_size(page) - 1));
		after = next;
		json_decref(page);
		pages++;
	}
	CHECK(ok && seen == 7 && pages == 3);

	/* Ana's only, all in one page: none after it. */
	f.clinician_id = ANA;
	page = appt_list(&p->ctx, &f, NULL, 5, &next, &more);
	CHECK(page != NULL && json_array_size(page) == 5 && !more);
	CHECK(page_id(page, 0) == 6 && page_id(page, 4) == 7);
	json_decref(page);

	/* A cursor before the range starts at the range. */
	after.start = AT(-30, 0, 0);
	after.id = 99;
	page = appt_list(&p->ctx, &f, &after, 1, &next, &more);
	CHECK(page != NULL && page_id(page, 0) == 6 && more);
	json_decref(page);
	db_rollback(p->pd.db);
}

/*
 * A state alone (read from another index, and sorted): five no-shows
 * among nine sessions, two at one instant, in pages of two.
 */
static void
test_list_state_pages(struct practice *p)
{
	static const struct { int day, hour; const char *state; } rows[] = {
		{ 1, 12, "no-show" }, { 1, 9, "booked" }, { 1, 10, "no-show" },
		{ 1, 10, "no-show" }, { 2, 9, "attended" }, { 0, 15, "no-show" },
		{ 3, 11, "booked" }, { 3, 12, "no-show" }, { 4, 9, "booked" },
	};
	static const long long order[] = { 6, 3, 4, 1, 8 };
	struct appt_filter	 f;
	struct appt_cursor	 next, after;
	json_t			*page;
	size_t			 i, seen = 0, pages = 0;
	int			 more = 1;

	CHECK(db_begin(p->pd.db) == 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(paging_insert(p, i % 2 ? ANA : SAM, i % 2 ? JORDAN :
		    MARIA, AT(rows[i].day, rows[i].hour, 0), rows[i].state,
		    NULL) == 0);
	memset(&f, 0, sizeof(f));
	f.from = AT(0, 0, 0);
	f.to = AT(7, 0, 0);
	f.state = "no-show";
	while (more && pages < 10) {
		practice_reset(p, PRACTICE_NOW);
		page = appt_list(&p->ctx, &f, pages == 0 ? NULL : &after, 2,
		    &next, &more);
		CHECK(page != NULL);
		if (page == NULL)
			break;
		CHECK(json_array_size(page) == (pages < 2 ? 2u : 1u));
		for (i = 0; i < json_array_size(page); i++, seen++)
			CHECK(seen < 5 && page_id(page, i) == order[seen]);
		after = next;
		json_decref(page);
		pages++;
	}
	CHECK(seen == 5 && pages == 3);
	db_rollback(p->pd.db);
}

static void
test_cursor_text(struct practice *p)
{
	static const struct { const char *text; int ok; long long start, id; }
	    cases[] = {
		{ "1894003200.17", 1, 1894003200, 17 },
		{ "-3600.1", 1, -3600, 1 },
		{ "0.9223372036854775807", 1, 0, 9223372036854775807LL },
		{ "253402300799.5", 1, 253402300799LL, 5 },
		{ "253402300800.5", 0, 0, 0 },		/* past year 9999 */
		{ "1894003200.0", 0, 0, 0 },		/* ids begin at 1 */
		{ "1894003200.-4", 0, 0, 0 },
		{ "1894003200", 0, 0, 0 },
		{ "1894003200.", 0, 0, 0 },
		{ ".17", 0, 0, 0 },
		{ "-.17", 0, 0, 0 },
		{ " 1.17", 0, 0, 0 },
		{ "+1.17", 0, 0, 0 },
		{ "1.17 ", 0, 0, 0 },
		{ "1.1.7", 0, 0, 0 },
		{ "0x10.17", 0, 0, 0 },
		{ "1.99999999999999999999", 0, 0, 0 },
		{ "", 0, 0, 0 },
	};
	struct appt_cursor	 c, back;
	char			 buf[APPT_CURSOR_LEN];
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		practice_reset(p, PRACTICE_NOW);
		memset(&c, 0, sizeof(c));
		rc = appt_cursor_parse(&p->ctx, cases[i].text, &c);
		if (cases[i].ok) {
			CHECK(rc == 0 && c.start == cases[i].start &&
			    c.id == cases[i].id);
			appt_cursor_format(&c, buf, sizeof(buf));
			CHECK_STR(buf, cases[i].text);
			CHECK(appt_cursor_parse(&p->ctx, buf, &back) == 0 &&
			    back.start == c.start && back.id == c.id);
		} else {
			CHECK(rc == -1 && p->ctx.err == PROTO_EBADREQUEST);
			CHECK(strncmp(p->ctx.msg, "after: ", 7) == 0);
		}
	}
}

static json_t *
report_row(json_t *report, long long client)
{
	json_t	*row;
	size_t	 i;

	json_array_foreach(json_object_get(report, "clients"), i, row)
		if (json_integer_value(json_object_get(json_object_get(row,
		    "client"), "id")) == client)
			return row;
	return NULL;
}

/*
 * Every page of the report, limit clients a page, as practicectl reads
 * them: the first page's answer with the clients of the later ones
 * (*pages: how many); NULL when a page is refused.
 */
static json_t *
report_pages(struct practice *p, const char *from, const char *to,
    long long clinician, int limit, int *pages)
{
	struct report_page	 pg;
	json_t			*first = NULL, *page;
	int			 n = 0;

	memset(&pg, 0, sizeof(pg));
	pg.clinician = clinician;
	pg.limit = limit;
	do {
		practice_reset(p, PRACTICE_NOW);
		if ((page = report_attendance(&p->ctx, from, to, &pg)) ==
		    NULL) {
			json_decref(first);
			return NULL;
		}
		/* Only the first page has the whole report's figures. */
		CHECK((n == 0) == (json_object_get(page, "clinicians") !=
		    NULL));
		CHECK(json_array_size(json_object_get(page, "clients")) <=
		    (size_t)limit);
		if (first == NULL)
			first = page;
		else {
			CHECK(json_array_extend(json_object_get(first,
			    "clients"), json_object_get(page, "clients")) == 0);
			json_decref(page);
		}
		pg.after = pg.next;
		n++;
	} while (pg.more && n < 10000);
	if (pages != NULL)
		*pages = n;
	return first;
}

static json_t *
report_all(struct practice *p, const char *from, const char *to,
    long long clinician)
{
	return report_pages(p, from, to, clinician, PROTO_REPORT_PAGE_MAX,
	    NULL);
}

/* A clinician's counts in the report. */
static void
report_clinician_counts(json_t *report, long long clinician, int attended,
    int no_show, int cancelled, int late, int by_practice, int unmarked)
{
	json_t	*row, *found = NULL;
	size_t	 i;

	json_array_foreach(json_object_get(report, "clinicians"), i, row)
		if (json_integer_value(json_object_get(json_object_get(row,
		    "clinician"), "id")) == clinician)
			found = row;
	CHECK(found != NULL);
	if (found == NULL)
		return;
	CHECK(json_integer_value(json_object_get(found, "attended")) ==
	    attended);
	CHECK(json_integer_value(json_object_get(found, "no_show")) ==
	    no_show);
	CHECK(json_integer_value(json_object_get(found, "cancelled")) ==
	    cancelled);
	CHECK(json_integer_value(json_object_get(found, "late_cancelled")) ==
	    late);
	CHECK(json_integer_value(json_object_get(found,
	    "cancelled_by_practice")) == by_practice);
	CHECK(json_integer_value(json_object_get(found, "unmarked")) ==
	    unmarked);
}

/* The report's figures for a client are those of its history. */
static void
report_same_story(json_t *report, json_t *history, long long client,
    long long streak)
{
	static const char *const keys[] = {
		"streak", "last_attended", "days_since_last", "next"
	};
	json_t	*row = report_row(report, client);
	json_t	*sum = json_object_get(history, "summary");
	size_t	 i;

	CHECK(row != NULL && sum != NULL);
	CHECK(json_integer_value(json_object_get(row, "streak")) == streak);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK(json_equal(json_object_get(row, keys[i]),
		    json_object_get(sum, keys[i])));
}

/*
 * Jordan: weekly, a no-show five weeks back ends the streak at four;
 * the practice's cancellation and an unmarked one are passed; one
 * session to come.  Maria: a gap of three weeks ends it at two, and
 * her latest is Sam's, so that the clinician's report counts one.
 */
static void
test_report_story(struct practice *p)
{
	static const struct {
		long long	 client, clinician;
		int		 days;		/* from now */
		const char	*state, *by;
	} rows[] = {
		{ JORDAN, ANA, -42, "attended", NULL },
		{ JORDAN, ANA, -35, "no-show", NULL },
		{ JORDAN, ANA, -28, "attended", NULL },
		{ JORDAN, ANA, -21, "attended", NULL },
		{ JORDAN, ANA, -14, "cancelled", "practice" },
		{ JORDAN, ANA, -13, "attended", NULL },
		{ JORDAN, ANA, -9, "booked", NULL },
		{ JORDAN, ANA, -6, "attended", NULL },
		{ JORDAN, ANA, 1, "booked", NULL },
		{ JORDAN, ANA, 8, "attended", NULL },	/* marked ahead */
		{ MARIA, ANA, -60, "attended", NULL },
		{ MARIA, ANA, -36, "attended", NULL },
		{ MARIA, ANA, -12, "attended", NULL },
		{ MARIA, SAM, -5, "attended", NULL },
		{ MARIA, ANA, -3, "cancelled", "client" },
		{ MARIA, SAM, 20, "confirmed", NULL },
	};
	struct appt_cursor next;
	json_t	*report, *history, *row;
	size_t	 i;
	int	 more;

	/* Nothing yet: empty lists, and a history without a story. */
	practice_reset(p, PRACTICE_NOW);
	report = report_all(p, "2029-01-01", "2030-12-31", 0);
	CHECK(report != NULL && json_array_size(json_object_get(report,
	    "clients")) == 0 && json_array_size(json_object_get(report,
	    "clinicians")) == 0);
	json_decref(report);
	history = report_history(&p->ctx, GONE_CLIENT, NULL, PROTO_PAGE_MAX,
	    &next, &more);
	CHECK(history != NULL && json_integer_value(json_object_get(
	    json_object_get(history, "summary"), "streak")) == 0 && !more);
	json_decref(history);

	CHECK(db_begin(p->pd.db) == 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(paging_insert(p, rows[i].clinician, rows[i].client,
		    PRACTICE_NOW + rows[i].days * PRACTICE_DAY, rows[i].state,
		    rows[i].by) == 0);
	/* Maria's own cancellation was late. */
	CHECK(practice_exec(p, "UPDATE appointments SET late = 1 WHERE"
	    " cancelled_by = 'client'") == 0);
	practice_reset(p, PRACTICE_NOW);
	report = report_all(p, "2029-01-01", "2030-12-31", 0);
	CHECK(report != NULL);
	report_clinician_counts(report, ANA, 9, 1, 2, 1, 1, 1);
	report_clinician_counts(report, SAM, 1, 0, 0, 0, 0, 0);
	history = report_history(&p->ctx, JORDAN, NULL, PROTO_PAGE_MAX, &next, &more);
	report_same_story(report, history, JORDAN, 4);
	json_decref(history);
	/* Maria's latest is cancelled by her: no streak at all. */
	history = report_history(&p->ctx, MARIA, NULL, PROTO_PAGE_MAX, &next, &more);
	report_same_story(report, history, MARIA, 0);
	json_decref(history);
	row = report_row(report, JORDAN);
	/* The one marked ahead counts, but not toward the streak. */
	CHECK(json_integer_value(json_object_get(row, "attended")) == 6);
	CHECK(json_integer_value(json_object_get(row, "no_show")) == 1);
	CHECK_STR(json_string_value(json_object_get(row, "next")),
	    "2030-01-08 08:00");
	json_decref(report);

	/* Sam's sessions only: Maria's one attended, one to come. */
	report = report_all(p, "2029-01-01", "2030-12-31", SAM);
	row = report_row(report, MARIA);
	CHECK(row != NULL && report_row(report, JORDAN) == NULL);
	CHECK(json_integer_value(json_object_get(row, "streak")) == 1);
	CHECK(json_integer_value(json_object_get(row, "attended")) == 1);
	CHECK_STR(json_string_value(json_object_get(row, "next")),
	    "2030-01-27 08:00");
	CHECK(json_array_size(json_object_get(report, "clinicians")) == 1);
	json_decref(report);

	/* A range of its own: counts within it, the story from all. */
	report = report_all(p, "2029-12-24", "2029-12-25", 0);
	row = report_row(report, JORDAN);
	CHECK(row != NULL && report_row(report, MARIA) == NULL);
	CHECK(json_integer_value(json_object_get(row, "attended")) == 1);
	CHECK(json_integer_value(json_object_get(row, "cancelled")) == 1);
	CHECK(json_integer_value(json_object_get(row, "streak")) == 4);
	json_decref(report);
	db_rollback(p->pd.db);
}

static long long
client_id_of(json_t *row)
{
	return json_integer_value(json_object_get(json_object_get(row,
	    "client"), "id"));
}

static const char *
client_name_of(json_t *row)
{
	return json_string_value(json_object_get(json_object_get(row,
	    "client"), "name"));
}

/*
 * 2,100 clients more, three to a name in two cases; a third of them
 * with a session in the range.  Pages of 7 and of 500 give the same
 * clients, each once, by name and then id; a range only the last
 * client by name has a session in gives an empty first page (it looks
 * at 2,000 clients at most) and that one client after it.
 */
static void
test_report_pages(struct practice *p)
{
	json_t		*big, *small, *row, *prev = NULL;
	struct report_page pg;
	long long	 want, last;
	size_t		 i;
	int		 pages = 0, ok = 1;

	CHECK(db_begin(p->pd.db) == 0);
	CHECK(practice_exec(p, "WITH RECURSIVE n(x) AS (SELECT 10 UNION ALL"
	    " SELECT x + 1 FROM n WHERE x < 2109)"
	    " INSERT INTO clients (id, name, active, created)"
	    " SELECT x, CASE x % 2 WHEN 0 THEN 'Pat ' ELSE 'PAT ' END ||"
	    " (x % 700), 1, 0 FROM n") == 0);
	CHECK(practice_exec(p, "INSERT INTO appointments (clinician_id,"
	    " client_id, service_id, start_utc, end_utc, block_end_utc, zone,"
	    " state, created, updated) SELECT 1, id, 1,"
	    " 1893456000 + id * 600 + (id % 3) * 40000000, 1893456000 +"
	    " id * 600 + (id % 3) * 40000000 + 3000, 1893456000 + id * 600 +"
	    " (id % 3) * 40000000 + 3600, 'UTC', 'attended', 0, 0"
	    " FROM clients WHERE id >= 10") == 0);
	/* 2030-01-01 to 2030-01-20: the sessions of ids divisible by 3. */
	want = practice_int(p, "SELECT count(*) FROM clients WHERE id >= 10"
	    " AND id % 3 = 0");
	big = report_all(p, "2030-01-01", "2030-01-20", 0);
	small = report_pages(p, "2030-01-01", "2030-01-20", 0, 7, &pages);
	CHECK(big != NULL && small != NULL);
	if (big == NULL || small == NULL)
		ok = 0;
	CHECK(ok && json_array_size(json_object_get(big, "clients")) ==
	    (size_t)want);
	CHECK(ok && json_equal(json_object_get(big, "clients"),
	    json_object_get(small, "clients")));
	CHECK(pages >= (int)(want / 7));
	json_array_foreach(ok ? json_object_get(small, "clients") : NULL, i,
	    row) {
		if (prev != NULL) {
			CHECK(strcasecmp(client_name_of(prev),
			    client_name_of(row)) < 0 ||
			    (strcasecmp(client_name_of(prev),
			    client_name_of(row)) == 0 &&
			    client_id_of(prev) < client_id_of(row)));
		}
		CHECK(client_id_of(row) % 3 == 0);
		prev = row;
	}
	json_decref(big);
	json_decref(small);

	/* Only the last client by name ('Pat 99', id 2199 - 700 * k). */
	last = practice_int(p, "SELECT id FROM clients ORDER BY"
	    " name COLLATE NOCASE DESC, id DESC LIMIT 1");
	CHECK(practice_exec(p, "UPDATE appointments SET start_utc ="
	    " start_utc - 1000000000, end_utc = end_utc - 1000000000,"
	    " block_end_utc = block_end_utc - 1000000000") == 0);
	CHECK(practice_exec(p, "INSERT INTO appointments (clinician_id,"
	    " client_id, service_id, start_utc, end_utc, block_end_utc, zone,"
	    " state, created, updated) SELECT 2, id, 1, 1893456000,"
	    " 1893459000, 1893459600, 'UTC', 'booked', 0, 0 FROM clients"
	    " ORDER BY name COLLATE NOCASE DESC, id DESC LIMIT 1") == 0);
	memset(&pg, 0, sizeof(pg));
	pg.limit = PROTO_REPORT_PAGE_MAX;
	practice_reset(p, PRACTICE_NOW);
	big = report_attendance(&p->ctx, "2030-01-01", "2030-01-01", &pg);
	CHECK(big != NULL && json_array_size(json_object_get(big,
	    "clients")) == 0 && pg.more);
	CHECK(big != NULL && json_array_size(json_object_get(big,
	    "clinicians")) == 1);
	json_decref(big);
	big = report_pages(p, "2030-01-01", "2030-01-01", 0,
	    PROTO_REPORT_PAGE_MAX, &pages);
	CHECK(big != NULL && pages == 2 && json_array_size(json_object_get(
	    big, "clients")) == 1);
	CHECK(big != NULL && client_id_of(json_array_get(json_object_get(big,
	    "clients"), 0)) == last);
	json_decref(big);

	/* A cursor that names no client. */
	memset(&pg, 0, sizeof(pg));
	pg.limit = 5;
	pg.after = 999999;
	practice_reset(p, PRACTICE_NOW);
	CHECK(report_attendance(&p->ctx, NULL, NULL, &pg) == NULL &&
	    p->ctx.err == PROTO_EBADREQUEST &&
	    strncmp(p->ctx.msg, "after: ", 7) == 0);
	db_rollback(p->pd.db);
}

void
test_paging(void)
{
	struct practice	 p;

	if (practice_open(&p) == -1) {
		CHECK(!"the paging practice could be set up");
		return;
	}
	test_list_pages(&p);
	test_list_state_pages(&p);
	test_cursor_text(&p);
	test_report_story(&p);
	test_report_pages(&p);
	practice_close(&p);
}
