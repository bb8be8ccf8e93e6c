/*
 * Names as people type them, resolved by lookup.c against an in-memory
 * practice: ids, exact names, prefixes of the name or of a word, LIKE's
 * wildcards taken literally, archived records only as a last resort.
 */
#include <string.h>

#include "lookup.h"
#include "practice.h"
#include "unit.h"

static const char *lookup_sql =
    "INSERT INTO clients (id, name, active, created) VALUES"
    "  (4, 'Jordan Smith', 1, 0), (5, 'Lee Park', 1, 0),"
    "  (6, '50%_off Co', 1, 0), (7, '50 off', 1, 0), (8, 'Maria', 1, 0),"
    "  (9, 'Gordon Active', 1, 0), (10, 'Zed Archived', 0, 0),"
    "  (11, 'Zed Archived', 0, 0), (12, 'back\\slash', 1, 0);";

static const struct {
	const char	*ref;
	enum proto_error want;
	long long	 id;
} lookup_cases[] = {
	{ "1", PROTO_OK, JORDAN },
	{ "99", PROTO_ENOTFOUND, 0 },
	{ "0", PROTO_ENOTFOUND, 0 },
	{ "Jordan Lee", PROTO_OK, JORDAN },
	{ "jordan lee", PROTO_OK, JORDAN },		/* any case */
	{ "jordan", PROTO_EAMBIGUOUS, 0 },		/* Lee and Smith */
	{ "jordan l", PROTO_OK, JORDAN },
	{ "smith", PROTO_OK, 4 },			/* a word's prefix */
	{ "lee", PROTO_EAMBIGUOUS, 0 },		/* Jordan Lee, Lee Park */
	{ "maria", PROTO_OK, 8 },			/* exact beats prefix */
	{ "maria s", PROTO_OK, MARIA },
	{ "50%", PROTO_OK, 6 },			/* % is a character */
	{ "50_", PROTO_ENOTFOUND, 0 },		/* so is _ */
	{ "back\\", PROTO_OK, 12 },
	{ "go", PROTO_OK, 9 },			/* Gone Away is archived */
	{ "gone", PROTO_OK, GONE_CLIENT },		/* archived, but alone */
	{ "zed archived", PROTO_EAMBIGUOUS, 0 },	/* two of one name */
	{ "nobody", PROTO_ENOTFOUND, 0 },
	{ "", PROTO_EBADREQUEST, 0 },
};

static void
test_lookup_refs(struct practice *p)
{
	long long	 id;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(lookup_cases) / sizeof(lookup_cases[0]); i++) {
		practice_reset(p, PRACTICE_NOW);
		id = 0;
		rc = lookup_ref(&p->ctx, KIND_CLIENT, lookup_cases[i].ref, &id);
		if (p->ctx.err != lookup_cases[i].want ||
		    id != lookup_cases[i].id)
			fprintf(stderr, "lookup \"%s\": got %s, id %lld (%s)\n",
			    lookup_cases[i].ref, proto_errors[p->ctx.err].code,
			    id, p->ctx.msg);
		CHECK(rc == (lookup_cases[i].want == PROTO_OK ? 0 : -1));
		CHECK(p->ctx.err == lookup_cases[i].want);
		CHECK(id == lookup_cases[i].id);
	}
	/* An ambiguous name offers candidates to choose from. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(lookup_ref(&p->ctx, KIND_CLIENT, "jordan", &id) == -1);
	CHECK(json_array_size(json_object_get(p->ctx.details,
	    "candidates")) == 2);
}

static void
test_lookup_long(struct practice *p)
{
	char		 ref[202];
	long long	 id;

	memset(ref, 'a', sizeof(ref) - 1);
	ref[sizeof(ref) - 1] = '\0';
	practice_reset(p, PRACTICE_NOW);
	CHECK(lookup_ref(&p->ctx, KIND_CLIENT, ref, &id) == -1);
	CHECK(p->ctx.err == PROTO_EBADREQUEST);
}

static void
test_lookup_kinds(struct practice *p)
{
	long long	 id = 0;

	practice_reset(p, PRACTICE_NOW);
	CHECK(lookup_ref(&p->ctx, KIND_CLINICIAN, "sam", &id) == 0 &&
	    id == SAM);
	CHECK(lookup_ref(&p->ctx, KIND_SERVICE, "intake", &id) == 0 &&
	    id == INTAKE);
	CHECK(lookup_ref(&p->ctx, KIND_ROOM, "room 2", &id) == 0 &&
	    id == ROOM2);
	CHECK(lookup_ref(&p->ctx, KIND_ROOM, "room", &id) == -1 &&
	    p->ctx.err == PROTO_EAMBIGUOUS);

	/* Names of rooms are unique in any case, except for the record itself. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(lookup_name_free(&p->ctx, KIND_ROOM, "ROOM 1", 0) == -1 &&
	    p->ctx.err == PROTO_EDUPLICATE);
	practice_reset(p, PRACTICE_NOW);
	CHECK(lookup_name_free(&p->ctx, KIND_ROOM, "ROOM 1", ROOM1) == 0);
	CHECK(lookup_name_free(&p->ctx, KIND_ROOM, "Room 9", 0) == 0);
	CHECK(!ctx_failed(&p->ctx));

	CHECK(lookup_require_active(&p->ctx, KIND_ROOM, ROOM1) == 0);
	CHECK(lookup_require_active(&p->ctx, KIND_ROOM, OLD_ROOM) == -1 &&
	    p->ctx.err == PROTO_ESTATE);
	CHECK(strstr(p->ctx.msg, "Old room") != NULL);
}

void
test_lookup(void)
{
	struct practice	 p;

	if (practice_open(&p) == -1 || practice_exec(&p, lookup_sql) == -1) {
		CHECK(!"the lookup practice could be set up");
		practice_close(&p);
		return;
	}
	test_lookup_refs(&p);
	test_lookup_long(&p);
	test_lookup_kinds(&p);
	practice_close(&p);
}
