/*
 * When a reminder is due: its rule's time before the session, moved out
 * of the recipient's quiet hours in the recipient's own zone.  Earlier,
 * never later: a reminder after the session would be worse than none.
 */
#include "remind.h"
#include "tz.h"

static int
quiet_holds(int minute, int from, int to)
{
	if (from < to)
		return minute >= from && minute < to;
	return minute >= from || minute < to;
}

time_t
remind_due(time_t start, int minutes, const char *zone, int quiet_from,
    int quiet_to)
{
	struct tz_wall	 w, began;
	time_t		 due = start - (time_t)minutes * 60;
	int		 minute;

	if (quiet_from == quiet_to)
		return due;
	tz_to_wall(zone, due, &w);
	minute = w.hour * 60 + w.minute;
	if (!quiet_holds(minute, quiet_from, quiet_to))
		return due;
	/* Quiet hours that wrap midnight began the evening before. */
	began = w;
	began.hour = quiet_from / 60;
	began.minute = quiet_from % 60;
	if (minute < quiet_from)
		tz_add_days(&began, -1);
	return tz_from_wall_rfc(zone, &began) - REMIND_QUIET_MARGIN;
}
