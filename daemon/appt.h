/*
 * Appointments: the row and its JSON (appt.c), and the booking rules
 * for one appointment (appt_rules.c), shared by the handlers in
 * api_appointments.c, the series code, closures and reports.
 */
#ifndef PRACTICED_APPT_H
#define PRACTICED_APPT_H

#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "schedule.h"

struct api_req;

/* The columns appt_row_json reads, and the joins they come from. */
#define APPT_COLUMNS							\
	"a.id, a.start_utc, a.end_utc, a.block_end_utc, a.zone, a.state,"\
	" a.cancelled_by, a.late, a.cancel_reason, a.forced, a.overlap,"\
	" a.version, a.created, a.updated, a.video_url,"		\
	" c.id, c.name, cl.id, cl.name, s.id, s.name, r.id, r.name,"	\
	" a.series_id, a.recurrence_utc, a.override"
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

/* The stored row, for the changes to it. */
struct appt_row {
	long long	 clinician_id;
	long long	 room_id;
	char		 video[2049];
	int		 has_video;
	time_t		 start, end, block_end;
	char		 state[16];
	long long	 series_id;	/* 0: a one-off */
	time_t		 recurrence;
};

int	 appt_store(struct api_req *, const struct appt_new *, long long *id);
json_t	*appt_row_json(struct api_req *, sqlite3_stmt *);
json_t	*appt_json(struct api_req *, long long id);
json_t	*appt_list_series(struct api_req *, long long series_id);
json_t	*appt_list_client(struct api_req *, long long client_id);
int	 appt_load(struct api_req *, long long id, struct appt_row *);
int	 appt_is_open(const struct appt_row *);
/* Loaded and booked or confirmed; else -1 with the answer set. */
int	 appt_load_open(struct api_req *, long long id, struct appt_row *,
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

int	 appt_clinician_zone(struct api_req *, struct appt_plan *);
int	 appt_service_length(struct api_req *, long long service_id,
	    struct appt_plan *);
/* Every rule; -1 with the refusal set, 0 with flags and warnings. */
int	 appt_check(struct api_req *, struct appt_plan *);
const char *appt_flags_note(const struct appt_plan *);

#endif
