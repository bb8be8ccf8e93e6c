/*
 * The domain's rows as JSON for its callers: instants in UTC and in the
 * reader's zone, initials, and rows of a statement.
 */
#ifndef PRACTICED_OUT_H
#define PRACTICED_OUT_H

#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

struct ctx;

/*
 * One row by id (NULL if none), or every row of a bound statement as an
 * array (NULL on a database error).  Both reset stmt.
 */
typedef json_t *(*out_row_fn)(struct ctx *, sqlite3_stmt *);
json_t	*out_row_by_id(struct ctx *, const char *sql, long long id,
	    out_row_fn);
json_t	*out_rows(struct ctx *, sqlite3_stmt *, out_row_fn);

json_t	*out_instant(time_t);
json_t	*out_local(const struct ctx *, time_t);	/* in ctx->tz */
/* "Jordan Lee" -> "JL": what a calendar feed may show of a client. */
json_t	*out_initials(const char *name);

#endif
