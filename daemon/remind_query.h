/*
 * The outbox as its readers see it: the reminders by state and due time
 * in pages, every reminder of one appointment with its delivery attempts,
 * each session's reminder state for the list, and a retry asked by staff.
 */
#ifndef PRACTICED_REMIND_QUERY_H
#define PRACTICED_REMIND_QUERY_H

#include <time.h>

#include <jansson.h>

#include "appt.h"

struct ctx;

/* Rows of one page at most, and by default. */
#define REMIND_PAGE_MAX		500
#define REMIND_PAGE_DEFAULT	100
/* How far ahead a window of due times may reach, in seconds. */
#define REMIND_WINDOW_MAX	(366 * 86400)

/* A page's cursor is an appointment list's: (due, id) here. */
struct remind_filter {
	const char	*state;		/* NULL: every state but superseded */
	time_t		 until;		/* > 0: due from now up to until */
	const struct appt_cursor *after;	/* NULL: from the first */
	int		 limit;

	/* Out: another page follows this one, after next. */
	int		 more;
	struct appt_cursor next;
};

/* Whether state is one of the outbox's states. */
int	 remind_state_valid(const char *);

/* One page, due time then id order; NULL on a database error. */
json_t	*remind_query_list(struct ctx *, struct remind_filter *);

/* Every reminder of the appointment, superseded ones too, oldest first,
 * each with its "deliveries"; NULL with the error set. */
json_t	*remind_query_explain(struct ctx *, long long appt_id);

/* One reminder; NULL with the error set (not_found). */
json_t	*remind_query_one(struct ctx *, long long id);

/*
 * Sets "reminders" of each appointment of the array: the count of its
 * current reminders by state ({"pending": 2}), in one query for them all.
 * -1 with the error set.
 */
int	 remind_query_counts(struct ctx *, json_t *appointments);

/*
 * The outbox at a glance, for the status: how many wait and when the next
 * is due, how many failed for sessions still ahead, and where email and
 * SMS go (a provider, or the outbox folder).  NULL on a database error.
 */
json_t	*remind_query_summary(struct ctx *);

/*
 * A failed or expired reminder of the session as it is now, still open and
 * ahead, pending again and due now; audited, and the outbox re-armed on
 * commit.  Inside the caller's transaction; -1 with the error set.
 */
int	 remind_retry(struct ctx *, long long id);

#endif
