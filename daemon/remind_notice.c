/*
 * Notices: what a client is told when a session is booked, moved or
 * cancelled.  Each waits [reminders] notice_grace before it goes, and
 * keeps what the client had been told before it.  A change corrected at
 * once meets the notice still pending, and one notice goes from what the
 * client was told to what the session is now, or none when they are the
 * same (remind_notice_between).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctx.h"
#include "db.h"
#include "practiced.h"
#include "remind.h"
#include "remind_target.h"

/*
 * A session's own rows, by appointment_id: "+state" keeps the planner
 * off the state index, which it takes without statistics (a new
 * database) and which holds every pending row of the practice.
 */
static const char *notice_pending_sql =
    "SELECT notice, told_start, told_place FROM reminders"
    "  WHERE appointment_id = ?1 AND notice != 'reminder'"
    "    AND +state = 'pending' LIMIT 1";
static const char *notice_supersede_sql =
    "UPDATE reminders SET state = 'superseded', reason = ?2, updated = ?3"
    "  WHERE appointment_id = ?1 AND notice != 'reminder'"
    "    AND +state = 'pending'";
/* A series booked at once is confirmed once, by its first session ahead
 * (the writers book in order of time); sessions added later to a series
 * already confirmed are not confirmed again. */
static const char *notice_series_confirmed_sql =
    "SELECT EXISTS (SELECT 1 FROM appointments a JOIN reminders r"
    "  ON r.appointment_id = a.id WHERE a.series_id = ?1 AND a.id != ?2"
    "  AND r.notice = 'confirmation')";
/* The series' confirmation still to go, on another of its sessions: the
 * client knows nothing of this one yet, and that confirmation tells the
 * series as it is when it goes.  Read among the notices due within the
 * grace (?3), a few; not through the series' sessions ("+": a change of
 * a whole series asks for each). */
static const char *notice_series_waiting_sql =
    "SELECT EXISTS (SELECT 1 FROM reminders r JOIN appointments a"
    "  ON a.id = r.appointment_id WHERE r.state = 'pending'"
    "  AND r.due_utc <= ?3 AND r.notice = 'confirmation'"
    "  AND +a.series_id = ?1 AND a.id != ?2)";
/* The session to confirm a series by when its first one's confirmation
 * went with it (cancelled before it went): the next one still open, in
 * the order of the rule. */
static const char *notice_series_next_sql =
    "SELECT a.id FROM appointments a WHERE a.series_id = ?1"
    "  AND a.recurrence_utc > (SELECT recurrence_utc FROM appointments"
    "    WHERE id = ?2)"
    "  AND a.state IN ('booked','confirmed') AND a.start_utc > ?3"
    "  ORDER BY a.recurrence_utc LIMIT 1";
/* A waiting notice follows the client's address, or is skipped when its
 * channel is refused now (consent withdrawn). */
static const char *notice_readdress_sql =
    "UPDATE reminders SET recipient = ?3, updated = ?5,"
    "  state = CASE WHEN ?4 IS NULL THEN state ELSE 'skipped' END,"
    "  reason = coalesce(?4, reason)"
    "  WHERE appointment_id = ?1 AND channel = ?2"
    "    AND notice != 'reminder' AND +state = 'pending'";
static const char *notice_insert_sql =
    "INSERT INTO reminders (appointment_id, notice, channel, version,"
    "  due_utc, state, recipient, reason, created, updated, told_start,"
    "  told_place) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10,"
    "  ?11)";

/* A series changed at once is told by one notice a kind and channel,
 * its first session's: the others' are superseded, told_by it.  So is
 * a channel refused: one row says so, not one a session. */
static const char *notice_of_session_sql =
    "SELECT r.id, r.notice, r.channel, a.start_utc, r.state = 'skipped'"
    "  FROM reminders r JOIN appointments a ON a.id = r.appointment_id"
    "  WHERE r.appointment_id = ?1 AND r.notice != 'reminder'"
    "    AND r.state IN ('pending','skipped') AND r.updated = ?2";
static const char *notice_tell_with_sql =
    "UPDATE reminders SET state = 'superseded', told_by = ?2, reason = ?3,"
    "  updated = ?4 WHERE id = ?1";
/* A notice that told for others superseded in turn: theirs wait again
 * (and are joined again under the first of them).  Found by told_by,
 * not among every superseded row of the practice (a whole-series move
 * read them all once a session). */
