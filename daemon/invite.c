/*
 * The invitation an email notice carries: built from the export's own
 * pieces (its VEVENT, times and VTIMEZONEs, or a series' VEVENTs as
 * invite_series.c read them), so a session has one UID wherever it is
 * written, then made an iTIP message: SEQUENCE and METHOD, the practice
 * as ORGANIZER, the client as the one ATTENDEE, and only what the
 * notice's own text says of the session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "ical_export.h"
#include "ical_int.h"
#include "invite.h"
#include "mail.h"
#include "protocol.h"
#include "strbuf.h"
#include "tz.h"

const char *
invite_method(enum notice n)
{
	switch (n) {
	case NOTICE_CONFIRMATION:
	case NOTICE_RESCHEDULE:
		return "REQUEST";
	case NOTICE_CANCELLATION:
		return "CANCEL";
	default:
		return NULL;
	}
}

static void
invite_add(icalcomponent *c, icalproperty *p)
{
	if (p != NULL)
		icalcomponent_add_property(c, p);
}

/* A property kind replaced by p. */
static void
invite_replace(icalcomponent *ev, icalproperty_kind kind, icalproperty *p)
{
	icalproperty	*old;

	while ((old = icalcomponent_get_first_property(ev, kind)) != NULL) {
		icalcomponent_remove_property(ev, old);
		icalproperty_free(old);
	}
	invite_add(ev, p);
}

/* A parameter's text: a double quote cannot be written in one. */
static void
invite_param_text(const char *s, char *buf, size_t len)
{
	size_t	 i;

	snprintf(buf, len, "%s", s);
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '"' || (unsigned char)buf[i] < 0x20)
			buf[i] = '\'';
}

/* ORGANIZER and ATTENDEE: -1 when either has no address. */
static int
invite_people(icalcomponent *ev, const struct invite *in)
{
	icalproperty	*p;
	char		 addr[320], uri[400], cn[256];

	if (mail_address(in->organizer, addr, sizeof(addr)) == -1)
		return -1;
	snprintf(uri, sizeof(uri), "mailto:%s", addr);
	if ((p = icalproperty_new_organizer(uri)) == NULL)
		return -1;
	invite_param_text(in->practice, cn, sizeof(cn));
	icalproperty_add_parameter(p, icalparameter_new_cn(cn));
	icalcomponent_add_property(ev, p);
	if (mail_address(in->attendee, addr, sizeof(addr)) == -1)
		return -1;
	snprintf(uri, sizeof(uri), "mailto:%s", addr);
	if ((p = icalproperty_new_attendee(uri)) == NULL)
		return -1;
	/* Booked by the practice: nothing for the client to answer. */
	icalproperty_add_parameter(p,
	    icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
	icalproperty_add_parameter(p,
	    icalparameter_new_partstat(ICAL_PARTSTAT_ACCEPTED));
	icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_FALSE));
	icalcomponent_add_property(ev, p);
	return 0;
}

/*
 * Each revision of the appointment raises its version, but a session
 * cancelled by an edit of its series keeps the version its last request
 * had: twice the revisions, and one more for a cancel, keeps every
 * notice after the one before it, as iTIP wants.
 */
int
invite_sequence(enum notice n, int version)
{
	if (version < 1)
		version = 1;
	return 2 * (version - 1) + (n == NOTICE_CANCELLATION);
}

/* The export's VEVENT of the session, made the invitation's. */
static icalcomponent *
invite_event(const struct invite *in, const char *zone)
{
	struct export_query	 q;
	struct export		 x;
	struct export_what	 what;
	icalcomponent		*ev;

	memset(&q, 0, sizeof(q));
	memset(&x, 0, sizeof(x));
	memset(&what, 0, sizeof(what));
	/* Busy: the export adds no name, place or clinician of its own. */
	q.detail = EXPORT_BUSY;
	x.q = &q;
	snprintf(x.uid, sizeof(x.uid), "%s", in->practice_uid);
	what.client = what.clinician = "";
	what.cancelled = in->notice == NOTICE_CANCELLATION;
	what.version = in->version;
	what.created = in->created;
	what.modified = in->modified;
	if ((ev = export_event(&x, 'a', in->appt_id, &what)) == NULL)
		return NULL;
	/* iTIP dates the message, not the row's last change. */
	invite_replace(ev, ICAL_DTSTAMP_PROPERTY, icalproperty_new_dtstamp(
	    icaltime_from_timet_with_zone(in->now, 0,
	    icaltimezone_get_utc_timezone())));
	invite_replace(ev, ICAL_SEQUENCE_PROPERTY, icalproperty_new_sequence(
	    invite_sequence(in->notice, in->version)));
	invite_replace(ev, ICAL_SUMMARY_PROPERTY,
	    icalproperty_new_summary(in->summary));
	if (in->location != NULL && *in->location != '\0')
		invite_add(ev, icalproperty_new_location(in->location));
	export_add_time(ev, icalproperty_new_dtstart, zone, in->start);
	export_add_time(ev, icalproperty_new_dtend, zone, in->end);
	if (invite_people(ev, in) == -1) {
		icalcomponent_free(ev);
		return NULL;
	}
	return ev;
}

