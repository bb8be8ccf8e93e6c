/*
 * Zones of an .ics file.  A zone name is only ever looked up in
 * libical's built-in list (tz_valid), never opened as a path; a TZID
 * that is none of those is mapped (Windows names, known suffixes) or
 * read through the file's own VTIMEZONE, and never left floating.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ical_scan.h"
#include "ical_zone.h"

#define ZONE_MAX_PARTS	64	/* STANDARD and DAYLIGHT parts a VTIMEZONE */
#define ZONE_MAX_RDATES	400	/* their RDATEs */
/*
 * Years of yearly rules libical expands for a VTIMEZONE (each part from
 * its DTSTART to the dates we read): some 20 us each, so a zone costs at
 * most about 50 ms when first used.  Outlook's, from 1601, need 900.
 */
#define ZONE_MAX_RULE_YEARS 2400
#define ZONES_MAX_RULE_YEARS 12000	/* all of a file's, together */
#define ZONE_ERR	ICAL_READ_REASON_MAX

struct zone_entry {
	char			*tzid;
	int			 ok;
	enum ical_zone_how	 how;
	char			 iana[ICAL_READ_ZONE_MAX];
	icaltimezone		*rules;		/* ICS_ZONE_RULES: owned */
	char			 err[ZONE_ERR];
};

struct ical_zones {
	struct ical_scan	*scan;
	char			 def[ICAL_READ_ZONE_MAX];
	time_t			 now;
	int			 xwr_state;	/* 0 none, 1 good, -1 bad */
	char			 xwr[ICAL_READ_ZONE_MAX];
	char			 xwr_err[ZONE_ERR];
	struct zone_entry	*e;
	size_t			 n, cap, last;
	int			 rule_years;	/* of the zones read by rules */
};

/* Names Microsoft's services write that CLDR's table lacks. */
static const struct ical_winzone zone_ms_aliases[] = {
	{ "tzone://Microsoft/Utc", "UTC" },
	{ "Coordinated Universal Time", "UTC" },
};

const char *
ical_zone_windows(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(zone_ms_aliases) / sizeof(zone_ms_aliases[0]);
	    i++)
		if (strcasecmp(zone_ms_aliases[i].windows, name) == 0)
			return zone_ms_aliases[i].iana;
	for (i = 0; i < ical_nwinzones; i++)
		if (strcasecmp(ical_winzones[i].windows, name) == 0)
			return ical_winzones[i].iana;
	return NULL;
}

const char *
ical_zone_suffix(const char *tzid)
{
	const char	*p;

	for (p = tzid; *p != '\0'; p++)
		if (*p == '/' && tz_valid(p + 1))
			return p + 1;
	return NULL;
}

/* A name as a zone: built-in IANA, Windows, or a suffix.  0 or -1. */
static int
zone_by_name(const char *name, char *iana, enum ical_zone_how *how)
{
	const char	*z;

	if (tz_valid(name)) {
		*how = ICS_ZONE_IANA;
		z = name;
	} else if ((z = ical_zone_windows(name)) != NULL)
		*how = ICS_ZONE_WINDOWS;
	else if ((z = ical_zone_suffix(name)) != NULL)
		*how = ICS_ZONE_SUFFIX;
	else
		return -1;
	snprintf(iana, ICAL_READ_ZONE_MAX, "%s", z);
	return 0;
}

