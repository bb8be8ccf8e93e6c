/*
 * The feeds' one route, GET or HEAD /feed/TOKEN.ics: the token checked,
 * the calendar or 304, and each fetch remembered, then stored every
 * FEEDS_FLUSH_SECONDS.  No roles, no cookies, and never the token in a
 * log line (the feed's id is).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "ctx.h"
#include "db.h"
#include "feed_int.h"
#include "http.h"
#include "log.h"
#include "practiced.h"
#include "strbuf.h"

#define FEEDS_HTTP_DATE		"%a, %d %b %Y %H:%M:%S GMT"

static const char *data_version_sql = "PRAGMA data_version";

/* The request */

static void
feeds_header(struct evhttp_request *req, const char *key, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), key, value);
}

/* One answer for every feed that is not there: no hint of why. */
static void
feeds_not_found(struct http_request *hr)
{
	static const char	 text[] = "Not Found\n";

	feeds_header(http_request_evhttp(hr), "Cache-Control", "no-store");
	http_reply(hr, 404, "text/plain; charset=utf-8", text,
	    sizeof(text) - 1);
}

/* Whether an entity tag of If-None-Match ("*", a list, W/ or not) is ours. */
static int
feeds_etag_listed(const char *list, const char *etag)
{
	const char	*p = list;
	size_t		 n, elen = strlen(etag);

	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == elen && strncmp(p, etag, n) == 0)
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}

/* RFC 9110 13.2.2: If-None-Match decides when sent, else If-Modified-Since. */
static int
feeds_not_modified(struct evhttp_request *req, const char *etag,
    time_t changed)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	const char		*v, *end;
	struct tm		 tm;

	if ((v = evhttp_find_header(in, "If-None-Match")) != NULL)
		return feeds_etag_listed(v, etag);
	if ((v = evhttp_find_header(in, "If-Modified-Since")) == NULL ||
	    changed == 0)
		return 0;
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(v, FEEDS_HTTP_DATE, &tm)) == NULL || *end != '\0')
		return 0;
	return changed <= timegm(&tm);
}

/* Fetches */

static void
feeds_flush_later(struct feeds *fs)
{
	struct timeval	 tv = { FEEDS_FLUSH_SECONDS, 0 };

	if (!evtimer_pending(fs->flush, NULL))
		evtimer_add(fs->flush, &tv);
}

/* Store the fetches that wait, in one transaction. */
void
feeds_flush(struct feeds *fs)
{
	struct db		*db = fs->pd->db;
	struct feed_fetch	 x;
	struct feeds_entry	*e;
	struct ctx		 ctx;
	long long		 before;
	size_t			 i, n = 0;
	int			 rc = 0;

	for (i = 0; i < fs->ncache; i++)
		n += fs->cache[i].pending > 0;
	if (n == 0)
		return;
	ctx_init_internal(&ctx, fs->pd, time(NULL), "feed");
	before = sqlite3_total_changes64(db_handle(db));
	if (db_begin(db) == -1) {
		log_warnx("feeds: cannot store %zu feeds' fetches yet", n);
		feeds_flush_later(fs);
		return;
	}
	for (i = 0; i < fs->ncache && rc == 0; i++) {
		e = &fs->cache[i];
		if (e->pending == 0)
			continue;
		x.id = e->id;
		x.count = e->pending;
		x.at = e->at;
		x.address = e->address;
		x.agent = e->agent;
		x.etag = e->etag;
		x.changed = e->changed;
		rc = feed_store_fetch(&ctx, &x);
	}
	if (rc == -1 || db_commit(db) == -1) {
		if (rc == -1)
			db_rollback(db);
		log_warnx("feeds: cannot store %zu feeds' fetches yet", n);
		json_decref(ctx.details);
		feeds_flush_later(fs);
		return;
	}
	/* Our own writes change no feed's text. */
	for (i = 0; i < fs->ncache; i++) {
		e = &fs->cache[i];
		e->pending = 0;
		if (e->changes == before)
			e->changes = sqlite3_total_changes64(db_handle(db));
	}
}

