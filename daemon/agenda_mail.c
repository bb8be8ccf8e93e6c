/*
 * The morning agenda by mail: at [agenda] send_at of the practice's day,
 * each active clinician with an email gets their agenda, clients by
 * initials only, one clinician a turn of the loop.  It goes as the
 * reminders do: through [smtp] on the sender thread, or into the outbox
 * folder without one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "agenda.h"
#include "appt.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "outbox.h"
#include "practiced.h"
#include "send.h"
#include "tz.h"

/* The longest sleep, against the wall clock jumping (as the outbox). */
#define AGENDA_MAIL_SWEEP	300

struct agenda_mail {
	struct practiced	*pd;
	struct event		*timer;
	char			 done[16];	/* the day mailed, or let pass */
	char			 day[16];	/* the day being mailed */
	long long		 after;		/* its last clinician so far */
	int			 sending;
};

static const char *next_clinician_sql =
    "SELECT id, name, email FROM clinicians WHERE active = 1"
    "  AND email IS NOT NULL AND email != '' AND id > ?1"
    "  ORDER BY id LIMIT 1";

static void	agenda_mail_arm(struct agenda_mail *, time_t now);

/* Today in the practice's zone, and the instant of send_at in it. */
static time_t
agenda_mail_today(const struct config *conf, time_t now, char *day,
    size_t len)
{
	struct tz_wall	 w;

	tz_to_wall(conf->timezone, now, &w);
	snprintf(day, len, "%04d-%02d-%02d", w.year, w.month, w.day);
	return tz_day_start(conf->timezone, w.year, w.month, w.day) +
	    (time_t)conf->agenda.send_at * 60;
}

static void
agenda_mail_line(FILE *f, json_t *list, const char *title,
    void (*line)(FILE *, json_t *))
{
	json_t	*o;
	size_t	 i;

	if (json_array_size(list) == 0)
		return;
	fprintf(f, "\n%s\n", title);
	json_array_foreach(list, i, o)
		line(f, o);
}

static const char *
agenda_mail_initials(json_t *o)
{
	const char	*s = json_string_value(json_object_get(
			    json_object_get(o, "client"), "initials"));

	return s != NULL && *s != '\0' ? s : "-";
}

/* "2027-03-01 10:00" -> "10:00" */
static const char *
agenda_mail_hhmm(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL && strlen(s) >= 16 ? s + 11 : "-";
}

static void
line_session(FILE *f, json_t *a)
{
	json_t		*room = json_object_get(a, "room");
	const char	*where = NULL, *state;

	if (json_is_object(room))
		where = json_string_value(json_object_get(room, "name"));
	else if (json_is_string(json_object_get(a, "video_url")))
		where = "video";
	state = json_string_value(json_object_get(a, "state"));
	fprintf(f, "  %s-%s  %-4s  %s%s\n", agenda_mail_hhmm(a, "local_start"),
	    agenda_mail_hhmm(a, "local_end"), agenda_mail_initials(a),
	    where != NULL ? where : "-", state != NULL &&
	    strcmp(state, "booked") == 0 ? "  (not yet confirmed)" : "");
}

static void
line_failed(FILE *f, json_t *r)
{
	fprintf(f, "  %s  %-4s  %s by %s\n",
	    json_string_value(json_object_get(r, "local_start")),
	    agenda_mail_initials(r),
	    json_string_value(json_object_get(r, "notice")),
	    json_string_value(json_object_get(r, "channel")));
}

static void
line_unmarked(FILE *f, json_t *r)
{
	fprintf(f, "  %s  %s\n",
	    json_string_value(json_object_get(r, "local_start")),
	    agenda_mail_initials(r));
}

static void
line_ending(FILE *f, json_t *r)
{
	fprintf(f, "  %-4s  last session %s\n", agenda_mail_initials(r),
	    json_string_value(json_object_get(r, "local_last")));
}

static void
line_falling(FILE *f, json_t *r)
{
	fprintf(f, "  %-4s  last seen %s\n", agenda_mail_initials(r),
	    json_string_value(json_object_get(r, "last_attended")));
}

