/*
 * A client's story of attendance: the sessions as small rows, by client
 * and newest first, and the walk back through them that counts them and
 * finds the streak.  The history and each page of the report read one
 * client's at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "care.h"
#include "ctx.h"
#include "db.h"
#include "practiced.h"

#define STREAK_GAP	(10 * 86400)	/* weekly, with a little slack */

static const char *client_appts_sql =
    "SELECT " CARE_COLUMNS " FROM appointments"
    "  WHERE client_id = ?1 AND (?2 = 0 OR clinician_id = ?2)";

/*
 * Counting back from the latest past session: attended sessions no
 * more than STREAK_GAP apart; a no-show or the client's cancellation
 * ends it; the practice's cancellations and unmarked ones are passed.
 */
static void
care_step(struct care *k, const struct care_row *r, time_t now,
    time_t *prev, int *open)
{
	switch (r->state) {
	case CARE_ATTENDED:
		k->attended++;
		if (k->last_attended == 0)
			k->last_attended = r->start;
		if (*open && (*prev == 0 || *prev - r->start <= STREAK_GAP)) {
			k->streak++;
			*prev = r->start;
		} else
			*open = 0;
		break;
	case CARE_NO_SHOW:
		k->no_show++;
		*open = 0;
		break;
	case CARE_CANCELLED:
		k->cancelled++;
		k->late += r->late;
		k->by_practice += !r->mine;
		if (r->mine && r->start < now)
			*open = 0;
		break;
	default:
		if (r->start >= now) {
			k->upcoming++;
			k->next = r->start;	/* rows come newest first */
		}
		break;
	}
}

/* One client's rows, newest first: its story. */
void
care_walk(const struct care_row *r, size_t n, time_t now, struct care *k)
{
	time_t	 prev = 0;
	int	 open = 1, future = 0;
	size_t	 i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < n; i++) {
		/* Future sessions do not count toward the streak. */
		future = 0;
		care_step(k, &r[i], now, &prev, r[i].start < now ? &open :
		    &future);
	}
}

/* By client, then newest first (the latest id first on a tie). */
static int
care_row_cmp(const void *a, const void *b)
{
	const struct care_row	*x = a, *y = b;

	if (x->client != y->client)
		return x->client < y->client ? -1 : 1;
	if (x->start != y->start)
		return x->start > y->start ? -1 : 1;
	if (x->id != y->id)
		return x->id > y->id ? -1 : 1;
	return 0;
}

int
care_rows_add(struct care_rows *rows, sqlite3_stmt *stmt)
{
	struct care_row	*r, *v;
	size_t		 size;

	if (rows->n == rows->size) {
		size = rows->size == 0 ? 256 : rows->size * 2;
		if ((v = reallocarray(rows->v, size, sizeof(*v))) == NULL)
			return -1;
		rows->v = v;
		rows->size = size;
	}
	r = &rows->v[rows->n++];
	r->id = sqlite3_column_int64(stmt, 0);
	r->client = sqlite3_column_int64(stmt, 1);
	r->start = (time_t)sqlite3_column_int64(stmt, 2);
	r->state = (unsigned char)sqlite3_column_int(stmt, 3);
	r->mine = (unsigned char)sqlite3_column_int(stmt, 4);
	r->late = (unsigned char)sqlite3_column_int(stmt, 5);
	return 0;
}

int
care_read(struct ctx *ctx, long long client, long long clinician,
    struct care_rows *rows)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, client_appts_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, client);
	sqlite3_bind_int64(stmt, 2, clinician);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (care_rows_add(rows, stmt) == -1)
			break;
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE && rows->n > 0)
		qsort(rows->v, rows->n, sizeof(*rows->v), care_row_cmp);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
care_of(struct ctx *ctx, long long client, struct care *k)
{
	struct care_rows	 rows = { NULL, 0, 0 };
	int			 rc;

	if ((rc = care_read(ctx, client, 0, &rows)) == 0)
		care_walk(rows.v, rows.n, ctx->now, k);
	free(rows.v);
	return rc;
}
