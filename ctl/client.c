/*
 * The HTTP exchange with practiced over its Unix socket: one request out,
 * status and body (parsed as JSON) back; a paged list, page by page.
 *
 * The socket is a libevent bufferevent connected with
 * bufferevent_socket_connect() to a struct sockaddr_un.  The HTTP/1.1
 * framing is done here on that bufferevent's evbuffers rather than by
 * evhttp_connection: libevent 2.1's HTTP client cannot use a connected
 * bufferevent (evhttp_connection_base_bufferevent_new() requires one
 * without an fd, and evhttp_make_request() closes it and reconnects by
 * host name and TCP port); Unix sockets in the client came in 2.2.  The
 * framing is small: "Connection: close" makes the daemon end the answer
 * by Content-Length or by closing, and chunked bodies are read as well.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "protocol.h"
#include "practicectl.h"

#define CLIENT_MAX_HEADERS	(64 * 1024)
#define CLIENT_MAX_BODY		(64 * 1024 * 1024)

enum client_state {
	CLIENT_CONNECTING,
	CLIENT_STATUS,
	CLIENT_HEADERS,
	CLIENT_BODY,		/* Content-Length, or up to the close */
	CLIENT_CHUNK_SIZE,
	CLIENT_CHUNK_DATA,
	CLIENT_CHUNK_END,
	CLIENT_TRAILER,
	CLIENT_DONE,
	CLIENT_FAILED
};

struct client {
	struct event_base	*base;
	struct bufferevent	*bev;
	const char		*socket;
	enum client_state	 state;
	int			 connect_errno;
	struct ctl_error	*err;		/* why it failed */
	int			 status;
	char			*reason;
	struct evkeyvalq	 headers;
	size_t			 header_bytes;
	int			 length_known;
	size_t			 remaining;
	struct evbuffer		*body;
};

