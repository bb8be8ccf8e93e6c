/*
 * The calendar feeds' listener: an optional TCP socket ([feeds]
 * listen, off by default) on the same HTTP server as the control
 * socket, bound at start, rebound by a reload, closed at stop.  Its one
 * route is feed_answer.c.  Meant to sit behind a reverse proxy that
 * adds TLS.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "config.h"
#include "feed_int.h"
#include "http.h"
#include "log.h"
#include "practiced.h"

#define FEEDS_MAX_HEADERS	8192
#define FEEDS_MAX_BODY		1024	/* a GET carries none */

/* The socket */

/* A bound TCP socket for [feeds] listen, or -1 and why. */
static int
feeds_socket(const struct config_feeds *c, char *err, size_t len)
{
	struct addrinfo	 hints, *res;
	int		 fd, rc, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(c->host, c->port, &hints, &res)) != 0) {
		snprintf(err, len, "feeds: listen %s: %s", c->listen,
		    gai_strerror(rc));
		return -1;
	}
	/* TCP_NODELAY, which Linux gives the connections accepted: a
	 * feed's last small segment otherwise waits for the client's
	 * delayed ACK, 40 ms, once in about a hundred answers. */
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ==
	    -1 || bind(fd, res->ai_addr, res->ai_addrlen) == -1) {
		snprintf(err, len, "feeds: listen %s: %s", c->listen,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int
feeds_bind(struct feeds *fs, const struct config_feeds *c, char *err,
    size_t len)
{
	char	*copy;
	int	 fd;

	if ((copy = strdup(c->listen)) == NULL) {
		snprintf(err, len, "feeds: out of memory");
		return -1;
	}
	if ((fd = feeds_socket(c, err, len)) == -1 ||
	    http_server_bind_fd(fs->server, fd) == -1) {
		if (fd != -1)
			snprintf(err, len, "feeds: listen %s: %s", c->listen,
			    strerror(errno));
		free(copy);
		return -1;
	}
	free(fs->listen);
	fs->listen = copy;
	return 0;
}

/* Start, reload, stop */

static void
feeds_limits(const struct config *conf, struct http_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->max_headers = FEEDS_MAX_HEADERS;
	l->max_body = FEEDS_MAX_BODY;
	l->timeout = conf->request_timeout;
	l->max_connections = conf->max_connections;
}

static struct feeds *
feeds_new(struct practiced *pd, char *err, size_t len)
{
	struct feeds		*fs;
	struct http_limits	 l;

	if ((fs = calloc(1, sizeof(*fs))) == NULL) {
		snprintf(err, len, "feeds: out of memory");
		return NULL;
	}
	fs->pd = pd;
	if ((fs->flush = evtimer_new(pd->base, feeds_flush_cb, fs)) == NULL) {
		snprintf(err, len, "feeds: cannot make a timer");
		free(fs);
		return NULL;
	}
	feeds_limits(pd->conf, &l);
	if ((fs->server = http_server_new(pd->base, &l, feeds_request, fs))
	    == NULL) {
		snprintf(err, len, "feeds: cannot set up the HTTP server");
		event_free(fs->flush);
		free(fs);
		return NULL;
	}
	if (feeds_bind(fs, &pd->conf->feeds, err, len) == -1) {
		feeds_free(fs);
		return NULL;
	}
	log_info("feeds: listening on %s", fs->listen);
	return fs;
}

struct feeds *
feeds_start(struct practiced *pd)
{
	struct feeds	*fs;
	char		 err[512];

	if (pd->conf->feeds.listen == NULL)
		return NULL;
	if ((fs = feeds_new(pd, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	return fs;
}

/* A new address: bound before the old is let go, when the two allow. */
static void
feeds_rebind(struct feeds *fs, const struct config_feeds *c)
{
	char	 err[512], err2[512];
	char	*old;
	int	 fd;

	if ((fd = feeds_socket(c, err, sizeof(err))) != -1) {
		http_server_unbind(fs->server);
		if (http_server_bind_fd(fs->server, fd) == 0 &&
		    (old = strdup(c->listen)) != NULL) {
			free(fs->listen);
			fs->listen = old;
			log_info("feeds: listening on %s", fs->listen);
			return;
		}
		snprintf(err, sizeof(err), "feeds: listen %s: %s", c->listen,
		    strerror(errno));
	} else {
		/* 0.0.0.0:P while 127.0.0.1:P is bound: let go first. */
		http_server_unbind(fs->server);
		if (feeds_bind(fs, c, err2, sizeof(err2)) == 0) {
			log_info("feeds: listening on %s", fs->listen);
			return;
		}
		snprintf(err, sizeof(err), "%s", err2);
	}
	log_warnx("reload: %s; the feeds have no listener until the next "
	    "reload", err);
	free(fs->listen);
	fs->listen = NULL;
}

void
feeds_reconfigure(struct practiced *pd)
{
	const struct config_feeds	*c = &pd->conf->feeds;
	struct feeds			*fs = pd->feeds;
	struct http_limits		 l;
	char				 err[512];

	if (c->listen == NULL) {
		if (fs != NULL)
			log_info("feeds: no longer listening");
		feeds_free(fs);
		pd->feeds = NULL;
		return;
	}
	if (fs == NULL) {
		if ((pd->feeds = feeds_new(pd, err, sizeof(err))) == NULL)
			log_warnx("reload: %s", err);
		return;
	}
	feeds_limits(pd->conf, &l);
	http_server_set_limits(fs->server, &l);
	fs->generation++;	/* the practice's name, its zone */
	if (fs->listen == NULL || strcmp(fs->listen, c->listen) != 0)
		feeds_rebind(fs, c);
}

void
feeds_sync(struct practiced *pd, long long id)
{
	struct feeds	*fs = pd->feeds;
	size_t		 i;

	if (fs == NULL)
		return;
	feeds_flush(fs);
	for (i = 0; i < fs->ncache; i++)
		if (fs->cache[i].id == id && fs->cache[i].pending == 0) {
			feeds_forget_text(fs, &fs->cache[i]);
			fs->cache[i] = fs->cache[--fs->ncache];
			break;
		}
}

void
feeds_free(struct feeds *fs)
{
	size_t	 i;

	if (fs == NULL)
		return;
	feeds_flush(fs);
	for (i = 0; i < fs->ncache; i++)
		feeds_forget_text(fs, &fs->cache[i]);
	event_free(fs->flush);
	http_server_free(fs->server);
	free(fs->listen);
	free(fs);
}
