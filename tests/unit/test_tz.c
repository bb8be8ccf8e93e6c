/* Wall times, gaps and overlaps, in the zones a practice meets. */
#include <string.h>
#include <time.h>

#include "tz.h"
#include "unit.h"

static time_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tz_wall	 w = { y, mo, d, h, mi, 0 };
	time_t		 t = 0;
	char		 err[128];

	tz_from_wall("UTC", &w, &t, err, sizeof(err));
	return t;
}

static int
wall(const char *zone, int y, int mo, int d, int h, int mi, time_t *t)
{
	struct tz_wall	 w = { y, mo, d, h, mi, 0 };
	char		 err[128];

	return tz_from_wall(zone, &w, t, err, sizeof(err));
}

static void
test_conversions(void)
{
	char	 buf[TZ_BUFLEN];
	time_t	 t;

	CHECK(utc(1970, 1, 1, 0, 0) == 0);
	CHECK(utc(2026, 12, 1, 20, 0) == 1796155200);
	CHECK(wall("America/New_York", 2026, 12, 1, 15, 0, &t) == 0);
	CHECK(t == utc(2026, 12, 1, 20, 0));
	CHECK(wall("America/New_York", 2026, 7, 1, 15, 0, &t) == 0);
	CHECK(t == utc(2026, 7, 1, 19, 0));
	CHECK(wall("Europe/London", 2026, 7, 1, 9, 0, &t) == 0);
	CHECK(t == utc(2026, 7, 1, 8, 0));
	CHECK(wall("Australia/Lord_Howe", 2027, 1, 4, 9, 0, &t) == 0);
	CHECK(t == utc(2027, 1, 3, 22, 0));	/* +11:00 in summer */
	CHECK(wall("Australia/Lord_Howe", 2027, 7, 5, 9, 0, &t) == 0);
	CHECK(t == utc(2027, 7, 4, 22, 30));	/* +10:30 in winter */
	tz_format_local("America/New_York", utc(2026, 12, 1, 20, 0), buf);
	CHECK_STR(buf, "2026-12-01 15:00");
	tz_format_utc(utc(2026, 12, 1, 20, 0) + 7, buf);
	CHECK_STR(buf, "2026-12-01T20:00:07Z");
	CHECK(wall("America/New_York", 2026, 2, 30, 9, 0, &t) == -1);
	CHECK(wall("America/New_York", 2028, 2, 29, 9, 0, &t) == 0);
	CHECK(wall("America/New_York", 2027, 2, 29, 9, 0, &t) == -1);
}

static void
test_gaps(void)
{
	time_t	 t;

	/* 2027-03-14 02:30 does not exist in New York. */
	CHECK(wall("America/New_York", 2027, 3, 14, 2, 30, &t) == -1);
	CHECK(wall("America/New_York", 2027, 3, 14, 3, 0, &t) == 0);
	CHECK(t == utc(2027, 3, 14, 7, 0));
	/* 2027-11-07 01:30 happens twice; we take the first (EDT). */
	CHECK(wall("America/New_York", 2027, 11, 7, 1, 30, &t) == 0);
	CHECK(t == utc(2027, 11, 7, 5, 30));
	/* London's gap is 01:00-02:00 on the last Sunday of March. */
	CHECK(wall("Europe/London", 2027, 3, 28, 1, 30, &t) == -1);
	CHECK(wall("Europe/London", 2027, 10, 31, 1, 30, &t) == 0);
	CHECK(t == utc(2027, 10, 31, 0, 30));
	/* Lord Howe moves by 30 minutes: 02:00-02:30 is the gap. */
	CHECK(wall("Australia/Lord_Howe", 2027, 10, 3, 2, 15, &t) == -1);
	CHECK(wall("Australia/Lord_Howe", 2027, 10, 3, 2, 30, &t) == 0);
}

