/*
 * Filling a template for one recipient.  Dates and times are written in
 * the recipient's zone, in words that need no locale: "Monday 7 December",
 * "10:00".  Nothing about the session's kind goes in: the templates have
 * no placeholder for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "invite.h"
#include "log.h"
#include "mail.h"
#include "message.h"
#include "practiced.h"
#include "recur.h"
#include "send.h"
#include "sms.h"
#include "template.h"
#include "tz.h"

static const char *month_names[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };

/* The first word of a name: how a message greets. */
static void
first_name(const char *name, char *buf, size_t len)
{
	size_t	 n = strcspn(name, " ");

	snprintf(buf, len, "%.*s", (int)n, name);
}

/*
 * " It repeats weekly on Monday until 4 March (12 sessions).", told with
 * a series' session; "" for a single one.  w: the session, in the
 * recipient's zone.
 */
static void
message_repeats(const struct message_row *m, const struct tz_wall *w,
    char *buf, size_t len)
{
	char		 how[128], until[64] = "", count[32] = "";
	const char	*c;
	int		 y, mo, d;

	buf[0] = '\0';
	if (m->rrule[0] == '\0')
		return;
	recur_describe(m->rrule, w, how, sizeof(how));
	if (strcmp(how, m->rrule) == 0) {
		snprintf(buf, len, " It is one of a series.");
		return;
	}
	if (sscanf(m->until, "%d-%d-%d", &y, &mo, &d) == 3 && mo >= 1 &&
	    mo <= 12)
		snprintf(until, sizeof(until), y == w->year ? " until %d %s" :
		    " until %d %s %d", d, month_names[mo - 1], y);
	if ((c = strstr(m->rrule, "COUNT=")) != NULL)
		snprintf(count, sizeof(count), " (%d sessions)", atoi(c + 6));
	snprintf(buf, len, " It repeats %s%s%s.", how, until, count);
}

/* "the 5 sessions after it, to Thursday 14 January, have" (verb: the
 * plural's; "the session after it, on ..., has" for one). */
static void
message_also_which(const struct message_row *m, const struct tz_wall *w,
    const char *plural, const char *single, char *buf, size_t len)
{
	struct tz_wall	 lw;
	char		 last[64];

	tz_to_wall(m->zone, m->also_last, &lw);
	snprintf(last, sizeof(last), lw.year == w->year ? "%s %d %s" :
	    "%s %d %s %d", tz_day_fullname(lw.wday), lw.day,
	    month_names[lw.month - 1], lw.year);
	if (m->also == 1)
		snprintf(buf, len, "the session after it, on %s, %s", last,
		    single);
	else
		snprintf(buf, len, "the %d sessions after it, to %s, %s",
		    m->also, last, plural);
}

/*
 * What a notice that tells of later sessions of its series as well
 * says of them, with its leading space; "" otherwise.  A series with no
 * end, or ended by the change, is spoken of whole: its sessions listed
 * so far are only those up to the horizon.  w: the session, in the
 * recipient's zone.
 */
static void
message_also(const struct message_row *m, const struct tz_wall *w,
    char *buf, size_t len)
{
	char	 how[128], which[160];

	buf[0] = '\0';
	if (m->also <= 0)
		return;
	switch (m->notice) {
	case NOTICE_RESCHEDULE:
		if (m->series_open)
			snprintf(which, sizeof(which), "the sessions after it "
			    "have");
		else
			message_also_which(m, w, "have", "has", which,
			    sizeof(which));
		/* Moved with it, the later ones follow the series' rule. */
		how[0] = '\0';
		if (m->rrule[0] != '\0')
			recur_describe(m->rrule, w, how, sizeof(how));
		if (how[0] != '\0' && strcmp(how, m->rrule) != 0)
			snprintf(buf, len, " It repeats %s: %s moved too.", how,
			    which);
		else
			snprintf(buf, len, " %c%s moved too.", which[0] - 'a' +
			    'A', which + 1);
		return;
	case NOTICE_CANCELLATION:
		if (m->series_ends) {
			snprintf(buf, len, " The sessions after it are "
			    "cancelled too.");
			return;
		}
		message_also_which(m, w, "are", "is", which, sizeof(which));
		snprintf(buf, len, " %c%s cancelled too.", which[0] - 'a' + 'A',
		    which + 1);
		return;
	default:
		message_also_which(m, w, "are", "is", which, sizeof(which));
		snprintf(buf, len, " %c%s %s too.", which[0] - 'a' + 'A',
		    which + 1, m->notice == NOTICE_CONFIRMATION ? "booked" :
		    "changed");
		return;
	}
}

