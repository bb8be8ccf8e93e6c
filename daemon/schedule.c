/*
 * Two appointments of one clinician, room or client never overlap
 * unless the staff says so; the buffer after a session belongs to it.
 * Working hours are wall times in the clinician's own zone.
 */
#include <stdio.h>
#include <string.h>

#include "closure.h"
#include "ctx.h"
#include "out.h"
#include "db.h"
#include "hours.h"
#include "practiced.h"
#include "schedule.h"
#include "tz.h"

static const char *clash_sql =
    "SELECT a.id, a.start_utc, a.block_end_utc, c.name, 'clinician'"
    "  FROM appointments a JOIN clinicians c ON c.id = a.clinician_id"
    "  WHERE a.clinician_id = ?1 AND a.state != 'cancelled'"
    "    AND a.start_utc > ?2 - ?6 AND a.start_utc < ?3"
    "    AND a.block_end_utc > ?2 AND a.id != ?4"
    " UNION ALL "
    "SELECT a.id, a.start_utc, a.block_end_utc, r.name, 'room'"
    "  FROM appointments a JOIN rooms r ON r.id = a.room_id"
    "  WHERE a.room_id = ?5 AND a.clinician_id != ?1"
    "    AND a.state != 'cancelled'"
    "    AND a.start_utc > ?2 - ?6 AND a.start_utc < ?3"
    "    AND a.block_end_utc > ?2 AND a.id != ?4"
    " UNION ALL "
    "SELECT a.id, a.start_utc, a.end_utc, c.name, 'client'"
    "  FROM appointments a JOIN clients c ON c.id = a.client_id"
    "  WHERE a.client_id = ?7 AND a.clinician_id != ?1"
    "    AND a.state != 'cancelled'"
    "    AND a.start_utc > ?2 - ?6 AND a.start_utc < ?8"
    "    AND a.end_utc > ?2 AND a.id != ?4"
    " ORDER BY 2 LIMIT ?9";

json_t *
schedule_clashes(struct ctx *ctx, const struct slot_request *slot)
{
	sqlite3_stmt	*stmt;
	json_t		*clashes;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, clash_sql)) == NULL ||
	    (clashes = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, slot->clinician_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)slot->start);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)slot->block_end);
	sqlite3_bind_int64(stmt, 4, slot->id);
	sqlite3_bind_int64(stmt, 5, slot->room_id);	/* 0 matches none */
	sqlite3_bind_int64(stmt, 6, SCHEDULE_MAX_BLOCK);
	sqlite3_bind_int64(stmt, 7, slot->client_id);	/* 0 matches none */
	sqlite3_bind_int64(stmt, 8, (sqlite3_int64)slot->end);
	sqlite3_bind_int(stmt, 9, SCHEDULE_MAX_CLASHES);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		time_t	 start = (time_t)sqlite3_column_int64(stmt, 1);
		time_t	 block_end = (time_t)sqlite3_column_int64(stmt, 2);

		json_array_append_new(clashes, json_pack(
		    "{s:I,s:s,s:s,s:o,s:o,s:o,s:o}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "kind", db_column_text(stmt, 4),
		    "with", db_column_text(stmt, 3),
		    "start", out_instant(start),
		    "block_end", out_instant(block_end),
		    "local_start", out_local(ctx, start),
		    "local_block_end", out_local(ctx, block_end)));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(clashes);
		return NULL;
	}
	return clashes;
}

static const char *closure_sql =
    "SELECT id, reason, first_day, last_day, clinician_id FROM closures k"
    "  WHERE " CLOSURE_COVERS("?2", "?3", "?1") " ORDER BY start_utc";

json_t *
schedule_closures(struct ctx *ctx, const struct slot_request *slot)
{
	sqlite3_stmt	*stmt;
	json_t		*found;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, closure_sql)) == NULL ||
	    (found = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, slot->clinician_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)slot->start);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)slot->end);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(found, json_pack(
		    "{s:I,s:s,s:s,s:s,s:b}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "reason", db_column_text(stmt, 1),
		    "from", db_column_text(stmt, 2),
		    "to", db_column_text(stmt, 3),
		    "practice_wide",
		    sqlite3_column_type(stmt, 4) == SQLITE_NULL));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(found);
		return NULL;
	}
	return found;
}

void
schedule_clash_message(struct ctx *ctx, json_t *clashes, char *buf,
    size_t len)
{
	json_t		*first = json_array_get(clashes, 0);
	const char	*kind = json_string_value(json_object_get(first, "kind"));
	const char	*ls = json_string_value(json_object_get(first,
			    "local_start"));
	const char	*le = json_string_value(json_object_get(first,
			    "local_block_end"));
	size_t		 more = json_array_size(clashes) - 1;

	(void)ctx;
	/*
	 * --overlap lifts any clash, a room's too (two clinicians may share
	 * a room on purpose), but a room clash is nearly always a slip, so
	 * the refusal offers another room rather than the override.
	 */
	snprintf(buf, len, "clashes with appointment %lld (%s %s, %s to %s%s)"
	    "%s; %s", (long long)json_integer_value(json_object_get(first,
	    "id")), kind, json_string_value(json_object_get(first, "with")),
	    ls, strlen(le) > 11 && strncmp(ls, le, 10) == 0 ? le + 11 : le,
	    strcmp(kind, "client") == 0 ? "" : " including buffer",
	    more == 0 ? "" : more == 1 ? " and 1 more" : " and more",
	    strcmp(kind, "room") == 0 ? "choose another room or time" :
	    "use --overlap to book it anyway");
}

