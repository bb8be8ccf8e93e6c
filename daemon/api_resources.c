/*
 * /v1/clinicians, /v1/clients, /v1/services, /v1/rooms: read the request
 * into plain values by the resource's table, call the engine (resource.c),
 * answer.  Client details are health data: answers carry them, logs never.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "lookup.h"
#include "resource.h"

/* The words of a set for a message: "email and/or sms", "\"email\", ..." */
static void
api_res_join(char *buf, size_t len, const char *const *words,
    const char *quote, const char *sep, const char *last)
{
	size_t	 off = 0, i;
	int	 n;

	buf[0] = '\0';
	for (i = 0; words[i] != NULL; i++) {
		n = snprintf(buf + off, len - off, "%s%s%s%s",
		    i == 0 ? "" : words[i + 1] == NULL ? last : sep,
		    quote, words[i], quote);
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}

/* A value of a RES_WORDS field that is neither a list nor a string. */
static int
api_res_words_refuse(struct api_req *req, const struct res_field *f,
    int in_list)
{
	char	 each[128], all[128];

	if (in_list) {
		api_res_join(each, sizeof(each), f->words, "", ", ",
		    " and/or ");
		api_error(req, PROTO_EBADREQUEST, "%s must list %s", f->name,
		    each);
		return -1;
	}
	api_res_join(each, sizeof(each), f->words, "\"", ", ", ", ");
	api_res_join(all, sizeof(all), f->words, "", ",", ",");
	api_error(req, PROTO_EBADREQUEST, "%s must be %s, \"%s\" or \"none\"",
	    f->name, each, all);
	return -1;
}

static int
api_res_word(struct api_req *req, const struct res_field *f, const char *w,
    size_t len, long long *bits)
{
	char	 words[128];
	size_t	 i;

	for (i = 0; f->words[i] != NULL; i++)
		if (strlen(f->words[i]) == len &&
		    strncmp(w, f->words[i], len) == 0) {
			*bits |= 1LL << i;
			return 0;
		}
	if (len == 4 && strncmp(w, "none", 4) == 0)
		return 0;
	api_res_join(words, sizeof(words), f->words, "", ", ", ", ");
	api_error(req, PROTO_EBADREQUEST, "%s: \"%.*s\" is not %s or none",
	    f->name, (int)(len > 20 ? 20 : len), w, words);
	return -1;
}

/* "email,sms", ["email", "sms"], "none" or []: bit i for words[i]. */
static int
api_res_words(struct api_req *req, const struct res_field *f, json_t *v,
    long long *bits)
{
	const char	*s, *comma;
	json_t		*item;
	size_t		 i;

	*bits = 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (!json_is_string(item))
				return api_res_words_refuse(req, f, 1);
			s = json_string_value(item);
			if (api_res_word(req, f, s, strlen(s), bits) == -1)
				return -1;
		}
		return 0;
	}
	if (!json_is_string(v))
		return api_res_words_refuse(req, f, 0);
	for (s = json_string_value(v); ; s = comma + 1) {
		comma = strchr(s, ',');
		if (api_res_word(req, f, s, comma != NULL ?
		    (size_t)(comma - s) : strlen(s), bits) == -1)
			return -1;
		if (comma == NULL)
			return 0;
	}
}

/* One field's JSON value as the engine's value; its kind is checked here,
 * its rules by the engine. */
static int
api_res_value(struct api_req *req, const struct res_field *f, json_t *j,
    struct res_value *v)
{
	if (json_is_null(j)) {
		/* null removes what may be removed, else changes nothing */
		v->given = (f->flags & RES_CLEAR) != 0;
		return 0;
	}
	v->given = 1;
	switch (f->kind) {
	case RES_TEXT:
		if (!json_is_string(j)) {
			api_error(req, PROTO_EBADREQUEST, "%s must be a string",
			    f->name);
			return -1;
		}
		if (strlen(json_string_value(j)) != json_string_length(j)) {
			api_error(req, PROTO_EBADREQUEST,
			    "%s contains a NUL byte", f->name);
			return -1;
		}
		if (json_string_length(j) > 0 || !(f->flags & RES_CLEAR))
			v->text = json_string_value(j);
		return 0;
	case RES_INT:
		if (!json_is_integer(j)) {
			api_error(req, PROTO_EBADREQUEST,
			    "%s must be a whole number", f->name);
			return -1;
		}
		v->num = json_integer_value(j);
		return 0;
	case RES_BOOL:
	case RES_CONSENT:
		if (!json_is_boolean(j)) {
			api_error(req, PROTO_EBADREQUEST,
			    "%s must be true or false", f->name);
			return -1;
		}
		v->num = json_is_true(j);
		return 0;
	case RES_WORDS:
		return api_res_words(req, f, j, &v->num);
	case RES_CREATED:
	case RES_INITIALS:
		break;
	}
	v->given = 0;
	return 0;
}

