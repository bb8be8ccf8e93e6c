/*
 * The HTTP server: evhttp with limits on headers, bodies, connections
 * and the time a request may take to arrive, refusals in JSON, and a
 * listener that backs off instead of spinning when accept() fails.
 */
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "http.h"
#include "log.h"

#define HTTP_SWEEP_USEC		200000	/* drop connections evhttp let go */
#define HTTP_RETRY_SEC		1	/* after accept() failed */
#define HTTP_FD_SPARE		16	/* descriptors kept for the database */
#define HTTP_FULL_LOG_SEC	60	/* "not accepting" at most this often */

struct http_server;

/*
 * One connection.  evhttp 2.1 can neither cap connections nor tell us
 * when it frees one, so we make each bufferevent (bevcb), hold an extra
 * reference, and sweep those whose callbacks evhttp has cleared.
 */
struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	struct http_server	*server;
	struct bufferevent	*bev;
	struct evbuffer_cb_entry *watch;	/* on the output */
	struct event		*expire;	/* the request's deadline */
	struct event		*rewrite;	/* evhttp's refusal, to JSON */
	size_t			 foreign_at;	/* where evhttp's text starts */
	int			 ours;		/* writing our own answer */
	int			 foreign;	/* evhttp wrote text of its own */
};

struct http_listener {
	TAILQ_ENTRY(http_listener) entry;
	struct http_server	*server;
	struct evhttp_bound_socket *bound;
	struct event		*retry;
	int			 backoff;	/* accept() failed: wait */
};

struct http_server {
	TAILQ_ENTRY(http_server) entry;
	struct event_base	*base;
	struct evhttp		*http;
	struct http_limits	 limits;
	size_t			 cap;		/* connections, within the fds */
	http_handler		 handler;
	void			*arg;
	TAILQ_HEAD(, http_conn)	 conns;
	size_t			 nconns;
	TAILQ_HEAD(, http_listener) listeners;
	struct event		*sweep;
	int			 full;
	time_t			 full_logged;
	int			 accept_failing;	/* logged once */
	int			 draining;
	time_t			 drain_deadline;
	void			(*done_cb)(void *);
	void			*done_arg;
};

struct http_request {
	struct evhttp_request	*req;
	struct http_server	*server;
	struct http_conn	*conn;		/* NULL if untracked */
	struct timespec		 arrived;
	int			 answered;
	int			 close;		/* refused: close after */
};

/* The listener's error callback is given evhttp's pointer, not ours. */
static TAILQ_HEAD(, http_server) http_servers =
    TAILQ_HEAD_INITIALIZER(http_servers);

static void	http_sweep_cb(evutil_socket_t, short, void *);
static void	http_retry_cb(evutil_socket_t, short, void *);

/* Limits */

/* Descriptors open now, or a guess if /proc cannot say. */
static long
http_fds_open(void)
{
	DIR		*d;
	struct dirent	*de;
	long		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return HTTP_FD_SPARE;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

/* max_connections, lowered so that accept() never runs out of fds. */
static size_t
http_cap(const struct http_limits *l)
{
	struct rlimit	 rl;
	long		 open, room;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= (rlim_t)l->max_connections + 4096)
		return (size_t)l->max_connections;
	open = http_fds_open();
	room = (long)rl.rlim_cur - open - HTTP_FD_SPARE;
	if (room >= l->max_connections)
		return (size_t)l->max_connections;
	if (room < 1)
		room = 1;
	log_warnx("max_connections %d lowered to %ld: the process may open "
	    "%llu files (RLIMIT_NOFILE) and has %ld open", l->max_connections,
	    room, (unsigned long long)rl.rlim_cur, open);
	return (size_t)room;
}

