/*
 * Free slots: when a clinician could see someone for a service.
 * Working hours (in the clinician's zone) minus everything that takes
 * the time: their sessions with buffers, closures, busy blocks, and
 * the room's sessions when a room is asked for.  One query a kind, then arithmetic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "busy.h"
#include "ctx.h"
#include "db.h"
#include "hours.h"
#include "out.h"
#include "practiced.h"
#include "schedule.h"
#include "slots.h"
#include "tz.h"

#define SLOTS_MAX	2000

static const char *busy_sql =
    "SELECT start_utc, block_end_utc FROM appointments"
    "  WHERE clinician_id = ?1 AND state != 'cancelled'"
    "    AND start_utc >= ?2 - ?4 AND start_utc < ?3"
    " UNION ALL "
    "SELECT start_utc, block_end_utc FROM appointments"
    "  WHERE room_id = ?5 AND state != 'cancelled'"
    "    AND start_utc >= ?2 - ?4 AND start_utc < ?3"
    " UNION ALL "
    "SELECT start_utc, end_utc FROM closures"
    "  WHERE (clinician_id IS NULL OR clinician_id = ?1)"
    "    AND end_utc > ?2 AND start_utc < ?3"
    " UNION ALL "
    "SELECT b.start_utc, b.end_utc FROM busy_blocks b"
    "  WHERE " BUSY_COVERS("?2", "?3", "?1")
    " ORDER BY 1";
static const char *slot_clinician_sql =
    "SELECT name, zone FROM clinicians WHERE id = ?1";
static const char *slot_service_sql =
    "SELECT name, minutes, buffer FROM services WHERE id = ?1";

struct interval {
	time_t	 start, end;
};

struct slots_ctx {
	struct ctx	*ctx;
	long long	 clinician_id, room_id;
	char		 zone[72];
	int		 minutes, buffer, step;
	struct interval	*busy;
	size_t		 nbusy;
	struct hours_range hours[HOURS_MAX];
	size_t		 nhours;
	json_t		*slots;
};

static int
slots_load_busy(struct slots_ctx *c, time_t from, time_t to)
{
	sqlite3_stmt	*stmt;
	struct interval	*grown;
	int		 rc;

	if ((stmt = db_stmt(c->ctx->pd->db, busy_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, c->clinician_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)to);
	sqlite3_bind_int64(stmt, 4, SCHEDULE_MAX_BLOCK);
	sqlite3_bind_int64(stmt, 5, c->room_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((c->nbusy & 63) == 0) {
			grown = reallocarray(c->busy, c->nbusy + 64,
			    sizeof(*grown));
			if (grown == NULL)
				break;
			c->busy = grown;
		}
		c->busy[c->nbusy].start = (time_t)sqlite3_column_int64(stmt, 0);
		c->busy[c->nbusy].end = (time_t)sqlite3_column_int64(stmt, 1);
		c->nbusy++;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The end of the first busy interval overlapping [t, end), or 0. */
static time_t
slots_blocked_until(const struct slots_ctx *c, time_t t, time_t end)
{
	size_t	 i;
	time_t	 until = 0;

	for (i = 0; i < c->nbusy && c->busy[i].start < end; i++)
		if (c->busy[i].end > t && c->busy[i].end > until)
			until = c->busy[i].end;
	return until;
}

static void
slots_emit(struct slots_ctx *c, time_t t)
{
	json_array_append_new(c->slots, json_pack("{s:o,s:o,s:o}",
	    "start", out_instant(t), "local_start", out_local(c->ctx, t),
	    "local_end", out_local(c->ctx, t + c->minutes * 60)));
}

static void
slots_span(struct slots_ctx *c, time_t span_start, time_t span_end)
{
	time_t	 t = span_start, session = c->minutes * 60;
	time_t	 block = session + c->buffer * 60, blocked, now = c->ctx->now;

	while (t + session <= span_end &&
	    json_array_size(c->slots) < SLOTS_MAX) {
		if (t < now) {
			/* Not in the past: the next step (or 5 minutes). */
			int	 g = c->step ? c->step * 60 : 300;

			t = span_start + (now - span_start + g - 1) / g * g;
			continue;
		}
		blocked = slots_blocked_until(c, t, t + block);
		if (c->step) {
			if (!blocked)
				slots_emit(c, t);
			t += c->step * 60;
		} else if (blocked)
			t = blocked;
		else {
			slots_emit(c, t);
			t += block;
		}
	}
}

