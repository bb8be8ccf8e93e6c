/*
 * Clinicians, clients, services and rooms: one engine adds, lists, shows
 * and edits (and so archives) them, driven by a table of each one's
 * fields.  Callers hand it plain values; it knows nothing of HTTP.
 */
#ifndef PRACTICED_RESOURCE_H
#define PRACTICED_RESOURCE_H

#include <jansson.h>

#include "lookup.h"

struct ctx;

enum res_kind {
	RES_TEXT,	/* a string, or null where RES_CLEAR allows it */
	RES_INT,	/* a whole number from .min to .max */
	RES_BOOL,
	RES_WORDS,	/* a set of .words, each a 0/1 column "COLUMN_WORD" */
	RES_CREATED,	/* the instant it was added; never given */
	RES_INITIALS,	/* shown only: the initials of the field .column */
	RES_CONSENT	/* given yes or no; kept as when and by whom, in
			   columns "COLUMN_at" and "COLUMN_by" */
};

/* What a RES_TEXT must be (check.h); each brings its own length limit. */
enum res_check {
	RES_PLAIN,	/* check_text, at most .max characters */
	RES_NAME,
	RES_EMAIL,
	RES_PHONE,
	RES_ZONE,
	RES_URL
};

/* Who may set a field, and what the engine does with it. */
#define RES_ADD		0x01	/* may be given when adding */
#define RES_EDIT	0x02	/* may be given when editing */
#define RES_REQUIRED	0x04	/* must be given when adding */
#define RES_CLEAR	0x08	/* may be given empty: stored as NULL */
#define RES_UNIQUE	0x10	/* a name no other record has, in any case */
#define RES_AUDIT	0x20	/* its value goes into the audit of an add */
#define RES_HIDDEN	0x40	/* stored, not shown */
#define RES_PRACTICE_ZONE 0x80	/* when not given: the practice's zone */

struct res_field {
	const char		*name;		/* JSON field */
	enum res_kind		 kind;
	int			 flags;
	enum res_check		 check;		/* RES_TEXT */
	long long		 min, max;	/* RES_INT; RES_PLAIN's length */
	long long		 def;		/* RES_INT, RES_BOOL, RES_WORDS */
	const char		*column;	/* when not the name */
	const char *const	*words;		/* RES_WORDS, NULL-terminated */
};

#define RES_MAXFIELDS	16

/* One value a field, in the order of the table. */
struct res_value {
	int		 given;
	const char	*text;		/* RES_TEXT; RES_CONSENT: by whom */
	long long	 num;		/* RES_INT, RES_BOOL, RES_CREATED;
					   RES_WORDS: bit i for words[i];
					   RES_CONSENT: given 0/1, kept as
					   when (0: none) */
};

struct res_type {
	const char		*noun;		/* "clinician" */
	const char		*plural;	/* "clinicians" */
	const char		*table;
	enum kind		 kind;		/* for lookup_ref */
	const struct res_field	*fields;	/* ends with a NULL name */

	/* Rules across fields, on the values to be stored. */
	int	(*check)(struct ctx *, const struct res_type *,
		    const struct res_value *);
	/* What a record shows that is no column of its own. */
	int	(*show)(struct ctx *, long long id, json_t *obj);
	/* What follows an edit stored, in its transaction (NULL: none). */
	int	(*edited)(struct ctx *, long long id);
	/* Warnings about values stored (strings appended; NULL: none). */
	int	(*warn)(struct ctx *, const struct res_type *,
		    const struct res_value *, json_t *warnings);
};

extern const struct res_type res_clinician;
extern const struct res_type res_client;
extern const struct res_type res_service;
extern const struct res_type res_room;

/* What a change tells besides the record; free with res_outcome_free. */
struct res_outcome {
	json_t	*warnings;	/* strings: other records of the name */
	json_t	*affected;	/* booked sessions ahead the change strands,
				   as appointments; NULL where none can */
};

void	 res_outcome_free(struct res_outcome *);

/*
 * Each runs inside the caller's transaction and returns -1 with the
 * context's error set, having written nothing the caller must keep.
 * in[] holds a value for each field of the table; only given ones count.
 * out (or NULL) gets what the answer should tell.  Archiving a clinician
 * or room with booked sessions ahead is refused (invalid_state, the
 * sessions in details.affected) unless force.
 */
int	 res_add(struct ctx *, const struct res_type *,
	    const struct res_value *in, long long *id, struct res_outcome *);
int	 res_edit(struct ctx *, const struct res_type *, long long id,
	    const struct res_value *in, int force, struct res_outcome *);
/* One record as JSON; NULL (error set) if none. */
json_t	*res_show(struct ctx *, const struct res_type *, long long id);
/* Active records, or all; prefix (or NULL) keeps names with a word
 * starting with it (case and accents folded).  NULL with the error set. */
json_t	*res_list(struct ctx *, const struct res_type *, int all,
	    const char *prefix);

/* The index of a field in the table, or -1. */
int	 res_field_index(const struct res_type *, const char *name);
/* The value of a field by name (for hooks); an empty one if none. */
const struct res_value *res_get(const struct res_type *,
	    const struct res_value *, const char *name);

/* A clinician's working hours (resource_hours.c): "" clears them;
 * *affected (or NULL) the booked sessions ahead now outside them. */
int	 res_hours_set(struct ctx *, long long clinician_id,
	    const char *spec, json_t **affected);

/* resource_guard.c: whether archiving t may strand sessions (clinicians,
 * rooms); the booked sessions ahead of a record (all, or those outside
 * its clinician's hours), NULL with the error set; and the archive check. */
int	 res_guarded(const struct res_type *);
json_t	*res_guard_sessions(struct ctx *, enum kind, long long id,
	    int outside_hours);
int	 res_guard_archive(struct ctx *, const struct res_type *, long long id,
	    const char *name, int force, json_t **affected);
int	 res_hours_show(struct ctx *, long long clinician_id, json_t *obj);

#endif