static char *
message_fill(const struct config *conf, const struct message_row *m,
    const char *text)
{
	struct template_values	 v;
	struct tz_wall		 w;
	char			 first[256], date[64], time[8], repeats[256];
	char			 also[384];

	tz_to_wall(m->zone, m->start, &w);
	first_name(m->client, first, sizeof(first));
	snprintf(date, sizeof(date), "%s %d %s", tz_day_fullname(w.wday),
	    w.day, month_names[w.month - 1]);
	snprintf(time, sizeof(time), "%02d:%02d", w.hour, w.minute);
	message_repeats(m, &w, repeats, sizeof(repeats));
	message_also(m, &w, also, sizeof(also));
	memset(&v, 0, sizeof(v));
	v.v[PH_FIRST_NAME] = first;
	v.v[PH_CLINICIAN] = m->clinician;
	v.v[PH_DATE] = date;
	v.v[PH_TIME] = time;
	v.v[PH_PLACE] = m->place[0] != '\0' ? m->place : conf->practice_name;
	v.v[PH_PRACTICE] = conf->practice_name;
	v.v[PH_PHONE] = conf->practice_phone != NULL ?
	    conf->practice_phone : "";
	v.v[PH_REPEATS] = repeats;
	v.v[PH_ALSO] = also;
	return template_render(text, &v);
}

/* The sender's address: [smtp] from, or one naming the practice for a
 * message only written to the outbox folder. */
static void
message_from(const struct config *conf, char *buf, size_t len)
{
	if (conf->smtp.from != NULL)
		snprintf(buf, len, "%s", conf->smtp.from);
	else
		snprintf(buf, len, "%s <practiced@localhost>",
		    conf->practice_name);
}

/*
 * The session's invitation, saying no more than the message's own text
 * (body) does: the clinician and the place only when the text names
 * them, and never the kind of session, which no message knows.  NULL
 * when it cannot be made: the notice then goes without it.
 */
static char *
message_invite(const struct config *conf, const struct message_row *m,
    const char *from, const char *body, time_t now, const char **method)
{
	struct invite	 in;
	char		 summary[320], plain[320], *cal;
	const char	*place;

	place = m->place[0] != '\0' ? m->place : conf->practice_name;
	if (m->clinician[0] != '\0' && strstr(body, m->clinician) != NULL)
		snprintf(summary, sizeof(summary), "Appointment with %s",
		    m->clinician);
	else
		snprintf(summary, sizeof(summary), "Appointment at %s",
		    conf->practice_name);
	/* A series' sessions with a clinician the text does not name. */
	snprintf(plain, sizeof(plain), "Appointment at %s",
	    conf->practice_name);
	in = (struct invite){ .notice = m->notice,
	    .practice_uid = m->practice_uid, .appt_id = m->appt_id,
	    .version = m->version, .start = m->start, .end = m->end,
	    .zone = m->zone, .created = m->created, .modified = m->modified,
	    .now = now, .organizer = from, .practice = conf->practice_name,
	    .attendee = m->recipient, .summary = summary,
	    .location = strstr(body, place) != NULL ? place : NULL,
	    .series = m->series, .summary_plain = plain };
	*method = invite_calendar_method(&in);
	if ((cal = invite_calendar(&in)) == NULL)
		log_warnx("outbox: reminder %lld goes without its invitation",
		    m->id);
	return cal;
}

/* An email of the templates subject_t and body_t, its Message-ID
 * "tag.id.version@" the sender's domain; invite: with the session's
 * invitation. */
