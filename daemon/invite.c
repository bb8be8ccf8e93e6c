/*
 * The invitation an email notice carries: built from the export's own
 * pieces (its VEVENT, times and VTIMEZONEs), so a session has one UID
 * wherever it is written, then made an iTIP message: SEQUENCE and
 * METHOD, the practice as ORGANIZER, the client as the one ATTENDEE, and
 * only what the notice's own text says of the session.
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

/*
 * The zone's rules from a year before the session on, not since 1847: a
 * tenth of the text, and Outlook reads a short VTIMEZONE best.
 */
static void
invite_zone_trim(icalcomponent *cal, time_t start)
{
	icalcomponent	*vtz;
	icaltimezone	*utc = icaltimezone_get_utc_timezone();

	if ((vtz = icalcomponent_get_first_component(cal,
	    ICAL_VTIMEZONE_COMPONENT)) == NULL)
		return;
	icaltimezone_truncate_vtimezone(vtz, icaltime_from_timet_with_zone(
	    start - 366 * 86400, 0, utc), icaltime_null_time(), 1);
}

char *
invite_calendar(const struct invite *in)
{
	icalcomponent	*cal, *ev;
	const char	*method = invite_method(in->notice), *zone = in->zone;
	char		*text, *copy;

	if (method == NULL || (cal = icalcomponent_vanew(
	    ICAL_VCALENDAR_COMPONENT,
	    icalproperty_new_version("2.0"),
	    icalproperty_new_prodid("-//practiced//practiced "
	    PRACTICED_VERSION "//EN"),
	    icalproperty_new_calscale("GREGORIAN"),
	    icalproperty_new_method(in->notice == NOTICE_CANCELLATION ?
	    ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST), (void *)0)) == NULL)
		return NULL;
	/* A zone libical does not know is written in UTC: still right. */
	if (!export_zone_is_utc(zone) && export_vtimezone(cal, zone) == -1)
		zone = "UTC";
	invite_zone_trim(cal, in->start);
	if ((ev = invite_event(in, zone)) == NULL) {
		icalcomponent_free(cal);
		return NULL;
	}
	icalcomponent_add_component(cal, ev);
	text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (text == NULL)
		return NULL;
	/* libical's buffer, copied into the daemon's own. */
	copy = strdup(text);
	icalmemory_free_buffer(text);
	return copy;
}