const char *
invite_calendar_method(const struct invite *in)
{
	if (in->series == NULL || invite_method(in->notice) == NULL)
		return invite_method(in->notice);
	return in->series->cancelled ? "CANCEL" : "REQUEST";
}

/* A one-off session: its VEVENT in the recipient's zone. */
static int
invite_single(icalcomponent *cal, const struct invite *in)
{
	icalcomponent	*ev;
	const char	*zone = in->zone;

	/* A zone libical does not know is written in UTC: still right. */
	if (!export_zone_is_utc(zone) &&
	    export_vtimezone(cal, zone, in->start) == -1)
		zone = "UTC";
	if ((ev = invite_event(in, zone)) == NULL)
		return -1;
	icalcomponent_add_component(cal, ev);
	return 0;
}

/* The instant an override's RECURRENCE-ID names; 0 for the master. */
static time_t
invite_recurrence(icalcomponent *ev)
{
	icalproperty		*p;
	icalparameter		*tzid;
	struct icaltimetype	 t;
	struct tz_wall		 w;

	if ((p = icalcomponent_get_first_property(ev,
	    ICAL_RECURRENCEID_PROPERTY)) == NULL)
		return 0;
	t = icalproperty_get_recurrenceid(p);
	if ((tzid = icalproperty_get_first_parameter(p,
	    ICAL_TZID_PARAMETER)) == NULL)
		return icaltime_as_timet(t);
	memset(&w, 0, sizeof(w));
	w.year = t.year;
	w.month = t.month;
	w.day = t.day;
	w.hour = t.hour;
	w.minute = t.minute;
	return tz_from_wall_rfc(icalparameter_get_tzid(tzid), &w);
}

static const struct invite_session *
invite_session_of(const struct invite_series *s, time_t recurrence)
{
	size_t	 i;

	for (i = 0; i < s->nsessions; i++)
		if (s->sessions[i].recurrence == recurrence)
			return &s->sessions[i];
	return NULL;
}

/*
 * A VEVENT of the series made the invitation's: as the one-off's, what
 * the message's text says, and of each session only that: the clinician
 * the text names, the place it names, where the session has them.
 */
