/*
 * Names as people type them, resolved by lookup.c against an in-memory
 * practice: ids, exact names, prefixes of the name or of a word (split at
 * blanks, hyphens, apostrophes; case and Latin accents folded, other
 * scripts as typed), LIKE's wildcards taken literally, archived records
 * only as a last resort, a shared name told apart by #ID or <EMAIL>.
 */
#include <string.h>

#include "facts.h"
#include "fold.h"
#include "lookup.h"
#include "practice.h"
#include "unit.h"

static const char *lookup_sql =
    "INSERT INTO clients (id, name, active, created) VALUES"
    "  (4, 'Jordan Smith', 1, 0), (5, 'Lee Park', 1, 0),"
    "  (6, '50%_off Co', 1, 0), (7, '50 off', 1, 0), (8, 'Maria', 1, 0),"
    "  (9, 'Gordon Active', 1, 0), (10, 'Zed Archived', 0, 0),"
    "  (11, 'Zed Archived', 0, 0), (12, 'back\\slash', 1, 0);"
    "INSERT INTO clients (id, name, email, active, created) VALUES"
    "  (20, 'Mary-Jane Smith-Jones', NULL, 1, 0),"
    "  (21, 'Ava Jones', NULL, 1, 0),"
    "  (22, 'José Ñúñez-Øster', NULL, 1, 0),"
    "  (23, 'Siobhán O''Brien', NULL, 1, 0),"
    "  (24, 'Ana D’Souza', NULL, 1, 0),"		/* a typographic ’ */
    "  (25, '王小明', NULL, 1, 0), (26, '王芳', NULL, 1, 0),"
    "  (27, 'Ольга Иванова', NULL, 1, 0),"
    "  (28, 'Olivia Martinez', 'olivia@example.org', 1, 0),"
    "  (29, 'Olivia Martinez', 'om@example.net', 1, 0),"
    "  (30, 'Olivia Martinez', NULL, 0, 0),"
    "  (31, 'Łukasz Żółć', NULL, 1, 0), (32, 'Straße Æbeltoft', NULL, 1, 0),"
    "  (33, 'Rene\xcc\x81" "e Decomposed', NULL, 1, 0);";

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
	{ "jordan s", PROTO_OK, 4 },			/* a word's prefix */
	{ "smith", PROTO_EAMBIGUOUS, 0 },		/* and Smith-Jones */
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
	{ "-", PROTO_EBADREQUEST, 0 },			/* no word in it */

	/* the start of any word; hyphens and apostrophes part words */
	{ "jane", PROTO_OK, 20 },
	{ "smith-j", PROTO_OK, 20 },
	{ "mary jane s", PROTO_OK, 20 },
	{ "jones", PROTO_EAMBIGUOUS, 0 },		/* Ava, Smith-Jones */
	{ "ones", PROTO_ENOTFOUND, 0 },		/* inside a word */
	{ "brien", PROTO_OK, 23 },
	{ "o'brien", PROTO_OK, 23 },
	{ "o\xe2\x80\x99" "brien", PROTO_OK, 23 },	/* ’ for ' */
	{ "souza", PROTO_OK, 24 },
	{ "d'souza", PROTO_OK, 24 },
	/* case and accents folded, both ways */
	{ "ñúñez", PROTO_OK, 22 },
	{ "ÑÚÑEZ", PROTO_OK, 22 },
	{ "nunez-oster", PROTO_OK, 22 },
	{ "JOSE", PROTO_OK, 22 },
	{ "siobhan", PROTO_OK, 23 },
	{ "lukasz zolc", PROTO_OK, 31 },
	{ "strasse", PROTO_OK, 32 },			/* ß is ss */
	{ "aebel", PROTO_OK, 32 },			/* Æ is ae */
	{ "renée", PROTO_OK, 33 },			/* a combining accent */
	{ "renee", PROTO_OK, 33 },
	/* other scripts: as typed, a word's start; Cyrillic in any case */
	{ "王小", PROTO_OK, 25 },
	{ "王", PROTO_EAMBIGUOUS, 0 },
	{ "小明", PROTO_ENOTFOUND, 0 },		/* no blank: one word */
	{ "ольга", PROTO_OK, 27 },
	{ "ИВАН", PROTO_OK, 27 },
	/* a shared name: told apart by id or email, not by itself */
	{ "Olivia Martinez", PROTO_EAMBIGUOUS, 0 },
	{ "olivia", PROTO_EAMBIGUOUS, 0 },
	{ "Olivia Martinez #29", PROTO_OK, 29 },
	{ "Olivia Martinez #30", PROTO_OK, 30 },	/* archived, but named */
	{ "Olivia Martinez <OLIVIA@example.org>", PROTO_OK, 28 },
	{ "Olivia Martinez #29 <om@example.net>", PROTO_OK, 29 },
	{ "olivia martínez <om@example.net>", PROTO_OK, 29 },
	{ "Olivia Martinez #28 <om@example.net>", PROTO_ENOTFOUND, 0 },
	{ "Olivia Martinez <nobody@example.org>", PROTO_ENOTFOUND, 0 },
	{ "Olivia Martinez #99", PROTO_ENOTFOUND, 0 },
	{ "Ava Jones #28", PROTO_ENOTFOUND, 0 },	/* the id of another */
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

