/*
 * Wall times and instants.  libical supplies the zone rules (from the
 * system's zoneinfo); the gap and overlap rules are ours, because a
 * booking must never land on a time that does not exist.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "tz.h"

static const char *day_names[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/*
 * A zone name is a key, never a path: libical would open
 * zoneinfo/<name> for any name it does not list (so "../../etc/passwd"
 * or a FIFO would be read), so callers' names are checked against the
 * names libical lists as built in (zone.tab), taken once before any
 * other lookup can add to that list.  UTC has a few spellings of its own.
 *
 * Threads: an import's reader converts times on its own thread while
 * the loop does too.  libical (3.0, built with pthreads) locks its zone
 * loading and each zone's table of changes, and keeps its error number
 * and string buffers a thread; what is ours is below: the list of names
 * (made once, under tz_lock), libical's lookup by name (which appends a
 * zone it does not list to its array without a lock, under tz_lock) and
 * the cache of the last zones found (one a thread).
 */
static const char *tz_utc_names[] = { "UTC", "Etc/UTC", "GMT", "Etc/GMT" };

static pthread_mutex_t	 tz_lock = PTHREAD_MUTEX_INITIALIZER;
static char		**tz_known;	/* set once, under tz_lock */
static size_t		  tz_nknown;

static int
tz_cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
tz_load_known_locked(void)
{
	icalarray	*all;
	const char	*name;
	char		**known;
	size_t		 i, n = 0;

	if (tz_known != NULL)
		return 0;
	if ((all = icaltimezone_get_builtin_timezones()) == NULL ||
	    all->num_elements == 0)
		return -1;
	if ((known = calloc(all->num_elements, sizeof(*known))) == NULL)
		return -1;
	for (i = 0; i < all->num_elements; i++) {
		name = icaltimezone_get_location(icalarray_element_at(all, i));
		if (name != NULL && (known[n] = strdup(name)) != NULL)
			n++;
	}
	qsort(known, n, sizeof(*known), tz_cmp_name);
	tz_nknown = n;
	tz_known = known;
	return 0;
}

/* Once made, the list only is read (tz_free comes after the threads). */
static int
tz_load_known(void)
{
	int	 rc;

	pthread_mutex_lock(&tz_lock);
	rc = tz_load_known_locked();
	pthread_mutex_unlock(&tz_lock);
	return rc;
}

static int
tz_is_utc_name(const char *zone)
{
	size_t	 i;

	for (i = 0; i < sizeof(tz_utc_names) / sizeof(tz_utc_names[0]); i++)
		if (strcmp(zone, tz_utc_names[i]) == 0)
			return 1;
	return 0;
}

static int
tz_is_known(const char *zone)
{
	if (tz_load_known() == -1)
		return 0;
	return bsearch(&zone, tz_known, tz_nknown, sizeof(*tz_known),
	    tz_cmp_name) != NULL;
}

/*
 * A name stored before names were checked (a link such as US/Eastern)
 * still works, but only if it cannot leave the zoneinfo folder.
 */
static int
tz_is_plain_name(const char *zone)
{
	const char	*p;

	if (*zone == '\0' || *zone == '/' || strlen(zone) > 64)
		return 0;
	for (p = zone; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			return 0;
		if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
			return 0;
	}
	return 1;
}

/*
 * libical finds a builtin zone by a linear scan of some 400 names; a
 * practice uses a handful, so the last few found are kept here, a
 * thread's own (the zones themselves live until tz_free).
 */
#define TZ_CACHE	8

static _Thread_local struct {
	char		 name[72];
	icaltimezone	*zone;
} tz_cache[TZ_CACHE];
static _Thread_local unsigned	 tz_cache_next;