static const char *notice_revive_sql =
    "UPDATE reminders SET state = 'pending', told_by = NULL, reason = NULL,"
    "  updated = ?2 WHERE +state = 'superseded' AND told_by IN (SELECT id"
    "  FROM reminders WHERE appointment_id = ?1 AND notice != 'reminder'"
    "  AND +state = 'pending') RETURNING appointment_id";

static const char *notice_names[] = { "reminder", "confirmation",
    "reschedule", "cancellation" };

enum notice
remind_notice_between(const struct remind_seen *told,
    const struct remind_seen *now)
{
	if (!told->booked)
		return now->booked ? NOTICE_CONFIRMATION : NOTICE_COUNT;
	if (!now->booked)
		return NOTICE_CANCELLATION;
	if (told->start != now->start || strcmp(told->place, now->place) != 0)
		return NOTICE_RESCHEDULE;
	return NOTICE_COUNT;
}

/* The notice pending for the appointment (NOTICE_COUNT: none) and what
 * the client had been told before it. */
static int
notice_pending(struct ctx *ctx, long long id, enum notice *pending,
    struct remind_seen *told)
{
	sqlite3_stmt	*stmt;
	const char	*word;
	int		 rc, i;

	*pending = NOTICE_COUNT;
	if ((stmt = db_stmt(ctx->pd->db, notice_pending_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW &&
	    (word = db_column_text(stmt, 0)) != NULL) {
		for (i = 0; i < NOTICE_COUNT; i++)
			if (strcmp(word, notice_names[i]) == 0)
				*pending = i;
		memset(told, 0, sizeof(*told));
		told->booked = sqlite3_column_type(stmt, 1) != SQLITE_NULL;
		told->start = (time_t)sqlite3_column_int64(stmt, 1);
		snprintf(told->place, sizeof(told->place), "%s",
		    db_column_text(stmt, 2) != NULL ?
		    db_column_text(stmt, 2) : "");
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ctx_internal(ctx);
}

static int
notice_supersede(struct ctx *ctx, long long id, const char *why)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, notice_supersede_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, why);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)ctx->now);
	return db_exec_stmt(ctx->pd->db, stmt) == -1 ? ctx_internal(ctx) : 0;
}

/* Whether one of the series' other sessions has the notice sql asks
 * for (?1 the series, ?2 this session, ?3 when given: the end of the
 * grace); -1 on an error. */
static int
notice_series_has(struct ctx *ctx, const char *sql,
    const struct remind_target *t)
{
	sqlite3_stmt	*stmt;
	int		 has = -1;

	if ((stmt = db_stmt(ctx->pd->db, sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, t->series_id);
	sqlite3_bind_int64(stmt, 2, t->id);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)(ctx->now +
		    ctx->pd->conf->reminders.grace_seconds));
	if (sqlite3_step(stmt) == SQLITE_ROW)
		has = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return has == -1 ? ctx_internal(ctx) : has;
}

static int
notice_insert(struct ctx *ctx, const struct remind_target *t,
    enum notice notice, enum channel ch, const struct remind_seen *told)
{
	sqlite3_stmt	*stmt;
	const char	*why = remind_channel_refusal(t, ch);

	if ((stmt = db_stmt(ctx->pd->db, notice_insert_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, t->id);
	db_bind_text(stmt, 2, notice_names[notice]);
	db_bind_text(stmt, 3, ch == CHANNEL_EMAIL ? "email" : "sms");
	sqlite3_bind_int(stmt, 4, t->version);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)(ctx->now +
	    ctx->pd->conf->reminders.grace_seconds));
	db_bind_text(stmt, 6, why == NULL ? "pending" : "skipped");
	db_bind_text(stmt, 7, t->address[ch]);
	db_bind_text(stmt, 8, why);
	sqlite3_bind_int64(stmt, 9, (sqlite3_int64)ctx->now);
	if (told->booked) {
		sqlite3_bind_int64(stmt, 10, (sqlite3_int64)told->start);
		db_bind_text(stmt, 11, told->place);
	}
	return db_exec_stmt(ctx->pd->db, stmt) == -1 ? ctx_internal(ctx) : 0;
}

/* Whether a notice may go at all: switched on, for a session still
 * ahead, and a change a person made here.  The daemon's own jobs
 * (ctx_init_internal) tell nobody: a series growing with time, the
 * demo's seeding, and an import, whose sessions the
 * client was told of by the system they come from (a practice moving
 * years of sessions in must not mail every client). */
static int
notice_wanted(const struct ctx *ctx, const struct remind_target *t)
{
	return ctx->pd->conf->reminders.notices && t->start > ctx->now &&
	    !ctx->internal;
}

