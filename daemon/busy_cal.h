/*
 * Busy calendars: a clinician's private calendar at a secret address,
 * whose events block her time (busy.h).  The rows and their rules
 * here; fetching them is busy_fetch.c's.
 */
#ifndef PRACTICED_BUSY_CAL_H
#define PRACTICED_BUSY_CAL_H

#include <stddef.h>

#include <jansson.h>

struct ctx;

/* How often a calendar is fetched: 5 minutes to a day, 15 by default. */
#define BUSY_EVERY_MIN		300
#define BUSY_EVERY_MAX		86400
#define BUSY_EVERY_DEFAULT	900
/* Calendars in all, and a fetch's bounds. */
#define BUSY_CALENDARS_MAX	200
#define BUSY_FETCH_BYTES	(10u * 1024 * 1024)
#define BUSY_FETCH_SECONDS	30
#define BUSY_FETCH_REDIRECTS	3L

/*
 * The address as it may be shown or logged: its scheme and host, the
 * rest (which holds the secret) as "…".
 */
void	 busy_cal_redact(const char *url, char *buf, size_t len);
/* https, or plain http to this machine (1 in *http): -1 and why. */
int	 busy_cal_url_check(const char *url, int *http, char *why,
	    size_t len);
/* "15m", "2h", "900" (seconds) within the bounds; -1 and why. */
int	 busy_cal_every(const char *s, int *seconds, char *why, size_t len);

/* Each returns -1 with the error set; in the caller's transaction. */
int	 busy_cal_add(struct ctx *, long long clinician_id, const char *url,
	    int every, long long *id);
/* The calendar and its blocks; audited. */
int	 busy_cal_remove(struct ctx *, long long id);
/* A refresh asked for: checked (found, clinician active) and audited. */
int	 busy_cal_refresh(struct ctx *, long long id);

/* The row as answered (the address redacted); NULL when there is none. */
json_t	*busy_cal_json(struct ctx *, long long id);
json_t	*busy_cal_list(struct ctx *);

#endif