static void
slots_day(struct slots_ctx *c, const struct tz_wall *day)
{
	struct tz_wall	 w = *day;
	time_t		 s, e;
	size_t		 i;

	for (i = 0; i < c->nhours; i++) {
		if (c->hours[i].wday != day->wday)
			continue;
		w.hour = c->hours[i].start / 60;
		w.minute = c->hours[i].start % 60;
		s = tz_from_wall_rfc(c->zone, &w);
		if (c->hours[i].end == 1440) {
			struct tz_wall	 next = *day;

			tz_add_days(&next, 1);
			e = tz_day_start(c->zone, next.year, next.month,
			    next.day);
		} else {
			w.hour = c->hours[i].end / 60;
			w.minute = c->hours[i].end % 60;
			e = tz_from_wall_rfc(c->zone, &w);
		}
		slots_span(c, s, e);
	}
}

static int
slots_people(struct ctx *ctx, struct slots_ctx *c, long long service,
    json_t **who, json_t **what)
{
	sqlite3_stmt	*stmt;

	*who = *what = NULL;
	if ((stmt = db_stmt(ctx->pd->db, slot_clinician_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, c->clinician_id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		snprintf(c->zone, sizeof(c->zone), "%s",
		    db_column_text(stmt, 1));
		*who = json_pack("{s:I,s:s}", "id",
		    (json_int_t)c->clinician_id, "name",
		    db_column_text(stmt, 0));
	}
	sqlite3_reset(stmt);
	if ((stmt = db_stmt(ctx->pd->db, slot_service_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, service);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		c->minutes = sqlite3_column_int(stmt, 1);
		c->buffer = sqlite3_column_int(stmt, 2);
		*what = json_pack("{s:I,s:s,s:i,s:i}", "id",
		    (json_int_t)service, "name", db_column_text(stmt, 0),
		    "minutes", c->minutes, "buffer", c->buffer);
	}
	sqlite3_reset(stmt);
	return *who != NULL && *what != NULL ? 0 : -1;
}

static json_t *
slots_room(struct slots_ctx *c)
{
	sqlite3_stmt	*stmt;
	json_t		*room = NULL;

	if (c->room_id == 0)
		return json_null();
	if ((stmt = db_stmt(c->ctx->pd->db,
	    "SELECT name FROM rooms WHERE id = ?1")) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, c->room_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		room = json_pack("{s:I,s:s}", "id", (json_int_t)c->room_id,
		    "name", db_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return room;
}

static int
slots_from(struct ctx *ctx, const struct slots_query *q, struct tz_wall *from)
{
	char	 err[160];

	/* A date given is the reader's; today is the clinician's. */
	if (q->from != NULL && tz_parse_date(q->from, ctx->tz, ctx->now,
	    from, err, sizeof(err)) == -1)
		return ctx_error(ctx, PROTO_EBADREQUEST, "from: %s", err);
	return 0;
}

json_t *
slots_find(struct ctx *ctx, const struct slots_query *q)
{
	struct slots_ctx	 c;
	struct tz_wall		 from, day, last;
	json_t			*who = NULL, *what = NULL;
	char			 f[TZ_BUFLEN], t[TZ_BUFLEN];
	int			 i;

	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.clinician_id = q->clinician_id;
	c.room_id = q->room_id;
	c.step = q->step;
	if (slots_from(ctx, q, &from) == -1)
		return NULL;
	if (slots_people(ctx, &c, q->service_id, &who, &what) == -1 ||
	    (c.slots = json_array()) == NULL)
		goto fail;
	if (q->in_their_zone)
		ctx_set_zone(ctx, c.zone);
	if (q->from == NULL)
		tz_parse_date("today", c.zone, ctx->now, &from, f, sizeof(f));
	last = from;
	tz_add_days(&last, q->days);
	if (schedule_hours(ctx, c.clinician_id, 1, c.hours, &c.nhours) == -1 ||
	    slots_load_busy(&c, tz_day_start(c.zone, from.year, from.month,
	    from.day), tz_day_start(c.zone, last.year, last.month, last.day) +
	    86400) == -1)
		goto fail;
	for (i = 0, day = from; i < q->days; i++, tz_add_days(&day, 1))
		slots_day(&c, &day);
	tz_add_days(&last, -1);
	tz_format_date(&from, f);
	tz_format_date(&last, t);
	free(c.busy);
	return json_pack("{s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:o}",
	    "clinician", who, "service", what, "room", slots_room(&c),
	    "zone", c.zone, "tz", ctx->tz, "from", f, "to", t,
	    "slots", c.slots);
fail:
	json_decref(who);
	json_decref(what);
	json_decref(c.slots);
	free(c.busy);
	ctx_internal(ctx);
	return NULL;
}
