/* Working hours: "mon-thu 09:00-17:00 fri 09:00-13:00" and back. */
#ifndef PRACTICED_HOURS_H
#define PRACTICED_HOURS_H

#include <stddef.h>
#include <time.h>

#define HOURS_MAX	64	/* ranges in one week */

struct hours_range {
	int	wday;		/* 0 = Monday */
	int	start;		/* minutes since midnight */
	int	end;		/* exclusive; up to 1440 */
};

/* Sorted by day and start; -1 with a reason on a malformed spec. */
int	hours_parse(const char *spec, struct hours_range *, size_t *n,
	    char *err, size_t errlen);
/* Join touching or overlapping ranges of a day (09-12, 12-17) in place. */
size_t	hours_join(struct hours_range *, size_t n);
/*
 * 1 when [start, end) lies inside one range of joined hours (see
 * hours_join), read as wall times in zone; a session ending at midnight
 * ends its own day.
 */
int	hours_cover(const struct hours_range *, size_t n, const char *zone,
	    time_t start, time_t end);
/* "09:00" into a buffer of 6 bytes; 1440 is "24:00". */
void	hours_format_min(int min, char *buf);

#endif
