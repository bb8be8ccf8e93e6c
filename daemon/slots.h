/* Free slots: when a clinician could see someone for a service. */
#ifndef PRACTICED_SLOTS_H
#define PRACTICED_SLOTS_H

#include <jansson.h>

struct ctx;

#define SLOTS_MAX_DAYS	62

struct slots_query {
	long long	 clinician_id;
	long long	 service_id;
	long long	 room_id;	/* 0: any, or none */
	const char	*from;		/* a date in ctx->tz; NULL: today */
	int		 days;		/* 1 to SLOTS_MAX_DAYS */
	int		 step;		/* minutes; 0: packed */
	int		 in_their_zone;	/* answer in the clinician's zone */
};

/* The answer of GET /v1/slots; NULL with the error set. */
json_t	*slots_find(struct ctx *, const struct slots_query *);

#endif
