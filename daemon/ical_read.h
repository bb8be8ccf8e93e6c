/*
 * Reading iCalendar files: an .ics text becomes a bounded list of
 * normalized events (grouped by UID), one at a time, so an import can
 * run in slices between which the event loop serves others.
 */
#ifndef PRACTICED_ICAL_READ_H
#define PRACTICED_ICAL_READ_H

#include <stddef.h>
#include <time.h>

#include "tz.h"

/* Caps of the reading rules (practiced(8), "iCalendar import"). */
#define ICAL_READ_MAX_BYTES	(32u * 1024 * 1024)	/* a file */
#define ICAL_READ_MAX_LINE	(64u * 1024)	/* a line before unfolding */
#define ICAL_READ_MAX_EVENTS	200000		/* VEVENTs in a file */
#define ICAL_READ_MAX_ZONES	1000		/* VTIMEZONEs, TZIDs */
#define ICAL_READ_MAX_DEPTH	8		/* nested components */
#define ICAL_READ_MAX_OVERRIDES	2000		/* RECURRENCE-IDs a UID */
#define ICAL_READ_MAX_DATES	1000		/* RDATEs, EXDATEs an event */
#define ICAL_READ_MAX_ATTENDEES	100		/* kept; the rest counted */
#define ICAL_READ_UID_MAX	512		/* longer UIDs are refused */
#define ICAL_READ_TEXT_MAX	512		/* SUMMARY, LOCATION: cut */
#define ICAL_READ_NAME_MAX	128		/* CN: cut */
#define ICAL_READ_EMAIL_MAX	255		/* longer: no email */
#define ICAL_READ_RRULE_MAX	512
#define ICAL_READ_ZONE_MAX	72
#define ICAL_READ_REASON_MAX	240

/* Expansion: at most this many occurrences in a window this long. */
#define ICAL_EXPAND_MAX		5000
#define ICAL_EXPAND_MAX_WINDOW	((time_t)40 * 366 * 86400)

/* How a time got its zone. */
enum ical_zone_how {
	ICS_ZONE_DATE,		/* an all-day date: no zone */
	ICS_ZONE_UTC,		/* a UTC time (...Z) */
	ICS_ZONE_IANA,		/* TZID is a built-in IANA name */
	ICS_ZONE_WINDOWS,	/* TZID is a Windows name, mapped */
	ICS_ZONE_SUFFIX,	/* TZID ends in (or its VTIMEZONE names) one */
	ICS_ZONE_RULES,	/* converted by the file's VTIMEZONE; named
				   by the default zone */
	ICS_ZONE_XWR,		/* floating, X-WR-TIMEZONE */
	ICS_ZONE_DEFAULT	/* floating, the caller's default zone */
};

struct ical_time {
	time_t		 utc;	/* the instant; a date: its 00:00 UTC */
	int		 is_date;
	struct tz_wall	 wall;	/* in zone (a date: the day, 00:00) */
	int		 second;
	char		 zone[ICAL_READ_ZONE_MAX];	/* IANA; "" for a date */
	enum ical_zone_how how;
};

enum ical_status {
	ICS_STATUS_NONE, ICS_STATUS_TENTATIVE, ICS_STATUS_CONFIRMED,
	ICS_STATUS_CANCELLED
};

enum ical_partstat {
	ICS_PART_NONE, ICS_PART_NEEDS_ACTION, ICS_PART_ACCEPTED,
	ICS_PART_DECLINED, ICS_PART_TENTATIVE, ICS_PART_DELEGATED,
	ICS_PART_OTHER
};

enum ical_end_how { ICS_END_DTEND, ICS_END_DURATION, ICS_END_DEFAULT };

struct ical_person {
	char		 email[ICAL_READ_EMAIL_MAX + 1];	/* lowercase */
	char		 cn[ICAL_READ_NAME_MAX];
	enum ical_partstat partstat;
};

