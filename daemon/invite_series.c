/*
 * A series read for the invitation of a notice of one of its sessions:
 * the export's VEVENTs of it in its client's view (ical_series.c), its
 * SEQUENCE, what the message's text says of each of its sessions, and
 * the series it split from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "db.h"
#include "ical_export.h"
#include "ical_int.h"
#include "invite.h"
#include "practiced.h"
#include "strbuf.h"

/*
 * A series' SEQUENCE.  Every notice of one of its sessions carries the
 * series whole, so each of its VEVENTs (the master, and each override:
 * UID and RECURRENCE-ID) must carry a SEQUENCE that never goes down and
 * grows whenever that VEVENT changes (RFC 5546 2.1.5).  The series'
 * version grows with each change of its rule, time, place, end, state,
 * and EXDATEs of skips and of sessions that left it (db.c); a session's
 * version with each move, cancel and restore, which change its override
 * or add or drop its EXDATE.  A session may leave its series (its
 * version then leaves a sum over the series) but never its client: the
 * series' version less one plus the revisions of all the client's
 * sessions grows with every change the client is told, and never goes
 * down.  Every VEVENT of the series takes it, so an override's is never
 * below its master's.  A series under the UID of the one it split from
 * adds that one's revisions (invite_series_origin).
 */
static const char *invite_series_sql =
    "SELECT x.version - 1 + (SELECT coalesce(sum(a.version - 1), 0)"
    "    FROM appointments a WHERE a.client_id = x.client_id),"
    "  x.state = 'cancelled' AND NOT EXISTS (SELECT 1 FROM appointments a"
    "    WHERE a.series_id = x.id AND a.state != 'cancelled'),"
    "  c.name = ?2, coalesce(r.name, x.video_url, '') = ?3, x.zone,"
    "  x.first_utc, coalesce(x.parent_id, 0),"
    "  EXISTS (SELECT 1 FROM appointments a WHERE a.series_id = x.id)"
    "  FROM series x JOIN clinicians c ON c.id = x.clinician_id"
    "  LEFT JOIN rooms r ON r.id = x.room_id WHERE x.id = ?1";
/* Where a message names it: a room's name, else the link (outbox.c). */
static const char *invite_sessions_sql =
    "SELECT a.recurrence_utc, c.name = ?2,"
    "  coalesce(r.name, a.video_url, '') = ?3"
    "  FROM appointments a JOIN clinicians c ON c.id = a.clinician_id"
    "  LEFT JOIN rooms r ON r.id = a.room_id"
    "  WHERE a.series_id = ?1 AND a.recurrence_utc IS NOT NULL";
static const char *invite_parent_sql =
    "SELECT x.version, coalesce(x.parent_id, 0),"
    "  EXISTS (SELECT 1 FROM appointments a WHERE a.series_id = x.id)"
    "  FROM series x WHERE x.id = ?1";
/* remind.c tells the same: cancelled as its series let it go. */
static const char *invite_appt_sql =
    "SELECT coalesce(series_id, 0), series_id IS NULL"
    "  AND state = 'cancelled'"
    "  AND cancel_reason = 'the series no longer has this session'"
    "  FROM appointments WHERE id = ?1";

static int
invite_series_row(struct practiced *pd, struct invite_series *s,
    const char *clinician, const char *place)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(pd->db, invite_series_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, s->id);
	db_bind_text(stmt, 2, clinician);
	db_bind_text(stmt, 3, place);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		s->sequence = sqlite3_column_int(stmt, 0);
		s->cancelled = sqlite3_column_int(stmt, 1);
		s->sessions[0].recurrence = 0;
		s->sessions[0].same_clinician = sqlite3_column_int(stmt, 2);
		s->sessions[0].same_place = sqlite3_column_int(stmt, 3);
		snprintf(s->zone, sizeof(s->zone), "%s",
		    db_column_text(stmt, 4));
		s->first = (time_t)sqlite3_column_int64(stmt, 5);
		s->parent_id = sqlite3_column_int64(stmt, 6);
		s->held = sqlite3_column_int(stmt, 7);
		s->nsessions = 1;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