static void
test_parsing(void)
{
	struct tz_wall	 w;
	time_t		 now = utc(2026, 11, 22, 3, 0), t;
	char		 err[160];

	/* 03:00 UTC is still the 21st in New York. */
	CHECK(tz_parse_date("today", "America/New_York", now, &w, err,
	    sizeof(err)) == 0);
	CHECK(w.year == 2026 && w.month == 11 && w.day == 21 && w.wday == 5);
	CHECK(tz_parse_date("tomorrow", "America/New_York", now, &w, err,
	    sizeof(err)) == 0);
	CHECK(w.day == 22 && w.wday == 6);
	CHECK(tz_parse_date("2026-12-31", "UTC", now, &w, err,
	    sizeof(err)) == 0);
	CHECK(w.wday == 3);
	CHECK(tz_parse_date("2026-13-01", "UTC", now, &w, err,
	    sizeof(err)) == -1);
	CHECK(tz_parse_date("next week", "UTC", now, &w, err,
	    sizeof(err)) == -1);
	CHECK(tz_parse_datetime("2026-12-01 15:00", "America/New_York", now,
	    &t, err, sizeof(err)) == 0);
	CHECK(t == utc(2026, 12, 1, 20, 0));
	CHECK(tz_parse_datetime("2026-12-01T15:00", "America/New_York", now,
	    &t, err, sizeof(err)) == 0);
	CHECK(tz_parse_datetime("tomorrow 09:30", "America/New_York", now,
	    &t, err, sizeof(err)) == 0);
	CHECK(t == utc(2026, 11, 22, 14, 30));
	CHECK(tz_parse_datetime("Tomorrow 9:30", "America/New_York", now,
	    &t, err, sizeof(err)) == 0);
	CHECK(tz_parse_datetime("2026-12-01 25:00", "UTC", now, &t, err,
	    sizeof(err)) == -1);
	CHECK(tz_parse_datetime("2026-12-01", "UTC", now, &t, err,
	    sizeof(err)) == -1);
	CHECK(tz_parse_datetime("2026-12-01 15:00:00", "UTC", now, &t, err,
	    sizeof(err)) == -1);
	CHECK(tz_parse_hhmm("24:00", 5) == 1440);
	CHECK(tz_parse_hhmm("24:01", 5) == -1);
	CHECK(tz_parse_hhmm("9:05", 4) == 545);
	CHECK(!tz_valid("Mars/Olympus"));
	CHECK(tz_valid("Europe/London"));
	CHECK(tz_valid("UTC"));
}

/* Zone names are keys of libical's list, never paths. */
static void
test_zone_names(void)
{
	CHECK(tz_valid("America/New_York"));
	CHECK(tz_valid("Australia/Lord_Howe"));
	CHECK(tz_valid("Etc/UTC"));
	CHECK(tz_valid("GMT"));
	CHECK(!tz_valid("../../../../etc/passwd"));
	CHECK(!tz_valid("/etc/passwd"));
	CHECK(!tz_valid("Europe/../Europe/London"));
	CHECK(!tz_valid("Europe//London"));
	CHECK(!tz_valid("europe/london"));	/* exact names only */
	CHECK(!tz_valid("Europe/London "));
	CHECK(!tz_valid("zone.tab"));
	CHECK(!tz_valid("posixrules"));
	CHECK(!tz_valid(""));
	CHECK(!tz_valid(NULL));
	/* A path is not a zone even for stored names: offset 0, no open. */
	CHECK(tz_utc_offset("../../../../etc/passwd", 0) == 0);
}

static void
test_window(void)
{
	struct tz_wall	 w;
	time_t		 now = utc(2026, 11, 22, 3, 0), t;
	char		 err[160];

	CHECK(tz_parse_date("1970-01-01", "UTC", now, &w, err,
	    sizeof(err)) == 0);
	CHECK(tz_parse_date("2046-12-31", "UTC", now, &w, err,
	    sizeof(err)) == 0);
	CHECK(tz_parse_date("2047-01-01", "UTC", now, &w, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "\"2047-01-01\" is outside the dates practiced "
	    "accepts (1970-01-01 to 2046-12-31)");
	CHECK(tz_parse_date("2999-12-25", "America/New_York", now, &w, err,
	    sizeof(err)) == -1);
	CHECK(tz_parse_date("1969-12-31", "UTC", now, &w, err,
	    sizeof(err)) == -1);
	CHECK(tz_parse_datetime("2999-12-25 09:00", "America/New_York", now,
	    &t, err, sizeof(err)) == -1);
	CHECK(strstr(err, "1970-01-01 to 2046-12-31") != NULL);
	CHECK(tz_parse_datetime("2046-12-31 23:59", "America/New_York", now,
	    &t, err, sizeof(err)) == 0);
	w.year = 2999;
	w.month = 12;
	w.day = 31;
	CHECK(tz_in_window(&w, now, err, sizeof(err)) == -1);
	CHECK_STR(err, "\"2999-12-31\" is outside the dates practiced "
	    "accepts (1970-01-01 to 2046-12-31)");
	w.year = 2046;
	CHECK(tz_in_window(&w, now, err, sizeof(err)) == 0);
}

void
test_tz(void)
{
	test_conversions();
	test_gaps();
	test_parsing();
	test_zone_names();
	test_window();
}
