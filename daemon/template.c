/*
 * Message templates: read and checked whole when the folder is loaded,
 * rendered for each message.  "{name}" is a placeholder, "{{" and "}}"
 * a literal brace.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "template.h"

static const char *notice_names[NOTICE_COUNT] = {
	"reminder", "confirmation", "reschedule", "cancellation"
};
static const char *channel_names[CHANNEL_COUNT] = { "email", "sms" };
static const char *placeholder_names[PH_COUNT] = {
	"first_name", "clinician", "date", "time", "place", "practice",
	"phone", "repeats", "also"
};

/* Long but ordinary values: an SMS that fits with these fits in life. */
static const struct template_values typical = { {
	"Alexandra", "Samantha Richardson", "Wednesday 14 January", "10:30",
	"https://meet.example.org/abc-defg-hij", "Riverside Counselling",
	"+1 555 010 1234",
	" It repeats every 2 weeks on Wednesday until 30 September (12 "
	"sessions).",
	" It repeats every 2 weeks on Wednesday: the 11 sessions after it, "
	"to Wednesday 30 September, have moved too."
} };

/* Where a check failed, for "FILE:LINE: why". */
struct template_file {
	const char	*path;
	const char	*text;
	char		*err;
	size_t		 errlen;
};

const char *
template_notice_name(enum notice n)
{
	return notice_names[n];
}

const char *
template_channel_name(enum channel c)
{
	return channel_names[c];
}

const char *
template_placeholder_name(enum placeholder p)
{
	return placeholder_names[p];
}

static int
template_line_of(const struct template_file *f, const char *at)
{
	const char	*s;
	int		 line = 1;

	for (s = f->text; s < at; s++)
		if (*s == '\n')
			line++;
	return line;
}

