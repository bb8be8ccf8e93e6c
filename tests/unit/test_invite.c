/* Invitations: the iTIP calendar, its MIME parts, and what it may say. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>

#include "config.h"
#include "invite.h"
#include "mail.h"
#include "message.h"

#include "unit.h"

/* 2026-12-10 09:00 UTC, 09:00 in London. */
#define START	1796893200

static struct invite
sample(enum notice n, int version, time_t start)
{
	return (struct invite){ .notice = n, .practice_uid = "c0ffee",
	    .appt_id = 42, .version = version, .start = start,
	    .end = start + 50 * 60, .zone = "Europe/London",
	    .created = START - 86400, .modified = START - 3600,
	    .now = START - 600,
	    .organizer = "Riverside \"Care\" <noreply@example.org>",
	    .practice = "Riverside \"Care\"", .attendee = "jordan@example.org",
	    .summary = "Appointment with Ana Lopez", .location = "Room 2" };
}

/* The calendar parsed, with its one VEVENT; NULL when it does not
 * parse or holds another count of events. */
static icalcomponent *
parsed(const char *text, icalcomponent **ev)
{
	icalcomponent	*cal;

	*ev = NULL;
	if (text == NULL || (cal = icalparser_parse_string(text)) == NULL)
		return NULL;
	if (icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT) != 1) {
		icalcomponent_free(cal);
		return NULL;
	}
	*ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	return cal;
}

/* DTSTART read through the calendar's own VTIMEZONE is instant t. */
static int
zone_reads(icalcomponent *cal, icalcomponent *ev, time_t t)
{
	icalcomponent	*vtz, *copy;
	icaltimezone	*z;
	time_t		 got;

	if ((vtz = icalcomponent_get_first_component(cal,
	    ICAL_VTIMEZONE_COMPONENT)) == NULL ||
	    (copy = icalcomponent_new_clone(vtz)) == NULL)
		return 0;
	if ((z = icaltimezone_new()) == NULL) {
		icalcomponent_free(copy);
		return 0;
	}
	if (!icaltimezone_set_component(z, copy)) {
		icalcomponent_free(copy);
		icaltimezone_free(z, 1);
		return 0;
	}
	got = icaltime_as_timet_with_zone(icalcomponent_get_dtstart(ev), z);
	icaltimezone_free(z, 1);
	if (got != t)
		fprintf(stderr, "DTSTART read as %lld, wanted %lld\n",
		    (long long)got, (long long)t);
	return got == t;
}

/* The CN of the property k; "" for none. */
static const char *
cn_of(icalcomponent *ev, icalproperty_kind k)
{
	icalproperty	*p = icalcomponent_get_first_property(ev, k);
	icalparameter	*q;

	if (p == NULL || (q = icalproperty_get_first_parameter(p,
	    ICAL_CN_PARAMETER)) == NULL || icalparameter_get_cn(q) == NULL)
		return "";
	return icalparameter_get_cn(q);
}

