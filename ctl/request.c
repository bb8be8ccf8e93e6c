/*
 * Building one request: method, target (path and query, encoded) and JSON
 * body.  Every path component and query value typed by the user is
 * percent-encoded here, and only here.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "protocol.h"
#include "practicectl.h"

static void
request_append(struct ctl_request *req, const char *s)
{
	size_t	len = strlen(s);

	if (req->targetlen + len + 1 > req->targetsize) {
		req->targetsize = (req->targetlen + len + 1) * 2;
		req->target = xreallocarray(req->target, req->targetsize, 1);
	}
	memcpy(req->target + req->targetlen, s, len + 1);
	req->targetlen += len;
}

static char *
request_encode(const char *s)
{
	char	*enc;

	if ((enc = evhttp_uriencode(s, -1, 0)) == NULL)
		fatalx("out of memory");
	return (enc);
}

void
request_init(struct ctl_request *req, const char *method)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	request_append(req, PROTO_PREFIX);
	/* GET and DELETE carry their fields in the query. */
	if (strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0 &&
	    (req->body = json_object()) == NULL)
		fatalx("out of memory");
}

/* Appends a literal path piece such as "/clinicians". */
void
request_path(struct ctl_request *req, const char *piece)
{
	request_append(req, piece);
}

/* Appends a reference (a name or an id) as one encoded path segment. */
void
request_path_ref(struct ctl_request *req, const char *ref)
{
	char	*enc;

	enc = request_encode(ref);
	request_append(req, enc);
	free(enc);
}

void
request_query(struct ctl_request *req, const char *key, const char *value)
{
	char	*enc;

	enc = request_encode(value);
	request_append(req, req->has_query ? "&" : "?");
	request_append(req, key);
	request_append(req, "=");
	request_append(req, enc);
	req->has_query = 1;
	free(enc);
}

/* Sets a body field; takes the reference to value. */
void
request_field(struct ctl_request *req, const char *key, json_t *value)
{
	if (value == NULL || req->body == NULL ||
	    json_object_set_new(req->body, key, value) == -1)
		fatalx("out of memory");
}

/* The zone for reading and writing times: query "tz" or body "tz". */
void
request_zone(struct ctl_request *req, const char *zone)
{
	if (zone == NULL)
		return;
	if (req->body == NULL)
		request_query(req, "tz", zone);
	else
		request_field(req, "tz", json_string(zone));
}

void
request_free(struct ctl_request *req)
{
	free(req->target);
	json_decref(req->body);
	memset(req, 0, sizeof(*req));
}
