/* A growing string: appends never fail loudly, the end result says. */
#ifndef PRACTICED_STRBUF_H
#define PRACTICED_STRBUF_H

#include <stddef.h>

struct strbuf {
	char	*s;		/* NUL-terminated once anything is added */
	size_t	 len, cap;
	int	 failed;	/* out of memory: later appends do nothing */
};

#define STRBUF_INIT	{ NULL, 0, 0, 0 }

void	 strbuf_add(struct strbuf *, const char *, size_t);
void	 strbuf_adds(struct strbuf *, const char *);
void	 strbuf_addf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The string, now the caller's; NULL if any append failed. */
char	*strbuf_finish(struct strbuf *);

#endif
