/*
 * What planning knows of an appointment and its client, shared by the
 * reminders (remind.c) and the notices (remind_notice.c).  Private to
 * the two.
 */
#ifndef PRACTICED_REMIND_TARGET_H
#define PRACTICED_REMIND_TARGET_H

#include <time.h>

#include "notice.h"
#include "remind.h"

struct ctx;

struct remind_target {
	long long	 id;
	long long	 series_id;	/* 0: none */
	time_t		 start;
	char		 state[16];
	int		 version;
	int		 open;
	int		 detach_cancelled; /* cancelled by a series edit */
	const char	*address[CHANNEL_COUNT];	/* NULL: none */
	int		 wants[CHANNEL_COUNT];	/* the client's choice */
	int		 consent;	/* to SMS, recorded */
	int		 archived;	/* the client */
	char		 zone[72];
	char		 buf[CHANNEL_COUNT][320];
	struct remind_seen seen;	/* as the client would see it now */
};

/* The appointment and its client as planning sees them; -1 with the
 * error set. */
int		 remind_load(struct ctx *, long long id, struct remind_target *);

/* Why a message by channel cannot go to the target's client, or NULL. */
const char	*remind_channel_refusal(const struct remind_target *,
		    enum channel);

/* The notice the change calls for, planned; a pending one coalesced. */
int		 remind_notices(struct ctx *, const struct remind_target *,
		    enum remind_change, const struct remind_seen *before);

#endif
