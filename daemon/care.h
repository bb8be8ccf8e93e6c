/* A client's story of attendance (care.c), for report.c. */
#ifndef PRACTICED_CARE_H
#define PRACTICED_CARE_H

#include <stddef.h>
#include <time.h>

#include <sqlite3.h>

struct ctx;

/* A session's state as an enum care_state. */
#define CARE_STATE							\
    "CASE state WHEN 'attended' THEN 1 WHEN 'no-show' THEN 2"		\
    "  WHEN 'cancelled' THEN 3 ELSE 0 END"

/* The columns care_rows_add reads, first in its statement. */
#define CARE_COLUMNS							\
    "id, client_id, start_utc, " CARE_STATE ","			\
    "  coalesce(cancelled_by = 'client', 0), late != 0"

enum care_state { CARE_OPEN, CARE_ATTENDED, CARE_NO_SHOW, CARE_CANCELLED };

/* One session, as small as the story needs it. */
struct care_row {
	long long		 id;
	long long		 client;
	time_t			 start;
	unsigned char		 state;		/* enum care_state */
	unsigned char		 mine;		/* cancelled by the client */
	unsigned char		 late;
};

/* The rows read so far: grown by doubling. */
struct care_rows {
	struct care_row		*v;
	size_t			 n, size;
};

/* What the walk finds: counts over the rows, the streak, the last
 * session attended and the next one booked. */
struct care {
	int	 attended, no_show, cancelled, late, by_practice, upcoming;
	int	 streak;
	time_t	 last_attended;		/* 0: never */
	time_t	 next;			/* 0: none */
};

/* Appends the row of a statement selecting CARE_COLUMNS first. */
int	 care_rows_add(struct care_rows *, sqlite3_stmt *);
/* One client's rows, newest first, as of now: its story. */
void	 care_walk(const struct care_row *, size_t, time_t now,
	    struct care *);
/* All of one client's sessions (of one clinician; 0: any) into rows,
 * newest first; -1 on a database error. */
int	 care_read(struct ctx *, long long client, long long clinician,
	    struct care_rows *);
/* All of one client's sessions; -1 on a database error. */
int	 care_of(struct ctx *, long long client, struct care *);

#endif
