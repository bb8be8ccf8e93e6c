/*
 * What import.c and import_event.c share: one import under way and its
 * report.
 */
#ifndef PRACTICED_IMPORT_INT_H
#define PRACTICED_IMPORT_INT_H

#include <sys/types.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "ctx.h"
#include "import.h"

struct event;
struct ical_reader;

enum import_state {
	IMPORT_FREE = 0,
	IMPORT_UPLOADING,	/* waiting for its parts */
	IMPORT_READING,		/* the whole file checked, in slices */
	IMPORT_IMPORTING,	/* events into the schedule, in slices */
	IMPORT_DONE,
	IMPORT_REFUSED		/* the file cannot be read: nothing done */
};

/* What became of an occurrence, as the report counts it. */
enum import_outcome {
	IMPORT_ADDED,
	IMPORT_UPDATED,
	IMPORT_CANCELLED,
	IMPORT_UNCHANGED,
	IMPORT_SKIPPED,
	IMPORT_NOUTCOMES
};

struct import_job {
	struct imports		*owner;
	struct practiced	*pd;
	int			 id;
	enum import_state	 state;
	struct import_opts	 opts;
	uid_t			 uid;		/* who made it */
	char			 user[64];
	char			 zone[72];	/* for floating times */
	time_t			 touched;

	char			*buf;
	size_t			 len, cap;
	size_t			 size;		/* the file's, once read */
	struct ical_reader	*reader;
	struct event		*slice;

	/* The slice's context (actor "import"). */
	struct ctx		 ctx;

	/* The report. */
	size_t			 count[IMPORT_NOUTCOMES];
	size_t			 clashes, clients_added, services_added;
	size_t			 done, total;
	json_t			*items;
	json_t			*dry_clients;	/* emails a dry run made */
	size_t			 items_dropped;
	int			 refused_line;
	char			 refused[320];
	long			 longest_slice_ms;
	long			 longest_slice_cpu_ms;
	time_t			 started, finished;
};

/* A line of the report: an occurrence's outcome, and why. */
void	 import_note(struct import_job *, enum import_outcome,
	    const char *uid, int line, time_t occurrence, const char *what,
	    long long id, int clash, const char *fmt, ...)
	    __attribute__((format(printf, 9, 10)));

#endif
