/*
 * Appointments: the row, its JSON and its only writers (appt.c), the
 * booking rules for one appointment (appt_rules.c), and what callers
 * ask of the schedule and get back (book.c, series_scope.c).
 */
#ifndef PRACTICED_APPT_H
#define PRACTICED_APPT_H

#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "busy.h"
#include "closure.h"
#include "schedule.h"

struct ctx;

/* The columns appt_row_json reads, and the joins they come from; the
 * last ones are what attention.c asks of a session. */
#define APPT_COLUMNS							\
	"a.id, a.start_utc, a.end_utc, a.block_end_utc, a.zone, a.state,"\
	" a.cancelled_by, a.late, a.cancel_reason, a.forced, a.overlap,"\
	" a.version, a.created, a.updated, a.video_url,"		\
	" c.id, c.name, cl.id, cl.name, s.id, s.name, r.id, r.name,"	\
	" a.series_id, a.recurrence_utc, a.override,"			\
	" c.zone, c.active, cl.active, r.active,"			\
	" CASE WHEN a.state IN ('booked','confirmed') THEN EXISTS"	\
	"  (SELECT 1 FROM closures k WHERE "				\
	CLOSURE_COVERS("a.start_utc", "a.end_utc", "a.clinician_id")	\
	") ELSE 0 END,"							\
	" CASE WHEN a.state IN ('booked','confirmed') THEN EXISTS"	\
	"  (SELECT 1 FROM busy_blocks b WHERE "				\
	BUSY_COVERS("a.start_utc", "a.end_utc", "a.clinician_id")	\
	") ELSE 0 END,"							\
	" CASE WHEN a.state IN ('booked','confirmed') THEN EXISTS"	\
	"  (SELECT 1 FROM import_map m WHERE m.appointment_id = a.id"	\
	"  AND m.clash = 1) ELSE 0 END"
#define APPT_FROM							\
	" FROM appointments a"						\
	" JOIN clinicians c ON c.id = a.clinician_id"			\
	" JOIN clients cl ON cl.id = a.client_id"			\
	" JOIN services s ON s.id = a.service_id"			\
	" LEFT JOIN rooms r ON r.id = a.room_id"

struct appt_new {
	long long	 clinician_id;
	long long	 client_id;
	long long	 service_id;
	long long	 room_id;	/* 0: none */
	const char	*video;
	time_t		 start, end, block_end;
	const char	*zone;
	int		 forced;
	int		 overlap;
	long long	 series_id;	/* 0: a one-off */
	time_t		 recurrence;	/* RECURRENCE-ID, in a series */
};

/* A session to book: who, what, where, when. */
struct appt_booking {
	long long	 client_id;
	long long	 clinician_id;
	long long	 service_id;
	long long	 room_id;	/* 0: none */
	const char	*video;		/* NULL: none */
	time_t		 start;
	int		 force;		/* past, hours, closures */
	int		 overlap;	/* clashes */
};

enum appt_scope {
	APPT_THIS,
	APPT_FOLLOWING,		/* this and the later ones of its series */
	APPT_ALL		/* every session of its series to come */
};

/* A move: only what is given changes. */
struct appt_change {
	time_t		 start;
	int		 same_time;	/* start unused: the time stays */
	enum appt_scope	 scope;
	long long	 clinician_id;	/* 0: unchanged */
	long long	 room_id;	/* 0: unchanged, -1: none */
	int		 video_given;	/* else unchanged */
	const char	*video;		/* NULL: none */
	int		 force;
	int		 overlap;
	int		 skip;		/* a series books what it can */
};

/* What a change did, for the caller's answer. */
struct appt_result {
	long long	 appt_id;	/* booked (the first), or the one named */
	long long	 series_id;	/* its series, 0: none */
	int		 count;		/* sessions booked, moved or cancelled */
	int		 overlap;	/* a single booking over another */
	json_t		*skipped;	/* a series' left-out sessions, or NULL */
	json_t		*warnings;	/* or NULL */
	json_t		*changed;	/* ids of the sessions changed, or NULL */
};

void	 appt_result_clear(struct appt_result *);

/* The stored row, for the changes to it. */
struct appt_row {
	long long	 id;
	long long	 clinician_id;
	long long	 room_id;
	long long	 client_id;
	long long	 service_id;
	char		 video[2049];
	int		 has_video;
	time_t		 start, end, block_end;
	char		 state[16];
	long long	 series_id;	/* 0: a one-off */
	time_t		 recurrence;
};