struct ical_event {
	char		 uid[ICAL_READ_UID_MAX + 1];
	int		 line;		/* its BEGIN:VEVENT */
	int		 sequence;
	enum ical_status status;
	int		 transparent;	/* TRANSP:TRANSPARENT */
	char		 summary[ICAL_READ_TEXT_MAX];
	char		 location[ICAL_READ_TEXT_MAX];
	time_t		 dtstamp, last_modified;	/* 0: absent */
	struct ical_person organizer;			/* email "": none */
	struct ical_person *attendees;
	size_t		 nattendees, attendees_dropped;

	struct ical_time start, end;
	enum ical_end_how end_how;

	/* The rule, checked by libical; UNTIL as local wall time. */
	char		 rrule[ICAL_READ_RRULE_MAX];	/* "": none */
	struct ical_time *rdates, *exdates;
	size_t		 nrdates, nexdates;

	/* An override: the occurrence it replaces. */
	int		 has_recurrence_id;
	struct ical_time recurrence_id;

	/* A master's overrides (STATUS:CANCELLED: a cancelled one). */
	struct ical_event *overrides;
	size_t		 noverrides;
};

struct ical_read_error {
	char		 uid[ICAL_READ_UID_MAX + 1];	/* "" if not known */
	int		 line;
	char		 reason[ICAL_READ_REASON_MAX];
};

struct ical_read_opts {
	const char	*default_zone;	/* for floating times; tz_valid */
	time_t		 now;		/* dates lie in tz_in_window */
};

struct ical_reader;

/*
 * Checks and indexes a whole file (bytes, lines, structure: linear, no
 * libical) at once: about 10 ms a MB.  NULL if it cannot be read at
 * all, with the line and the reason in err.  buf is copied.
 */
struct ical_reader *ical_read_open(const char *buf, size_t len,
	    const struct ical_read_opts *, struct ical_read_error *err);
/*
 * The same in slices, for the event loop: begin copies buf (NULL if it
 * is over the cap or the default zone is unknown); each scan checks
 * about budget bytes more: 1 more to do, 0 done, -1 refused (err).
 */
struct ical_reader *ical_read_begin(const char *buf, size_t len,
	    const struct ical_read_opts *, struct ical_read_error *err);
/* The same with buf taken, not copied (malloc'd, cap bytes): freed with
 * the reader, or at once when NULL is returned. */
struct ical_reader *ical_read_take(char *buf, size_t len, size_t cap,
	    const struct ical_read_opts *, struct ical_read_error *err);
int	 ical_read_scan(struct ical_reader *, size_t budget,
	    struct ical_read_error *err);
/*
 * The next event (a master with its overrides, or a lone one): 1 with
 * *ev (free it with ical_event_free), -1 for a skipped event or
 * override with err filled, 0 at the end.  A file not yet scanned is
 * scanned first: -2 if it is refused (err), and nothing is read.
 * An event costs some 20 us, but the first use of a zone read from the
 * file's VTIMEZONE up to about 50 ms: a caller's slice should watch
 * the clock rather than count events.
 */
int	 ical_read_next(struct ical_reader *, struct ical_event **ev,
	    struct ical_read_error *err);
/* UIDs done and in all, for progress. */
void	 ical_read_progress(const struct ical_reader *, size_t *done,
	    size_t *total);
void	 ical_read_close(struct ical_reader *);
void	 ical_event_free(struct ical_event *);

struct ical_occurrence {
	time_t		 start, end;	/* dates: 00:00 UTC of their days */
	int		 is_date;
	const struct ical_event *ev;	/* the master or its override (in
					   it: free occurrences first) */
};

/*
 * The occurrences starting in [from, to): DTSTART, the RRULE and
 * RDATEs, less EXDATEs, with each RECURRENCE-ID override applied
 * (moved, or gone when cancelled).  -1 with a reason for a window over
 * ICAL_EXPAND_MAX_WINDOW, a rule more often than daily, or more than
 * ICAL_EXPAND_MAX occurrences (or libical's step cap) before to.
 */
int	 ical_read_expand(const struct ical_event *, time_t from, time_t to,
	    struct ical_occurrence **out, size_t *n, char *err, size_t errlen);

#endif
