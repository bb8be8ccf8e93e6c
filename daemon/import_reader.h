/*
 * An import's file read on a thread of its own, ahead of the loop that
 * writes its events: the scan, then the events, into a bounded queue.
 */
#ifndef PRACTICED_IMPORT_READER_H
#define PRACTICED_IMPORT_READER_H

#include <stddef.h>

#include "ical_read.h"

struct event;
struct event_base;
struct import_reader;

/* At most this much waits in the queue (one item more may come). */
#define IMPORT_READER_ITEMS	512
#define IMPORT_READER_BYTES	(4u * 1024 * 1024)
/* A loop that waits is woken for this many items, or the end. */
#define IMPORT_READER_BATCH	64

enum import_take {
	IMPORT_TAKE_NONE,	/* nothing yet: slice wakes when there is */
	IMPORT_TAKE_SCANNED,	/* the file is whole and indexed */
	IMPORT_TAKE_REFUSED,	/* it cannot be read (err) */
	IMPORT_TAKE_EVENT,	/* *ev, the caller's to free */
	IMPORT_TAKE_SKIPPED,	/* an event not read (err) */
	IMPORT_TAKE_END
};

/*
 * A thread reads r (taken, closed with the reader, even when NULL is
 * returned); slice is made pending when the loop has waited and items
 * came.  slice stays the caller's and must outlive the reader.
 */
struct import_reader *import_reader_start(struct event_base *,
	    struct ical_reader *r, struct event *slice);
/*
 * The next item, in the file's order, and the UIDs done and in all
 * (progress as ical_read_progress gives it) once it is taken.
 * IMPORT_TAKE_NONE means the caller should end its slice.
 */
enum import_take import_reader_take(struct import_reader *,
	    struct ical_event **ev, struct ical_read_error *err,
	    size_t *done, size_t *total);
/* Stops the thread (between two steps), joins it, frees all. */
void	 import_reader_stop(struct import_reader *);

#endif
