/*
 * Names are how people refer to people: "ana" for Ana Ruiz, "ñúñez" or
 * "nunez" for José Ñúñez-Øster.  Resolution happens here, once, so every
 * command accepts the same forms.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctx.h"
#include "db.h"
#include "facts.h"
#include "fold.h"
#include "lookup.h"
#include "practiced.h"

#define LOOKUP_REF_MAX	200	/* bytes of a reference */

struct lookup_sql {
	const char	*noun;
	const char	*by_id;
	const char	*by_word;
	const char	*by_exact;
	const char	*name_taken;
	const char	*active;
};

/*
 * Table names cannot be bound, so each kind has its own statements.
 * fold_name (fold.c) makes " word word" of a name: a word's start is a
 * blank before it.  A scan, but of one small table, at most once or twice
 * a request: about 5 ms for 20,000 clients, well under 1 ms for 2,000.
 */
#define LOOKUP_SQL(noun, table, email) { noun,				\
	"SELECT id FROM " table " WHERE id = ?1",			\
	"SELECT id, name, active, " email " FROM " table		\
	"  WHERE fold_name(name) LIKE ?1 ESCAPE '\\'"			\
	"  ORDER BY active DESC, name COLLATE NOCASE, id",		\
	"SELECT id, name, active, " email " FROM " table		\
	"  WHERE fold_name(name) = ?1 ORDER BY active DESC, id",	\
	"SELECT count(*) FROM " table					\
	"  WHERE name = ?1 COLLATE NOCASE AND id != ?2",			\
	"SELECT active, name FROM " table " WHERE id = ?1" }

static const struct lookup_sql lookup_sqls[] = {
	[KIND_CLINICIAN] = LOOKUP_SQL("clinician", "clinicians", "email"),
	[KIND_CLIENT] = LOOKUP_SQL("client", "clients", "email"),
	[KIND_SERVICE] = LOOKUP_SQL("service", "services", "NULL"),
	[KIND_ROOM] = LOOKUP_SQL("room", "rooms", "NULL"),
};

/* A reference taken apart: "Olivia Martinez #17 <olivia@example.org>". */
struct lookup_want {
	char		 name[LOOKUP_REF_MAX + 1];
	long long	 id;		/* after "#", or 0 */
	char		 email[LOOKUP_REF_MAX + 1];	/* in "<>", or "" */
};

/* What a query found: the first few, and how many in all. */
struct lookup_found {
	json_t		*cands;
	size_t		 total;
};

const char *
lookup_noun(enum kind kind)
{
	return lookup_sqls[kind].noun;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int
lookup_id(struct ctx *ctx, enum kind kind, const char *ref,
    long long *id)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, lookup_sqls[kind].by_id)) == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, strtoll(ref, NULL, 10));
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		ctx_internal(ctx);
	else
		ctx_error(ctx, PROTO_ENOTFOUND, "no %s with id %s",
		    lookup_noun(kind), ref);
	return -1;
}

/* "50%_off" must match literally: escape LIKE's wildcards. */
char *
lookup_like_prefix(const char *ref)
{
	char	*pat, *p;

	if ((pat = malloc(strlen(ref) * 2 + 2)) == NULL)
		return NULL;
	for (p = pat; *ref != '\0'; ref++) {
		if (*ref == '%' || *ref == '_' || *ref == '\\')
			*p++ = '\\';
		*p++ = *ref;
	}
	*p++ = '%';
	*p = '\0';
	return pat;
}

char *
lookup_word_pattern(const char *ref)
{
	char	*folded, *esc, *pat = NULL;

	if ((folded = malloc(FOLD_LEN(strlen(ref)))) == NULL)
		return NULL;
	fold_name(ref, folded);
	/* " word word%" after anything: each word's start follows a blank. */
	if ((esc = lookup_like_prefix(folded)) != NULL &&
	    (pat = malloc(strlen(esc) + 2)) != NULL) {
		pat[0] = '%';
		memcpy(pat + 1, esc, strlen(esc) + 1);
	}
	free(esc);
	free(folded);
	return pat;
}

/* Trims blanks at both ends of s in place. */
static void
lookup_trim(char *s)
{
	size_t	 n = strlen(s), i = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i + 1);
}

/* "NAME", "NAME #ID", "NAME <EMAIL>" or "NAME #ID <EMAIL>". */
static void
lookup_parse(const char *ref, struct lookup_want *w)
{
	char	*lt, *hash;
	size_t	 n;

	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", ref);
	lookup_trim(w->name);
	n = strlen(w->name);
	if (n > 0 && w->name[n - 1] == '>' &&
	    (lt = strrchr(w->name, '<')) != NULL && lt != w->name) {
		w->name[n - 1] = '\0';
		snprintf(w->email, sizeof(w->email), "%s", lt + 1);
		lookup_trim(w->email);
		*lt = '\0';
		lookup_trim(w->name);
	}
	if ((hash = strrchr(w->name, '#')) != NULL && hash != w->name &&
	    isspace((unsigned char)hash[-1]) && all_digits(hash + 1) &&
	    strlen(hash + 1) < 16) {
		w->id = strtoll(hash + 1, NULL, 10);
		*hash = '\0';
		lookup_trim(w->name);
	}
}

