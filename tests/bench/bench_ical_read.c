/*
 * The iCalendar reader on a generated 50,000-event file (a tenth of
 * them weekly series with a moved and a cancelled session, in one zone
 * with its VTIMEZONE): time per event, the longest slice of 200 events,
 * peak memory, and libical's bare parse of the same text for scale.
 * Prints figures; asserts nothing.
 *
 *	build/bench_ical_read [events]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <libical/ical.h>

#include "ical_read.h"

#define SLICE		200
#define SCAN_BUDGET	(1024 * 1024)

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char vtimezone[] =
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

/* YYYYMMDDTHH0000 of the day'th day from 2020-01-06, at hour. */
static void
stamp(char *buf, size_t len, int day, int hour, int minute)
{
	struct tm	 tm = { .tm_year = 120, .tm_mon = 0, .tm_mday = 6 + day,
			    .tm_hour = hour, .tm_min = minute };
	time_t		 t = timegm(&tm);

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M00", &tm);
}

static void
put_event(FILE *f, int uid, int day, int hour, const char *extra)
{
	char	 start[32], end[32];

	stamp(start, sizeof(start), day, hour, 0);
	stamp(end, sizeof(end), day, hour, 50);
	fprintf(f, "BEGIN:VEVENT\r\nUID:bench-%d@practiced.test\r\n"
	    "DTSTAMP:20261201T000000Z\r\n"
	    "DTSTART;TZID=Europe/Berlin:%s\r\nDTEND;TZID=Europe/Berlin:%s\r\n"
	    "SUMMARY:Session %d\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
	    "ORGANIZER;CN=Ana Ruiz:mailto:ana@example.org\r\n"
	    "ATTENDEE;CN=Client %d;PARTSTAT=ACCEPTED:mailto:client%d@example.org"
	    "\r\n%sEND:VEVENT\r\n", uid, start, end, uid, uid % 997, uid % 997,
	    extra);
}

/* A series' moved first session and cancelled second one. */
static void
put_overrides(FILE *f, int uid, int day, int hour)
{
	char	 rid[32], rid2[32], start[32], end[32];

	stamp(rid, sizeof(rid), day, hour, 0);
	stamp(rid2, sizeof(rid2), day + 7, hour, 0);
	stamp(start, sizeof(start), day, hour, 30);
	stamp(end, sizeof(end), day, hour + 1, 20);
	fprintf(f, "BEGIN:VEVENT\r\nUID:bench-%d@practiced.test\r\n"
	    "DTSTAMP:20261201T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:%s\r\n"
	    "DTSTART;TZID=Europe/Berlin:%s\r\nDTEND;TZID=Europe/Berlin:%s\r\n"
	    "SUMMARY:Moved\r\nEND:VEVENT\r\n", uid, rid, start, end);
	fprintf(f, "BEGIN:VEVENT\r\nUID:bench-%d@practiced.test\r\n"
	    "DTSTAMP:20261201T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:%s\r\n"
	    "DTSTART;TZID=Europe/Berlin:%s\r\nSTATUS:CANCELLED\r\n"
	    "SUMMARY:Cancelled\r\nEND:VEVENT\r\n", uid, rid2, rid2);
}

/* n VEVENTs: every tenth UID a weekly series with two overrides. */
static char *
generate(int n, size_t *len)
{
	char	*buf = NULL;
	FILE	*f = open_memstream(&buf, len);
	int	 i = 0, uid = 0, day, hour;

	if (f == NULL)
		return NULL;
	fprintf(f, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//practiced//bench//EN\r\n%s", vtimezone);
	while (i < n) {
		day = uid / 8 % 2400;
		hour = 8 + uid % 8;
		if (uid % 10 == 0 && i + 3 <= n) {
			put_event(f, uid, day, hour,
			    "RRULE:FREQ=WEEKLY;COUNT=20\r\n");
			put_overrides(f, uid, day, hour);
			i += 3;
		} else {
			put_event(f, uid, day, hour, "");
			i++;
		}
		uid++;
	}
	fprintf(f, "END:VCALENDAR\r\n");
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	struct ical_read_opts	 opts = { "Europe/Berlin", 1796083200 };
	struct ical_reader	*r;
	struct ical_event	*ev;
	struct ical_read_error	 err;
	struct rusage		 ru;
	icalcomponent		*c;
	double			 t0, t1, t2, slice0, worst = 0, bare;
	double			 worst_scan = 0;
	long			 rss0;
	size_t			 len, events = 0, errors = 0, n;
	char			*buf;
	int			 rc, want = argc > 1 ? atoi(argv[1]) : 50000;

	if ((buf = generate(want, &len)) == NULL)
		return 1;
	getrusage(RUSAGE_SELF, &ru);
	rss0 = ru.ru_maxrss;
	t0 = now_ms();
	if ((r = ical_read_begin(buf, len, &opts, &err)) == NULL) {
		fprintf(stderr, "refused: %s\n", err.reason);
		return 1;
	}
	/* The check and index in slices of SCAN_BUDGET bytes. */
	do {
		slice0 = now_ms();
		rc = ical_read_scan(r, SCAN_BUDGET, &err);
		if (now_ms() - slice0 > worst_scan)
			worst_scan = now_ms() - slice0;
	} while (rc == 1);
	if (rc == -1) {
		fprintf(stderr, "refused at line %d: %s\n", err.line, err.reason);
		return 1;
	}
	t1 = now_ms();
	slice0 = t1;
	n = 0;
	while ((rc = ical_read_next(r, &ev, &err)) != 0) {
		if (rc == 1) {
			events++;
			ical_event_free(ev);
		} else
			errors++;
		if (++n % SLICE == 0) {
			if (now_ms() - slice0 > worst)
				worst = now_ms() - slice0;
			slice0 = now_ms();
		}
	}
	t2 = now_ms();
	ical_read_close(r);
	getrusage(RUSAGE_SELF, &ru);

	/* libical alone, for scale: the floor of any libical importer. */
	bare = now_ms();
	c = icalparser_parse_string(buf);
	bare = now_ms() - bare;
	if (c != NULL)
		icalcomponent_free(c);

	printf("file: %d VEVENTs, %.1f MB\n", want, len / 1048576.0);
	printf("read: %zu events (UIDs), %zu errors\n", events, errors);
	printf("scan (check and index): %.1f ms\n", t1 - t0);
	printf("next (all events):      %.1f ms, %.1f us a VEVENT\n", t2 - t1,
	    (t2 - t1) * 1000 / want);
	printf("total:                  %.1f ms, %.1f us a VEVENT\n", t2 - t0,
	    (t2 - t0) * 1000 / want);
	printf("longest scan slice (%d KB): %.2f ms\n", SCAN_BUDGET / 1024,
	    worst_scan);
	printf("longest slice of %d events: %.2f ms\n", SLICE, worst);
	printf("peak memory: %ld MB, %ld MB of it the reader's (the "
	    "generated file: %ld MB)\n", ru.ru_maxrss / 1024,
	    (ru.ru_maxrss - rss0) / 1024, rss0 / 1024);
	printf("libical's bare parse of the whole file: %.1f ms\n", bare);
	free(buf);
	return 0;
}
