/*
 * Names are how people refer to people: "ana" for Ana Ruiz.  Resolution
 * happens here, once, so every command accepts the same forms.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "db.h"
#include "lookup.h"
#include "practiced.h"

#define LOOKUP_MAX_CANDIDATES	10

struct lookup_sql {
	const char	*noun;
	const char	*by_id;
	const char	*by_name;
	const char	*by_exact;
	const char	*name_taken;
	const char	*active;
};

/* Table names cannot be bound, so each kind has its own statements. */
#define LOOKUP_SQL(noun, table) { noun,					\
	"SELECT id FROM " table " WHERE id = ?1",			\
	"SELECT id, name, active FROM " table				\
	"  WHERE name LIKE ?1 ESCAPE '\\'"				\
	"     OR name LIKE '% ' || ?1 ESCAPE '\\'"			\
	"  ORDER BY active DESC, name LIMIT 11",			\
	"SELECT id, name, active FROM " table				\
	"  WHERE name = ?1 COLLATE NOCASE ORDER BY active DESC, id LIMIT 11",\
	"SELECT count(*) FROM " table					\
	"  WHERE name = ?1 COLLATE NOCASE AND id != ?2",			\
	"SELECT active, name FROM " table " WHERE id = ?1" }

static const struct lookup_sql lookup_sqls[] = {
	[KIND_CLINICIAN] = LOOKUP_SQL("clinician", "clinicians"),
	[KIND_CLIENT] = LOOKUP_SQL("client", "clients"),
	[KIND_SERVICE] = LOOKUP_SQL("service", "services"),
	[KIND_ROOM] = LOOKUP_SQL("room", "rooms"),
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

static const char *
cand_name(json_t *cands, size_t i)
{
	return json_string_value(json_object_get(json_array_get(cands, i),
	    "name"));
}

static long long
cand_id(json_t *cands, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(cands, i),
	    "id"));
}

static int
lookup_pick(struct ctx *ctx, enum kind kind, const char *ref,
    json_t *cands, long long *id)
{
	size_t	 n = json_array_size(cands);

	if (n == 1) {
		*id = json_integer_value(json_object_get(
		    json_array_get(cands, 0), "id"));
		json_decref(cands);
		return 0;
	}
	if (n == 0) {
		json_decref(cands);
		ctx_error(ctx, PROTO_ENOTFOUND, "no %s matches \"%s\"",
		    lookup_noun(kind), ref);
		return -1;
	}
	ctx_error_details(ctx, PROTO_EAMBIGUOUS,
	    json_pack("{s:O}", "candidates", cands),
	    "\"%s\" matches %s%zu %ss (%s %lld, %s %lld%s); use more of "
	    "the name or the id", ref, n > LOOKUP_MAX_CANDIDATES ?
	    "more than " : "",
	    n > LOOKUP_MAX_CANDIDATES ? LOOKUP_MAX_CANDIDATES : n,
	    lookup_noun(kind), cand_name(cands, 0), cand_id(cands, 0),
	    cand_name(cands, 1), cand_id(cands, 1), n > 2 ? ", ..." : "");
	json_decref(cands);
	return -1;
}

/*
 * Candidates from one query; archived records count only when nothing
 * active matches.  NULL on a database error.
 */
static json_t *
lookup_candidates(struct ctx *ctx, const char *sql, const char *arg)
{
	sqlite3_stmt	*stmt;
	json_t		*cands;
	int		 rc, saw_active = 0;

	if ((cands = json_array()) == NULL ||
	    (stmt = db_stmt(ctx->pd->db, sql)) == NULL) {
		json_decref(cands);
		return NULL;
	}
	sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (sqlite3_column_int(stmt, 2))
			saw_active = 1;
		else if (saw_active)
			break;
		json_array_append_new(cands, json_pack("{s:I,s:s}", "id",
		    (json_int_t)sqlite3_column_int64(stmt, 0),
		    "name", db_column_text(stmt, 1)));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		json_decref(cands);
		return NULL;
	}
	return cands;
}

static int
lookup_name(struct ctx *ctx, enum kind kind, const char *ref,
    long long *id)
{
	json_t	*cands;
	char	*pat;

	/* A full name wins over prefixes, but two people may share one. */
	if ((cands = lookup_candidates(ctx, lookup_sqls[kind].by_exact,
	    ref)) == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	if (json_array_size(cands) > 0)
		return lookup_pick(ctx, kind, ref, cands, id);
	json_decref(cands);
	if ((pat = lookup_like_prefix(ref)) == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	cands = lookup_candidates(ctx, lookup_sqls[kind].by_name, pat);
	free(pat);
	if (cands == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	return lookup_pick(ctx, kind, ref, cands, id);
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
	if (strlen(ref) > 200) {
		ctx_error(ctx, PROTO_EBADREQUEST, "%s name too long",
		    lookup_noun(kind));
		return -1;
	}
	if (all_digits(ref))
		return lookup_id(ctx, kind, ref, id);
	return lookup_name(ctx, kind, ref, id);
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
	int		 rc, active = 0;

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
	return active ? 0 : -1;
}