static void	client_fail(struct client *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
client_fail(struct client *cl, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*message;

	if (cl->state == CLIENT_FAILED)
		return;
	va_start(ap, fmt);
	message = xvasprintf(fmt, ap);
	va_end(ap);
	(void)error_set(cl->err, code, code == CTL_EXIT_UNREACHABLE ?
	    "unreachable" : "bad_answer", "%s", message);
	error_detail(cl->err, "socket", cl->socket);
	free(message);
	cl->state = CLIENT_FAILED;
	event_base_loopbreak(cl->base);
}

static void
client_fail_connect(struct client *cl, int error)
{
	switch (error) {
	case EACCES:
	case EPERM:
		client_fail(cl, CTL_EXIT_UNREACHABLE, "cannot connect to %s: "
		    "permission denied (ask an administrator to add you to "
		    "the group that owns the socket)", cl->socket);
		break;
	case EAGAIN:
		client_fail(cl, CTL_EXIT_UNREACHABLE, "cannot connect to %s: "
		    "practiced is too busy, try again", cl->socket);
		break;
	default:
		client_fail(cl, CTL_EXIT_UNREACHABLE,
		    "cannot connect to %s: %s (is practiced running?)",
		    cl->socket, strerror(error));
		break;
	}
}

static void
client_done(struct client *cl)
{
	cl->state = CLIENT_DONE;
	event_base_loopbreak(cl->base);
}

/* Takes up to n body bytes from the input; returns what is left wanted. */
static size_t
client_take(struct client *cl, struct evbuffer *in, size_t n)
{
	size_t	avail = evbuffer_get_length(in);

	if (avail > n)
		avail = n;
	if (evbuffer_get_length(cl->body) + avail > CLIENT_MAX_BODY) {
		client_fail(cl, CTL_EXIT_REFUSED,
		    "answer from practiced is too large");
		return n;
	}
	if (evbuffer_remove_buffer(in, cl->body, avail) != (int)avail) {
		client_fail(cl, CTL_EXIT_REFUSED, "out of memory");
		return n;
	}
	return n - avail;
}

/* "HTTP/1.1 200 OK" */
static int
client_parse_status(struct client *cl, const char *line)
{
	const char	*p;
	char		*end;
	long		 code;

	if (strncmp(line, "HTTP/1.", 7) != 0 || line[7] == '\0' ||
	    line[8] != ' ')
		return -1;
	p = line + 9;
	errno = 0;
	code = strtol(p, &end, 10);
	if (errno != 0 || end != p + 3 || code < 100 || code > 999 ||
	    (*end != ' ' && *end != '\0'))
		return -1;
	cl->status = (int)code;
	free(cl->reason);
	cl->reason = xstrdup(*end == ' ' ? end + 1 : "");
	return 0;
}

static int
client_parse_header(struct client *cl, char *line)
{
	char	*colon, *value;

	if ((colon = strchr(line, ':')) == NULL || colon == line)
		return -1;
	*colon = '\0';
	value = colon + 1;
	value += strspn(value, " \t");
	return evhttp_add_header(&cl->headers, line, value);
}

/* After the blank line: how the body is delimited. */
static void
client_begin_body(struct client *cl)
{
	const char		*te, *cl_hdr;
	char			*end;
	unsigned long long	 len;

	if (cl->status / 100 == 1) {	/* interim answer: the real one follows */
		evhttp_clear_headers(&cl->headers);
		cl->header_bytes = 0;
		cl->state = CLIENT_STATUS;
		return;
	}
	te = evhttp_find_header(&cl->headers, "Transfer-Encoding");
	cl_hdr = evhttp_find_header(&cl->headers, "Content-Length");
	if (te != NULL && strcasecmp(te, "identity") != 0) {
		if (strcasecmp(te, "chunked") != 0) {
			client_fail(cl, CTL_EXIT_REFUSED, "answer from "
			    "practiced has an unknown Transfer-Encoding");
			return;
		}
		cl->state = CLIENT_CHUNK_SIZE;
	} else if (cl->status == 204 || cl->status == 304) {
		client_done(cl);
	} else if (cl_hdr != NULL) {
		errno = 0;
		len = strtoull(cl_hdr, &end, 10);
		if (errno != 0 || end == cl_hdr || *end != '\0' ||
		    *cl_hdr == '-' || len > CLIENT_MAX_BODY) {
			client_fail(cl, CTL_EXIT_REFUSED, "answer from "
			    "practiced has a bad or huge Content-Length");
			return;
		}
		cl->length_known = 1;
		cl->remaining = (size_t)len;
		cl->state = CLIENT_BODY;
		if (cl->remaining == 0)
			client_done(cl);
	} else
		cl->state = CLIENT_BODY;	/* up to the close */
}

/* One whole line of the status, the headers, or the chunk framing. */
static void
client_line(struct client *cl, char *line)
{
	char		*end;
	unsigned long	 size;

	switch (cl->state) {
	case CLIENT_STATUS:
		if (client_parse_status(cl, line) == -1)
			client_fail(cl, CTL_EXIT_REFUSED, "answer from "
			    "practiced is not HTTP");
		else
			cl->state = CLIENT_HEADERS;
		break;
	case CLIENT_HEADERS:
		if (*line == '\0')
			client_begin_body(cl);
		else if (client_parse_header(cl, line) == -1)
			client_fail(cl, CTL_EXIT_REFUSED, "answer from "
			    "practiced has a bad header");
		break;
	case CLIENT_CHUNK_SIZE:
		errno = 0;
		size = strtoul(line, &end, 16);
		if (errno != 0 || end == line ||
		    (*end != '\0' && *end != ';' && *end != ' ') ||
		    size > CLIENT_MAX_BODY)
			client_fail(cl, CTL_EXIT_REFUSED, "answer from "
			    "practiced has a bad chunk");
		else if (size == 0)
			cl->state = CLIENT_TRAILER;
		else {
			cl->remaining = size;
			cl->state = CLIENT_CHUNK_DATA;
		}
		break;
	case CLIENT_CHUNK_END:
		if (*line != '\0')
			client_fail(cl, CTL_EXIT_REFUSED, "answer from "
			    "practiced has a bad chunk");
		else
			cl->state = CLIENT_CHUNK_SIZE;
		break;
	case CLIENT_TRAILER:
		if (*line == '\0')
			client_done(cl);
		break;
	default:
		break;
	}
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct client		*cl = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line;
	size_t			 len;

	for (;;) {
		switch (cl->state) {
		case CLIENT_CONNECTING:
			cl->state = CLIENT_STATUS;
			break;
		case CLIENT_STATUS:
		case CLIENT_HEADERS:
		case CLIENT_CHUNK_SIZE:
		case CLIENT_CHUNK_END:
		case CLIENT_TRAILER:
			line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
			if (line == NULL) {
				if (evbuffer_get_length(in) > CLIENT_MAX_HEADERS)
					client_fail(cl, CTL_EXIT_REFUSED,
					    "answer from practiced has a line "
					    "that is too long");
				return;
			}
			if (cl->state != CLIENT_CHUNK_SIZE &&
			    cl->state != CLIENT_CHUNK_END)
				cl->header_bytes += len;
			if (cl->header_bytes > CLIENT_MAX_HEADERS)
				client_fail(cl, CTL_EXIT_REFUSED, "answer from "
				    "practiced has too many headers");
			else
				client_line(cl, line);
			free(line);
			break;
		case CLIENT_BODY:
			if (!cl->length_known) {
				(void)client_take(cl, in, SIZE_MAX);
				return;
			}
			cl->remaining = client_take(cl, in, cl->remaining);
			if (cl->remaining == 0)
				client_done(cl);
			return;
		case CLIENT_CHUNK_DATA:
			cl->remaining = client_take(cl, in, cl->remaining);
			if (cl->remaining != 0)
				return;
			if (cl->state == CLIENT_CHUNK_DATA)
				cl->state = CLIENT_CHUNK_END;
			break;
		case CLIENT_DONE:
		case CLIENT_FAILED:
			return;
		}
	}
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*cl = arg;
	int		 error = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		cl->state = CLIENT_STATUS;
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		client_fail(cl, CTL_EXIT_UNREACHABLE, "no answer from "
		    "practiced on %s within %d seconds", cl->socket,
		    CTL_TIMEOUT_SECONDS);
		return;
	}
	if (cl->state == CLIENT_CONNECTING) {
		if (error == 0)
			error = cl->connect_errno;
		client_fail_connect(cl, error != 0 ? error : ECONNREFUSED);
		return;
	}
	/* The answer may have arrived with the close: read it first. */
	client_read_cb(cl->bev, cl);
	if (cl->state == CLIENT_DONE || cl->state == CLIENT_FAILED)
		return;
	if ((what & BEV_EVENT_EOF) && cl->state == CLIENT_BODY &&
	    !cl->length_known) {
		client_done(cl);
		return;
	}
	if (what & BEV_EVENT_EOF)
		client_fail(cl, CTL_EXIT_UNREACHABLE, "practiced closed the "
		    "connection before answering in full");
	else
		client_fail(cl, CTL_EXIT_UNREACHABLE, "lost the connection "
		    "to practiced: %s", strerror(error));
}