invite_series_sessions(struct practiced *pd, struct invite_series *s,
    const char *clinician, const char *place)
{
	sqlite3_stmt		*stmt;
	struct invite_session	*grown;
	size_t			 cap = 1;
	int			 rc;

	if ((stmt = db_stmt(pd->db, invite_sessions_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, s->id);
	db_bind_text(stmt, 2, clinician);
	db_bind_text(stmt, 3, place);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (s->nsessions == cap) {
			cap *= 2;
			if ((grown = reallocarray(s->sessions, cap,
			    sizeof(*grown))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			s->sessions = grown;
		}
		s->sessions[s->nsessions].recurrence =
		    (time_t)sqlite3_column_int64(stmt, 0);
		s->sessions[s->nsessions].same_clinician =
		    sqlite3_column_int(stmt, 1);
		s->sessions[s->nsessions++].same_place =
		    sqlite3_column_int(stmt, 2);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The export's VEVENTs of the series, at busy detail: the export adds
 * no name, place or clinician of its own. */
static int
invite_series_text(struct practiced *pd, struct invite_series *s,
    const char *practice_uid, time_t now)
{
	struct export_query	 q;
	struct export		*x;
	struct ctx		 ctx;
	int			 rc;

	memset(&q, 0, sizeof(q));
	q.detail = EXPORT_BUSY;
	/* No window: none of the series' other sessions goes on its own. */
	q.from = q.to = 0;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	ctx_init_internal(&ctx, pd, now, "practiced");
	x->ctx = &ctx;
	x->q = &q;
	x->max = EXPORT_MAX_BYTES;
	snprintf(x->uid, sizeof(x->uid), "%s", practice_uid);
	rc = export_series_client(x, s->id);
	s->events = strbuf_finish(&x->events);
	free(x);
	ctx_clear(&ctx);
	return rc == 0 && s->events != NULL ? 0 : -1;
}

static int
invite_series_one(struct practiced *pd, struct invite_series *s,
    const char *practice_uid, const char *clinician, const char *place,
    time_t now)
{
	if ((s->sessions = calloc(1, sizeof(*s->sessions))) == NULL ||
	    invite_series_row(pd, s, clinician, place) == -1 ||
	    invite_series_sessions(pd, s, clinician, place) == -1 ||
	    invite_series_text(pd, s, practice_uid, now) == -1)
		return -1;
	return 0;
}

/*
 * Where series s came from: the series it split from that still has
 * sessions (0: none), told its new end with it.  One split from the
 * first session of another took all of it: the client's calendar holds
 * it under that one's UID, which it takes (and, above it, the same), its
 * SEQUENCE growing by that one's revisions, so as to stay above what
 * went under that UID before.  Bounded: a longer chain stops there.
 */
static long long
invite_series_origin(struct practiced *pd, struct invite_series *s,
    const char *practice_uid)
{
	sqlite3_stmt	*stmt;
	long long	 id = s->parent_id, up = 0;
	int		 rc, hops, held = 0, version = 1;

	for (hops = 0; id != 0 && hops < 16; hops++) {
		if ((stmt = db_stmt(pd->db, invite_parent_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			version = sqlite3_column_int(stmt, 0);
			up = sqlite3_column_int64(stmt, 1);
			held = sqlite3_column_int(stmt, 2);
		}
		sqlite3_reset(stmt);
		if (rc != SQLITE_ROW)
			return -1;
		if (held)
			return id;
		snprintf(s->uid, sizeof(s->uid), "s%lld-%s@practiced", id,
		    practice_uid);
		s->sequence += version - 1;
		id = up;
	}
	return 0;
}

int
invite_series_load(struct practiced *pd, long long appt_id,
    const char *practice_uid, const char *clinician, const char *place,
    time_t now, struct invite_series *s)
{
	sqlite3_stmt	*stmt;
	long long	 held;
	int		 rc, left = 0;

	memset(s, 0, sizeof(*s));
	if ((stmt = db_stmt(pd->db, invite_appt_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, appt_id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		s->id = sqlite3_column_int64(stmt, 0);
		left = sqlite3_column_int(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return -1;
	if (left)
		return 1;
	if (s->id == 0)
		return 0;
	if (invite_series_one(pd, s, practice_uid, clinician, place,
	    now) == -1 || (held = invite_series_origin(pd, s,
	    practice_uid)) == -1)
		goto fail;
	/* A CANCEL names one series. */
	if (held == 0 || s->cancelled)
		return 0;
	if ((s->parent = calloc(1, sizeof(*s->parent))) == NULL)
		goto fail;
	s->parent->id = held;
	if (invite_series_one(pd, s->parent, practice_uid, clinician, place,
	    now) == -1 || invite_series_origin(pd, s->parent,
	    practice_uid) == -1)
		goto fail;
	if (s->parent->cancelled) {
		invite_series_free(s->parent);
		free(s->parent);
		s->parent = NULL;
	}
	return 0;
fail:
	invite_series_free(s);
	return -1;
}

void
invite_series_free(struct invite_series *s)
{
	if (s->parent != NULL) {
		invite_series_free(s->parent);
		free(s->parent);
		s->parent = NULL;
	}
	free(s->events);
	free(s->sessions);
	s->events = NULL;
	s->sessions = NULL;
	s->nsessions = 0;
}
