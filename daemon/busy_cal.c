/*
 * Busy calendars as the domain keeps them.  The address is a secret
 * (whoever has it reads the calendar): it is stored whole, used by the
 * fetch, and shown, logged and audited only as its scheme and host.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "audit.h"
#include "busy_cal.h"
#include "check.h"
#include "ctx.h"
#include "db.h"
#include "lookup.h"
#include "out.h"
#include "practiced.h"

#define BUSY_CAL_COLUMNS						\
    "SELECT k.id, k.url, k.every, k.last_fetch, k.last_ok, k.last_error,"\
    "  k.blocks, k.created, k.created_by, c.id, c.name, c.active,"	\
    "  k.etag IS NOT NULL OR k.last_modified IS NOT NULL"		\
    "  FROM busy_calendars k JOIN clinicians c ON c.id = k.clinician_id"
static const char *busy_cal_one_sql = BUSY_CAL_COLUMNS " WHERE k.id = ?1";
static const char *busy_cal_list_sql = BUSY_CAL_COLUMNS " ORDER BY k.id";
static const char *busy_cal_count_sql = "SELECT count(*) FROM busy_calendars";
static const char *busy_cal_insert_sql =
    "INSERT INTO busy_calendars (clinician_id, url, every, created,"
    "  created_by) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char *busy_cal_find_sql =
    "SELECT k.url, c.active, c.name FROM busy_calendars k"
    "  JOIN clinicians c ON c.id = k.clinician_id WHERE k.id = ?1";
static const char *busy_cal_blocks_delete_sql =
    "DELETE FROM busy_blocks WHERE calendar_id = ?1";
static const char *busy_cal_delete_sql =
    "DELETE FROM busy_calendars WHERE id = ?1";

void
busy_cal_redact(const char *url, char *buf, size_t len)
{
	const char	*host, *end;

	if ((host = strstr(url, "://")) == NULL) {
		snprintf(buf, len, "…");
		return;
	}
	host += 3;
	/* Never the user and password of user:pass@host. */
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)) != NULL)
		host = (const char *)memchr(host, '@', (size_t)(end - host)) +
		    1;
	snprintf(buf, len, "%.*s%.*s/…", (int)(strstr(url, "://") + 3 - url),
	    url, (int)(end - host), host);
}

static int
busy_cal_loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0 || strcasecmp(host, "localhost") == 0;
}

int
busy_cal_url_check(const char *url, int *http, char *why, size_t len)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
	int	 rc = -1;

	*http = 0;
	if ((u = curl_url()) == NULL) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		snprintf(why, len, "not an address that can be fetched");
	else if (strcmp(scheme, "https") == 0)
		rc = 0;
	else if (strcmp(scheme, "http") == 0 && busy_cal_loopback(host)) {
		*http = 1;
		rc = 0;
	} else
		snprintf(why, len, "an https:// address (plain http only to "
		    "this machine: 127.0.0.1, ::1 or localhost)");
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
busy_cal_every(const char *s, int *seconds, char *why, size_t len)
{
	char		*end;
	long		 n, unit = 1;

	if (!isdigit((unsigned char)*s))
		goto bad;
	n = strtol(s, &end, 10);
	if (strcmp(end, "m") == 0)
		unit = 60;
	else if (strcmp(end, "h") == 0)
		unit = 3600;
	else if (strcmp(end, "s") != 0 && *end != '\0')
		goto bad;
	if (n > BUSY_EVERY_MAX || n * unit < BUSY_EVERY_MIN ||
	    n * unit > BUSY_EVERY_MAX)
		goto bad;
	*seconds = (int)(n * unit);
	return 0;
bad:
	snprintf(why, len, "every: a time from 5m to 24h (\"15m\", \"2h\"), "
	    "not \"%.20s\"", s);
	return -1;
}

int
busy_cal_add(struct ctx *ctx, long long clinician_id, const char *url,
    int every, long long *id)
{
	sqlite3_stmt	*stmt;
	char		 why[160], shown[300];
	int		 http;

	if (check_text(ctx, "url", url, CHECK_URL_MAX) == -1)
		return -1;
	if (busy_cal_url_check(url, &http, why, sizeof(why)) == -1)
		return ctx_error(ctx, PROTO_EBADREQUEST, "url: %s", why);
	if (every < BUSY_EVERY_MIN || every > BUSY_EVERY_MAX)
		return ctx_error(ctx, PROTO_EBADREQUEST, "every: from %d to %d "
		    "seconds", BUSY_EVERY_MIN, BUSY_EVERY_MAX);
	if (lookup_require_active(ctx, KIND_CLINICIAN, clinician_id) == -1)
		return -1;
	if (db_count(ctx->pd->db, busy_cal_count_sql) >= BUSY_CALENDARS_MAX)
		return ctx_error(ctx, PROTO_ETOOLARGE, "%d busy calendars "
		    "already; remove one first", BUSY_CALENDARS_MAX);
	if ((stmt = db_stmt(ctx->pd->db, busy_cal_insert_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, clinician_id);
	db_bind_text(stmt, 2, url);
	sqlite3_bind_int(stmt, 3, every);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)ctx->now);
	db_bind_text(stmt, 5, ctx->user);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	*id = sqlite3_last_insert_rowid(db_handle(ctx->pd->db));
	busy_cal_redact(url, shown, sizeof(shown));
	return audit_record(ctx, "busy.add", "busy_calendar", *id,
	    "clinician %lld: %s every %ds", clinician_id, shown, every);
}

