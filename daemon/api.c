/*
 * Request helpers shared by the api_*.c handlers: reading and checking
 * input fields, answering, and wrapping a change in one transaction.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>
#include <event2/http.h>

#include "api.h"
#include "check.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "out.h"
#include "practiced.h"
#include "tz.h"

const char *
role_name(enum role role)
{
	switch (role) {
	case ROLE_ADMIN:
		return "admin";
	case ROLE_STAFF:
		return "staff";
	case ROLE_READONLY:
		return "readonly";
	default:
		return "none";
	}
}

void
api_reply(struct api_req *req, int status, json_t *reply)
{
	if (req->reply != NULL || ctx_failed(&req->ctx)) {
		/* A refusal stands; a second answer is a bug. */
		if (req->reply != NULL)
			log_warnx("api: second reply dropped");
		json_decref(reply);
		return;
	}
	if (reply == NULL) {
		api_internal(req);
		return;
	}
	req->status = status;
	req->reply = reply;
}

void
api_reply_text(struct api_req *req, int status, const char *type, char *text)
{
	if (req->reply != NULL || req->text != NULL || ctx_failed(&req->ctx)) {
		if (req->reply != NULL || req->text != NULL)
			log_warnx("api: second reply dropped");
		free(text);
		return;
	}
	if (text == NULL) {
		api_internal(req);
		return;
	}
	req->status = status;
	req->text = text;
	req->text_type = type;
}

void
api_error(struct api_req *req, enum proto_error code, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx_error(&req->ctx, code, "%s", msg);
}

void
api_error_details(struct api_req *req, enum proto_error code,
    json_t *details, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx_error_details(&req->ctx, code, details, "%s", msg);
}

void
api_internal(struct api_req *req)
{
	ctx_internal(&req->ctx);
}

int
api_failed(const struct api_req *req)
{
	return ctx_failed(&req->ctx);
}

/* The edge where an error value becomes {"error": {...}} and a status. */
void
api_answer(struct api_req *req)
{
	struct ctx	*ctx = &req->ctx;
	json_t		*err;

	if (!ctx_failed(ctx) && (req->reply != NULL || req->text != NULL))
		return;
	if (!ctx_failed(ctx))
		ctx_internal(ctx);
	json_decref(req->reply);
	req->reply = NULL;
	free(req->text);
	req->text = NULL;
	err = json_pack("{s:{s:s,s:s}}", PROTO_ERROR, PROTO_ERROR_CODE,
	    proto_errors[ctx->err].code, PROTO_ERROR_MESSAGE, ctx->msg);
	if (err != NULL && ctx->details != NULL)
		json_object_set(json_object_get(err, PROTO_ERROR),
		    PROTO_ERROR_DETAILS, ctx->details);
	if (err == NULL)
		log_warnx("api: out of memory building an error");
	req->status = proto_errors[ctx->err].status;
	req->reply = err;
	ctx_clear(ctx);
}

const char *
api_query(struct api_req *req, const char *key)
{
	if (req->query == NULL)
		return NULL;
	return evhttp_find_header(req->query, key);
}

int
api_query_int(struct api_req *req, const char *key, long long min,
    long long max, long long *out, const char *why)
{
	const char	*v = api_query(req, key);
	char		*end;
	long long	 n;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno == ERANGE || n < min ||
	    n > max) {
		api_error(req, PROTO_EBADREQUEST, "%s", why);
		return -1;
	}
	*out = n;
	return 1;
}

int
api_fields(struct api_req *req, const char *const *allowed)
{
	const char	*key;
	json_t		*value;
	size_t		 i;

	if (req->body == NULL)
		return 0;
	json_object_foreach(req->body, key, value) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] == NULL) {
			api_error(req, PROTO_EBADREQUEST,
			    "unknown field \"%.40s\"", key);
			return -1;
		}
	}
	return 0;
}

int
api_has(struct api_req *req, const char *field)
{
	return req->body != NULL && json_object_get(req->body, field) != NULL;
}

int
api_clearing(struct api_req *req, const char *field)
{
	json_t	*v = req->body ? json_object_get(req->body, field) : NULL;

	return v != NULL && (json_is_null(v) ||
	    (json_is_string(v) && json_string_length(v) == 0));
}