void
feeds_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	feeds_flush(arg);
}

static struct feeds_entry *
feeds_entry(struct feeds *fs, const struct feed_found *f)
{
	struct feeds_entry	*e;
	size_t			 i;

	for (i = 0; i < fs->ncache; i++)
		if (fs->cache[i].id == f->id)
			return &fs->cache[i];
	if (fs->ncache == FEEDS_CACHE) {
		/* Rare (more feeds than that fetched within a while). */
		feeds_flush(fs);
		for (i = 0; i < fs->ncache; i++)
			feeds_forget_text(fs, &fs->cache[i]);
		fs->ncache = 0;
	}
	e = &fs->cache[fs->ncache++];
	memset(e, 0, sizeof(*e));
	e->id = f->id;
	snprintf(e->etag, sizeof(e->etag), "%s", f->etag);
	e->changed = f->changed;
	return e;
}

static void
feeds_record(struct feeds *fs, struct feeds_entry *e, struct ctx *ctx,
    struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	const char			*addr = NULL, *agent;
	ev_uint16_t			 port;

	if ((evcon = evhttp_request_get_connection(req)) != NULL)
		evhttp_connection_get_peer(evcon, (char **)&addr, &port);
	agent = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "User-Agent");
	snprintf(e->address, sizeof(e->address), "%s", addr != NULL ? addr :
	    "?");
	snprintf(e->agent, sizeof(e->agent), "%s", agent != NULL ? agent : "");
	e->at = ctx->now;
	e->pending++;
	feeds_flush_later(fs);
}

/* The texts kept */

void
feeds_forget_text(struct feeds *fs, struct feeds_entry *e)
{
	if (e->text == NULL)
		return;
	fs->text_bytes -= e->len;
	free(e->text);
	e->text = NULL;
	e->len = 0;
}

/*
 * Keep e's new text if it fits the budget, letting go of the texts
 * fetched longest ago for it: 1 if kept (e owns it), 0 if not.
 */
static int
feeds_keep_text(struct feeds *fs, struct feeds_entry *e, char *text,
    size_t len)
{
	struct feeds_entry	*old;
	size_t			 i;

	if (len > FEEDS_TEXT_BUDGET)
		return 0;
	while (fs->text_bytes + len > FEEDS_TEXT_BUDGET) {
		old = NULL;
		for (i = 0; i < fs->ncache; i++)
			if (fs->cache[i].text != NULL && &fs->cache[i] != e &&
			    (old == NULL || fs->cache[i].at < old->at))
				old = &fs->cache[i];
		if (old == NULL)
			return 0;
		feeds_forget_text(fs, old);
	}
	e->text = text;
	e->len = len;
	fs->text_bytes += len;
	return 1;
}

/* The answer */

/* Whether e's tag is the text's now; if not, the state to make it in. */
static int
feeds_known(struct feeds *fs, struct feeds_entry *e, struct ctx *ctx,
    struct feeds_entry *now)
{
	sqlite3_stmt	*stmt;
	time_t		 to;

	now->changes = sqlite3_total_changes64(db_handle(fs->pd->db));
	now->data_version = -1;
	if ((stmt = db_stmt(fs->pd->db, data_version_sql)) != NULL) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			now->data_version = sqlite3_column_int64(stmt, 0);
		sqlite3_reset(stmt);
	}
	feed_window(ctx, &now->from, &to);
	now->generation = fs->generation;
	return e->known && now->data_version != -1 &&
	    e->changes == now->changes &&
	    e->data_version == now->data_version && e->from == now->from &&
	    e->generation == now->generation;
}

/*
 * The text made again: its tag, and since when, if it is new.  The
 * entry keeps it if it fits (*kept 1), else the caller frees it.
 */
