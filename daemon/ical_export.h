/*
 * The schedule as iCalendar text (RFC 5545), through libical: a series
 * is one VEVENT with its RRULE, EXDATEs and RECURRENCE-ID overrides, a
 * one-off session one VEVENT, with the VTIMEZONEs they use.  Nothing
 * here knows of HTTP: the export route and the feeds both call it.
 */
#ifndef PRACTICED_ICAL_EXPORT_H
#define PRACTICED_ICAL_EXPORT_H

#include <stddef.h>
#include <time.h>

struct ctx;
struct strbuf;

/* What an event shows besides its time. */
enum export_detail {
	EXPORT_BUSY,		/* "Busy": no client, no place */
	EXPORT_INITIALS,	/* the client's initials ("J.R."): feeds */
	EXPORT_FULL		/* the client's name, the room or video link */
};

/*
 * Bounds: a window of at most EXPORT_MAX_DAYS, and a text of at most
 * EXPORT_MAX_BYTES.  The export runs on the loop in one go, some 50 ms
 * a MB: 2 MB keeps it near the 100 ms a request may take, and holds
 * three years of a full-time clinician (a year is some 0.6 MB).  With
 * no window given: EXPORT_PAST_DAYS back to EXPORT_AHEAD_DAYS on.
 */
#define EXPORT_MAX_DAYS		1096		/* three years */
#define EXPORT_MAX_BYTES	(2 * 1024 * 1024)
#define EXPORT_PAST_DAYS	31
#define EXPORT_AHEAD_DAYS	366
/* A page of a paged export: some 50 ms of the loop.  A cursor names
 * where the next one starts ("s<series>" or "a<start>.<session>"). */
#define EXPORT_PAGE_BYTES	(1024 * 1024)
#define EXPORT_CURSOR_MAX	48
/* Occurrences of one rule read for its EXDATEs and overrides. */
#define EXPORT_MAX_OCCURRENCES	20000

struct export_query {
	long long		 clinician_id;	/* 0: the whole practice */
	time_t			 from, to;	/* sessions starting in [from, to) */
	enum export_detail	 detail;
	size_t			 max_bytes;	/* 0: EXPORT_MAX_BYTES */
	/* A feed's: REFRESH-INTERVAL and X-PUBLISHED-TTL; 0: none. */
	int			 refresh_minutes;
	/* full: the clinician's email as ORGANIZER and the client's as
	 * ATTENDEE, for an import elsewhere (an export, never a feed). */
	int			 emails;
	/* Paged (ical_export_page): "" for the first page, else the
	 * cursor the page before gave. */
	const char		*page;
};

/* "busy", "initials" or "full"; -1 otherwise. */
int	 export_detail_parse(const char *, enum export_detail *);
const char *export_detail_name(enum export_detail);

/*
 * The window from two dates in the context's zone, "to" included (NULL:
 * the default for that end); -1 with the error set when a date is bad,
 * the window ends before it starts or is longer than EXPORT_MAX_DAYS.
 */
int	 export_window(struct ctx *, const char *from, const char *to,
	    struct export_query *);

/*
 * The calendar of the query, appended to out.  -1 with the error set:
 * a window out of bounds (bad_request), a text over the bound
 * (too_large), or a database failure (internal).
 */
int	 ical_export(struct ctx *, const struct export_query *,
	    struct strbuf *out);

/*
 * One page of the calendar of the query, from q->page: the first opens
 * the calendar with the VTIMEZONEs of every page, the last closes it;
 * next is where the next page starts, "" after the last.  No bound on
 * the whole, only on a page.  -1 with the error set, as ical_export, or
 * a cursor that is not one (bad_request).
 */
int	 ical_export_page(struct ctx *, const struct export_query *,
	    struct strbuf *out, char *next, size_t nextlen);

/* The practice's own random id, which every UID written here names;
 * -1 with the error set. */
int	 ical_practice_uid(struct ctx *, char *buf, size_t len);
/* Whether uid is one written here for the practice of that id (a
 * session's "a12-ID@practiced", a series' "s3-ID@practiced"). */
int	 ical_uid_is_ours(const char *uid, const char *practice_uid);

/* "J.R." for "Jordan Rivera": the first letter of each word, up to
 * four; "?" for a name without letters.  Pure, for the unit tests. */
void	 ical_initials(const char *name, char *buf, size_t len);

#endif