static int
by_count(const short *by, int size)
{
	int	 n = 0;

	while (n < size && by[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

/*
 * A change of offset once a year: libical expands these rules from
 * their DTSTART (often 1601) on every lookup, so a rule that fires
 * daily, or never (libical then searches for years), would hold the
 * loop for seconds.
 */
static int
zone_check_rule(struct icaltimetype start, struct icalrecurrencetype *r,
    char *err, size_t errlen)
{
	icalrecur_iterator	*it;

	if (r->freq != ICAL_YEARLY_RECURRENCE) {
		snprintf(err, errlen, "a rule that is not yearly");
		return -1;
	}
	if (by_count(r->by_month, ICAL_BY_MONTH_SIZE) > 1 ||
	    by_count(r->by_day, ICAL_BY_DAY_SIZE) > 1 ||
	    (by_count(r->by_day, ICAL_BY_DAY_SIZE) == 0 &&
	    by_count(r->by_month_day, ICAL_BY_MONTHDAY_SIZE) > 1) ||
	    by_count(r->by_year_day, ICAL_BY_YEARDAY_SIZE) > 0 ||
	    by_count(r->by_week_no, ICAL_BY_WEEKNO_SIZE) > 0 ||
	    by_count(r->by_hour, ICAL_BY_HOUR_SIZE) > 0 ||
	    by_count(r->by_minute, ICAL_BY_MINUTE_SIZE) > 0 ||
	    by_count(r->by_second, ICAL_BY_SECOND_SIZE) > 0) {
		snprintf(err, errlen, "a rule that changes the offset more "
		    "than once a year");
		return -1;
	}
	if ((it = icalrecur_iterator_new(*r, start)) == NULL) {
		icalerror_clear_errno();
		snprintf(err, errlen, "a rule libical will not start");
		return -1;
	}
	icalrecur_iterator_free(it);
	return 0;
}

/* A VTIMEZONE libical can expand quickly: yearly rules, few parts. */
static int
zone_check_rules(icalcomponent *vtz, int horizon, int *years_used, char *err,
    size_t errlen)
{
	icalcomponent			*part;
	icalproperty			*p;
	struct icalrecurrencetype	 r;
	struct icaltimetype		 start;
	int				 parts = 0, rdates = 0, years = 0;

	for (part = icalcomponent_get_first_component(vtz,
	    ICAL_ANY_COMPONENT); part != NULL;
	    part = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(part) != ICAL_XSTANDARD_COMPONENT &&
		    icalcomponent_isa(part) != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		if (++parts > ZONE_MAX_PARTS) {
			snprintf(err, errlen, "more than %d STANDARD and "
			    "DAYLIGHT parts", ZONE_MAX_PARTS);
			return -1;
		}
		if ((p = icalcomponent_get_first_property(part,
		    ICAL_DTSTART_PROPERTY)) == NULL ||
		    icalcomponent_get_first_property(part,
		    ICAL_TZOFFSETTO_PROPERTY) == NULL) {
			snprintf(err, errlen, "a part without DTSTART or "
			    "TZOFFSETTO");
			return -1;
		}
		/* Before the loop: a lookup would reset its iterator. */
		start = icalvalue_get_datetime(icalproperty_get_value(p));
		start.zone = NULL;
		for (p = icalcomponent_get_first_property(part,
		    ICAL_RRULE_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(part,
		    ICAL_RRULE_PROPERTY)) {
			r = icalproperty_get_rrule(p);
			if (zone_check_rule(start, &r, err, errlen) == -1)
				return -1;
			if (start.year < horizon)
				years += horizon - start.year;
			if (years > ZONE_MAX_RULE_YEARS) {
				snprintf(err, errlen, "rules that reach back "
				    "too far (%d years of them)", years);
				return -1;
			}
		}
		for (p = icalcomponent_get_first_property(part,
		    ICAL_RDATE_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(part,
		    ICAL_RDATE_PROPERTY))
			if (++rdates > ZONE_MAX_RDATES) {
				snprintf(err, errlen, "more than %d RDATEs",
				    ZONE_MAX_RDATES);
				return -1;
			}
	}
	if (parts == 0) {
		snprintf(err, errlen, "no STANDARD or DAYLIGHT part");
		return -1;
	}
	if (*years_used + years > ZONES_MAX_RULE_YEARS) {
		snprintf(err, errlen, "the file's zones have more than %d "
		    "years of rules together", ZONES_MAX_RULE_YEARS);
		return -1;
	}
	*years_used += years;
	return 0;
}

static const struct ical_block *
zone_block(const struct ical_zones *zs, const char *tzid)
{
	size_t	 i;

	for (i = 0; i < zs->scan->nzones; i++)
		if (zs->scan->zones[i].key != NULL &&
		    strcmp(zs->scan->zones[i].key, tzid) == 0)
			return &zs->scan->zones[i];
	return NULL;
}

/* The last year a time is read in (see tz_in_window). */
static int
zone_horizon(const struct ical_zones *zs)
{
	struct tz_wall	 w;

	tz_to_wall("UTC", zs->now, &w);
	return w.year + TZ_YEARS_AHEAD + 1;
}

static const char *
zone_x_location(icalcomponent *vtz)
{
	icalproperty	*p;
	const char	*name;

	for (p = icalcomponent_get_first_property(vtz, ICAL_X_PROPERTY);
	    p != NULL; p = icalcomponent_get_next_property(vtz,
	    ICAL_X_PROPERTY))
		if ((name = icalproperty_get_x_name(p)) != NULL &&
		    strcasecmp(name, "X-LIC-LOCATION") == 0)
			return icalproperty_get_x(p);
	return NULL;
}

/* The file's VTIMEZONE for a TZID no name resolves. */
static void
zone_from_block(struct ical_zones *zs, struct zone_entry *e,
    const struct ical_block *b)
{
	icalcomponent	*vtz;
	const char	*where;
	char		 why[100];

	vtz = b->bad_line != 0 ? NULL : ical_scan_parse(zs->scan, b);
	if (b->bad_line != 0)
		snprintf(why, sizeof(why), "line %d is not an iCalendar "
		    "content line", b->bad_line);
	else if (vtz == NULL ||
	    icalcomponent_isa(vtz) != ICAL_VTIMEZONE_COMPONENT ||
	    icalcomponent_count_errors(vtz) > 0)
		snprintf(why, sizeof(why), "libical cannot read it");
	else if (zone_check_rules(vtz, zone_horizon(zs), &zs->rule_years, why,
	    sizeof(why)) == 0) {
		/* Lightning and libical name the zone they wrote. */
		where = zone_x_location(vtz);
		if (where != NULL && zone_by_name(where, e->iana, &e->how) == 0) {
			e->how = ICS_ZONE_SUFFIX;
			e->ok = 1;
			icalcomponent_free(vtz);
			return;
		}
		if ((e->rules = icaltimezone_new()) != NULL &&
		    icaltimezone_set_component(e->rules, vtz)) {
			e->how = ICS_ZONE_RULES;
			snprintf(e->iana, sizeof(e->iana), "%s", zs->def);
			e->ok = 1;
			return;
		}
		if (e->rules != NULL)
			icaltimezone_free(e->rules, 1);
		e->rules = NULL;
		snprintf(why, sizeof(why), "libical cannot use its rules");
	}
	if (vtz != NULL)
		icalcomponent_free(vtz);
	snprintf(e->err, sizeof(e->err), "the VTIMEZONE of \"%.50s\" (line "
	    "%d) cannot be used: %s", e->tzid, b->line, why);
}

static void
zone_resolve(struct ical_zones *zs, struct zone_entry *e)
{
	const struct ical_block	*b;

	if (zone_by_name(e->tzid, e->iana, &e->how) == 0) {
		e->ok = 1;
		return;
	}
	if ((b = zone_block(zs, e->tzid)) != NULL) {
		zone_from_block(zs, e, b);
		return;
	}
	snprintf(e->err, sizeof(e->err), "unknown time zone \"%.60s\" (not "
	    "a zone practiced knows, and the file has no VTIMEZONE for it)",
	    e->tzid);
}

static struct zone_entry *
zone_find(struct ical_zones *zs, const char *tzid, char *err, size_t errlen)
{
	struct zone_entry	*grown, *e;
	size_t			 i;

	if (zs->last < zs->n && strcmp(zs->e[zs->last].tzid, tzid) == 0)
		return &zs->e[zs->last];
	for (i = 0; i < zs->n; i++)
		if (strcmp(zs->e[i].tzid, tzid) == 0)
			return &zs->e[zs->last = i];
	if (zs->n == ICAL_READ_MAX_ZONES) {
		snprintf(err, errlen, "more than %d time zones in one file",
		    ICAL_READ_MAX_ZONES);
		return NULL;
	}
	if (zs->n == zs->cap) {
		if ((grown = reallocarray(zs->e, zs->cap ? zs->cap * 2 : 8,
		    sizeof(*zs->e))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		zs->e = grown;
		zs->cap = zs->cap ? zs->cap * 2 : 8;
	}
	e = &zs->e[zs->n];
	memset(e, 0, sizeof(*e));
	if ((e->tzid = strdup(tzid)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	zs->last = zs->n++;
	zone_resolve(zs, e);
	return e;
}

struct ical_zones *
ical_zones_new(struct ical_scan *scan, const char *default_zone, time_t now,
    char *err, size_t errlen)
{
	struct ical_zones	*zs;
	enum ical_zone_how	 how;

	if (default_zone == NULL || !tz_valid(default_zone)) {
		snprintf(err, errlen, "the default zone \"%.60s\" is not a "
		    "zone practiced knows", default_zone ? default_zone : "");
		return NULL;
	}
	if ((zs = calloc(1, sizeof(*zs))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	zs->scan = scan;
	zs->now = now;
	snprintf(zs->def, sizeof(zs->def), "%s", default_zone);
	if (scan->xwr != NULL) {
		if (zone_by_name(scan->xwr, zs->xwr, &how) == 0)
			zs->xwr_state = 1;
		else {
			zs->xwr_state = -1;
			snprintf(zs->xwr_err, sizeof(zs->xwr_err), "a floating "
			    "time, and X-WR-TIMEZONE \"%.40s\" (line %d) is "
			    "not a zone practiced knows", scan->xwr,
			    scan->xwr_line);
		}
	}
	return zs;
}

void
ical_zones_free(struct ical_zones *zs)
{
	size_t	 i;

	if (zs == NULL)
		return;
	for (i = 0; i < zs->n; i++) {
		if (zs->e[i].rules != NULL)
			icaltimezone_free(zs->e[i].rules, 1);
		free(zs->e[i].tzid);
	}
	free(zs->e);
	free(zs);
}

static int
zone_check_date(const struct ical_zones *zs, struct icaltimetype tt,
    char *err, size_t errlen)
{
	struct tz_wall	 w = { tt.year, tt.month, tt.day, 0, 0, 0 };

	if (tt.month < 1 || tt.month > 12 || tt.day < 1 ||
	    tt.day > icaltime_days_in_month(tt.month, tt.year) ||
	    (!tt.is_date && (tt.hour < 0 || tt.hour > 23 || tt.minute < 0 ||
	    tt.minute > 59 || tt.second < 0 || tt.second > 60))) {
		snprintf(err, errlen, "%04d-%02d-%02d %02d:%02d is not a date "
		    "and time the calendar has", tt.year, tt.month, tt.day,
		    tt.hour, tt.minute);
		return -1;
	}
	return tz_in_window(&w, zs->now, err, errlen);
}

/* A wall time in a built-in zone; a gap time reads as RFC 5545 says. */
static time_t
zone_wall(const char *zone, struct icaltimetype tt)
{
	struct tz_wall	 w = { tt.year, tt.month, tt.day, tt.hour,
			    tt.minute, 0 };

	return tz_from_wall_rfc(zone, &w) + (tt.second > 59 ? 59 : tt.second);
}

int
ical_zones_time(struct ical_zones *zs, struct icaltimetype tt,
    const char *tzid, struct ical_time *out, char *err, size_t errlen)
{
	icaltimezone		*utc = icaltimezone_get_utc_timezone();
	struct zone_entry	*e;

	memset(out, 0, sizeof(*out));
	if (zone_check_date(zs, tt, err, errlen) == -1)
		return -1;
	if (tt.is_date) {
		out->is_date = 1;
		out->how = ICS_ZONE_DATE;
		tt.zone = NULL;
		out->utc = icaltime_as_timet_with_zone(tt, utc);
		tz_to_wall("UTC", out->utc, &out->wall);
		return 0;
	}
	out->second = tt.second > 59 ? 59 : tt.second;
	if (icaltime_is_utc(tt)) {
		out->how = ICS_ZONE_UTC;
		snprintf(out->zone, sizeof(out->zone), "UTC");
		out->utc = icaltime_as_timet_with_zone(tt, utc);
	} else if (tzid != NULL) {
		if ((e = zone_find(zs, tzid, err, errlen)) == NULL)
			return -1;
		if (!e->ok) {
			snprintf(err, errlen, "%s", e->err);
			return -1;
		}
		out->how = e->how;
		snprintf(out->zone, sizeof(out->zone), "%s", e->iana);
		tt.zone = NULL;
		out->utc = e->rules != NULL ?
		    icaltime_as_timet_with_zone(tt, e->rules) :
		    zone_wall(e->iana, tt);
	} else {
		if (zs->xwr_state == -1) {
			snprintf(err, errlen, "%s", zs->xwr_err);
			return -1;
		}
		out->how = zs->xwr_state == 1 ? ICS_ZONE_XWR : ICS_ZONE_DEFAULT;
		snprintf(out->zone, sizeof(out->zone), "%s",
		    zs->xwr_state == 1 ? zs->xwr : zs->def);
		out->utc = zone_wall(out->zone, tt);
	}
	tz_to_wall(out->zone, out->utc, &out->wall);
	return 0;
}