/* The folding itself: " word word", lower case, accents off. */
static const struct {
	const char	*in, *want;
} fold_cases[] = {
	{ "Ana Ruiz", " ana ruiz" },
	{ "  Mary-Jane   Smith-Jones ", " mary jane smith jones" },
	{ "O'Brien", " o brien" },
	{ "José Ñúñez-Øster", " jose nunez oster" },
	{ "ÀÉÎÕÜ Çç Ýÿ Ðð Þþ ß", " aeiou cc yy dd thth ss" },
	{ "Œuvre Ĳssel Łódź Şahin Ğ", " oeuvre ijssel lodz sahin g" },
	{ "Ωμέγα ΑΒΓ", " ωμέγα αβγ" },		/* Greek: case only */
	{ "ЁЖ", " ёж" },
	{ "王小明", " 王小明" },
	{ "×÷", " ×÷" },			/* not letters: kept */
	{ "\xff\xfe", " \xff\xfe" },		/* not UTF-8: kept */
	{ "'-'", "" },
	{ "", "" },
};

static void
test_lookup_fold(void)
{
	char	 out[FOLD_LEN(64)];
	size_t	 i, n;

	for (i = 0; i < sizeof(fold_cases) / sizeof(fold_cases[0]); i++) {
		n = fold_name(fold_cases[i].in, out);
		if (strcmp(out, fold_cases[i].want) != 0)
			fprintf(stderr, "fold \"%s\": \"%s\", want \"%s\"\n",
			    fold_cases[i].in, out, fold_cases[i].want);
		CHECK(strcmp(out, fold_cases[i].want) == 0);
		CHECK(n == strlen(out));
		CHECK(n + 1 <= FOLD_LEN(strlen(fold_cases[i].in)));
	}
}

