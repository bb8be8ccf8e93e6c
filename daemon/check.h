/*
 * The checks every caller's text goes through, whoever sends it: names,
 * addresses, phone numbers, zones and links.  Each returns -1 with the
 * context's error set (bad_request), naming the field.
 */
#ifndef PRACTICED_CHECK_H
#define PRACTICED_CHECK_H

#include <stddef.h>

struct ctx;

/* The longest value each check accepts, in characters. */
#define CHECK_NAME_MAX	100
#define CHECK_EMAIL_MAX	254
#define CHECK_PHONE_MAX	16
#define CHECK_ZONE_MAX	64
#define CHECK_URL_MAX	2048

/*
 * The length of the UTF-8 sequence at s, of the left bytes there, or 0
 * when none starts there (a stray byte, a cut sequence, an overlong
 * form, a surrogate, beyond U+10FFFF).
 */
size_t	 check_utf8_seq(const unsigned char *s, size_t left);
/* UTF-8 of at most max characters, no control characters, not blank. */
int	 check_text(struct ctx *, const char *field, const char *,
	    size_t max);
/* A person's or thing's name: not all digits, which would read as an id. */
int	 check_name(struct ctx *, const char *field, const char *);
int	 check_email(struct ctx *, const char *field, const char *);
/* E.164: "+" and 8 to 15 digits, the first not 0. */
int	 check_phone(struct ctx *, const char *field, const char *);
/* A zone libical knows (never a path). */
int	 check_zone(struct ctx *, const char *field, const char *);
int	 check_url(struct ctx *, const char *field, const char *);

#endif
