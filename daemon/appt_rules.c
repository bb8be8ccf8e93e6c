/*
 * The booking rules for one appointment: not in the past, not on a
 * closure or a busy block, inside working hours, clashing with
 * nothing; force and overlap lift them, and the appointment records
 * that they did.
 */
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "out.h"
#include "appt.h"
#include "busy.h"
#include "db.h"
#include "facts.h"
#include "lookup.h"
#include "practiced.h"
#include "schedule.h"
#include "tz.h"

static const char *clinician_zone_sql =
    "SELECT zone FROM clinicians WHERE id = ?1";
static const char *service_len_sql =
    "SELECT minutes, buffer FROM services WHERE id = ?1";

int
appt_clinician_zone(struct ctx *ctx, struct appt_plan *p)
{
	sqlite3_stmt	*stmt;
	struct fact	 f;
	int		 rc;

	p->zone = p->zone_buf;
	if (facts_get(ctx->facts, FACT_CLINICIAN_ZONE, p->slot.clinician_id,
	    &f)) {
		snprintf(p->zone_buf, sizeof(p->zone_buf), "%s", f.text);
		return 0;
	}
	if ((stmt = db_stmt(ctx->pd->db, clinician_zone_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, p->slot.clinician_id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		snprintf(p->zone_buf, sizeof(p->zone_buf), "%s",
		    db_column_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return -1;
	memset(&f, 0, sizeof(f));
	snprintf(f.text, sizeof(f.text), "%s", p->zone_buf);
	facts_put(ctx->facts, FACT_CLINICIAN_ZONE, p->slot.clinician_id, &f);
	return 0;
}

static void
appt_warn(struct appt_plan *p, const char *msg)
{
	if (p->warnings == NULL)
		p->warnings = json_array();
	json_array_append_new(p->warnings, json_string(msg));
}

static int
appt_check_past(struct ctx *ctx, struct appt_plan *p)
{
	char	 when[TZ_BUFLEN];

	if (p->slot.start >= ctx->now)
		return 0;
	tz_format_local(ctx->tz, p->slot.start, when);
	if (!p->force) {
		ctx_error(ctx, PROTO_EPAST, "%s (%s) is in the past; use "
		    "--force to record a past session", when, ctx->tz);
		return -1;
	}
	p->forced = 1;
	appt_warn(p, "in the past (forced)");
	return 0;
}

static int
appt_check_hours(struct ctx *ctx, struct appt_plan *p)
{
	char	 why[400];
	json_t	*hours;
	int	 inside;

	if ((inside = schedule_within_hours(ctx, &p->slot, why, sizeof(why),
	    &hours)) == -1) {
		ctx_internal(ctx);
		return -1;
	}
	if (inside) {
		json_decref(hours);
		return 0;
	}
	if (!p->force) {
		ctx_error_details(ctx, PROTO_EHOURS,
		    json_pack("{s:o}", "hours", hours), "%s", why);
		return -1;
	}
	json_decref(hours);
	p->forced = 1;
	appt_warn(p, "outside working hours (forced)");
	return 0;
}

static int
appt_check_clashes(struct ctx *ctx, struct appt_plan *p)
{
	json_t	*clashes;
	char	 msg[400];

	if ((clashes = schedule_clashes(ctx, &p->slot)) == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	if (json_array_size(clashes) == 0) {
		json_decref(clashes);
		return 0;
	}
	schedule_clash_message(ctx, clashes, msg, sizeof(msg));
	if (!p->overlap) {
		ctx_error_details(ctx, PROTO_ECONFLICT,
		    json_pack("{s:o}", "clashes", clashes), "%s", msg);
		return -1;
	}
	snprintf(msg, sizeof(msg), "overlaps appointment %lld (allowed)",
	    (long long)json_integer_value(json_object_get(
	    json_array_get(clashes, 0), "id")));
	json_decref(clashes);
	p->overlapped = 1;
	appt_warn(p, msg);
	return 0;
}

static int
appt_check_closures(struct ctx *ctx, struct appt_plan *p)
{
	json_t	*closures, *first;

	if ((closures = schedule_closures(ctx, &p->slot)) == NULL) {
		ctx_internal(ctx);
		return -1;
	}
	if (json_array_size(closures) == 0) {
		json_decref(closures);
		return 0;
	}
	first = json_array_get(closures, 0);
	if (!p->force) {
		ctx_error_details(ctx, PROTO_ECLOSED,
		    json_pack("{s:O}", "closures", closures),
		    "closed: %s (%s to %s, closure %lld); use --force to book "
		    "anyway", json_string_value(json_object_get(first,
		    "reason")), json_string_value(json_object_get(first,
		    "from")), json_string_value(json_object_get(first, "to")),
		    (long long)json_integer_value(json_object_get(first, "id")));
		json_decref(closures);
		return -1;
	}
	json_decref(closures);
	p->forced = 1;
	appt_warn(p, "on a closure (forced)");
	return 0;
}

/* A busy block of the clinician's (busy.c), lifted by force alone. */
static int
appt_check_busy(struct ctx *ctx, struct appt_plan *p)
{
	json_t	*blocks;
	char	 msg[400];

	if ((blocks = busy_overlapping(ctx, p->slot.clinician_id,
	    p->slot.start, p->slot.end)) == NULL)
		return -1;
	if (json_array_size(blocks) == 0) {
		json_decref(blocks);
		return 0;
	}
	if (!p->force) {
		busy_message(blocks, msg, sizeof(msg));
		ctx_error_details(ctx, PROTO_EBUSY,
		    json_pack("{s:o}", "busy", blocks), "%s", msg);
		return -1;
	}
	json_decref(blocks);
	p->forced = 1;
	appt_warn(p, "on a busy block (forced)");
	return 0;
}

int
appt_check(struct ctx *ctx, struct appt_plan *p)
{
	if (appt_clinician_zone(ctx, p) == -1) {
		ctx_internal(ctx);
		return -1;
	}
	if (lookup_require_active(ctx, KIND_CLINICIAN,
	    p->slot.clinician_id) == -1 ||
	    (p->slot.room_id != 0 &&
	    lookup_require_active(ctx, KIND_ROOM, p->slot.room_id) == -1))
		return -1;
	if (appt_check_past(ctx, p) == -1 ||
	    appt_check_closures(ctx, p) == -1 ||
	    appt_check_busy(ctx, p) == -1 ||
	    appt_check_hours(ctx, p) == -1 ||
	    appt_check_clashes(ctx, p) == -1)
		return -1;
	return 0;
}

int
appt_service_length(struct ctx *ctx, long long service_id,
    struct appt_plan *p)
{
	sqlite3_stmt	*stmt;
	struct fact	 f;
	int		 rc;

	if (!facts_get(ctx->facts, FACT_SERVICE_LENGTH, service_id, &f)) {
		if ((stmt = db_stmt(ctx->pd->db, service_len_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, service_id);
		memset(&f, 0, sizeof(f));
		if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			f.a = sqlite3_column_int(stmt, 0);
			f.b = sqlite3_column_int(stmt, 1);
		}
		sqlite3_reset(stmt);
		if (rc != SQLITE_ROW)
			return -1;
		facts_put(ctx->facts, FACT_SERVICE_LENGTH, service_id, &f);
	}
	p->slot.end = p->slot.start + 60 * f.a;
	p->slot.block_end = p->slot.end + 60 * f.b;
	return 0;
}

const char *
appt_flags_note(const struct appt_plan *p)
{
	if (p->forced && p->overlapped)
		return " (forced, overlap allowed)";
	if (p->forced)
		return " (forced)";
	if (p->overlapped)
		return " (overlap allowed)";
	return "";
}

