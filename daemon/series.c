/*
 * Series and their occurrences.  Each occurrence is an appointment row
 * keyed by (series, RECURRENCE-ID), which a unique index guards, so
 * extending a series twice never books a session twice.  An occurrence
 * that cannot be booked (a clash, a closure) is never dropped silently:
 * it is refused, or skipped with its reason kept beside the series.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appt.h"
#include "audit.h"
#include "busy.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "out.h"
#include "practiced.h"
#include "schedule.h"
#include "series.h"

static const char *series_sql =
    "SELECT id, clinician_id, client_id, service_id, room_id, video_url,"
    "  rrule, zone, first_local, first_utc, minutes, buffer, until_utc,"
    "  until_date, state, parent_id, materialized_until, created, updated"
    "  FROM series WHERE id = ?1";
static const char *series_insert_sql =
    "INSERT INTO series (clinician_id, client_id, service_id, room_id,"
    "  video_url, rrule, zone, first_local, first_utc, minutes, buffer,"
    "  until_utc, until_date, state, parent_id, materialized_until,"
    "  created, updated) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
    "  ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)";
static const char *series_update_sql =
    "UPDATE series SET clinician_id = ?2, client_id = ?3, service_id = ?4,"
    "  room_id = ?5, video_url = ?6, rrule = ?7, zone = ?8,"
    "  first_local = ?9, first_utc = ?10, minutes = ?11, buffer = ?12,"
    "  until_utc = ?13, until_date = ?14, state = ?15, parent_id = ?16,"
    "  materialized_until = ?17, updated = ?18 WHERE id = ?1";
static const char *occ_exists_sql =
    "SELECT 1 FROM appointments WHERE series_id = ?1 AND recurrence_utc = ?2"
    " UNION ALL "
    "SELECT 1 FROM series_skips WHERE series_id = ?1 AND recurrence_utc = ?2";
static const char *skip_insert_sql =
    "INSERT OR REPLACE INTO series_skips (series_id, recurrence_utc, reason,"
    "  detail) VALUES (?1, ?2, ?3, ?4)";
static const char *series_next_sql =
    "SELECT id, start_utc FROM appointments WHERE series_id = ?1"
    "  AND start_utc >= ?2 AND state IN ('booked','confirmed')"
    "  ORDER BY start_utc LIMIT 1";
static const char *series_upcoming_sql =
    "SELECT count(*) FROM appointments WHERE series_id = ?1"
    "  AND start_utc >= ?2 AND state IN ('booked','confirmed')";
static const char *series_skips_sql =
    "SELECT recurrence_utc, reason, detail FROM series_skips"
    "  WHERE series_id = ?1 ORDER BY recurrence_utc";
static const char *series_names_sql =
    "SELECT c.name, cl.name, s.name, r.name FROM series x"
    "  JOIN clinicians c ON c.id = x.clinician_id"
    "  JOIN clients cl ON cl.id = x.client_id"
    "  JOIN services s ON s.id = x.service_id"
    "  LEFT JOIN rooms r ON r.id = x.room_id WHERE x.id = ?1";
static const char *skips_of_closure_sql =
    "SELECT series_id, recurrence_utc FROM series_skips"
    "  WHERE reason = 'closure' AND detail LIKE ?1 AND recurrence_utc >= ?2"
    "  ORDER BY series_id, recurrence_utc";
static const char *skip_delete_sql =
    "DELETE FROM series_skips WHERE series_id = ?1 AND recurrence_utc = ?2";
/*
 * A series' state as of now: cancelled as stored; else ended once it has
 * an end (a last day, set by the user or by a split, or a COUNT), holds
 * every session up to it, and has no booked or confirmed session left
 * that ends after now; else active.  A split series stays active until
 * its last session.  Each occurrence of a COUNT is held once, as a
 * session or as a skip (the unique keys of both say so).
 */
