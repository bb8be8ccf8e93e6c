/*
 * Message templates: one file per notice and channel, with named
 * placeholders checked when the folder is loaded, so a typo is a start-up
 * error and never a message with "{frist_name}" in it.
 */
#ifndef PRACTICED_TEMPLATE_H
#define PRACTICED_TEMPLATE_H

#include <stddef.h>

enum notice {
	NOTICE_REMINDER,
	NOTICE_CONFIRMATION,
	NOTICE_RESCHEDULE,
	NOTICE_CANCELLATION,
	NOTICE_COUNT
};

enum channel {
	CHANNEL_EMAIL,
	CHANNEL_SMS,
	CHANNEL_COUNT
};

/* What a message may say; every value is plain text (UTF-8). */
enum placeholder {
	PH_FIRST_NAME,		/* the client's */
	PH_CLINICIAN,
	PH_DATE,		/* in the client's zone */
	PH_TIME,
	PH_PLACE,		/* a room, or the video link */
	PH_PRACTICE,
	PH_PHONE,		/* the practice's */
	PH_COUNT
};

struct template_values {
	const char	*v[PH_COUNT];	/* NULL reads as "" */
};

/* An email template has a subject; an SMS template only a body. */
struct template {
	char	*subject;
	char	*body;
};

struct templates {
	struct template	 t[NOTICE_COUNT][CHANNEL_COUNT];
};

/* The largest template file read, in bytes. */
#define TEMPLATE_MAX_BYTES	8192
/* An SMS is at most this many segments, with typical values. */
#define TEMPLATE_SMS_SEGMENTS	2

/*
 * Every file "NOTICE.CHANNEL" of dir (reminder.email, reminder.sms,
 * confirmation.email, ...).  NULL with "FILE:LINE: why" in err when one
 * is missing, too large, not UTF-8, names an unknown placeholder, or (an
 * SMS) runs past TEMPLATE_SMS_SEGMENTS with typical values.
 */
struct templates *templates_load(const char *dir, char *err, size_t errlen);
void		  templates_free(struct templates *);

const char	*template_notice_name(enum notice);
const char	*template_channel_name(enum channel);
const char	*template_placeholder_name(enum placeholder);

/* text with its placeholders filled in; control characters other than a
 * newline in a value become spaces.  NULL when out of memory. */
char		*template_render(const char *text,
		    const struct template_values *);
/* Segments an SMS of this text takes: 160/153 GSM-7 characters, or
 * 70/67 UCS-2 code units once any character is outside GSM-7. */
int		 template_sms_segments(const char *utf8);

#endif
