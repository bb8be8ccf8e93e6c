/*
 * An import's reader thread.  It scans the file and parses its events
 * (ical_read.c, libical) ahead of the loop, into a queue bounded in
 * items and bytes; the loop's slices take from it and only write.  A
 * loop that finds the queue empty ends its slice, and the thread wakes
 * it through a pipe once a batch is ready: neither side polls.  What
 * both threads use of libical and tz.c is safe for it (see tz.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "import_reader.h"
#include "log.h"
#include "thread.h"

#define READER_SCAN_STEP	(256u * 1024)	/* bytes between stop checks */

struct item {
	enum import_take	 kind;
	struct ical_event	*ev;
	struct ical_read_error	*err;		/* NULL: out of memory */
	size_t			 done, total;
	size_t			 bytes;
};

struct import_reader {
	struct ical_reader	*r;		/* the thread's while it runs */
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 room;		/* the thread waits for it */
	/* Under lock. */
	struct item		 q[IMPORT_READER_ITEMS];
	size_t			 head, n, bytes;
	int			 stopping;
	int			 thread_waits;	/* for room */
	int			 loop_waits;	/* for items */
	/* The loop's. */
	int			 fds[2];	/* the thread writes, loop reads */
	struct event		*wake;
	struct event		*slice;
};

/* What an event holds, roughly: the queue's bound in bytes. */
static size_t
event_bytes(const struct ical_event *ev)
{
	size_t	 n, i;

	n = sizeof(*ev) + ev->nattendees * sizeof(*ev->attendees) +
	    (ev->nrdates + ev->nexdates) * sizeof(struct ical_time);
	for (i = 0; i < ev->noverrides; i++)
		n += event_bytes(&ev->overrides[i]);
	return n;
}

static void
item_free(struct item *it)
{
	ical_event_free(it->ev);
	free(it->err);
	memset(it, 0, sizeof(*it));
}

static int
queue_full(const struct import_reader *rd)
{
	return rd->n == IMPORT_READER_ITEMS || rd->bytes >= IMPORT_READER_BYTES;
}

static void
reader_wake_loop(struct import_reader *rd)
{
	ssize_t	 n;

	/* A full pipe already holds a wake-up. */
	do
		n = write(rd->fds[1], "x", 1);
	while (n == -1 && errno == EINTR);
}

/*
 * The thread's part: an item into the queue, once there is room.  The
 * loop is woken if it waits and a batch is there, the queue is full or
 * the item ends something.  -1 when stopping (the item is freed).
 */
static int
reader_put(struct import_reader *rd, struct item *it)
{
	int	 wake;

	if (it->ev != NULL)
		it->bytes = event_bytes(it->ev);
	pthread_mutex_lock(&rd->lock);
	while (!rd->stopping && queue_full(rd)) {
		rd->thread_waits = 1;
		pthread_cond_wait(&rd->room, &rd->lock);
	}
	if (rd->stopping) {
		pthread_mutex_unlock(&rd->lock);
		item_free(it);
		return -1;
	}
	rd->q[(rd->head + rd->n++) % IMPORT_READER_ITEMS] = *it;
	rd->bytes += it->bytes;
	wake = rd->loop_waits && (rd->n >= IMPORT_READER_BATCH ||
	    queue_full(rd) || (it->kind != IMPORT_TAKE_EVENT &&
	    it->kind != IMPORT_TAKE_SKIPPED));
	if (wake)
		rd->loop_waits = 0;
	pthread_mutex_unlock(&rd->lock);
	if (wake)
		reader_wake_loop(rd);
	return 0;
}

static int
reader_put_error(struct import_reader *rd, enum import_take kind,
    const struct ical_read_error *err)
{
	struct item	 it;

	memset(&it, 0, sizeof(it));
	it.kind = kind;
	if ((it.err = malloc(sizeof(*it.err))) != NULL)
		*it.err = *err;
	ical_read_progress(rd->r, &it.done, &it.total);
	return reader_put(rd, &it);
}

static int
reader_stopping(struct import_reader *rd)
{
	int	 stop;

	pthread_mutex_lock(&rd->lock);
	stop = rd->stopping;
	pthread_mutex_unlock(&rd->lock);
	return stop;
}

