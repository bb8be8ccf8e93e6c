/* One VEVENT block to a struct ical_event.  Internal to the reader. */
#ifndef PRACTICED_ICAL_EVENT_H
#define PRACTICED_ICAL_EVENT_H

#include "ical_read.h"

struct ical_scan;
struct ical_zones;
struct ical_block;

/* 0, or -1 with err (and ev left empty). */
int	 ical_event_read(struct ical_scan *, struct ical_zones *,
	    const struct ical_block *, struct ical_event *,
	    struct ical_read_error *);
/* Frees what ev holds, not ev itself. */
void	 ical_event_clear(struct ical_event *);

#endif