static int
notice_readdress(struct ctx *ctx, const struct remind_target *t)
{
	sqlite3_stmt	*stmt;
	int		 ch;

	for (ch = 0; ch < CHANNEL_COUNT; ch++) {
		if ((stmt = db_stmt(ctx->pd->db, notice_readdress_sql)) == NULL)
			return ctx_internal(ctx);
		sqlite3_bind_int64(stmt, 1, t->id);
		db_bind_text(stmt, 2, ch == CHANNEL_EMAIL ? "email" : "sms");
		db_bind_text(stmt, 3, t->address[ch]);
		db_bind_text(stmt, 4, remind_channel_refusal(t, ch));
		sqlite3_bind_int64(stmt, 5, (sqlite3_int64)ctx->now);
		if (db_exec_stmt(ctx->pd->db, stmt) == -1)
			return ctx_internal(ctx);
	}
	return 0;
}

/* Whether the change may call for a notice: a mark of attendance tells
 * nobody (a session over drops what was pending), nor does a session
 * leaving its series unless that cancelled it. */
static int
notice_considered(const struct remind_target *t, enum remind_change change)
{
	switch (change) {
	case REMIND_MARKED:
		return !t->open;
	case REMIND_DETACHED:
		return t->detach_cancelled;
	case REMIND_CLIENT:
		return 0;
	default:
		return 1;
	}
}

/* The series' confirmation, which went with this session before it was
 * sent, handed to the next session of it still open. */
static int
notice_confirm_next(struct ctx *ctx, const struct remind_target *t)
{
	static const struct remind_seen	 nothing;
	struct remind_target		 next;
	sqlite3_stmt			*stmt;
	long long			 id = 0;
	int				 rc, ch;

	if ((stmt = db_stmt(ctx->pd->db, notice_series_next_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, t->series_id);
	sqlite3_bind_int64(stmt, 2, t->id);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)ctx->now);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ctx_internal(ctx);
	if (id == 0)
		return 0;
	if (remind_load(ctx, id, &next) == -1)
		return -1;
	if (!notice_wanted(ctx, &next))
		return 0;
	for (ch = 0; ch < CHANNEL_COUNT; ch++)
		if (next.wants[ch] && notice_insert(ctx, &next,
		    NOTICE_CONFIRMATION, ch, &nothing) == -1)
			return -1;
	return 0;
}

static int
notice_plan(struct ctx *ctx, const struct remind_target *t,
    enum remind_change change, const struct remind_seen *before)
{
	static const struct remind_seen	 nothing;
	struct remind_seen		 told;
	enum notice			 pending, next;
	int				 ch, done;

	told = before != NULL && change != REMIND_BOOKED ? *before : nothing;
	/* A session just booked has no notice waiting yet. */
	pending = NOTICE_COUNT;
	if (change != REMIND_BOOKED &&
	    notice_pending(ctx, t->id, &pending, &told) == -1)
		return -1;
	next = change == REMIND_MARKED ? NOTICE_COUNT :
	    remind_notice_between(&told, &t->seen);
	if (pending != NOTICE_COUNT && notice_supersede(ctx, t->id,
	    change == REMIND_MARKED ? "the session was marked before the "
	    "notice went" : next == NOTICE_COUNT ? "changed back within the "
	    "grace period: nothing to tell" : "changed again within the grace "
	    "period: one notice goes for what the session is now") == -1)
		return -1;
	if (pending == NOTICE_CONFIRMATION && next != NOTICE_CONFIRMATION &&
	    t->series_id != 0 && notice_confirm_next(ctx, t) == -1)
		return -1;
	if (next == NOTICE_COUNT || !notice_wanted(ctx, t))
		return 0;
	/* A session of a series with no notice of its own: one booked is
	 * not confirmed again, one changed says nothing while the series'
	 * confirmation waits.  Asked only for a notice that would go (the
	 * daemon's own jobs tell nobody anyway). */
	if (pending == NOTICE_COUNT && t->series_id != 0 &&
	    (done = notice_series_has(ctx, change == REMIND_BOOKED ?
	    notice_series_confirmed_sql : notice_series_waiting_sql, t)) != 0)
		return done == 1 ? 0 : -1;
	/* By the channels the client takes; a refused one is recorded. */
	for (ch = 0; ch < CHANNEL_COUNT; ch++)
		if (t->wants[ch] && notice_insert(ctx, t, next, ch, &told) == -1)
			return -1;
	return 0;
}

