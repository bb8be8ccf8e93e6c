/*
 * A resource's fields in SQLite: the statements are built from the table
 * on first use (column "x" for field "x", "x_w" for each word w of a set),
 * so adding a field to a table adds it to every statement.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "db.h"
#include "log.h"
#include "practiced.h"
#include "resource_store.h"

#define RES_SQLMAX	1024
#define RES_MAXTYPES	8

/* The statements of one resource; db_stmt caches them by address. */
struct res_sql {
	const struct res_type	*type;
	char			 one[RES_SQLMAX];
	char			 list[RES_SQLMAX];
	char			 insert[RES_SQLMAX];
	char			 update[RES_SQLMAX];
};

static struct res_sql	 res_sqls[RES_MAXTYPES];
static size_t		 res_nsqls;

void
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

/* The columns a field keeps: none, one, or one for each word. */
static size_t
res_ncolumns(const struct res_field *f)
{
	size_t	 n = 0;

	if (f->kind == RES_INITIALS)
		return 0;
	if (f->kind == RES_CONSENT)
		return 2;
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
	else if (f->kind == RES_CONSENT)
		res_buf_add(b, "%s_%s", base, word == 0 ? "at" : "by");
	else
		res_buf_add(b, "%s", base);
}

/* "SELECT id, name, email FROM clinicians" */
static void
res_sql_select(struct res_buf *b, const struct res_type *t)
{
	const struct res_field	*f;
	size_t			 j;

	res_buf_add(b, "SELECT id");
	for (f = t->fields; f->name != NULL; f++)
		for (j = 0; j < res_ncolumns(f); j++) {
			res_buf_add(b, ", ");
			res_column(b, f, j);
		}
	res_buf_add(b, " FROM %s", t->table);
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

static int
res_sql_build(struct res_sql *s, const struct res_type *t)
{
	struct res_buf	 one = { s->one, sizeof(s->one), 0, 0 };
	struct res_buf	 list = { s->list, sizeof(s->list), 0, 0 };
	struct res_buf	 ins = { s->insert, sizeof(s->insert), 0, 0 };
	struct res_buf	 upd = { s->update, sizeof(s->update), 0, 0 };

	res_sql_select(&one, t);
	res_buf_add(&one, " WHERE id = ?1");
	res_sql_select(&list, t);
	/* ?2 is a pattern of the folded name (lookup_word_pattern). */
	res_buf_add(&list, " WHERE (active OR ?1)"
	    " AND (?2 IS NULL OR fold_name(name) LIKE ?2 ESCAPE '\\')"
	    " ORDER BY name COLLATE NOCASE, id");
	res_sql_insert(&ins, t);
	res_sql_update(&upd, t);
	return one.over || list.over || ins.over || upd.over ? -1 : 0;
}

static const struct res_sql *
res_sql(struct ctx *ctx, const struct res_type *t)
{
	struct res_sql	*s;
	size_t		 i, n = 0;

	for (i = 0; i < res_nsqls; i++)
		if (res_sqls[i].type == t)
			return &res_sqls[i];
	while (t->fields[n].name != NULL)
		n++;
	if (n >= RES_MAXFIELDS || res_nsqls == RES_MAXTYPES) {
		log_warnx("resource %s: more than %d fields or %d resources",
		    t->noun, RES_MAXFIELDS - 1, RES_MAXTYPES);
		ctx_internal(ctx);
		return NULL;
	}
	s = &res_sqls[res_nsqls];
	if (res_sql_build(s, t) == -1) {
		log_warnx("resource %s: statements too long", t->noun);
		ctx_internal(ctx);
		return NULL;
	}
	s->type = t;
	res_nsqls++;
	return s;
}

int
res_store_ready(struct ctx *ctx, const struct res_type *t)
{
	return res_sql(ctx, t) == NULL ? -1 : 0;
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
		case RES_CONSENT:
			rc |= v[i].num != 0 ? sqlite3_bind_int64(stmt, p,
			    v[i].num) : sqlite3_bind_null(stmt, p);
			rc |= db_bind_text(stmt, p + 1, v[i].num != 0 ?
			    v[i].text : NULL);
			p += 2;
			break;
		case RES_INITIALS:
			break;
		}
	}
	return rc == SQLITE_OK ? 0 : -1;
}

/* The current row of a select; texts point into the statement. */
static void
res_read(sqlite3_stmt *stmt, const struct res_type *t, struct res_row *row)
{
	const struct res_field	*f;
	size_t			 j;
	int			 i, col = 1;

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(stmt, 0);
	for (i = 0, f = t->fields; f->name != NULL; i++, f++) {
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
		case RES_CONSENT:
			row->v[i].num = sqlite3_column_int64(stmt, col++);
			row->v[i].text = db_column_text(stmt, col++);
			break;
		case RES_INITIALS:
			break;
		}
	}
}

/* Copies the texts, so the row outlives its statement. */
static int
res_keep(const struct res_type *t, struct res_row *row)
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

void
res_store_free(struct res_row *row)
{
	size_t	 i;

	for (i = 0; i < RES_MAXFIELDS; i++) {
		free(row->own[i]);
		row->own[i] = NULL;
	}
}

int
res_store_load(struct ctx *ctx, const struct res_type *t, long long id,
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
		res_read(stmt, t, row);
		if (res_keep(t, row) == -1)
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

int
res_store_list(struct ctx *ctx, const struct res_type *t, int all,
    const char *pattern, res_row_fn fn, void *arg)
{
	const struct res_sql	*s;
	struct res_row		 row;
	sqlite3_stmt		*stmt;
	int			 rc;

	if ((s = res_sql(ctx, t)) == NULL)
		return -1;
	if ((stmt = db_stmt(ctx->pd->db, s->list)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int(stmt, 1, all);
	db_bind_text(stmt, 2, pattern);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		res_read(stmt, t, &row);
		if (fn(ctx, t, &row, arg) == -1)
			break;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return ctx_internal(ctx);	/* unless fn said why */
	return 0;
}

int
res_store_insert(struct ctx *ctx, const struct res_type *t,
    const struct res_value *v, long long *id)
{
	const struct res_sql	*s;
	sqlite3_stmt		*stmt;

	if ((s = res_sql(ctx, t)) == NULL)
		return -1;
	if ((stmt = db_stmt(ctx->pd->db, s->insert)) == NULL ||
	    res_bind(stmt, 1, t, v, 1) == -1 ||
	    db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	*id = sqlite3_last_insert_rowid(db_handle(ctx->pd->db));
	return 0;
}

int
res_store_update(struct ctx *ctx, const struct res_type *t, long long id,
    const struct res_value *v)
{
	const struct res_sql	*s;
	sqlite3_stmt		*stmt;

	if ((s = res_sql(ctx, t)) == NULL)
		return -1;
	if ((stmt = db_stmt(ctx->pd->db, s->update)) == NULL ||
	    sqlite3_bind_int64(stmt, 1, id) != SQLITE_OK ||
	    res_bind(stmt, 2, t, v, 0) == -1 ||
	    db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	return 0;
}