/* The body's fields that op (RES_ADD, RES_EDIT) takes, into in[]. */
static int
api_res_read(struct api_req *req, const struct res_type *t, int op,
    struct res_value *in)
{
	const char		*allowed[RES_MAXFIELDS + 2];
	const struct res_field	*f;
	json_t			*j;
	size_t			 n = 0;
	int			 i;

	memset(in, 0, sizeof(*in) * RES_MAXFIELDS);
	for (f = t->fields; f->name != NULL && n < RES_MAXFIELDS; f++)
		if (f->flags & op)
			allowed[n++] = f->name;
	if (op == RES_EDIT && res_guarded(t))
		allowed[n++] = "force";		/* archive all the same */
	allowed[n] = NULL;
	if (api_fields(req, allowed) == -1)
		return -1;
	for (i = 0, f = t->fields; f->name != NULL && i < RES_MAXFIELDS;
	    i++, f++) {
		if (!(f->flags & op) || req->body == NULL ||
		    (j = json_object_get(req->body, f->name)) == NULL)
			continue;
		if (api_res_value(req, f, j, &in[i]) == -1)
			return -1;
	}
	return 0;
}

/*
 * The record, and what the change tells: warnings (always, maybe empty)
 * and, where a change can strand sessions, the booked ones it affects.
 */
static void
api_res_answer(struct api_req *req, const struct res_type *t, int status,
    long long id, const struct res_outcome *out)
{
	json_t	*obj, *answer;

	if ((obj = res_show(&req->ctx, t, id)) == NULL)
		return;
	if ((answer = json_pack("{s:o}", t->noun, obj)) == NULL ||
	    (out != NULL && out->warnings != NULL && json_object_set(answer,
	    "warnings", out->warnings) == -1) ||
	    (out != NULL && out->affected != NULL && json_object_set(answer,
	    "affected", out->affected) == -1)) {
		json_decref(answer);
		api_internal(req);
		return;
	}
	api_reply(req, status, answer);
}

static void
api_res_add(struct api_req *req, const struct res_type *t)
{
	struct res_value	 in[RES_MAXFIELDS];
	struct res_outcome	 out;
	long long		 id;

	if (api_res_read(req, t, RES_ADD, in) == -1 || api_begin(req) == -1)
		return;
	if (res_add(&req->ctx, t, in, &id, &out) == 0) {
		api_res_answer(req, t, 201, id, &out);
		res_outcome_free(&out);
	}
	api_finish(req);
}

static void
api_res_list(struct api_req *req, const struct res_type *t)
{
	const char	*all = api_query(req, "all");
	json_t		*list;

	if ((list = res_list(&req->ctx, t, all != NULL && strcmp(all, "0")
	    != 0, api_query(req, "q"))) != NULL)
		api_reply(req, 200, json_pack("{s:o}", t->plural, list));
}

static void
api_res_show(struct api_req *req, const struct res_type *t)
{
	long long	 id;

	if (lookup_ref(&req->ctx, t->kind, req->arg[0], &id) == 0)
		api_res_answer(req, t, 200, id, NULL);
}

static void
api_res_edit(struct api_req *req, const struct res_type *t)
{
	struct res_value	 in[RES_MAXFIELDS];
	struct res_outcome	 out;
	long long		 id;
	int			 force = 0;

	if (api_res_read(req, t, RES_EDIT, in) == -1 ||
	    api_bool(req, "force", &force) == -1 || api_begin(req) == -1)
		return;
	if (lookup_ref(&req->ctx, t->kind, req->arg[0], &id) == 0 &&
	    res_edit(&req->ctx, t, id, in, force, &out) == 0) {
		api_res_answer(req, t, 200, id, &out);
		res_outcome_free(&out);
	}
	api_finish(req);
}

/* The routes' handlers (control.c): one line a resource. */
#define API_RES(noun, type)						\
void api_##noun##_add(struct api_req *r) { api_res_add(r, &type); }	\
void api_##noun##_list(struct api_req *r) { api_res_list(r, &type); }	\
void api_##noun##_show(struct api_req *r) { api_res_show(r, &type); }	\
void api_##noun##_edit(struct api_req *r) { api_res_edit(r, &type); }

API_RES(clinician, res_clinician)
API_RES(client, res_client)
API_RES(service, res_service)
API_RES(room, res_room)

/* PUT /v1/clinicians/REF/hours */
void
api_clinician_hours(struct api_req *req)
{
	static const char *const fields[] = { "hours", NULL };
	struct res_outcome	 out;
	const char		*spec;
	long long		 id;

	if (api_fields(req, fields) == -1)
		return;
	if (api_clearing(req, "hours"))
		spec = "";
	else if (api_string(req, "hours", 500, 1, &spec) == -1)
		return;
	if (api_begin(req) == -1)
		return;
	out.warnings = NULL;
	if (lookup_ref(&req->ctx, KIND_CLINICIAN, req->arg[0], &id) == 0 &&
	    res_hours_set(&req->ctx, id, spec, &out.affected) == 0) {
		api_res_answer(req, &res_clinician, 200, id, &out);
		res_outcome_free(&out);
	}
	api_finish(req);
}