static void
test_request(void)
{
	struct invite	 in = sample(NOTICE_CONFIRMATION, 1, START);
	icalcomponent	*cal, *ev;
	icalproperty	*p;
	struct icaltimetype t;
	char		*text = invite_calendar(&in);

	CHECK_STR(invite_method(NOTICE_CONFIRMATION), "REQUEST");
	CHECK_STR(invite_method(NOTICE_RESCHEDULE), "REQUEST");
	CHECK_STR(invite_method(NOTICE_CANCELLATION), "CANCEL");
	CHECK(invite_method(NOTICE_REMINDER) == NULL);
	if ((cal = parsed(text, &ev)) == NULL) {
		CHECK(!"the invitation parses with one VEVENT");
		free(text);
		return;
	}
	CHECK(icalcomponent_get_method(cal) == ICAL_METHOD_REQUEST);
	CHECK(icalcomponent_get_first_component(cal,
	    ICAL_VTIMEZONE_COMPONENT) != NULL);
	CHECK(strstr(text, "TZID:Europe/London\r\n") != NULL);
	CHECK(zone_reads(cal, ev, START));
	/* the zone's rules of this time, not its history */
	CHECK(strstr(text, "DTSTART:1847") == NULL && strlen(text) < 2500);
	CHECK_STR(icalcomponent_get_uid(ev), "a42-c0ffee@practiced");
	CHECK(icalcomponent_get_sequence(ev) == 0);
	CHECK(icalcomponent_get_status(ev) == ICAL_STATUS_CONFIRMED);
	CHECK_STR(icalcomponent_get_summary(ev), "Appointment with Ana Lopez");
	CHECK_STR(icalcomponent_get_location(ev), "Room 2");
	CHECK(strstr(text, "DTSTART;TZID=Europe/London:20261210T090000\r\n")
	    != NULL);
	CHECK(strstr(text, "DTEND;TZID=Europe/London:20261210T095000\r\n")
	    != NULL);
	t = icalcomponent_get_dtstamp(ev);
	CHECK(icaltime_as_timet(t) == START - 600 && icaltime_is_utc(t));
	p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	CHECK(p != NULL && strcmp(icalproperty_get_organizer(p),
	    "mailto:noreply@example.org") == 0);
	CHECK_STR(cn_of(ev, ICAL_ORGANIZER_PROPERTY), "Riverside 'Care'");
	p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	CHECK(p != NULL && strcmp(icalproperty_get_attendee(p),
	    "mailto:jordan@example.org") == 0);
	CHECK(strstr(text, "RSVP=FALSE") != NULL);
	CHECK(strstr(text, "PARTSTAT=ACCEPTED") != NULL);
	icalcomponent_free(cal);
	free(text);

	/* A name with the characters a parameter must quote. */
	in.practice = "Smith, Jones: Care; Ltd";
	text = invite_calendar(&in);
	if ((cal = parsed(text, &ev)) != NULL) {
		CHECK_STR(cn_of(ev, ICAL_ORGANIZER_PROPERTY),
		    "Smith, Jones: Care; Ltd");
		p = icalcomponent_get_first_property(ev,
		    ICAL_ORGANIZER_PROPERTY);
		CHECK(p != NULL && strcmp(icalproperty_get_organizer(p),
		    "mailto:noreply@example.org") == 0);
		icalcomponent_free(cal);
	} else
		CHECK(!"a quoted name parses");
	free(text);

	/* A reminder carries none; nor does a sender without an address. */
	in.notice = NOTICE_REMINDER;
	CHECK(invite_calendar(&in) == NULL);
	in.notice = NOTICE_CONFIRMATION;
	in.organizer = "Nobody";
	CHECK(invite_calendar(&in) == NULL);
}

/* Booked, moved, cancelled: one UID, a SEQUENCE that grows. */
static void
test_updates(void)
{
	struct invite	 in[3] = {
		sample(NOTICE_CONFIRMATION, 1, START),
		sample(NOTICE_RESCHEDULE, 2, START + 86400 + 3600),
		sample(NOTICE_CANCELLATION, 3, START + 86400 + 3600),
	};
	icalcomponent	*cal, *ev;
	char		*text, uid[3][128];
	int		 seq[3], i;

	for (i = 0; i < 3; i++) {
		uid[i][0] = '\0';
		seq[i] = -1;
		text = invite_calendar(&in[i]);
		if ((cal = parsed(text, &ev)) == NULL) {
			CHECK(!"each notice's invitation parses");
			free(text);
			continue;
		}
		snprintf(uid[i], sizeof(uid[i]), "%s",
		    icalcomponent_get_uid(ev));
		seq[i] = icalcomponent_get_sequence(ev);
		if (i == 1)
			CHECK(strstr(text, "DTSTART;TZID=Europe/London:"
			    "20261211T100000") != NULL);
		if (i == 2) {
			CHECK(icalcomponent_get_method(cal) ==
			    ICAL_METHOD_CANCEL);
			CHECK(icalcomponent_get_status(ev) ==
			    ICAL_STATUS_CANCELLED);
		}
		icalcomponent_free(cal);
		free(text);
	}
	CHECK(strcmp(uid[0], uid[1]) == 0 && strcmp(uid[1], uid[2]) == 0);
	CHECK(seq[0] < seq[1] && seq[1] < seq[2]);
	/* cancelled by a series edit, which keeps the version: still after
	 * the request; a restore (a new version) after the cancel */
	CHECK(invite_sequence(NOTICE_CANCELLATION, 2) >
	    invite_sequence(NOTICE_RESCHEDULE, 2));
	CHECK(invite_sequence(NOTICE_CONFIRMATION, 3) >
	    invite_sequence(NOTICE_CANCELLATION, 2));
	CHECK(invite_sequence(NOTICE_CONFIRMATION, 1) == 0);
}