void
api_field_names(struct api_req *req, char *buf, size_t len)
{
	const char	*key;
	json_t		*value;
	size_t		 off = 0;
	int		 n;

	buf[0] = '\0';
	if (req->body == NULL)
		return;
	json_object_foreach(req->body, key, value) {
		n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", key);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}


int
api_string(struct api_req *req, const char *field, size_t maxlen,
    int required, const char **out)
{
	json_t	*v = req->body ? json_object_get(req->body, field) : NULL;
	size_t	 len;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			api_error(req, PROTO_EBADREQUEST,
			    "missing field \"%s\"", field);
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v)) {
		api_error(req, PROTO_EBADREQUEST, "%s must be a string", field);
		return -1;
	}
	len = json_string_length(v);
	if (strlen(json_string_value(v)) != len) {
		api_error(req, PROTO_EBADREQUEST, "%s contains a NUL byte",
		    field);
		return -1;
	}
	if (check_text(&req->ctx, field, json_string_value(v), maxlen) == -1)
		return -1;
	*out = json_string_value(v);
	return 0;
}

int
api_text(struct api_req *req, const char *field, size_t maxlen,
    int required, const char **out)
{
	return api_string(req, field, maxlen, required, out);
}

int
api_int(struct api_req *req, const char *field, long long min,
    long long max, int required, long long *out)
{
	json_t		*v = req->body ? json_object_get(req->body, field) : NULL;
	long long	 n;

	if (v == NULL || json_is_null(v)) {
		if (required) {
			api_error(req, PROTO_EBADREQUEST,
			    "missing field \"%s\"", field);
			return -1;
		}
		return 0;
	}
	if (!json_is_integer(v)) {
		api_error(req, PROTO_EBADREQUEST, "%s must be a whole number",
		    field);
		return -1;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		api_error(req, PROTO_EBADREQUEST,
		    "%s must be between %lld and %lld", field, min, max);
		return -1;
	}
	*out = n;
	return 1;
}

int
api_bool(struct api_req *req, const char *field, int *out)
{
	json_t	*v = req->body ? json_object_get(req->body, field) : NULL;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		api_error(req, PROTO_EBADREQUEST, "%s must be true or false",
		    field);
		return -1;
	}
	*out = json_is_true(v);
	return 1;
}

int
api_id(struct api_req *req, const char *s, long long *out)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n <= 0 || errno == ERANGE ||
	    !isdigit((unsigned char)*s)) {
		api_error(req, PROTO_EBADREQUEST,
		    "\"%.40s\" is not a number", s);
		return -1;
	}
	*out = n;
	return 0;
}

int
api_ref(struct api_req *req, enum kind kind, const char *field,
    int required, long long *id)
{
	json_t		*v = req->body ? json_object_get(req->body, field) : NULL;
	char		 num[32];
	const char	*ref;

	*id = 0;
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		return lookup_ref(&req->ctx, kind, num, id);
	}
	if (api_string(req, field, 200, required, &ref) == -1)
		return -1;
	if (ref == NULL)
		return 0;
	return lookup_ref(&req->ctx, kind, ref, id);
}

int
api_zone(struct api_req *req, const char *field, const char **out)
{
	if (api_string(req, field, CHECK_ZONE_MAX, 0, out) == -1)
		return -1;
	return *out == NULL ? 0 : check_zone(&req->ctx, field, *out);
}

int
api_url(struct api_req *req, const char *field, const char **out)
{
	if (api_string(req, field, CHECK_URL_MAX, 0, out) == -1)
		return -1;
	return *out == NULL ? 0 : check_url(&req->ctx, field, *out);
}

int
api_begin(struct api_req *req)
{
	if (db_begin(req->ctx.pd->db) == -1) {
		api_internal(req);
		return -1;
	}
	return 0;
}

void
api_finish(struct api_req *req)
{
	if (req->reply == NULL || api_failed(req)) {
		db_rollback(req->ctx.pd->db);
		return;
	}
	/*
	 * Commit only what can still be told: a caller that has gone, or a
	 * request past its lifetime, would be left not knowing it applied.
	 */
	if (req->http != NULL && !http_request_alive(req->http)) {
		db_rollback(req->ctx.pd->db);
		log_warnx("api: caller gone before the answer; rolled back");
		json_decref(req->reply);
		req->reply = NULL;
		ctx_error(&req->ctx, PROTO_EUNAVAILABLE, "the request outlived "
		    "its connection; nothing was changed");
		return;
	}
	if (db_commit(req->ctx.pd->db) == -1) {
		json_decref(req->reply);
		req->reply = NULL;
		api_internal(req);
	}
}




