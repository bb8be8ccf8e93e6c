/*
 * Checks of the text that callers give: the same words for the control
 * socket, the importer and every later caller, whatever carried it.
 */
#include <ctype.h>
#include <string.h>

#include "check.h"
#include "ctx.h"
#include "tz.h"

size_t
check_utf8_seq(const unsigned char *s, size_t left)
{
	size_t		 n, i;
	unsigned int	 cp;

	if (left == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	cp = s[0] & (0x7fu >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static size_t
utf8_length(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
is_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

int
check_text(struct ctx *ctx, const char *field, const char *s, size_t max)
{
	if (utf8_length(s) > max)
		return ctx_error(ctx, PROTO_EBADREQUEST,
		    "%s is too long (at most %zu characters)", field, max);
	if (has_control(s))
		return ctx_error(ctx, PROTO_EBADREQUEST,
		    "%s contains control characters", field);
	if (is_blank(s))
		return ctx_error(ctx, PROTO_EBADREQUEST,
		    "%s must not be empty", field);
	return 0;
}

int
check_name(struct ctx *ctx, const char *field, const char *s)
{
	const char	*p;

	if (check_text(ctx, field, s, CHECK_NAME_MAX) == -1)
		return -1;
	for (p = s; *p != '\0' && isdigit((unsigned char)*p); p++)
		;
	if (*p == '\0')
		return ctx_error(ctx, PROTO_EBADREQUEST, "%s \"%s\" is only "
		    "digits, which would read as an id", field, s);
	return 0;
}

int
check_email(struct ctx *ctx, const char *field, const char *s)
{
	const char	*at, *dot;

	if (check_text(ctx, field, s, CHECK_EMAIL_MAX) == -1)
		return -1;
	at = strchr(s, '@');
	dot = at ? strrchr(at, '.') : NULL;
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    dot == NULL || dot == at + 1 || dot[1] == '\0' ||
	    strpbrk(s, " ,;<>\"") != NULL)
		return ctx_error(ctx, PROTO_EBADREQUEST,
		    "\"%s\" is not an email address", s);
	return 0;
}

int
check_phone(struct ctx *ctx, const char *field, const char *s)
{
	const char	*p;
	size_t		 digits = 0;

	if (check_text(ctx, field, s, CHECK_PHONE_MAX) == -1)
		return -1;
	for (p = s + 1; *p != '\0' && isdigit((unsigned char)*p); p++)
		digits++;
	if (s[0] != '+' || *p != '\0' || digits < 8 || digits > 15 ||
	    s[1] == '0')
		return ctx_error(ctx, PROTO_EBADREQUEST, "\"%s\" is not a "
		    "phone number in international form (like +15555550123)",
		    s);
	return 0;
}

int
check_zone(struct ctx *ctx, const char *field, const char *s)
{
	if (check_text(ctx, field, s, CHECK_ZONE_MAX) == -1)
		return -1;
	if (!tz_valid(s))
		return ctx_error(ctx, PROTO_EBADREQUEST, "unknown time zone "
		    "\"%s\" (use an IANA name such as America/New_York)", s);
	return 0;
}

int
check_url(struct ctx *ctx, const char *field, const char *s)
{
	const char	*host;

	if (check_text(ctx, field, s, CHECK_URL_MAX) == -1)
		return -1;
	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		host = NULL;
	if (host == NULL || *host == '\0' || *host == '/' ||
	    strchr(s, ' ') != NULL)
		return ctx_error(ctx, PROTO_EBADREQUEST,
		    "%s must be an http:// or https:// address", field);
	return 0;
}