static char *
feeds_make(struct feeds *fs, struct feeds_entry *e, struct ctx *ctx,
    const struct feed_found *f, const struct feeds_entry *now, int *kept)
{
	struct strbuf	 out = STRBUF_INIT;
	char		 etag[FEED_ETAG_LEN + 1], *text;
	size_t		 len;

	*kept = 0;
	feeds_forget_text(fs, e);
	e->known = 0;
	if (feed_calendar(ctx, f, &out) == -1 ||
	    (text = strbuf_finish(&out)) == NULL) {
		free(strbuf_finish(&out));
		return NULL;
	}
	len = strlen(text);
	if (feed_etag(text, len, etag) == -1) {
		free(text);
		ctx_internal(ctx);
		return NULL;
	}
	if (strcmp(etag, e->etag) != 0 || e->changed == 0) {
		memcpy(e->etag, etag, sizeof(etag));
		e->changed = ctx->now;
	}
	e->known = 1;
	e->changes = now->changes;
	e->data_version = now->data_version;
	e->from = now->from;
	e->generation = now->generation;
	*kept = feeds_keep_text(fs, e, text, len);
	return text;
}

/* The calendar of a feed that was found, or 304. */
static void
feeds_answer(struct feeds *fs, struct http_request *hr, struct ctx *ctx,
    const struct feed_found *f)
{
	struct evhttp_request	*req = http_request_evhttp(hr);
	struct feeds_entry	*e, now;
	char			 date[64], *text = NULL;
	const char		*body;
	struct tm		 tm;
	int			 fresh, known, kept = 1;

	e = feeds_entry(fs, f);
	known = feeds_known(fs, e, ctx, &now);
	fresh = known && feeds_not_modified(req, e->etag, e->changed);
	body = e->text;
	if (!fresh && (!known || e->text == NULL)) {
		if ((body = text = feeds_make(fs, e, ctx, f, &now,
		    &kept)) == NULL) {
			log_warnx("feed %lld: %s", f->id, ctx_failed(ctx) ?
			    ctx->msg : "out of memory");
			http_reply(hr, ctx->err == PROTO_ETOOLARGE ? 413 :
			    500, "text/plain; charset=utf-8", "", 0);
			return;
		}
		fresh = feeds_not_modified(req, e->etag, e->changed);
	}
	feeds_record(fs, e, ctx, req);
	log_debug("feed %lld: %s", f->id, fresh ? "not modified" : "sent");
	feeds_header(req, "ETag", e->etag);
	if (gmtime_r(&e->changed, &tm) != NULL &&
	    strftime(date, sizeof(date), FEEDS_HTTP_DATE, &tm) > 0)
		feeds_header(req, "Last-Modified", date);
	feeds_header(req, "Cache-Control", "private, max-age=0");
	if (fresh)
		http_reply(hr, 304, "text/calendar; charset=utf-8", "", 0);
	else
		http_reply(hr, 200, "text/calendar; charset=utf-8", body,
		    e->text == body ? e->len : strlen(body));
	if (!kept)
		free(text);
}

void
feeds_request(struct http_request *hr, void *arg)
{
	struct feeds			*fs = arg;
	struct evhttp_request		*req = http_request_evhttp(hr);
	const struct evhttp_uri		*uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type		 cmd = evhttp_request_get_command(req);
	struct feed_secret		 s;
	struct feed_found		 f;
	struct ctx			 ctx;

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		feeds_header(req, "Allow", "GET, HEAD");
		http_reply(hr, 405, "text/plain; charset=utf-8",
		    "Method Not Allowed\n", 19);
		return;
	}
	ctx_init_internal(&ctx, fs->pd, time(NULL), "feed");
	if (feed_token_parse(uri != NULL ? evhttp_uri_get_path(uri) : NULL,
	    &s) == -1 || feed_find(&ctx, &s, &f) == -1) {
		if (ctx.err == PROTO_EINTERNAL)
			http_reply(hr, 500, "text/plain; charset=utf-8", "", 0);
		else
			feeds_not_found(hr);
	} else
		feeds_answer(fs, hr, &ctx, &f);
	explicit_bzero(&s, sizeof(s));
	json_decref(ctx.details);
}
