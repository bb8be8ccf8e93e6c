/*
 * Folder watches through inotify, with a timer where it is missing (an
 * exhausted per-user limit of watches, a seccomp filter).
 */
#include <sys/inotify.h>

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "fswatch.h"
#include "log.h"

#define FSWATCH_EVENTS	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			 IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)

struct fswatch {
	char		*folder;
	int		 fd;		/* inotify, or -1: polling */
	int		 wd;
	struct event	*ev;
	struct event	*settle;	/* the callback, once changes pause */
	void		(*cb)(void *);
	void		*arg;
};

static void
fswatch_add(struct fswatch *w)
{
	/* The same folder gives the same wd; a new one (made again), a new
	 * wd, and the old one is gone with the old folder. */
	if ((w->wd = inotify_add_watch(w->fd, w->folder, FSWATCH_EVENTS))
	    == -1)
		log_warn("watch %s", w->folder);
}

static void
fswatch_on_inotify(evutil_socket_t fd, short what, void *arg)
{
	struct fswatch	*w = arg;
	char		 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));

	struct timeval	 tv = { 0, FSWATCH_SETTLE_MS * 1000 };

	(void)what;
	/* What changed matters less than that something did: drain it.  The
	 * callback waits for the changes to pause, so that it does not
	 * race a removal still under way (rm -r of the folder). */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	evtimer_add(w->settle, &tv);
}

static void
fswatch_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct fswatch	*w = arg;

	(void)fd;
	(void)what;
	w->cb(w->arg);
}

static int
fswatch_poll(struct fswatch *w, struct event_base *base)
{
	struct timeval	 tv = { FSWATCH_POLL_SEC, 0 };

	if ((w->ev = event_new(base, -1, EV_PERSIST, fswatch_on_timer, w))
	    == NULL || evtimer_add(w->ev, &tv) == -1)
		return -1;
	return 0;
}

struct fswatch *
fswatch_new(struct event_base *base, const char *file, void (*cb)(void *),
    void *arg)
{
	struct fswatch	*w;
	char		*copy;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (copy = strdup(file)) == NULL) {
		free(w);
		return NULL;
	}
	w->folder = strdup(dirname(copy));
	free(copy);
	w->cb = cb;
	w->arg = arg;
	w->wd = -1;
	if (w->folder == NULL) {
		fswatch_free(w);
		return NULL;
	}
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) != -1)
		fswatch_add(w);
	if (w->fd != -1 && w->wd != -1 &&
	    (w->settle = evtimer_new(base, fswatch_on_timer, w)) != NULL &&
	    (w->ev = event_new(base, w->fd, EV_READ | EV_PERSIST,
	    fswatch_on_inotify, w)) != NULL && event_add(w->ev, NULL) == 0)
		return w;
	log_warnx("watching %s every %d s: inotify is not available",
	    w->folder, FSWATCH_POLL_SEC);
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->settle != NULL)
		event_free(w->settle);
	w->ev = w->settle = NULL;
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
	if (fswatch_poll(w, base) == -1) {
		fswatch_free(w);
		return NULL;
	}
	return w;
}

void
fswatch_rearm(struct fswatch *w)
{
	if (w->fd != -1)
		fswatch_add(w);
}

void
fswatch_free(struct fswatch *w)
{
	if (w == NULL)
		return;
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->settle != NULL)
		event_free(w->settle);
	if (w->fd != -1)
		close(w->fd);
	free(w->folder);
	free(w);
}
