/* A growing string for text built piece by piece (messages, templates). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static int
strbuf_grow(struct strbuf *b, size_t more)
{
	char	*grown;
	size_t	 cap;

	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap == 0 ? 256 : b->cap;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((grown = realloc(b->s, cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	b->s = grown;
	b->cap = cap;
	return 0;
}

void
strbuf_add(struct strbuf *b, const char *s, size_t len)
{
	if (b->failed || strbuf_grow(b, len) == -1)
		return;
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void
strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void
strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (b->failed)
		return;
	/* Straight into the room left when it fits: one pass, not two. */
	va_start(ap, fmt);
	n = vsnprintf(b->s != NULL ? b->s + b->len : NULL, b->s != NULL ?
	    b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && b->s != NULL && (size_t)n < b->cap - b->len) {
		b->len += (size_t)n;
		return;
	}
	if (n < 0 || strbuf_grow(b, (size_t)n) == -1) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
strbuf_finish(struct strbuf *b)
{
	char	*s;

	strbuf_add(b, "", 0);
	if (b->failed) {
		free(b->s);
		s = NULL;
	} else
		s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
	return s;
}