/* The calendar's redacted address, its clinician's state and name. */
static int
busy_cal_find(struct ctx *ctx, long long id, char *shown, size_t len,
    int *active, char *name, size_t nlen)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, busy_cal_find_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		busy_cal_redact(db_column_text(stmt, 0), shown, len);
		*active = sqlite3_column_int(stmt, 1);
		snprintf(name, nlen, "%s", db_column_text(stmt, 2));
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no busy calendar %lld",
		    id);
	return rc == SQLITE_ROW ? 0 : ctx_internal(ctx);
}

int
busy_cal_remove(struct ctx *ctx, long long id)
{
	sqlite3_stmt	*stmt;
	char		 shown[300], name[208];
	int		 active, i;
	const char	*sql[] = { busy_cal_blocks_delete_sql,
			    busy_cal_delete_sql };

	if (busy_cal_find(ctx, id, shown, sizeof(shown), &active, name,
	    sizeof(name)) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if ((stmt = db_stmt(ctx->pd->db, sql[i])) == NULL)
			return ctx_internal(ctx);
		sqlite3_bind_int64(stmt, 1, id);
		if (db_exec_stmt(ctx->pd->db, stmt) == -1)
			return ctx_internal(ctx);
	}
	return audit_record(ctx, "busy.remove", "busy_calendar", id, "%s",
	    shown);
}

int
busy_cal_refresh(struct ctx *ctx, long long id)
{
	char	 shown[300], name[208];
	int	 active;

	if (busy_cal_find(ctx, id, shown, sizeof(shown), &active, name,
	    sizeof(name)) == -1)
		return -1;
	if (!active)
		return ctx_error(ctx, PROTO_ESTATE, "%s is archived: her busy "
		    "calendars are not fetched", name);
	return audit_record(ctx, "busy.refresh", "busy_calendar", id, "%s",
	    shown);
}

/* An instant, or its wall time in the caller's zone (local). */
static json_t *
busy_cal_when(const struct ctx *ctx, sqlite3_stmt *stmt, int col, int local)
{
	time_t	 t = (time_t)sqlite3_column_int64(stmt, col);

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return local ? out_local(ctx, t) : out_instant(t);
}

static json_t *
busy_cal_row_json(struct ctx *ctx, sqlite3_stmt *stmt)
{
	char	 shown[300];

	busy_cal_redact(db_column_text(stmt, 1), shown, sizeof(shown));
	return json_pack("{s:I,s:s,s:i,s:o,s:o,s:o,s:o,s:s?,s:i,s:o,s:s,"
	    "s:{s:I,s:s},s:b,s:b}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "url", shown,
	    "every", sqlite3_column_int(stmt, 2),
	    "last_fetch", busy_cal_when(ctx, stmt, 3, 0),
	    "last_fetch_local", busy_cal_when(ctx, stmt, 3, 1),
	    "last_ok", busy_cal_when(ctx, stmt, 4, 0),
	    "last_ok_local", busy_cal_when(ctx, stmt, 4, 1),
	    "last_error", db_column_text(stmt, 5),
	    "blocks", sqlite3_column_int(stmt, 6),
	    "created", out_instant((time_t)sqlite3_column_int64(stmt, 7)),
	    "created_by", db_column_text(stmt, 8),
	    "clinician", "id", (json_int_t)sqlite3_column_int64(stmt, 9),
	    "name", db_column_text(stmt, 10),
	    "clinician_active", sqlite3_column_int(stmt, 11),
	    "conditional", sqlite3_column_int(stmt, 12));
}

json_t *
busy_cal_json(struct ctx *ctx, long long id)
{
	return out_row_by_id(ctx, busy_cal_one_sql, id, busy_cal_row_json);
}

json_t *
busy_cal_list(struct ctx *ctx)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, busy_cal_list_sql)) == NULL)
		return NULL;
	return out_rows(ctx, stmt, busy_cal_row_json);
}
