/*
 * One VEVENT, parsed by libical, to a normalized struct ical_event:
 * times through the file's zones, the rule checked, text bounded.
 * libical marks what it could not read with X-LIC-ERROR; an error in a
 * property we read makes the event bad (never half-read).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ical_event.h"
#include "ical_scan.h"
#include "ical_zone.h"

#define EVENT_MAX_SPAN	((time_t)400 * 86400)	/* DTSTART to DTEND */

struct conv {
	struct ical_scan	*scan;
	struct ical_zones	*zones;
	const struct ical_block	*b;
	icalcomponent		*c;
	struct ical_event	*ev;
	struct ical_read_error	*err;
};

/* The properties this reader takes from a VEVENT. */
static const char *event_props[] = {
	"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE",
	"RECURRENCE-ID", "UID", "SEQUENCE", "STATUS", "SUMMARY", "LOCATION",
	"DTSTAMP", "LAST-MODIFIED", "ORGANIZER", "ATTENDEE", "TRANSP"
};

static int
conv_fail(struct conv *cv, const char *prop, const char *fmt, ...)
{
	va_list	 ap;

	snprintf(cv->err->uid, sizeof(cv->err->uid), "%s",
	    cv->b->key != NULL ? cv->b->key : "");
	cv->err->line = prop != NULL ?
	    ical_scan_prop_line(cv->scan, cv->b, prop) : cv->b->line;
	va_start(ap, fmt);
	vsnprintf(cv->err->reason, sizeof(cv->err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* Copies at most len - 1 bytes, never cutting a UTF-8 character. */
static void
copy_text(char *dst, size_t len, const char *src)
{
	size_t	 n;

	if (src == NULL) {
		dst[0] = '\0';
		return;
	}
	n = strlen(src);
	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The property libical's message names ("... in DTEND property."). */
static int
conv_error_prop(const char *msg, char *name, size_t len)
{
	const char	*p, *e;

	size_t		 skip = 4;

	/* "... in NAME property", or "No value for NAME property" (an
	 * empty DESCRIPTION, as Google writes it). */
	if ((p = strstr(msg, " in ")) == NULL) {
		if (strncmp(msg, "No value for ", 13) != 0)
			return -1;
		p = msg + 12;
		skip = 1;
	}
	if ((e = strstr(p + skip, " property")) == NULL ||
	    (size_t)(e - (p + skip)) >= len)
		return -1;
	memcpy(name, p + skip, (size_t)(e - (p + skip)));
	name[e - (p + skip)] = '\0';
	return 0;
}

static int
conv_errors(struct conv *cv)
{
	icalproperty	*p;
	const char	*msg;
	char		 name[40];
	size_t		 i;
	int		 ours;

	if (cv->b->bad_line != 0) {
		conv_fail(cv, NULL, "line %d is not an iCalendar content line "
		    "(NAME:VALUE)", cv->b->bad_line);
		cv->err->line = cv->b->bad_line;
		return -1;
	}
	for (p = icalcomponent_get_first_property(cv->c,
	    ICAL_XLICERROR_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(cv->c,
	    ICAL_XLICERROR_PROPERTY)) {
		if ((msg = icalproperty_get_xlicerror(p)) == NULL)
			msg = "libical could not read it";
		if (conv_error_prop(msg, name, sizeof(name)) == -1)
			return conv_fail(cv, NULL, "%.200s", msg);
		/* A property we do not read may be broken. */
		for (ours = 0, i = 0; i < sizeof(event_props) /
		    sizeof(event_props[0]); i++)
			if (strcasecmp(name, event_props[i]) == 0)
				ours = 1;
		if (ours)
			return conv_fail(cv, name, "%.200s", msg);
	}
	return 0;
}

static int
conv_time(struct conv *cv, icalproperty *p, const char *name,
    struct ical_time *out)
{
	struct icaltimetype	 tt;
	icalparameter		*tz;
	char			 why[ICAL_READ_REASON_MAX - 20];

	tt = icalvalue_get_datetime(icalproperty_get_value(p));
	if (icaltime_is_null_time(tt))
		return conv_fail(cv, name, "%s has no date", name);
	tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	if (ical_zones_time(cv->zones, tt, tz == NULL ? NULL :
	    icalparameter_get_tzid(tz), out, why, sizeof(why)) == -1)
		return conv_fail(cv, name, "%s: %s", name, why);
	return 0;
}

static void
date_time(struct ical_time *t, time_t utc)
{
	memset(t, 0, sizeof(*t));
	t->is_date = 1;
	t->how = ICS_ZONE_DATE;
	t->utc = utc;
	tz_to_wall("UTC", utc, &t->wall);
}

static int
conv_duration(struct conv *cv, icalproperty *p)
{
	struct ical_event		*ev = cv->ev;
	struct icaldurationtype		 d = icalproperty_get_duration(p);
	struct tz_wall			 w = ev->start.wall;
	long				 days = (long)d.weeks * 7 + d.days;
	long				 secs = (long)d.hours * 3600 +
					    d.minutes * 60 + d.seconds;

	if (d.is_neg)
		return conv_fail(cv, "DURATION", "DURATION is negative");
	if (days > 400 || secs > 400L * 86400)
		return conv_fail(cv, "DURATION", "DURATION is longer than "
		    "400 days");
	if (ev->start.is_date) {
		if (secs != 0 || days == 0)
			return conv_fail(cv, "DURATION", "an all-day event "
			    "lasts whole days (DURATION:P1D)");
		date_time(&ev->end, ev->start.utc + days * 86400);
		return 0;
	}
	/* Days are nominal (the same clock time), the rest exact. */
	ev->end = ev->start;
	tz_add_days(&w, (int)days);
	ev->end.utc = tz_from_wall_rfc(ev->start.zone, &w) +
	    ev->start.second + secs;
	tz_to_wall(ev->end.zone, ev->end.utc, &ev->end.wall);
	return 0;
}

static int
conv_end(struct conv *cv)
{
	struct ical_event	*ev = cv->ev;
	icalproperty		*dtend, *dur;

	dtend = icalcomponent_get_first_property(cv->c, ICAL_DTEND_PROPERTY);
	dur = icalcomponent_get_first_property(cv->c, ICAL_DURATION_PROPERTY);
	if (dtend != NULL && dur != NULL)
		return conv_fail(cv, "DURATION", "both DTEND and DURATION");
	if (dur != NULL) {
		ev->end_how = ICS_END_DURATION;
		return conv_duration(cv, dur);
	}
	if (dtend == NULL) {
		/* RFC 5545 3.6.1: a day, or no time at all. */
		ev->end_how = ICS_END_DEFAULT;
		if (ev->start.is_date)
			date_time(&ev->end, ev->start.utc + 86400);
		else
			ev->end = ev->start;
		return 0;
	}
	ev->end_how = ICS_END_DTEND;
	if (conv_time(cv, dtend, "DTEND", &ev->end) == -1)
		return -1;
	if (ev->end.is_date != ev->start.is_date)
		return conv_fail(cv, "DTEND", "DTEND is a %s and DTSTART a %s",
		    ev->end.is_date ? "date" : "date-time",
		    ev->start.is_date ? "date" : "date-time");
	if (ev->end.utc < ev->start.utc)
		return conv_fail(cv, "DTEND", "DTEND is before DTSTART");
	if (ev->end.utc - ev->start.utc > EVENT_MAX_SPAN)
		return conv_fail(cv, "DTEND", "the event lasts more than 400 "
		    "days");
	if (ev->start.is_date && ev->end.utc == ev->start.utc)
		date_time(&ev->end, ev->start.utc + 86400);	/* lenient */
	return 0;
}

/*
 * UNTIL as wall time in the event's zone (a date for a date), so that
 * expanding the rule in wall time ends where the writer meant: a UTC
 * UNTIL east of Greenwich would otherwise drop the last occurrence.
 */
static void
conv_until(const struct ical_event *ev, struct icalrecurrencetype *r)
{
	struct icaltimetype	 u = r->until;
	struct tz_wall		 w;

	if (icaltime_is_null_time(u))
		return;
	if (ev->start.is_date) {
		u.is_date = 1;
		u.hour = u.minute = u.second = 0;
	} else if (u.is_date) {
		u.is_date = 0;
		u.hour = 23;
		u.minute = u.second = 59;
	} else if (icaltime_is_utc(u)) {
		tz_to_wall(ev->start.zone, icaltime_as_timet_with_zone(u,
		    icaltimezone_get_utc_timezone()), &w);
		u.year = w.year;
		u.month = w.month;
		u.day = w.day;
		u.hour = w.hour;
		u.minute = w.minute;
	}
	u.zone = NULL;
	r->until = u;
}

/* libical refuses, when it starts, a rule it could never expand. */
static int
conv_rule_runs(const struct ical_event *ev, struct icalrecurrencetype r)
{
	struct icaltimetype	 start = icaltime_null_time();
	icalrecur_iterator	*it;

	start.year = ev->start.wall.year;
	start.month = ev->start.wall.month;
	start.day = ev->start.wall.day;
	start.hour = ev->start.wall.hour;
	start.minute = ev->start.wall.minute;
	start.is_date = ev->start.is_date;
	it = icalrecur_iterator_new(r, start);
	icalerror_clear_errno();
	if (it == NULL)
		return -1;
	icalrecur_iterator_free(it);
	return 0;
}

static int
conv_rrule(struct conv *cv)
{
	icalproperty			*p;
	struct icalrecurrencetype	 r;
	char				*text;

	p = icalcomponent_get_first_property(cv->c, ICAL_RRULE_PROPERTY);
	if (p == NULL)
		return 0;
	if (icalcomponent_get_next_property(cv->c, ICAL_RRULE_PROPERTY) != NULL)
		return conv_fail(cv, "RRULE", "more than one RRULE");
	r = icalproperty_get_rrule(p);
	if (r.freq == ICAL_NO_RECURRENCE)
		return conv_fail(cv, "RRULE", "RRULE has no FREQ");
	if (r.freq == ICAL_SECONDLY_RECURRENCE ||
	    r.freq == ICAL_MINUTELY_RECURRENCE ||
	    r.freq == ICAL_HOURLY_RECURRENCE)
		return conv_fail(cv, "RRULE", "RRULE repeats more often than "
		    "daily (FREQ=%s)", icalrecur_freq_to_string(r.freq));
	if (r.interval < 1 || r.interval > 1000)
		return conv_fail(cv, "RRULE", "INTERVAL must be 1 to 1000");
	if (r.count < 0 || (r.count > 0 && !icaltime_is_null_time(r.until)))
		return conv_fail(cv, "RRULE", "RRULE has both COUNT and UNTIL");
	if (r.rscale != NULL && strcasecmp(r.rscale, "GREGORIAN") != 0)
		return conv_fail(cv, "RRULE", "RSCALE=%.20s is not read: "
		    "Gregorian rules only", r.rscale);
	conv_until(cv->ev, &r);
	if (conv_rule_runs(cv->ev, r) == -1)
		return conv_fail(cv, "RRULE", "libical cannot expand this "
		    "RRULE (it never matches, or breaks a rule of RFC 5545)");
	if ((text = icalrecurrencetype_as_string_r(&r)) == NULL)
		return conv_fail(cv, "RRULE", "libical cannot write the rule");
	if (strlen(text) >= sizeof(cv->ev->rrule)) {
		icalmemory_free_buffer(text);
		return conv_fail(cv, "RRULE", "RRULE is longer than %d bytes",
		    ICAL_READ_RRULE_MAX - 1);
	}
	snprintf(cv->ev->rrule, sizeof(cv->ev->rrule), "%s", text);
	icalmemory_free_buffer(text);
	return 0;
}

static int
conv_dates(struct conv *cv, icalproperty_kind kind, const char *name,
    struct ical_time **out, size_t *n)
{
	icalproperty			*p;
	struct icaldatetimeperiodtype	 dp;
	struct ical_time		 t;
	int				 count = 0;

	for (p = icalcomponent_get_first_property(cv->c, kind); p != NULL;
	    p = icalcomponent_get_next_property(cv->c, kind))
		count++;
	if (count == 0)
		return 0;
	if (count > ICAL_READ_MAX_DATES)
		return conv_fail(cv, name, "more than %d %ss",
		    ICAL_READ_MAX_DATES, name);
	if ((*out = calloc((size_t)count, sizeof(**out))) == NULL)
		return conv_fail(cv, name, "out of memory");
	memset(&t, 0, sizeof(t));
	for (p = icalcomponent_get_first_property(cv->c, kind);
	    p != NULL && *n < (size_t)count;
	    p = icalcomponent_get_next_property(cv->c, kind)) {
		if (kind == ICAL_RDATE_PROPERTY) {
			/* A PERIOD counts by its start. */
			dp = icalproperty_get_rdate(p);
			if (icaltime_is_null_time(dp.time)) {
				icalparameter	*tz;
				char		 why[ICAL_READ_REASON_MAX - 20];

				tz = icalproperty_get_first_parameter(p,
				    ICAL_TZID_PARAMETER);
				if (ical_zones_time(cv->zones, dp.period.start,
				    tz ? icalparameter_get_tzid(tz) : NULL,
				    &t, why, sizeof(why)) == -1)
					return conv_fail(cv, name, "%s: %s",
					    name, why);
			} else if (conv_time(cv, p, name, &t) == -1)
				return -1;
		} else if (conv_time(cv, p, name, &t) == -1)
			return -1;
		/* An EXDATE;VALUE=DATE of a timed event takes its day. */
		if (t.is_date != cv->ev->start.is_date &&
		    !(kind == ICAL_EXDATE_PROPERTY && t.is_date))
			return conv_fail(cv, name, "%s is a %s and DTSTART a "
			    "%s", name, t.is_date ? "date" : "date-time",
			    cv->ev->start.is_date ? "date" : "date-time");
		(*out)[(*n)++] = t;
	}
	return 0;
}

static enum ical_partstat
conv_partstat(icalproperty *p)
{
	icalparameter	*par;

	par = icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER);
	if (par == NULL)
		return ICS_PART_NONE;
	switch (icalparameter_get_partstat(par)) {
	case ICAL_PARTSTAT_NEEDSACTION:
		return ICS_PART_NEEDS_ACTION;
	case ICAL_PARTSTAT_ACCEPTED:
		return ICS_PART_ACCEPTED;
	case ICAL_PARTSTAT_DECLINED:
		return ICS_PART_DECLINED;
	case ICAL_PARTSTAT_TENTATIVE:
		return ICS_PART_TENTATIVE;
	case ICAL_PARTSTAT_DELEGATED:
		return ICS_PART_DELEGATED;
	default:
		return ICS_PART_OTHER;
	}
}

/* mailto:Ana@Example.org to ana@example.org; "" if it is no address. */
static void
conv_email(char *dst, const char *v)
{
	const char	*at;
	size_t		 i, n;

	dst[0] = '\0';
	if (v == NULL || strncasecmp(v, "mailto:", 7) != 0)
		return;
	v += 7;
	n = strlen(v);
	if (n == 0 || n > ICAL_READ_EMAIL_MAX || (at = strchr(v, '@')) ==
	    NULL || at == v || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || strchr("<>,;:\"()[]\\",
		    v[i]) != NULL)
			return;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)v[i]);
	dst[n] = '\0';
}

static void
conv_person(icalproperty *p, struct ical_person *out)
{
	icalparameter	*cn;

	conv_email(out->email, icalproperty_get_value_as_string(p));
	cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
	copy_text(out->cn, sizeof(out->cn),
	    cn ? icalparameter_get_cn(cn) : NULL);
	out->partstat = conv_partstat(p);
}

static int
conv_people(struct conv *cv)
{
	struct ical_event	*ev = cv->ev;
	icalproperty		*p;
	size_t			 n = 0;

	if ((p = icalcomponent_get_first_property(cv->c,
	    ICAL_ORGANIZER_PROPERTY)) != NULL)
		conv_person(p, &ev->organizer);
	for (p = icalcomponent_get_first_property(cv->c, ICAL_ATTENDEE_PROPERTY);
	    p != NULL; p = icalcomponent_get_next_property(cv->c,
	    ICAL_ATTENDEE_PROPERTY))
		n++;
	if (n == 0)
		return 0;
	if (n > ICAL_READ_MAX_ATTENDEES) {
		ev->attendees_dropped = n - ICAL_READ_MAX_ATTENDEES;
		n = ICAL_READ_MAX_ATTENDEES;
	}
	if ((ev->attendees = calloc(n, sizeof(*ev->attendees))) == NULL)
		return conv_fail(cv, "ATTENDEE", "out of memory");
	for (p = icalcomponent_get_first_property(cv->c, ICAL_ATTENDEE_PROPERTY);
	    p != NULL && ev->nattendees < n;
	    p = icalcomponent_get_next_property(cv->c, ICAL_ATTENDEE_PROPERTY))
		conv_person(p, &ev->attendees[ev->nattendees++]);
	return 0;
}

static time_t
conv_stamp(icalcomponent *c, icalproperty_kind kind)
{
	icalproperty		*p = icalcomponent_get_first_property(c, kind);
	struct icaltimetype	 tt;

	if (p == NULL)
		return 0;
	tt = icalvalue_get_datetime(icalproperty_get_value(p));
	if (icaltime_is_null_time(tt) || !icaltime_is_valid_time(tt))
		return 0;
	tt.zone = NULL;			/* UTC by RFC 5545 */
	return icaltime_as_timet_with_zone(tt,
	    icaltimezone_get_utc_timezone());
}

static void
conv_plain(struct conv *cv)
{
	struct ical_event	*ev = cv->ev;
	icalproperty		*p;
	int			 seq;

	seq = icalcomponent_get_sequence(cv->c);
	ev->sequence = seq < 0 ? 0 : seq;
	switch (icalcomponent_get_status(cv->c)) {
	case ICAL_STATUS_TENTATIVE:
		ev->status = ICS_STATUS_TENTATIVE;
		break;
	case ICAL_STATUS_CONFIRMED:
		ev->status = ICS_STATUS_CONFIRMED;
		break;
	case ICAL_STATUS_CANCELLED:
		ev->status = ICS_STATUS_CANCELLED;
		break;
	default:
		ev->status = ICS_STATUS_NONE;
	}
	p = icalcomponent_get_first_property(cv->c, ICAL_TRANSP_PROPERTY);
	ev->transparent = p != NULL &&
	    icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENT;
	copy_text(ev->summary, sizeof(ev->summary),
	    icalcomponent_get_summary(cv->c));
	copy_text(ev->location, sizeof(ev->location),
	    icalcomponent_get_location(cv->c));
	ev->dtstamp = conv_stamp(cv->c, ICAL_DTSTAMP_PROPERTY);
	ev->last_modified = conv_stamp(cv->c, ICAL_LASTMODIFIED_PROPERTY);
}

static int
conv_recurrence_id(struct conv *cv)
{
	icalproperty	*p;
	icalparameter	*range;

	p = icalcomponent_get_first_property(cv->c,
	    ICAL_RECURRENCEID_PROPERTY);
	if (p == NULL)
		return 0;
	range = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
	if (range != NULL &&
	    icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE)
		return conv_fail(cv, "RECURRENCE-ID", "RANGE=THISANDFUTURE is "
		    "not read: export each changed occurrence");
	cv->ev->has_recurrence_id = 1;
	return conv_time(cv, p, "RECURRENCE-ID", &cv->ev->recurrence_id);
}

static int
conv_event(struct conv *cv)
{
	struct ical_event	*ev = cv->ev;
	icalproperty		*p;

	if (conv_errors(cv) == -1)
		return -1;
	if (cv->b->key_too_long)
		return conv_fail(cv, "UID", "UID is longer than %d bytes",
		    ICAL_READ_UID_MAX);
	if (cv->b->key == NULL || cv->b->key[0] == '\0')
		return conv_fail(cv, NULL, "the event has no UID");
	snprintf(ev->uid, sizeof(ev->uid), "%s", cv->b->key);
	ev->line = cv->b->line;
	if ((p = icalcomponent_get_first_property(cv->c,
	    ICAL_DTSTART_PROPERTY)) == NULL)
		return conv_fail(cv, NULL, "the event has no DTSTART");
	if (conv_time(cv, p, "DTSTART", &ev->start) == -1 ||
	    conv_end(cv) == -1 || conv_recurrence_id(cv) == -1 ||
	    conv_rrule(cv) == -1 ||
	    conv_dates(cv, ICAL_RDATE_PROPERTY, "RDATE", &ev->rdates,
	    &ev->nrdates) == -1 ||
	    conv_dates(cv, ICAL_EXDATE_PROPERTY, "EXDATE", &ev->exdates,
	    &ev->nexdates) == -1 ||
	    conv_people(cv) == -1)
		return -1;
	conv_plain(cv);
	return 0;
}

int
ical_event_read(struct ical_scan *scan, struct ical_zones *zones,
    const struct ical_block *b, struct ical_event *ev,
    struct ical_read_error *err)
{
	struct conv	 cv = { scan, zones, b, NULL, ev, err };
	int		 rc;

	memset(ev, 0, sizeof(*ev));
	memset(err, 0, sizeof(*err));
	cv.c = ical_scan_parse(scan, b);
	if (cv.c == NULL || icalcomponent_isa(cv.c) != ICAL_VEVENT_COMPONENT)
		rc = conv_fail(&cv, NULL, "libical cannot read this VEVENT");
	else
		rc = conv_event(&cv);
	if (cv.c != NULL)
		icalcomponent_free(cv.c);
	if (rc == -1)
		ical_event_clear(ev);
	return rc;
}

void
ical_event_clear(struct ical_event *ev)
{
	size_t	 i;

	for (i = 0; i < ev->noverrides; i++)
		ical_event_clear(&ev->overrides[i]);
	free(ev->overrides);
	free(ev->attendees);
	free(ev->rdates);
	free(ev->exdates);
	ev->overrides = NULL;
	ev->attendees = NULL;
	ev->rdates = ev->exdates = NULL;
	ev->noverrides = ev->nattendees = ev->nrdates = ev->nexdates = 0;
}

void
ical_event_free(struct ical_event *ev)
{
	if (ev == NULL)
		return;
	ical_event_clear(ev);
	free(ev);
}
