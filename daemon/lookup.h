/* Finding clinicians, clients, services and rooms by id or by name. */
#ifndef PRACTICED_LOOKUP_H
#define PRACTICED_LOOKUP_H

#include <stddef.h>

#include <jansson.h>

struct ctx;

enum kind {
	KIND_CLINICIAN,
	KIND_CLIENT,
	KIND_SERVICE,
	KIND_ROOM
};

/* Candidates a refusal names at most. */
#define LOOKUP_MAX_CANDIDATES	12

/*
 * An id, or a prefix of the name or of any word in it (words split at
 * blanks, hyphens and apostrophes; case and Latin accents folded); an
 * exact name wins.  A name may end in " #ID" or " <EMAIL>" to pick one
 * of several of that name.  -1 with the error set (not found, ambiguous
 * with the candidates in details).
 */
int		 lookup_ref(struct ctx *, enum kind, const char *ref,
		    long long *id);
const char	*lookup_noun(enum kind);
/* A LIKE pattern for a prefix, wildcards escaped (ESCAPE '\\'). */
char		*lookup_like_prefix(const char *);
/* The LIKE pattern (ESCAPE '\\') that fold_name(name) fits when the
 * words of ref start words of the name, in order. */
char		*lookup_word_pattern(const char *ref);
/* Other records (not except_id) whose name folds to the same, as
 * [{id, name, email}]; NULL with the error set. */
json_t		*lookup_same_name(struct ctx *, enum kind,
		    const char *name, long long except_id);
/* A candidate {id, name, email} as "Olivia Martinez #17 <o@x.org>". */
void		 lookup_cand_text(json_t *cand, char *buf, size_t len);
/* Refuse (invalid_state) to book with an archived record. */
int		 lookup_require_active(struct ctx *, enum kind, long long id);
/* 0 if no other record of that kind has this name (any case); else
 * -1 with the error set (duplicate). */
int		 lookup_name_free(struct ctx *, enum kind,
		    const char *name, long long except_id);

#endif
