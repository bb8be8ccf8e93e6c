/*
 * Calendar feeds as the domain keeps them: one clinician's schedule, a
 * detail level, and the hash of a secret token.  Add, rotate (a new
 * token; the old one opens nothing from that commit on), revoke, list,
 * and the calendar text a feed serves, through ical_export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "feed.h"
#include "out.h"
#include "practiced.h"
#include "strbuf.h"
#include "tz.h"

#define FEED_COLUMNS							\
    "SELECT f.id, f.detail, f.created, f.created_by, f.rotated,"	\
    "  f.revoked, f.changed, f.fetches, f.fetched, f.fetch_address,"	\
    "  f.fetch_agent, c.id, c.name FROM feeds f"			\
    "  JOIN clinicians c ON c.id = f.clinician_id"
static const char *feed_one_sql = FEED_COLUMNS " WHERE f.id = ?1";
static const char *feed_list_sql = FEED_COLUMNS
    "  ORDER BY f.revoked IS NOT NULL, c.name, f.id";
static const char *feed_insert_sql =
    "INSERT INTO feeds (clinician_id, detail, token_key, token_hash,"
    "  created, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char *feed_state_sql =
    "SELECT revoked FROM feeds WHERE id = ?1";
static const char *feed_rotate_sql =
    "UPDATE feeds SET token_key = ?2, token_hash = ?3, rotated = ?4,"
    "  etag = NULL, changed = NULL WHERE id = ?1";
static const char *feed_revoke_sql =
    "UPDATE feeds SET revoked = ?2, token_key = '', token_hash = x''"
    "  WHERE id = ?1";
static const char *feed_find_sql =
    "SELECT id, clinician_id, detail, token_hash, etag, changed"
    "  FROM feeds WHERE token_key = ?1 AND revoked IS NULL";
static const char *feed_fetch_sql =
    "UPDATE feeds SET fetches = fetches + ?2, fetched = ?3,"
    "  fetch_address = ?4, fetch_agent = ?5, etag = ?6, changed = ?7"
    "  WHERE id = ?1 AND revoked IS NULL";
static const char *clinician_exists_sql =
    "SELECT 1 FROM clinicians WHERE id = ?1";

static json_t *
feed_time(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return out_instant((time_t)sqlite3_column_int64(stmt, col));
}

static json_t *
feed_text(sqlite3_stmt *stmt, int col)
{
	const char	*s = db_column_text(stmt, col);

	return s != NULL ? json_string(s) : json_null();
}

static json_t *
feed_row_json(struct ctx *ctx, sqlite3_stmt *stmt)
{
	json_t	*last = json_null();
	int	 revoked = sqlite3_column_type(stmt, 5) != SQLITE_NULL;

	if (sqlite3_column_type(stmt, 8) != SQLITE_NULL)
		last = json_pack("{s:o,s:o,s:o,s:o}", "at", feed_time(stmt, 8),
		    "at_local", out_local(ctx, (time_t)sqlite3_column_int64(
		    stmt, 8)), "address", feed_text(stmt, 9), "agent",
		    feed_text(stmt, 10));
	return json_pack("{s:I,s:{s:I,s:s},s:s,s:s,s:o,s:s,s:o,s:o,s:o,"
	    "s:I,s:o}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "clinician", "id", (json_int_t)sqlite3_column_int64(stmt, 11),
	    "name", db_column_text(stmt, 12),
	    "detail", db_column_text(stmt, 1),
	    "state", revoked ? "revoked" : "active",
	    "created", feed_time(stmt, 2),
	    "created_by", db_column_text(stmt, 3),
	    "rotated", feed_time(stmt, 4),
	    "revoked", feed_time(stmt, 5),
	    "changed", feed_time(stmt, 6),
	    "fetches", (json_int_t)sqlite3_column_int64(stmt, 7),
	    "last_fetch", last);
}

json_t *
feed_json(struct ctx *ctx, long long id)
{
	json_t	*obj;

	if ((obj = out_row_by_id(ctx, feed_one_sql, id, feed_row_json)) ==
	    NULL && !ctx_failed(ctx))
		ctx_error(ctx, PROTO_ENOTFOUND, "no feed with id %lld", id);
	return obj;
}

json_t *
feed_list(struct ctx *ctx)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, feed_list_sql)) == NULL)
		return NULL;
	return out_rows(ctx, stmt, feed_row_json);
}

char *
feed_url(const struct config *conf, const char *token)
{
	char	*url;
	int	 rc;

	if (conf->feeds.url != NULL)
		rc = asprintf(&url, "%s/feed/%s.ics", conf->feeds.url, token);
	else
		rc = asprintf(&url, "http://%s/feed/%s.ics",
		    conf->feeds.listen != NULL ? conf->feeds.listen :
		    "LISTEN", token);
	return rc == -1 ? NULL : url;
}

/* Changes */

static int
feed_new_secret(struct ctx *ctx, struct feed_secret *s)
{
	if (feed_token_new(s) == -1)
		return ctx_error(ctx, PROTO_EINTERNAL, "the kernel gave no "
		    "random bytes for the token");
	return 0;
}

int
feed_add(struct ctx *ctx, long long clinician_id, enum export_detail detail,
    long long *id, struct feed_secret *s)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, clinician_exists_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, clinician_id);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no clinician with id "
		    "%lld", clinician_id);
	if (rc != SQLITE_ROW || feed_new_secret(ctx, s) == -1)
		return rc != SQLITE_ROW ? ctx_internal(ctx) : -1;
	if ((stmt = db_stmt(ctx->pd->db, feed_insert_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, clinician_id);
	sqlite3_bind_text(stmt, 2, export_detail_name(detail), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, s->key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 4, s->hash, FEED_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)ctx->now);
	sqlite3_bind_text(stmt, 6, ctx->user, -1, SQLITE_STATIC);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	*id = sqlite3_last_insert_rowid(db_handle(ctx->pd->db));
	return audit_record(ctx, "feed.add", "feed", *id,
	    "clinician %lld, detail %s", clinician_id,
	    export_detail_name(detail));
}