struct notice_row {
	long long	 id;
	int		 notice, channel, skipped;
	time_t		 start;
};

static int
notice_row_cmp(const void *a, const void *b)
{
	const struct notice_row	*x = a, *y = b;

	if (x->notice != y->notice)
		return x->notice < y->notice ? -1 : 1;
	if (x->channel != y->channel)
		return x->channel < y->channel ? -1 : 1;
	if (x->skipped != y->skipped)
		return x->skipped - y->skipped;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The notices of a session this change wrote (pending, or skipped for
 * a channel refused), added to rows. */
static int
notice_rows_of(struct ctx *ctx, long long appt_id, struct notice_row **rows,
    size_t *n)
{
	sqlite3_stmt		*stmt;
	struct notice_row	*grown;
	const char		*word;
	int			 rc, i;

	if ((stmt = db_stmt(ctx->pd->db, notice_of_session_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, appt_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((grown = reallocarray(*rows, *n + 1, sizeof(**rows))) ==
		    NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		*rows = grown;
		grown += (*n)++;
		grown->id = sqlite3_column_int64(stmt, 0);
		grown->notice = NOTICE_COUNT;
		word = db_column_text(stmt, 1);
		for (i = 0; word != NULL && i < NOTICE_COUNT; i++)
			if (strcmp(word, notice_names[i]) == 0)
				grown->notice = i;
		word = db_column_text(stmt, 2);
		grown->channel = word != NULL && strcmp(word, "sms") == 0 ?
		    CHANNEL_SMS : CHANNEL_EMAIL;
		grown->start = (time_t)sqlite3_column_int64(stmt, 3);
		grown->skipped = sqlite3_column_int(stmt, 4);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
notice_tell_with(struct ctx *ctx, long long id, long long by)
{
	sqlite3_stmt	*stmt;
	char		 why[96];

	snprintf(why, sizeof(why), "told with notice %lld, for the series' "
	    "sessions changed at once", by);
	if ((stmt = db_stmt(ctx->pd->db, notice_tell_with_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, by);
	db_bind_text(stmt, 3, why);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)ctx->now);
	return db_exec_stmt(ctx->pd->db, stmt);
}

int
remind_notices_as_one(struct ctx *ctx, const long long *appt_ids, size_t n)
{
	struct notice_row	*rows = NULL;
	size_t			 nrows = 0, i, first = 0;
	int			 rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = notice_rows_of(ctx, appt_ids[i], &rows, &nrows);
	if (rc == 0 && nrows > 1)
		qsort(rows, nrows, sizeof(*rows), notice_row_cmp);
	for (i = 1; rc == 0 && i < nrows; i++) {
		if (rows[i].notice != rows[first].notice ||
		    rows[i].channel != rows[first].channel ||
		    rows[i].skipped != rows[first].skipped)
			first = i;
		else
			rc = notice_tell_with(ctx, rows[i].id, rows[first].id);
	}
	free(rows);
	return rc == 0 ? 0 : ctx_internal(ctx);
}

/* The sessions whose notices the session's pending one told for, made
 * to wait again before it is superseded: ids (the caller frees). */
static int
notice_revive(struct ctx *ctx, long long appt_id, long long **ids,
    size_t *n)
{
	sqlite3_stmt	*stmt;

	*ids = NULL;
	*n = 0;
	if ((stmt = db_stmt(ctx->pd->db, notice_revive_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, appt_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	return db_ids(ctx->pd->db, stmt, ids, n) == -1 ? ctx_internal(ctx) : 0;
}

int
remind_notices(struct ctx *ctx, const struct remind_target *t,
    enum remind_change change, const struct remind_seen *before)
{
	long long	*revived = NULL, *grown;
	size_t		 n = 0;
	int		 rc;

	if (change == REMIND_CLIENT)
		return notice_readdress(ctx, t);
	if (!notice_considered(t, change))
		return 0;
	/* A notice that told for other sessions is superseded below: theirs
	 * wait again, joined again with whatever this change tells. */
	if (change != REMIND_BOOKED &&
	    notice_revive(ctx, t->id, &revived, &n) == -1)
		return -1;
	rc = notice_plan(ctx, t, change, before);
	if (rc == 0 && n > 0) {
		if ((grown = reallocarray(revived, n + 1, sizeof(*revived))) ==
		    NULL)
			rc = ctx_internal(ctx);
		else {
			revived = grown;
			revived[n++] = t->id;
			rc = remind_notices_as_one(ctx, revived, n);
		}
	}
	free(revived);
	return rc;
}
