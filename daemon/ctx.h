/*
 * What a domain function needs to know about the change it makes: the
 * practice, the time, who acts, the zone of its input and output, and
 * the error it leaves for its caller.  Nothing here knows of HTTP.
 */
#ifndef PRACTICED_CTX_H
#define PRACTICED_CTX_H

#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "protocol.h"

struct facts;
struct practiced;

struct ctx {
	struct practiced	*pd;
	time_t			 now;

	/* The actor, as the audit log names it. */
	uid_t			 uid;
	char			 user[64];
	const char		*role;		/* a constant string */
	int			 internal;	/* a job of the daemon's own */
	/* Records' facts the job vouches for (facts.h), or NULL. */
	struct facts		*facts;

	const char		*tz;		/* zone of input and output */
	char			 tz_buf[72];

	/* The first error wins; PROTO_OK while nothing failed. */
	enum proto_error	 err;
	char			 msg[1024];
	json_t			*details;
};

/* A caller of the control socket; the actor is set once known. */
void	 ctx_init(struct ctx *, struct practiced *, time_t now);
void	 ctx_set_actor(struct ctx *, uid_t, const char *user,
	    const char *role);
/* The daemon itself ("practiced") or a job of it ("import"). */
void	 ctx_init_internal(struct ctx *, struct practiced *, time_t now,
	    const char *actor);
/* A zone already checked with tz_valid; copied. */
void	 ctx_set_zone(struct ctx *, const char *tz);
/* Forget the error (a timer job going on to its next item). */
void	 ctx_clear(struct ctx *);

/* Each returns -1, so "return ctx_error(...);" reads as a refusal. */
int	 ctx_error(struct ctx *, enum proto_error, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* details is stolen (NULL is fine). */
int	 ctx_error_details(struct ctx *, enum proto_error, json_t *details,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
int	 ctx_internal(struct ctx *);
int	 ctx_failed(const struct ctx *);

#endif