static void *
reader_main(void *arg)
{
	struct import_reader	*rd = arg;
	struct ical_read_error	 err;
	struct item		 it;
	int			 rc;

	memset(&err, 0, sizeof(err));
	while ((rc = ical_read_scan(rd->r, READER_SCAN_STEP, &err)) == 1)
		if (reader_stopping(rd))
			return NULL;
	if (rc == -1) {
		(void)reader_put_error(rd, IMPORT_TAKE_REFUSED, &err);
		return NULL;
	}
	memset(&it, 0, sizeof(it));
	it.kind = IMPORT_TAKE_SCANNED;
	ical_read_progress(rd->r, &it.done, &it.total);
	if (reader_put(rd, &it) == -1)
		return NULL;
	for (;;) {
		memset(&err, 0, sizeof(err));
		memset(&it, 0, sizeof(it));
		rc = ical_read_next(rd->r, &it.ev, &err);
		if (rc == -1 || rc == -2) {
			if (reader_put_error(rd, rc == -1 ? IMPORT_TAKE_SKIPPED :
			    IMPORT_TAKE_REFUSED, &err) == -1 || rc == -2)
				return NULL;
			continue;
		}
		it.kind = rc == 1 ? IMPORT_TAKE_EVENT : IMPORT_TAKE_END;
		ical_read_progress(rd->r, &it.done, &it.total);
		if (reader_put(rd, &it) == -1 || rc == 0)
			return NULL;
	}
}

/* The loop's part: the thread has a batch, the slice goes on. */
static void
reader_on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct import_reader	*rd = arg;
	struct timeval		 tv = { 0, 0 };
	char			 buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (evtimer_add(rd->slice, &tv) == -1)
		log_warnx("import: cannot go on with a reader's events");
}

enum import_take
import_reader_take(struct import_reader *rd, struct ical_event **ev,
    struct ical_read_error *err, size_t *done, size_t *total)
{
	struct item	 it;

	*ev = NULL;
	pthread_mutex_lock(&rd->lock);
	if (rd->n == 0) {
		rd->loop_waits = 1;
		pthread_mutex_unlock(&rd->lock);
		return IMPORT_TAKE_NONE;
	}
	it = rd->q[rd->head];
	rd->head = (rd->head + 1) % IMPORT_READER_ITEMS;
	rd->n--;
	rd->bytes -= it.bytes;
	/* Room for many at once: the thread is not woken item by item. */
	if (rd->thread_waits && rd->n <= IMPORT_READER_ITEMS / 2 &&
	    rd->bytes <= IMPORT_READER_BYTES / 2) {
		rd->thread_waits = 0;
		pthread_cond_signal(&rd->room);
	}
	pthread_mutex_unlock(&rd->lock);
	*done = it.done;
	*total = it.total;
	*ev = it.ev;
	if (it.kind == IMPORT_TAKE_SKIPPED || it.kind == IMPORT_TAKE_REFUSED) {
		memset(err, 0, sizeof(*err));
		if (it.err != NULL)
			*err = *it.err;
		else
			snprintf(err->reason, sizeof(err->reason), "out of memory");
		free(it.err);
	}
	return it.kind;
}

/* What the reader holds, freed: its thread joined or never started. */
static void
reader_free(struct import_reader *rd)
{
	while (rd->n > 0) {
		item_free(&rd->q[rd->head]);
		rd->head = (rd->head + 1) % IMPORT_READER_ITEMS;
		rd->n--;
	}
	if (rd->wake != NULL)
		event_free(rd->wake);
	if (rd->fds[0] != -1) {
		close(rd->fds[0]);
		close(rd->fds[1]);
	}
	pthread_cond_destroy(&rd->room);
	pthread_mutex_destroy(&rd->lock);
	ical_read_close(rd->r);
	free(rd);
}

struct import_reader *
import_reader_start(struct event_base *base, struct ical_reader *r,
    struct event *slice)
{
	struct import_reader	*rd;
	int			 low = event_base_get_npriorities(base) - 1;

	if ((rd = calloc(1, sizeof(*rd))) == NULL) {
		ical_read_close(r);
		return NULL;
	}
	if (pthread_mutex_init(&rd->lock, NULL) != 0) {
		free(rd);
		ical_read_close(r);
		return NULL;
	}
	if (pthread_cond_init(&rd->room, NULL) != 0) {
		pthread_mutex_destroy(&rd->lock);
		free(rd);
		ical_read_close(r);
		return NULL;
	}
	rd->r = r;
	rd->slice = slice;
	/* Nothing is taken before the scan's end: that wakes the loop. */
	rd->loop_waits = 1;
	if (pipe2(rd->fds, O_NONBLOCK | O_CLOEXEC) == -1)
		rd->fds[0] = rd->fds[1] = -1;
	else if ((rd->wake = event_new(base, rd->fds[0], EV_READ | EV_PERSIST,
	    reader_on_wake, rd)) != NULL && event_priority_set(rd->wake,
	    low) == 0 && event_add(rd->wake, NULL) == 0 &&
	    thread_start(&rd->thread, reader_main, rd) == 0)
		return rd;
	reader_free(rd);
	return NULL;
}

void
import_reader_stop(struct import_reader *rd)
{
	if (rd == NULL)
		return;
	pthread_mutex_lock(&rd->lock);
	rd->stopping = 1;
	pthread_cond_signal(&rd->room);
	pthread_mutex_unlock(&rd->lock);
	pthread_join(rd->thread, NULL);
	reader_free(rd);
}