static int
invite_series_event(icalcomponent *ev, const struct invite *in,
    const struct invite_series *s)
{
	const struct invite_session	*ses;
	const char			*plain;

	ses = invite_session_of(s, invite_recurrence(ev));
	plain = in->summary_plain != NULL ? in->summary_plain : in->summary;
	if (s->uid[0] != '\0')
		invite_replace(ev, ICAL_UID_PROPERTY,
		    icalproperty_new_uid(s->uid));
	invite_replace(ev, ICAL_DTSTAMP_PROPERTY, icalproperty_new_dtstamp(
	    icaltime_from_timet_with_zone(in->now, 0,
	    icaltimezone_get_utc_timezone())));
	invite_replace(ev, ICAL_SEQUENCE_PROPERTY,
	    icalproperty_new_sequence(s->sequence));
	invite_replace(ev, ICAL_SUMMARY_PROPERTY, icalproperty_new_summary(
	    ses != NULL && ses->same_clinician ? in->summary : plain));
	if (s->cancelled) {
		invite_replace(ev, ICAL_STATUS_PROPERTY,
		    icalproperty_new_status(ICAL_STATUS_CANCELLED));
		invite_replace(ev, ICAL_TRANSP_PROPERTY,
		    icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	}
	if (ses != NULL && ses->same_place && in->location != NULL &&
	    *in->location != '\0')
		invite_add(ev, icalproperty_new_location(in->location));
	return invite_people(ev, in);
}

/* The zone's VTIMEZONE, once. */
static int
invite_zone_add(icalcomponent *cal, const char *zone, time_t since)
{
	icalcomponent	*vtz;
	icalproperty	*p;

	if (export_zone_is_utc(zone))
		return 0;
	for (vtz = icalcomponent_get_first_component(cal,
	    ICAL_VTIMEZONE_COMPONENT); vtz != NULL;
	    vtz = icalcomponent_get_next_component(cal,
	    ICAL_VTIMEZONE_COMPONENT))
		if ((p = icalcomponent_get_first_property(vtz,
		    ICAL_TZID_PROPERTY)) != NULL &&
		    strcmp(icalproperty_get_tzid(p), zone) == 0)
			return 0;
	return export_vtimezone(cal, zone, since);
}

/* The VEVENTs of series s, made the invitation's, added to cal. */
static int
invite_series_add(icalcomponent *cal, const struct invite *in,
    const struct invite_series *s, time_t first)
{
	struct strbuf	 text = STRBUF_INIT;
	icalcomponent	*all, *ev;
	char		*t;
	int		 n = 0, rc = 0;

	if (s->events == NULL || invite_zone_add(cal, s->zone, first) == -1)
		return -1;
	strbuf_adds(&text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//practiced//practiced//EN\r\n");
	strbuf_adds(&text, s->events);
	strbuf_adds(&text, "END:VCALENDAR\r\n");
	if ((t = strbuf_finish(&text)) == NULL)
		return -1;
	all = icalparser_parse_string(t);
	free(t);
	if (all == NULL)
		return -1;
	while (rc == 0 && (ev = icalcomponent_get_first_component(all,
	    ICAL_VEVENT_COMPONENT)) != NULL) {
		icalcomponent_remove_component(all, ev);
		/* A CANCEL of the series names its UID alone. */
		if (s->cancelled && icalcomponent_get_first_property(ev,
		    ICAL_RECURRENCEID_PROPERTY) != NULL) {
			icalcomponent_free(ev);
			continue;
		}
		if ((rc = invite_series_event(ev, in, s)) == -1) {
			icalcomponent_free(ev);
			break;
		}
		icalcomponent_add_component(cal, ev);
		n++;
	}
	icalcomponent_free(all);
	icalerror_clear_errno();
	return rc == 0 && n > 0 ? 0 : -1;
}

/*
 * A session of a series: the series whole, as the export writes it in
 * its client's view (one VEVENT with its RRULE and EXDATEs, and its
 * RECURRENCE-ID overrides), in the series' zone, whatever the notice.
 * Why whole, for a change of one session too: a calendar that files
 * an invitation by its UID, as khal's import and many others do,
 * replaces all it holds of that UID with what comes, so one override
 * sent alone would leave the series with that session only; iTIP
 * clients (Google, Outlook, Apple) take a REQUEST of the whole series
 * as its update (RFC 5546 3.2.2), each VEVENT by its SEQUENCE.  A
 * session cancelled is an EXDATE of the REQUEST, so the calendar drops
 * it and keeps the rest; so are the sessions a cancel of "following"
 * ones ends the series before (its UNTIL moves).  Only when nothing is
 * left of the series (all of it cancelled) does a CANCEL of its UID go,
 * which drops it all.  A series split from another (a move of
 * "following" sessions) comes with the one it split from, which now
 * ends there (RFC 6047 4.4: one METHOD, several UIDs): told the new
 * series alone, the calendar would hold both from there on; split from
 * its first session, it took all of it, and goes under its UID.
 */
static int
invite_series(icalcomponent *cal, const struct invite *in)
{
	const struct invite_series	*s;
	time_t				 first = in->series->first;

	for (s = in->series; s != NULL; s = s->parent)
		if (s->first < first)
			first = s->first;
	for (s = in->series; s != NULL; s = s->parent)
		if (invite_series_add(cal, in, s, first) == -1)
			return -1;
	return 0;
}

char *
invite_calendar(const struct invite *in)
{
	icalcomponent	*cal;
	const char	*method = invite_calendar_method(in);
	char		*text, *copy;
	int		 rc;

	if (method == NULL || (cal = icalcomponent_vanew(
	    ICAL_VCALENDAR_COMPONENT,
	    icalproperty_new_version("2.0"),
	    icalproperty_new_prodid("-//practiced//practiced "
	    PRACTICED_VERSION "//EN"),
	    icalproperty_new_calscale("GREGORIAN"),
	    icalproperty_new_method(strcmp(method, "CANCEL") == 0 ?
	    ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST), (void *)0)) == NULL)
		return NULL;
	rc = in->series != NULL ? invite_series(cal, in) :
	    invite_single(cal, in);
	if (rc == -1) {
		icalcomponent_free(cal);
		return NULL;
	}
	text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (text == NULL)
		return NULL;
	/* libical's buffer, copied into the daemon's own. */
	copy = strdup(text);
	icalmemory_free_buffer(text);
	return copy;
}
