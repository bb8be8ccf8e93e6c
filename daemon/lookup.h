/* Finding clinicians, clients, services and rooms by id or by name. */
#ifndef PRACTICED_LOOKUP_H
#define PRACTICED_LOOKUP_H

struct ctx;

enum kind {
	KIND_CLINICIAN,
	KIND_CLIENT,
	KIND_SERVICE,
	KIND_ROOM
};

/*
 * An id, or a case-insensitive prefix of the name or of a word in it;
 * an exact name wins.  -1 with the error set (not found, ambiguous).
 */
int		 lookup_ref(struct ctx *, enum kind, const char *ref,
		    long long *id);
const char	*lookup_noun(enum kind);
/* A LIKE pattern for a prefix, wildcards escaped (ESCAPE '\\'). */
char		*lookup_like_prefix(const char *);
/* Refuse (invalid_state) to book with an archived record. */
int		 lookup_require_active(struct ctx *, enum kind, long long id);
/* 0 if no other record of that kind has this name (any case); else
 * -1 with the error set (duplicate). */
int		 lookup_name_free(struct ctx *, enum kind,
		    const char *name, long long except_id);

#endif
