/*
 * Series: a rule in the clinician's zone, its occurrences stored as
 * appointments up to a rolling horizon, and the occurrences it skipped.
 */
#ifndef PRACTICED_SERIES_H
#define PRACTICED_SERIES_H

#include <time.h>

#include <jansson.h>

#include "recur.h"
#include "tz.h"

struct api_req;
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

int	 series_load(struct api_req *, long long id, struct series_def *);
int	 series_store(struct api_req *, struct series_def *);
json_t	*series_json(struct api_req *, long long id, int with_appointments);
time_t	 series_horizon(struct api_req *);

void	 series_run_init(struct series_run *, enum series_mode);
void	 series_run_clear(struct series_run *);
/* Book occurrences from materialized_until up to (not including) to. */
int	 series_materialize(struct api_req *, struct series_def *, time_t to,
	    struct series_run *);
/* Check and place an existing occurrence at a new time (moves). */
int	 series_place(struct api_req *, struct series_def *,
	    long long appt_id, time_t start, struct series_run *);
/* Book again what a removed closure made series skip (SERIES_SKIP run). */
int	 series_closure_removed(struct api_req *, long long closure_id,
	    struct series_run *);
/* Answer 409/422 for a refused run; 0 when nothing was refused. */
int	 series_refusal(struct api_req *, struct series_run *, int total);

/* The series side of the appointment handlers (api_series.c). */
struct series_booking {
	long long	 clinician_id, client_id, service_id, room_id;
	const char	*video;
	const char	*zone;		/* the clinician's */
	time_t		 start;
	int		 minutes, buffer;
	int		 force, overlap;
};

struct series_change {
	int		 following;	/* else all */
	long long	 clinician_id;	/* 0: unchanged */
	long long	 room_id;	/* 0: unchanged, -1: none */
	int		 force, overlap, skip;
};

void	 api_series_book(struct api_req *, const struct series_booking *);
int	 api_series_move(struct api_req *, long long appt_id,
	    long long series_id, time_t recurrence, time_t new_start,
	    const struct series_change *);
int	 api_series_cancel(struct api_req *, long long appt_id,
	    long long series_id, time_t start, time_t recurrence,
	    int following, const char *by, const char *reason);

/* The background extension of every active series to the horizon. */
void	 series_extend_all(struct practiced *);

#endif