static void
client_write_request(struct client *cl, const struct ctl_request *req)
{
	struct evbuffer	*out = bufferevent_get_output(cl->bev);
	const char	*type = "application/json";
	char		*json = NULL;
	const void	*body = NULL;
	size_t		 bodylen = 0;
	int		 r;

	if (req->raw_type != NULL) {
		type = req->raw_type;
		body = req->raw;
		bodylen = req->rawlen;
	} else if (req->body != NULL) {
		if ((json = json_dumps(req->body, JSON_COMPACT)) == NULL)
			fatalx("out of memory");
		body = json;
		bodylen = strlen(json);
	}
	r = evbuffer_add_printf(out, "%s %s HTTP/1.1\r\n"
	    "Host: localhost\r\n"
	    "User-Agent: practicectl/%s\r\n"
	    "Accept: application/json\r\n"
	    "Connection: close\r\n",
	    req->method, req->target, PRACTICED_VERSION);
	if (r != -1 && body != NULL)
		r = evbuffer_add_printf(out, "Content-Type: %s\r\n"
		    "Content-Length: %zu\r\n", type, bodylen);
	if (r != -1)
		r = evbuffer_add(out, "\r\n", 2);
	/* Raw bytes (a file's part) are the caller's until the answer:
	 * sent from where they are, not copied. */
	if (r != -1 && json == NULL && body != NULL)
		r = evbuffer_add_reference(out, body, bodylen, NULL, NULL);
	else if (r != -1 && body != NULL)
		r = evbuffer_add(out, body, bodylen);
	free(json);
	if (r == -1)
		fatalx("out of memory");
}