char *
agenda_mail_text(const char *day, const char *tz, json_t *entry)
{
	json_t	*sessions = json_object_get(entry, "sessions"), *a;
	char	*text = NULL;
	size_t	 len, i;
	FILE	*f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return NULL;
	fprintf(f, "Your sessions on %s (%s), clients by their initials:\n\n",
	    day, tz);
	json_array_foreach(sessions, i, a)
		line_session(f, a);
	if (json_array_size(sessions) == 0)
		fprintf(f, "  none\n");
	agenda_mail_line(f, json_object_get(entry, "unmarked"),
	    "Sessions of the last two weeks not yet marked attended or "
	    "no-show:", line_unmarked);
	agenda_mail_line(f, json_object_get(entry, "failed_deliveries"),
	    "Reminders that could not be delivered, for sessions ahead:",
	    line_failed);
	agenda_mail_line(f, json_object_get(entry, "series_ending"),
	    "Series ending this week, with nothing booked after:",
	    line_ending);
	agenda_mail_line(f, json_object_get(entry, "falling_out_of_care"),
	    "Falling out of care (seen in the last 30 days, nothing booked):",
	    line_falling);
	fprintf(f, "\npracticectl agenda shows the day in full.\n");
	if (fclose(f) == EOF) {
		free(text);
		return NULL;
	}
	return text;
}

/* The From of the practice's mail: [smtp] from, or its name. */
static void
agenda_mail_from(const struct config *conf, char *buf, size_t len)
{
	if (conf->smtp.from != NULL)
		snprintf(buf, len, "%s", conf->smtp.from);
	else
		snprintf(buf, len, "%s <practiced@localhost>",
		    conf->practice_name);
}

/* Nothing to tell: no session, and none of the lists has anything. */
static int
agenda_mail_empty(json_t *entry)
{
	static const char *const lists[] = { "sessions", "unmarked",
	    "failed_deliveries", "series_ending", "falling_out_of_care",
	    NULL };
	size_t	 i;

	for (i = 0; lists[i] != NULL; i++)
		if (json_array_size(json_object_get(entry, lists[i])) > 0)
			return 0;
	return 1;
}

/* One clinician's mail, composed and handed on; -1 when it could not. */
static int
agenda_mail_send(struct agenda_mail *am, long long id, const char *to,
    json_t *entry, const char *day, const char *tz, time_t now)
{
	const struct config	*conf = am->pd->conf;
	struct mail_message	 mail;
	struct send_job		*job;
	char			 from[400], msgid[400], subject[64], name[64];
	char			*body, *text;
	int			 rc;

	if ((body = agenda_mail_text(day, tz, entry)) == NULL)
		return -1;
	agenda_mail_from(conf, from, sizeof(from));
	snprintf(subject, sizeof(subject), "Your agenda for %s", day);
	snprintf(name, sizeof(name), "agenda-%.10s", day);
	if (mail_message_id(msgid, sizeof(msgid), name, id, 1, from) == -1)
		snprintf(msgid, sizeof(msgid), "%s.%lld.1@localhost", name,
		    id);
	mail = (struct mail_message){ .from = from, .to = to,
	    .subject = subject, .body = body, .message_id = msgid,
	    .date = now };
	text = mail_compose(&mail);
	free(body);
	if (text == NULL)
		return -1;
	if (conf->smtp.url == NULL) {
		snprintf(name, sizeof(name), "agenda-%.10s-%lld.eml", day, id);
		rc = outbox_write(am->pd->outbox, name, text);
		free(text);
		return rc;
	}
	if ((job = mail_job(&conf->smtp, -AGENDA_MAIL_IDS - id, to, text)) ==
	    NULL) {
		free(text);
		return -1;
	}
	return outbox_submit(am->pd->outbox, job);
}

