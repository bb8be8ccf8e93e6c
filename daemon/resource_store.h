/*
 * How a resource's table of fields maps onto its SQLite table: the
 * statements, built once from the fields, and rows to values and back.
 * For the engine (resource*.c) only.
 */
#ifndef PRACTICED_RESOURCE_STORE_H
#define PRACTICED_RESOURCE_STORE_H

#include <stddef.h>

#include "resource.h"

struct ctx;

/* A record's values; in a list, texts last only until the next row. */
struct res_row {
	long long		 id;
	struct res_value	 v[RES_MAXFIELDS];
	char			*own[RES_MAXFIELDS];
};

/* Called for each row of a list; -1 stops it (error set). */
typedef int (*res_row_fn)(struct ctx *, const struct res_type *,
	    const struct res_row *, void *arg);

/* The statements are built and the table fits; -1 (error set) if not. */
int	 res_store_ready(struct ctx *, const struct res_type *);
/* One record, kept in row (free it even on failure); not_found if none. */
int	 res_store_load(struct ctx *, const struct res_type *, long long id,
	    struct res_row *);
void	 res_store_free(struct res_row *);
/* Active records (or all), whose folded name (fold.h) is LIKE
 * pattern (NULL: any), by name in any case. */
int	 res_store_list(struct ctx *, const struct res_type *, int all,
	    const char *pattern, res_row_fn, void *arg);
int	 res_store_insert(struct ctx *, const struct res_type *,
	    const struct res_value *, long long *id);
/* Every column but the creation time. */
int	 res_store_update(struct ctx *, const struct res_type *, long long id,
	    const struct res_value *);

/* Text built in a fixed buffer; over is set (and it stops) when full. */
struct res_buf {
	char	*p;
	size_t	 len, off;
	int	 over;
};

void	 res_buf_add(struct res_buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
