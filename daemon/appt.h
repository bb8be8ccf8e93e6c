/* Appointments as the series, closure and report code needs them. */
#ifndef PRACTICED_APPT_H
#define PRACTICED_APPT_H

#include <time.h>

#include <jansson.h>

struct api_req;

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

int	 appt_store(struct api_req *, const struct appt_new *, long long *id);
json_t	*appt_json(struct api_req *, long long id);
json_t	*appt_list_series(struct api_req *, long long series_id);
json_t	*appt_list_client(struct api_req *, long long client_id);

#endif
