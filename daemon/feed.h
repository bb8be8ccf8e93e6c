/*
 * Calendar feeds: a clinician's schedule as iCalendar at a secret
 * address, for the calendar app on their phone.  feed.c is the domain
 * (add, list, rotate, revoke, the text a feed serves); feed_serve.c the
 * optional TCP listener, and feed_answer.c its GET /feed/TOKEN.ics.
 */
#ifndef PRACTICED_FEED_H
#define PRACTICED_FEED_H

#include <time.h>

#include <jansson.h>

#include "feed_token.h"
#include "ical_export.h"

struct config;
struct ctx;
struct practiced;
struct strbuf;

/*
 * The window a feed covers, from the start of the day so many days ago
 * in the practice's zone: calendar apps keep what they fetched before,
 * so the recent past is enough, and a year and a month ahead covers
 * the furthest a clinician plans.  Within export's bounds.
 */
#define FEED_PAST_DAYS		60
#define FEED_AHEAD_DAYS		400
/* How often a calendar app should fetch again (REFRESH-INTERVAL). */
#define FEED_REFRESH_MINUTES	15
#define FEED_AGENT_MAX		200	/* bytes of User-Agent kept */

/* A feed found by its token, for serving. */
struct feed_found {
	long long		 id;
	long long		 clinician_id;
	enum export_detail	 detail;
	char			 etag[FEED_ETAG_LEN + 1];	/* "" if none */
	time_t			 changed;
};

/* Each returns -1 with the error set in ctx; writes run in the caller's
 * transaction.  secret gets the new token, shown once. */
int	 feed_add(struct ctx *, long long clinician_id, enum export_detail,
	    long long *id, struct feed_secret *secret);
int	 feed_rotate(struct ctx *, long long id, struct feed_secret *secret);
int	 feed_revoke(struct ctx *, long long id);
/* The feed as JSON, never with its token; NULL if none (error set). */
json_t	*feed_json(struct ctx *, long long id);
json_t	*feed_list(struct ctx *);
/* The address to subscribe to, malloc'ed: [feeds] url, or http://LISTEN. */
char	*feed_url(const struct config *, const char *token);

/* 0 and the feed if secret opens a feed that is not revoked, else -1. */
int	 feed_find(struct ctx *, const struct feed_secret *,
	    struct feed_found *);
/* The window of a feed's text at ctx->now (see FEED_PAST_DAYS). */
void	 feed_window(struct ctx *, time_t *from, time_t *to);
/* The feed's calendar, appended to out; -1 with the error set. */
int	 feed_calendar(struct ctx *, const struct feed_found *,
	    struct strbuf *out);

/* Fetches of one feed since the last were stored, and its text's tag. */
struct feed_fetch {
	long long	 id;
	int		 count;
	time_t		 at;		/* the last one */
	const char	*address;
	const char	*agent;		/* kept as given: cut and cleaned here */
	const char	*etag;
	time_t		 changed;	/* since when the text has had etag */
};
/* Stored in the caller's transaction; -1 with the error set. */
int	 feed_store_fetch(struct ctx *, const struct feed_fetch *);

/* feed_serve.c: the listener, started only when [feeds] listen is set. */
struct feeds;
struct feeds	*feeds_start(struct practiced *);	/* fatal on failure */
/* After a reload: rebind if listen changed, or start, or stop. */
void		 feeds_reconfigure(struct practiced *);
/*
 * Store the fetches the listener holds (it writes them every 30 s, not
 * at each fetch), and forget what it knows of feed id (0: of none): for
 * a list that is up to date, and before a rotation or a revocation.
 */
void		 feeds_sync(struct practiced *, long long id);
void		 feeds_free(struct feeds *);	/* stores the fetches */

#endif
