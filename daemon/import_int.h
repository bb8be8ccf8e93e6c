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
#include "ical_read.h"
#include "import.h"

struct event;
struct import_reader;

enum import_state {
	IMPORT_FREE = 0,
	IMPORT_UPLOADING,	/* waiting for its parts */
	IMPORT_READING,		/* the whole file checked, on its thread */
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
	struct import_reader	*reader;	/* its thread, while it runs */
	struct event		*slice;
	int			 waiting;	/* the slice, for the reader */

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
	/* Lookups remembered (import_memo.c), and the database as the
	 * last slice left it. */
	json_t			*memo;
	long long		 memo_changes;
	unsigned		 memo_version;
	size_t			 memo_made;	/* clients, services made */
	struct facts		*facts;		/* on ctx while a slice runs */
};

/* Whose an event is, found once for all its occurrences. */
struct whose {
	long long	 clinician_id;
	char		 zone[72];
	char		 email[ICAL_READ_EMAIL_MAX + 1];
	long long	 client_id;
	int		 busy;
	long long	 series_id;	/* imported as this series */
	int		 fresh;		/* which this import made */
	char		 single[200];	/* why a rule made no series */
};

/* What one occurrence is to become. */
struct want {
	const struct ical_event	*ev;		/* master or override */
	time_t			 occurrence;	/* 0: a lone event */
	time_t			 start, end;
	int			 cancelled;
	char			 hash[24];
};

/* import_event.c, for import_series.c too. */
void	 import_want_hash(const struct whose *, struct want *);
/* The id a one-column query of one text gives, 0 for none. */
int	 import_id_by_text(struct ctx *, const char *sql, const char *,
	    long long *);
int	 import_map_put(struct ctx *, const char *uid, time_t occurrence,
	    long long clinician, long long appt_id, long long busy_id,
	    int sequence, const char *hash, int clash);
/* A service of the session's length, made when there is none. */
int	 import_service_for(struct import_job *, int minutes, long long *);

/* import_series.c: the series the event was imported as before, or one
 * made of it: 0 with w->series_id set, 1 when it is no series, -1 on
 * error. */
int	 import_series_of(struct import_job *, struct whose *,
	    const struct ical_event *);

/* import_memo.c: lookups by text remembered while only the import
 * writes. */
#define IMPORT_MEMO_MAX		20000	/* entries, then forgotten */
int	 import_memo_get(struct import_job *, const char *kind,
	    const char *text, long long *);
void	 import_memo_put(struct import_job *, const char *kind,
	    const char *text, long long);
void	 import_memo_made(struct import_job *, const char *kind,
	    const char *text, long long);
void	 import_memo_drop(struct import_job *);
int	 import_memo_clients(struct import_job *);
int	 import_memo_get_pair(struct import_job *, const char *kind,
	    long long, char *, size_t, char *, size_t);
void	 import_memo_put_pair(struct import_job *, const char *kind,
	    long long, const char *, const char *);
void	 import_memo_enter(struct import_job *);
void	 import_memo_leave(struct import_job *);
/* A line of the report: an occurrence's outcome, and why.  The line
 * (the report's own) when it is kept, for import_note_place. */
json_t	*import_note(struct import_job *, enum import_outcome,
	    const char *uid, int line, time_t occurrence, const char *what,
	    long long id, int clash, const char *fmt, ...)
	    __attribute__((format(printf, 9, 10)));
/* import_place.c: when the line's occurrence is, in the importer's
 * zone, and whose (the clinician, and the client of a session): what a
 * dry run is read for.  item may be NULL. */
void	 import_note_place(struct import_job *, json_t *item,
	    long long clinician_id, long long client_id, time_t start,
	    time_t end, time_t occurrence);

#endif
