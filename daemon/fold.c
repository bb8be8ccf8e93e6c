/*
 * Folding names for lookups: a small table for the Latin-1 Supplement and
 * Latin Extended-A (the accents of European names), simple case for the
 * rest of Latin, Greek and Cyrillic; no Unicode library needed.
 */
#include <stdint.h>
#include <string.h>

#include "fold.h"

/*
 * U+00C0 to U+00FF and U+0100 to U+017F, one letter each; upper-case
 * markers stand for two letters (fold_expand), '*' keeps the character.
 */
static const char fold_latin1[] =
    "aaaaaaAceeeeiiii" "dnooooo*ouuuuyTS"	/* U+00C0 */
    "aaaaaaAceeeeiiii" "dnooooo*ouuuuyTy";	/* U+00E0 */
static const char fold_latin_a[] =
    "aaaaaacccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii"
    "II" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "OO" "rrrrrr"
    "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";

_Static_assert(sizeof(fold_latin1) == 64 + 1, "Latin-1 table");
_Static_assert(sizeof(fold_latin_a) == 128 + 1, "Latin Extended-A table");

static const char *
fold_expand(char c)
{
	switch (c) {
	case 'A':
		return "ae";
	case 'I':
		return "ij";
	case 'O':
		return "oe";
	case 'S':
		return "ss";
	case 'T':
		return "th";
	}
	return NULL;
}

/* One code point from s (n bytes long); *len its length, 1 if invalid. */
static uint32_t
fold_decode(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t	 cp;
	size_t		 need, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if ((s[0] & 0xe0) == 0xc0)
		need = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		need = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		need = 4, cp = s[0] & 0x07;
	else
		return UINT32_MAX;
	if (need > n)
		return UINT32_MAX;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return UINT32_MAX;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*len = need;
	return cp;
}

/* Blanks, hyphens and apostrophes, in ASCII and their Unicode forms. */
static int
fold_separator(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '-' || cp == '\'' ||
	    cp == 0xa0 || (cp >= 0x2010 && cp <= 0x2015) ||
	    cp == 0x2018 || cp == 0x2019 || cp == 0x2032 || cp == 0x02bc;
}

/* Combining accents (as in a decomposed "é"): dropped. */
static int
fold_combining(uint32_t cp)
{
	return cp >= 0x300 && cp <= 0x36f;
}

/* Upper to lower case of Greek and Cyrillic's basic letters. */
static uint32_t
fold_lower(uint32_t cp)
{
	if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2)
		return cp + 0x20;
	if (cp >= 0x410 && cp <= 0x42f)
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 0x50;
	return cp;
}

static size_t
fold_encode(uint32_t cp, char *out)
{
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/*
 * The folding of one code point of len bytes at in, into out; never
 * longer than len (a two-letter folding replaces a two-byte letter).
 */
static size_t
fold_char(uint32_t cp, const char *in, size_t len, char *out)
{
	const char	*two;
	char		 c = '*';

	if (cp < 0x80) {
		out[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 0x20 : cp);
		return 1;
	}
	if (cp >= 0xc0 && cp <= 0xff)
		c = fold_latin1[cp - 0xc0];
	else if (cp >= 0x100 && cp <= 0x17f)
		c = fold_latin_a[cp - 0x100];
	else if (cp != UINT32_MAX && fold_lower(cp) != cp)
		return fold_encode(fold_lower(cp), out);
	if (c == '*') {
		memcpy(out, in, len);
		return len;
	}
	if ((two = fold_expand(c)) != NULL) {
		memcpy(out, two, 2);
		return 2;
	}
	out[0] = c;
	return 1;
}

size_t
fold_name(const char *s, char *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), len, off = 0;
	uint32_t		 cp;
	int			 blank = 1;

	while (n > 0) {
		cp = fold_decode(p, n, &len);
		if (fold_separator(cp))
			blank = 1;
		else if (!fold_combining(cp)) {
			if (blank)
				out[off++] = ' ';
			blank = 0;
			off += fold_char(cp, (const char *)p, len, out + off);
		}
		p += len;
		n -= len;
	}
	out[off] = '\0';
	return off;
}

static void
fold_sql(sqlite3_context *sctx, int argc, sqlite3_value **argv)
{
	const unsigned char	*s;
	char			*out;
	size_t			 len;

	(void)argc;
	if ((s = sqlite3_value_text(argv[0])) == NULL) {
		sqlite3_result_null(sctx);
		return;
	}
	len = (size_t)sqlite3_value_bytes(argv[0]);
	if ((out = sqlite3_malloc64(FOLD_LEN(len))) == NULL) {
		sqlite3_result_error_nomem(sctx);
		return;
	}
	len = fold_name((const char *)s, out);
	sqlite3_result_text(sctx, out, (int)len, sqlite3_free);
}

#ifndef SQLITE_INNOCUOUS
#define SQLITE_INNOCUOUS	0
#endif

int
fold_register(sqlite3 *db)
{
	return sqlite3_create_function(db, "fold_name", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, fold_sql, NULL,
	    NULL) == SQLITE_OK ? 0 : -1;
}