/* The longest listen queue the system allows. */
static int
http_backlog(void)
{
	FILE	*f;
	int	 n = 0;

	if ((f = fopen("/proc/sys/net/core/somaxconn", "re")) != NULL) {
		if (fscanf(f, "%d", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n > 0 ? n : SOMAXCONN;
}

/* Listeners */

static void
http_listeners_update(struct http_server *s)
{
	struct http_listener	*l;
	struct evconnlistener	*lev;

	TAILQ_FOREACH(l, &s->listeners, entry) {
		lev = evhttp_bound_socket_get_listener(l->bound);
		if (s->full || l->backoff || s->draining)
			evconnlistener_disable(lev);
		else
			evconnlistener_enable(lev);
	}
}

static void
http_full_update(struct http_server *s)
{
	time_t	 now;
	int	 full = s->nconns >= s->cap;

	if (full && !s->full && !s->draining) {
		now = time(NULL);
		if (now - s->full_logged >= HTTP_FULL_LOG_SEC) {
			log_warnx("http: %zu connections open, not accepting "
			    "more until some close", s->nconns);
			s->full_logged = now;
		}
	}
	s->full = full;
	http_listeners_update(s);
}

/*
 * accept() failed for a reason that retrying at once will not cure
 * (EMFILE, ENFILE, ENOBUFS...): libevent would call it again in a busy
 * loop, so pause the listener and try again later, saying so once.
 */
static void
http_accept_error(struct evconnlistener *lev, void *arg)
{
	struct http_server	*s;
	struct http_listener	*l;
	struct timeval		 tv = { HTTP_RETRY_SEC, 0 };
	int			 err = EVUTIL_SOCKET_ERROR();

	(void)arg;
	TAILQ_FOREACH(s, &http_servers, entry)
		TAILQ_FOREACH(l, &s->listeners, entry)
			if (evhttp_bound_socket_get_listener(l->bound) == lev)
				goto found;
	evconnlistener_disable(lev);	/* not ours: never spin */
	return;
found:
	if (!s->accept_failing)
		log_warnx("http: accept: %s; pausing new connections "
		    "(%zu open)", strerror(err), s->nconns);
	s->accept_failing = 1;
	l->backoff = 1;
	http_listeners_update(s);
	evtimer_add(l->retry, &tv);
}

static void
http_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_listener	*l = arg;

	(void)fd;
	(void)what;
	l->backoff = 0;
	http_listeners_update(l->server);
}

int
http_server_bind_fd(struct http_server *s, int fd)
{
	struct http_listener	*l;
	struct evconnlistener	*lev;

	if (listen(fd, http_backlog()) == -1) {
		close(fd);
		return -1;
	}
	if ((lev = evconnlistener_new(s->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_DISABLED,
	    0, fd)) == NULL) {
		close(fd);
		return -1;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->retry = evtimer_new(s->base, http_retry_cb, l)) == NULL ||
	    (l->bound = evhttp_bind_listener(s->http, lev)) == NULL) {
		if (l != NULL && l->retry != NULL)
			event_free(l->retry);
		free(l);
		evconnlistener_free(lev);
		return -1;
	}
	l->server = s;
	evconnlistener_set_error_cb(lev, http_accept_error);
	TAILQ_INSERT_TAIL(&s->listeners, l, entry);
	http_listeners_update(s);
	return 0;
}

void
http_server_unbind(struct http_server *s)
{
	struct http_listener	*l;

	while ((l = TAILQ_FIRST(&s->listeners)) != NULL) {
		TAILQ_REMOVE(&s->listeners, l, entry);
		evhttp_del_accept_socket(s->http, l->bound);
		event_free(l->retry);
		free(l);
	}
}

/* Connections */

static int
http_conn_open(const struct http_conn *hc)
{
	bufferevent_data_cb	 rd, wr;
	bufferevent_event_cb	 ev;
	void			*arg;

	bufferevent_getcb(hc->bev, &rd, &wr, &ev, &arg);
	return !(rd == NULL && ev == NULL && arg == NULL);
}

static void
http_conn_free(struct http_conn *hc)
{
	evbuffer_remove_cb_entry(bufferevent_get_output(hc->bev), hc->watch);
	event_free(hc->expire);
	event_free(hc->rewrite);
	bufferevent_decref(hc->bev);
	free(hc);
}

static void
http_sweep(struct http_server *s)
{
	struct http_conn	*hc, *next;

	for (hc = TAILQ_FIRST(&s->conns); hc != NULL; hc = next) {
		next = TAILQ_NEXT(hc, entry);
		if (http_conn_open(hc))
			continue;
		TAILQ_REMOVE(&s->conns, hc, entry);
		s->nconns--;
		http_conn_free(hc);
	}
	http_full_update(s);
}

static void
http_sweep_arm(struct http_server *s)
{
	struct timeval	 tv = { 0, HTTP_SWEEP_USEC };

	if ((s->nconns > 0 || s->draining) && !evtimer_pending(s->sweep, NULL))
		evtimer_add(s->sweep, &tv);
}

static void
http_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server	*s = arg;

	(void)fd;
	(void)what;
	http_sweep(s);
	if (s->draining && (s->nconns == 0 || time(NULL) >= s->drain_deadline)) {
		if (s->nconns > 0)
			log_warnx("http: %zu connections still open at exit",
			    s->nconns);
		s->draining = 0;	/* once */
		s->done_cb(s->done_arg);
		return;
	}
	http_sweep_arm(s);
}