/* A session in summer time, read through the trimmed zone. */
static void
test_zone_summer(void)
{
	/* 2027-07-01 09:00 UTC: 10:00 in London */
	struct invite	 in = sample(NOTICE_CONFIRMATION, 1, 1814432400);
	icalcomponent	*cal, *ev;
	char		*text = invite_calendar(&in);

	if ((cal = parsed(text, &ev)) == NULL) {
		CHECK(!"a summer session's invitation parses");
		free(text);
		return;
	}
	CHECK(strstr(text, "DTSTART;TZID=Europe/London:20270701T100000") !=
	    NULL);
	CHECK(zone_reads(cal, ev, 1814432400));
	icalcomponent_free(cal);
	free(text);
}

/* A zone libical does not know: the times in UTC, still the instant. */
static void
test_zone_unknown(void)
{
	struct invite	 in = sample(NOTICE_CONFIRMATION, 1, START);
	char		*text;

	in.zone = "Mars/Olympus";
	text = invite_calendar(&in);
	CHECK(text != NULL && strstr(text, "DTSTART:20261210T090000Z") !=
	    NULL && strstr(text, "VTIMEZONE") == NULL);
	free(text);
}

/* The part of msg after the header line head, base64 decoded. */
static char *
part_decoded(const char *msg, const char *head)
{
	const char	*s;
	char		*out;
	size_t		 n = 0;
	unsigned long	 v = 0;
	int		 bits = 0;

	if (msg == NULL || (s = strstr(msg, head)) == NULL ||
	    (s = strstr(s, "\r\n\r\n")) == NULL ||
	    (out = malloc(strlen(s))) == NULL)
		return NULL;
	for (s += 4; *s != '\0' && *s != '-'; s++) {
		const char *b = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		    "opqrstuvwxyz0123456789+/", *s);

		if (*s == '\r' || *s == '\n' || *s == '=' || b == NULL)
			continue;
		v = (v << 6) | (unsigned long)(b - "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+/");
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (char)((v >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	return out;
}

static void
test_mime(void)
{
	struct invite		 in = sample(NOTICE_CONFIRMATION, 1, START);
	struct mail_message	 m = {
		.from = "Riverside <noreply@example.org>",
		.to = "jordan@example.org", .subject = "Your appointment",
		.body = "Hello Jordan,\n\nSee you at 09:00 in Room 2.\n",
		.message_id = "confirmation.7.1@example.org", .date = START,
		.method = "REQUEST",
	};
	char	*cal = invite_calendar(&in), *msg, *a, *b;

	m.calendar = cal;
	msg = mail_compose(&m);
	CHECK(msg != NULL && unit_mail_well_formed(msg));
	CHECK(msg != NULL && strstr(msg, "Message-ID: <confirmation.7.1@"
	    "example.org>\r\n") != NULL);
	CHECK(msg != NULL && strstr(msg, "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed;\r\n boundary=\"=_practiced_mixed\""
	    "\r\n") != NULL);
	CHECK(msg != NULL && strstr(msg, "Content-Type: multipart/"
	    "alternative;\r\n boundary=\"=_practiced_alt\"\r\n") != NULL);
	CHECK(msg != NULL && strstr(msg, "--=_practiced_alt\r\nContent-Type: "
	    "text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n\r\nHello Jordan,\r\n") != NULL);
	CHECK(msg != NULL && strstr(msg, "Content-Type: text/calendar; "
	    "charset=UTF-8; method=REQUEST\r\nContent-Transfer-Encoding: "
	    "base64\r\n") != NULL);
	CHECK(msg != NULL && strstr(msg, "Content-Disposition: attachment; "
	    "filename=\"invite.ics\"\r\n") != NULL);
	CHECK(msg != NULL && strstr(msg, "--=_practiced_alt--\r\n") != NULL);
	/* the mixed part closes last */
	CHECK(msg != NULL && strlen(msg) > 24 && strcmp(msg + strlen(msg) -
	    23, "--=_practiced_mixed--\r\n") == 0);
	a = part_decoded(msg, "Content-Type: text/calendar;");
	b = part_decoded(msg, "Content-Type: application/ics;");
	CHECK(a != NULL && cal != NULL && strcmp(a, cal) == 0);
	CHECK(b != NULL && cal != NULL && strcmp(b, cal) == 0);
	free(a);
	free(b);
	free(msg);

	/* no calendar, or a method that is not a word: plain text */
	m.method = "REQUEST\r\nX-Bad: 1";
	msg = mail_compose(&m);
	CHECK(msg != NULL && strstr(msg, "multipart") == NULL &&
	    strstr(msg, "X-Bad") == NULL);
	free(msg);
	m.calendar = NULL;
	m.method = "REQUEST";
	msg = mail_compose(&m);
	CHECK(msg != NULL && strstr(msg, "multipart") == NULL &&
	    strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n") !=
	    NULL && unit_mail_well_formed(msg));
	free(msg);
	free(cal);
}

static struct message_row
row(enum notice n, enum channel ch)
{
	struct message_row	 m;

	memset(&m, 0, sizeof(m));
	m.id = 7;
	m.version = 1;
	m.notice = n;
	m.channel = ch;
	snprintf(m.recipient, sizeof(m.recipient), "%s", ch == CHANNEL_SMS ?
	    "+15555550123" : "jordan@example.org");
	m.start = START;
	m.end = START + 3000;
	snprintf(m.zone, sizeof(m.zone), "Europe/London");
	snprintf(m.client, sizeof(m.client), "Jordan Rivera");
	snprintf(m.clinician, sizeof(m.clinician), "Ana Lopez");
	snprintf(m.place, sizeof(m.place), "https://video.example.org/s3cr3t");
	m.appt_id = 42;
	m.created = m.modified = START - 86400;
	snprintf(m.practice_uid, sizeof(m.practice_uid), "c0ffee");
	return m;
}

/* The invitation of a rendered message, decoded; NULL: none. */
static char *
rendered_invite(const struct config *conf, const struct message_row *m)
{
	char	*msg = message_render(conf, m, START - 600), *cal;

	cal = part_decoded(msg, "Content-Type: text/calendar;");
	free(msg);
	return cal;
}

static void
test_render(void)
{
	static const char dir[] = "/tmp/practiced-unit-invite";
	struct config		*conf;
	struct message_row	 m;
	char			 err[512], *cal, *msg;
	FILE			*fp;

	conf = unit_config_load("[practice]\nname = Riverside\n"
	    "phone = +1 555 010 1234\n", err, sizeof(err));
	if (conf == NULL) {
		CHECK(!"a plain configuration loads");
		return;
	}
	CHECK(conf->reminders.invitations == 1);
	/* booked, moved, cancelled: the request, then the cancel */
	m = row(NOTICE_CONFIRMATION, CHANNEL_EMAIL);
	cal = rendered_invite(conf, &m);
	CHECK(cal != NULL && strstr(cal, "METHOD:REQUEST\r\n") != NULL);
	CHECK(cal != NULL && strstr(cal, "SUMMARY:Appointment with Ana "
	    "Lopez\r\n") != NULL);
	/* the default text gives the link: so does the invitation */
	CHECK(cal != NULL && strstr(cal, "LOCATION:https://video.example.org/"
	    "s3cr3t\r\n") != NULL);
	free(cal);
	m = row(NOTICE_CANCELLATION, CHANNEL_EMAIL);
	m.version = 3;
	cal = rendered_invite(conf, &m);
	CHECK(cal != NULL && strstr(cal, "METHOD:CANCEL\r\n") != NULL &&
	    strstr(cal, "SEQUENCE:5\r\n") != NULL &&
	    strstr(cal, "UID:a42-c0ffee@practiced\r\n") != NULL);
	/* the default cancellation does not say where: nor does it */
	CHECK(cal != NULL && strstr(cal, "s3cr3t") == NULL &&
	    strstr(cal, "\r\nLOCATION") == NULL);
	free(cal);
	/* a reminder, an SMS, a test message: no invitation */
	m = row(NOTICE_REMINDER, CHANNEL_EMAIL);
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, "multipart") == NULL);
	free(msg);
	m = row(NOTICE_CONFIRMATION, CHANNEL_SMS);
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, "BEGIN:") == NULL &&
	    strstr(msg, "Content-") == NULL);
	free(msg);
	m = row(NOTICE_CONFIRMATION, CHANNEL_EMAIL);
	msg = message_render_test(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, "multipart") == NULL);
	free(msg);
	/* switched off */
	conf->reminders.invitations = 0;
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, "multipart") == NULL &&
	    strstr(msg, "text/calendar") == NULL);
	free(msg);
	config_free(conf);

	/* A text that names neither clinician nor place: nor does the
	 * invitation. */
	mkdir(dir, 0700);
	if ((fp = fopen("/tmp/practiced-unit-invite/confirmation.email",
	    "w")) != NULL) {
		fputs("Subject: Booked\n\nHello {first_name}, you are booked "
		    "on {date} at {time}.\n", fp);
		fclose(fp);
	}
	conf = unit_config_load("[practice]\nname = Riverside\n"
	    "phone = +1 555 010 1234\n[reminders]\n"
	    "templates = /tmp/practiced-unit-invite\n", err, sizeof(err));
	if (conf == NULL) {
		fprintf(stderr, "%s\n", err);
		CHECK(!"a configuration with templates loads");
	} else {
		m = row(NOTICE_CONFIRMATION, CHANNEL_EMAIL);
		cal = rendered_invite(conf, &m);
		CHECK(cal != NULL && strstr(cal, "SUMMARY:Appointment at "
		    "Riverside\r\n") != NULL);
		CHECK(cal != NULL && strstr(cal, "Ana") == NULL &&
		    strstr(cal, "s3cr3t") == NULL &&
		    strstr(cal, "\r\nLOCATION") == NULL &&
		    strstr(cal, "Jordan") == NULL);
		free(cal);
		config_free(conf);
	}
	unlink("/tmp/practiced-unit-invite/confirmation.email");
	rmdir(dir);
	CHECK(unit_config_refused_at("[reminders]\ninvitations = maybe\n", 2,
	    "yes or no"));
}

