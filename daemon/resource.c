/*
 * The engine behind clinicians, clients, services and rooms: from a table
 * of a resource's fields it builds the statements once, checks values,
 * keeps names unique, stores, audits, and turns rows into JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "check.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "lookup.h"
#include "out.h"
#include "practiced.h"
#include "resource.h"

#define RES_SQLMAX	1024

/* The statements of one resource, built from its table on first use. */
struct res_sql {
	int	 built;
	char	 one[RES_SQLMAX];
	char	 list[RES_SQLMAX];
	char	 insert[RES_SQLMAX];
	char	 update[RES_SQLMAX];
};

/* By kind: db_stmt caches by address, so these stay put. */
static struct res_sql res_sqls[KIND_ROOM + 1];

/* A record's values; texts point into a statement until kept. */
struct res_row {
	struct res_value	 v[RES_MAXFIELDS];
	char			*own[RES_MAXFIELDS];
};

struct res_buf {
	char	*p;
	size_t	 len, off;
	int	 over;
};

static void
res_buf_add(struct res_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
res_buf_add(struct res_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (b->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->off)
		b->over = 1;
	else
		b->off += (size_t)n;
}

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

/* Statements */

static int
res_nfields(const struct res_type *t)
{
	int	 n = 0;

	while (t->fields[n].name != NULL)
		n++;
	return n;
}

/* The columns a field keeps: none, one, or one for each word. */
static size_t
res_ncolumns(const struct res_field *f)
{
	size_t	 n = 0;

	if (f->kind == RES_INITIALS)
		return 0;
	if (f->kind != RES_WORDS)
		return 1;
	while (f->words[n] != NULL)
		n++;
	return n;
}

static void
res_column(struct res_buf *b, const struct res_field *f, size_t word)
{
	const char	*base = f->column != NULL ? f->column : f->name;

	if (f->kind == RES_WORDS)
		res_buf_add(b, "%s_%s", base, f->words[word]);
	else
		res_buf_add(b, "%s", base);
}

/* "id, name, email": every column, in the order of the table. */
static void
res_sql_columns(struct res_buf *b, const struct res_type *t)
{
	const struct res_field	*f;
	size_t			 j;

	res_buf_add(b, "id");
	for (f = t->fields; f->name != NULL; f++)
		for (j = 0; j < res_ncolumns(f); j++) {
			res_buf_add(b, ", ");
			res_column(b, f, j);
		}
}

static void
res_sql_insert(struct res_buf *b, const struct res_type *t)
{
	const struct res_field	*f;
	size_t			 j;
	int			 i, n = 0;

	res_buf_add(b, "INSERT INTO %s (", t->table);
	for (f = t->fields; f->name != NULL; f++)
		for (j = 0; j < res_ncolumns(f); j++) {
			res_buf_add(b, "%s", n++ ? ", " : "");
			res_column(b, f, j);
		}
	res_buf_add(b, ") VALUES (");
	for (i = 1; i <= n; i++)
		res_buf_add(b, "%s?%d", i > 1 ? ", " : "", i);
	res_buf_add(b, ")");
}

/* Every column but id and the creation time, from ?2; id is ?1. */
static void
res_sql_update(struct res_buf *b, const struct res_type *t)
{
	const struct res_field	*f;
	size_t			 j;
	int			 n = 2;

	res_buf_add(b, "UPDATE %s SET ", t->table);
	for (f = t->fields; f->name != NULL; f++) {
		if (f->kind == RES_CREATED)
			continue;
		for (j = 0; j < res_ncolumns(f); j++) {
			res_buf_add(b, "%s", n > 2 ? ", " : "");
			res_column(b, f, j);
			res_buf_add(b, " = ?%d", n++);
		}
	}
	res_buf_add(b, " WHERE id = ?1");
}

static const struct res_sql *
res_sql(struct ctx *ctx, const struct res_type *t)
{
	struct res_sql	*s = &res_sqls[t->kind];
	struct res_buf	 one = { s->one, sizeof(s->one), 0, 0 };
	struct res_buf	 list = { s->list, sizeof(s->list), 0, 0 };
	struct res_buf	 ins = { s->insert, sizeof(s->insert), 0, 0 };
	struct res_buf	 upd = { s->update, sizeof(s->update), 0, 0 };

	if (s->built)
		return s;
	if (res_nfields(t) >= RES_MAXFIELDS) {
		log_warnx("resource %s: more than %d fields", t->noun,
		    RES_MAXFIELDS - 1);
		ctx_internal(ctx);
		return NULL;
	}
	res_buf_add(&one, "SELECT ");
	res_sql_columns(&one, t);
	res_buf_add(&one, " FROM %s WHERE id = ?1", t->table);
	res_buf_add(&list, "SELECT ");
	res_sql_columns(&list, t);
	/* ?2 is a LIKE prefix of the name or of a later word of it. */
	res_buf_add(&list, " FROM %s WHERE (active OR ?1)"
	    " AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\\'"
	    " OR name LIKE '%% ' || ?2 ESCAPE '\\')"
	    " ORDER BY name COLLATE NOCASE, id", t->table);
	res_sql_insert(&ins, t);
	res_sql_update(&upd, t);
	if (one.over || list.over || ins.over || upd.over) {
		log_warnx("resource %s: statements too long", t->noun);
		ctx_internal(ctx);
		return NULL;
	}
	s->built = 1;
	return s;
}

/* Binds the stored values from parameter first on; -1 on failure. */
static int
res_bind(sqlite3_stmt *stmt, int first, const struct res_type *t,
    const struct res_value *v, int with_created)
{
	const struct res_field	*f;
	size_t			 j;
	int			 i, p = first, rc = SQLITE_OK;

	for (i = 0, f = t->fields; f->name != NULL; i++, f++) {
		switch (f->kind) {
		case RES_TEXT:
			rc |= db_bind_text(stmt, p++, v[i].text);
			break;
		case RES_INT:
		case RES_BOOL:
			rc |= sqlite3_bind_int64(stmt, p++, v[i].num);
			break;
		case RES_WORDS:
			for (j = 0; j < res_ncolumns(f); j++)
				rc |= sqlite3_bind_int(stmt, p++,
				    (v[i].num >> j) & 1);
			break;
		case RES_CREATED:
			if (with_created)
				rc |= sqlite3_bind_int64(stmt, p++, v[i].num);
			break;
		case RES_INITIALS:
			break;
		}
	}
	return rc == SQLITE_OK ? 0 : -1;
}

/* Rows */

/* The current row of a statement of res_sql; texts point into it. */
static void
res_row_read(sqlite3_stmt *stmt, const struct res_type *t,
    struct res_row *row)
{
	const struct res_field	*f;
	size_t			 j;
	int			 i, col = 1;

	memset(row, 0, sizeof(*row));
	for (i = 0, f = t->fields; f->name != NULL; i++, f++) {
		row->v[i].given = 1;
		switch (f->kind) {
		case RES_TEXT:
			row->v[i].text = db_column_text(stmt, col++);
			break;
		case RES_INT:
		case RES_BOOL:
		case RES_CREATED:
			row->v[i].num = sqlite3_column_int64(stmt, col++);
			break;
		case RES_WORDS:
			for (j = 0; j < res_ncolumns(f); j++)
				if (sqlite3_column_int(stmt, col++))
					row->v[i].num |= 1LL << j;
			break;
		case RES_INITIALS:
			row->v[i].given = 0;
			break;
		}
	}
}

/* Copies the texts, so the row outlives its statement. */
static int
res_row_keep(const struct res_type *t, struct res_row *row)
{
	int	 i;

	for (i = 0; t->fields[i].name != NULL; i++) {
		if (row->v[i].text == NULL)
			continue;
		if ((row->own[i] = strdup(row->v[i].text)) == NULL)
			return -1;
		row->v[i].text = row->own[i];
	}
	return 0;
}

static void
res_row_free(struct res_row *row)
{
	size_t	 i;

	for (i = 0; i < RES_MAXFIELDS; i++)
		free(row->own[i]);
}

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

/* The record's row, kept; not_found if there is none. */
static int
res_load(struct ctx *ctx, const struct res_type *t, long long id,
    struct res_row *row)
{
	const struct res_sql	*s;
	sqlite3_stmt		*stmt;
	int			 rc;

	memset(row, 0, sizeof(*row));
	if ((s = res_sql(ctx, t)) == NULL)
		return -1;
	if ((stmt = db_stmt(ctx->pd->db, s->one)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		res_row_read(stmt, t, row);
		if (res_row_keep(t, row) == -1)
			rc = SQLITE_NOMEM;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no %s with id %lld",
		    t->noun, id);
	return ctx_internal(ctx);
}

json_t *
res_show(struct ctx *ctx, const struct res_type *t, long long id)
{
	struct res_row	 row;
	json_t		*obj;

	if (res_load(ctx, t, id, &row) == -1) {
		res_row_free(&row);
		return NULL;
	}
	obj = res_json(ctx, t, id, row.v);
	res_row_free(&row);
	return obj;
}

json_t *
res_list(struct ctx *ctx, const struct res_type *t, int all,
    const char *prefix)
{
	const struct res_sql	*s;
	struct res_row		 row;
	sqlite3_stmt		*stmt;
	json_t			*list, *obj;
	char			*pat = NULL;
	int			 rc;

	if (prefix != NULL && (*prefix == '\0' || strlen(prefix) > 100)) {
		ctx_error(ctx, PROTO_EBADREQUEST,
		    "search text must be 1 to 100 characters");
		return NULL;
	}
	if ((s = res_sql(ctx, t)) == NULL)
		return NULL;
	if ((prefix != NULL && (pat = lookup_like_prefix(prefix)) == NULL) ||
	    (stmt = db_stmt(ctx->pd->db, s->list)) == NULL ||
	    (list = json_array()) == NULL) {
		free(pat);
		ctx_internal(ctx);
		return NULL;
	}
	sqlite3_bind_int(stmt, 1, all);
	db_bind_text(stmt, 2, pat);
	free(pat);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		res_row_read(stmt, t, &row);
		if ((obj = res_json(ctx, t, sqlite3_column_int64(stmt, 0),
		    row.v)) == NULL || json_array_append_new(list, obj) == -1)
			break;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		ctx_internal(ctx);	/* unless res_json said why */
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
		return 0;
	case RES_WORDS:
		if (v->num < 0 || v->num >> res_ncolumns(f) != 0)
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
		} else
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
		if (in[i].given)
			res_buf_add(&b, "%s %s", b.off > 7 ? "," : "",
			    t->fields[i].name);
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

int
res_add(struct ctx *ctx, const struct res_type *t,
    const struct res_value *in, long long *id)
{
	const struct res_sql	*s;
	struct res_value	 v[RES_MAXFIELDS];
	sqlite3_stmt		*stmt;
	char			 detail[256];

	if ((s = res_sql(ctx, t)) == NULL)
		return -1;
	res_defaults(ctx, t, v);
	if (res_take(ctx, t, RES_ADD, in, v) == -1 ||
	    (t->check != NULL && t->check(ctx, t, v) == -1) ||
	    res_unique(ctx, t, in, v, 0) == -1)
		return -1;
	if ((stmt = db_stmt(ctx->pd->db, s->insert)) == NULL ||
	    res_bind(stmt, 1, t, v, 1) == -1 ||
	    db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	*id = sqlite3_last_insert_rowid(db_handle(ctx->pd->db));
	res_audit_values(t, v, detail, sizeof(detail));
	return res_audit(ctx, t, "add", *id, detail);
}

int
res_edit(struct ctx *ctx, const struct res_type *t, long long id,
    const struct res_value *in)
{
	const struct res_sql	*s;
	struct res_row		 row;
	sqlite3_stmt		*stmt;
	char			 detail[256];
	int			 rc = -1;

	if (res_load(ctx, t, id, &row) == -1 ||
	    res_take(ctx, t, RES_EDIT, in, row.v) == -1 ||
	    (t->check != NULL && t->check(ctx, t, row.v) == -1) ||
	    res_unique(ctx, t, in, row.v, id) == -1)
		goto done;
	s = &res_sqls[t->kind];		/* built by res_load */
	if ((stmt = db_stmt(ctx->pd->db, s->update)) == NULL ||
	    sqlite3_bind_int64(stmt, 1, id) != SQLITE_OK ||
	    res_bind(stmt, 2, t, row.v, 0) == -1 ||
	    db_exec_stmt(ctx->pd->db, stmt) == -1) {
		ctx_internal(ctx);
		goto done;
	}
	res_audit_given(t, in, detail, sizeof(detail));
	rc = res_audit(ctx, t, "edit", id, detail);
done:
	res_row_free(&row);
	return rc;
}
