/*
 * The day at a glance, per clinician (agenda.c): the day's sessions,
 * those not yet confirmed, failed deliveries for sessions ahead, clients
 * whose series ends in the day's week and clients falling out of care.
 * agenda_mail.c sends each clinician theirs in the morning.
 */
#ifndef PRACTICED_AGENDA_H
#define PRACTICED_AGENDA_H

#include <jansson.h>

struct ctx;
struct appt_cursor;

/* Clinicians a page holds: each costs a scan of their sessions (the
 * falling-out-of-care report), a few ms on 100,000. */
#define AGENDA_PAGE		5
/* Rows of one list of one clinician at most ("more" says if cut). */
#define AGENDA_MAX		200

/*
 * The agenda of day (a date in ctx->tz, "today", "tomorrow"; NULL:
 * today) for one clinician (0: every active one, a page of AGENDA_PAGE
 * after the cursor's id, *more and next set when others follow).  NULL
 * with the error set.
 */
json_t	*agenda_day(struct ctx *, long long clinician_id, const char *day,
	    const struct appt_cursor *after, struct appt_cursor *next,
	    int *more);

#endif
