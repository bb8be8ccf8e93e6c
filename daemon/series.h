/*
 * Series: a rule in the clinician's zone, its occurrences stored as
 * appointments up to a rolling horizon, and the occurrences it skipped.
 */
#ifndef PRACTICED_SERIES_H
#define PRACTICED_SERIES_H

#include <time.h>

#include <jansson.h>

#include "protocol.h"

#include "appt.h"
#include "recur.h"
#include "tz.h"

struct ctx;
struct practiced;

struct series_def {
	long long	 id;
	long long	 clinician_id;
	long long	 client_id;
	long long	 service_id;
	long long	 room_id;		/* 0: none */
	char		 video[2049];
	int		 has_video;
	char		 rrule[RECUR_RULE_MAX];
	char		 zone[72];
	struct tz_wall	 first;			/* wall time in zone */
	time_t		 first_utc;
	int		 minutes;
	int		 buffer;
	time_t		 until_utc;		/* exclusive; 0: open */
	char		 until_date[16];	/* inclusive, for people */
	char		 state[12];
	long long	 parent_id;
	time_t		 materialized_until;
	time_t		 created, updated;
};

/* How a run of occurrences treats the ones that cannot be booked. */
enum series_mode {
	SERIES_REFUSE,		/* report them all; the caller rolls back */
	SERIES_SKIP,		/* leave them out and record why */
	SERIES_OVERLAP		/* book clashes anyway; skip closures */
};

struct series_run {
	enum series_mode	 mode;
	int			 force;		/* closures, hours */
	int			 check_hours;
	int			 booked;
	long long		 first_id;	/* first occurrence booked */
	int			 forced;
	int			 overlapped;
	int			 past;		/* outside[] is about the past */
	int			 moving;	/* placing existing sessions */
	json_t			*skipped;	/* [{start, local_start, ...}] */
	json_t			*problems;	/* in SERIES_REFUSE mode */
	char			 outside[480];	/* first outside hours */
};

int	 series_load(struct ctx *, long long id, struct series_def *);
int	 series_store(struct ctx *, struct series_def *);
json_t	*series_json(struct ctx *, long long id);
/* With a page of its sessions (see appt_list); NULL if it cannot be
 * read (no such series, or the error set). */
struct appt_cursor;
json_t	*series_show(struct ctx *, long long id, const struct appt_cursor *,
	    int limit, struct appt_cursor *next, int *more);
time_t	 series_horizon(struct ctx *);
/* Which series a list keeps: a client's, a clinician's (0: any),
 * active ones unless all. */
struct series_filter {
	long long	 client_id;
	long long	 clinician_id;
	int		 all;
};
#define SERIES_PAGE_MAX		PROTO_SERIES_PAGE_MAX
/* A page of them: see series.c.  NULL on a database error. */
json_t	*series_list(struct ctx *, const struct series_filter *,
	    long long after, int limit, long long *next, int *more);

void	 series_run_init(struct series_run *, enum series_mode);
void	 series_run_clear(struct series_run *);
/* Book occurrences from materialized_until up to (not including) to. */
int	 series_materialize(struct ctx *, struct series_def *, time_t to,
	    struct series_run *);
/* Check and place an existing occurrence at a new time (moves). */
int	 series_place(struct ctx *, struct series_def *,
	    long long appt_id, time_t start, struct series_run *);
/* Book again what a removed closure made series skip (SERIES_SKIP run). */
int	 series_closure_removed(struct ctx *, long long closure_id,
	    struct series_run *);
/* Answer 409/422 for a refused run; 0 when nothing was refused. */
int	 series_refusal(struct ctx *, struct series_run *, int total);

/* A series from its first session (series_scope.c). */
struct series_booking {
	struct appt_booking	 appt;		/* the first session */
	const char		*repeat;	/* "weekly", ... or an RRULE */
	long long		 count;		/* 0: none */
	const char		*until;		/* a date in ctx->tz, or NULL */
	int			 skip;		/* book what can be booked */
};

int	 series_book(struct ctx *, const struct series_booking *,
	    struct appt_result *);
/* A move or cancel with scope following or all, of the open row. */
int	 series_move(struct ctx *, const struct appt_row *,
	    const struct appt_change *, struct appt_result *);
int	 series_cancel(struct ctx *, const struct appt_row *,
	    enum appt_scope, const char *by, const char *reason,
	    struct appt_result *);

/*
 * The background extension of every active series to the horizon, one
 * transaction a series, as the context's actor.  series_extend goes on
 * from after *cursor for up to max series (0: all) and returns 1 when
 * some may remain (*cursor says where it stopped), 0 when all are done
 * (*cursor back to 0); *n counts the series it took.
 */
int	 series_extend(struct ctx *, long long *cursor, size_t max,
	    size_t *n);
/*
 * The same as the daemon itself ("practiced"), now: all at once when
 * whole (at start, before anyone is served), else for a turn of about
 * 50 ms.  1 when series remain for another turn soon.
 */
int	 series_extend_all(struct practiced *, int whole);

#endif