static void
http_expire_arm(struct http_conn *hc)
{
	struct timeval	 tv = { hc->server->limits.timeout, 0 };

	evtimer_add(hc->expire, &tv);
}

/*
 * The request did not arrive whole in time.  evhttp's own timeout
 * counts silence only, so a client sending a byte a second would hold
 * its connection for ever: hand evhttp a timeout, which closes it.
 */
static void
http_expire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*hc = arg;

	(void)fd;
	(void)what;
	if (!http_conn_open(hc))
		return;
	log_debug("http: closing a connection whose request did not arrive "
	    "within %d s", hc->server->limits.timeout);
	bufferevent_trigger_event(hc->bev, BEV_EVENT_READING |
	    BEV_EVENT_TIMEOUT, 0);
}

static void
http_on_complete(struct evhttp_request *req, void *arg)
{
	struct http_conn	*hc = arg;

	(void)req;
	/* The answer is out: the next request has its own deadline. */
	if (http_conn_open(hc))
		http_expire_arm(hc);
}

/* evhttp writes to the connection outside our answers: look at it. */
static void
http_output_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_conn	*hc = arg;

	(void)buf;
	if (info->n_added == 0 || hc->ours || hc->foreign)
		return;
	hc->foreign = 1;
	hc->foreign_at = info->orig_size;
	/* Runs in this loop pass, before the socket can take the text. */
	event_active(hc->rewrite, EV_TIMEOUT, 1);
}

/* The JSON body of a refusal, with its newline; NULL without memory. */
static char *
http_error_text(enum proto_error e, const char *message)
{
	json_t	*obj;
	char	*text, *line = NULL;

	obj = json_pack("{s:{s:s,s:s}}", PROTO_ERROR, PROTO_ERROR_CODE,
	    proto_errors[e].code, PROTO_ERROR_MESSAGE, message);
	text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (text != NULL && asprintf(&line, "%s\n", text) == -1)
		line = NULL;
	free(text);
	return line;
}

/* What evhttp's own refusal becomes. */
static enum proto_error
http_refusal(const struct http_server *s, int status, char *msg,
    size_t len)
{
	switch (status) {
	case 413:
		/* libevent fails a chunk it cannot read the same way. */
		snprintf(msg, len, "the request body is over the limit of "
		    "%zu bytes (or its chunks are malformed)",
		    s->limits.max_body);
		return PROTO_ETOOLARGE;
	case 405:
	case 501:
		snprintf(msg, len, "method not allowed");
		return PROTO_EMETHOD;
	default:
		snprintf(msg, len, "malformed HTTP request: a bad request "
		    "line or header, or headers over %zu bytes",
		    s->limits.max_headers);
		return PROTO_EBADREQUEST;
	}
}

/*
 * The status of the answer evhttp wrote at foreign_at, past its own
 * "100 Continue" lines, with its head in head; -1 if it cannot be read.
 */
