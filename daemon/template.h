/*
 * Message templates: one file per notice and channel, with named
 * placeholders checked when the folder is loaded, so a typo is a start-up
 * error and never a message with "{frist_name}" in it.
 */
#ifndef PRACTICED_TEMPLATE_H
#define PRACTICED_TEMPLATE_H

#include <stddef.h>

#include "notice.h"

/* What a message may say; every value is plain text (UTF-8). */
enum placeholder {
	PH_FIRST_NAME,		/* the client's */
	PH_CLINICIAN,
	PH_DATE,		/* in the client's zone */
	PH_TIME,
	PH_PLACE,		/* a room, or the video link */
	PH_PRACTICE,
	PH_PHONE,		/* the practice's */
	PH_REPEATS,		/* " It repeats weekly on Monday.", or "" */
	PH_ALSO,		/* " The 5 sessions after it ... too.", or "" */
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
 * The built-in texts (etc/templates, compiled in), each replaced by the
 * file "NOTICE.CHANNEL" of dir where dir holds one (reminder.email,
 * reminder.sms, confirmation.email, ...); dir NULL: the built-in ones
 * only.  NULL with "FILE:LINE: why" in err when a text is too large, not
 * UTF-8, names an unknown placeholder, or (an SMS) runs past
 * TEMPLATE_SMS_SEGMENTS with typical values.
 */
struct templates *templates_load(const char *dir, char *err, size_t errlen);

/* The compiled-in texts, by file name (generated from etc/templates). */
struct template_builtin {
	const char	*name;
	const char	*text;
};
extern const struct template_builtin template_builtins[];
void		  templates_free(struct templates *);
/* Whether any of the texts names the placeholder. */
int		  templates_use(const struct templates *, enum placeholder);

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