/* A feed that exists and is not revoked; -1 with the error set. */
static int
feed_active(struct ctx *ctx, long long id)
{
	sqlite3_stmt	*stmt;
	int		 rc, revoked = 0;

	if ((stmt = db_stmt(ctx->pd->db, feed_state_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		revoked = sqlite3_column_type(stmt, 0) != SQLITE_NULL;
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no feed with id %lld",
		    id);
	if (rc != SQLITE_ROW)
		return ctx_internal(ctx);
	if (revoked)
		return ctx_error(ctx, PROTO_ESTATE, "feed %lld is revoked; "
		    "add a new one", id);
	return 0;
}

int
feed_rotate(struct ctx *ctx, long long id, struct feed_secret *s)
{
	sqlite3_stmt	*stmt;

	if (feed_active(ctx, id) == -1 || feed_new_secret(ctx, s) == -1)
		return -1;
	if ((stmt = db_stmt(ctx->pd->db, feed_rotate_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, s->key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 3, s->hash, FEED_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)ctx->now);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	return audit_record(ctx, "feed.rotate", "feed", id, "new token");
}

int
feed_revoke(struct ctx *ctx, long long id)
{
	sqlite3_stmt	*stmt;

	if (feed_active(ctx, id) == -1)
		return -1;
	/* The hash goes too: nothing is left that a token could match. */
	if ((stmt = db_stmt(ctx->pd->db, feed_revoke_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	return audit_record(ctx, "feed.revoke", "feed", id, "revoked");
}

/* Serving */

static void
feed_found_read(sqlite3_stmt *stmt, struct feed_found *f)
{
	const char	*etag = db_column_text(stmt, 4);

	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(stmt, 0);
	f->clinician_id = sqlite3_column_int64(stmt, 1);
	if (export_detail_parse(db_column_text(stmt, 2), &f->detail) == -1)
		f->detail = EXPORT_BUSY;	/* the least, should it happen */
	if (etag != NULL)
		snprintf(f->etag, sizeof(f->etag), "%s", etag);
	f->changed = (time_t)sqlite3_column_int64(stmt, 5);
}

/*
 * Found by the first 8 bytes of the token's hash (not a secret: it
 * cannot give the token back), then the whole hash compared in
 * constant time, so no answer's timing tells how much of a guess was
 * right.  Every candidate is compared, found or not.
 */
int
feed_find(struct ctx *ctx, const struct feed_secret *s, struct feed_found *f)
{
	sqlite3_stmt	*stmt;
	int		 rc, found = 0;

	if ((stmt = db_stmt(ctx->pd->db, feed_find_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_text(stmt, 1, s->key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(stmt, 3) != FEED_HASH_BYTES ||
		    !feed_hash_equal(sqlite3_column_blob(stmt, 3), s->hash) ||
		    found)
			continue;
		feed_found_read(stmt, f);
		found = 1;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return ctx_internal(ctx);
	return found ? 0 : ctx_error(ctx, PROTO_ENOTFOUND, "no such feed");
}

void
feed_window(struct ctx *ctx, time_t *from, time_t *to)
{
	struct tz_wall	 f, t;

	/* Whole days: the text stays the same all day unless a session
	 * changes, and so does its ETag. */
	tz_to_wall(ctx->tz, ctx->now, &f);
	t = f;
	tz_add_days(&f, -FEED_PAST_DAYS);
	tz_add_days(&t, FEED_AHEAD_DAYS + 1);
	*from = tz_day_start(ctx->tz, f.year, f.month, f.day);
	*to = tz_day_start(ctx->tz, t.year, t.month, t.day);
}

int
feed_calendar(struct ctx *ctx, const struct feed_found *f,
    struct strbuf *out)
{
	struct export_query	 q;

	memset(&q, 0, sizeof(q));
	q.clinician_id = f->clinician_id;
	q.detail = f->detail;
	q.refresh_minutes = FEED_REFRESH_MINUTES;
	feed_window(ctx, &q.from, &q.to);
	return ical_export(ctx, &q, out);
}

int
feed_store_fetch(struct ctx *ctx, const struct feed_fetch *x)
{
	sqlite3_stmt	*stmt;
	char		 kept[FEED_AGENT_MAX + 1];
	size_t		 i;

	/* Printable ASCII only, cut: it is shown to the staff as is. */
	snprintf(kept, sizeof(kept), "%s", x->agent != NULL ? x->agent : "");
	for (i = 0; kept[i] != '\0'; i++)
		if ((unsigned char)kept[i] < 0x20 ||
		    (unsigned char)kept[i] > 0x7e)
			kept[i] = '?';
	if ((stmt = db_stmt(ctx->pd->db, feed_fetch_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, x->id);
	sqlite3_bind_int(stmt, 2, x->count);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)x->at);
	db_bind_text(stmt, 4, x->address);
	db_bind_text(stmt, 5, kept[0] != '\0' ? kept : NULL);
	db_bind_text(stmt, 6, x->etag[0] != '\0' ? x->etag : NULL);
	if (x->changed != 0)
		sqlite3_bind_int64(stmt, 7, (sqlite3_int64)x->changed);
	else
		sqlite3_bind_null(stmt, 7);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	return 0;
}
