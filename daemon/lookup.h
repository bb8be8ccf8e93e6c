/* Finding clinicians, clients, services and rooms by id or by name. */
#ifndef PRACTICED_LOOKUP_H
#define PRACTICED_LOOKUP_H

struct api_req;

enum kind {
	KIND_CLINICIAN,
	KIND_CLIENT,
	KIND_SERVICE,
	KIND_ROOM
};

/*
 * An id, or a case-insensitive prefix of the name or of a word in it;
 * an exact name wins.  -1 with the answer set (not found, ambiguous).
 */
int		 lookup_ref(struct api_req *, enum kind, const char *ref,
		    long long *id);
/* The same for a body field; 0 with *id = 0 when the field is absent. */
int		 lookup_field(struct api_req *, enum kind, const char *field,
		    int required, long long *id);
const char	*lookup_noun(enum kind);
/* A LIKE pattern for a prefix, wildcards escaped (ESCAPE '\\'). */
char		*lookup_like_prefix(const char *);
/* Refuse (invalid_state) to book with an archived record. */
int		 lookup_require_active(struct api_req *, enum kind, long long id);
/* 0 if no other record of that kind has this name (any case); else
 * -1 with the answer set (409 duplicate). */
int		 lookup_name_free(struct api_req *, enum kind,
		    const char *name, long long except_id);

#endif
