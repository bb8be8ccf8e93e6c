/*
 * Fetching busy calendars: a timer per calendar on its interval, the
 * transfer on a sender thread of its own (send.h), the text read in
 * slices on the loop (busy_read.h), and the calendar's blocks replaced
 * in one transaction.  A failed fetch keeps the last good blocks.
 */
#ifndef PRACTICED_BUSY_FETCH_H
#define PRACTICED_BUSY_FETCH_H

#include <jansson.h>

struct busy_fetch;
struct ctx;
struct practiced;

struct busy_fetch *busy_fetch_start(struct practiced *);
void	 busy_fetch_stop(struct busy_fetch *);
/*
 * The calendars as the database has them now: new ones are fetched at
 * once, removed ones forgotten.  For db_after_commit (arg: the
 * struct busy_fetch) after an add or a remove.
 */
void	 busy_fetch_sync(void *);
/*
 * A fetch of calendar id asked for (busy_cal_refresh checked it): the
 * one under way is followed by another.  *fetch is the number that
 * busy_fetch_result waits on.
 */
int	 busy_fetch_refresh(struct ctx *, long long id, unsigned *fetch);
/*
 * How fetch number fetch of calendar id went: 1 with *result
 * ({"ok", "detail", "blocks", "skipped"}) when it is over, 0 while it
 * is under way, -1 with the error set when there is no such fetch.
 */
int	 busy_fetch_result(struct ctx *, long long id, unsigned fetch,
	    json_t **result);

#endif