static int
template_fail(const struct template_file *f, const char *at,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(f->err, f->errlen, "%s:%d: ", f->path,
	    at != NULL ? template_line_of(f, at) : 1);
	if (n < 0 || (size_t)n >= f->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(f->err + n, f->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The code point at *p, moving past it; -1 for bytes that are not UTF-8. */
static long
utf8_next(const unsigned char **p)
{
	const unsigned char	*s = *p;
	long			 cp;
	int			 n, i;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 1, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 2, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 3, cp = s[0] & 0x07;
	else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF. */
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return -1;
	*p = s + n + 1;
	return cp;
}

static const char *
utf8_invalid_at(const char *text)
{
	const unsigned char	*p = (const unsigned char *)text;

	while (*p != '\0') {
		const unsigned char *at = p;

		if (utf8_next(&p) == -1)
			return (const char *)at;
	}
	return NULL;
}

/* The placeholder named by [s, s + len), or -1. */
static int
placeholder_lookup(const char *s, size_t len)
{
	int	 i;

	for (i = 0; i < PH_COUNT; i++)
		if (strlen(placeholder_names[i]) == len &&
		    strncmp(placeholder_names[i], s, len) == 0)
			return i;
	return -1;
}

static int
template_check_placeholders(const struct template_file *f, const char *s)
{
	const char	*close;

	for (; (s = strchr(s, '{')) != NULL; s++) {
		if (s[1] == '{') {
			s++;
			continue;
		}
		close = strpbrk(s + 1, "{}\n");
		if (close == NULL || *close != '}')
			return template_fail(f, s, "\"{\" without its \"}\" "
			    "(write \"{{\" for a brace)");
		if (placeholder_lookup(s + 1, (size_t)(close - s - 1)) == -1)
			return template_fail(f, s, "unknown placeholder "
			    "{%.*s} (known: first_name, clinician, date, time, "
			    "place, practice, phone, repeats)",
			    (int)(close - s - 1),
			    s + 1);
		s = close;
	}
	return 0;
}

/* A value as plain text: a control character cannot start a header line
 * or hide text, so it becomes a space. */
static void
template_add_value(struct strbuf *b, const char *v)
{
	char	 c;

	for (; v != NULL && *v != '\0'; v++) {
		c = ((unsigned char)*v < 0x20 || *v == 0x7f) ? ' ' : *v;
		strbuf_add(b, &c, 1);
	}
}

char *
template_render(const char *text, const struct template_values *v)
{
	struct strbuf	 b = STRBUF_INIT;
	const char	*s, *close;
	int		 ph;

	for (s = text; *s != '\0'; s++) {
		if ((s[0] == '{' && s[1] == '{') ||
		    (s[0] == '}' && s[1] == '}')) {
			strbuf_add(&b, s++, 1);
			continue;
		}
		if (s[0] == '{' && (close = strchr(s, '}')) != NULL &&
		    (ph = placeholder_lookup(s + 1, (size_t)(close - s - 1)))
		    != -1) {
			template_add_value(&b, v->v[ph]);
			s = close;
			continue;
		}
		strbuf_add(&b, s, 1);
	}
	return strbuf_finish(&b);
}

/* Whether text names ph, read as template_render reads it. */
static int
template_names(const char *text, enum placeholder ph)
{
	const char	*s, *close;

	for (s = text; s != NULL && *s != '\0'; s++) {
		if ((s[0] == '{' && s[1] == '{') ||
		    (s[0] == '}' && s[1] == '}')) {
			s++;
			continue;
		}
		if (s[0] == '{' && (close = strchr(s, '}')) != NULL &&
		    placeholder_lookup(s + 1, (size_t)(close - s - 1)) ==
		    (int)ph)
			return 1;
	}
	return 0;
}

int
templates_use(const struct templates *ts, enum placeholder ph)
{
	int	 n, c;

	for (n = 0; n < NOTICE_COUNT; n++)
		for (c = 0; c < CHANNEL_COUNT; c++)
			if (template_names(ts->t[n][c].subject, ph) ||
			    template_names(ts->t[n][c].body, ph))
				return 1;
	return 0;
}

/* GSM 03.38's default alphabet, and its extension table (two septets). */
static const char gsm_basic[] =
    "@\xc2\xa3$\xc2\xa5\xc3\xa8\xc3\xa9\xc3\xb9\xc3\xac\xc3\xb2\xc3\x87\n"
    "\xc3\x98\xc3\xb8\r\xc3\x85\xc3\xa5\xce\x94_\xce\xa6\xce\x93\xce\x9b"
    "\xce\xa9\xce\xa0\xce\xa8\xce\xa3\xce\x98\xce\x9e\xc3\x86\xc3\xa6"
    "\xc3\x9f\xc3\x89 !\"#\xc2\xa4%&'()*+,-./0123456789:;<=>?\xc2\xa1"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ\xc3\x84\xc3\x96\xc3\x91\xc3\x9c\xc2\xa7"
    "\xc2\xbf" "abcdefghijklmnopqrstuvwxyz\xc3\xa4\xc3\xb6\xc3\xb1\xc3\xbc"
    "\xc3\xa0";
static const char gsm_extension[] = "^{}\\[~]|\xe2\x82\xac\f";

/* Whether code point cp is among the characters of set (UTF-8). */
static int
gsm_has(const char *set, long cp)
{
	const unsigned char	*p = (const unsigned char *)set;

	while (*p != '\0')
		if (utf8_next(&p) == cp)
			return 1;
	return 0;
}

static int
segments_of(size_t units, size_t single, size_t part)
{
	if (units <= single)
		return 1;
	return (int)((units + part - 1) / part);
}

int
template_sms_segments(const char *utf8)
{
	const unsigned char	*p = (const unsigned char *)utf8;
	size_t			 septets = 0, ucs2 = 0;
	int			 gsm = 1;
	long			 cp;

	while (*p != '\0') {
		if ((cp = utf8_next(&p)) == -1)
			return -1;
		ucs2 += cp > 0xffff ? 2 : 1;
		if (gsm && gsm_has(gsm_basic, cp))
			septets++;
		else if (gsm && gsm_has(gsm_extension, cp))
			septets += 2;
		else
			gsm = 0;
	}
	return gsm ? segments_of(septets, 160, 153) :
	    segments_of(ucs2, 70, 67);
}

static char *
template_read(const char *path, char *err, size_t errlen)
{
	FILE	*fp;
	char	*text;
	size_t	 len;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = malloc(TEMPLATE_MAX_BYTES + 2)) == NULL) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	len = fread(text, 1, TEMPLATE_MAX_BYTES + 1, fp);
	if (ferror(fp) || len > TEMPLATE_MAX_BYTES) {
		snprintf(err, errlen, ferror(fp) ? "%s: read error" :
		    "%s: longer than %d bytes", path, TEMPLATE_MAX_BYTES);
		free(text);
		text = NULL;
	} else
		text[len] = '\0';
	fclose(fp);
	return text;
}

/* Trailing blank lines would end every message with empty lines. */
static void
trim_end(char *s)
{
	size_t	 len = strlen(s);

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
	    s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
}

/* "Subject: ...", an empty line, the body. */
static int
template_split_email(const struct template_file *f, struct template *t)
{
	const char	*text = f->text, *eol;

	if (strncmp(text, "Subject:", 8) != 0)
		return template_fail(f, text, "an email template starts "
		    "with \"Subject: ...\"");
	if ((eol = strchr(text, '\n')) == NULL || eol[1] != '\n')
		return template_fail(f, eol, "an empty line must follow "
		    "the subject");
	text += 8;
	while (*text == ' ' || *text == '\t')
		text++;
	if ((t->subject = strndup(text, (size_t)(eol - text))) == NULL ||
	    (t->body = strdup(eol + 2)) == NULL)
		return template_fail(f, NULL, "out of memory");
	trim_end(t->subject);
	trim_end(t->body);
	if (*t->subject == '\0')
		return template_fail(f, f->text, "empty subject");
	return 0;
}

static int
template_check_sms(const struct template_file *f, const struct template *t)
{
	char	*sample;
	int	 n;

	if ((sample = template_render(t->body, &typical)) == NULL)
		return template_fail(f, NULL, "out of memory");
	n = template_sms_segments(sample);
	free(sample);
	if (n > TEMPLATE_SMS_SEGMENTS)
		return template_fail(f, NULL, "%d SMS segments with typical "
		    "values; at most %d", n, TEMPLATE_SMS_SEGMENTS);
	return 0;
}

static int
template_parse(const struct template_file *f, enum channel c,
    struct template *t)
{
	const char	*bad;

	if ((bad = utf8_invalid_at(f->text)) != NULL)
		return template_fail(f, bad, "not UTF-8");
	if (strchr(f->text, '\r') != NULL)
		return template_fail(f, strchr(f->text, '\r'),
		    "carriage return (write plain newlines)");
	if (template_check_placeholders(f, f->text) == -1)
		return -1;
	if (c == CHANNEL_EMAIL)
		return template_split_email(f, t);
	if ((t->body = strdup(f->text)) == NULL)
		return template_fail(f, NULL, "out of memory");
	trim_end(t->body);
	if (*t->body == '\0')
		return template_fail(f, f->text, "empty message");
	return template_check_sms(f, t);
}

static const char *
template_builtin_text(const char *name)
{
	const struct template_builtin	*b;

	for (b = template_builtins; b->name != NULL; b++)
		if (strcmp(b->name, name) == 0)
			return b->text;
	return NULL;
}

/* The folder's file when it has one, else the built-in text. */
static int
template_load_one(const char *dir, enum notice n, enum channel c,
    struct template *t, char *err, size_t errlen)
{
	struct template_file	 f;
	char			 name[64], path[4096];
	char			*text = NULL;
	int			 rc;

	snprintf(name, sizeof(name), "%s.%s", notice_names[n],
	    channel_names[c]);
	if (dir != NULL && (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	    name) >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (dir != NULL && access(path, F_OK) == 0) {
		if ((text = template_read(path, err, errlen)) == NULL)
			return -1;
		f.path = path;
		f.text = text;
	} else {
		snprintf(path, sizeof(path), "built-in %s", name);
		if ((f.text = template_builtin_text(name)) == NULL) {
			snprintf(err, errlen, "%s: missing", path);
			return -1;
		}
		f.path = path;
	}
	f.err = err;
	f.errlen = errlen;
	rc = template_parse(&f, c, t);
	free(text);
	return rc;
}

struct templates *
templates_load(const char *dir, char *err, size_t errlen)
{
	struct templates	*ts;
	struct stat		 st;
	int			 n, c;

	if (dir != NULL && stat(dir, &st) == -1) {
		snprintf(err, errlen, "templates folder %s: %s", dir,
		    strerror(errno));
		return NULL;
	}
	if (dir != NULL && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "templates folder %s: not a folder", dir);
		return NULL;
	}
	if ((ts = calloc(1, sizeof(*ts))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (n = 0; n < NOTICE_COUNT; n++)
		for (c = 0; c < CHANNEL_COUNT; c++)
			if (template_load_one(dir, n, c, &ts->t[n][c], err,
			    errlen) == -1) {
				templates_free(ts);
				return NULL;
			}
	return ts;
}

void
templates_free(struct templates *ts)
{
	int	 n, c;

	if (ts == NULL)
		return;
	for (n = 0; n < NOTICE_COUNT; n++)
		for (c = 0; c < CHANNEL_COUNT; c++) {
			free(ts->t[n][c].subject);
			free(ts->t[n][c].body);
		}
	free(ts);
}