/* A refusal names every candidate up to the cap, and how many more. */
static void
test_lookup_candidates(struct practice *p)
{
	json_t		*d;
	long long	 id;
	char		 sql[128];
	int		 i;

	practice_reset(p, PRACTICE_NOW);
	CHECK(lookup_ref(&p->ctx, KIND_CLIENT, "Olivia Martinez", &id) == -1);
	CHECK(strstr(p->ctx.msg, "Olivia Martinez #28 <olivia@example.org>")
	    != NULL);
	CHECK(strstr(p->ctx.msg, "Olivia Martinez #29 <om@example.net>")
	    != NULL);
	CHECK(strstr(p->ctx.msg, "#30") == NULL);	/* archived */
	for (i = 0; i < 15; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO clients (id, name, "
		    "active, created) VALUES (%d, 'Many %02d', 1, 0)", 100 + i,
		    i);
		CHECK(practice_exec(p, sql) == 0);
	}
	practice_reset(p, PRACTICE_NOW);
	CHECK(lookup_ref(&p->ctx, KIND_CLIENT, "many", &id) == -1);
	d = p->ctx.details;
	CHECK(json_array_size(json_object_get(d, "candidates")) ==
	    LOOKUP_MAX_CANDIDATES);
	CHECK(json_integer_value(json_object_get(d, "total")) == 15);
	CHECK(strstr(p->ctx.msg, "matches 15 clients") != NULL);
	CHECK(strstr(p->ctx.msg, "Many 11 #111, and 3 more") != NULL);
	CHECK(practice_exec(p, "DELETE FROM clients WHERE id >= 100") == 0);
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

/* The table of facts a job remembers (facts.c), and lookups through it. */
static void
test_lookup_facts(struct practice *p)
{
	struct facts	*t;
	struct fact	 f, got;
	long long	 i;
	int		 all = 1;

	CHECK(facts_get(NULL, FACT_CLINICIAN_ZONE, 1, &got) == 0);
	facts_put(NULL, FACT_CLINICIAN_ZONE, 1, &f);	/* nothing, no crash */
	if ((t = facts_new()) == NULL) {
		CHECK(!"a table of facts");
		return;
	}
	memset(&f, 0, sizeof(f));
	f.a = 50;
	f.b = 10;
	facts_put(t, FACT_SERVICE_LENGTH, 7, &f);
	snprintf(f.text, sizeof(f.text), "Europe/Lisbon");
	facts_put(t, FACT_CLINICIAN_ZONE, 7, &f);
	CHECK(facts_get(t, FACT_SERVICE_LENGTH, 7, &got) == 1 &&
	    got.a == 50 && got.b == 10 && got.text[0] == '\0');
	CHECK(facts_get(t, FACT_CLINICIAN_ZONE, 7, &got) == 1 &&
	    strcmp(got.text, "Europe/Lisbon") == 0);
	CHECK(facts_get(t, FACT_ACTIVE_CLIENT, 7, &got) == 0);
	/* Far more than it holds: it starts again, and still answers. */
	memset(&f, 0, sizeof(f));
	for (i = 1; i <= 5000; i++) {
		f.a = i;
		facts_put(t, FACT_ACTIVE_CLIENT, i, &f);
		if (facts_get(t, FACT_ACTIVE_CLIENT, i, &got) != 1 ||
		    got.a != i)
			all = 0;
	}
	CHECK(all);
	facts_clear(t);
	CHECK(facts_get(t, FACT_ACTIVE_CLIENT, 5000, &got) == 0);

	/* A lookup remembers what it found active, never what it refused;
	 * the job that holds the table answers for it until it clears it. */
	practice_reset(p, PRACTICE_NOW);
	p->ctx.facts = t;
	CHECK(lookup_require_active(&p->ctx, KIND_ROOM, ROOM1) == 0);
	CHECK(facts_get(t, FACT_ACTIVE_ROOM, ROOM1, &got) == 1);
	CHECK(lookup_require_active(&p->ctx, KIND_ROOM, OLD_ROOM) == -1);
	CHECK(facts_get(t, FACT_ACTIVE_ROOM, OLD_ROOM, &got) == 0);
	practice_reset(p, PRACTICE_NOW);
	p->ctx.facts = t;
	CHECK(practice_exec(p, "UPDATE rooms SET active = 0 WHERE id = 1") == 0);
	CHECK(lookup_require_active(&p->ctx, KIND_ROOM, ROOM1) == 0);
	facts_clear(t);
	CHECK(lookup_require_active(&p->ctx, KIND_ROOM, ROOM1) == -1 &&
	    p->ctx.err == PROTO_ESTATE);
	CHECK(practice_exec(p, "UPDATE rooms SET active = 1 WHERE id = 1") == 0);
	p->ctx.facts = NULL;
	facts_free(t);
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
	test_lookup_fold();
	test_lookup_refs(&p);
	test_lookup_candidates(&p);
	test_lookup_long(&p);
	test_lookup_kinds(&p);
	test_lookup_facts(&p);
	practice_close(&p);
}