#define SERIES_STATE(now)						\
    "CASE WHEN x.state = 'cancelled' THEN 'cancelled'"			\
    " WHEN ((x.until_utc IS NOT NULL AND (x.materialized_until >="	\
    "   x.until_utc OR x.until_utc <= " now "))"			\
    "  OR (instr(x.rrule, 'COUNT=') > 0 AND"				\
    "   (SELECT count(*) FROM appointments a WHERE a.series_id = x.id) +"\
    "   (SELECT count(*) FROM series_skips k WHERE k.series_id = x.id)"	\
    "   >= CAST(substr(x.rrule, instr(x.rrule, 'COUNT=') + 6) AS INTEGER)))"\
    "  AND NOT EXISTS (SELECT 1 FROM appointments a"			\
    "   WHERE a.series_id = x.id AND a.state IN ('booked','confirmed')"	\
    "   AND a.end_utc > " now ") THEN 'ended'"				\
    " ELSE 'active' END"
/* Its state, and the series a split continued it as (the latest split:
 * each splits what is left of it, earlier). */
static const char *series_now_sql =
    "SELECT " SERIES_STATE("?2") ","
    "  (SELECT max(n.id) FROM series n WHERE n.parent_id = x.id)"
    "  FROM series x WHERE x.id = ?1";
static const char *series_list_sql =
    "SELECT id FROM series x WHERE (?1 = 0 OR client_id = ?1)"
    "  AND (?2 = 0 OR clinician_id = ?2)"
    "  AND (?3 OR " SERIES_STATE("?4") " = 'active') AND id > ?5"
    "  ORDER BY id LIMIT ?6";
static const char *series_to_extend_sql =
    "SELECT id FROM series WHERE state = 'active'"
    "  AND materialized_until < ?1 AND id > ?2"
    "  AND (until_utc IS NULL OR materialized_until < until_utc)"
    "  ORDER BY id";

static int
wall_parse(const char *s, struct tz_wall *w)
{
	memset(w, 0, sizeof(*w));
	if (s == NULL || sscanf(s, "%d-%d-%d %d:%d", &w->year, &w->month,
	    &w->day, &w->hour, &w->minute) != 5)
		return -1;
	/* Recompute the weekday from the date. */
	tz_to_wall("UTC", tz_day_start("UTC", w->year, w->month, w->day), w);
	sscanf(s + 11, "%d:%d", &w->hour, &w->minute);
	return 0;
}

