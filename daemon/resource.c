/*
 * The engine behind clinicians, clients, services and rooms: from a table
 * of a resource's fields it checks the values of a change, keeps names
 * unique, stores (resource_store.c), audits, and shows records as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "check.h"
#include "config.h"
#include "ctx.h"
#include "lookup.h"
#include "out.h"
#include "practiced.h"
#include "resource.h"
#include "resource_store.h"

int
res_field_index(const struct res_type *t, const char *name)
{
	int	 i;

	for (i = 0; t->fields[i].name != NULL; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return i;
	return -1;
}

const struct res_value *
res_get(const struct res_type *t, const struct res_value *v,
    const char *name)
{
	static const struct res_value	 none;
	int				 i = res_field_index(t, name);

	return i == -1 ? &none : &v[i];
}

/* Answers */

static json_t *
res_words_json(const struct res_field *f, long long bits)
{
	json_t	*a;
	size_t	 j;

	if ((a = json_array()) == NULL)
		return NULL;
	for (j = 0; f->words[j] != NULL; j++)
		if ((bits >> j) & 1 &&
		    json_array_append_new(a, json_string(f->words[j])) == -1) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
res_value_json(const struct res_type *t, const struct res_field *f,
    const struct res_value *v, int i)
{
	switch (f->kind) {
	case RES_TEXT:
		return v[i].text != NULL ? json_string(v[i].text) : json_null();
	case RES_INT:
		return json_integer(v[i].num);
	case RES_BOOL:
		return json_boolean(v[i].num);
	case RES_WORDS:
		return res_words_json(f, v[i].num);
	case RES_CREATED:
		return out_instant((time_t)v[i].num);
	case RES_INITIALS:
		return out_initials(res_get(t, v, f->column)->text);
	case RES_CONSENT:
		if (v[i].num == 0)
			return json_null();
		return json_pack("{s:o,s:s?}", "at",
		    out_instant((time_t)v[i].num), "by", v[i].text);
	}
	return NULL;
}

static json_t *
res_json(struct ctx *ctx, const struct res_type *t, long long id,
    const struct res_value *v)
{
	const struct res_field	*f;
	json_t			*obj;
	int			 i;

	if ((obj = json_pack("{s:I}", "id", (json_int_t)id)) == NULL)
		goto fail;
	for (i = 0, f = t->fields; f->name != NULL; i++, f++)
		if (!(f->flags & RES_HIDDEN) && json_object_set_new(obj,
		    f->name, res_value_json(t, f, v, i)) == -1)
			goto fail;
	if (t->show != NULL && t->show(ctx, id, obj) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
fail:
	json_decref(obj);
	ctx_internal(ctx);
	return NULL;
}

json_t *
res_show(struct ctx *ctx, const struct res_type *t, long long id)
{
	struct res_row	 row;
	json_t		*obj = NULL;

	if (res_store_load(ctx, t, id, &row) == 0)
		obj = res_json(ctx, t, id, row.v);
	res_store_free(&row);
	return obj;
}

static int
res_list_row(struct ctx *ctx, const struct res_type *t,
    const struct res_row *row, void *arg)
{
	json_t	*obj;

	if ((obj = res_json(ctx, t, row->id, row->v)) == NULL ||
	    json_array_append_new(arg, obj) == -1)
		return -1;
	return 0;
}

json_t *
res_list(struct ctx *ctx, const struct res_type *t, int all,
    const char *prefix)
{
	json_t	*list;
	char	*pat = NULL;
	int	 rc;

	if (prefix != NULL && (*prefix == '\0' || strlen(prefix) > 100)) {
		ctx_error(ctx, PROTO_EBADREQUEST,
		    "search text must be 1 to 100 characters");
		return NULL;
	}
	if ((prefix != NULL && (pat = lookup_word_pattern(prefix)) == NULL) ||
	    (list = json_array()) == NULL) {
		free(pat);
		ctx_internal(ctx);
		return NULL;
	}
	rc = res_store_list(ctx, t, all, pat, res_list_row, list);
	free(pat);
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* Changes */

static int
res_check_text(struct ctx *ctx, const struct res_field *f, const char *s)
{
	switch (f->check) {
	case RES_NAME:
		return check_name(ctx, f->name, s);
	case RES_EMAIL:
		return check_email(ctx, f->name, s);
	case RES_PHONE:
		return check_phone(ctx, f->name, s);
	case RES_ZONE:
		return check_zone(ctx, f->name, s);
	case RES_URL:
		return check_url(ctx, f->name, s);
	case RES_PLAIN:
		break;
	}
	return check_text(ctx, f->name, s, (size_t)f->max);
}

/* A value given for a field, checked against the field's rules. */
static int
res_check_value(struct ctx *ctx, const struct res_field *f,
    const struct res_value *v)
{
	int	 n;

	switch (f->kind) {
	case RES_TEXT:
		if (v->text != NULL)
			return res_check_text(ctx, f, v->text);
		if (!(f->flags & RES_CLEAR))
			return ctx_error(ctx, PROTO_EBADREQUEST,
			    "%s must not be empty", f->name);
		return 0;
	case RES_INT:
		if (v->num < f->min || v->num > f->max)
			return ctx_error(ctx, PROTO_EBADREQUEST,
			    "%s must be between %lld and %lld", f->name,
			    f->min, f->max);
		return 0;
	case RES_BOOL:
	case RES_CONSENT:
		return 0;
	case RES_WORDS:
		for (n = 0; f->words[n] != NULL; n++)
			;
		if (v->num < 0 || v->num >> n != 0)
			return ctx_error(ctx, PROTO_EBADREQUEST,
			    "%s holds an unknown word", f->name);
		return 0;
	case RES_CREATED:
	case RES_INITIALS:
		break;
	}
	return ctx_error(ctx, PROTO_EBADREQUEST, "%s cannot be set", f->name);
}

/*
 * Consent given is recorded with when and by whom; given again, the
 * first record stands.  Withdrawn, both go.
 */
static void
res_take_consent(struct ctx *ctx, const struct res_value *in,
    struct res_value *v)
{
	if (!in->num) {
		v->num = 0;
		v->text = NULL;
	} else if (v->num == 0) {
		v->num = (long long)ctx->now;
		v->text = ctx->user;
	}
}

/*
 * Checks what in[] gives for the change (op is RES_ADD or RES_EDIT)
 * and lays it over v[].
 */
static int
res_take(struct ctx *ctx, const struct res_type *t, int op,
    const struct res_value *in, struct res_value *v)
{
	const struct res_field	*f;
	int			 i;

	for (i = 0, f = t->fields; f->name != NULL; i++, f++) {
		if (!in[i].given) {
			if (op == RES_ADD && (f->flags & RES_REQUIRED))
				return ctx_error(ctx, PROTO_EBADREQUEST,
				    "missing field \"%s\"", f->name);
			continue;
		}
		if (!(f->flags & op))
			return ctx_error(ctx, PROTO_EBADREQUEST,
			    "unknown field \"%s\"", f->name);
		if (res_check_value(ctx, f, &in[i]) == -1)
			return -1;
		if (f->kind == RES_CONSENT)
			res_take_consent(ctx, &in[i], &v[i]);
		else
			v[i] = in[i];
		if (f->kind == RES_BOOL)
			v[i].num = v[i].num != 0;
	}
	return 0;
}

/* Names given must be free (the record itself aside). */
static int
res_unique(struct ctx *ctx, const struct res_type *t,
    const struct res_value *in, const struct res_value *v, long long id)
{
	int	 i;

	for (i = 0; t->fields[i].name != NULL; i++)
		if ((t->fields[i].flags & RES_UNIQUE) && in[i].given &&
		    lookup_name_free(ctx, t->kind, v[i].text, id) == -1)
			return -1;
	return 0;
}

/* What a record holds when its fields are not given. */
static void
res_defaults(struct ctx *ctx, const struct res_type *t,
    struct res_value *v)
{
	const struct res_field	*f;
	int			 i;

	memset(v, 0, sizeof(*v) * RES_MAXFIELDS);
	for (i = 0, f = t->fields; f->name != NULL; i++, f++) {
		v[i].num = f->kind == RES_CREATED ? (long long)ctx->now :
		    f->def;
		if (f->flags & RES_PRACTICE_ZONE)
			v[i].text = ctx->pd->conf->timezone;
	}
}

/* "zone Europe/Madrid, remind email": the audited values of an add. */
static void
res_audit_values(const struct res_type *t, const struct res_value *v,
    char *buf, size_t len)
{
	struct res_buf		 b = { buf, len, 0, 0 };
	const struct res_field	*f;
	size_t			 j;
	int			 i, n;

	buf[0] = '\0';
	for (i = 0, f = t->fields; f->name != NULL; i++, f++) {
		if (!(f->flags & RES_AUDIT))
			continue;
		res_buf_add(&b, "%s%s ", b.off ? ", " : "", f->name);
		if (f->kind == RES_TEXT)
			res_buf_add(&b, "%s", v[i].text ? v[i].text : "none");
		else if (f->kind == RES_WORDS) {
			for (j = 0, n = 0; f->words[j] != NULL; j++)
				if ((v[i].num >> j) & 1)
					res_buf_add(&b, "%s%s", n++ ? "," : "",
					    f->words[j]);
			if (n == 0)
				res_buf_add(&b, "none");
		} else if (f->kind == RES_CONSENT)
			res_buf_add(&b, "%s", v[i].num != 0 ? "yes" : "no");
		else
			res_buf_add(&b, "%lld", v[i].num);
	}
	if (b.off == 0)
		snprintf(buf, len, "added");
}

/* "changed name, email": the fields an edit gives. */
static void
res_audit_given(const struct res_type *t, const struct res_value *in,
    char *buf, size_t len)
{
	struct res_buf	 b = { buf, len, 0, 0 };
	int		 i;

	res_buf_add(&b, "changed");
	for (i = 0; t->fields[i].name != NULL; i++)
		if (in[i].given) {
			res_buf_add(&b, "%s %s", b.off > 7 ? "," : "",
			    t->fields[i].name);
			/* Consent's audit is its record: given or not. */
			if (t->fields[i].kind == RES_CONSENT)
				res_buf_add(&b, " %s", in[i].num ? "yes" :
				    "no");
		}
	if (b.off == 7)
		res_buf_add(&b, " nothing");
}

static int
res_audit(struct ctx *ctx, const struct res_type *t, const char *verb,
    long long id, const char *detail)
{
	char	 action[64];

	snprintf(action, sizeof(action), "%s.%s", t->noun, verb);
	return audit_record(ctx, action, t->noun, id, "%s", detail);
}

void
res_outcome_free(struct res_outcome *out)
{
	if (out == NULL)
		return;
	json_decref(out->warnings);
	json_decref(out->affected);
	out->warnings = out->affected = NULL;
}

/*
 * Names that may be shared (a client's) are taken, but the answer warns
 * of the others, and says how to tell them apart.
 */
static int
res_same_names(struct ctx *ctx, const struct res_type *t,
    const struct res_value *in, const struct res_value *v, long long id,
    json_t *warnings)
{
	const struct res_field	*f;
	json_t			*same, *c;
	char			 list[600], one[400];
	struct res_buf		 b = { list, sizeof(list), 0, 0 };
	size_t			 j;
	int			 i;

	for (i = 0, f = t->fields; f->name != NULL; i++, f++) {
		if (f->check != RES_NAME || (f->flags & RES_UNIQUE) ||
		    !in[i].given)
			continue;
		if ((same = lookup_same_name(ctx, t->kind, v[i].text, id))
		    == NULL)
			return -1;
		json_array_foreach(same, j, c) {
			lookup_cand_text(c, one, sizeof(one));
			res_buf_add(&b, "%s%s", j > 0 ? ", " : "", one);
		}
		if (json_array_size(same) > 0 && json_array_append_new(
		    warnings, json_sprintf("%s %lld has the name of %s %s; "
		    "refer to each by id, or by the name with its #ID or "
		    "<EMAIL>", t->noun, id, json_array_size(same) == 1 ?
		    "another" : "other", list)) == -1) {
			json_decref(same);
			return ctx_internal(ctx);
		}
		json_decref(same);
	}
	return 0;
}

static int
res_outcome_init(struct ctx *ctx, const struct res_type *t,
    struct res_outcome *out)
{
	out->affected = NULL;
	if ((out->warnings = json_array()) == NULL ||
	    (res_guarded(t) && (out->affected = json_array()) == NULL)) {
		res_outcome_free(out);
		return ctx_internal(ctx);
	}
	return 0;
}

int
res_add(struct ctx *ctx, const struct res_type *t,
    const struct res_value *in, long long *id, struct res_outcome *out)
{
	struct res_value	 v[RES_MAXFIELDS];
	struct res_outcome	 none;
	char			 detail[256];

	if (out == NULL)
		out = &none;
	if (res_outcome_init(ctx, t, out) == -1)
		return -1;
	if (res_store_ready(ctx, t) == -1)
		goto fail;
	res_defaults(ctx, t, v);
	if (res_take(ctx, t, RES_ADD, in, v) == -1 ||
	    (t->check != NULL && t->check(ctx, t, v) == -1) ||
	    res_unique(ctx, t, in, v, 0) == -1 ||
	    res_store_insert(ctx, t, v, id) == -1 ||
	    res_same_names(ctx, t, in, v, *id, out->warnings) == -1 ||
	    (t->warn != NULL && t->warn(ctx, t, v, out->warnings) == -1))
		goto fail;
	res_audit_values(t, v, detail, sizeof(detail));
	if (res_audit(ctx, t, "add", *id, detail) == -1)
		goto fail;
	if (out == &none)
		res_outcome_free(out);
	return 0;
fail:
	res_outcome_free(out);
	return -1;
}

/*
 * Archiving strands the sessions ahead: refused, or (forced) named.
 * Before the change is stored.
 */
static int
res_edit_guard(struct ctx *ctx, const struct res_type *t, long long id,
    int was_active, const struct res_value *v, int force,
    struct res_outcome *out)
{
	int	 ai = res_field_index(t, "active");
	json_t	*affected;

	if (!res_guarded(t) || ai == -1 || !was_active || v[ai].num)
		return 0;
	if (res_guard_archive(ctx, t, id, res_get(t, v, "name")->text,
	    force, &affected) == -1)
		return -1;
	json_decref(out->affected);
	out->affected = affected;
	return 0;
}

/* A clinician in another zone may now work other hours.  After it. */
static int
res_edit_hours(struct ctx *ctx, const struct res_type *t, long long id,
    const struct res_value *in, struct res_outcome *out)
{
	int	 zi = res_field_index(t, "zone");
	json_t	*affected;

	if (t->kind != KIND_CLINICIAN || zi == -1 || !in[zi].given ||
	    json_array_size(out->affected) > 0)
		return 0;
	if ((affected = res_guard_sessions(ctx, t->kind, id, 1)) == NULL)
		return -1;
	json_decref(out->affected);
	out->affected = affected;
	return 0;
}

int
res_edit(struct ctx *ctx, const struct res_type *t, long long id,
    const struct res_value *in, int force, struct res_outcome *out)
{
	struct res_outcome	 none;
	struct res_row		 row;
	char			 detail[256];
	size_t			 kept;
	int			 rc = -1, ai = res_field_index(t, "active");
	int			 was_active;

	if (out == NULL)
		out = &none;
	if (res_outcome_init(ctx, t, out) == -1)
		return -1;
	if (res_store_load(ctx, t, id, &row) == -1)
		goto done;
	was_active = ai != -1 && row.v[ai].num;
	if (res_take(ctx, t, RES_EDIT, in, row.v) == 0 &&
	    (t->check == NULL || t->check(ctx, t, row.v) == 0) &&
	    res_unique(ctx, t, in, row.v, id) == 0 &&
	    res_edit_guard(ctx, t, id, was_active, row.v, force, out) == 0 &&
	    res_store_update(ctx, t, id, row.v) == 0 &&
	    (t->edited == NULL || t->edited(ctx, id) == 0) &&
	    res_edit_hours(ctx, t, id, in, out) == 0 &&
	    res_same_names(ctx, t, in, row.v, id, out->warnings) == 0 &&
	    (t->warn == NULL || t->warn(ctx, t, row.v, out->warnings) == 0)) {
		res_audit_given(t, in, detail, sizeof(detail));
		kept = json_array_size(out->affected);
		if (ai != -1 && was_active && !row.v[ai].num && kept > 0)
			snprintf(detail + strlen(detail), sizeof(detail) -
			    strlen(detail), "; archived keeping %zu booked "
			    "session%s ahead", kept, kept == 1 ? "" : "s");
		rc = res_audit(ctx, t, "edit", id, detail);
	}
done:
	res_store_free(&row);
	if (rc == -1 || out == &none)
		res_outcome_free(out);
	return rc;
}
