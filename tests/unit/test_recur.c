/* Series rules: parsing, describing, expanding across DST, shifting. */
#include <time.h>

#include "recur.h"
#include "unit.h"

struct collected {
	time_t		 t[64];
	struct tz_wall	 w[64];
	int		 n;
};

static int
collect(void *arg, const struct tz_wall *w, time_t t)
{
	struct collected	*c = arg;

	if (c->n == 64)
		return 1;
	c->w[c->n] = *w;
	c->t[c->n++] = t;
	return 0;
}

static struct tz_wall
wall(int y, int mo, int d, int h, int mi, int wday)
{
	struct tz_wall	 w = { y, mo, d, h, mi, wday };

	return w;
}

static void
test_parse(void)
{
	struct recur_rule	 r;
	struct tz_wall		 mon = wall(2027, 1, 4, 9, 0, 0);
	struct tz_wall		 tue2 = wall(2027, 1, 12, 9, 0, 1);
	struct tz_wall		 fri5 = wall(2027, 1, 29, 9, 0, 4);
	char			 err[200], buf[160];

	CHECK(recur_parse("weekly", &mon, &r, err, sizeof(err)) == 0);
	CHECK_STR(r.rrule, "FREQ=WEEKLY");
	CHECK(recur_parse("biweekly", &mon, &r, err, sizeof(err)) == 0);
	CHECK_STR(r.rrule, "FREQ=WEEKLY;INTERVAL=2");
	CHECK(recur_parse("monthly", &tue2, &r, err, sizeof(err)) == 0);
	CHECK_STR(r.rrule, "FREQ=MONTHLY;BYDAY=2TU");
	CHECK(recur_parse("monthly", &fri5, &r, err, sizeof(err)) == 0);
	CHECK_STR(r.rrule, "FREQ=MONTHLY;BYDAY=-1FR");
	CHECK(recur_parse("RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8", &mon, &r,
	    err, sizeof(err)) == 0);
	CHECK(r.count == 8);
	CHECK(recur_parse("FREQ=WEEKLY;UNTIL=20270301", &mon, &r, err,
	    sizeof(err)) == 0);
	CHECK(r.has_until && r.until.month == 3 && r.until.day == 1);
	CHECK(recur_parse("FREQ=HOURLY", &mon, &r, err, sizeof(err)) == -1);
	CHECK(recur_parse("FREQ=WEEKLY;INTERVAL=60", &mon, &r, err,
	    sizeof(err)) == -1);
	CHECK(recur_parse("FREQ=WEEKLY;BYHOUR=10", &mon, &r, err,
	    sizeof(err)) == -1);
	CHECK(recur_parse("sometimes", &mon, &r, err, sizeof(err)) == -1);
	CHECK(recur_parse("FREQ=SOMETIMES", &mon, &r, err, sizeof(err)) == -1);
	recur_describe("FREQ=WEEKLY;INTERVAL=2", &mon, buf, sizeof(buf));
	CHECK_STR(buf, "every 2 weeks on Monday");
	recur_describe("FREQ=MONTHLY;BYDAY=-1FR", &fri5, buf, sizeof(buf));
	CHECK_STR(buf, "monthly on the last Friday");
	recur_describe("FREQ=WEEKLY;BYDAY=MO,TH", &mon, buf, sizeof(buf));
	CHECK_STR(buf, "FREQ=WEEKLY;BYDAY=MO,TH");
}

static void
test_expand(void)
{
	struct collected	 c = { .n = 0 };
	struct tz_wall		 first = wall(2027, 3, 1, 9, 0, 0);
	struct tz_wall		 early = wall(2027, 3, 7, 2, 30, 6);
	time_t			 end = 1900000000;

	/* 09:00 New York stays 09:00: 14:00Z before the change, 13:00Z after. */
	CHECK(recur_expand("FREQ=WEEKLY;COUNT=4", "America/New_York", &first,
	    end, collect, &c) == 0);
	CHECK(c.n == 4);
	CHECK(c.t[1] - c.t[0] == 7 * 86400);
	CHECK(c.t[2] - c.t[1] == 7 * 86400 - 3600);	/* March 14 */
	CHECK(c.w[2].hour == 9 && c.w[2].day == 15);
	/* 02:30 on the spring-forward Sunday is read with the old offset. */
	c.n = 0;
	CHECK(recur_expand("FREQ=WEEKLY;COUNT=3", "America/New_York", &early,
	    end, collect, &c) == 0);
	CHECK(c.n == 3);
	CHECK(c.t[1] - c.t[0] == 7 * 86400);		/* 02:30 EST -> 03:30 EDT */
	CHECK(c.t[2] - c.t[1] == 7 * 86400 - 3600);
	/* The end bound stops the expansion. */
	c.n = 0;
	CHECK(recur_expand("FREQ=DAILY", "UTC", &first, 0, collect, &c) == 0);
	CHECK(c.n == 0);
}

static void
test_shift(void)
{
	char	 out[RECUR_RULE_MAX], err[200];

	CHECK(recur_shift("FREQ=WEEKLY;BYDAY=MO", 1, 1, 0, out, sizeof(out), err,
	    sizeof(err)) == 0);
	CHECK_STR(out, "FREQ=WEEKLY;BYDAY=TU");
	CHECK(recur_shift("FREQ=MONTHLY;BYDAY=-1FR", -1, 3, 0, out, sizeof(out),
	    err, sizeof(err)) == 0);
	CHECK_STR(out, "FREQ=MONTHLY;BYDAY=-1TH");
	CHECK(recur_shift("FREQ=WEEKLY;BYDAY=MO,TH", 1, 1, 0, out,
	    sizeof(out), err, sizeof(err)) == -1);
	CHECK(recur_shift("FREQ=WEEKLY;BYDAY=MO,TH", 1, 1, 1, out,
	    sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "FREQ=WEEKLY;BYDAY=TU,FR");
	CHECK(recur_shift("FREQ=WEEKLY;BYDAY=FR,SU", 2, 6, 1, out,
	    sizeof(out), err, sizeof(err)) == 0);
	CHECK_STR(out, "FREQ=WEEKLY;BYDAY=SU,TU");
	CHECK(recur_shift("FREQ=WEEKLY;BYDAY=MO,TH", 0, 0, 0, out,
	    sizeof(out), err, sizeof(err)) == 0);
	CHECK(recur_shift("FREQ=MONTHLY;BYMONTHDAY=15", 1, 2, 1, out,
	    sizeof(out), err, sizeof(err)) == -1);
	CHECK(recur_set_count("FREQ=WEEKLY;COUNT=10", 6, out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "FREQ=WEEKLY;COUNT=6");
}

void
test_recur(void)
{
	test_parse();
	test_expand();
	test_shift();
}
