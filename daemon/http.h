/*
 * The HTTP server under every listener: evhttp with its unlimited
 * defaults replaced by limits, a cap on connections that fits the
 * descriptor limit, a deadline for each request to arrive whole, and
 * evhttp's own refusals answered as JSON errors like all others.
 *
 * A listener is a few lines on top of it, for example a calendar feed:
 *
 *	s = http_server_new(base, &limits, feed_request, feed);
 *	if (http_server_bind_fd(s, tcp_fd) == -1) ...
 *
 * where feed_request() reads http_request_evhttp() for the path and
 * answers with http_reply() before it returns.
 */
#ifndef PRACTICED_HTTP_H
#define PRACTICED_HTTP_H

#include <stddef.h>

#include <jansson.h>

#include "protocol.h"

struct event_base;
struct evhttp_request;
struct http_request;
struct http_server;

struct http_limits {
	size_t	 max_headers;	/* bytes: request line and headers */
	size_t	 max_body;	/* bytes */
	int	 timeout;	/* seconds for a request to arrive whole */
	int	 max_connections;	/* lowered to fit RLIMIT_NOFILE */
};

/*
 * Called for each request that arrived whole and passed the HTTP
 * checks.  It answers with http_reply*() before it returns (evhttp has
 * crashed on answers sent after a client left, libevent #997).
 */
typedef void (*http_handler)(struct http_request *, void *arg);

/* NULL if libevent cannot set up the server. */
struct http_server *http_server_new(struct event_base *,
		    const struct http_limits *, http_handler, void *arg);
/*
 * Serve a bound stream socket: listen() with the system's largest
 * backlog and accept on it.  Takes fd, even on failure (-1).
 */
int		 http_server_bind_fd(struct http_server *, int fd);
/* Stop accepting and close every listening socket. */
void		 http_server_unbind(struct http_server *);
/* Limits for the next request and the next connection. */
void		 http_server_set_limits(struct http_server *,
		    const struct http_limits *);
/* Unbind; done_cb runs once the open connections are gone, or at grace. */
void		 http_server_drain(struct http_server *, int grace,
		    void (*done_cb)(void *), void *arg);
void		 http_server_free(struct http_server *);

/* The request being answered: valid until the handler returns. */
struct evhttp_request *http_request_evhttp(struct http_request *);
/* The connection's socket (for SO_PEERCRED), or -1. */
int		 http_request_fd(struct http_request *);
/*
 * Whether an answer can still reach the client: it is connected, and the
 * request arrived less than the timeout ago.  A handler commits a write
 * only while this holds, so no change is made behind a client that has
 * gone or given up.
 */
int		 http_request_alive(const struct http_request *);

/* Answers: exactly one a request; later ones are ignored. */
void		 http_reply(struct http_request *, int status,
		    const char *content_type, const void *body, size_t len);
/* The JSON text of obj and a newline; NULL answers an internal error. */
void		 http_reply_json(struct http_request *, int status,
		    const json_t *obj);
void		 http_reply_error(struct http_request *, enum proto_error,
		    const char *, ...) __attribute__((format(printf, 3, 4)));

#endif
