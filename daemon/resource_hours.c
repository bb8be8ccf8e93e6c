/*
 * A clinician's working hours: the one part of a resource that is more
 * than a column, read with hours.c and schedule.c and stored here.
 */
#include <jansson.h>

#include "audit.h"
#include "ctx.h"
#include "db.h"
#include "hours.h"
#include "practiced.h"
#include "resource.h"
#include "schedule.h"

static const char *hours_delete_sql =
    "DELETE FROM working_hours WHERE clinician_id = ?1";
static const char *hours_insert_sql =
    "INSERT INTO working_hours (clinician_id, weekday, start_min, end_min)"
    "  VALUES (?1, ?2, ?3, ?4)";

static int
res_hours_store(struct ctx *ctx, long long id, const struct hours_range *r,
    size_t n)
{
	sqlite3_stmt	*stmt;
	size_t		 i;

	if ((stmt = db_stmt(ctx->pd->db, hours_delete_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((stmt = db_stmt(ctx->pd->db, hours_insert_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int(stmt, 2, r[i].wday);
		sqlite3_bind_int(stmt, 3, r[i].start);
		sqlite3_bind_int(stmt, 4, r[i].end);
		if (db_exec_stmt(ctx->pd->db, stmt) == -1)
			return -1;
	}
	return 0;
}

int
res_hours_set(struct ctx *ctx, long long id, const char *spec,
    json_t **affected)
{
	struct hours_range	 r[HOURS_MAX];
	char			 err[160];
	size_t			 n;
	json_t			*list;

	if (affected != NULL)
		*affected = NULL;
	if (hours_parse(spec, r, &n, err, sizeof(err)) == -1)
		return ctx_error(ctx, PROTO_EBADREQUEST, "hours: %s", err);
	if (res_hours_store(ctx, id, r, n) == -1)
		return ctx_internal(ctx);
	/* The change stands; the sessions it leaves outside are named. */
	if ((list = res_guard_sessions(ctx, KIND_CLINICIAN, id, 1)) == NULL)
		return -1;
	if ((json_array_size(list) == 0 ? audit_record(ctx, "clinician.hours",
	    "clinician", id, "%s", n == 0 ? "cleared" : spec) :
	    audit_record(ctx, "clinician.hours", "clinician", id, "%s; %zu "
	    "booked sessions ahead outside them", n == 0 ? "cleared" : spec,
	    json_array_size(list))) == -1) {
		json_decref(list);
		return -1;
	}
	if (affected != NULL)
		*affected = list;
	else
		json_decref(list);
	return 0;
}

/* The show hook of clinicians: their hours as [{day, start, end}]. */
int
res_hours_show(struct ctx *ctx, long long id, json_t *obj)
{
	struct hours_range	 r[HOURS_MAX];
	json_t			*hours;
	size_t			 n;

	if (schedule_hours(ctx, id, 0, r, &n) == -1 ||
	    (hours = schedule_hours_json(r, n, -1)) == NULL ||
	    json_object_set_new(obj, "hours", hours) == -1)
		return ctx_internal(ctx);
	return 0;
}
