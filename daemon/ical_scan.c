/*
 * The first pass over an .ics file.  Every byte is checked (UTF-8, no
 * control characters, bounded lines) and the component structure
 * matched before libical sees anything, so a broken file is refused
 * with its line, and libical later parses one small block at a time.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ical_scan.h"

#define SCAN_UNFOLD	4096	/* what structure needs of a logical line */
#define SCAN_NAME	32	/* a component name */
#define SCAN_VALUE_MAX	128	/* X-WR-TIMEZONE, a VTIMEZONE's TZID */

enum scan_kind { SCAN_NONE, SCAN_EVENT, SCAN_ZONE, SCAN_OTHER };

struct scan {
	struct ical_scan	*s;
	struct ical_read_error	*err;
	char			 names[ICAL_READ_MAX_DEPTH][SCAN_NAME];
	int			 lines[ICAL_READ_MAX_DEPTH];
	int			 depth;
	int			 calendars;	/* begun so far */
	enum scan_kind		 kind;		/* of the depth-2 block */
	size_t			 cap_events, cap_zones;
	char			 buf[SCAN_UNFOLD + 1];
	size_t			 buflen;
	int			 truncated;
	/* Where the walk stands between slices. */
	size_t			 pos, ls, le, lnext;
	int			 line, lline, open;
};

static int
scan_fail(struct scan *sc, int line, const char *fmt, const char *arg,
    int arg2)
{
	sc->err->uid[0] = '\0';
	sc->err->line = line;
	snprintf(sc->err->reason, sizeof(sc->err->reason), fmt, arg, arg2);
	return -1;
}


/* A UTF-8 decoder fed a byte at a time: folds may split a character. */
struct utf8 {
	unsigned int	 cp, min;
	int		 need;
};

static int
utf8_feed(struct utf8 *u, unsigned char c)
{
	if (u->need > 0) {
		if ((c & 0xc0) != 0x80)
			return -1;
		u->cp = (u->cp << 6) | (c & 0x3f);
		if (--u->need == 0 && (u->cp < u->min || u->cp > 0x10ffff ||
		    (u->cp >= 0xd800 && u->cp <= 0xdfff)))
			return -1;
		return 0;
	}
	if (c < 0x80)
		return 0;
	if (c >= 0xc2 && c <= 0xdf) {
		u->need = 1;
		u->min = 0x80;
		u->cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		u->need = 2;
		u->min = 0x800;
		u->cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		u->need = 3;
		u->min = 0x10000;
		u->cp = c & 0x07;
	} else
		return -1;
	return 0;
}

/*
 * A logical line [ls, le): unfolded into sc->buf (its first
 * SCAN_UNFOLD bytes, which is all the structure needs) while every
 * byte is checked: UTF-8, and no control character but TAB.
 */