/* The next clinician of the day's round, if any: 1 when one was taken. */
static int
agenda_mail_one(struct agenda_mail *am, time_t now)
{
	struct ctx		 ctx;
	struct appt_cursor	 next;
	sqlite3_stmt		*stmt;
	json_t			*answer, *entry;
	char			*to = NULL;
	long long		 id = 0;
	int			 more, rc;

	if ((stmt = db_stmt(am->pd->db, next_clinician_sql)) == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, am->after);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		to = strdup(db_column_text(stmt, 2));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW || to == NULL) {
		free(to);
		return 0;
	}
	am->after = id;
	ctx_init_internal(&ctx, am->pd, now, "agenda");
	ctx_set_zone(&ctx, am->pd->conf->timezone);
	if ((answer = agenda_day(&ctx, id, am->day, NULL, &next, &more)) ==
	    NULL)
		rc = -1;
	else if (agenda_mail_empty(entry = json_array_get(json_object_get(
	    answer, "agenda"), 0)))
		rc = 1;		/* no mail: nothing to tell */
	else
		rc = agenda_mail_send(am, id, to, entry, am->day, ctx.tz, now);
	if (rc == -1)
		log_warnx("agenda: clinician %lld's mail of %s could not be "
		    "made", id, am->day);
	else
		log_info("agenda: clinician %lld's mail of %s %s", id,
		    am->day, rc == 1 ? "has nothing to tell" : "is on its way");
	json_decref(answer);
	ctx_clear(&ctx);
	free(to);
	return 1;
}

static void
agenda_mail_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct agenda_mail	*am = arg;
	const struct config	*conf = am->pd->conf;
	struct timeval		 now_tv = { 0, 0 };
	char			 day[16];
	time_t			 now = time(NULL), at;

	(void)fd;
	(void)what;
	if (!am->sending && conf->agenda.on) {
		at = agenda_mail_today(conf, now, day, sizeof(day));
		if (now >= at && strcmp(am->done, day) != 0) {
			memcpy(am->day, day, sizeof(am->day));
			memcpy(am->done, day, sizeof(am->done));
			am->after = 0;
			am->sending = 1;
		}
	}
	/* One clinician a turn: the loop serves others in between. */
	if (am->sending && agenda_mail_one(am, now)) {
		evtimer_add(am->timer, &now_tv);
		return;
	}
	am->sending = 0;
	agenda_mail_arm(am, now);
}

static void
agenda_mail_arm(struct agenda_mail *am, time_t now)
{
	const struct config	*conf = am->pd->conf;
	struct timeval		 tv = { AGENDA_MAIL_SWEEP, 0 };
	char			 day[16];
	time_t			 at;

	if (conf->agenda.on) {
		at = agenda_mail_today(conf, now, day, sizeof(day));
		if (at > now && at - now < AGENDA_MAIL_SWEEP)
			tv.tv_sec = at - now;
	}
	evtimer_add(am->timer, &tv);
}

struct agenda_mail *
agenda_mail_start(struct practiced *pd)
{
	struct agenda_mail	*am;
	time_t			 now = time(NULL);

	/* The last priority, as the outbox's: callers are served first. */
	if ((am = calloc(1, sizeof(*am))) == NULL ||
	    (am->timer = evtimer_new(pd->base, agenda_mail_on_timer,
	    am)) == NULL || event_priority_set(am->timer,
	    event_base_get_npriorities(pd->base) - 1) == -1) {
		if (am != NULL && am->timer != NULL)
			event_free(am->timer);
		free(am);
		log_warnx("agenda: cannot start the morning mail");
		return NULL;
	}
	am->pd = pd;
	/* Started after today's hour: today's is let pass, never late. */
	if (!pd->conf->agenda.on || now < agenda_mail_today(pd->conf, now,
	    am->done, sizeof(am->done)))
		am->done[0] = '\0';
	agenda_mail_arm(am, now);
	return am;
}

void
agenda_mail_stop(struct agenda_mail *am)
{
	if (am == NULL)
		return;
	event_free(am->timer);
	free(am);
}

void
agenda_mail_done(const struct send_result *r)
{
	long long	 id = -r->id - AGENDA_MAIL_IDS;

	if (r->outcome == SEND_SENT)
		log_info("agenda: clinician %lld's mail was sent", id);
	else
		log_warnx("agenda: clinician %lld's mail was not sent (%ld)",
		    id, r->code);
}