static icaltimezone *
tz_lookup(const char *zone)
{
	icaltimezone	*z;
	size_t		 i;

	if (zone == NULL || tz_is_utc_name(zone))
		return icaltimezone_get_utc_timezone();
	for (i = 0; i < TZ_CACHE; i++)
		if (tz_cache[i].zone != NULL &&
		    strcmp(tz_cache[i].name, zone) == 0)
			return tz_cache[i].zone;
	if (tz_load_known() == -1 || !tz_is_plain_name(zone))
		return NULL;
	pthread_mutex_lock(&tz_lock);
	z = icaltimezone_get_builtin_timezone(zone);
	pthread_mutex_unlock(&tz_lock);
	if (z == NULL || strlen(zone) >= sizeof(tz_cache[0].name))
		return z;
	i = tz_cache_next++ % TZ_CACHE;
	snprintf(tz_cache[i].name, sizeof(tz_cache[i].name), "%s", zone);
	tz_cache[i].zone = z;
	return z;
}

struct _icaltimezone *
tz_builtin(const char *zone)
{
	return tz_lookup(zone);
}

int
tz_valid(const char *zone)
{
	if (zone == NULL || *zone == '\0' || strlen(zone) > 64)
		return 0;
	return tz_is_utc_name(zone) || tz_is_known(zone);
}

void
tz_free(void)
{
	size_t	 i;

	pthread_mutex_lock(&tz_lock);
	for (i = 0; i < tz_nknown; i++)
		free(tz_known[i]);
	free(tz_known);
	tz_known = NULL;
	tz_nknown = 0;
	memset(tz_cache, 0, sizeof(tz_cache));	/* this thread's */
	icaltimezone_free_builtin_timezones();
	pthread_mutex_unlock(&tz_lock);
}

int
tz_utc_offset(const char *zone, time_t t)
{
	icaltimezone		*z = tz_lookup(zone);
	struct icaltimetype	 tt;
	int			 is_daylight;

	if (z == NULL || z == icaltimezone_get_utc_timezone())
		return 0;
	tt = icaltime_from_timet_with_zone(t, 0,
	    icaltimezone_get_utc_timezone());
	return icaltimezone_get_utc_offset_of_utc_time(z, &tt, &is_daylight);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long
days_from_civil(int y, int m, int d)
{
	long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, struct tz_wall *w)
{
	long	 era, doe, yoe, doy, mp, y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	w->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	w->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	w->year = (int)(y + (w->month <= 2));
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	w->wday = (int)(((z - 719468) % 7 + 7 + 3) % 7);
}

static time_t
wall_as_utc(const struct tz_wall *w)
{
	return (time_t)days_from_civil(w->year, w->month, w->day) * 86400 +
	    w->hour * 3600 + w->minute * 60;
}

void
tz_to_wall(const char *zone, time_t t, struct tz_wall *w)
{
	time_t	 local = t + tz_utc_offset(zone, t);
	long	 days = (long)(local / 86400);
	long	 rem = (long)(local % 86400);

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, w);
	w->hour = (int)(rem / 3600);
	w->minute = (int)(rem % 3600 / 60);
}

/* A day and time the calendar has, in any year. */
static int
wall_is_date(const struct tz_wall *w)
{
	static const int mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	 leap;

	if (w->month < 1 || w->month > 12 || w->day < 1 || w->hour < 0 ||
	    w->hour > 23 || w->minute < 0 || w->minute > 59)
		return 0;
	leap = (w->year % 4 == 0 && w->year % 100 != 0) || w->year % 400 == 0;
	if (w->month == 2 && w->day == 29 && !leap)
		return 0;
	return w->day <= mdays[w->month - 1];
}

/* One that practiced computes with (callers are held to less). */
static int
wall_is_valid(const struct tz_wall *w)
{
	return w->year >= 1970 && w->year <= 2999 && wall_is_date(w);
}

