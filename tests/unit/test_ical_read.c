/*
 * The iCalendar reader: files in the styles of Google, Outlook and
 * Apple, refusals with their lines, bad events among good ones, zones,
 * slices, and expansion with its bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "ical_read.h"
#include "ical_zone.h"
#include "recur.h"
#include "unit.h"

#define NOW	((time_t)1796083200)	/* 2026-12-01T00:00:00Z */
#define MAXEV	64

struct readall {
	struct ical_event	*ev[MAXEV];
	size_t			 nev;
	struct ical_read_error	 err[MAXEV];
	size_t			 nerr;
};

static time_t
utc(const char *s)
{
	struct icaltimetype	 tt = icaltime_from_string(s);

	tt.zone = NULL;
	return icaltime_as_timet_with_zone(tt, icaltimezone_get_utc_timezone());
}

static char *
load(const char *name, size_t *len)
{
	char	 path[512], *buf;
	FILE	*f;
	long	 n;

	/* The fixtures sit beside this file. */
	snprintf(path, sizeof(path), "%.*s/ical/%s",
	    (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__, name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
read_all_zone(const char *buf, size_t len, const char *zone,
    struct readall *ra, struct ical_read_error *openerr)
{
	struct ical_read_opts	 opts = { zone, NOW };
	struct ical_reader	*r;
	struct ical_event	*ev;
	struct ical_read_error	 err;
	int			 rc;

	memset(ra, 0, sizeof(*ra));
	if ((r = ical_read_open(buf, len, &opts, openerr)) == NULL)
		return -1;
	while ((rc = ical_read_next(r, &ev, &err)) != 0) {
		if (rc == 1 && ra->nev < MAXEV)
			ra->ev[ra->nev++] = ev;
		else if (rc == 1)
			ical_event_free(ev);
		else if (ra->nerr < MAXEV)
			ra->err[ra->nerr++] = err;
	}
	ical_read_close(r);
	return 0;
}

static int
read_all(const char *text, struct readall *ra, struct ical_read_error *oe)
{
	return read_all_zone(text, strlen(text), "Europe/London", ra, oe);
}

static void
free_all(struct readall *ra)
{
	size_t	 i;

	for (i = 0; i < ra->nev; i++)
		ical_event_free(ra->ev[i]);
	ra->nev = 0;
}

static const struct ical_event *
find(const struct readall *ra, const char *uid)
{
	size_t	 i;

	for (i = 0; i < ra->nev; i++)
		if (strcmp(ra->ev[i]->uid, uid) == 0)
			return ra->ev[i];
	return NULL;
}

/* The file is refused at line with a reason holding words. */
static int
refused_at(const char *buf, size_t len, int line, const char *words)
{
	struct readall		 ra;
	struct ical_read_error	 err;

	if (read_all_zone(buf, len, "Europe/London", &ra, &err) == 0) {
		fprintf(stderr, "  accepted, expected a refusal at line %d "
		    "(%s)\n", line, words);
		free_all(&ra);
		return 0;
	}
	if (err.line != line || strstr(err.reason, words) == NULL) {
		fprintf(stderr, "  refused at line %d: %s\n", err.line,
		    err.reason);
		return 0;
	}
	return 1;
}

#define H	"BEGIN:VCALENDAR\nVERSION:2.0\n"
#define T	"END:VCALENDAR\n"
#define GOOD	"BEGIN:VEVENT\nUID:good\nDTSTAMP:20261201T000000Z\n" \
		"DTSTART:20270104T090000Z\nEND:VEVENT\n"
#define GOOD2	"BEGIN:VEVENT\nUID:good2\nDTSTART:20270105T090000Z\n" \
		"END:VEVENT\n"

static void
test_refusals(void)
{
	struct readall		 ra;
	struct ical_read_error	 err;
	static const struct {
		const char	*text;
		int		 line;
		const char	*words;
	} cases[] = {
		{ "", 1, "not an iCalendar file" },
		{ "hello world\n", 1, "content line" },
		{ "BEGIN:VEVENT\n", 1, "expected BEGIN:VCALENDAR" },
		{ "END:VCALENDAR\n", 1, "without a BEGIN" },
		{ " BEGIN:VCALENDAR\n", 1, "folded line" },
		{ H "BEGIN:VEVENT\nUID:a\nDTSTART:20270101T000000Z\n", 3,
		    "BEGIN:VEVENT is never closed" },
		{ H "BEGIN:VEVENT\nUID:a\nEND:VTODO\n" T, 5,
		    "END:VTODO does not close BEGIN:VEVENT of line 3" },
		{ H T "BEGIN:VEVENT\n", 4, "expected BEGIN:VCALENDAR" },
		{ H T "X-AFTER:1\n", 4, "content after END:VCALENDAR" },
		{ H T H T, 4, "a second VCALENDAR" },
		{ H "this is not ical\n" T, 3, "content line" },
		{ H "BEGIN:A B\n", 3, "not a component name" },
		{ H "SUMMARY:caf\xc3\n" T, 3, "not UTF-8" },
		{ H "SUMMARY:\xc0\xaf\n" T, 3, "not UTF-8" },	/* overlong */
		{ H "SUMMARY:\xed\xa0\x80\n" T, 3, "not UTF-8" },	/* surrogate */
		{ H "SUMMARY:\xf4\x90\x80\x80\n" T, 3, "not UTF-8" },
		{ H "SUMMARY:\xff\n" T, 3, "not UTF-8" },
		{ H "SUMMARY:\xc3" "A\n" T, 3, "not UTF-8" },	/* cut short */
		{ H "SUMMARY:\xa9\n" T, 3, "not UTF-8" },	/* continuation */
		{ H "SUMMARY:a\x01z\n" T, 3, "control character" },
		{ H "SUMMARY:a\x7fz\n" T, 3, "control character" },
		{ H "X-A:1\rX-B:2\n" T, 3, "carriage return" },
		{ "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-A:\x02\r\n" T, 3,
		    "control character" },
		{ H "DESCRIPTION:one\n two\n three\x01\n" T, 5,
		    "control character" },
		{ H GOOD "BEGIN:VEVENT\nUID:x\nSUMMARY:\xe2\x82\n" T, 10,
		    "not UTF-8" },
	};
	char	*big, *junk;
	size_t	 i, n;
	unsigned int seed = 12345;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!refused_at(cases[i].text, strlen(cases[i].text),
		    cases[i].line, cases[i].words))
			fprintf(stderr, "  refusal case %zu\n", i);
		CHECK(refused_at(cases[i].text, strlen(cases[i].text),
		    cases[i].line, cases[i].words));
	}
	/* A NUL byte, which strlen cannot carry. */
	CHECK(refused_at(H "X-A:1\0\n" T, sizeof(H "X-A:1\0\n" T) - 1, 3,
	    "NUL byte"));

	/* A 5 MB line, and a line of exactly the cap (accepted). */
	n = 5 * 1024 * 1024;
	big = malloc(n + 64);
	memcpy(big, H "DESCRIPTION:", strlen(H "DESCRIPTION:"));
	memset(big + strlen(H "DESCRIPTION:"), 'x', n);
	strcpy(big + strlen(H "DESCRIPTION:") + n, "\n" T);
	CHECK(refused_at(big, strlen(big), 3, "a line longer than 65536"));
	n = ICAL_READ_MAX_LINE - strlen("X-DESC:");
	memcpy(big, H "X-DESC:", strlen(H "X-DESC:"));
	memset(big + strlen(H "X-DESC:"), 'x', n);
	strcpy(big + strlen(H "X-DESC:") + n, "\n" T);
	CHECK(read_all_zone(big, strlen(big), "UTC", &ra, &err) == 0);
	free_all(&ra);
	big[strlen(H "X-DESC:") + n] = 'x';
	strcpy(big + strlen(H "X-DESC:") + n + 1, "\n" T);
	CHECK(refused_at(big, strlen(big), 3, "longer than"));
	free(big);

	/* Binary junk: refused at its first line, whatever it holds. */
	junk = malloc(8192);
	for (i = 0; i < 8192; i++) {
		seed = seed * 1103515245 + 12345;
		junk[i] = (char)(seed >> 16);
	}
	CHECK(refused_at(junk, 8192, 1, ""));
	free(junk);

	/* Over the file cap: refused before a byte is read. */
	big = calloc(1, (size_t)ICAL_READ_MAX_BYTES + 1);
	CHECK(big != NULL && refused_at(big, (size_t)ICAL_READ_MAX_BYTES + 1,
	    0, "larger than 32 MB"));
	free(big);
}

static void
test_refusals_more(void)
{
	struct readall		 ra;
	struct ical_read_error	 err;
	char			 deep[1024];
	int			 i;

	/* Nesting deeper than the cap. */
	snprintf(deep, sizeof(deep), "BEGIN:VCALENDAR\n");
	for (i = 0; i < ICAL_READ_MAX_DEPTH; i++)
		strcat(deep, "BEGIN:X-A\n");
	CHECK(refused_at(deep, strlen(deep), ICAL_READ_MAX_DEPTH + 1,
	    "nested deeper"));

	/* A default zone that is no zone, or a path. */
	CHECK(read_all_zone(H GOOD T, strlen(H GOOD T), "../../etc/passwd",
	    &ra, &err) == -1);
	CHECK(strstr(err.reason, "default zone") != NULL);
	CHECK(read_all_zone(H GOOD T, strlen(H GOOD T), "Mars/Olympus",
	    &ra, &err) == -1);

	/* Accepted: a character split by a fold, a BOM, blank lines. */
	CHECK(read_all("\xef\xbb\xbf" H "BEGIN:VEVENT\nUID:split\n"
	    "DTSTART:20270104T090000Z\nSUMMARY:caf\xc3\n \xa9\n\n"
	    "END:VEVENT\n" T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 0);
	if (ra.nev == 1)
		CHECK_STR(ra.ev[0]->summary, "caf\xc3\xa9");
	free_all(&ra);
}

static void
test_bad_events(void)
{
	static const struct {
		const char	*body;
		int		 line;	/* 0: the event's BEGIN */
		const char	*words;
	} cases[] = {
		{ "DTSTART;TZID=Mars/Olympus:20270104T090000\n", 10,
		    "unknown time zone \"Mars/Olympus\"" },
		{ "DTSTART;TZID=../../../etc/passwd:20270104T090000\n", 10,
		    "unknown time zone" },
		{ "DTSTART:20270104T090000Z\nRRULE:FREQ=SECONDLY\n", 11,
		    "more often than daily (FREQ=SECONDLY)" },
		{ "DTSTART:20270104T090000Z\nRRULE:FREQ=MINUTELY;COUNT=5\n", 11,
		    "FREQ=MINUTELY" },
		{ "DTSTART:20270104T090000Z\nRRULE:FREQ=HOURLY;INTERVAL=2\n", 11,
		    "FREQ=HOURLY" },
		{ "DTSTART:20270104T090000Z\nRRULE:FREQ=SOMETIMES\n", 11,
		    "RRULE" },
		{ "DTSTART:20270104T090000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;"
		    "BYMONTHDAY=30\n", 11, "libical cannot expand this RRULE" },
		{ "DTSTART:20270104T090000Z\nRRULE:FREQ=WEEKLY\n"
		    "RRULE:FREQ=DAILY\n", 11, "more than one RRULE" },
		{ "DTSTART:20270104T090000Z\nRRULE:FREQ=DAILY;INTERVAL=5000\n",
		    11, "INTERVAL" },
		{ "DTSTART:2027010\n", 10, "DTSTART" },
		{ "SUMMARY:no start\n", 0, "no DTSTART" },
		{ "DTSTART:20270104T090000Z\nDTEND:20270104T080000Z\n", 11,
		    "DTEND is before DTSTART" },
		{ "DTSTART:20270104T090000Z\nDTEND:20270104T100000Z\n"
		    "DURATION:PT1H\n", 12, "both DTEND and DURATION" },
		{ "DTSTART;VALUE=DATE:20270104\nDTEND:20270105T100000Z\n", 11,
		    "DTEND is a date-time and DTSTART a date" },
		{ "DTSTART:20270104T090000Z\nDTEND:20280304T090000Z\n", 11,
		    "more than 400 days" },
		{ "DTSTART:19690101T090000Z\n", 10, "outside the dates" },
		{ "DTSTART:20990101T090000Z\n", 10, "outside the dates" },
		{ "DTSTART:20270230T090000Z\n", 10, "not a date" },
		{ "DTSTART:20270104T090000Z\nthis line is junk\n", 11,
		    "not an iCalendar content line" },
		{ "DTSTART:20270104T090000Z\n"
		    "RECURRENCE-ID;RANGE=THISANDFUTURE:20270104T090000Z\n", 11,
		    "THISANDFUTURE" },
		{ "DTSTART:20270104T090000Z\nDURATION:-PT1H\n", 11,
		    "negative" },
		{ "DTSTART;VALUE=DATE:20270104\nDURATION:PT1H\n", 11,
		    "whole days" },
		{ "DTSTART:20270104T090000Z\nDURATION:P500D\n", 11,
		    "400 days" },
		{ "DTSTART:20270104T090000Z\nRDATE;VALUE=DATE:20270105\n", 11,
		    "RDATE is a date" },
		{ "DTSTART:20270104T090000Z\nEXDATE;TZID=Nowhere:"
		    "20270111T090000\n", 11, "EXDATE: unknown time zone" },
		{ "DTSTART:20270104T090000Z\nRDATE:20990105T090000Z\n", 11,
		    "outside the dates" },
	};
	struct readall		 ra;
	struct ical_read_error	 err;
	char			 text[2048];
	size_t			 i;
	int			 ok, line;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The bad event begins at line 8, its body at line 10. */
		snprintf(text, sizeof(text), H GOOD "BEGIN:VEVENT\nUID:bad\n"
		    "%sEND:VEVENT\n" GOOD2 T, cases[i].body);
		line = cases[i].line ? cases[i].line : 8;
		ok = read_all(text, &ra, &err) == 0 && ra.nev == 2 &&
		    strcmp(ra.ev[1]->uid, "good2") == 0 &&
		    ra.nerr == 1 && strcmp(ra.ev[0]->uid, "good") == 0 &&
		    strcmp(ra.err[0].uid, "bad") == 0 &&
		    ra.err[0].line == line &&
		    strstr(ra.err[0].reason, cases[i].words) != NULL;
		if (!ok)
			fprintf(stderr, "  bad event case %zu: %zu events, "
			    "%zu errors, line %d: %s\n", i, ra.nev, ra.nerr,
			    ra.nerr ? ra.err[0].line : 0,
			    ra.nerr ? ra.err[0].reason : err.reason);
		CHECK(ok);
		free_all(&ra);
	}
}

/* A zone "Spin" with a daylight part under rule; an event in it. */
#define VTZ_RULE(rule) "BEGIN:VTIMEZONE\nTZID:Spin\nBEGIN:STANDARD\n" \
	"DTSTART:16010101T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n" \
	"END:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:00010101T020000\n" \
	"RRULE:" rule "\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n" \
	"END:DAYLIGHT\nEND:VTIMEZONE\n"
#define GOOD_IN(zone) "BEGIN:VEVENT\nUID:in\nDTSTART;TZID=" zone \
	":20270704T090000\nEND:VEVENT\n"

/* Yearly rules from year y in a zone Zn, two or three parts of them. */
static void
zone_text(char *buf, size_t len, int n, int y, int parts)
{
	int	 i;

	snprintf(buf + strlen(buf), len - strlen(buf),
	    "BEGIN:VTIMEZONE\nTZID:Z%d\n", n);
	for (i = 0; i < parts; i++)
		snprintf(buf + strlen(buf), len - strlen(buf),
		    "BEGIN:STANDARD\nDTSTART:%04d%02d01T020000\n"
		    "RRULE:FREQ=YEARLY;BYMONTH=%d;BYDAY=-1SU\n"
		    "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\n",
		    y, 3 + i * 3, 3 + i * 3);
	snprintf(buf + strlen(buf), len - strlen(buf), "END:VTIMEZONE\n");
}

/* libical expands a zone's rules from their start: that is bounded. */
static void
test_zone_costs(void)
{
	struct readall		 ra;
	struct ical_read_error	 err;
	char			*text = calloc(1, 65536);
	int			 i;

	/* Three parts from year 1 are 6000 years of rules: too many. */
	strcpy(text, H);
	zone_text(text, 65536, 0, 1, 3);
	strcat(text, "BEGIN:VEVENT\nUID:z\nDTSTART;TZID=Z0:20270104T090000\n"
	    "END:VEVENT\n" T);
	CHECK(read_all(text, &ra, &err) == 0 && ra.nev == 0 && ra.nerr == 1 &&
	    strstr(ra.err[0].reason, "reach back too far") != NULL);
	free_all(&ra);
	/* Six zones of 2398 years each: the sixth is over the file's cap. */
	strcpy(text, H);
	for (i = 0; i < 6; i++)
		zone_text(text, 65536, i, 848, 2);
	for (i = 0; i < 6; i++)
		snprintf(text + strlen(text), 65536 - strlen(text),
		    "BEGIN:VEVENT\nUID:z%d\nDTSTART;TZID=Z%d:20270104T090000\n"
		    "END:VEVENT\n", i, i);
	strcat(text, T);
	CHECK(read_all(text, &ra, &err) == 0 && ra.nev == 5 && ra.nerr == 1 &&
	    strcmp(ra.err[0].uid, "z5") == 0 &&
	    strstr(ra.err[0].reason, "years of rules together") != NULL);
	free_all(&ra);
	free(text);
}

static void
test_bad_events_more(void)
{
	struct readall		 ra;
	struct ical_read_error	 err;
	char			*text, uid[700];
	size_t			 i;

	/* No UID, a UID over the cap. */
	CHECK(read_all(H "BEGIN:VEVENT\nDTSTART:20270104T090000Z\n"
	    "END:VEVENT\n" GOOD T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 1 && ra.err[0].line == 3 &&
	    strstr(ra.err[0].reason, "no UID") != NULL);
	free_all(&ra);
	memset(uid, 'u', 600);
	uid[600] = '\0';
	text = malloc(4096);
	snprintf(text, 4096, H "BEGIN:VEVENT\nUID:%s\nDTSTART:"
	    "20270104T090000Z\nEND:VEVENT\n" GOOD T, uid);
	CHECK(read_all(text, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 1 && ra.err[0].line == 4 &&
	    strstr(ra.err[0].reason, "UID is longer") != NULL);
	free_all(&ra);

	/* More EXDATEs than the cap. */
	text = realloc(text, 64 * 1024);
	snprintf(text, 64 * 1024, H "BEGIN:VEVENT\nUID:many\n"
	    "DTSTART:20270104T090000Z\nRRULE:FREQ=DAILY\n");
	for (i = 0; i <= ICAL_READ_MAX_DATES; i++)
		strcat(text, "EXDATE:20270105T090000Z\n");
	strcat(text, "END:VEVENT\n" GOOD T);
	CHECK(read_all(text, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 1 &&
	    strstr(ra.err[0].reason, "more than 1000 EXDATEs") != NULL);
	free_all(&ra);
	free(text);

	/* A broken property we do not read leaves the event alone. */
	CHECK(read_all(H "BEGIN:VEVENT\nUID:x\nDTSTART:20270104T090000Z\n"
	    "X-FOO;VALUE=DATE:abc\nEND:VEVENT\n" T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 0);
	free_all(&ra);

	/* A floating time with an X-WR-TIMEZONE that is no zone. */
	CHECK(read_all(H "X-WR-TIMEZONE:Mars/Olympus\n"
	    "BEGIN:VEVENT\nUID:floating\nDTSTART:20270104T090000\nEND:VEVENT\n"
	    GOOD T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 1 && ra.err[0].line == 6 &&
	    strstr(ra.err[0].reason, "X-WR-TIMEZONE \"Mars/Olympus\" "
	    "(line 3)") != NULL);
	free_all(&ra);

	/* A VTIMEZONE whose rule would take libical forever. */
	CHECK(read_all(H "BEGIN:VTIMEZONE\nTZID:Spin\nBEGIN:STANDARD\n"
	    "DTSTART:16010101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
	    "RRULE:FREQ=SECONDLY\nEND:STANDARD\nEND:VTIMEZONE\n"
	    "BEGIN:VEVENT\nUID:spin\nDTSTART;TZID=Spin:20270104T090000\n"
	    "END:VEVENT\n" GOOD T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 1 && ra.err[0].line == 14 &&
	    strstr(ra.err[0].reason, "VTIMEZONE of \"Spin\" (line 3) cannot "
	    "be used: a rule that is not yearly") != NULL);
	free_all(&ra);
	/* Yearly, but daily in effect, or never: libical would spin. */
	CHECK(read_all(H VTZ_RULE("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
	    GOOD_IN("Spin") T, &ra, &err) == 0);
	CHECK(ra.nev == 0 && ra.nerr == 1 &&
	    strstr(ra.err[0].reason, "a rule libical will not start") != NULL);
	free_all(&ra);
	CHECK(read_all(H VTZ_RULE("FREQ=YEARLY;BYMONTH=1,2,3;BYDAY=SU")
	    GOOD_IN("Spin") T, &ra, &err) == 0);
	CHECK(ra.nev == 0 && ra.nerr == 1 &&
	    strstr(ra.err[0].reason, "more than once a year") != NULL);
	free_all(&ra);
	CHECK(read_all(H VTZ_RULE("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
	    GOOD_IN("Spin") T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 0 &&
	    ra.ev[0]->start.how == ICS_ZONE_RULES &&
	    ra.ev[0]->start.utc == utc("20270704T070000Z"));
	free_all(&ra);
	test_zone_costs();
	CHECK(read_all(H "BEGIN:VTIMEZONE\nTZID:Empty\nEND:VTIMEZONE\n"
	    "BEGIN:VEVENT\nUID:e\nDTSTART;TZID=Empty:20270104T090000\n"
	    "END:VEVENT\n" T, &ra, &err) == 0);
	CHECK(ra.nev == 0 && ra.nerr == 1 &&
	    strstr(ra.err[0].reason, "no STANDARD or DAYLIGHT") != NULL);
	free_all(&ra);

	/* A bad override is reported; its master and the rest are kept. */
	CHECK(read_all(H "BEGIN:VEVENT\nUID:s\nDTSTART:20270104T090000Z\n"
	    "RRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20270111T090000Z\n"
	    "DTSTART;TZID=Nowhere:20270111T100000\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;VALUE=DATE:20270118\n"
	    "DTSTART;VALUE=DATE:20270118\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20270118T090000Z\n"
	    "DTSTART:20270118T100000Z\nEND:VEVENT\n" T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 2);
	CHECK(ra.nev == 1 && ra.ev[0]->noverrides == 1 &&
	    ra.ev[0]->overrides[0].start.utc == utc("20270118T100000Z"));
	CHECK(ra.nerr == 2 && ra.err[0].line == 11 &&
	    strstr(ra.err[0].reason, "Nowhere") != NULL);
	CHECK(ra.nerr == 2 && ra.err[1].line == 13 &&
	    strstr(ra.err[1].reason, "RECURRENCE-ID is a date and the "
	    "DTSTART of line 3 a date-time") != NULL);
	free_all(&ra);
}

static void
test_google(void)
{
	struct readall		 ra;
	struct ical_read_error	 err;
	const struct ical_event	*e, *o;
	char			*buf;
	size_t			 len;

	if ((buf = load("google.ics", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(memmem(buf, len, "\r\n", 2) != NULL);	/* CRLF as Google */
	CHECK(read_all_zone(buf, len, "Europe/London", &ra, &err) == 0);
	CHECK(ra.nev == 4 && ra.nerr == 0);
	e = find(&ra, "7kq2v1c9m3b5n0p8r6t4w2y0z1@google.com");
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK(e->line == 26);
		CHECK(e->start.utc == utc("20270104T140000Z"));
		CHECK_STR(e->start.zone, "America/New_York");
		CHECK(e->start.how == ICS_ZONE_IANA);
		CHECK(e->start.wall.hour == 9 && e->start.wall.wday == 0);
		CHECK(e->end.utc == utc("20270104T145000Z"));
		CHECK(e->end_how == ICS_END_DTEND);
		CHECK(e->sequence == 2 && e->status == ICS_STATUS_CONFIRMED);
		CHECK(!e->transparent);
		CHECK_STR(e->summary, "Session \xe2\x80\x93 Robin");
		CHECK_STR(e->location, "Room 2; second floor");
		CHECK(e->dtstamp == utc("20261130T120000Z"));
		CHECK(e->last_modified == utc("20261130T110000Z"));
		CHECK_STR(e->organizer.email, "ana@example.org");
		CHECK_STR(e->organizer.cn, "Ana Ruiz");
		CHECK(e->nattendees == 2);
		if (e->nattendees == 2) {
			CHECK_STR(e->attendees[0].email,
			    "robin.ford@example.org");
			CHECK_STR(e->attendees[0].cn, "Robin Ford");
			CHECK(e->attendees[0].partstat == ICS_PART_ACCEPTED);
			CHECK_STR(e->attendees[1].email, "ana@example.org");
		}
		/* UNTIL moved from UTC to New York's wall time. */
		CHECK_STR(e->rrule,
		    "FREQ=WEEKLY;UNTIL=20270329T095959;BYDAY=MO;WKST=SU");
		CHECK(e->nexdates == 1 &&
		    e->exdates[0].utc == utc("20270118T140000Z"));
		CHECK(e->noverrides == 2);
		if (e->noverrides == 2) {
			o = &e->overrides[0];
			CHECK(o->has_recurrence_id);
			CHECK(o->recurrence_id.utc == utc("20270125T140000Z"));
			CHECK(o->start.utc == utc("20270125T150000Z"));
			CHECK(o->sequence == 3);
			CHECK_STR(o->summary, "Session \xe2\x80\x93 Robin (moved)");
			CHECK(e->overrides[1].status == ICS_STATUS_CANCELLED);
		}
	}
	e = find(&ra, "0utc1event@google.com");
	CHECK(e != NULL && e->start.how == ICS_ZONE_UTC &&
	    e->start.utc == utc("20270105T150000Z") &&
	    strcmp(e->start.zone, "UTC") == 0);
	/* Floating: X-WR-TIMEZONE, not the default zone. */
	e = find(&ra, "floating1@google.com");
	CHECK(e != NULL && e->start.how == ICS_ZONE_XWR &&
	    strcmp(e->start.zone, "America/New_York") == 0 &&
	    e->start.utc == utc("20270106T150000Z") &&
	    e->end.utc == utc("20270106T160000Z"));
	e = find(&ra, "allday1@google.com");
	CHECK(e != NULL && e->start.is_date && e->end.is_date &&
	    e->start.how == ICS_ZONE_DATE && e->start.zone[0] == '\0' &&
	    e->start.utc == utc("20270107T000000Z") &&
	    e->end.utc == utc("20270109T000000Z") && e->transparent);
	free_all(&ra);
	free(buf);
}

static void
test_outlook(void)
{
	struct readall		 ra;
	struct ical_read_error	 err;
	const struct ical_event	*e;
	struct ical_occurrence	*occ;
	char			*buf;
	size_t			 len, n;

	if ((buf = load("outlook.ics", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(read_all_zone(buf, len, "Europe/London", &ra, &err) == 0);
	CHECK(ra.nev == 5 && ra.nerr == 0);
	e = find(&ra, "040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A6"
	    "010000000000000000100000009F8E7D6C5B4A39281706F5E4D3C2B1A0");
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK(e->start.how == ICS_ZONE_WINDOWS);
		CHECK_STR(e->start.zone, "Europe/Berlin");
		CHECK(e->start.utc == utc("20270111T080000Z"));
		CHECK_STR(e->organizer.email, "juergen@praxis.example");
		CHECK_STR(e->organizer.cn, "Dr. J\xc3\xbcrgen Maa\xc3\x9f");
		CHECK(e->nattendees == 1 &&
		    strcmp(e->attendees[0].email, "zoe.mueller@example.de") == 0 &&
		    strcmp(e->attendees[0].cn, "Zo\xc3\xab M\xc3\xbcller") == 0 &&
		    e->attendees[0].partstat == ICS_PART_NONE);
		CHECK_STR(e->summary, "Sitzung Zo\xc3\xab");
		CHECK_STR(e->location, "Praxis, Raum 1");
		CHECK_STR(e->rrule, "FREQ=WEEKLY;COUNT=8;BYDAY=MO");
		CHECK(e->nexdates == 2 &&
		    e->exdates[1].utc == utc("20270208T080000Z"));
		/* Eight Mondays less two EXDATEs. */
		CHECK(ical_read_expand(e, utc("20270101T000000Z"),
		    utc("20280101T000000Z"), &occ, &n, err.reason,
		    sizeof(err.reason)) == 0);
		CHECK(n == 6 && occ[1].start == utc("20270118T080000Z") &&
		    occ[5].start == utc("20270301T080000Z") &&
		    occ[5].end == utc("20270301T085000Z"));
		free(occ);
	}
	e = find(&ra, "040000008200E00074C5B7101A82E0080000000011111111");
	CHECK(e != NULL && e->start.how == ICS_ZONE_WINDOWS &&
	    strcmp(e->start.zone, "America/New_York") == 0 &&
	    e->start.utc == utc("20270112T150000Z"));
	/* Rules of the file's own zone, named by the default zone. */
	e = find(&ra, "040000008200E00074C5B7101A82E0080000000022222222");
	CHECK(e != NULL && e->start.how == ICS_ZONE_RULES &&
	    strcmp(e->start.zone, "Europe/London") == 0 &&
	    e->start.utc == utc("20270113T080000Z") &&
	    e->start.wall.hour == 8 &&
	    e->end.utc == utc("20270113T090000Z"));
	e = find(&ra, "040000008200E00074C5B7101A82E0080000000033333333");
	CHECK(e != NULL && e->start.how == ICS_ZONE_RULES &&
	    e->start.utc == utc("20270713T033000Z"));
	e = find(&ra, "040000008200E00074C5B7101A82E0080000000044444444");
	CHECK(e != NULL && e->start.is_date &&
	    e->start.utc == utc("20270301T000000Z") &&
	    e->end.utc == utc("20270302T000000Z"));
	free_all(&ra);
	free(buf);
}

static void
test_apple(void)
{
	struct readall		 ra;
	struct ical_read_error	 err;
	const struct ical_event	*e;
	char			*buf;
	size_t			 len;

	if ((buf = load("apple.ics", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(memmem(buf, len, "\r\n", 2) == NULL);	/* LF only */
	CHECK(read_all_zone(buf, len, "Europe/London", &ra, &err) == 0);
	CHECK(ra.nev == 5 && ra.nerr == 0);
	e = find(&ra, "6F2A9C1E-3B4D-4E5F-8A9B-0C1D2E3F4A5B");
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK(e->start.how == ICS_ZONE_IANA);
		CHECK_STR(e->start.zone, "Europe/Paris");
		CHECK(e->start.utc == utc("20270310T130000Z"));
		CHECK(e->end.utc == utc("20270310T140000Z"));
		/* Escaped text, unescaped. */
		CHECK_STR(e->summary, "S\xc3\xa9" "ance \xe2\x80\x93 Chlo\xc3\xa9 "
		    "; \xc2\xab premier \xc2\xbb , deuxi\xc3\xa8me \\ fin\n"
		    "ligne deux");
		CHECK_STR(e->location, "12 rue de l\xe2\x80\x99\xc3\x89glise\n"
		    "Paris");
		CHECK_STR(e->organizer.email, "elodie@fastmail.example");
		CHECK(e->nattendees == 2);
		if (e->nattendees == 2) {
			CHECK_STR(e->attendees[0].email, "chloe@example.fr");
			CHECK(e->attendees[0].partstat == ICS_PART_TENTATIVE);
			CHECK_STR(e->attendees[1].email, "");	/* urn:uuid */
			CHECK_STR(e->attendees[1].cn, "Room");
			CHECK(e->attendees[1].partstat == ICS_PART_DECLINED);
		}
		CHECK(e->sequence == 1);
	}
	/* A day is nominal: 09:00 the day before the change to 10:00. */
	e = find(&ra, "fastmail-duration-1@fastmail.example");
	CHECK(e != NULL && e->end_how == ICS_END_DURATION &&
	    e->start.utc == utc("20270327T080000Z") &&
	    e->end.utc == utc("20270328T080000Z"));
	e = find(&ra, "fastmail-duration-2@fastmail.example");
	CHECK(e != NULL && e->start.is_date &&
	    e->end.utc == utc("20270323T000000Z"));
	e = find(&ra, "thunderbird-1@example.org");
	CHECK(e != NULL && e->start.how == ICS_ZONE_SUFFIX &&
	    strcmp(e->start.zone, "Europe/Berlin") == 0 &&
	    e->start.utc == utc("20270315T070000Z"));
	e = find(&ra, "floating-default@example.org");
	CHECK(e != NULL && e->start.how == ICS_ZONE_DEFAULT &&
	    strcmp(e->start.zone, "Europe/London") == 0 &&
	    e->start.utc == utc("20270316T120000Z") &&
	    e->end_how == ICS_END_DEFAULT && e->end.utc == e->start.utc);
	free_all(&ra);
	free(buf);
}

static int
expand_starts(const struct ical_event *e, const char *from, const char *to,
    const char **want, size_t nwant)
{
	struct ical_occurrence	*occ;
	char			 err[ICAL_READ_REASON_MAX];
	size_t			 n, i;
	int			 ok;

	if (ical_read_expand(e, utc(from), utc(to), &occ, &n, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "  expand: %s\n", err);
		return 0;
	}
	ok = n == nwant;
	for (i = 0; ok && i < n; i++)
		ok = occ[i].start == utc(want[i]);
	if (!ok)
		for (i = 0; i < n; i++)
			fprintf(stderr, "  got %ld\n", (long)occ[i].start);
	free(occ);
	return ok;
}

static void
test_recur_fixture(void)
{
	static const char *weekly[] = {
		"20270104T080000Z", "20270106T160000Z", "20270119T100000Z",
		"20270201T080000Z"
	};
	static const char *allday[] = {
		"20270301T000000Z", "20270316T000000Z", "20270322T000000Z"
	};
	static const char *dst[] = {
		"20270326T080000Z", "20270328T070000Z", "20270329T070000Z"
	};
	static const char *moved_in[] = { "20270119T100000Z" };
	struct readall		 ra;
	struct ical_read_error	 err;
	const struct ical_event	*e;
	struct ical_occurrence	*occ;
	char			*buf;
	size_t			 len, n;

	if ((buf = load("recur.ics", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(read_all_zone(buf, len, "Europe/London", &ra, &err) == 0);
	CHECK(ra.nev == 6 && ra.nerr == 1);
	/* Events in the order they begin in the file. */
	CHECK(ra.nev == 6 && strcmp(ra.ev[0]->uid, "weekly@test") == 0 &&
	    strcmp(ra.ev[2]->uid, "orphan@test") == 0 &&
	    strcmp(ra.ev[5]->uid, "dst@test") == 0);

	e = find(&ra, "weekly@test");
	CHECK(e != NULL && e->noverrides == 2);
	if (e != NULL) {
		/* UNTIL 08:00Z is 09:00 in Berlin: Feb 1 is kept. */
		CHECK(expand_starts(e, "20270101T000000Z", "20270301T000000Z",
		    weekly, 4));
		CHECK(ical_read_expand(e, utc("20270101T000000Z"),
		    utc("20270301T000000Z"), &occ, &n, err.reason,
		    sizeof(err.reason)) == 0);
		CHECK(n == 4 && occ[2].ev == &e->overrides[0] &&
		    occ[2].end == utc("20270119T105000Z") && occ[0].ev == e &&
		    occ[0].end == utc("20270104T085000Z"));
		free(occ);
		/* Moved into a window its RECURRENCE-ID is outside of. */
		CHECK(expand_starts(e, "20270119T000000Z", "20270120T000000Z",
		    moved_in, 1));
		CHECK(expand_starts(e, "20270118T000000Z", "20270119T000000Z",
		    NULL, 0));
		CHECK(expand_starts(e, "20270125T000000Z", "20270126T000000Z",
		    NULL, 0));
	}
	e = find(&ra, "allday-series@test");
	CHECK(e != NULL && e->start.is_date &&
	    expand_starts(e, "20270101T000000Z", "20280101T000000Z", allday, 3));
	e = find(&ra, "dst@test");
	CHECK(e != NULL &&
	    expand_starts(e, "20270301T000000Z", "20270501T000000Z", dst, 3));
	e = find(&ra, "offrule@test");
	CHECK(e != NULL);
	if (e != NULL && ical_read_expand(e, utc("20270101T000000Z"),
	    utc("20270201T000000Z"), &occ, &n, err.reason,
	    sizeof(err.reason)) == 0) {
		CHECK(n >= 2 && occ[0].start == utc("20270104T140000Z") &&
		    occ[1].start == utc("20270105T140000Z"));
		free(occ);
	} else
		CHECK(!"offrule@test expands");
	/* An override whose master is not in the file stands alone. */
	e = find(&ra, "orphan@test");
	CHECK(e != NULL && e->has_recurrence_id &&
	    e->recurrence_id.utc == utc("20270405T070000Z") &&
	    e->start.utc == utc("20270406T070000Z"));
	/* Two masters: the higher SEQUENCE is kept, the other reported. */
	e = find(&ra, "dup@test");
	CHECK(e != NULL && e->sequence == 4 &&
	    strcmp(e->summary, "New copy") == 0);
	CHECK(ra.nerr == 1 && strcmp(ra.err[0].uid, "dup@test") == 0 &&
	    ra.err[0].line == 54 && strstr(ra.err[0].reason, "the VEVENT of "
	    "line 61 (SEQUENCE 4) is kept") != NULL);
	free_all(&ra);
	free(buf);
}

static struct ical_event *
rule_event(const char *start, const char *zone, const char *rrule)
{
	struct ical_event	*e = calloc(1, sizeof(*e));

	snprintf(e->uid, sizeof(e->uid), "made");
	e->start.utc = utc(start);
	snprintf(e->start.zone, sizeof(e->start.zone), "%s", zone);
	tz_to_wall(zone, e->start.utc, &e->start.wall);
	e->end = e->start;
	e->end.utc += 3600;
	snprintf(e->rrule, sizeof(e->rrule), "%s", rrule);
	return e;
}

static void
test_expand_bounds(void)
{
	struct ical_event	*e;
	struct ical_occurrence	*occ;
	char			 err[ICAL_READ_REASON_MAX], rule[512];
	size_t			 n;
	int			 i;

	/* 1440 a day: refused at the occurrence cap, not a hang. */
	snprintf(rule, sizeof(rule), "FREQ=DAILY;BYHOUR=0");
	for (i = 1; i < 24; i++)
		snprintf(rule + strlen(rule), sizeof(rule) - strlen(rule),
		    ",%d", i);
	strcat(rule, ";BYMINUTE=0");
	for (i = 1; i < 60; i++)
		snprintf(rule + strlen(rule), sizeof(rule) - strlen(rule),
		    ",%d", i);
	e = rule_event("20270104T090000Z", "UTC", rule);
	CHECK(ical_read_expand(e, utc("20270101T000000Z"),
	    utc("20280101T000000Z"), &occ, &n, err, sizeof(err)) == -1);
	CHECK(strstr(err, "more than 5000 occurrences") != NULL);
	CHECK(occ == NULL && n == 0);
	ical_event_free(e);

	/* Rules more often than daily, even if they reach this far. */
	e = rule_event("20270104T090000Z", "UTC", "FREQ=SECONDLY");
	CHECK(ical_read_expand(e, utc("20270101T000000Z"),
	    utc("20270102T000000Z"), &occ, &n, err, sizeof(err)) == -1);
	ical_event_free(e);

	/* A window over the cap. */
	e = rule_event("20270104T090000Z", "UTC", "FREQ=WEEKLY");
	CHECK(ical_read_expand(e, utc("19800101T000000Z"),
	    utc("20300101T000000Z"), &occ, &n, err, sizeof(err)) == -1);
	CHECK(strstr(err, "window") != NULL);
	CHECK(ical_read_expand(e, utc("20270101T000000Z"),
	    utc("20280101T000000Z"), &occ, &n, err, sizeof(err)) == 0);
	CHECK(n == 52);
	free(occ);
	ical_event_free(e);

	/* Daily since 1975: libical's steps run out before 2030. */
	e = rule_event("19750101T090000Z", "UTC", "FREQ=DAILY");
	CHECK(ical_read_expand(e, utc("20290101T000000Z"),
	    utc("20300101T000000Z"), &occ, &n, err, sizeof(err)) == -1);
	CHECK(strstr(err, "more than 20000") != NULL);
	ical_event_free(e);

	/* A rule that never matches: libical will not start it. */
	e = rule_event("20270104T090000Z", "UTC",
	    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30");
	CHECK(ical_read_expand(e, utc("20270101T000000Z"),
	    utc("20400101T000000Z"), &occ, &n, err, sizeof(err)) == -1);
	ical_event_free(e);
}

static void
test_slices(void)
{
	struct ical_read_opts	 opts = { "Europe/London", NOW };
	struct ical_reader	*r;
	struct ical_event	*ev;
	struct ical_read_error	 err;
	size_t			 done, total, len;
	char			*buf;
	int			 rc, events = 0, errors = 0;

	if ((buf = load("recur.ics", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	r = ical_read_open(buf, len, &opts, &err);
	free(buf);			/* the reader keeps its own copy */
	CHECK(r != NULL);
	if (r == NULL)
		return;
	ical_read_progress(r, &done, &total);
	CHECK(done == 0 && total == 6);
	/* One UID a call: progress moves by one. */
	CHECK(ical_read_next(r, &ev, &err) == 1);
	CHECK(ev != NULL && strcmp(ev->uid, "weekly@test") == 0 &&
	    ev->noverrides == 2);
	ical_event_free(ev);
	ical_read_progress(r, &done, &total);
	CHECK(done == 1);
	while ((rc = ical_read_next(r, &ev, &err)) != 0) {
		if (rc == 1) {
			events++;
			ical_event_free(ev);
		} else
			errors++;
	}
	CHECK(events == 5 && errors == 1);
	ical_read_progress(r, &done, &total);
	CHECK(done == 6);
	CHECK(ical_read_next(r, &ev, &err) == 0 && ev == NULL);
	ical_read_close(r);
}

static void
test_zone_names(void)
{
	size_t	 i;
	int	 all = 1;

	for (i = 0; i < ical_nwinzones; i++)
		if (!tz_valid(ical_winzones[i].iana)) {
			fprintf(stderr, "  %s -> %s is not built in\n",
			    ical_winzones[i].windows, ical_winzones[i].iana);
			all = 0;
		}
	CHECK(all && ical_nwinzones > 100);
	CHECK_STR(ical_zone_windows("W. Europe Standard Time"),
	    "Europe/Berlin");
	CHECK_STR(ical_zone_windows("GMT Standard Time"), "Europe/London");
	CHECK_STR(ical_zone_windows("eastern standard time"),
	    "America/New_York");
	CHECK_STR(ical_zone_windows("India Standard Time"), "Asia/Kolkata");
	CHECK(ical_zone_windows("Nowhere Standard Time") == NULL);
	CHECK_STR(ical_zone_windows("tzone://Microsoft/Utc"), "UTC");
	CHECK_STR(ical_zone_suffix("/mozilla.org/20050126_1/Europe/Berlin"),
	    "Europe/Berlin");
	CHECK_STR(ical_zone_suffix(
	    "/freeassociation.sourceforge.net/Tzfile/America/New_York"),
	    "America/New_York");
	CHECK(ical_zone_suffix("Europe") == NULL);
	CHECK(ical_zone_suffix("../../etc/passwd") == NULL);
}

/* The same file read in slices of budget bytes gives the same events. */
static void
test_scan_slices(void)
{
	static const size_t budgets[] = { 0, 1, 7, 64, 1000 };
	struct ical_read_opts	 opts = { "Europe/London", NOW };
	struct ical_reader	*r;
	struct ical_event	*ev;
	struct ical_read_error	 err;
	struct readall		 whole;
	const char		*bad = H GOOD "BEGIN:VEVENT\nUID:x\nEND:VTODO\n" T;
	char			*buf;
	size_t			 len, i, steps, n, lines;
	int			 rc, same;

	if ((buf = load("google.ics", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(read_all_zone(buf, len, "Europe/London", &whole, &err) == 0);
	for (i = lines = 0; i < len; i++)
		lines += buf[i] == '\n';
	for (i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		r = ical_read_begin(buf, len, &opts, &err);
		CHECK(r != NULL);
		if (r == NULL)
			continue;
		steps = 0;
		while ((rc = ical_read_scan(r, budgets[i], &err)) == 1)
			steps++;
		/* A slice reads whole lines: at least one, about budget. */
		CHECK(rc == 0 && steps >= (len / (budgets[i] + 1) < lines ?
		    len / (budgets[i] + 1) : lines) / 2);
		same = 1;
		n = 0;
		while ((rc = ical_read_next(r, &ev, &err)) == 1) {
			same = same && n < whole.nev &&
			    strcmp(ev->uid, whole.ev[n]->uid) == 0 &&
			    ev->start.utc == whole.ev[n]->start.utc &&
			    ev->noverrides == whole.ev[n]->noverrides;
			n++;
			ical_event_free(ev);
		}
		CHECK(same && rc == 0 && n == whole.nev);
		ical_read_close(r);
	}
	free_all(&whole);
	free(buf);

	/* A refusal found in a later slice; next then reads nothing. */
	r = ical_read_begin(bad, strlen(bad), &opts, &err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	steps = 0;
	while ((rc = ical_read_scan(r, 16, &err)) == 1)
		steps++;
	CHECK(rc == -1 && steps > 3 && err.line == 10 &&
	    strstr(err.reason, "END:VTODO") != NULL);
	memset(&err, 0, sizeof(err));
	CHECK(ical_read_next(r, &ev, &err) == -2 && ev == NULL &&
	    err.line == 10);
	ical_read_close(r);
	/* Not scanned yet: next scans, and refuses. */
	r = ical_read_begin(bad, strlen(bad), &opts, &err);
	CHECK(r != NULL && ical_read_next(r, &ev, &err) == -2 &&
	    err.line == 10);
	ical_read_close(r);
}

/* A file taken, not copied: the same events; freed however it ends. */
static void
test_take(void)
{
	struct ical_read_opts	 opts = { "Europe/London", NOW };
	struct ical_reader	*r;
	struct ical_event	*ev;
	struct ical_read_error	 err;
	struct readall		 whole;
	char			*buf, *mine;
	size_t			 len, n = 0;
	int			 rc, same = 1;

	if ((buf = load("google.ics", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(read_all_zone(buf, len, "Europe/London", &whole, &err) == 0);
	/* No room for the NUL the scan puts after it: made. */
	mine = malloc(len);
	CHECK(mine != NULL);
	if (mine == NULL)
		goto done;
	memcpy(mine, buf, len);
	r = ical_read_take(mine, len, len, &opts, &err);
	CHECK(r != NULL);
	while (r != NULL && (rc = ical_read_next(r, &ev, &err)) != 0) {
		same = same && rc == 1 && n < whole.nev &&
		    strcmp(ev->uid, whole.ev[n]->uid) == 0 &&
		    ev->start.utc == whole.ev[n]->start.utc;
		n++;
		ical_event_free(ev);
	}
	CHECK(same && n == whole.nev);
	ical_read_close(r);
	/* Refused (over the cap, an unknown zone): the buffer is freed. */
	CHECK((mine = strdup("BEGIN:VCALENDAR")) != NULL);
	CHECK(ical_read_take(mine, ICAL_READ_MAX_BYTES + 1, 16, &opts,
	    &err) == NULL && strstr(err.reason, "larger") != NULL);
	opts.default_zone = "Mars/Olympus";
	CHECK((mine = strdup("BEGIN:VCALENDAR")) != NULL);
	CHECK(ical_read_take(mine, 15, 16, &opts, &err) == NULL &&
	    strstr(err.reason, "default zone") != NULL);
done:
	free_all(&whole);
	free(buf);
}

/* CRLF or LF: the same events. */
static void
test_line_ends(void)
{
	struct readall		 lf, crlf;
	struct ical_read_error	 err;
	char			*buf, *wide;
	size_t			 len, i, k;
	int			 same;

	if ((buf = load("apple.ics", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	wide = malloc(2 * len);
	for (i = k = 0; i < len; i++) {
		if (buf[i] == '\n')
			wide[k++] = '\r';
		wide[k++] = buf[i];
	}
	CHECK(read_all_zone(buf, len, "Europe/London", &lf, &err) == 0);
	CHECK(read_all_zone(wide, k, "Europe/London", &crlf, &err) == 0);
	same = lf.nev == crlf.nev && lf.nev == 5;
	for (i = 0; same && i < lf.nev; i++)
		same = strcmp(lf.ev[i]->uid, crlf.ev[i]->uid) == 0 &&
		    strcmp(lf.ev[i]->summary, crlf.ev[i]->summary) == 0 &&
		    strcmp(lf.ev[i]->location, crlf.ev[i]->location) == 0 &&
		    lf.ev[i]->start.utc == crlf.ev[i]->start.utc &&
		    lf.ev[i]->end.utc == crlf.ev[i]->end.utc &&
		    lf.ev[i]->nattendees == crlf.ev[i]->nattendees &&
		    lf.ev[i]->line == crlf.ev[i]->line;
	CHECK(same);
	free_all(&lf);
	free_all(&crlf);
	free(wide);
	free(buf);
}

/* Folds, escapes and UTF-8 as they reach SUMMARY (or the UID). */
static void
test_text(void)
{
	static const struct {
		const char	*lines;
		const char	*summary;
	} cases[] = {
		{ "SUMMARY:plain\n", "plain" },
		{ "SUMMARY:fol\n ded\n", "folded" },
		{ "SUMMARY:tab\n\tfold\n", "tabfold" },
		{ "SUMMARY:crlf\r\n fold\r\n", "crlffold" },
		{ "SUMM\n ARY:name folded\n", "name folded" },
		{ "SUMMARY;LANGUAGE=\n en:param folded\n", "param folded" },
		{ "SUMMARY:keeps\n  one blank\n", "keeps one blank" },
		{ "SUMMARY:a\\,b\\;c\n", "a,b;c" },
		{ "SUMMARY:back\\\\slash\n", "back\\slash" },
		{ "SUMMARY:two\\nlines\n", "two\nlines" },
		{ "SUMMARY:two\\Nlines\n", "two\nlines" },
		{ "SUMMARY:\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80\n",
		    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80" },
		{ "SUMMARY:split \xf0\x9f\n \x98\x80 emoji\n",
		    "split \xf0\x9f\x98\x80 emoji" },
		{ "summary:lower case name\n", "lower case name" },
	};
	struct readall		 ra;
	struct ical_read_error	 err;
	char			 text[1024], *big, *p;
	size_t			 i, n;
	int			 ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), H "BEGIN:VEVENT\nUID:t\n"
		    "DTSTART:20270104T090000Z\n%sEND:VEVENT\n" T,
		    cases[i].lines);
		ok = read_all(text, &ra, &err) == 0 && ra.nev == 1 &&
		    strcmp(ra.ev[0]->summary, cases[i].summary) == 0;
		if (!ok)
			fprintf(stderr, "  text case %zu: %s\n", i,
			    ra.nev ? ra.ev[0]->summary : ra.nerr ?
			    ra.err[0].reason : err.reason);
		CHECK(ok);
		free_all(&ra);
	}
	/* A long SUMMARY is cut on a character boundary. */
	n = 600;
	big = malloc(2 * n + 256);
	strcpy(big, H "BEGIN:VEVENT\nUID:t\nDTSTART:20270104T090000Z\n"
	    "SUMMARY:");
	for (i = 0; i < n; i++)
		strcat(big, "\xc3\xa9");
	strcat(big, "\nEND:VEVENT\n" T);
	CHECK(read_all(big, &ra, &err) == 0 && ra.nev == 1 &&
	    strlen(ra.ev[0]->summary) == ICAL_READ_TEXT_MAX - 2 &&
	    memcmp(ra.ev[0]->summary + ICAL_READ_TEXT_MAX - 4,
	    "\xc3\xa9", 2) == 0);
	free_all(&ra);
	free(big);
	/* A folded line far longer than the line cap is fine. */
	n = 1024 * 1024;
	big = malloc(n + n / 70 * 2 + 256);
	strcpy(big, H "BEGIN:VEVENT\nUID:t\nDTSTART:20270104T090000Z\n"
	    "DESCRIPTION:");
	p = big + strlen(big);
	for (i = 0; i < n; i++) {
		if (i > 0 && i % 70 == 0) {
			*p++ = '\n';
			*p++ = ' ';
		}
		*p++ = 'd';
	}
	strcpy(p, "\nSUMMARY:after\nEND:VEVENT\n" T);
	CHECK(read_all(big, &ra, &err) == 0 && ra.nev == 1 &&
	    strcmp(ra.ev[0]->summary, "after") == 0);
	free_all(&ra);
	free(big);
}

#define VTZ_CET(name, extra) "BEGIN:VTIMEZONE\nTZID:" name "\n" extra \
	"BEGIN:STANDARD\nDTSTART:16011028T030000\n" \
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nTZOFFSETFROM:+0200\n" \
	"TZOFFSETTO:+0100\nEND:STANDARD\nBEGIN:DAYLIGHT\n" \
	"DTSTART:16010325T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n" \
	"TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\n"

/* Every way a time gets its zone. */
static void
test_zone_table(void)
{
	static const struct {
		const char		*prelude, *dtstart;
		enum ical_zone_how	 how;
		const char		*zone, *utc;
	} cases[] = {
		{ "", "DTSTART;TZID=Europe/Berlin:20270104T090000",
		    ICS_ZONE_IANA, "Europe/Berlin", "20270104T080000Z" },
		{ "", "DTSTART;TZID=W. Europe Standard Time:20270104T090000",
		    ICS_ZONE_WINDOWS, "Europe/Berlin", "20270104T080000Z" },
		{ "", "DTSTART;TZID=\"GMT Standard Time\":20270704T090000",
		    ICS_ZONE_WINDOWS, "Europe/London", "20270704T080000Z" },
		{ "", "DTSTART;TZID=UTC:20270104T090000",
		    ICS_ZONE_IANA, "UTC", "20270104T090000Z" },
		{ "", "DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:"
		    "20270104T090000", ICS_ZONE_SUFFIX, "America/New_York",
		    "20270104T140000Z" },
		{ "", "DTSTART;TZID=/freeassociation.sourceforge.net/Tzfile/"
		    "Asia/Tokyo:20270104T090000", ICS_ZONE_SUFFIX, "Asia/Tokyo",
		    "20270104T000000Z" },
		{ VTZ_CET("Customized Time Zone", "X-LIC-LOCATION:Europe/Paris\n"),
		    "DTSTART;TZID=Customized Time Zone:20270104T090000",
		    ICS_ZONE_SUFFIX, "Europe/Paris", "20270104T080000Z" },
		{ VTZ_CET("(UTC+01:00) Amsterdam\\, Berlin\\, Rome", ""),
		    "DTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin, Rome\":"
		    "20270704T090000", ICS_ZONE_RULES, "Europe/London",
		    "20270704T070000Z" },
		{ "X-WR-TIMEZONE:W. Europe Standard Time\n",
		    "DTSTART:20270104T090000", ICS_ZONE_XWR, "Europe/Berlin",
		    "20270104T080000Z" },
		{ "X-WR-TIMEZONE:Asia/Tokyo\n", "DTSTART:20270104T090000Z",
		    ICS_ZONE_UTC, "UTC", "20270104T090000Z" },
		{ "X-WR-TIMEZONE:Asia/Tokyo\n",
		    "DTSTART;TZID=Europe/Berlin:20270104T090000",
		    ICS_ZONE_IANA, "Europe/Berlin", "20270104T080000Z" },
		{ "", "DTSTART:20270704T090000", ICS_ZONE_DEFAULT,
		    "Europe/London", "20270704T080000Z" },
		/* A gap time reads with the offset before the gap... */
		{ "", "DTSTART;TZID=Europe/Berlin:20270328T023000",
		    ICS_ZONE_IANA, "Europe/Berlin", "20270328T013000Z" },
		/* ...and a repeated one is the earlier. */
		{ "", "DTSTART;TZID=Europe/Berlin:20271031T023000",
		    ICS_ZONE_IANA, "Europe/Berlin", "20271031T003000Z" },
		/* A built-in zone wins over the file's odd copy of it. */
		{ "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\n"
		    "DTSTART:16010101T000000\nTZOFFSETFROM:+0500\n"
		    "TZOFFSETTO:+0500\nEND:STANDARD\nEND:VTIMEZONE\n",
		    "DTSTART;TZID=Europe/Berlin:20270104T090000",
		    ICS_ZONE_IANA, "Europe/Berlin", "20270104T080000Z" },
		{ "", "DTSTART:20270104T090030Z", ICS_ZONE_UTC, "UTC",
		    "20270104T090030Z" },
	};
	struct readall		 ra;
	struct ical_read_error	 err;
	char			 text[2048];
	size_t			 i;
	int			 ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), H "%sBEGIN:VEVENT\nUID:z\n%s\n"
		    "END:VEVENT\n" T, cases[i].prelude, cases[i].dtstart);
		ok = read_all(text, &ra, &err) == 0 && ra.nev == 1 &&
		    ra.ev[0]->start.how == cases[i].how &&
		    strcmp(ra.ev[0]->start.zone, cases[i].zone) == 0 &&
		    ra.ev[0]->start.utc == utc(cases[i].utc);
		if (!ok)
			fprintf(stderr, "  zone case %zu: %s %d %s %ld\n", i,
			    ra.nerr ? ra.err[0].reason : err.reason,
			    ra.nev ? (int)ra.ev[0]->start.how : -1,
			    ra.nev ? ra.ev[0]->start.zone : "",
			    ra.nev ? (long)ra.ev[0]->start.utc : 0L);
		CHECK(ok);
		free_all(&ra);
	}
}

static void
test_people(void)
{
	static const struct {
		const char	*value, *email;
	} cases[] = {
		{ "mailto:A@B.example", "a@b.example" },
		{ "MAILTO:Robin.Ford@Example.ORG", "robin.ford@example.org" },
		{ "mailto:no-at-sign", "" },
		{ "mailto:a@b@c", "" },
		{ "mailto:@b.example", "" },
		{ "mailto:a@", "" },
		{ "mailto:", "" },
		{ "mailto:a<b>@c.example", "" },
		{ "urn:uuid:0e1f", "" },
		{ "ana@example.org", "" },	/* no mailto: */
	};
	struct readall		 ra;
	struct ical_read_error	 err;
	char			 text[1024], *many;
	size_t			 i;
	int			 ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), H "BEGIN:VEVENT\nUID:p\n"
		    "DTSTART:20270104T090000Z\nATTENDEE;CN=X:%s\n"
		    "END:VEVENT\n" T, cases[i].value);
		ok = read_all(text, &ra, &err) == 0 && ra.nev == 1 &&
		    ra.ev[0]->nattendees == 1 &&
		    strcmp(ra.ev[0]->attendees[0].email, cases[i].email) == 0;
		if (!ok)
			fprintf(stderr, "  email case %zu\n", i);
		CHECK(ok);
		free_all(&ra);
	}
	/* Attendees past the cap are counted, not kept. */
	many = malloc(16384);
	snprintf(many, 16384, H "BEGIN:VEVENT\nUID:p\n"
	    "DTSTART:20270104T090000Z\n");
	for (i = 0; i < ICAL_READ_MAX_ATTENDEES + 5; i++)
		snprintf(many + strlen(many), 16384 - strlen(many),
		    "ATTENDEE;PARTSTAT=DECLINED:mailto:p%zu@example.org\n", i);
	strcat(many, "END:VEVENT\n" T);
	CHECK(read_all(many, &ra, &err) == 0 && ra.nev == 1 &&
	    ra.ev[0]->nattendees == ICAL_READ_MAX_ATTENDEES &&
	    ra.ev[0]->attendees_dropped == 5 &&
	    strcmp(ra.ev[0]->attendees[99].email, "p99@example.org") == 0 &&
	    ra.ev[0]->attendees[99].partstat == ICS_PART_DECLINED);
	free_all(&ra);
	free(many);
}

static void
test_grouping(void)
{
	struct readall		 ra;
	struct ical_read_error	 err;
	char			*big, *p;
	size_t			 i;

	/* Two overrides of one occurrence: the higher SEQUENCE. */
	CHECK(read_all(H "BEGIN:VEVENT\nUID:s\nDTSTART:20270104T090000Z\n"
	    "RRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:s\nSEQUENCE:5\nRECURRENCE-ID:20270111T090000Z\n"
	    "DTSTART:20270111T110000Z\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:s\nSEQUENCE:2\nRECURRENCE-ID:20270111T090000Z\n"
	    "DTSTART:20270111T100000Z\nEND:VEVENT\n" T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 1 && ra.ev[0]->noverrides == 1 &&
	    ra.ev[0]->overrides[0].start.utc == utc("20270111T110000Z") &&
	    ra.err[0].line == 14);
	free_all(&ra);

	/* More VEVENTs for one UID than a master and its overrides. */
	big = malloc(200 * (ICAL_READ_MAX_OVERRIDES + 2) + 64);
	strcpy(big, H);
	p = big + strlen(big);
	for (i = 0; i < ICAL_READ_MAX_OVERRIDES + 2; i++)
		p += sprintf(p, "BEGIN:VEVENT\nUID:many\nRECURRENCE-ID:"
		    "20270104T090000Z\nDTSTART:20270104T090000Z\nEND:VEVENT\n");
	strcpy(p, GOOD T);
	CHECK(read_all(big, &ra, &err) == 0 && ra.nev == 1 && ra.nerr == 1 &&
	    ra.err[0].line == 3 && strcmp(ra.err[0].uid, "many") == 0 &&
	    strstr(ra.err[0].reason, "2002 VEVENTs with this UID") != NULL);
	free_all(&ra);
	free(big);

	/* Overrides without their master each stand alone. */
	CHECK(read_all(H "BEGIN:VEVENT\nUID:o\nRECURRENCE-ID:20270111T090000Z\n"
	    "DTSTART:20270111T110000Z\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:o\nRECURRENCE-ID:20270118T090000Z\n"
	    "DTSTART:20270118T110000Z\nEND:VEVENT\n" T, &ra, &err) == 0);
	CHECK(ra.nev == 2 && ra.nerr == 0 && ra.ev[0]->has_recurrence_id &&
	    ra.ev[1]->start.utc == utc("20270118T110000Z"));
	free_all(&ra);

	/* Other components are passed over, even broken ones. */
	CHECK(read_all(H "BEGIN:VTODO\nUID:t\njunk here\nEND:VTODO\n"
	    "BEGIN:VJOURNAL\nUID:j\nEND:VJOURNAL\n" GOOD T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 0);
	free_all(&ra);

	/* A broken VTIMEZONE fails only the events that use it. */
	CHECK(read_all(H "BEGIN:VTIMEZONE\nTZID:Odd\njunk here\n"
	    "END:VTIMEZONE\nBEGIN:VEVENT\nUID:u\n"
	    "DTSTART;TZID=Odd:20270104T090000\nEND:VEVENT\n" GOOD T, &ra,
	    &err) == 0);
	CHECK(ra.nev == 1 && ra.nerr == 1 && ra.err[0].line == 9 &&
	    strstr(ra.err[0].reason, "line 5 is not") != NULL);
	free_all(&ra);

	/* Seconds of DTSTART carry to every occurrence. */
	CHECK(read_all(H "BEGIN:VEVENT\nUID:sec\nDTSTART:20270104T090030Z\n"
	    "RRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n" T, &ra, &err) == 0);
	if (ra.nev == 1) {
		static const char *want[] = { "20270104T090030Z",
		    "20270111T090030Z", "20270118T090030Z" };

		CHECK(expand_starts(ra.ev[0], "20270101T000000Z",
		    "20270201T000000Z", want, 3));
	}
	free_all(&ra);

	/* An all-day DTEND equal to DTSTART: one day. */
	CHECK(read_all(H "BEGIN:VEVENT\nUID:d\nDTSTART;VALUE=DATE:20270104\n"
	    "DTEND;VALUE=DATE:20270104\nEND:VEVENT\n" T, &ra, &err) == 0);
	CHECK(ra.nev == 1 && ra.ev[0]->end.utc == utc("20270105T000000Z"));
	free_all(&ra);
}

void
test_ical_read(void)
{
	test_refusals();
	test_refusals_more();
	test_bad_events();
	test_bad_events_more();
	test_google();
	test_outlook();
	test_apple();
	test_recur_fixture();
	test_expand_bounds();
	test_slices();
	test_zone_names();
	test_scan_slices();
	test_take();
	test_line_ends();
	test_text();
	test_zone_table();
	test_people();
	test_grouping();
}
