/*
 * iCalendar imports: a file sent in parts, checked whole, then read
 * into the schedule in slices of the event loop, one transaction a
 * slice and one savepoint an event (import.c); what one event becomes
 * (import_event.c).
 */
#ifndef PRACTICED_IMPORT_H
#define PRACTICED_IMPORT_H

#include <sys/types.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct ctx;
struct practiced;
struct imports;

#define IMPORT_SLOTS		4	/* imports kept at once */
#define IMPORT_MAX_BYTES	(32u * 1024 * 1024)	/* a file */
#define IMPORT_IDLE		600	/* seconds an upload may rest */
/* Events a slice takes, for about this long; its commit (an fsync)
 * and the event under way when the time is up come on top. */
#define IMPORT_SLICE_MS		20
#define IMPORT_ITEMS_MAX	1000	/* report lines kept */
#define IMPORT_ID_MAX		1000000000

struct import_opts {
	long long	 clinician_id;	/* 0: from each ORGANIZER */
	int		 dry_run;
	int		 create_clients;
};

struct imports	*imports_new(struct practiced *);
void		 imports_free(struct imports *);

/* A new import of the caller's, waiting for its parts: *id. */
int	 import_create(struct ctx *, const struct import_opts *, int *id);
/* The next part of its file (the bytes as sent). */
int	 import_append(struct ctx *, int id, const void *, size_t);
/* Its file is whole: reading begins, on the loop. */
int	 import_start(struct ctx *, int id);
/* Where it is and what it did, with "wait" while it runs. */
/* The import's answer; its report's items once it has ended, or while
 * it runs when asked (a progress poll would dump them every time). */
json_t	*import_json(struct ctx *, int id, int items);
/* Bytes a part may hold, for a body under the configured limit. */
size_t	 import_part_max(struct ctx *);
/* An erased client: the reports kept (the last IMPORT_SLOTS) name her
 * as name, and a line's reason with her address says only that it was
 * erased. */
void	 imports_forget_client(struct imports *, long long client_id,
	    const char *name, const char *email);

/* import_event.c: one event (a master with its overrides) into the
 * schedule, in the caller's savepoint. */
struct import_job;
struct ical_event;
int	 import_event(struct import_job *, const struct ical_event *);

#endif