static int
scan_unfold(struct scan *sc, size_t ls, size_t le, int ln)
{
	const unsigned char	*t = (const unsigned char *)sc->s->text;
	struct utf8		 u = { 0, 0, 0 };
	size_t			 i = ls, n = 0, run, k;
	const char		*why = NULL;
	unsigned char		 c;

	sc->truncated = 0;
	while (i < le) {
		/* Runs of printable ASCII, most of a file, go by whole. */
		for (run = i; run < le && t[run] >= 0x20 && t[run] < 0x7f &&
		    u.need == 0; run++)
			;
		if (run > i) {
			k = run - i < SCAN_UNFOLD - n ? run - i : SCAN_UNFOLD - n;
			memcpy(sc->buf + n, t + i, k);
			n += k;
			sc->truncated |= k < run - i;
			i = run;
			continue;
		}
		c = t[i];
		if (c == '\r' && i + 1 < le && t[i + 1] == '\n') {
			i += 3;		/* CR LF and the fold's blank */
			ln++;
			continue;
		}
		if (c == '\n') {
			i += 2;
			ln++;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			why = c == 0 ? "a NUL byte: this is not a text file" :
			    c == '\r' ? "a carriage return inside a line" :
			    "a control character: this is not a text file";
		else if (utf8_feed(&u, c) == -1)
			why = "bytes that are not UTF-8";
		if (why != NULL)
			return scan_fail(sc, ln, "%s", why, 0);
		if (n < SCAN_UNFOLD)
			sc->buf[n++] = (char)c;
		else
			sc->truncated = 1;
		i++;
	}
	if (u.need > 0)
		return scan_fail(sc, ln, "%s", "bytes that are not UTF-8", 0);
	sc->buf[n] = '\0';
	sc->buflen = n;
	return 0;
}

/* NAME[;PARAM=...]:VALUE: the name's length and the value, or -1. */
static int
scan_split(const struct scan *sc, size_t *namelen, const char **value)
{
	const char	*l = sc->buf;
	size_t		 i = 0;
	int		 quoted = 0;

	while (isalnum((unsigned char)l[i]) || l[i] == '-')
		i++;
	if (i == 0 || (l[i] != ':' && l[i] != ';'))
		return -1;
	*namelen = i;
	for (; l[i] != '\0'; i++) {
		if (l[i] == '"')
			quoted = !quoted;
		else if (l[i] == ':' && !quoted) {
			*value = l + i + 1;
			return 0;
		}
	}
	if (sc->truncated) {		/* parameters past what we read */
		*value = "";
		return 0;
	}
	return -1;
}

static int
name_is(const char *l, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(l, name, n) == 0;
}

static int
scan_component_name(const char *v)
{
	size_t	 i;

	for (i = 0; v[i] != '\0'; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return -1;
	return i == 0 || i >= SCAN_NAME ? -1 : 0;
}

static struct ical_block *
scan_cur(struct scan *sc)
{
	if (sc->kind == SCAN_EVENT)
		return &sc->s->events[sc->s->nevents - 1];
	if (sc->kind == SCAN_ZONE)
		return &sc->s->zones[sc->s->nzones - 1];
	return NULL;
}

static int
scan_add_block(struct scan *sc, struct ical_block **arr, size_t *n,
    size_t *cap, size_t max, size_t off, int ln)
{
	struct ical_block	*grown;
	size_t			 ncap;

	if (*n == max)
		return scan_fail(sc, ln, "more than %s%d of these components "
		    "in one file", "", (int)max);
	if (*n == *cap) {
		ncap = *cap == 0 ? 64 : *cap * 2;
		if ((grown = reallocarray(*arr, ncap, sizeof(**arr))) == NULL)
			return scan_fail(sc, ln, "%s", "out of memory", 0);
		*arr = grown;
		*cap = ncap;
	}
	memset(&(*arr)[*n], 0, sizeof(**arr));
	(*arr)[*n].off = off;
	(*arr)[*n].line = ln;
	(*n)++;
	return 0;
}

static int
scan_begin(struct scan *sc, const char *v, size_t ls, int ln)
{
	struct ical_scan	*s = sc->s;

	if (scan_component_name(v) == -1)
		return scan_fail(sc, ln, "BEGIN:%.40s is not a component "
		    "name", v, 0);
	if (sc->depth == 0) {
		if (strcasecmp(v, "VCALENDAR") != 0)
			return scan_fail(sc, ln, "expected BEGIN:VCALENDAR, "
			    "found BEGIN:%s", v, 0);
		if (sc->calendars++ > 0)
			return scan_fail(sc, ln, "a second VCALENDAR begins "
			    "here: one calendar a file%s", "", 0);
	}
	if (sc->depth == ICAL_READ_MAX_DEPTH)
		return scan_fail(sc, ln, "components nested deeper than "
		    "%s%d", "", ICAL_READ_MAX_DEPTH);
	if (sc->depth == 1) {
		sc->kind = SCAN_OTHER;
		if (strcasecmp(v, "VEVENT") == 0) {
			if (scan_add_block(sc, &s->events, &s->nevents,
			    &sc->cap_events, ICAL_READ_MAX_EVENTS, ls, ln) == -1)
				return -1;
			sc->kind = SCAN_EVENT;
		} else if (strcasecmp(v, "VTIMEZONE") == 0) {
			if (scan_add_block(sc, &s->zones, &s->nzones,
			    &sc->cap_zones, ICAL_READ_MAX_ZONES, ls, ln) == -1)
				return -1;
			sc->kind = SCAN_ZONE;
		}
	}
	snprintf(sc->names[sc->depth], SCAN_NAME, "%s", v);
	sc->lines[sc->depth++] = ln;
	return 0;
}

static int
scan_end(struct scan *sc, const char *v, size_t next, int ln)
{
	struct ical_block	*b;

	if (sc->depth == 0)
		return scan_fail(sc, ln, "END:%.40s without a BEGIN", v, 0);
	if (strcasecmp(v, sc->names[sc->depth - 1]) != 0) {
		snprintf(sc->err->reason, sizeof(sc->err->reason),
		    "END:%.40s does not close BEGIN:%s of line %d", v,
		    sc->names[sc->depth - 1], sc->lines[sc->depth - 1]);
		sc->err->uid[0] = '\0';
		sc->err->line = ln;
		return -1;
	}
	if (--sc->depth == 1) {
		if ((b = scan_cur(sc)) != NULL)
			b->end = next;
		sc->kind = SCAN_NONE;
	}
	return 0;
}

static int
scan_keep(struct scan *sc, const char *v, char **out)
{
	free(*out);
	if ((*out = strdup(v)) == NULL)
		return scan_fail(sc, 0, "%s", "out of memory", 0);
	return 0;
}

/* TEXT escapes (RFC 5545 3.3.11), in place. */
static void
scan_unescape(char *s)
{
	char	*w = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*w++ = *s == 'n' || *s == 'N' ? '\n' : *s;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/* What a property tells the index. */
static int
scan_property(struct scan *sc, size_t n, const char *v, int ln)
{
	struct ical_block	*b = scan_cur(sc);
	const char		*l = sc->buf;

	if (sc->depth == 1 && name_is(l, n, "X-WR-TIMEZONE")) {
		sc->s->xwr_line = ln;
		return scan_keep(sc, sc->truncated ||
		    strlen(v) > SCAN_VALUE_MAX ? "(too long)" : v,
		    &sc->s->xwr);
	}
	if (sc->depth != 2 || b == NULL)
		return 0;
	if (sc->kind == SCAN_EVENT && name_is(l, n, "RECURRENCE-ID"))
		b->is_override = 1;
	else if ((sc->kind == SCAN_EVENT && name_is(l, n, "UID")) ||
	    (sc->kind == SCAN_ZONE && name_is(l, n, "TZID"))) {
		if (b->key != NULL)
			return 0;
		b->key_too_long = sc->truncated ||
		    strlen(v) > ICAL_READ_UID_MAX;
		if (scan_keep(sc, b->key_too_long ? "" : v, &b->key) == -1)
			return -1;
		/* A TZID is text: "Amsterdam\, Berlin" as a parameter. */
		if (sc->kind == SCAN_ZONE)
			scan_unescape(b->key);
		return 0;
	}
	return 0;
}

static int
scan_logical(struct scan *sc, size_t ls, size_t le, size_t next, int ln)
{
	struct ical_block	*b;
	const char		*v;
	size_t			 n;

	if (scan_unfold(sc, ls, le, ln) == -1)
		return -1;
	if (sc->buflen == 0)
		return 0;		/* a blank line */
	if (scan_split(sc, &n, &v) == -1) {
		if (sc->depth >= 2) {
			/* One bad event (or zone, or to-do), not a bad file. */
			if ((b = scan_cur(sc)) != NULL && b->bad_line == 0)
				b->bad_line = ln;
			return 0;
		}
		return scan_fail(sc, ln, "not an iCalendar content line "
		    "(NAME:VALUE)%s", "", 0);
	}
	if (name_is(sc->buf, n, "BEGIN"))
		return scan_begin(sc, v, ls, ln);
	if (name_is(sc->buf, n, "END"))
		return scan_end(sc, v, next, ln);
	if (sc->depth == 0)
		return scan_fail(sc, ln, sc->calendars > 0 ? "content after "
		    "END:VCALENDAR%s" : "expected BEGIN:VCALENDAR%s", "", 0);
	return scan_property(sc, n, v, ln);
}

/* Physical lines until budget bytes are read: 1 more, 0 done, -1. */
static int
scan_lines(struct scan *sc, size_t budget)
{
	const char	*t = sc->s->text, *nl;
	size_t		 len = sc->s->len, stop, e, pe, next;

	if (budget == 0)
		budget = 1;		/* a line a step, at the least */
	stop = budget < len - sc->pos ? sc->pos + budget : len;
	while (sc->pos < len) {
		if (sc->pos >= stop)
			return 1;
		nl = memchr(t + sc->pos, '\n', len - sc->pos);
		e = nl != NULL ? (size_t)(nl - t) : len;
		next = nl != NULL ? e + 1 : len;
		pe = e > sc->pos && t[e - 1] == '\r' ? e - 1 : e;
		if (pe - sc->pos > ICAL_READ_MAX_LINE)
			return scan_fail(sc, sc->line, "a line longer than %s%u "
			    "bytes", "", ICAL_READ_MAX_LINE);
		if (pe > sc->pos && (t[sc->pos] == ' ' || t[sc->pos] == '\t')) {
			if (!sc->open)
				return scan_fail(sc, sc->line, "a folded line "
				    "with no line before it%s", "", 0);
			sc->le = pe;
			sc->lnext = next;
		} else {
			if (sc->open && scan_logical(sc, sc->ls, sc->le,
			    sc->lnext, sc->lline) == -1)
				return -1;
			sc->open = 1;
			sc->ls = sc->pos;
			sc->le = pe;
			sc->lnext = next;
			sc->lline = sc->line;
		}
		sc->pos = next;
		sc->line++;
	}
	return 0;
}

/* The end of the file: its last line, and what is still open. */
static int
scan_finish(struct scan *sc)
{
	if (sc->open && scan_logical(sc, sc->ls, sc->le, sc->lnext,
	    sc->lline) == -1)
		return -1;
	if (sc->depth > 0)
		return scan_fail(sc, sc->lines[sc->depth - 1], "BEGIN:%s is "
		    "never closed (the file ends first)",
		    sc->names[sc->depth - 1], 0);
	if (sc->calendars == 0)
		return scan_fail(sc, 1, "no BEGIN:VCALENDAR: this is not an "
		    "iCalendar file%s", "", 0);
	return 0;
}

int
ical_scan_begin(struct ical_scan *s, const char *buf, size_t len,
    struct ical_read_error *err)
{
	char	*copy = NULL;

	/* Over the cap: refused by ical_scan_take, before a copy is made. */
	if (len <= ICAL_READ_MAX_BYTES) {
		if ((copy = malloc(len + 1)) == NULL) {
			memset(s, 0, sizeof(*s));
			memset(err, 0, sizeof(*err));
			snprintf(err->reason, sizeof(err->reason),
			    "out of memory");
			return -1;
		}
		memcpy(copy, buf, len);
	}
	return ical_scan_take(s, copy, len, len + 1, err);
}

int
ical_scan_take(struct ical_scan *s, char *buf, size_t len, size_t cap,
    struct ical_read_error *err)
{
	struct scan	*sc;
	char		*grown;

	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	s->text = buf;			/* freed by ical_scan_free */
	if (len > ICAL_READ_MAX_BYTES) {
		snprintf(err->reason, sizeof(err->reason), "the file is larger "
		    "than %u MB", ICAL_READ_MAX_BYTES / (1024 * 1024));
		return -1;
	}
	if (cap < len + 1) {
		if ((grown = realloc(buf, len + 1)) == NULL) {
			snprintf(err->reason, sizeof(err->reason),
			    "out of memory");
			return -1;
		}
		s->text = grown;
	}
	if ((sc = calloc(1, sizeof(*sc))) == NULL) {
		snprintf(err->reason, sizeof(err->reason), "out of memory");
		return -1;
	}
	s->text[len] = '\0';
	s->len = len;
	s->state = sc;
	sc->s = s;
	sc->line = 1;
	if (len >= 3 && memcmp(s->text, "\xef\xbb\xbf", 3) == 0)
		sc->pos = 3;		/* a byte-order mark */
	return 0;
}

int
ical_scan_step(struct ical_scan *s, size_t budget,
    struct ical_read_error *err)
{
	struct scan	*sc = s->state;
	int		 rc;

	if (sc == NULL)
		return 0;
	memset(err, 0, sizeof(*err));
	sc->err = err;
	if ((rc = scan_lines(sc, budget)) == 0)
		rc = scan_finish(sc);
	if (rc != 1) {
		free(sc);
		s->state = NULL;
	}
	return rc;
}

void
ical_scan_free(struct ical_scan *s)
{
	size_t	 i;

	for (i = 0; i < s->nevents; i++)
		free(s->events[i].key);
	for (i = 0; i < s->nzones; i++)
		free(s->zones[i].key);
	free(s->events);
	free(s->zones);
	free(s->xwr);
	free(s->text);
	free(s->state);
	memset(s, 0, sizeof(*s));
}

icalcomponent *
ical_scan_parse(struct ical_scan *s, const struct ical_block *b)
{
	icalcomponent	*c;
	char		 saved = s->text[b->end];

	/* libical wants a string: end it at the block for a moment. */
	s->text[b->end] = '\0';
	c = icalparser_parse_string(s->text + b->off);
	s->text[b->end] = saved;
	icalerror_clear_errno();
	return c;
}

int
ical_scan_prop_line(const struct ical_scan *s, const struct ical_block *b,
    const char *name)
{
	const char	*p = s->text + b->off, *end = s->text + b->end;
	size_t		 n = strlen(name);
	int		 line = b->line;

	while (p < end) {
		if (strncasecmp(p, name, n) == 0 && (p[n] == ':' || p[n] == ';'))
			return line;
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p++;
		line++;
	}
	return b->line;
}