static int
lookup_fits(const struct lookup_want *w, sqlite3_stmt *stmt)
{
	const char	*email = db_column_text(stmt, 3);

	if (w->id != 0 && sqlite3_column_int64(stmt, 0) != w->id)
		return 0;
	if (w->email[0] != '\0' &&
	    (email == NULL || strcasecmp(email, w->email) != 0))
		return 0;
	return 1;
}

static int
lookup_distinguished(const struct lookup_want *w)
{
	return w->id != 0 || w->email[0] != '\0';
}

/* {id, name, email}: how a candidate is named in a refusal or warning. */
static json_t *
lookup_cand_json(sqlite3_stmt *stmt)
{
	json_t	*c;

	c = json_pack("{s:I,s:s}", "id",
	    (json_int_t)sqlite3_column_int64(stmt, 0),
	    "name", db_column_text(stmt, 1));
	if (c != NULL && sqlite3_column_type(stmt, 3) != SQLITE_NULL)
		json_object_set_new(c, "email",
		    json_string(db_column_text(stmt, 3)));
	return c;
}

/*
 * Candidates from one query, those w allows; archived records count only
 * when nothing active matches, unless w says which one.  -1 on a database
 * error.
 */
static int
lookup_candidates(struct ctx *ctx, const char *sql, const char *arg,
    const struct lookup_want *w, struct lookup_found *f)
{
	sqlite3_stmt	*stmt;
	int		 rc, saw_active = 0;

	f->total = 0;
	if ((f->cands = json_array()) == NULL ||
	    (stmt = db_stmt(ctx->pd->db, sql)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!lookup_fits(w, stmt))
			continue;
		if (sqlite3_column_int(stmt, 2))
			saw_active = 1;
		else if (saw_active && !lookup_distinguished(w))
			break;
		if (f->total++ < LOOKUP_MAX_CANDIDATES)
			json_array_append_new(f->cands, lookup_cand_json(stmt));
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* "Olivia Martinez #17 <olivia@example.org>", as a reference takes it. */
void
lookup_cand_text(json_t *c, char *buf, size_t len)
{
	const char	*email = json_string_value(json_object_get(c,
			    "email"));

	if (email != NULL)
		snprintf(buf, len, "%s #%lld <%s>", json_string_value(
		    json_object_get(c, "name")), (long long)
		    json_integer_value(json_object_get(c, "id")), email);
	else
		snprintf(buf, len, "%s #%lld", json_string_value(
		    json_object_get(c, "name")), (long long)
		    json_integer_value(json_object_get(c, "id")));
}

static int
lookup_ambiguous(struct ctx *ctx, enum kind kind, const char *ref,
    struct lookup_found *f)
{
	char	 list[800], one[512], more[48];
	size_t	 i, off = 0;
	int	 n;

	list[0] = more[0] = '\0';
	for (i = 0; i < json_array_size(f->cands); i++) {
		lookup_cand_text(json_array_get(f->cands, i), one, sizeof(one));
		n = snprintf(list + off, sizeof(list) - off, "%s%s",
		    i > 0 ? ", " : "", one);
		if (n < 0 || (size_t)n >= sizeof(list) - off) {
			list[off] = '\0';
			break;
		}
		off += (size_t)n;
	}
	if (f->total > i)
		snprintf(more, sizeof(more), ", and %zu more", f->total - i);
	return ctx_error_details(ctx, PROTO_EAMBIGUOUS,
	    json_pack("{s:O,s:I}", "candidates", f->cands, "total",
	    (json_int_t)f->total), "\"%s\" matches %zu %ss: %s%s; pick one "
	    "by id, or by the name with its #ID or <EMAIL> as listed", ref,
	    f->total, lookup_noun(kind), list, more);
}

static int
lookup_pick(struct ctx *ctx, enum kind kind, const char *ref,
    const struct lookup_want *w, struct lookup_found *f, long long *id)
{
	int	 rc = -1;

	if (f->total == 1) {
		*id = json_integer_value(json_object_get(
		    json_array_get(f->cands, 0), "id"));
		rc = 0;
	} else if (f->total == 0 && lookup_distinguished(w))
		ctx_error(ctx, PROTO_ENOTFOUND, "no %s named \"%s\" has that "
		    "%s", lookup_noun(kind), w->name, w->email[0] == '\0' ?
		    "id" : w->id == 0 ? "email" : "email and id");
	else if (f->total == 0)
		ctx_error(ctx, PROTO_ENOTFOUND, "no %s matches \"%s\"",
		    lookup_noun(kind), ref);
	else
		lookup_ambiguous(ctx, kind, ref, f);
	json_decref(f->cands);
	return rc;
}

static int
lookup_name(struct ctx *ctx, enum kind kind, const char *ref,
    long long *id)
{
	struct lookup_want	 w;
	struct lookup_found	 f;
	char			 folded[FOLD_LEN(LOOKUP_REF_MAX)], *pat;
	int			 rc;

	lookup_parse(ref, &w);
	if (fold_name(w.name, folded) == 0) {
		ctx_error(ctx, PROTO_EBADREQUEST, "\"%s\" holds no name",
		    ref);
		return -1;
	}
	/* A full name wins over prefixes, but two people may share one. */
	if (lookup_candidates(ctx, lookup_sqls[kind].by_exact, folded, &w,
	    &f) == -1) {
		json_decref(f.cands);
		return ctx_internal(ctx);
	}
	if (f.total > 0)
		return lookup_pick(ctx, kind, ref, &w, &f, id);
	json_decref(f.cands);
	if ((pat = lookup_word_pattern(w.name)) == NULL)
		return ctx_internal(ctx);
	rc = lookup_candidates(ctx, lookup_sqls[kind].by_word, pat, &w, &f);
	free(pat);
	if (rc == -1) {
		json_decref(f.cands);
		return ctx_internal(ctx);
	}
	return lookup_pick(ctx, kind, ref, &w, &f, id);
}

int
lookup_ref(struct ctx *ctx, enum kind kind, const char *ref,
    long long *id)
{
	if (ref == NULL || *ref == '\0') {
		ctx_error(ctx, PROTO_EBADREQUEST, "empty %s name",
		    lookup_noun(kind));
		return -1;
	}
	if (strlen(ref) > LOOKUP_REF_MAX) {
		ctx_error(ctx, PROTO_EBADREQUEST, "%s name too long",
		    lookup_noun(kind));
		return -1;
	}
	if (all_digits(ref))
		return lookup_id(ctx, kind, ref, id);
	return lookup_name(ctx, kind, ref, id);
}

json_t *
lookup_same_name(struct ctx *ctx, enum kind kind, const char *name,
    long long except_id)
{
	struct lookup_want	 w;
	struct lookup_found	 f;
	char			 folded[FOLD_LEN(LOOKUP_REF_MAX)];
	json_t			*c;
	size_t			 i;

	memset(&w, 0, sizeof(w));
	if (strlen(name) > LOOKUP_REF_MAX || fold_name(name, folded) == 0)
		return json_array();
	if (lookup_candidates(ctx, lookup_sqls[kind].by_exact, folded, &w,
	    &f) == -1) {
		json_decref(f.cands);
		ctx_internal(ctx);
		return NULL;
	}
	json_array_foreach(f.cands, i, c)
		if (json_integer_value(json_object_get(c, "id")) == except_id) {
			json_array_remove(f.cands, i);
			break;
		}
	return f.cands;
}

/* Names of clinicians, services and rooms are unique in any case. */
int
lookup_name_free(struct ctx *ctx, enum kind kind, const char *name,
    long long except_id)
{
	sqlite3_stmt	*stmt;
	int		 taken = -1;

	if ((stmt = db_stmt(ctx->pd->db, lookup_sqls[kind].name_taken))
	    == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, except_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		taken = sqlite3_column_int(stmt, 0) > 0;
	sqlite3_reset(stmt);
	if (taken == -1)
		ctx_internal(ctx);
	else if (taken)
		ctx_error(ctx, PROTO_EDUPLICATE, "a %s named \"%s\" already "
		    "exists", lookup_noun(kind), name);
	return taken == 0 ? 0 : -1;
}

int
lookup_require_active(struct ctx *ctx, enum kind kind, long long id)
{
	sqlite3_stmt	*stmt;
	struct fact	 f;
	int		 rc, active = 0;

	if (facts_get(ctx->facts, FACT_ACTIVE_CLINICIAN + kind, id, &f))
		return 0;
	if ((stmt = db_stmt(ctx->pd->db, lookup_sqls[kind].active)) == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW &&
	    !(active = sqlite3_column_int(stmt, 0)))
		ctx_error(ctx, PROTO_ESTATE, "%s %s is archived; make it "
		    "active again first", lookup_noun(kind),
		    db_column_text(stmt, 1));
	else if (rc != SQLITE_ROW)
		ctx_internal(ctx);
	sqlite3_reset(stmt);
	if (!active)
		return -1;
	memset(&f, 0, sizeof(f));
	facts_put(ctx->facts, FACT_ACTIVE_CLINICIAN + kind, id, &f);
	return 0;
}