int
tz_from_wall(const char *zone, const struct tz_wall *w, time_t *out,
    char *err, size_t errlen)
{
	time_t	 local, cand, best = 0;
	int	 offsets[3], i, found = 0;

	if (!wall_is_valid(w)) {
		snprintf(err, errlen, "%04d-%02d-%02d %02d:%02d is not a "
		    "valid date and time", w->year, w->month, w->day,
		    w->hour, w->minute);
		return -1;
	}
	local = wall_as_utc(w);
	/*
	 * Each offset in force near the wall time gives a candidate
	 * instant; a candidate counts if the zone agrees with it.  None
	 * means a gap, two mean an overlap (we keep the earlier).
	 */
	offsets[0] = tz_utc_offset(zone, local - 26 * 3600);
	offsets[1] = tz_utc_offset(zone, local);
	offsets[2] = tz_utc_offset(zone, local + 26 * 3600);
	for (i = 0; i < 3; i++) {
		cand = local - offsets[i];
		if (tz_utc_offset(zone, cand) != offsets[i])
			continue;
		if (!found || cand < best)
			best = cand;
		found = 1;
	}
	if (!found) {
		snprintf(err, errlen, "%04d-%02d-%02d %02d:%02d does not exist "
		    "in %s: the clocks skip it for daylight saving time",
		    w->year, w->month, w->day, w->hour, w->minute, zone);
		return -1;
	}
	*out = best;
	return 0;
}

time_t
tz_from_wall_rfc(const char *zone, const struct tz_wall *w)
{
	char	 err[160];
	time_t	 t, local;

	if (tz_from_wall(zone, w, &t, err, sizeof(err)) == 0)
		return t;
	local = wall_as_utc(w);
	return local - tz_utc_offset(zone, local - 26 * 3600);
}

time_t
tz_day_start(const char *zone, int year, int month, int day)
{
	struct tz_wall	 w = { year, month, day, 0, 0, 0 };
	char		 err[128];
	time_t		 t;

	/* Midnight can fall in a gap (e.g. America/Santiago). */
	for (w.minute = 0; w.minute < 24 * 60; w.minute += 15) {
		struct tz_wall	 probe = w;

		probe.hour = w.minute / 60;
		probe.minute = w.minute % 60;
		if (tz_from_wall(zone, &probe, &t, err, sizeof(err)) == 0)
			return t;
	}
	return wall_as_utc(&w);
}

/* Calendar days from the day of a to the day of b, both in zone. */
long
tz_days_between(const char *zone, time_t a, time_t b)
{
	struct tz_wall	 wa, wb;

	tz_to_wall(zone, a, &wa);
	tz_to_wall(zone, b, &wb);
	return days_from_civil(wb.year, wb.month, wb.day) -
	    days_from_civil(wa.year, wa.month, wa.day);
}

void
tz_add_days(struct tz_wall *w, int days)
{
	int	 hour = w->hour, minute = w->minute;

	civil_from_days(days_from_civil(w->year, w->month, w->day) + days, w);
	w->hour = hour;
	w->minute = minute;
}

