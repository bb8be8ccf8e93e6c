/*
 * A watch on the folder of a file: the callback runs when an entry of
 * the folder is made, removed or renamed, or the folder itself goes
 * (once the changes pause), so that an idle daemon is woken only by a
 * change.  Where inotify cannot be
 * had, the callback runs every FSWATCH_POLL_SEC instead.
 */
#ifndef PRACTICED_FSWATCH_H
#define PRACTICED_FSWATCH_H

struct event_base;
struct fswatch;

#define FSWATCH_POLL_SEC	2
/* The callback runs once changes have paused this long. */
#define FSWATCH_SETTLE_MS	200

/* NULL when neither inotify nor a timer can be set up. */
struct fswatch	*fswatch_new(struct event_base *, const char *file,
		    void (*cb)(void *), void *arg);
/* Watch the folder again (after the callback made it anew). */
void		 fswatch_rearm(struct fswatch *);
void		 fswatch_free(struct fswatch *);

#endif
