/*
 * Building one request: method, target (path and query, encoded) and JSON
 * body, or bytes of another type.  Every path component and query value
 * typed by the user is percent-encoded here, and only here.
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
	return enc;
}

static void
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
static void
request_path(struct ctl_request *req, const char *piece)
{
	request_append(req, piece);
}

/* Appends a reference (a name or an id) as one encoded path segment. */
static void
request_path_ref(struct ctl_request *req, const char *ref)
{
	char	*enc;

	enc = request_encode(ref);
	request_append(req, enc);
	free(enc);
}

static void
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

void
request_param(struct ctl_request *req, const char *key, const char *value)
{
	request_query(req, key, value);
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
static void
request_zone(struct ctl_request *req, const char *zone)
{
	if (zone == NULL)
		return;
	if (req->body == NULL)
		request_query(req, "tz", zone);
	else
		request_field(req, "tz", json_string(zone));
}

/* Sets the body field (or query parameter) that option o carries. */
static void
request_option(struct ctl_request *req, const struct ctl_option *o,
    const char *value)
{
	json_t	*v;

	if (req->body == NULL) {
		request_query(req, o->field, o->kind == OPT_FLAG ? "1" : value);
		return;
	}
	if (o->kind == OPT_FLAG)
		v = json_true();
	else if (o->kind == OPT_NUMBER)
		v = json_integer(strtoll(value, NULL, 10));
	else if (o->as == AS_NULLABLE &&
	    (*value == '\0' || strcmp(value, "none") == 0))
		v = json_null();
	else if (o->as == AS_YESNO)
		v = json_boolean(strcmp(value, "yes") == 0);
	else
		v = json_string(value);
	request_field(req, o->field, v);
}

/*
 * The request a command describes: its method, its path with the REF or ID
 * in place of "{}", NAME as "name", each option given, the zone, and what
 * the command's own build adds.
 */
void
request_build(const struct ctl_args *args, struct ctl_request *req)
{
	const struct ctl_command	*cmd = args->cmd;
	const char			*path = cmd->request.path, *brace;
	char				*head;
	int				 i;

	request_init(req, cmd->request.method);
	if ((brace = strstr(path, "{}")) != NULL) {
		head = xasprintf("%.*s", (int)(brace - path), path);
		request_path(req, head);
		request_path_ref(req, cmd->pos == POS_REF ? args->joined :
		    args->pos[0]);
		request_path(req, brace + 2);
		free(head);
	} else
		request_path(req, path);
	if (cmd->pos == POS_NAME)
		request_field(req, "name", json_string(args->joined));
	for (i = 0; i < CTL_MAX_OPTIONS && cmd->options[i].name != NULL; i++)
		if (args->val[i] != NULL && cmd->options[i].field != NULL)
			request_option(req, &cmd->options[i], args->val[i]);
	request_zone(req, args->zone);
	req->pages = cmd->request.pages;
	if (cmd->request.build != NULL)
		cmd->request.build(args, req);
}

/* The same GET with one more query parameter (into again). */
void
request_again(const struct ctl_request *req, const char *key,
    const char *value, struct ctl_request *again)
{
	memset(again, 0, sizeof(*again));
	again->method = req->method;
	again->pages = req->pages;
	again->has_query = req->has_query;
	request_append(again, req->target);
	request_query(again, key, value);
}

/* The same GET for the page after the cursor "after" (into page). */
void
request_page(const struct ctl_request *req, const char *after,
    struct ctl_request *page)
{
	request_again(req, PROTO_PAGE_AFTER, after, page);
}

void
request_free(struct ctl_request *req)
{
	free(req->target);
	json_decref(req->body);
	memset(req, 0, sizeof(*req));
}

/* A GET of a path the daemon gave (below PROTO_PREFIX); -1 when it is
 * not a plain path. */
int
request_get(struct ctl_request *req, const char *path)
{
	memset(req, 0, sizeof(*req));
	if (path[0] != '/' || strlen(path) > 256 ||
	    path[strspn(path, "/abcdefghijklmnopqrstuvwxyz0123456789_-")]
	    != '\0')
		return -1;
	request_init(req, "GET");
	request_path(req, path);
	return 0;
}

/* A POST with an empty body to a path (below PROTO_PREFIX) made here. */
void
request_post(struct ctl_request *req, const char *path)
{
	request_init(req, "POST");
	request_path(req, path);
}

/* The body: len bytes of type (not JSON), left in place until sent. */
void
request_raw(struct ctl_request *req, const char *type, const void *data,
    size_t len)
{
	json_decref(req->body);
	req->body = NULL;
	req->raw_type = type;
	req->raw = data;
	req->rawlen = len;
}
