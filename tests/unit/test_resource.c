/*
 * The resource engine against an in-memory database: field checks,
 * defaults, unique names, the edit of every field of every table,
 * archiving, searching, the audit, and working hours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "ctx.h"
#include "db.h"
#include "lookup.h"
#include "practiced.h"
#include "resource.h"
#include "unit.h"

#define NOW	1700000000	/* 2023-11-14T22:13:20Z */

static struct practiced	 pd;
static struct config	 conf;
static char		 zone[] = "America/New_York";

static const struct res_type *const types[] = {
	&res_clinician, &res_client, &res_service, &res_room
};
#define NTYPES	(sizeof(types) / sizeof(types[0]))

static int
fresh(struct ctx *ctx)
{
	char	 err[256];

	db_close(pd.db);
	if ((pd.db = db_open(":memory:", err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		return -1;
	}
	conf.timezone = zone;
	pd.conf = &conf;
	ctx_init(ctx, &pd, NOW);
	ctx_set_actor(ctx, 0, "unit", "admin");
	return 0;
}

static void
in_clear(struct res_value *in)
{
	memset(in, 0, sizeof(*in) * RES_MAXFIELDS);
}

static void
in_text(const struct res_type *t, struct res_value *in, const char *field,
    const char *s)
{
	int	 i = res_field_index(t, field);

	if (i == -1) {
		fprintf(stderr, "%s has no field %s\n", t->noun, field);
		abort();
	}
	in[i].given = 1;
	in[i].text = s;
}

static void
in_num(const struct res_type *t, struct res_value *in, const char *field,
    long long n)
{
	int	 i = res_field_index(t, field);

	if (i == -1) {
		fprintf(stderr, "%s has no field %s\n", t->noun, field);
		abort();
	}
	in[i].given = 1;
	in[i].num = n;
}

/* The least a record of the type needs. */
static void
in_minimal(const struct res_type *t, struct res_value *in, const char *name)
{
	in_clear(in);
	in_text(t, in, "name", name);
	if (t == &res_service)
		in_num(t, in, "minutes", 50);
}

static long long
add(struct ctx *ctx, const struct res_type *t, const char *name)
{
	struct res_value	 in[RES_MAXFIELDS];
	long long		 id = 0;

	in_minimal(t, in, name);
	if (res_add(ctx, t, in, &id, NULL) == -1) {
		fprintf(stderr, "add %s %s: %s\n", t->noun, name, ctx->msg);
		ctx_clear(ctx);
		return 0;
	}
	return id;
}

static long long
rows(const struct res_type *t)
{
	char		 sql[64];
	sqlite3_stmt	*stmt;
	long long	 n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t->table);
	if (sqlite3_prepare_v2(db_handle(pd.db), sql, -1, &stmt, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

/* "action object_id detail" of the latest audit row, or "". */
static const char *
last_audit(void)
{
	static char	 buf[512];
	sqlite3_stmt	*stmt;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db_handle(pd.db), "SELECT action || ' ' || "
	    "object_id || ' ' || detail FROM audit ORDER BY id DESC LIMIT 1",
	    -1, &stmt, NULL) != SQLITE_OK)
		return buf;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s",
		    (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return buf;
}

static long long
audits(void)
{
	return db_count(pd.db, "SELECT count(*) FROM audit");
}

/*
 * A refusal: the code is err, the message holds words, and the
 * database and its audit are as before.
 */
static int
refused(struct ctx *ctx, const struct res_type *t, struct res_value *in,
    enum proto_error err, const char *words)
{
	long long	 n = rows(t), a = audits(), id;
	int		 ok;

	ok = res_add(ctx, t, in, &id, NULL) == -1 && ctx->err == err &&
	    strstr(ctx->msg, words) != NULL && rows(t) == n && audits() == a;
	if (!ok)
		fprintf(stderr, "%s: wanted %s \"%s\", got %s \"%s\"\n",
		    t->noun, proto_errors[err].code, words,
		    proto_errors[ctx->err].code, ctx->msg);
	ctx_clear(ctx);
	return ok;
}

struct field_case {
	const struct res_type	*type;
	const char		*field;
	const char		*text;	/* NULL: use num */
	long long		 num;
	const char		*words;	/* in the refusal; NULL: accepted */
};

static const struct field_case field_cases[] = {
	{ &res_clinician, "name", "Ana Ruiz", 0, NULL },
	{ &res_clinician, "name", "Zoë Ångström-Núñez", 0, NULL },
	{ &res_clinician, "name", "12345", 0, "only digits" },
	{ &res_clinician, "name", "", 0, "name must not be empty" },
	{ &res_clinician, "name", "   ", 0, "name must not be empty" },
	{ &res_clinician, "name", "a\tb", 0, "control characters" },
	{ &res_clinician, "name", "\x7f", 0, "control characters" },
	{ &res_clinician, "email", "ana@example.org", 0, NULL },
	{ &res_clinician, "email", "ana@", 0, "is not an email address" },
	{ &res_clinician, "email", "ana example.org", 0, "not an email" },
	{ &res_clinician, "email", "@example.org", 0, "not an email" },
	{ &res_clinician, "email", "a@b@example.org", 0, "not an email" },
	{ &res_clinician, "phone", "+15555550100", 0, NULL },
	{ &res_clinician, "phone", "5555550100", 0, "international form" },
	{ &res_clinician, "phone", "+1555", 0, "international form" },
	{ &res_clinician, "phone", "+1234567890123456", 0, "too long" },
	{ &res_clinician, "phone", "+0123456789", 0, "international form" },
	{ &res_clinician, "zone", "Europe/London", 0, NULL },
	{ &res_clinician, "zone", "Mars/Olympus_Mons", 0, "unknown time zone" },
	{ &res_clinician, "zone", "../../../../etc/passwd", 0, "unknown time" },
	{ &res_clinician, "zone", "", 0, "zone must not be empty" },
	{ &res_client, "zone", "Asia/Tokyo", 0, NULL },
	{ &res_client, "zone", "Nowhere/City", 0, "unknown time zone" },
	{ &res_service, "minutes", NULL, 5, NULL },
	{ &res_service, "minutes", NULL, 480, NULL },
	{ &res_service, "minutes", NULL, 4, "between 5 and 480" },
	{ &res_service, "minutes", NULL, 481, "between 5 and 480" },
	{ &res_service, "minutes", NULL, -50, "between 5 and 480" },
	{ &res_service, "buffer", NULL, 0, NULL },
	{ &res_service, "buffer", NULL, 120, NULL },
	{ &res_service, "buffer", NULL, 121, "between 0 and 120" },
	{ &res_service, "buffer", NULL, -1, "between 0 and 120" },
	{ &res_client, "remind", NULL, 4, "unknown word" },
	{ &res_client, "remind", NULL, -1, "unknown word" },
	{ &res_room, "name", "Room A/B", 0, NULL },
};

static void
test_fields(struct ctx *ctx)
{
	const struct field_case	*c;
	struct res_value	 in[RES_MAXFIELDS];
	char			 name[64];
	long long		 id;
	size_t			 i;
	int			 ok;

	for (i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++) {
		c = &field_cases[i];
		snprintf(name, sizeof(name), "Case %zu", i);
		in_minimal(c->type, in, name);
		if (c->text != NULL)
			in_text(c->type, in, c->field, c->text);
		else
			in_num(c->type, in, c->field, c->num);
		if (c->words != NULL) {
			ok = refused(ctx, c->type, in, PROTO_EBADREQUEST,
			    c->words);
		} else {
			ok = res_add(ctx, c->type, in, &id, NULL) == 0;
			if (!ok)
				fprintf(stderr, "refused: %s\n", ctx->msg);
			ctx_clear(ctx);
		}
		if (!ok)
			fprintf(stderr, "case %zu: %s %s\n", i, c->type->noun,
			    c->field);
		CHECK(ok);
	}
}

static void
test_lengths(struct ctx *ctx)
{
	struct res_value	 in[RES_MAXFIELDS];
	char			 name[512];
	long long		 id;
	size_t			 i;

	/* 100 characters of two bytes each are a name; 101 are not. */
	for (i = 0; i < 100; i++)
		memcpy(name + 2 * i, "é", 2);
	name[200] = '\0';
	in_minimal(&res_room, in, name);
	CHECK(res_add(ctx, &res_room, in, &id, NULL) == 0);
	memcpy(name + 200, "é", 3);
	in_minimal(&res_room, in, name);
	CHECK(refused(ctx, &res_room, in, PROTO_EBADREQUEST,
	    "name is too long (at most 100 characters)"));
}

static void
test_required_and_settable(struct ctx *ctx)
{
	struct res_value	 in[RES_MAXFIELDS];

	in_clear(in);
	CHECK(refused(ctx, &res_room, in, PROTO_EBADREQUEST,
	    "missing field \"name\""));
	in_clear(in);
	in_text(&res_service, in, "name", "Session");
	CHECK(refused(ctx, &res_service, in, PROTO_EBADREQUEST,
	    "missing field \"minutes\""));
	/* A name given as none is not a name. */
	in_minimal(&res_clinician, in, "x");
	in_text(&res_clinician, in, "name", NULL);
	CHECK(refused(ctx, &res_clinician, in, PROTO_EBADREQUEST,
	    "name must not be empty"));
	/* Archiving is an edit; the creation time is never given. */
	in_minimal(&res_clinician, in, "Ana Ruiz");
	in_num(&res_clinician, in, "active", 0);
	CHECK(refused(ctx, &res_clinician, in, PROTO_EBADREQUEST,
	    "unknown field \"active\""));
	in_minimal(&res_client, in, "Jordan Lee");
	in_num(&res_client, in, "created", 5);
	CHECK(refused(ctx, &res_client, in, PROTO_EBADREQUEST,
	    "unknown field \"created\""));
	in_minimal(&res_client, in, "Jordan Lee");
	in_text(&res_client, in, "initials", "JL");
	CHECK(refused(ctx, &res_client, in, PROTO_EBADREQUEST,
	    "unknown field \"initials\""));
}

/* SMS consent: recorded with when and by whom; the first record stands;
 * withdrawn, nothing is left of it. */
static void
test_client_consent(struct ctx *ctx, long long id)
{
	struct res_value	 in[RES_MAXFIELDS];
	json_t			*c, *consent;

	in_clear(in);
	in_num(&res_client, in, "sms_consent", 1);
	CHECK(res_edit(ctx, &res_client, id, in, 0, NULL) == 0);
	CHECK_STR(last_audit(), "client.edit 1 changed sms_consent yes");
	ctx->now += 3600;
	snprintf(ctx->user, sizeof(ctx->user), "other");
	CHECK(res_edit(ctx, &res_client, id, in, 0, NULL) == 0);
	c = res_show(ctx, &res_client, id);
	consent = json_object_get(c, "sms_consent");
	CHECK_STR(json_string_value(json_object_get(consent, "at")),
	    "2023-11-14T22:13:20Z");
	CHECK_STR(json_string_value(json_object_get(consent, "by")), "unit");
	json_decref(c);
	in_num(&res_client, in, "sms_consent", 0);
	CHECK(res_edit(ctx, &res_client, id, in, 0, NULL) == 0);
	CHECK_STR(last_audit(), "client.edit 1 changed sms_consent no");
	c = res_show(ctx, &res_client, id);
	CHECK(json_is_null(json_object_get(c, "sms_consent")));
	json_decref(c);
	CHECK(db_count(pd.db, "SELECT count(*) FROM clients WHERE"
	    " sms_consent_at IS NOT NULL OR sms_consent_by IS NOT NULL") == 0);
	ctx->now -= 3600;
	snprintf(ctx->user, sizeof(ctx->user), "unit");
}

static void
test_client_rules(struct ctx *ctx)
{
	struct res_value	 in[RES_MAXFIELDS];
	json_t			*c;
	long long		 id;

	in_minimal(&res_client, in, "Jordan Lee");
	in_num(&res_client, in, "remind", 1);
	CHECK(refused(ctx, &res_client, in, PROTO_EBADREQUEST,
	    "email reminders need an email address"));
	in_minimal(&res_client, in, "Jordan Lee");
	in_num(&res_client, in, "remind", 3);
	in_text(&res_client, in, "email", "j@example.org");
	CHECK(refused(ctx, &res_client, in, PROTO_EBADREQUEST,
	    "SMS reminders need a phone number"));

	in_text(&res_client, in, "phone", "+15555550123");
	CHECK(res_add(ctx, &res_client, in, &id, NULL) == 0);
	c = res_show(ctx, &res_client, id);
	CHECK(c != NULL);
	CHECK_STR(json_string_value(json_object_get(c, "initials")), "JL");
	CHECK(json_array_size(json_object_get(c, "remind")) == 2);
	CHECK_STR(json_string_value(json_array_get(json_object_get(c,
	    "remind"), 1)), "sms");
	CHECK(json_is_null(json_object_get(c, "zone")));
	CHECK_STR(json_string_value(json_object_get(c, "created")),
	    "2023-11-14T22:13:20Z");
	json_decref(c);
	CHECK_STR(last_audit(), "client.add 1 remind email,sms, sms_consent no");

	/* Removing the phone leaves SMS reminders nowhere to go. */
	in_clear(in);
	in_text(&res_client, in, "phone", NULL);
	CHECK(res_edit(ctx, &res_client, id, in, 0, NULL) == -1);
	CHECK(strstr(ctx->msg, "SMS reminders") != NULL);
	ctx_clear(ctx);
	in_num(&res_client, in, "remind", 1);
	CHECK(res_edit(ctx, &res_client, id, in, 0, NULL) == 0);
	CHECK_STR(last_audit(), "client.edit 1 changed phone, remind");

	/* Clients may share a name. */
	CHECK(add(ctx, &res_client, "jordan lee") > 0);
	test_client_consent(ctx, id);
}

static void
test_defaults(struct ctx *ctx)
{
	json_t		*c;
	long long	 id;

	id = add(ctx, &res_clinician, "Ana Ruiz");
	c = res_show(ctx, &res_clinician, id);
	CHECK(c != NULL);
	CHECK_STR(json_string_value(json_object_get(c, "zone")), zone);
	CHECK(json_is_null(json_object_get(c, "email")));
	CHECK(json_is_true(json_object_get(c, "active")));
	CHECK(json_array_size(json_object_get(c, "hours")) == 0);
	CHECK(json_object_get(c, "created") == NULL);	/* hidden */
	json_decref(c);
	CHECK(db_count(pd.db, "SELECT created FROM clinicians") == NOW);
	CHECK_STR(last_audit(), "clinician.add 1 zone America/New_York");

	id = add(ctx, &res_service, "Session");
	c = res_show(ctx, &res_service, id);
	CHECK(json_integer_value(json_object_get(c, "buffer")) == 0);
	CHECK(json_integer_value(json_object_get(c, "minutes")) == 50);
	json_decref(c);
	CHECK_STR(last_audit(), "service.add 1 minutes 50, buffer 0");

	id = add(ctx, &res_room, "Room 1");
	CHECK_STR(last_audit(), "room.add 1 added");
	c = res_show(ctx, &res_client, add(ctx, &res_client, "Sam Park"));
	CHECK(json_array_size(json_object_get(c, "remind")) == 0);
	json_decref(c);
	CHECK_STR(last_audit(), "client.add 1 remind none, sms_consent no");

	CHECK(res_show(ctx, &res_room, 99) == NULL);
	CHECK(ctx->err == PROTO_ENOTFOUND);
	CHECK_STR(ctx->msg, "no room with id 99");
	ctx_clear(ctx);
}

static void
test_unique(struct ctx *ctx)
{
	const struct res_type	*t;
	struct res_value	 in[RES_MAXFIELDS];
	long long		 a, b;
	size_t			 i;

	for (i = 0; i < NTYPES; i++) {
		t = types[i];
		if (t == &res_client)
			continue;
		a = add(ctx, t, "Ana Ruiz");
		b = add(ctx, t, "Ben Okafor");
		CHECK(a > 0 && b > 0);
		in_minimal(t, in, "ANA RUIZ");
		CHECK(refused(ctx, t, in, PROTO_EDUPLICATE,
		    "named \"ANA RUIZ\" already exists"));
		in_clear(in);
		in_text(t, in, "name", "ana ruiz");
		CHECK(res_edit(ctx, t, b, in, 0, NULL) == -1 &&
		    ctx->err == PROTO_EDUPLICATE);
		ctx_clear(ctx);
		/* A record may change the case of its own name. */
		CHECK(res_edit(ctx, t, a, in, 0, NULL) == 0);
		/* An archived record keeps its name. */
		in_clear(in);
		in_num(t, in, "active", 0);
		CHECK(res_edit(ctx, t, a, in, 0, NULL) == 0);
		in_minimal(t, in, "Ana Ruiz");
		CHECK(refused(ctx, t, in, PROTO_EDUPLICATE, "already exists"));
	}
}

/* A value for a field that differs from what add() stores. */
static int
new_value(const struct res_field *f, struct res_value *v)
{
	static const char *const texts[] = {
		[RES_PLAIN] = "text", [RES_NAME] = "New Name",
		[RES_EMAIL] = "new@example.org", [RES_PHONE] = "+442071234567",
		[RES_ZONE] = "Europe/Madrid", [RES_URL] = "https://example.org/"
	};

	memset(v, 0, sizeof(*v));
	v->given = 1;
	switch (f->kind) {
	case RES_TEXT:
		v->text = texts[f->check];
		return 0;
	case RES_INT:
		v->num = f->def == f->max ? f->min : f->max;
		return 0;
	case RES_BOOL:
		v->num = !f->def;
		return 0;
	case RES_WORDS:
		v->num = 1;	/* the first word */
		return 0;
	case RES_CONSENT:
		v->num = 1;	/* given */
		return 0;
	default:
		return -1;
	}
}

/*
 * Every editable field of every table: the edit changes that field, and
 * that field only, and says so in the audit; a clearable one clears.
 */
static void
test_edit_each_field(struct ctx *ctx)
{
	const struct res_type	*t;
	const struct res_field	*f;
	struct res_value	 in[RES_MAXFIELDS];
	json_t			*before, *after;
	char			 want[128];
	long long		 id;
	size_t			 i;
	int			 k;

	for (i = 0; i < NTYPES; i++) {
		t = types[i];
		for (k = 0, f = t->fields; f->name != NULL; k++, f++) {
			if (!(f->flags & RES_EDIT))
				continue;
			id = add(ctx, t, "Edited");
			/* What a reminder rule needs to be there. */
			if (t == &res_client) {
				in_clear(in);
				in_text(t, in, "email", "e@example.org");
				in_text(t, in, "phone", "+15555550100");
				CHECK(res_edit(ctx, t, id, in, 0, NULL) == 0);
			}
			before = res_show(ctx, t, id);
			in_clear(in);
			CHECK(new_value(f, &in[k]) == 0);
			CHECK(res_edit(ctx, t, id, in, 0, NULL) == 0);
			if (ctx_failed(ctx))
				fprintf(stderr, "%s.%s: %s\n", t->noun,
				    f->name, ctx->msg);
			ctx_clear(ctx);
			after = res_show(ctx, t, id);
			CHECK(before != NULL && after != NULL);
			CHECK(!json_equal(json_object_get(before, f->name),
			    json_object_get(after, f->name)));
			json_object_del(before, f->name);
			json_object_del(after, f->name);
			if (t == &res_client && k == res_field_index(t, "name")) {
				json_object_del(before, "initials");
				json_object_del(after, "initials");
			}
			CHECK(json_equal(before, after));
			json_decref(before);
			json_decref(after);
			snprintf(want, sizeof(want), "%s.edit %lld changed %s%s",
			    t->noun, id, f->name, f->kind == RES_CONSENT ?
			    " yes" : "");
			CHECK_STR(last_audit(), want);

			if (f->flags & RES_CLEAR) {
				in[k].text = NULL;
				CHECK(res_edit(ctx, t, id, in, 0, NULL) == 0);
				after = res_show(ctx, t, id);
				CHECK(json_is_null(json_object_get(after,
				    f->name)));
				json_decref(after);
			}
			/* Free the name for the next field's record. */
			in_clear(in);
			in_text(t, in, "name", "Done");
			in_num(t, in, "active", 0);
			CHECK(res_edit(ctx, t, id, in, 0, NULL) == 0);
			if (t != &res_client) {
				snprintf(want, sizeof(want), "Done %lld", id);
				in_text(t, in, "name", want);
				CHECK(res_edit(ctx, t, id, in, 0, NULL) == 0);
			}
			ctx_clear(ctx);
		}
	}
}

static void
test_edit_refused(struct ctx *ctx)
{
	struct res_value	 in[RES_MAXFIELDS];
	json_t			*before, *after;
	long long		 id, a;

	id = add(ctx, &res_clinician, "Ana Ruiz");
	before = res_show(ctx, &res_clinician, id);
	a = audits();
	in_clear(in);
	in_text(&res_clinician, in, "email", "ana@example.org");
	in_text(&res_clinician, in, "zone", "Mars/Base");
	CHECK(res_edit(ctx, &res_clinician, id, in, 0, NULL) == -1);
	CHECK(strstr(ctx->msg, "unknown time zone") != NULL);
	ctx_clear(ctx);
	in_clear(in);
	in_text(&res_clinician, in, "zone", NULL);	/* not removable */
	CHECK(res_edit(ctx, &res_clinician, id, in, 0, NULL) == -1);
	CHECK_STR(ctx->msg, "zone must not be empty");
	ctx_clear(ctx);
	CHECK(res_edit(ctx, &res_clinician, 99, in, 0, NULL) == -1 &&
	    ctx->err == PROTO_ENOTFOUND);
	ctx_clear(ctx);
	after = res_show(ctx, &res_clinician, id);
	CHECK(json_equal(before, after));
	CHECK(audits() == a);
	json_decref(before);
	json_decref(after);

	/* An edit that gives nothing changes nothing, and says so. */
	in_clear(in);
	CHECK(res_edit(ctx, &res_clinician, id, in, 0, NULL) == 0);
	CHECK_STR(last_audit(), "clinician.edit 1 changed nothing");
}

static size_t
listed(struct ctx *ctx, const struct res_type *t, int all,
    const char *prefix, const char **names, size_t max)
{
	json_t	*list, *item;
	size_t	 i, n = 0;

	if ((list = res_list(ctx, t, all, prefix)) == NULL)
		return (size_t)-1;
	json_array_foreach(list, i, item)
		if (n < max)
			names[n++] = strdup(json_string_value(
			    json_object_get(item, "name")));
	json_decref(list);
	return n;
}

static void
free_names(const char **names, size_t n)
{
	while (n > 0)
		free((char *)names[--n]);
}

static void
test_archive_and_list(struct ctx *ctx)
{
	struct res_value	 in[RES_MAXFIELDS];
	const char		*names[8];
	long long		 a, id;
	size_t			 n;

	a = add(ctx, &res_room, "blue room");
	add(ctx, &res_room, "Garden room");
	add(ctx, &res_room, "Attic");
	n = listed(ctx, &res_room, 0, NULL, names, 8);
	CHECK(n == 3);
	if (n == 3) {			/* any case, by name */
		CHECK_STR(names[0], "Attic");
		CHECK_STR(names[1], "blue room");
		CHECK_STR(names[2], "Garden room");
	}
	free_names(names, n);

	in_clear(in);
	in_num(&res_room, in, "active", 0);
	CHECK(res_edit(ctx, &res_room, a, in, 0, NULL) == 0);
	CHECK_STR(last_audit(), "room.edit 1 changed active");
	n = listed(ctx, &res_room, 0, NULL, names, 8);
	CHECK(n == 2);
	free_names(names, n);
	n = listed(ctx, &res_room, 1, NULL, names, 8);
	CHECK(n == 3);
	free_names(names, n);
	/* An archived record is still found by its name, and comes back. */
	CHECK(lookup_ref(ctx, KIND_ROOM, "blue", &id) == 0 && id == a);
	CHECK(lookup_require_active(ctx, KIND_ROOM, a) == -1);
	ctx_clear(ctx);
	in_num(&res_room, in, "active", 1);
	CHECK(res_edit(ctx, &res_room, a, in, 0, NULL) == 0);
	CHECK(lookup_require_active(ctx, KIND_ROOM, a) == 0);

	/* A prefix of the name or of a later word; wildcards are literal. */
	n = listed(ctx, &res_room, 0, "ROOM", names, 8);
	CHECK(n == 2);
	free_names(names, n);
	n = listed(ctx, &res_room, 0, "gar", names, 8);
	CHECK(n == 1);
	free_names(names, n);
	CHECK(listed(ctx, &res_room, 0, "%", names, 8) == 0);
	CHECK(listed(ctx, &res_room, 0, "_", names, 8) == 0);
	CHECK(listed(ctx, &res_room, 0, "", names, 8) == (size_t)-1);
	CHECK_STR(ctx->msg, "search text must be 1 to 100 characters");
	ctx_clear(ctx);
}

static void
test_res_hours(struct ctx *ctx)
{
	json_t		*c, *h;
	long long	 id, a;

	id = add(ctx, &res_clinician, "Ana Ruiz");
	CHECK(res_hours_set(ctx, id, "mon-thu 09:00-17:00 fri 09:00-13:00", NULL)
	    == 0);
	CHECK_STR(last_audit(),
	    "clinician.hours 1 mon-thu 09:00-17:00 fri 09:00-13:00");
	c = res_show(ctx, &res_clinician, id);
	h = json_object_get(c, "hours");
	CHECK(json_array_size(h) == 5);
	CHECK_STR(json_string_value(json_object_get(json_array_get(h, 4),
	    "end")), "13:00");
	json_decref(c);

	a = audits();
	CHECK(res_hours_set(ctx, id, "mon 17:00-09:00", NULL) == -1);
	CHECK(ctx->err == PROTO_EBADREQUEST &&
	    strncmp(ctx->msg, "hours: ", 7) == 0);
	ctx_clear(ctx);
	CHECK(audits() == a);

	CHECK(res_hours_set(ctx, id, "", NULL) == 0);
	CHECK_STR(last_audit(), "clinician.hours 1 cleared");
	c = res_show(ctx, &res_clinician, id);
	CHECK(json_array_size(json_object_get(c, "hours")) == 0);
	json_decref(c);
}

void
test_resource(void)
{
	struct ctx	 ctx;

	if (fresh(&ctx) == -1) {
		CHECK(0);
		return;
	}
	test_fields(&ctx);
	test_lengths(&ctx);
	test_required_and_settable(&ctx);
	CHECK(fresh(&ctx) == 0);
	test_client_rules(&ctx);
	CHECK(fresh(&ctx) == 0);
	test_defaults(&ctx);
	CHECK(fresh(&ctx) == 0);
	test_unique(&ctx);
	CHECK(fresh(&ctx) == 0);
	test_edit_each_field(&ctx);
	CHECK(fresh(&ctx) == 0);
	test_edit_refused(&ctx);
	CHECK(fresh(&ctx) == 0);
	test_archive_and_list(&ctx);
	CHECK(fresh(&ctx) == 0);
	test_res_hours(&ctx);
	ctx_clear(&ctx);
	db_close(pd.db);
	pd.db = NULL;
}