static char *
message_compose(const struct config *conf, const struct message_row *m,
    const char *tag, long long id, const char *subject_t,
    const char *body_t, time_t now, int invite)
{
	struct mail_message	 mail;
	char			 from[400], msgid[400];
	char			*subject, *body, *cal = NULL, *text = NULL;
	const char		*method = NULL;

	message_from(conf, from, sizeof(from));
	if (mail_message_id(msgid, sizeof(msgid), tag, id, m->version,
	    from) == -1)
		snprintf(msgid, sizeof(msgid), "%s.%lld.%d@localhost", tag, id,
		    m->version);
	subject = message_fill(conf, m, subject_t);
	body = message_fill(conf, m, body_t);
	if (subject != NULL && body != NULL) {
		if (invite && !m->no_invite)
			cal = message_invite(conf, m, from, body, now,
			    &method);
		mail = (struct mail_message){ .from = from, .to = m->recipient,
		    .subject = subject, .body = body, .message_id = msgid,
		    .date = now, .calendar = cal, .method = method };
		text = mail_compose(&mail);
	}
	free(cal);
	free(subject);
	free(body);
	return text;
}

char *
message_render(const struct config *conf, const struct message_row *m,
    time_t now)
{
	const struct template	*t =
	    &conf->reminders.templates->t[m->notice][m->channel];

	if (m->channel == CHANNEL_SMS)
		return message_fill(conf, m, t->body);
	return message_compose(conf, m, template_notice_name(m->notice),
	    m->id, t->subject, t->body, now, conf->reminders.invitations &&
	    invite_method(m->notice) != NULL);
}

char *
message_render_read(struct practiced *pd, const struct message_row *m,
    time_t now)
{
	const struct config	*conf = pd->conf;
	struct invite_series	 s;
	struct message_row	*r;
	char			*text;
	int			 rc;

	if (m->channel != CHANNEL_EMAIL || !conf->reminders.invitations ||
	    invite_method(m->notice) == NULL)
		return message_render(conf, m, now);
	rc = invite_series_load(pd, m->appt_id, m->practice_uid,
	    m->clinician, m->place, now, &s);
	if (rc == 0 && s.id == 0)
		return message_render(conf, m, now);
	if ((r = malloc(sizeof(*r))) == NULL) {
		invite_series_free(&s);
		return NULL;
	}
	*r = *m;
	if (rc == 0)
		r->series = &s;
	else
		r->no_invite = 1;
	/* Unread, its series cannot go; the session's own UID would make
	 * a second entry of it in the client's calendar: none goes. */
	if (rc == -1)
		log_warnx("outbox: reminder %lld goes without its invitation "
		    "(its series cannot be read)", m->id);
	text = message_render(conf, r, now);
	invite_series_free(&s);
	free(r);
	return text;
}

/* Fixed texts: a test says nothing of any session. */
static const char test_subject[] = "Test message from {practice}";
static const char test_body[] =
    "Hello {first_name},\n\n"
    "This is a test message from {practice}, to check that our messages "
    "reach you.\nThere is nothing you need to do.\n\n{practice}\n";
static const char test_sms[] =
    "{practice}: a test message, to check that our texts reach you. "
    "No reply is needed.";

char *
message_render_test(const struct config *conf, const struct message_row *m,
    time_t now)
{
	if (m->channel == CHANNEL_SMS)
		return message_fill(conf, m, test_sms);
	return message_compose(conf, m, "test", -m->id, test_subject,
	    test_body, now, 0);
}

struct send_job *
message_job(const struct config *conf, const struct message_row *m,
    char *text)
{
	struct send_job	*j;
	char		 key[96];

	if (m->channel == CHANNEL_EMAIL)
		return conf->smtp.url == NULL ? NULL :
		    mail_job(&conf->smtp, m->id, m->recipient, text);
	if (conf->sms.provider == SMS_NONE)
		return NULL;
	snprintf(key, sizeof(key), "%s.%lld.%d",
	    template_notice_name(m->notice), m->id, m->version);
	if ((j = sms_job(&conf->sms, m->id, key, m->recipient, text)) != NULL)
		free(text);
	return j;
}
