/*
 * Zones of an .ics file: a TZID (IANA, Windows, a known suffix, or the
 * file's own VTIMEZONE) or a floating time becomes an instant and the
 * IANA zone that gives it meaning.  Internal to the reader.
 */
#ifndef PRACTICED_ICAL_ZONE_H
#define PRACTICED_ICAL_ZONE_H

#include <stddef.h>

#include <libical/ical.h>

#include "ical_read.h"

struct ical_scan;

struct ical_winzone {
	const char	*windows, *iana;
};
extern const struct ical_winzone ical_winzones[];	/* ical_winzones.c */
extern const size_t ical_nwinzones;

/* The IANA name of a Windows zone name, or NULL. */
const char *ical_zone_windows(const char *name);
/* The built-in IANA zone a TZID ends in ("/mozilla.org/.../Europe/Berlin"). */
const char *ical_zone_suffix(const char *tzid);

struct ical_zones;

/* NULL with err if default_zone is not a zone practiced knows. */
struct ical_zones *ical_zones_new(struct ical_scan *, const char *default_zone,
	    time_t now, char *err, size_t errlen);
void	 ical_zones_free(struct ical_zones *);
/*
 * A DATE or DATE-TIME value with its TZID (NULL: none) to a time: -1
 * with a reason for an unknown zone, a date outside the window, or a
 * day the calendar lacks.
 */
int	 ical_zones_time(struct ical_zones *, struct icaltimetype,
	    const char *tzid, struct ical_time *, char *err, size_t errlen);

#endif
