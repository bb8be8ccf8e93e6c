/*
 * A client's rights over what the practice holds about them: everything
 * about one client as JSON (privacy_export.c), and its erasure
 * (privacy_erase.c).  practiced.8 (PRIVACY) says what is kept and why.
 */
#ifndef PRACTICED_PRIVACY_H
#define PRACTICED_PRIVACY_H

#include <stddef.h>

#include <jansson.h>

struct ctx;
struct db;
struct practiced;

/*
 * Everything held about one client, table by table, each row with all
 * its columns (instants as UTC text), as records {"table", "row"}: at
 * most limit of them after the cursor (NULL: from the first; that page
 * is audited as the export), *more and next set when others follow.
 * NULL with the error set.
 */
struct appt_cursor;
#define PRIVACY_PAGE	500
json_t	*privacy_export(struct ctx *, long long client_id,
	    const struct appt_cursor *after, int limit,
	    struct appt_cursor *next, int *more);

/* What an erasure leaves to do once it has committed: the outbox
 * folder's files written for the client. */
struct privacy_after {
	long long	  id;		/* the client */
	char		**files;	/* names in the outbox folder */
	size_t		  nfiles;
	char		 *email;	/* the erased addresses, to find the */
	char		 *phone;	/* folder's test messages by */
};

/*
 * Inside the caller's transaction: the client's identity removed from
 * every table, what is kept (that sessions happened) anonymised.  Open
 * sessions ahead are refused as invalid_state (listed in details) unless
 * force, which cancels them without a notice.  *summary gets the counts
 * for the answer; after what privacy_erase_after does once committed.
 */
int	 privacy_erase(struct ctx *, long long client_id, int force,
	    json_t **summary, struct privacy_after *after);
/* Removes the files and folds the log into the database (no page of it
 * keeps the old rows); then frees after's contents.  The files removed. */
int	 privacy_erase_after(struct practiced *, struct privacy_after *);
void	 privacy_after_free(struct privacy_after *);

/*
 * The tables of the schema and the columns of clients privacy knows
 * about: NULL when it knows them all, else the first unknown one (a
 * static string), so that a new table or column must be placed on one
 * side or the other (a unit test asks).
 */
const char *privacy_unknown(struct db *, char *buf, size_t len);

/* "erased client 42": the name an erased client keeps. */
#define PRIVACY_ERASED_NAME	"erased client %lld"

#endif
