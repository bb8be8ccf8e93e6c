/*
 * Composing an email: RFC 5322 headers, MIME UTF-8 text in
 * quoted-printable (RFC 2045), encoded words for a subject or a name
 * that is not plain ASCII (RFC 2047), and an invitation's parts in
 * base64 (RFC 6047).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mail.h"
#include "send.h"
#include "strbuf.h"

/* Bytes of text in one encoded word (RFC 2047: at most 75 characters). */
#define WORD_BYTES	39
#define MAIL_TIMEOUT	60	/* seconds for one message */
/* RFC 2045: a quoted-printable line is at most 76 characters. */
#define QP_LINE_MAX	76
/* Bytes a base64 line carries: 76 characters. */
#define B64_LINE_BYTES	57
/* Boundaries no encoded line can hold: "=_" is neither base64 nor
 * quoted-printable (where "=" is followed by hex or the line's end). */
#define MIXED_BOUNDARY	"=_practiced_mixed"
#define ALT_BOUNDARY	"=_practiced_alt"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64_add(struct strbuf *b, const unsigned char *s, size_t len)
{
	char		 out[4];
	unsigned long	 v;
	size_t		 i;

	for (i = 0; i < len; i += 3) {
		v = (unsigned long)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		out[0] = b64[(v >> 18) & 63];
		out[1] = b64[(v >> 12) & 63];
		out[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[3] = i + 2 < len ? b64[v & 63] : '=';
		strbuf_add(b, out, 4);
	}
}

static int
is_plain_header_text(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* The bytes of whole UTF-8 characters from s that fit in max bytes. */
static size_t
utf8_prefix(const char *s, size_t max)
{
	size_t	 len = strlen(s);

	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/*
 * Text as encoded words, folded onto continuation lines; a word holds
 * whole characters, as RFC 2047 asks.  39 bytes make 52 characters of
 * base64: with "=?UTF-8?B?", "?=" and "Subject: " a line stays within
 * RFC 5322's 78.
 */
static void
encoded_words_add(struct strbuf *b, const char *s)
{
	size_t	 n;
	int	 first = 1;

	while (*s != '\0') {
		n = utf8_prefix(s, WORD_BYTES);
		if (n == 0)
			n = 1;	/* not UTF-8: still make progress */
		strbuf_adds(b, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
		base64_add(b, (const unsigned char *)s, n);
		strbuf_adds(b, "?=");
		s += n;
		first = 0;
	}
}

static void
header_text_add(struct strbuf *b, const char *name, const char *value)
{
	strbuf_addf(b, "%s: ", name);
	if (is_plain_header_text(value) &&
	    strlen(name) + 2 + strlen(value) <= 78)
		strbuf_adds(b, value);
	else
		encoded_words_add(b, value);
	strbuf_adds(b, "\r\n");
}

/* "Name <addr>": the name plain, quoted or encoded as it needs. */
static void
header_from_add(struct strbuf *b, const char *from)
{
	const char	*lt = strrchr(from, '<');
	char		*name;
	size_t		 len;

	strbuf_adds(b, "From: ");
	if (lt == NULL) {
		strbuf_addf(b, "%s\r\n", from);
		return;
	}
	len = (size_t)(lt - from);
	while (len > 0 && from[len - 1] == ' ')
		len--;
	if (len >= 2 && from[0] == '"' && from[len - 1] == '"') {
		from++;
		len -= 2;
	}
	if ((name = strndup(from, len)) == NULL) {
		b->failed = 1;
		return;
	}
	if (*name == '\0')
		;
	else if (!is_plain_header_text(name))
		encoded_words_add(b, name);
	else if (strpbrk(name, "()<>[]:;@\\,.\"") != NULL) {
		strbuf_adds(b, "\"");
		for (const char *p = name; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_add(b, "\\", 1);
			strbuf_add(b, p, 1);
		}
		strbuf_adds(b, "\"");
	} else
		strbuf_adds(b, name);
	free(name);
	strbuf_addf(b, "%s%s\r\n", *from == '<' ? "" : " ", lt);
}

/* RFC 5322's date, in English whatever the locale, in UTC. */
static void
header_date_add(struct strbuf *b, time_t t)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL) {
		b->failed = 1;
		return;
	}
	strbuf_addf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Whether byte c at column col of a line must be written =XX. */
static int
qp_needs_escape(unsigned char c, int col, int last)
{
	if (c == '=' || c > 0x7e || (c < 0x20 && c != '\t'))
		return 1;
	if ((c == ' ' || c == '\t') && last)
		return 1;	/* trailing white space is lost in transit */
	return c == '.' && col == 0;	/* a lone "." ends SMTP's DATA */
}

static void
qp_line_add(struct strbuf *b, const char *s, size_t len)
{
	char	 esc[4];
	int	 col = 0, w;
	size_t	 i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int escape = qp_needs_escape(c, col, i + 1 == len);

		w = escape ? 3 : 1;
		if (col + w > QP_LINE_MAX - 1) {
			strbuf_adds(b, "=\r\n");	/* a soft break */
			col = 0;
			escape = qp_needs_escape(c, col, i + 1 == len);
			w = escape ? 3 : 1;
		}
		if (escape) {
			snprintf(esc, sizeof(esc), "=%02X", c);
			strbuf_add(b, esc, 3);
		} else
			strbuf_add(b, (const char *)&c, 1);
		col += w;
	}
	strbuf_adds(b, "\r\n");
}

static void
qp_body_add(struct strbuf *b, const char *body)
{
	const char	*eol;

	while (*body != '\0') {
		eol = strchr(body, '\n');
		qp_line_add(b, body, eol != NULL ? (size_t)(eol - body) :
		    strlen(body));
		if (eol == NULL)
			break;
		body = eol + 1;
	}
}

static void
base64_lines_add(struct strbuf *b, const char *s)
{
	size_t	 len = strlen(s), n;

	while (len > 0) {
		n = len < B64_LINE_BYTES ? len : B64_LINE_BYTES;
		base64_add(b, (const unsigned char *)s, n);
		strbuf_adds(b, "\r\n");
		s += n;
		len -= n;
	}
}

static void
text_part_add(struct strbuf *b, const char *body)
{
	strbuf_adds(b, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	qp_body_add(b, body);
}

/*
 * Gmail and Outlook show an invitation from the text/calendar that is an
 * alternative of the text; Apple Mail and others offer the attached
 * file.  Both carry the same calendar.
 */
static void
invitation_add(struct strbuf *b, const struct mail_message *m)
{
	strbuf_adds(b, "Content-Type: multipart/mixed;\r\n"
	    " boundary=\"" MIXED_BOUNDARY "\"\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n"
	    "--" MIXED_BOUNDARY "\r\n"
	    "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"" ALT_BOUNDARY "\"\r\n\r\n"
	    "--" ALT_BOUNDARY "\r\n");
	text_part_add(b, m->body);
	strbuf_addf(b, "--" ALT_BOUNDARY "\r\n"
	    "Content-Type: text/calendar; charset=UTF-8; method=%s\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", m->method);
	base64_lines_add(b, m->calendar);
	strbuf_adds(b, "--" ALT_BOUNDARY "--\r\n\r\n"
	    "--" MIXED_BOUNDARY "\r\n"
	    "Content-Type: application/ics; name=\"" MAIL_INVITE_NAME "\"\r\n"
	    "Content-Disposition: attachment; filename=\"" MAIL_INVITE_NAME
	    "\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	base64_lines_add(b, m->calendar);
	strbuf_adds(b, "--" MIXED_BOUNDARY "--\r\n");
}

/* A METHOD is a token: a word of capitals. */
static int
method_valid(const char *s)
{
	return s != NULL && *s != '\0' && strlen(s) <= 16 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(s);
}

char *
mail_compose(const struct mail_message *m)
{
	struct strbuf	 b = STRBUF_INIT;

	header_date_add(&b, m->date);
	header_from_add(&b, m->from);
	strbuf_addf(&b, "To: %s\r\n", m->to);
	header_text_add(&b, "Subject", m->subject);
	strbuf_addf(&b, "Message-ID: <%s>\r\n", m->message_id);
	strbuf_adds(&b, "MIME-Version: 1.0\r\n");
	if (m->calendar != NULL && method_valid(m->method)) {
		invitation_add(&b, m);
		return strbuf_finish(&b);
	}
	strbuf_adds(&b, "Auto-Submitted: auto-generated\r\n");
	text_part_add(&b, m->body);
	return strbuf_finish(&b);
}

int
mail_address(const char *from, char *addr, size_t len)
{
	const char	*start = from, *end;

	if ((end = strrchr(from, '<')) != NULL) {
		start = end + 1;
		if ((end = strchr(start, '>')) == NULL)
			return -1;
	} else
		end = from + strlen(from);
	while (start < end && *start == ' ')
		start++;
	while (end > start && end[-1] == ' ')
		end--;
	if (end == start || memchr(start, '@', (size_t)(end - start)) == NULL
	    || (size_t)(end - start) >= len)
		return -1;
	memcpy(addr, start, (size_t)(end - start));
	addr[end - start] = '\0';
	return 0;
}

int
mail_message_id(char *buf, size_t len, const char *tag, long long id,
    int version, const char *from)
{
	char		 addr[256];
	const char	*domain;
	int		 n;

	if (mail_address(from, addr, sizeof(addr)) == -1 ||
	    (domain = strrchr(addr, '@')) == NULL || domain[1] == '\0')
		return -1;
	n = snprintf(buf, len, "%s.%lld.%d@%s", tag, id, version,
	    domain + 1);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

struct send_job *
mail_job(const struct config_smtp *c, long long id, const char *to,
    char *message)
{
	struct send_job	*j;
	char		 from[320];

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    mail_address(c->from, from, sizeof(from)) == -1) {
		free(j);
		free(message);
		return NULL;
	}
	j->id = id;
	j->kind = SEND_SMTP;
	j->body = message;
	j->len = strlen(message);
	j->timeout = MAIL_TIMEOUT;
	j->starttls = c->starttls && strncmp(c->url, "smtp://", 7) == 0;
	if ((j->url = strdup(c->url)) == NULL ||
	    (j->mail_from = strdup(from)) == NULL ||
	    (j->rcpt = strdup(to)) == NULL ||
	    (c->username != NULL && ((j->username = strdup(c->username)) ==
	    NULL || (j->password = strdup(c->password)) == NULL)) ||
	    (c->ca_file != NULL && (j->ca_file = strdup(c->ca_file)) == NULL)) {
		send_job_free(j);
		return NULL;
	}
	return j;
}