static int
http_foreign_status(struct http_conn *hc, struct evbuffer *out, char *head,
    size_t size)
{
	struct evbuffer_ptr	 at, end;
	size_t			 len;
	int			 status;

	for (;;) {
		if (evbuffer_ptr_set(out, &at, hc->foreign_at,
		    EVBUFFER_PTR_SET) == -1)
			return -1;
		end = evbuffer_search(out, "\r\n\r\n", 4, &at);
		if (end.pos == -1 ||
		    (len = (size_t)end.pos - hc->foreign_at) >= size ||
		    evbuffer_copyout_from(out, &at, head, len) != (ssize_t)len)
			return -1;
		head[len] = '\0';
		if (sscanf(head, "HTTP/1.%*d %d", &status) != 1)
			return -1;
		if (status >= 200)
			return status;
		hc->foreign_at = (size_t)end.pos + 4;
	}
}

/* Everything from foreign_at on becomes text. */
static void
http_foreign_replace(struct http_conn *hc, struct evbuffer *out,
    const char *text)
{
	struct evbuffer	*keep;

	if ((keep = evbuffer_new()) == NULL)
		return;
	hc->ours = 1;
	evbuffer_remove_buffer(out, keep, hc->foreign_at);
	evbuffer_drain(out, evbuffer_get_length(out));
	evbuffer_add(keep, text, strlen(text));
	evbuffer_add_buffer(out, keep);
	hc->ours = 0;
	evbuffer_free(keep);
}

/*
 * Replace the HTML page of evhttp's refusal (a bad request line or
 * header, a body over the limit) with our JSON error.  Anything else it
 * writes ("100 Continue") passes, as does anything we cannot read.
 */
static void
http_rewrite_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*hc = arg;
	struct evbuffer		*out;
	enum proto_error	 e;
	char			 head[1024], msg[160], *body, *text;
	int			 status;

	(void)fd;
	(void)what;
	hc->foreign = 0;
	if (!http_conn_open(hc))
		return;
	out = bufferevent_get_output(hc->bev);
	if ((status = http_foreign_status(hc, out, head, sizeof(head))) < 400 ||
	    strcasestr(head, "\r\nContent-Type: text/html") == NULL)
		return;
	e = http_refusal(hc->server, status, msg, sizeof(msg));
	if ((body = http_error_text(e, msg)) == NULL)
		return;
	if (asprintf(&text, "HTTP/1.1 %d %s\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close"
	    "\r\n\r\n%s", proto_errors[e].status,
	    e == PROTO_ETOOLARGE ? "Payload Too Large" :
	    e == PROTO_EMETHOD ? "Method Not Allowed" : "Bad Request",
	    strlen(body), body) != -1) {
		http_foreign_replace(hc, out, text);
		free(text);
	}
	free(body);
}

static struct bufferevent *
http_new_bev(struct event_base *base, void *arg)
{
	struct http_server	*s = arg;
	struct http_conn	*hc;
	struct bufferevent	*bev;

	http_sweep(s);
	if (s->accept_failing) {
		log_info("http: accepting connections again");
		s->accept_failing = 0;
	}
	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE))
	    == NULL)
		return NULL;
	if ((hc = calloc(1, sizeof(*hc))) == NULL ||
	    (hc->expire = evtimer_new(base, http_expire_cb, hc)) == NULL ||
	    (hc->rewrite = event_new(base, -1, 0, http_rewrite_cb, hc))
	    == NULL ||
	    (hc->watch = evbuffer_add_cb(bufferevent_get_output(bev),
	    http_output_cb, hc)) == NULL) {
		if (hc != NULL && hc->expire != NULL)
			event_free(hc->expire);
		if (hc != NULL && hc->rewrite != NULL)
			event_free(hc->rewrite);
		free(hc);
		return bev;	/* untracked, but served */
	}
	hc->server = s;
	hc->bev = bev;
	bufferevent_incref(bev);
	TAILQ_INSERT_TAIL(&s->conns, hc, entry);
	s->nconns++;
	http_expire_arm(hc);
	http_full_update(s);
	http_sweep_arm(s);
	return bev;
}