/* A notice telling of later sessions of its series says how many and
 * to when ({also}); one telling of none says nothing of them. */
static void
test_render_also(void)
{
	struct config		*conf;
	struct message_row	 m;
	char			 err[512], *msg;

	conf = unit_config_load("[practice]\nname = Riverside\n"
	    "phone = +1 555 010 1234\n", err, sizeof(err));
	if (conf == NULL) {
		CHECK(!"a plain configuration loads");
		return;
	}
	m = row(NOTICE_CANCELLATION, CHANNEL_SMS);
	m.also = 1;
	m.also_last = START + 7 * 86400;
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, " is cancelled. The session after "
	    "it, on ") != NULL && strstr(msg, ", is cancelled too. ") != NULL);
	free(msg);
	/* the series ended by it: spoken of whole */
	m.series_ends = 1;
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, " is cancelled. The sessions after "
	    "it are cancelled too. ") != NULL);
	free(msg);
	m = row(NOTICE_RESCHEDULE, CHANNEL_SMS);
	m.also = 3;
	m.also_last = START + 21 * 86400;
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, ". The 3 sessions after it, to ") !=
	    NULL && strstr(msg, ", have moved too. ") != NULL);
	free(msg);
	/* with its series' rule, the rule they follow */
	snprintf(m.rrule, sizeof(m.rrule), "FREQ=WEEKLY");
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, ". It repeats weekly on ") != NULL &&
	    strstr(msg, ": the 3 sessions after it, to ") != NULL);
	free(msg);
	/* a series with no end: what is listed so far is not all of it */
	m.series_open = 1;
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, ": the sessions after it have moved "
	    "too. ") != NULL);
	free(msg);
	m.also = 0;
	msg = message_render(conf, &m, START - 600);
	CHECK(msg != NULL && strstr(msg, "too.") == NULL &&
	    strstr(msg, "repeats") == NULL);
	free(msg);
	config_free(conf);
}

void
test_invite(void)
{
	test_request();
	test_updates();
	test_zone_summer();
	test_zone_unknown();
	test_mime();
	test_render();
	test_render_also();
}
