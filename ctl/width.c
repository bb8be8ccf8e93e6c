/*
 * Display width of UTF-8 text, for tables that stay aligned with CJK and
 * emoji (two columns each) and combining marks (none), and cutting text
 * to a width with an ellipsis.  The daemon's text is always UTF-8, so the
 * character type is a UTF-8 locale whatever the user's locale says.
 */
#include <sys/ioctl.h>

#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

#include "practicectl.h"

#define WIDTH_ELLIPSIS	"\xe2\x80\xa6"	/* U+2026, one column */

static int	width_wide;	/* wcwidth() knows Unicode: a UTF-8 locale */

static int
width_utf8(void)
{
	return strcasecmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

/* The user's locale if it is UTF-8, else C.UTF-8 for the character type. */
void
width_init(void)
{
	if (setlocale(LC_CTYPE, "") != NULL && width_utf8())
		width_wide = 1;
	else if (setlocale(LC_CTYPE, "C.UTF-8") != NULL && width_utf8())
		width_wide = 1;
}

/* The columns of the terminal on fp, or 0 if fp is not a terminal. */
int
width_terminal(FILE *fp)
{
	struct winsize	 ws;
	const char	*env;
	long		 n;
	char		*end;

	if (!isatty(fileno(fp)))
		return 0;
	if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if ((env = getenv("COLUMNS")) != NULL) {
		n = strtol(env, &end, 10);
		if (*env != '\0' && *end == '\0' && n > 0 && n < 10000)
			return (int)n;
	}
	return 80;
}

/*
 * The code point at s and its length in *len; invalid bytes are taken one
 * at a time (as U+FFFD), so that any text can be measured.
 */
static uint32_t
width_decode(const unsigned char *s, size_t *len)
{
	uint32_t	cp;
	size_t		n, i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		*len = 1;
		return 0xfffd;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return 0xfffd;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*len = n;
	return cp;
}

/* Columns of one code point: 0 (combining), 1 or 2 (wide). */
static int
width_char(uint32_t cp)
{
	int	w;

	if (cp < 0x80)
		return cp < 0x20 || cp == 0x7f ? 0 : 1;
	if (!width_wide)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

/* Columns that s takes on a terminal. */
size_t
width_of(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 w = 0, len;

	while (*u != '\0') {
		w += width_char(width_decode(u, &len));
		u += len;
	}
	return w;
}

/*
 * A copy of s that takes at most max columns: s itself if it fits, else
 * its start and an ellipsis.  Never splits a character.
 */
char *
width_cut(const char *s, size_t max)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 w = 0, len, cw;

	if (width_of(s) <= max)
		return xstrdup(s);
	if (max == 0)
		return xstrdup("");
	while (*u != '\0') {
		cw = width_char(width_decode(u, &len));
		if (w + cw > max - 1)	/* one column for the ellipsis */
			break;
		w += cw;
		u += len;
	}
	/* Combining marks that follow belong to the last character kept. */
	while (*u != '\0' && width_char(width_decode(u, &len)) == 0 &&
	    u != (const unsigned char *)s)
		u += len;
	/* "Room …" reads as a cut better without the space. */
	while (u > (const unsigned char *)s && u[-1] == ' ')
		u--;
	return xasprintf("%.*s" WIDTH_ELLIPSIS,
	    (int)(u - (const unsigned char *)s), s);
}