static const char *zone_sql =
    "SELECT zone, name FROM clinicians WHERE id = ?1";
static const char *hours_sql =
    "SELECT weekday, start_min, end_min FROM working_hours"
    "  WHERE clinician_id = ?1 ORDER BY weekday, start_min";

int
schedule_hours(struct ctx *ctx, long long clinician_id, int joined,
    struct hours_range *r, size_t *n)
{
	sqlite3_stmt	*stmt;
	int		 rc = SQLITE_DONE;

	*n = 0;
	if ((stmt = db_stmt(ctx->pd->db, hours_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, clinician_id);
	while (*n < HOURS_MAX && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r[*n].wday = sqlite3_column_int(stmt, 0);
		r[*n].start = sqlite3_column_int(stmt, 1);
		r[*n].end = sqlite3_column_int(stmt, 2);
		(*n)++;
	}
	if (*n == HOURS_MAX)
		rc = SQLITE_DONE;	/* hours_parse never stores more */
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return -1;
	if (joined)
		*n = hours_join(r, *n);
	return 0;
}

json_t *
schedule_hours_json(const struct hours_range *r, size_t n, int wday)
{
	json_t	*hours;
	char	 s[6], e[6];
	size_t	 i;

	if ((hours = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (wday >= 0 && r[i].wday != wday)
			continue;
		hours_format_min(r[i].start, s);
		hours_format_min(r[i].end, e);
		json_array_append_new(hours, json_pack("{s:s,s:s,s:s}",
		    "day", tz_day_name(r[i].wday), "start", s, "end", e));
	}
	return hours;
}

/*
 * Read in another zone than the clinician's, the session is also said in
 * theirs: 09:00 in New York is 06:00 for a clinician in Los Angeles.
 */
static void
schedule_hours_there(struct ctx *ctx, const char *zone,
    const struct slot_request *slot, char *buf, size_t len)
{
	char	 here[TZ_BUFLEN], there[TZ_BUFLEN];

	buf[0] = '\0';
	if (strcmp(zone, ctx->tz) == 0)
		return;
	tz_format_local(ctx->tz, slot->start, here);
	tz_format_local(zone, slot->start, there);
	snprintf(buf, len, "%s %s is %s in %s; ", here, ctx->tz, there, zone);
}

static void
schedule_hours_sentence(const char *there, const char *name,
    const char *zone, int wday, json_t *hours, char *why, size_t len)
{
	size_t	 i, off;
	int	 n;

	if (json_array_size(hours) == 0) {
		snprintf(why, len, "outside working hours: %s%s does not work "
		    "on %s (%s); use --force to book outside working hours",
		    there, name, tz_day_fullname(wday), zone);
		return;
	}
	n = snprintf(why, len, "outside working hours: %s%s works %s", there,
	    name, tz_day_fullname(wday));
	off = n > 0 && (size_t)n < len ? (size_t)n : len - 1;
	for (i = 0; i < json_array_size(hours) && off < len - 1; i++) {
		json_t	*h = json_array_get(hours, i);

		n = snprintf(why + off, len - off, "%s %s-%s",
		    i ? "," : "",
		    json_string_value(json_object_get(h, "start")),
		    json_string_value(json_object_get(h, "end")));
		if (n > 0)
			off += (size_t)n;
	}
	if (off < len - 1)
		snprintf(why + off, len - off, " (%s); use --force to book "
		    "outside working hours", zone);
}

int
schedule_within_hours(struct ctx *ctx, const struct slot_request *slot,
    char *why, size_t len, json_t **hours)
{
	sqlite3_stmt		*stmt;
	struct hours_range	 r[HOURS_MAX];
	struct tz_wall		 ws;
	char			 zone[72], name[208], there[200];
	size_t			 n;

	*hours = NULL;
	if ((stmt = db_stmt(ctx->pd->db, zone_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, slot->clinician_id);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return -1;
	}
	snprintf(zone, sizeof(zone), "%s", db_column_text(stmt, 0));
	snprintf(name, sizeof(name), "%s", db_column_text(stmt, 1));
	sqlite3_reset(stmt);

	tz_to_wall(zone, slot->start, &ws);
	if (schedule_hours(ctx, slot->clinician_id, 0, r, &n) == -1 ||
	    (*hours = schedule_hours_json(r, n, ws.wday)) == NULL)
		return -1;
	/* Touching ranges (09-12, 12-17) are one span. */
	n = hours_join(r, n);
	if (hours_cover(r, n, zone, slot->start, slot->end))
		return 1;
	schedule_hours_there(ctx, zone, slot, there, sizeof(there));
	schedule_hours_sentence(there, name, zone, ws.wday, *hours, why, len);
	return 0;
}
