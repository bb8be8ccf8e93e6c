/*
 * Calendar feeds: a clinician's schedule as iCalendar at a secret
 * address, for the calendar app on their phone.  feed.c is the domain
 * (add, list, rotate, revoke, the text a feed serves); feed_serve.c the
 * optional TCP listener that serves GET /feed/TOKEN.ics.
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
/* The feed's calendar, appended to out; -1 with the error set. */
int	 feed_calendar(struct ctx *, const struct feed_found *,
	    struct strbuf *out);
/*
 * A fetch, recorded: when, from where, by what; and when the text's
 * ETag is new, since when (f->changed, updated).  Its own transaction.
 */
int	 feed_record_fetch(struct ctx *, struct feed_found *f,
	    const char *etag, const char *address, const char *agent);

/* feed_serve.c: the listener, started only when [feeds] listen is set. */
struct feeds;
struct feeds	*feeds_start(struct practiced *);	/* fatal on failure */
/* After a reload: rebind if listen changed, or start, or stop. */
void		 feeds_reconfigure(struct practiced *);
void		 feeds_free(struct feeds *);

#endif
