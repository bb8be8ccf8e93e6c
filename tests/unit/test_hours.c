/* The working-hours grammar. */
#include "hours.h"
#include "tz.h"
#include "unit.h"

static size_t
parse(const char *spec, struct hours_range *r)
{
	char	 err[160];
	size_t	 n;

	if (hours_parse(spec, r, &n, err, sizeof(err)) == -1)
		return (size_t)-1;
	return n;
}

/* Whether hours cover a session: wall times in the zone, joined ranges,
 * a session that ends at midnight. */
static void
test_hours_cover(void)
{
	static const struct {
		const char	*zone;
		int		 day, hour, minute, minutes;
		int		 covered;
	} cases[] = {
		/* Monday 7 December 2026, in New York */
		{ "America/New_York", 7, 9, 0, 50, 1 },
		{ "America/New_York", 7, 8, 30, 50, 0 },
		{ "America/New_York", 7, 11, 30, 60, 1 },   /* 12:00 joins */
		{ "America/New_York", 7, 16, 30, 60, 0 },
		/* Saturday 12 December: 20:00 to midnight */
		{ "America/New_York", 12, 23, 0, 60, 1 },
		{ "America/New_York", 12, 23, 30, 60, 0 },
		{ "America/New_York", 13, 10, 0, 50, 0 },    /* Sunday */
		/* 09:00 in New York is 06:00 in Los Angeles */
		{ "America/Los_Angeles", 7, 9, 0, 50, 0 },
		{ "America/Los_Angeles", 7, 12, 0, 50, 1 },
	};
	struct hours_range	 r[HOURS_MAX];
	char			 err[160];
	size_t			 n, i;
	time_t			 start;

	CHECK(hours_parse("mon-fri 09:00-12:00 12:00-17:00 sat 20:00-24:00",
	    r, &n, err, sizeof(err)) == 0);
	n = hours_join(r, n);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The wall time is New York's; the hours are read in zone. */
		start = tz_day_start("America/New_York", 2026, 12,
		    cases[i].day) + cases[i].hour * 3600 + cases[i].minute * 60;
		CHECK(hours_cover(r, n, cases[i].zone, start,
		    start + cases[i].minutes * 60) == cases[i].covered);
	}
}

void
test_hours(void)
{
	struct hours_range	 r[HOURS_MAX];
	char			 buf[6];

	CHECK(parse("mon-thu 09:00-17:00 fri 09:00-13:00", r) == 5);
	CHECK(r[0].wday == 0 && r[0].start == 540 && r[0].end == 1020);
	CHECK(r[4].wday == 4 && r[4].end == 780);
	CHECK(parse("mon 09:00-12:00 13:00-17:00", r) == 2);
	CHECK(parse("mon 13:00-17:00,09:00-12:00", r) == 2);
	CHECK(r[0].start == 540);		/* sorted */
	CHECK(parse("mon,wed 10:00-11:00", r) == 2);
	CHECK(r[1].wday == 2);
	CHECK(parse("fri-mon 10:00-11:00", r) == 4);	/* wraps */
	CHECK(parse("weekdays 08:00-16:00 sat 09:00-12:00", r) == 6);
	CHECK(parse("daily 00:00-24:00", r) == 7);
	CHECK(parse("Monday 09:00-17:00", r) == 1);
	CHECK(parse("", r) == 0);
	CHECK(parse("none", r) == 0);
	test_hours_cover();
	CHECK(parse("09:00-17:00", r) == (size_t)-1);	/* no day */
	CHECK(parse("mon", r) == (size_t)-1);		/* no range */
	CHECK(parse("mon 17:00-09:00", r) == (size_t)-1);
	CHECK(parse("mon 09:00-12:00 11:00-13:00", r) == (size_t)-1);
	CHECK(parse("funday 09:00-10:00", r) == (size_t)-1);
	CHECK(parse("mon 9-5", r) == (size_t)-1);
	CHECK(parse("mon 09:00-17:00 tue", r) == (size_t)-1);
	CHECK(parse("mon 12:00-17:00 09:00-12:00 tue 09:00-10:00", r) == 3);
	CHECK(hours_join(r, 3) == 2);
	CHECK(r[0].wday == 0 && r[0].start == 540 && r[0].end == 1020);
	CHECK(r[1].wday == 1 && r[1].start == 540);
	CHECK(parse("mon 09:00-10:00 11:00-12:00", r) == 2);
	CHECK(hours_join(r, 2) == 2);
	hours_format_min(545, buf);
	CHECK_STR(buf, "09:05");
	hours_format_min(1440, buf);
	CHECK_STR(buf, "24:00");
}
