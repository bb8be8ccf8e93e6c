/*
 * GET /v1/slots: when a clinician could see someone for a service.
 * Working hours (in the clinician's zone) minus everything that takes
 * the time: their sessions with buffers, closures, and the room's
 * sessions when a room is asked for.  One query a kind, then arithmetic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "hours.h"
#include "lookup.h"
#include "practiced.h"
#include "schedule.h"
#include "tz.h"

#define SLOTS_MAX_DAYS	62
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
    " ORDER BY 1";
static const char *slot_clinician_sql =
    "SELECT name, zone FROM clinicians WHERE id = ?1";
static const char *slot_service_sql =
    "SELECT name, minutes, buffer FROM services WHERE id = ?1";

struct interval {
	time_t	 start, end;
};

struct slots_ctx {
	struct api_req	*req;
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

	if ((stmt = db_stmt(c->req->ctx.pd->db, busy_sql)) == NULL)
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
	    "start", api_instant(t), "local_start", api_local(c->req, t),
	    "local_end", api_local(c->req, t + c->minutes * 60)));
}

static void
slots_span(struct slots_ctx *c, time_t span_start, time_t span_end)
{
	time_t	 t = span_start, session = c->minutes * 60;
	time_t	 block = session + c->buffer * 60, blocked, now = c->req->ctx.now;

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
slots_params(struct api_req *req, struct slots_ctx *c, long long *service,
    struct tz_wall *from, long long *days)
{
	const char	*v;
	char		 err[160], why[40];
	long long	 step;

	if ((v = api_query(req, "clinician")) == NULL ||
	    lookup_ref(&req->ctx, KIND_CLINICIAN, v, &c->clinician_id) == -1) {
		if (v == NULL)
			api_error(req, PROTO_EBADREQUEST, "slots needs a "
			    "clinician");
		return -1;
	}
	if ((v = api_query(req, "service")) == NULL ||
	    lookup_ref(&req->ctx, KIND_SERVICE, v, service) == -1) {
		if (v == NULL)
			api_error(req, PROTO_EBADREQUEST, "slots needs a "
			    "service");
		return -1;
	}
	if ((v = api_query(req, "room")) != NULL &&
	    lookup_ref(&req->ctx, KIND_ROOM, v, &c->room_id) == -1)
		return -1;
	*days = 14;
	step = c->step;
	snprintf(why, sizeof(why), "days must be 1 to %d", SLOTS_MAX_DAYS);
	/* Checked whole, then narrowed: 4294967301 is no 5. */
	if (api_query_int(req, "days", 1, SLOTS_MAX_DAYS, days, why) == -1 ||
	    api_query_int(req, "step", 5, 240, &step,
	    "step must be 5 to 240 minutes") == -1)
		return -1;
	c->step = (int)step;
	v = api_query(req, "from");
	if (tz_parse_date(v ? v : "today", c->zone, req->ctx.now, from, err,
	    sizeof(err)) == -1) {
		api_error(req, PROTO_EBADREQUEST, "from: %s", err);
		return -1;
	}
	return 0;
}

static int
slots_people(struct api_req *req, struct slots_ctx *c, long long service,
    json_t **who, json_t **what)
{
	sqlite3_stmt	*stmt;

	*who = *what = NULL;
	if ((stmt = db_stmt(req->ctx.pd->db, slot_clinician_sql)) == NULL)
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
	if ((stmt = db_stmt(req->ctx.pd->db, slot_service_sql)) == NULL)
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
	if ((stmt = db_stmt(c->req->ctx.pd->db,
	    "SELECT name FROM rooms WHERE id = ?1")) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, c->room_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		room = json_pack("{s:I,s:s}", "id", (json_int_t)c->room_id,
		    "name", db_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return room;
}

void
api_slots(struct api_req *req)
{
	struct slots_ctx	 c;
	struct tz_wall		 from, day, last;
	json_t			*who = NULL, *what = NULL;
	long long		 service = 0, days, i;
	char			 f[TZ_BUFLEN], t[TZ_BUFLEN];

	memset(&c, 0, sizeof(c));
	c.req = req;
	/* The zone is known once the clinician is: look them up first. */
	snprintf(c.zone, sizeof(c.zone), "%s", req->ctx.tz);
	if (slots_params(req, &c, &service, &from, &days) == -1)
		return;
	if (slots_people(req, &c, service, &who, &what) == -1 ||
	    (c.slots = json_array()) == NULL)
		goto fail;
	if (api_query(req, "tz") == NULL) {
		snprintf(req->ctx.tz_buf, sizeof(req->ctx.tz_buf), "%s", c.zone);
		req->ctx.tz = req->ctx.tz_buf;
	}
	if (api_query(req, "from") == NULL)
		tz_parse_date("today", c.zone, req->ctx.now, &from, f, sizeof(f));
	last = from;
	tz_add_days(&last, (int)days);
	if (schedule_hours(&req->ctx, c.clinician_id, 1, c.hours, &c.nhours) == -1 ||
	    slots_load_busy(&c, tz_day_start(c.zone, from.year, from.month,
	    from.day), tz_day_start(c.zone, last.year, last.month, last.day) +
	    86400) == -1)
		goto fail;
	for (i = 0, day = from; i < days; i++, tz_add_days(&day, 1))
		slots_day(&c, &day);
	tz_add_days(&last, -1);
	tz_format_date(&from, f);
	tz_format_date(&last, t);
	api_reply(req, 200, json_pack("{s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:o}",
	    "clinician", who, "service", what, "room", slots_room(&c),
	    "zone", c.zone, "tz", req->ctx.tz, "from", f, "to", t,
	    "slots", c.slots));
	free(c.busy);
	return;
fail:
	json_decref(who);
	json_decref(what);
	json_decref(c.slots);
	free(c.busy);
	api_internal(req);
}
