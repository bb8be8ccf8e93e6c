/*
 * The first pass over an .ics file: bytes, lines and components are
 * checked and the VEVENTs and VTIMEZONEs indexed, without libical.
 * Internal to ical_read.c and ical_zone.c.
 */
#ifndef PRACTICED_ICAL_SCAN_H
#define PRACTICED_ICAL_SCAN_H

#include <stddef.h>

#include <libical/ical.h>

#include "ical_read.h"

struct ical_block {
	size_t		 off, end;	/* from BEGIN: to past END:'s line */
	int		 line;		/* of its BEGIN */
	char		*key;		/* VEVENT: UID; VTIMEZONE: TZID */
	int		 key_too_long;
	int		 is_override;	/* VEVENT with a RECURRENCE-ID */
	int		 bad_line;	/* a line that is no content line */
};

struct ical_scan {
	char		*text;		/* a NUL-terminated copy */
	size_t		 len;
	struct ical_block *events, *zones;
	size_t		 nevents, nzones;
	char		*xwr;		/* X-WR-TIMEZONE, or NULL */
	int		 xwr_line;
	void		*state;		/* the walk, while it lasts */
};

/* Copies buf (-1 if over the cap); the walk is then done in steps. */
int	 ical_scan_begin(struct ical_scan *, const char *buf, size_t len,
	    struct ical_read_error *);
/* The same with buf taken (malloc'd, cap bytes): freed by
 * ical_scan_free, even after -1. */
int	 ical_scan_take(struct ical_scan *, char *buf, size_t len, size_t cap,
	    struct ical_read_error *);
/* About budget bytes more: 1 more to do, 0 done, -1 refused (err). */
int	 ical_scan_step(struct ical_scan *, size_t budget,
	    struct ical_read_error *);
void	 ical_scan_free(struct ical_scan *);
/* The block parsed by libical; NULL if it yields no component. */
icalcomponent *ical_scan_parse(struct ical_scan *, const struct ical_block *);
/* The line of the block's first property called name, else its BEGIN's. */
int	 ical_scan_prop_line(const struct ical_scan *,
	    const struct ical_block *, const char *name);

#endif
