/*
 * What ical_export.c and ical_series.c share while they write one
 * calendar: the export under way, a session row, and the helpers that
 * make and append its events.
 */
#ifndef PRACTICED_ICAL_INT_H
#define PRACTICED_ICAL_INT_H

#include <time.h>

#include <libical/ical.h>
#include <sqlite3.h>

#include "strbuf.h"

struct ctx;
struct export_query;
struct tz_wall;

#define EXPORT_MAX_ZONES	64

struct export {
	struct ctx			*ctx;
	const struct export_query	*q;
	size_t				 max;		/* bytes of events */
	char				 uid[64];	/* the practice's */
	struct strbuf			 events;	/* their text */
	char				 zones[EXPORT_MAX_ZONES][72];
	time_t				 zone_since[EXPORT_MAX_ZONES];
	size_t				 nzones;
	/* Paged: where this page starts (after this series, or this
	 * session in start order), and where the next one does. */
	int				 paged;
	long long			 after_series;
	int				 singles_only;
	time_t				 after_start;
	long long			 after_id;
	char				 next[EXPORT_CURSOR_MAX];
};

/* A paged export's page is full: the next item starts the next page. */
int	 export_page_full(const struct export *);

/* What an event shows, before the detail level picks from it. */
struct export_what {
	const char	*client;	/* name */
	const char	*clinician;
	const char	*room;		/* or NULL */
	const char	*video;		/* or NULL */
	const char	*client_email;	/* or NULL */
	const char	*clinician_email;	/* or NULL */
	int		 cancelled;
	long long	 version;
	time_t		 created, modified;
};

/* A session row; its texts live until the statement steps on. */
struct export_row {
	long long		 id, clinician_id, room_id;
	time_t			 start, end, recurrence;
	const char		*zone;
	struct export_what	 what;
};

#define EXPORT_ROW_COLUMNS						\
	"a.id, a.start_utc, a.end_utc, a.zone, a.state, a.version,"	\
	" a.created, a.updated, a.video_url, cl.name, r.name, c.name,"	\
	" a.clinician_id, a.room_id, a.recurrence_utc, cl.email, c.email"
#define EXPORT_ROW_FROM							\
	" FROM appointments a JOIN clients cl ON cl.id = a.client_id"	\
	" JOIN clinicians c ON c.id = a.clinician_id"			\
	" LEFT JOIN rooms r ON r.id = a.room_id"

void	 export_row_read(sqlite3_stmt *, struct export_row *);
int	 export_zone_is_utc(const char *);
int	 export_use_zone(struct export *, const char *zone, time_t when);
/* kind 'a' (an appointment) or 's' (a series) and its id make the UID. */
icalcomponent *export_event(struct export *, char kind, long long id,
	    const struct export_what *);
void	 export_add_wall(icalcomponent *,
	    icalproperty *(*)(struct icaltimetype), const char *zone,
	    const struct tz_wall *);
void	 export_add_time(icalcomponent *,
	    icalproperty *(*)(struct icaltimetype), const char *zone, time_t);
/* The zone's VTIMEZONE added to cal, its rules from a year before
 * since on; -1 when libical has none. */
int	 export_vtimezone(icalcomponent *cal, const char *zone, time_t since);
/* Takes the event; -1 with the error set. */
int	 export_emit(struct export *, icalcomponent *);
int	 export_single(struct export *, const struct export_row *);

/* ical_series.c: every series with a session in the window. */
int	 export_series_all(struct export *);
/* One series as its client's calendar holds it (an invitation): its
 * sessions whoever their clinician, the cancelled ones EXDATEs. */
int	 export_series_client(struct export *, long long id);

#endif
