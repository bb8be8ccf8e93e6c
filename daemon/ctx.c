/*
 * The domain's context: who acts, when, in which zone, and the error
 * value a refused change leaves for the layer that answers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "practiced.h"

void
ctx_init(struct ctx *ctx, struct practiced *pd, time_t now)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->pd = pd;
	ctx->now = now;
	if (pd != NULL && pd->db != NULL)
		db_storage_clear(pd->db);	/* a new change, a new cause */
	ctx->role = "none";
	/* Copied: a reload frees the configuration the zone came from. */
	ctx_set_zone(ctx, pd != NULL && pd->conf != NULL ?
	    pd->conf->timezone : "UTC");
}

void
ctx_set_actor(struct ctx *ctx, uid_t uid, const char *user,
    const char *role)
{
	ctx->uid = uid;
	snprintf(ctx->user, sizeof(ctx->user), "%s", user);
	ctx->role = role;
}

void
ctx_init_internal(struct ctx *ctx, struct practiced *pd, time_t now,
    const char *actor)
{
	ctx_init(ctx, pd, now);
	/* The daemon's own user, with the rights it always has. */
	ctx_set_actor(ctx, pd != NULL ? pd->uid : 0, actor, "admin");
	ctx->internal = 1;
}

void
ctx_set_zone(struct ctx *ctx, const char *tz)
{
	snprintf(ctx->tz_buf, sizeof(ctx->tz_buf), "%s", tz);
	ctx->tz = ctx->tz_buf;
}

void
ctx_clear(struct ctx *ctx)
{
	json_decref(ctx->details);
	ctx->details = NULL;
	ctx->err = PROTO_OK;
	ctx->msg[0] = '\0';
}

/*
 * A message may quote what a caller sent (a path, a name) or be cut in
 * the middle of a letter: each byte that is not UTF-8 becomes '?', since
 * JSON carries only UTF-8 and the answer would otherwise be lost.
 */
static void
ctx_scrub_utf8(char *msg)
{
	unsigned char	*s = (unsigned char *)msg;
	size_t		 left = strlen(msg), n;

	while (left > 0) {
		if ((n = check_utf8_seq(s, left)) == 0) {
			*s = '?';
			n = 1;
		}
		s += n;
		left -= n;
	}
}

static int
ctx_verror(struct ctx *ctx, enum proto_error code, json_t *details,
    const char *fmt, va_list ap)
{
	if (ctx->err != PROTO_OK) {
		json_decref(details);
		return -1;
	}
	ctx->err = code;
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	ctx_scrub_utf8(ctx->msg);
	ctx->details = details;
	return -1;
}

int
ctx_error(struct ctx *ctx, enum proto_error code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctx_verror(ctx, code, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int
ctx_error_details(struct ctx *ctx, enum proto_error code, json_t *details,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctx_verror(ctx, code, details, fmt, ap);
	va_end(ap);
	return -1;
}

int
ctx_internal(struct ctx *ctx)
{
	switch (db_storage_error(ctx->pd != NULL ? ctx->pd->db : NULL)) {
	case DB_STORAGE_FULL:
		return ctx_error(ctx, PROTO_EUNAVAILABLE, "the disk that holds "
		    "the database is full; nothing was changed (what was "
		    "saved before is kept)");
	case DB_STORAGE_READONLY:
		return ctx_error(ctx, PROTO_EUNAVAILABLE, "the database "
		    "cannot be written (it became read-only); nothing was "
		    "changed");
	case DB_STORAGE_IOERR:
		return ctx_error(ctx, PROTO_EUNAVAILABLE, "the database "
		    "could not be read or written (an I/O error, see the "
		    "daemon's log); nothing was changed");
	default:
		return ctx_error(ctx, PROTO_EINTERNAL, "internal error; "
		    "nothing was changed (see the daemon's log)");
	}
}

int
ctx_failed(const struct ctx *ctx)
{
	return ctx->err != PROTO_OK;
}
