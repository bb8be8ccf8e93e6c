/* When reminders are due: rule times, quiet hours, zones, DST nights. */
#include <string.h>

#include "remind.h"
#include "tz.h"

#include "unit.h"

#define NY	"America/New_York"
#define QUIET_FROM	(21 * 60)
#define QUIET_TO	(8 * 60)

/* "YYYY-MM-DD HH:MM" in zone. */
static time_t
local(const char *zone, const char *text)
{
	char	 err[128];
	time_t	 t = 0;

	CHECK(tz_parse_datetime(text, zone, 1764633600, &t, err,
	    sizeof(err)) == 0);
	return t;
}

static int
due_is(const char *zone, const char *start, int minutes, int from, int to,
    const char *want)
{
	char	 got[TZ_BUFLEN];

	tz_format_local(zone, remind_due(local(zone, start), minutes, zone,
	    from, to), got);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s -%dm in %s: due %s, want %s\n", start,
		    minutes, zone, got, want);
		return 0;
	}
	return 1;
}

#define NONE	NOTICE_COUNT
#define T0	1796742000
#define T1	(T0 + 3600)

/* The notice from what a client was told to what the session is now. */
static int
notice_is(int told_booked, time_t told_start, const char *told_place,
    int booked, time_t start, const char *place, enum notice want)
{
	struct remind_seen	 told = { told_booked, told_start, "" };
	struct remind_seen	 now = { booked, start, "" };
	enum notice		 got;

	snprintf(told.place, sizeof(told.place), "%s", told_place);
	snprintf(now.place, sizeof(now.place), "%s", place);
	if ((got = remind_notice_between(&told, &now)) != want) {
		fprintf(stderr, "told %d %lld %s, now %d %lld %s: notice %d, "
		    "want %d\n", told_booked, (long long)told_start,
		    told_place, booked, (long long)start, place, got, want);
		return 0;
	}
	return 1;
}

static void
test_notice_between(void)
{
	/* never told (or told of a cancellation): booked is confirmed */
	CHECK(notice_is(0, 0, "", 1, T0, "room 1", NOTICE_CONFIRMATION));
	CHECK(notice_is(0, 0, "", 0, T0, "room 1", NONE));
	/* told of a session: cancelled, or moved in time or place */
	CHECK(notice_is(1, T0, "room 1", 0, T0, "room 1",
	    NOTICE_CANCELLATION));
	CHECK(notice_is(1, T0, "room 1", 1, T1, "room 1", NOTICE_RESCHEDULE));
	CHECK(notice_is(1, T0, "room 1", 1, T0, "room 2", NOTICE_RESCHEDULE));
	CHECK(notice_is(1, T0, "room 1", 1, T0, "video https://v.example/a",
	    NOTICE_RESCHEDULE));
	CHECK(notice_is(1, T0, "", 1, T0, "room 1", NOTICE_RESCHEDULE));
	/* back to what they were told: nothing to tell */
	CHECK(notice_is(1, T0, "room 1", 1, T0, "room 1", NONE));
	CHECK(notice_is(1, T0, "", 1, T0, "", NONE));
}

void
test_remind(void)
{
	test_notice_between();
	/* outside quiet hours: the rule's own time; their end is outside */
	CHECK(due_is(NY, "2026-12-10 10:00", 120, QUIET_FROM, QUIET_TO,
	    "2026-12-10 08:00"));
	CHECK(due_is(NY, "2026-12-10 10:00", 24 * 60, QUIET_FROM, QUIET_TO,
	    "2026-12-09 10:00"));
	CHECK(due_is(NY, "2026-12-10 20:59", 0, QUIET_FROM, QUIET_TO,
	    "2026-12-10 20:59"));
	/* inside: before they began, the evening before */
	CHECK(due_is(NY, "2026-12-10 10:00", 180, QUIET_FROM, QUIET_TO,
	    "2026-12-09 20:50"));
	CHECK(due_is(NY, "2026-12-10 07:30", 48 * 60, QUIET_FROM, QUIET_TO,
	    "2026-12-07 20:50"));
	/* inside, after they began the same evening */
	CHECK(due_is(NY, "2026-12-11 09:00", 12 * 60, QUIET_FROM, QUIET_TO,
	    "2026-12-10 20:50"));
	CHECK(due_is(NY, "2026-12-10 21:00", 0, QUIET_FROM, QUIET_TO,
	    "2026-12-10 20:50"));
	/* quiet hours within one day */
	CHECK(due_is(NY, "2026-12-10 15:00", 120, 12 * 60, 14 * 60,
	    "2026-12-10 11:50"));
	CHECK(due_is(NY, "2026-12-10 16:00", 120, 12 * 60, 14 * 60,
	    "2026-12-10 14:00"));
	/* none */
	CHECK(due_is(NY, "2026-12-10 10:00", 180, 0, 0, "2026-12-10 07:00"));
	/* the night clocks go forward (8 March 2026): 21:00 is EDT */
	CHECK(due_is(NY, "2026-03-09 09:00", 120, QUIET_FROM, QUIET_TO,
	    "2026-03-08 20:50"));
	CHECK(remind_due(local(NY, "2026-03-09 09:00"), 120, NY, QUIET_FROM,
	    QUIET_TO) == local("UTC", "2026-03-09 00:50"));
	/* and back (1 November 2026): 21:00 the day before is EDT still */
	CHECK(remind_due(local(NY, "2026-11-01 10:00"), 12 * 60, NY,
	    QUIET_FROM, QUIET_TO) == local("UTC", "2026-11-01 00:50"));
	/* a 24-hour rule across the change is 24 hours, not a wall day */
	CHECK(remind_due(local(NY, "2026-11-01 12:00"), 24 * 60, NY,
	    QUIET_FROM, QUIET_TO) == local(NY, "2026-11-01 12:00") - 86400);
	/* the recipient's zone, not the practice's */
	CHECK(due_is("Europe/London", "2026-12-10 15:00", 10 * 60, QUIET_FROM,
	    QUIET_TO, "2026-12-09 20:50"));
	/* a quiet period that starts in a gap (Santiago's midnight) */
	CHECK(remind_due(local("America/Santiago", "2026-09-06 09:00"), 8 * 60,
	    "America/Santiago", 0, 8 * 60) <
	    local("America/Santiago", "2026-09-06 09:00") - 8 * 3600);
}