/* The body as a NUL-terminated string, then as JSON if it is JSON. */
static void
client_answer(struct client *cl, struct ctl_answer *ans)
{
	size_t	len = evbuffer_get_length(cl->body);

	ans->status = cl->status;
	ans->reason = cl->reason;
	cl->reason = NULL;
	ans->text = xmalloc(len + 1);
	if (evbuffer_remove(cl->body, ans->text, len) != (int)len)
		fatalx("out of memory");
	ans->text[len] = '\0';
	ans->textlen = len;
	if (len > 0)
		ans->json = json_loadb(ans->text, len, 0, NULL);
}

/* One request, one connection, one answer: see client_exchange. */
static int
client_exchange_one(const char *path, const struct ctl_request *req,
    struct ctl_answer *ans, struct ctl_error *err)
{
	struct client		 cl;
	struct sockaddr_un	 sun;
	struct timeval		 tv = { CTL_TIMEOUT_SECONDS, 0 };
	void			(*oldpipe)(int);
	int			 rc;

	memset(ans, 0, sizeof(*ans));
	memset(&cl, 0, sizeof(cl));
	cl.socket = path;
	cl.err = err;
	cl.state = CLIENT_CONNECTING;
	TAILQ_INIT(&cl.headers);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		(void)error_set(err, CTL_EXIT_UNREACHABLE, "unreachable",
		    "cannot connect to %s: socket path too long", path);
		error_detail(err, "socket", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	/* A daemon that closes early must not kill us with SIGPIPE. */
	oldpipe = signal(SIGPIPE, SIG_IGN);

	if ((cl.base = event_base_new()) == NULL ||
	    (cl.body = evbuffer_new()) == NULL ||
	    (cl.bev = bufferevent_socket_new(cl.base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("cannot set up libevent");
	bufferevent_setcb(cl.bev, client_read_cb, NULL, client_event_cb, &cl);
	if (bufferevent_set_timeouts(cl.bev, &tv, &tv) == -1 ||
	    bufferevent_enable(cl.bev, EV_READ | EV_WRITE) == -1)
		fatalx("cannot set up libevent");

	errno = 0;
	if (bufferevent_socket_connect(cl.bev, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1)
		client_fail_connect(&cl, errno);
	else {
		cl.connect_errno = errno;
		client_write_request(&cl, req);
		if (event_base_dispatch(cl.base) == -1)
			client_fail(&cl, CTL_EXIT_UNREACHABLE,
			    "event loop failed");
		else if (cl.state != CLIENT_DONE)
			client_fail(&cl, CTL_EXIT_UNREACHABLE,
			    "no answer from practiced on %s", path);
	}

	if (cl.state == CLIENT_DONE) {
		client_answer(&cl, ans);
		rc = 0;
	} else
		rc = -1;

	bufferevent_free(cl.bev);
	evbuffer_free(cl.body);
	event_base_free(cl.base);
	evhttp_clear_headers(&cl.headers);
	free(cl.reason);
	(void)signal(SIGPIPE, oldpipe);
	return rc;
}

static int
client_ok(const struct ctl_answer *ans)
{
	return ans->status >= 200 && ans->status <= 299 &&
	    json_is_object(ans->json);
}

/* The array at path ("a.b": member b of member a), or NULL. */
static json_t *
client_rows(json_t *answer, const char *path)
{
	const char	*dot;
	char		*key;
	json_t		*v = answer;

	while ((dot = strchr(path, '.')) != NULL) {
		key = xasprintf("%.*s", (int)(dot - path), path);
		v = json_member(v, key, JSON_OBJECT);
		free(key);
		path = dot + 1;
	}
	return json_member(v, path, JSON_ARRAY);
}

/*
 * The pages after the first, each its own request (so the daemon serves
 * others in between), their rows appended to the first answer's; the
 * merged answer loses "next" and looks as one answer always did.  A
 * refused page is the answer instead, so nothing half is printed.
 */
static int
client_follow(const char *path, const struct ctl_request *req,
    struct ctl_answer *ans, struct ctl_error *err)
{
	struct ctl_request	 page;
	struct ctl_answer	 more;
	json_t			*rows, *extra;
	const char		*next;
	char			*after = NULL;
	int			 rc = 0;

	while (client_ok(ans) &&
	    (rows = client_rows(ans->json, req->pages)) != NULL &&
	    (next = json_text(ans->json, PROTO_PAGE_NEXT)) != NULL) {
		if (after != NULL && strcmp(after, next) == 0) {
			rc = error_set(err, CTL_EXIT_REFUSED, "bad_answer",
			    "practiced gave the page after %s twice", after);
			break;
		}
		free(after);
		after = xstrdup(next);
		request_page(req, after, &page);
		rc = client_exchange_one(path, &page, &more, err);
		request_free(&page);
		if (rc == -1)
			break;
		if (!client_ok(&more)) {
			client_answer_free(ans);
			*ans = more;
			break;
		}
		if ((extra = client_rows(more.json, req->pages)) == NULL ||
		    json_array_extend(rows, extra) == -1 ||
		    json_object_set(ans->json, PROTO_PAGE_NEXT,
		    json_object_get(more.json, PROTO_PAGE_NEXT)) == -1) {
			client_answer_free(&more);
			rc = error_set(err, CTL_EXIT_REFUSED, "bad_answer",
			    "unreadable page after %s from practiced", after);
			break;
		}
		client_answer_free(&more);
	}
	free(after);
	if (rc == -1) {
		client_answer_free(ans);
		return -1;
	}
	if (client_ok(ans))
		json_object_del(ans->json, PROTO_PAGE_NEXT);
	return 0;
}

/*
 * Work the daemon goes on with after its answer (a test message on its
 * way) is followed: the answer's "wait" path is asked again every
 * PROTO_WAIT_MS until an answer comes without one, which replaces the
 * first.  A refusal on the way is the answer instead.
 */
static int
client_wait(const char *path, struct ctl_answer *ans, struct ctl_error *err)
{
	struct timespec		 pause = { 0, PROTO_WAIT_MS * 1000000L };
	struct ctl_request	 again;
	struct ctl_answer	 next;
	const char		*wait;
	time_t			 until = time(NULL) + PROTO_WAIT_MAX;
	int			 rc;

	while (client_ok(ans) &&
	    (wait = json_text(ans->json, PROTO_WAIT)) != NULL) {
		if (request_get(&again, wait) == -1)
			rc = error_set(err, CTL_EXIT_REFUSED, "bad_answer",
			    "practiced said to wait on a bad path");
		else if (time(NULL) > until)
			rc = error_set(err, CTL_EXIT_REFUSED, "timeout",
			    "practiced is still at it after %d seconds; see "
			    "GET %s%s", PROTO_WAIT_MAX, PROTO_PREFIX, wait);
		else {
			nanosleep(&pause, NULL);
			rc = client_exchange_one(path, &again, &next, err);
		}
		request_free(&again);
		if (rc == -1) {
			client_answer_free(ans);
			return -1;
		}
		client_answer_free(ans);
		*ans = next;
	}
	return 0;
}

/*
 * Sends req to the daemon on the socket at path, and for a paged list
 * the requests for its later pages.  Returns 0 with the answer filled
 * in, whatever its HTTP status, or -1 with err saying what went wrong
 * (err->exit: CTL_EXIT_UNREACHABLE or CTL_EXIT_REFUSED).
 */
int
client_exchange(const char *path, const struct ctl_request *req,
    struct ctl_answer *ans, struct ctl_error *err)
{
	if (client_exchange_one(path, req, ans, err) == -1 ||
	    client_wait(path, ans, err) == -1)
		return -1;
	if (req->pages == NULL)
		return 0;
	return client_follow(path, req, ans, err);
}

/* One request and its answer, a "wait" in it left to the caller. */
int
client_send(const char *path, const struct ctl_request *req,
    struct ctl_answer *ans, struct ctl_error *err)
{
	return client_exchange_one(path, req, ans, err);
}

void
client_answer_free(struct ctl_answer *ans)
{
	free(ans->reason);
	free(ans->text);
	json_decref(ans->json);
	memset(ans, 0, sizeof(*ans));
}
