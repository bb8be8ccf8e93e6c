/*
 * The day at a glance, per clinician (agenda.c): the day's sessions,
 * those not yet confirmed, the past days' sessions not yet marked,
 * failed deliveries for sessions ahead, clients whose series ends in the
 * day's week and clients falling out of care.
 * agenda_mail.c sends each clinician theirs in the morning.
 */
#ifndef PRACTICED_AGENDA_H
#define PRACTICED_AGENDA_H

#include <jansson.h>

struct ctx;
struct appt_cursor;

/* Clinicians a page holds: each costs the attendance report of their
 * sessions (clients falling out of care), some 30 ms of the loop with
 * 100,000 appointments among 20 clinicians. */
#define AGENDA_PAGE		2
/* Rows of one list of one clinician at most ("more" says if cut). */
#define AGENDA_MAX		200
/* How far back sessions left unmarked are listed, in days. */
#define AGENDA_UNMARKED_DAYS	14

/*
 * The agenda of day (a date in ctx->tz, "today", "tomorrow"; NULL:
 * today) for one clinician (0: every active one, a page of AGENDA_PAGE
 * after the cursor's id, *more and next set when others follow).  NULL
 * with the error set.
 */
json_t	*agenda_day(struct ctx *, long long clinician_id, const char *day,
	    const struct appt_cursor *after, struct appt_cursor *next,
	    int *more);

/*
 * agenda_mail.c: with [agenda] send_at, each active clinician with an
 * email gets the day's agenda at that time of the practice's day, by
 * client initials only, through [smtp] (or into the outbox folder).
 * A morning the daemon did not run at send_at gets none.  The sender's
 * results for these mails have ids of -AGENDA_MAIL_IDS and below.
 */
#define AGENDA_MAIL_IDS		(1LL << 40)
struct agenda_mail;
struct practiced;
struct send_result;
struct agenda_mail *agenda_mail_start(struct practiced *);
void	 agenda_mail_stop(struct agenda_mail *);
void	 agenda_mail_done(const struct send_result *);
/* The mail's text for one clinician's agenda (a day's answer's entry);
 * NULL when out of memory. */
char	*agenda_mail_text(const char *day, const char *tz, json_t *entry);

#endif