int
tz_parse_hhmm(const char *s, size_t len)
{
	int	 h, m;

	if (len == 4 && isdigit((unsigned char)s[0]) && s[1] == ':') {
		h = s[0] - '0';
		s += 2;
	} else if (len == 5 && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && s[2] == ':') {
		h = (s[0] - '0') * 10 + (s[1] - '0');
		s += 3;
	} else
		return -1;
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static int
parse_iso_date(const char *s, size_t len, struct tz_wall *w)
{
	size_t	 i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < len; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	w->year = atoi(s);
	w->month = (s[5] - '0') * 10 + (s[6] - '0');
	w->day = (s[8] - '0') * 10 + (s[9] - '0');
	w->hour = w->minute = 0;
	if (!wall_is_date(w))		/* the year: see tz_in_window */
		return -1;
	/* Fill in the weekday. */
	civil_from_days(days_from_civil(w->year, w->month, w->day), w);
	return 0;
}

static int
parse_date_word(const char *s, size_t len, const char *zone, time_t now,
    struct tz_wall *w)
{
	static const struct { const char *word; int days; } words[] = {
		{ "today", 0 }, { "tomorrow", 1 }, { "yesterday", -1 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strlen(words[i].word) == len &&
		    strncasecmp(words[i].word, s, len) == 0) {
			tz_to_wall(zone, now, w);
			tz_add_days(w, words[i].days);
			w->hour = w->minute = 0;
			return 0;
		}
	}
	return parse_iso_date(s, len, w);
}

/*
 * Dates a caller may name: a practice's whole history, and TZ_YEARS_AHEAD
 * years ahead.  Beyond that libical's rules grow slow (about 100 ms a
 * conversion near 2999) and wrong (after about 2583), and no booking
 * needs them.
 */
int
tz_in_window(const struct tz_wall *w, time_t now, char *err, size_t errlen)
{
	struct tz_wall	 today;
	int		 last;

	civil_from_days((long)(now / 86400), &today);
	last = today.year + TZ_YEARS_AHEAD;
	if (w->year >= TZ_FIRST_YEAR && w->year <= last)
		return 0;
	snprintf(err, errlen, "\"%04d-%02d-%02d\" is outside the dates "
	    "practiced accepts (%d-01-01 to %d-12-31)", w->year, w->month,
	    w->day, TZ_FIRST_YEAR, last);
	return -1;
}

int
tz_parse_date(const char *s, const char *zone, time_t now,
    struct tz_wall *w, char *err, size_t errlen)
{
	if (parse_date_word(s, strlen(s), zone, now, w) == -1) {
		snprintf(err, errlen, "\"%.40s\" is not a date "
		    "(use YYYY-MM-DD, today, tomorrow or yesterday)", s);
		return -1;
	}
	return tz_in_window(w, now, err, errlen);
}

int
tz_parse_datetime(const char *s, const char *zone, time_t now, time_t *out,
    char *err, size_t errlen)
{
	const char	*sep;
	struct tz_wall	 w;
	int		 mins;

	sep = strpbrk(s, " T");
	while (sep != NULL && sep[0] == 'T' && sep - s < 3)
		sep = strpbrk(sep + 1, " T");	/* "today", "tomorrow" */
	if (sep == NULL ||
	    parse_date_word(s, sep - s, zone, now, &w) == -1 ||
	    (mins = tz_parse_hhmm(sep + 1, strlen(sep + 1))) == -1 ||
	    mins >= 24 * 60) {
		snprintf(err, errlen, "\"%.40s\" is not a date and time "
		    "(use YYYY-MM-DD HH:MM, or today/tomorrow HH:MM)", s);
		return -1;
	}
	if (tz_in_window(&w, now, err, errlen) == -1)
		return -1;
	w.hour = mins / 60;
	w.minute = mins % 60;
	return tz_from_wall(zone, &w, out, err, errlen);
}

/*
 * Digits by hand: a list answer formats thousands of times, and
 * snprintf was a sixth of its cost.  Years are 1970-2999 here.
 */
static char *
put_digits(char *p, int v, int n)
{
	int	 i;

	for (i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

static char *
put_date(char *p, const struct tz_wall *w)
{
	p = put_digits(p, w->year, 4);
	*p++ = '-';
	p = put_digits(p, w->month, 2);
	*p++ = '-';
	return put_digits(p, w->day, 2);
}

static char *
put_time(char *p, const struct tz_wall *w)
{
	p = put_digits(p, w->hour, 2);
	*p++ = ':';
	return put_digits(p, w->minute, 2);
}

void
tz_format_utc(time_t t, char *buf)
{
	struct tz_wall	 w;
	long		 secs = (long)(t % 60);
	char		*p;

	if (secs < 0)
		secs += 60;
	tz_to_wall("UTC", t, &w);
	p = put_date(buf, &w);
	*p++ = 'T';
	p = put_time(p, &w);
	*p++ = ':';
	p = put_digits(p, (int)secs, 2);
	*p++ = 'Z';
	*p = '\0';
}

void
tz_format_local(const char *zone, time_t t, char *buf)
{
	struct tz_wall	 w;
	char		*p;

	tz_to_wall(zone, t, &w);
	p = put_date(buf, &w);
	*p++ = ' ';
	p = put_time(p, &w);
	*p = '\0';
}

void
tz_format_date(const struct tz_wall *w, char *buf)
{
	*put_date(buf, w) = '\0';
}

const char *
tz_day_name(int wday)
{
	if (wday < 0 || wday > 6)
		return "?";
	return day_names[wday];
}

const char *
tz_day_fullname(int wday)
{
	static const char *names[7] = {
		"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
		"Saturday", "Sunday"
	};

	if (wday < 0 || wday > 6)
		return "?";
	return names[wday];
}
