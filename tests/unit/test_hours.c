/* The working-hours grammar. */
#include "hours.h"
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
