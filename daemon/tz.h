/*
 * Time zones and human dates.  Instants are time_t (UTC); wall times are
 * struct tz_wall in a named IANA zone.  libical holds the zone data.
 */
#ifndef PRACTICED_TZ_H
#define PRACTICED_TZ_H

#include <stddef.h>
#include <time.h>

struct tz_wall {
	int	year, month, day;	/* month 1-12 */
	int	hour, minute;
	int	wday;			/* 0 = Monday ... 6 = Sunday */
};

/*
 * A zone a caller may name: one of libical's built-in zones (zone.tab)
 * by its exact name, or UTC (also Etc/UTC, GMT, Etc/GMT).  Never a path.
 */
struct _icaltimezone;

int	 tz_valid(const char *zone);
/* libical's built-in zone of that name, or NULL: the only way to one
 * here, since libical's own lookup is not safe beside an import's
 * reader thread. */
struct _icaltimezone *tz_builtin(const char *zone);
void	 tz_free(void);		/* at exit: the zone tables */
int	 tz_utc_offset(const char *zone, time_t t);	/* seconds east */
void	 tz_to_wall(const char *zone, time_t t, struct tz_wall *);
/*
 * Wall time to instant.  A wall time in a spring-forward gap is refused
 * (-1 with a reason); one repeated at fall-back is the earlier instant.
 */
int	 tz_from_wall(const char *zone, const struct tz_wall *, time_t *,
	    char *err, size_t errlen);
/*
 * The same for an occurrence of a series: a gap time is read with the
 * offset before the gap (RFC 5545 3.3.5), so it lands later on the clock.
 */
time_t	 tz_from_wall_rfc(const char *zone, const struct tz_wall *);
/* The first instant of a local day (midnight, or the end of a gap). */
time_t	 tz_day_start(const char *zone, int year, int month, int day);

/*
 * Dates parsed from callers lie from TZ_FIRST_YEAR-01-01 to the end of
 * the year TZ_YEARS_AHEAD after now's; others are refused, naming the
 * window.
 */
#define TZ_FIRST_YEAR	1970
#define TZ_YEARS_AHEAD	20
/* For dates read elsewhere (an RRULE's UNTIL): 0, or -1 and why. */
int	 tz_in_window(const struct tz_wall *, time_t now, char *err,
	    size_t errlen);

/* "YYYY-MM-DD", "today", "tomorrow", "yesterday" in zone, as of now. */
int	 tz_parse_date(const char *s, const char *zone, time_t now,
	    struct tz_wall *, char *err, size_t errlen);
/* "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM", "today HH:MM", ... */
int	 tz_parse_datetime(const char *s, const char *zone, time_t now,
	    time_t *, char *err, size_t errlen);
/* "HH:MM" to minutes since midnight, -1 if malformed. */
int	 tz_parse_hhmm(const char *s, size_t len);
void	 tz_add_days(struct tz_wall *, int days);
long	 tz_days_between(const char *zone, time_t a, time_t b);

/* Formatting into caller buffers of at least TZ_BUFLEN bytes. */
#define TZ_BUFLEN	32
void	 tz_format_utc(time_t, char *);		/* 2026-12-01T20:00:00Z */
void	 tz_format_local(const char *zone, time_t, char *); /* 2026-12-01 15:00 */
void	 tz_format_date(const struct tz_wall *, char *);	/* 2026-12-01 */
const char *tz_day_name(int wday);			/* "mon" */
const char *tz_day_fullname(int wday);			/* "Monday" */

#endif