static struct http_conn *
http_conn_of(struct http_server *s, struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	struct http_conn		*hc;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return NULL;
	TAILQ_FOREACH(hc, &s->conns, entry)
		if (hc->bev == bev)
			return hc;
	return NULL;
}

/*
 * evhttp reads the first of several Content-Length headers and ignores
 * one beside Transfer-Encoding: the rest of such a request would be
 * read as another (request smuggling).  Refuse both, and close.
 */
static int
http_check_framing(struct http_request *hr)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(hr->req);
	struct evkeyval		*kv;
	int			 lengths = 0, chunked = 0;

	TAILQ_FOREACH(kv, h, next) {
		if (strcasecmp(kv->key, "Content-Length") == 0)
			lengths++;
		else if (strcasecmp(kv->key, "Transfer-Encoding") == 0)
			chunked++;
	}
	if (lengths <= 1 && !(lengths == 1 && chunked > 0))
		return 0;
	hr->close = 1;
	http_reply_error(hr, PROTO_EBADREQUEST, lengths > 1 ?
	    "more than one Content-Length header" :
	    "both Content-Length and Transfer-Encoding headers");
	return -1;
}

/* Sweep as soon as evhttp is done with it, not at the next tick. */
static void
http_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_server	*s = arg;

	(void)evcon;
	event_active(s->sweep, EV_TIMEOUT, 1);
}

static void
http_on_request(struct evhttp_request *req, void *arg)
{
	struct http_server	*s = arg;
	struct http_request	 hr;

	memset(&hr, 0, sizeof(hr));
	hr.req = req;
	hr.server = s;
	clock_gettime(CLOCK_MONOTONIC, &hr.arrived);
	if ((hr.conn = http_conn_of(s, req)) != NULL) {
		evtimer_del(hr.conn->expire);
		evhttp_request_set_on_complete_cb(req, http_on_complete,
		    hr.conn);
		evhttp_connection_set_closecb(evhttp_request_get_connection(req),
		    http_conn_closed, s);
	}
	if (http_check_framing(&hr) == 0)
		s->handler(&hr, s->arg);
	if (!hr.answered) {
		log_warnx("http: a request was left unanswered");
		http_reply_error(&hr, PROTO_EINTERNAL, "internal error");
	}
}

/* The server */

struct http_server *
http_server_new(struct event_base *base, const struct http_limits *limits,
    http_handler handler, void *arg)
{
	struct http_server	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base = base;
	s->handler = handler;
	s->arg = arg;
	TAILQ_INIT(&s->conns);
	TAILQ_INIT(&s->listeners);
	if ((s->http = evhttp_new(base)) == NULL ||
	    (s->sweep = evtimer_new(base, http_sweep_cb, s)) == NULL) {
		if (s->http != NULL)
			evhttp_free(s->http);
		free(s);
		return NULL;
	}
	/* Every method reaches the handler, which answers 405 in JSON. */
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(s->http, "application/json");
	evhttp_set_bevcb(s->http, http_new_bev, s);
	evhttp_set_gencb(s->http, http_on_request, s);
	TAILQ_INSERT_TAIL(&http_servers, s, entry);
	http_server_set_limits(s, limits);
	return s;
}

void
http_server_set_limits(struct http_server *s, const struct http_limits *l)
{
	s->limits = *l;
	if (s->limits.timeout < 1)
		s->limits.timeout = 1;
	if (s->limits.max_connections < 1)
		s->limits.max_connections = 1;
	s->cap = http_cap(&s->limits);
	evhttp_set_max_headers_size(s->http, (ev_ssize_t)s->limits.max_headers);
	evhttp_set_max_body_size(s->http, (ev_ssize_t)s->limits.max_body);
	evhttp_set_timeout(s->http, s->limits.timeout);
	http_sweep(s);
}

void
http_server_drain(struct http_server *s, int grace,
    void (*done_cb)(void *), void *arg)
{
	if (s->draining)
		return;
	s->draining = 1;
	s->done_cb = done_cb;
	s->done_arg = arg;
	s->drain_deadline = time(NULL) + grace;
	http_server_unbind(s);
	http_sweep(s);
	http_sweep_arm(s);
}

