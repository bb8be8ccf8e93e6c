/*
 * practiced.conf's [feeds]: where the calendar feeds' listener binds
 * (off unless listen is set) and the public address that feed add
 * prints, which a reverse proxy serving TLS usually gives.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_parse.h"

#define FEEDS_URL_MAX	200

/*
 * "HOST:PORT" with a numeric address ("[::1]:8470" for IPv6): names
 * are not resolved, so that start and reload never wait on DNS.
 */
static int
set_listen(struct config_ctx *ctx, const char *v)
{
	struct config_feeds	*f = &ctx->conf->feeds;
	struct addrinfo		 hints, *res = NULL;
	const char		*colon;
	char			*host, *port;
	size_t			 hlen;
	long			 n;
	char			*end;

	if (strlen(v) > 64 || (colon = strrchr(v, ':')) == NULL)
		return config_fail(ctx, "listen \"%s\": write ADDRESS:PORT, "
		    "as in 127.0.0.1:8470 or [::1]:8470", v);
	hlen = (size_t)(colon - v);
	if (hlen >= 2 && v[0] == '[' && v[hlen - 1] == ']')
		host = strndup(v + 1, hlen - 2);
	else if (memchr(v, ':', hlen) != NULL)	/* "::1:80" reads two ways */
		host = strdup("");
	else
		host = strndup(v, hlen);
	port = strdup(colon + 1);
	if (host == NULL || port == NULL) {
		free(host);
		free(port);
		return config_fail(ctx, "out of memory");
	}
	n = strtol(port, &end, 10);
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (*port == '\0' || *end != '\0' || n < 1 || n > 65535 ||
	    *host == '\0' || getaddrinfo(host, port, &hints, &res) != 0) {
		free(host);
		free(port);
		return config_fail(ctx, "listen \"%s\": not a numeric address "
		    "and a port from 1 to 65535 (as in 127.0.0.1:8470, "
		    "[::1]:8470 or 0.0.0.0:8470)", v);
	}
	freeaddrinfo(res);
	free(f->host);
	free(f->port);
	f->host = host;
	f->port = port;
	return config_set_string(ctx, &f->listen, v);
}

/* "https://calendar.example.org" or with a path; no query, no blanks. */
static int
set_url(struct config_ctx *ctx, const char *v)
{
	size_t	 i, len = strlen(v);

	if (len > FEEDS_URL_MAX || (strncmp(v, "https://", 8) != 0 &&
	    strncmp(v, "http://", 7) != 0) || strchr(v, '?') != NULL ||
	    strchr(v, '#') != NULL)
		return config_fail(ctx, "url \"%.*s\": an http:// or https:// "
		    "address of at most %d bytes, without query", 80, v,
		    FEEDS_URL_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return config_fail(ctx, "url: no blanks or control "
			    "characters");
	if (config_set_string(ctx, &ctx->conf->feeds.url, v) == -1)
		return -1;
	/* The feed's path is added with its own slash. */
	len = strlen(ctx->conf->feeds.url);
	while (len > 0 && ctx->conf->feeds.url[len - 1] == '/')
		ctx->conf->feeds.url[--len] = '\0';
	return 0;
}

const struct config_key config_feeds_keys[] = {
	{ "feeds", "listen",	set_listen },
	{ "feeds", "url",	set_url },
	{ NULL, NULL, NULL }
};

void
config_feeds_free(struct config *conf)
{
	free(conf->feeds.listen);
	free(conf->feeds.host);
	free(conf->feeds.port);
	free(conf->feeds.url);
}