int
series_load(struct ctx *ctx, long long id, struct series_def *s)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	memset(s, 0, sizeof(*s));
	if ((stmt = db_stmt(ctx->pd->db, series_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		s->id = id;
		s->clinician_id = sqlite3_column_int64(stmt, 1);
		s->client_id = sqlite3_column_int64(stmt, 2);
		s->service_id = sqlite3_column_int64(stmt, 3);
		s->room_id = sqlite3_column_int64(stmt, 4);
		s->has_video = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
		snprintf(s->video, sizeof(s->video), "%s",
		    s->has_video ? db_column_text(stmt, 5) : "");
		snprintf(s->rrule, sizeof(s->rrule), "%s",
		    db_column_text(stmt, 6));
		snprintf(s->zone, sizeof(s->zone), "%s",
		    db_column_text(stmt, 7));
		rc = wall_parse(db_column_text(stmt, 8), &s->first) == 0 ?
		    SQLITE_ROW : SQLITE_ERROR;
		s->first_utc = (time_t)sqlite3_column_int64(stmt, 9);
		s->minutes = sqlite3_column_int(stmt, 10);
		s->buffer = sqlite3_column_int(stmt, 11);
		s->until_utc = (time_t)sqlite3_column_int64(stmt, 12);
		if (sqlite3_column_type(stmt, 13) != SQLITE_NULL)
			snprintf(s->until_date, sizeof(s->until_date), "%s",
			    db_column_text(stmt, 13));
		snprintf(s->state, sizeof(s->state), "%s",
		    db_column_text(stmt, 14));
		s->parent_id = sqlite3_column_int64(stmt, 15);
		s->materialized_until = (time_t)sqlite3_column_int64(stmt, 16);
		s->created = (time_t)sqlite3_column_int64(stmt, 17);
		s->updated = (time_t)sqlite3_column_int64(stmt, 18);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
series_store(struct ctx *ctx, struct series_def *s)
{
	sqlite3_stmt	*stmt;
	char		 first[TZ_BUFLEN];

	stmt = db_stmt(ctx->pd->db, s->id == 0 ? series_insert_sql :
	    series_update_sql);
	if (stmt == NULL)
		return -1;
	snprintf(first, sizeof(first), "%04d-%02d-%02d %02d:%02d",
	    s->first.year, s->first.month, s->first.day, s->first.hour,
	    s->first.minute);
	if (s->id != 0)
		sqlite3_bind_int64(stmt, 1, s->id);
	sqlite3_bind_int64(stmt, 2, s->clinician_id);
	sqlite3_bind_int64(stmt, 3, s->client_id);
	sqlite3_bind_int64(stmt, 4, s->service_id);
	if (s->room_id != 0)
		sqlite3_bind_int64(stmt, 5, s->room_id);
	db_bind_text(stmt, 6, s->has_video ? s->video : NULL);
	db_bind_text(stmt, 7, s->rrule);
	db_bind_text(stmt, 8, s->zone);
	db_bind_text(stmt, 9, first);
	sqlite3_bind_int64(stmt, 10, (sqlite3_int64)s->first_utc);
	sqlite3_bind_int(stmt, 11, s->minutes);
	sqlite3_bind_int(stmt, 12, s->buffer);
	if (s->until_utc != 0)
		sqlite3_bind_int64(stmt, 13, (sqlite3_int64)s->until_utc);
	db_bind_text(stmt, 14, s->until_date[0] ? s->until_date : NULL);
	db_bind_text(stmt, 15, s->state[0] ? s->state : "active");
	if (s->parent_id != 0)
		sqlite3_bind_int64(stmt, 16, s->parent_id);
	sqlite3_bind_int64(stmt, 17, (sqlite3_int64)s->materialized_until);
	sqlite3_bind_int64(stmt, 18, (sqlite3_int64)ctx->now);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return -1;
	if (s->id == 0)
		s->id = sqlite3_last_insert_rowid(db_handle(ctx->pd->db));
	return 0;
}

time_t
series_horizon(struct ctx *ctx)
{
	return ctx->now + (time_t)ctx->pd->conf->series_horizon_days * 86400;
}

/* JSON */

static json_t *
series_skipped_json(struct ctx *ctx, long long id)
{
	sqlite3_stmt	*stmt;
	json_t		*list;

	if ((stmt = db_stmt(ctx->pd->db, series_skips_sql)) == NULL ||
	    (list = json_array()) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		time_t	 t = (time_t)sqlite3_column_int64(stmt, 0);

		json_array_append_new(list, json_pack("{s:o,s:o,s:s,s:s?}",
		    "start", out_instant(t), "local_start", out_local(ctx, t),
		    "reason", db_column_text(stmt, 1),
		    "detail", db_column_text(stmt, 2)));
	}
	sqlite3_reset(stmt);
	return list;
}

static json_t *
series_next_json(struct ctx *ctx, long long id, long long *upcoming)
{
	sqlite3_stmt	*stmt;
	json_t		*next = json_null();

	*upcoming = 0;
	if ((stmt = db_stmt(ctx->pd->db, series_next_sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		next = json_pack("{s:I,s:o}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
		    "local_start", out_local(ctx,
		    (time_t)sqlite3_column_int64(stmt, 1)));
	sqlite3_reset(stmt);
	if ((stmt = db_stmt(ctx->pd->db, series_upcoming_sql)) == NULL) {
		json_decref(next);
		return NULL;
	}
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*upcoming = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return next;
}

/* The state as of now, and what a split continued the series as. */
static int
series_now(struct ctx *ctx, struct series_def *s, long long *continues)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	*continues = 0;
	if ((stmt = db_stmt(ctx->pd->db, series_now_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, s->id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		snprintf(s->state, sizeof(s->state), "%s",
		    db_column_text(stmt, 0));
		*continues = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
series_names(struct ctx *ctx, const struct series_def *s, json_t *obj)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, series_names_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, s->id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		json_object_set_new(obj, "clinician", json_pack("{s:I,s:s}",
		    "id", (json_int_t)s->clinician_id,
		    "name", db_column_text(stmt, 0)));
		json_object_set_new(obj, "client", json_pack("{s:I,s:s,s:o}",
		    "id", (json_int_t)s->client_id,
		    "name", db_column_text(stmt, 1),
		    "initials", out_initials(db_column_text(stmt, 1))));
		json_object_set_new(obj, "service", json_pack("{s:I,s:s}",
		    "id", (json_int_t)s->service_id,
		    "name", db_column_text(stmt, 2)));
		json_object_set_new(obj, "room", s->room_id == 0 ? json_null() :
		    json_pack("{s:I,s:s}", "id", (json_int_t)s->room_id,
		    "name", db_column_text(stmt, 3)));
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

json_t *
series_json(struct ctx *ctx, long long id)
{
	struct series_def	 s;
	json_t			*obj, *next, *skipped;
	char			 repeat[160], first[TZ_BUFLEN], at[8];
	long long		 upcoming, continues;

	if (series_load(ctx, id, &s) == -1 ||
	    series_now(ctx, &s, &continues) == -1)
		return NULL;
	recur_describe(s.rrule, &s.first, repeat, sizeof(repeat));
	snprintf(first, sizeof(first), "%04d-%02d-%02d %02d:%02d",
	    s.first.year, s.first.month, s.first.day, s.first.hour,
	    s.first.minute);
	snprintf(at, sizeof(at), "%02d:%02d", s.first.hour, s.first.minute);
	if ((next = series_next_json(ctx, id, &upcoming)) == NULL)
		return NULL;
	if ((skipped = series_skipped_json(ctx, id)) == NULL) {
		json_decref(next);
		return NULL;
	}
	obj = json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:i,s:i,s:s?,s:s,"
	    "s:s?,s:o,s:I,s:o,s:o}",
	    "id", (json_int_t)id,
	    "rrule", s.rrule,
	    "repeat", repeat,
	    "zone", s.zone,
	    "first_start", out_instant(s.first_utc),
	    "first_local", first,
	    "time", at,
	    "minutes", s.minutes,
	    "buffer", s.buffer,
	    "until", s.until_date[0] ? s.until_date : NULL,
	    "state", s.state,
	    "video_url", s.has_video ? s.video : NULL,
	    "next", next,
	    "upcoming", (json_int_t)upcoming,
	    "materialized_until", out_instant(s.materialized_until),
	    "skipped", skipped);
	if (obj == NULL)
		return NULL;
	{
		char	*c = strstr(s.rrule, "COUNT=");

		json_object_set_new(obj, "count", c != NULL ?
		    json_integer(atoi(c + 6)) : json_null());
	}
	json_object_set_new(obj, "parent", s.parent_id != 0 ?
	    json_integer(s.parent_id) : json_null());
	json_object_set_new(obj, "continues_as", continues != 0 ?
	    json_integer(continues) : json_null());
	json_object_set_new(obj, "created", out_instant(s.created));
	json_object_set_new(obj, "updated", out_instant(s.updated));
	if (series_names(ctx, &s, obj) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/*
 * The series with a page of its sessions, past and future, by start: a
 * daily series keeps growing, and its sessions are read like any list.
 */
json_t *
series_show(struct ctx *ctx, long long id, const struct appt_cursor *after,
    int limit, struct appt_cursor *next, int *more)
{
	struct appt_filter	 f;
	json_t			*obj, *appts;

	if ((obj = series_json(ctx, id)) == NULL)
		return NULL;
	memset(&f, 0, sizeof(f));
	f.from = APPT_EVER_FROM;
	f.to = APPT_EVER_TO;
	f.series_id = id;
	if ((appts = appt_list(ctx, &f, after, limit, next, more)) == NULL) {
		json_decref(obj);
		ctx_internal(ctx);
		return NULL;
	}
	json_object_set_new(obj, "appointments", appts);
	return obj;
}

/*
 * A page of the series list: at most limit series with ids above
 * after, by id; *more says whether others follow (then *next is the
 * page's last id).  A series costs a few statements, so the pages are
 * what keeps 2000 series from holding the loop.
 */
json_t *
series_list(struct ctx *ctx, const struct series_filter *f,
    long long after, int limit, long long *next, int *more)
{
	sqlite3_stmt	*stmt;
	json_t		*list, *obj;
	long long	 ids[SERIES_PAGE_MAX + 1];
	int		 n = 0, i;

	*more = 0;
	if (limit < 1 || limit > SERIES_PAGE_MAX ||
	    (stmt = db_stmt(ctx->pd->db, series_list_sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, f->client_id);
	sqlite3_bind_int64(stmt, 2, f->clinician_id);
	sqlite3_bind_int(stmt, 3, f->all);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)ctx->now);
	sqlite3_bind_int64(stmt, 5, after);
	sqlite3_bind_int(stmt, 6, limit + 1);
	while (n <= limit && sqlite3_step(stmt) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (n > limit) {
		*more = 1;
		n = limit;
	}
	if ((list = json_array()) == NULL)
		return NULL;
	/* Read whole first: series_json runs statements of its own. */
	for (i = 0; i < n; i++) {
		if ((obj = series_json(ctx, ids[i])) == NULL) {
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, obj);
		*next = ids[i];
	}
	return list;
}

/* Runs */

void
series_run_init(struct series_run *run, enum series_mode mode)
{
	memset(run, 0, sizeof(*run));
	run->mode = mode;
	run->skipped = json_array();
	run->problems = json_array();
}

void
series_run_clear(struct series_run *run)
{
	json_decref(run->skipped);
	json_decref(run->problems);
	run->skipped = run->problems = NULL;
}

static int
occ_exists(struct ctx *ctx, long long series_id, time_t rec)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, occ_exists_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, series_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)rec);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
occ_skip(struct ctx *ctx, struct series_def *s, struct series_run *run,
    time_t rec, const char *reason, const char *detail)
{
	sqlite3_stmt	*stmt;

	/* A session that cannot move keeps its old time: no EXDATE. */
	if (!run->moving) {
		if ((stmt = db_stmt(ctx->pd->db, skip_insert_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, s->id);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)rec);
		db_bind_text(stmt, 3, reason);
		db_bind_text(stmt, 4, detail);
		if (db_exec_stmt(ctx->pd->db, stmt) == -1)
			return -1;
	}
	json_array_append_new(run->skipped, json_pack("{s:o,s:o,s:s,s:s}",
	    "start", out_instant(rec), "local_start", out_local(ctx, rec),
	    "reason", reason, "detail", detail));
	return 0;
}

/*
 * What stands in the way of an occurrence: a closure, else a busy
 * block or a clash.
 * Under force a closure or a busy block does not (as for a single
 * booking), but the occurrence is then forced.
 */
static int
occ_obstacle(struct ctx *ctx, const struct slot_request *slot,
    int force, int *forced, char *kind, size_t klen, char *with,
    size_t wlen, long long *id)
{
	json_t	*found, *first;

	kind[0] = '\0';
	if ((found = schedule_closures(ctx, slot)) == NULL)
		return -1;
	if ((first = json_array_get(found, 0)) != NULL) {
		if (force)
			*forced = 1;
		else {
			snprintf(kind, klen, "closure");
			snprintf(with, wlen, "%s", json_string_value(
			    json_object_get(first, "reason")));
			*id = json_integer_value(json_object_get(first, "id"));
		}
	}
	json_decref(found);
	if (kind[0] != '\0')
		return 0;
	/* A busy block (busy.c) stands in the way as a clash does. */
	if ((found = busy_overlapping(ctx, slot->clinician_id, slot->start,
	    slot->end)) == NULL)
		return -1;
	if ((first = json_array_get(found, 0)) != NULL) {
		if (force)
			*forced = 1;
		else {
			snprintf(kind, klen, "busy");
			*id = json_integer_value(json_object_get(first, "id"));
			snprintf(with, wlen, "busy block %lld", *id);
		}
	}
	json_decref(found);
	if (kind[0] != '\0')
		return 0;
	if ((found = schedule_clashes(ctx, slot)) == NULL)
		return -1;
	if ((first = json_array_get(found, 0)) != NULL) {
		snprintf(kind, klen, "%s", json_string_value(json_object_get(
		    first, "kind")));
		*id = json_integer_value(json_object_get(first, "id"));
		snprintf(with, wlen, "appointment %lld", *id);
	}
	json_decref(found);
	return 0;
}

static int
occ_hours(struct ctx *ctx, const struct slot_request *slot,
    struct series_run *run, int *forced)
{
	char	 why[400];
	json_t	*hours;
	int	 inside;

	if (!run->check_hours || run->outside[0] != '\0')
		return 0;
	if ((inside = schedule_within_hours(ctx, slot, why, sizeof(why),
	    &hours)) == -1)
		return -1;
	json_decref(hours);
	if (!inside) {
		if (run->force)
			*forced = 1;
		else {
			char	 when[TZ_BUFLEN];

			tz_format_local(ctx->tz, slot->start, when);
			snprintf(run->outside, sizeof(run->outside),
			    "on %s, %s", when, why);
		}
	}
	return 0;
}

/*
 * Decide one occurrence: 0 to place it (flags set), 1 when it is
 * skipped or refused (recorded in the run), -1 on a database error.
 */
static int
occ_decide(struct ctx *ctx, struct series_def *s,
    const struct slot_request *slot, time_t rec, struct series_run *run,
    int *overlap, int *forced)
{
	char		 kind[16], with[240], detail[280];
	long long	 id = 0;

	*overlap = *forced = 0;
	if (run->check_hours && slot->start < ctx->now) {
		if (!run->force) {
			char	 when[TZ_BUFLEN];

			tz_format_local(ctx->tz, slot->start, when);
			snprintf(run->outside, sizeof(run->outside), "%s (%s) "
			    "is in the past; use --force", when, ctx->tz);
			run->past = 1;
			return 1;
		}
		*forced = 1;
	}
	if (occ_hours(ctx, slot, run, forced) == -1 ||
	    occ_obstacle(ctx, slot, run->force, forced, kind, sizeof(kind),
	    with, sizeof(with), &id) == -1)
		return -1;
	run->forced |= *forced;
	if (kind[0] == '\0')
		return 0;
	if (run->mode == SERIES_OVERLAP && strcmp(kind, "closure") != 0) {
		*overlap = 1;
		run->overlapped = 1;
		return 0;
	}
	if (run->mode == SERIES_REFUSE) {
		json_array_append_new(run->problems, json_pack(
		    "{s:o,s:o,s:s,s:s,s:I}", "start", out_instant(slot->start),
		    "local_start", out_local(ctx, slot->start), "kind", kind,
		    "with", with, "id", (json_int_t)id));
		return 1;
	}
	if (strcmp(kind, "closure") == 0)
		snprintf(detail, sizeof(detail), "closure %lld: %s", id, with);
	else
		snprintf(detail, sizeof(detail), "%s", with);
	if (occ_skip(ctx, s, run, rec, strcmp(kind, "closure") == 0 ?
	    "closure" : "clash", detail) == -1)
		return -1;
	return 1;
}

static void
occ_slot(const struct series_def *s, time_t start, long long appt_id,
    struct slot_request *slot)
{
	memset(slot, 0, sizeof(*slot));
	slot->id = appt_id;
	slot->clinician_id = s->clinician_id;
	slot->room_id = s->room_id;
	slot->client_id = s->client_id;
	slot->start = start;
	slot->end = start + s->minutes * 60;
	slot->block_end = slot->end + s->buffer * 60;
}

/* The row of an occurrence at slot, keyed by its RECURRENCE-ID. */
static void
occ_new(const struct series_def *s, const struct slot_request *slot,
    time_t rec, int forced, int overlap, struct appt_new *a)
{
	memset(a, 0, sizeof(*a));
	a->clinician_id = s->clinician_id;
	a->client_id = s->client_id;
	a->service_id = s->service_id;
	a->room_id = s->room_id;
	a->video = s->has_video ? s->video : NULL;
	a->start = slot->start;
	a->end = slot->end;
	a->block_end = slot->block_end;
	a->zone = s->zone;
	a->forced = forced;
	a->overlap = overlap;
	a->series_id = s->id;
	a->recurrence = rec;
}

struct materialize_ctx {
	struct ctx		*ctx;
	struct series_def	*s;
	struct series_run	*run;
	time_t			 from;
	int			 failed;
};

/* Book the occurrence at t unless it is taken: 0, or -1 on an error. */
static int
occ_book(struct ctx *ctx, struct series_def *s, time_t t,
    struct series_run *run)
{
	struct slot_request	 slot;
	struct appt_new		 a;
	long long		 id;
	int			 overlap, forced, rc;

	occ_slot(s, t, 0, &slot);
	if ((rc = occ_decide(ctx, s, &slot, t, run, &overlap, &forced)) != 0)
		return rc == 1 ? 0 : ctx_internal(ctx);
	occ_new(s, &slot, t, forced, overlap, &a);
	if (appt_insert(ctx, &a, &id) == -1)
		return -1;
	if (run->first_id == 0)
		run->first_id = id;
	run->booked++;
	return 0;
}

static int
materialize_one(void *arg, const struct tz_wall *w, time_t t)
{
	struct materialize_ctx	*mc = arg;
	struct series_def	*s = mc->s;
	int			 rc;

	(void)w;
	if (t < mc->from)
		return 0;
	if (s->until_utc != 0 && t >= s->until_utc)
		return 1;
	if ((rc = occ_exists(mc->ctx, s->id, t)) != 0)
		return rc == 1 ? 0 : (mc->failed = 1);
	if (occ_book(mc->ctx, s, t, mc->run) == -1)
		return (mc->failed = 1);
	return 0;
}

int
series_materialize(struct ctx *ctx, struct series_def *s, time_t to,
    struct series_run *run)
{
	struct materialize_ctx	 mc;

	if (to <= s->materialized_until)
		return 0;
	memset(&mc, 0, sizeof(mc));
	mc.ctx = ctx;
	mc.s = s;
	mc.run = run;
	mc.from = s->materialized_until;
	if (recur_expand(s->rrule, s->zone, &s->first, to, materialize_one,
	    &mc) == -1 || mc.failed)
		return -1;
	s->materialized_until = to;
	return series_store(ctx, s);
}

int
series_place(struct ctx *ctx, struct series_def *s, long long appt_id,
    time_t start, struct series_run *run)
{
	struct slot_request	 slot;
	struct appt_new		 a;
	int			 overlap, forced, rc;

	occ_slot(s, start, appt_id, &slot);
	if ((rc = occ_decide(ctx, s, &slot, start, run, &overlap,
	    &forced)) == -1)
		return ctx_internal(ctx);
	if (rc == 1) {
		if (run->mode == SERIES_REFUSE || run->past)
			return 0;	/* the caller rolls back */
		/*
		 * Its new time is taken: it stays where it was, booked, as
		 * an override of its place in the changed series.
		 */
		return appt_rekey(ctx, appt_id, s->id, start, 1);
	}
	occ_new(s, &slot, start, forced, overlap, &a);
	if (appt_move(ctx, appt_id, &a, 0) == -1)
		return -1;
	run->booked++;
	if (run->first_id == 0)
		run->first_id = appt_id;
	return 0;
}

/*
 * A closure is gone: the future occurrences it made series skip are
 * booked again where they are still free (skipped anew where not).
 */
int
series_closure_removed(struct ctx *ctx, long long closure_id,
    struct series_run *run)
{
	sqlite3_stmt		*stmt;
	struct series_def	 s;
	char			 pat[48];
	long long		 sid[512];
	time_t			 rec[512];
	size_t			 n = 0, i;

	snprintf(pat, sizeof(pat), "closure %lld:%%", closure_id);
	if ((stmt = db_stmt(ctx->pd->db, skips_of_closure_sql)) == NULL)
		return -1;
	db_bind_text(stmt, 1, pat);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	while (n < sizeof(sid) / sizeof(sid[0]) &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		sid[n] = sqlite3_column_int64(stmt, 0);
		rec[n++] = (time_t)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	for (i = 0; i < n; i++) {
		if ((stmt = db_stmt(ctx->pd->db, skip_delete_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, sid[i]);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)rec[i]);
		if (db_exec_stmt(ctx->pd->db, stmt) == -1 ||
		    series_load(ctx, sid[i], &s) == -1)
			return -1;
		if (strcmp(s.state, "active") == 0 &&
		    occ_book(ctx, &s, rec[i], run) == -1)
			return -1;
	}
	return 0;
}

int
series_refusal(struct ctx *ctx, struct series_run *run, int total)
{
	size_t		 n = json_array_size(run->problems), i, off;
	char		 msg[900];
	int		 only_closures = 1, w;

	if (run->outside[0] != '\0') {
		/* run->outside already says what to do about it. */
		ctx_error(ctx, run->past ? PROTO_EPAST : PROTO_EHOURS, "%s",
		    run->outside);
		return -1;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(
		    run->problems, i), "kind")), "closure") != 0)
			only_closures = 0;
	off = (size_t)snprintf(msg, sizeof(msg), "%zu of %d sessions %s: ", n,
	    total, only_closures ? (n == 1 ? "falls on a closure" :
	    "fall on closures") : n == 1 ? "clashes" : "clash");
	for (i = 0; i < n && i < 4 && off < sizeof(msg); i++) {
		json_t		*p = json_array_get(run->problems, i);
		const char	*kind = json_string_value(json_object_get(p,
				    "kind"));

		w = snprintf(msg + off, sizeof(msg) - off, "%s%s (%s%s%s)",
		    i ? ", " : "", json_string_value(json_object_get(p,
		    "local_start")), strcmp(kind, "closure") == 0 ?
		    "closure \"" : "", json_string_value(json_object_get(p,
		    "with")), strcmp(kind, "closure") == 0 ? "\"" : "");
		if (w > 0)
			off += (size_t)w;
	}
	ctx_error_details(ctx, only_closures ? PROTO_ECLOSED : PROTO_ECONFLICT,
	    json_pack("{s:O}", "clashes", run->problems),
	    "%s%s; use --skip to book the others, or %s", msg,
	    n > 4 ? ", ..." : "", only_closures ? "--force" : "--overlap");
	return -1;
}

/* The daemon's own extension of every series, as its own caller. */
static int
series_extend_one(struct ctx *ctx, long long id)
{
	struct series_def	 s;
	struct series_run	 run;
	int			 rc = -1;

	series_run_init(&run, SERIES_SKIP);
	if (series_load(ctx, id, &s) == 0 &&
	    series_materialize(ctx, &s, series_horizon(ctx), &run) == 0 &&
	    (run.booked == 0 && json_array_size(run.skipped) == 0 ?
	    0 : audit_record(ctx, "series.extend", "series", id,
	    "%d booked, %zu skipped", run.booked,
	    json_array_size(run.skipped))) == 0)
		rc = 0;
	series_run_clear(&run);
	return rc;
}

int
series_extend(struct ctx *ctx, long long *cursor, size_t max, size_t *n)
{
	struct db	*db = ctx->pd->db;
	sqlite3_stmt	*stmt;
	long long	 ids[128];
	size_t		 got, i, want;

	*n = 0;
	do {
		want = sizeof(ids) / sizeof(ids[0]);
		if (max != 0 && max - *n < want)
			want = max - *n;
		if ((stmt = db_stmt(db, series_to_extend_sql)) == NULL)
			return 0;
		sqlite3_bind_int64(stmt, 1, (sqlite3_int64)series_horizon(ctx));
		sqlite3_bind_int64(stmt, 2, *cursor);
		for (got = 0; got < want && sqlite3_step(stmt) == SQLITE_ROW;
		    got++)
			ids[got] = sqlite3_column_int64(stmt, 0);
		sqlite3_reset(stmt);
		for (i = 0; i < got; i++) {
			/* One transaction a series: one failure spoils none. */
			if (db_begin(db) == -1)
				return 1;
			if (series_extend_one(ctx, ids[i]) == -1) {
				log_warnx("series %lld: cannot extend", ids[i]);
				db_rollback(db);
			} else if (db_commit(db) == -1)
				log_warnx("series %lld: cannot commit", ids[i]);
			ctx_clear(ctx);
			*cursor = ids[i];
		}
		*n += got;
	} while (got == want && (max == 0 || *n < max));
	if (got == want)
		return 1;
	*cursor = 0;
	return 0;
}

/* Where the last turn stopped, for the next; 0 when none is under way. */
static long long	 extend_cursor;

#define EXTEND_SLICE_MS	50	/* a turn, then the loop serves others */
#define EXTEND_STEP	8	/* series between looks at the clock */

static long
extend_elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000);
}

int
series_extend_all(struct practiced *pd, int whole)
{
	struct ctx	 ctx;
	struct timespec	 t0;
	size_t		 n, total = 0;
	int		 more;

	/* The audit log names the daemon itself as the one who acts. */
	ctx_init_internal(&ctx, pd, time(NULL), "practiced");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		more = series_extend(&ctx, &extend_cursor, whole ? 0 :
		    EXTEND_STEP, &n);
		total += n;
	} while (more && extend_elapsed_ms(&t0) < EXTEND_SLICE_MS);
	if (total > 0)
		log_info("series: extended %zu to the horizon%s", total,
		    more ? ", more to come" : "");
	return more;
}