void
http_server_free(struct http_server *s)
{
	struct http_conn	*hc;

	if (s == NULL)
		return;
	TAILQ_REMOVE(&http_servers, s, entry);
	http_server_unbind(s);
	evhttp_free(s->http);	/* frees its connections first */
	while ((hc = TAILQ_FIRST(&s->conns)) != NULL) {
		TAILQ_REMOVE(&s->conns, hc, entry);
		http_conn_free(hc);
	}
	event_free(s->sweep);
	free(s);
}

/* Requests */

struct evhttp_request *
http_request_evhttp(struct http_request *hr)
{
	return hr->req;
}

int
http_request_fd(struct http_request *hr)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;

	if ((evcon = evhttp_request_get_connection(hr->req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return -1;
	return bufferevent_getfd(bev);
}

int
http_request_alive(const struct http_request *hr)
{
	struct pollfd	 pfd;
	struct timespec	 now;
	long long	 ms;

	if (hr == NULL || hr->answered ||
	    (hr->conn != NULL && !http_conn_open(hr->conn)))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(now.tv_sec - hr->arrived.tv_sec) * 1000 +
	    (now.tv_nsec - hr->arrived.tv_nsec) / 1000000;
	if (ms >= (long long)hr->server->limits.timeout * 1000)
		return 0;
	if ((pfd.fd = http_request_fd((struct http_request *)hr)) == -1)
		return 0;
	/* Hung up entirely; a client that only shut its sending side waits. */
	pfd.events = 0;
	if (poll(&pfd, 1, 0) == -1 ||
	    (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0)
		return 0;
	return 1;
}

/* Sends what the output buffer holds. */
static void
http_send(struct http_request *hr, int status, const char *content_type)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(hr->req);
	struct evbuffer		*out = evhttp_request_get_output_buffer(hr->req);

	hr->answered = 1;
	/* evhttp 2.1 would send it, unannounced, after a HEAD's headers. */
	if (evhttp_request_get_command(hr->req) == EVHTTP_REQ_HEAD)
		evbuffer_drain(out, evbuffer_get_length(out));
	evhttp_add_header(h, "Content-Type", content_type);
	if (hr->close)
		evhttp_add_header(h, "Connection", "close");
	if (hr->conn != NULL)
		hr->conn->ours = 1;
	evhttp_send_reply(hr->req, status, NULL, NULL);
	if (hr->conn != NULL)
		hr->conn->ours = 0;
}

void
http_reply(struct http_request *hr, int status, const char *content_type,
    const void *body, size_t len)
{
	struct evbuffer	*out = evhttp_request_get_output_buffer(hr->req);

	if (hr->answered)
		return;
	if (evbuffer_add(out, body, len) == -1)
		status = 500;	/* an empty answer, still one */
	http_send(hr, status, content_type);
}

static void
http_free_text(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

void
http_reply_json(struct http_request *hr, int status, const json_t *obj)
{
	struct evbuffer	*out = evhttp_request_get_output_buffer(hr->req);
	char		*text;

	if (hr->answered)
		return;
	if (obj == NULL || (text = json_dumps(obj, JSON_COMPACT)) == NULL) {
		http_reply_error(hr, PROTO_EINTERNAL, "internal error");
		return;
	}
	/* Lists can be large: the buffer takes the text without a copy. */
	if (evbuffer_add_reference(out, text, strlen(text), http_free_text,
	    NULL) == -1) {
		free(text);
		http_reply_error(hr, PROTO_EINTERNAL, "internal error");
		return;
	}
	if (evbuffer_add(out, "\n", 1) == -1)
		status = 500;
	http_send(hr, status, "application/json");
}

void
http_reply_error(struct http_request *hr, enum proto_error e,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512], *text;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	text = http_error_text(e, msg);
	http_reply(hr, proto_errors[e].status, "application/json", text,
	    text ? strlen(text) : 0);
	free(text);
}