/*
 * The only writers of appointment rows: whatever changes an appointment
 * (a booking, a move, a series, a timer job) changes it through these,
 * so what must follow every change (the audit, reminders) has one
 * place to go.  Each returns -1 with the error set.
 */
int	 appt_insert(struct ctx *, const struct appt_new *, long long *id);
/* To a new place and time, booked again (a new version).  series_id and
 * recurrence in a are its (new) key; override marks it as moved off its
 * rule's time. */
int	 appt_move(struct ctx *, long long id, const struct appt_new *,
	    int override);
/* Cancelled by "client" or "practice"; late when the client cancels
 * within the practice's late_cancel_hours of the start. */
int	 appt_cancel(struct ctx *, long long id, const char *by,
	    const char *reason, int *late);
/* Booked again after a cancellation: who cancelled, late and why are
 * cleared, forced and overlap record how it was restored. */
int	 appt_restore(struct ctx *, long long id, int forced, int overlap);
/* The session's state, for attended, no-show, confirmed or booked. */
int	 appt_mark(struct ctx *, long long id, const char *state);
/* Its place in a (new) series; override sets the mark, never clears it. */
int	 appt_rekey(struct ctx *, long long id, long long series_id,
	    time_t recurrence, int override);
/* Out of a series' way while it is re-keyed: the keys from "from" on
 * become negative, so the unique (series, recurrence) index lets the
 * new keys through. */
int	 appt_unkey_from(struct ctx *, long long series_id, time_t from);
/* Leaves its series as a one-off, cancelled by the practice if still
 * to come and open. */
int	 appt_detach(struct ctx *, long long id);

/* Late when a client cancels a session starting before this instant. */
time_t	 appt_late_before(const struct ctx *);

/* The highest appointment id so far: what is booked later has more. */
long long appt_last_id(struct ctx *);
/* Ids of the appointments booked after last, by start; NULL on error. */
json_t	*appt_ids_after(struct ctx *, long long last);

json_t	*appt_row_json(struct ctx *, sqlite3_stmt *);
json_t	*appt_json(struct ctx *, long long id);
/* What a list keeps. */
struct appt_filter {
	time_t		 from, to;	/* starting in [from, to) */
	long long	 clinician_id;	/* 0: any */
	long long	 client_id;	/* 0: any */
	const char	*state;		/* NULL: any */
	long long	 series_id;	/* 0: any */
};
/* A place in a list's order (start, then id); a page begins after it. */
struct appt_cursor {
	time_t		 start;
	long long	 id;
};
#define APPT_CURSOR_LEN		48		/* its text, with the NUL */
#define APPT_CURSOR_SPAN	253402300799LL	/* |start|: to year 9999 */
/* The whole of time, for the lists of a series or a client. */
#define APPT_EVER_FROM		(-APPT_CURSOR_SPAN - 1)
#define APPT_EVER_TO		(APPT_CURSOR_SPAN + 1)
/* At most limit of the filter's appointments after the cursor (NULL:
 * from the first), by start then id; *more says whether others follow,
 * and next is then where the next page begins.  NULL on a database
 * error. */
json_t	*appt_list(struct ctx *, const struct appt_filter *,
	    const struct appt_cursor *after, int limit,
	    struct appt_cursor *next, int *more);
void	 appt_cursor_format(const struct appt_cursor *, char *, size_t);
/* -1 with bad_request set when the text is not a cursor. */
int	 appt_cursor_parse(struct ctx *, const char *, struct appt_cursor *);
/* -1 with the error set: not_found, or internal. */
int	 appt_load(struct ctx *, long long id, struct appt_row *);
int	 appt_is_open(const struct appt_row *);
/* Loaded and booked or confirmed; else -1 with the error set. */
int	 appt_load_open(struct ctx *, long long id, struct appt_row *,
	    const char *verb);

/* A booking or a move being checked against the rules. */
struct appt_plan {
	struct slot_request	 slot;
	const char		*zone;		/* the clinician's */
	char			 zone_buf[72];
	int			 force;
	int			 overlap;
	int			 forced;	/* results, for the record */
	int			 overlapped;
	json_t			*warnings;
};

int	 appt_clinician_zone(struct ctx *, struct appt_plan *);
int	 appt_service_length(struct ctx *, long long service_id,
	    struct appt_plan *);
/* Every rule; -1 with the refusal set, 0 with flags and warnings. */
int	 appt_check(struct ctx *, struct appt_plan *);
const char *appt_flags_note(const struct appt_plan *);

#endif
