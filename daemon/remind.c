/*
 * Planning reminders in the transaction of the change that needs them,
 * so that an appointment and its reminders never disagree: a cancelled
 * one has none pending, a moved one has them for its new time only.
 */
#include <string.h>

#include "config.h"
#include "ctx.h"
#include "db.h"
#include "outbox.h"
#include "practiced.h"
#include "remind.h"
#include "remind_target.h"

/* Where a session is, as the client is told of it (struct remind_seen). */
#define REMIND_PLACE(a)							\
    "CASE WHEN " a "video_url IS NOT NULL THEN 'video ' || " a "video_url"	\
    "  WHEN " a "room_id IS NOT NULL THEN 'room ' || " a "room_id"	\
    "  ELSE '' END"

static const char *remind_appt_sql =
    "SELECT a.start_utc, a.state, a.version, cl.email, cl.phone,"
    "  cl.remind_email, cl.remind_sms, cl.zone, cl.sms_consent_at,"
    "  coalesce(a.series_id, 0), cl.active,"
    "  a.state = 'cancelled' AND a.series_id IS NULL"
    "    AND a.cancel_reason = 'the series no longer has this session'"
    "    AND a.updated = ?2, " REMIND_PLACE("a.")
    "  FROM appointments a JOIN clients cl ON cl.id = a.client_id"
    "  WHERE a.id = ?1";
/* By the session's own rows ("+state": not the state index, every
 * pending row of the practice, which the planner takes without
 * statistics). */
static const char *remind_supersede_sql =
    "UPDATE reminders SET state = 'superseded', reason = ?3, updated = ?4"
    "  WHERE appointment_id = ?1 AND notice = 'reminder'"
    "    AND +state = 'pending' AND (version != ?2 OR ?5)";
/* A session planned anew after a move or a restore: its older versions'
 * skipped reminders said nothing the new plan does not (its own rows
 * give today's reasons), and a series moved often piled them up by the
 * thousand.  A cancelled one keeps them: why no reminder went out is
 * still asked of it. */
static const char *remind_drop_skipped_sql =
    "DELETE FROM reminders WHERE appointment_id = ?1"
    "  AND notice = 'reminder' AND +state = 'skipped' AND version != ?2";
/* A re-plan of the same version (the client's channels, address or
 * consent changed) updates the rows not yet sent.  A pending one whose
 * time has come (?10: only the time stands against it) is left to the
 * outbox to send or expire, but goes to the address the client has now:
 * a retry after a wrong address must reach the right one. */
static const char *remind_insert_sql =
    "INSERT INTO reminders (appointment_id, notice, channel,"
    "  rule_minutes, version, due_utc, state, recipient, reason, created,"
    "  updated) VALUES (?1, 'reminder', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
    "  ON CONFLICT (appointment_id, notice, channel, rule_minutes, version)"
    "  DO UPDATE SET"
    "    state = iif(reminders.state = 'pending' AND ?10, reminders.state,"
    "      excluded.state),"
    "    due_utc = iif(reminders.state = 'pending' AND ?10,"
    "      reminders.due_utc, excluded.due_utc),"
    "    reason = iif(reminders.state = 'pending' AND ?10, reminders.reason,"
    "      excluded.reason),"
    "    recipient = excluded.recipient, updated = excluded.updated"
    "  WHERE reminders.state IN ('pending','skipped')"
    "    AND (reminders.recipient IS NOT excluded.recipient"
    "      OR (NOT (reminders.state = 'pending' AND ?10)"
    "        AND (reminders.state != excluded.state"
    "          OR reminders.reason IS NOT excluded.reason)))";
static const char *remind_seen_sql =
    "SELECT state IN ('booked','confirmed'), start_utc, " REMIND_PLACE("")
    "  FROM appointments WHERE id = ?1";
static const char *remind_client_open_sql =
    "SELECT id FROM appointments WHERE client_id = ?1"
    "  AND state IN ('booked','confirmed') AND start_utc > ?2"
    "  ORDER BY start_utc LIMIT ?3";

int
remind_seen_load(struct ctx *ctx, long long id, struct remind_seen *seen)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	memset(seen, 0, sizeof(*seen));
	if ((stmt = db_stmt(ctx->pd->db, remind_seen_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		seen->booked = sqlite3_column_int(stmt, 0);
		seen->start = (time_t)sqlite3_column_int64(stmt, 1);
		snprintf(seen->place, sizeof(seen->place), "%s",
		    db_column_text(stmt, 2));
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : ctx_internal(ctx);
}

int
remind_load(struct ctx *ctx, long long id, struct remind_target *t)
{
	sqlite3_stmt	*stmt;
	const char	*s;
	int		 rc, ch;

	if ((stmt = db_stmt(ctx->pd->db, remind_appt_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return ctx_internal(ctx);
	}
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->start = (time_t)sqlite3_column_int64(stmt, 0);
	snprintf(t->state, sizeof(t->state), "%s", db_column_text(stmt, 1));
	t->version = sqlite3_column_int(stmt, 2);
	t->open = strcmp(t->state, "booked") == 0 ||
	    strcmp(t->state, "confirmed") == 0;
	for (ch = 0; ch < CHANNEL_COUNT; ch++) {
		if ((s = db_column_text(stmt, 3 + ch)) != NULL) {
			snprintf(t->buf[ch], sizeof(t->buf[ch]), "%s", s);
			t->address[ch] = t->buf[ch];
		}
		t->wants[ch] = sqlite3_column_int(stmt, 5 + ch);
	}
	s = db_column_text(stmt, 7);
	snprintf(t->zone, sizeof(t->zone), "%s", s != NULL ? s :
	    ctx->pd->conf->timezone);
	t->consent = sqlite3_column_type(stmt, 8) != SQLITE_NULL;
	t->series_id = sqlite3_column_int64(stmt, 9);
	t->detach_cancelled = sqlite3_column_int(stmt, 11);
	t->archived = !sqlite3_column_int(stmt, 10);
	t->seen.booked = t->open;
	t->seen.start = t->start;
	snprintf(t->seen.place, sizeof(t->seen.place), "%s",
	    db_column_text(stmt, 12));
	sqlite3_reset(stmt);
	return 0;
}

static int
remind_supersede(struct ctx *ctx, const struct remind_target *t)
{
	sqlite3_stmt	*stmt;
	char		 why[96];

	if (!t->open)
		snprintf(why, sizeof(why), "the session is %s", t->state);
	else
		snprintf(why, sizeof(why), "the session changed (version %d)",
		    t->version);
	if ((stmt = db_stmt(ctx->pd->db, remind_supersede_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, t->id);
	sqlite3_bind_int(stmt, 2, t->version);
	db_bind_text(stmt, 3, why);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)ctx->now);
	sqlite3_bind_int(stmt, 5, !t->open);
	return db_exec_stmt(ctx->pd->db, stmt) == -1 ? ctx_internal(ctx) : 0;
}

static int
remind_drop_skipped(struct ctx *ctx, const struct remind_target *t)
{
	sqlite3_stmt	*stmt;

	if (!t->open)
		return 0;
	if ((stmt = db_stmt(ctx->pd->db, remind_drop_skipped_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, t->id);
	sqlite3_bind_int(stmt, 2, t->version);
	return db_exec_stmt(ctx->pd->db, stmt) == -1 ? ctx_internal(ctx) : 0;
}

const char *
remind_channel_refusal(const struct remind_target *t, enum channel ch)
{
	if (!t->wants[ch])
		return ch == CHANNEL_EMAIL ? "the client takes no email "
		    "reminders" : "the client takes no SMS reminders";
	if (t->address[ch] == NULL)
		return ch == CHANNEL_EMAIL ? "the client has no email address" :
		    "the client has no phone number";
	if (ch == CHANNEL_SMS && !t->consent)
		return "no SMS consent is recorded for the client";
	return NULL;
}

static const char remind_too_late[] =
    "its time had passed when the session was booked or changed";

/*
 * Why a rule's reminder is not sent, or NULL: it is pending.  A client
 * archived with sessions kept booked has left the practice's care: the
 * staff deals with those sessions (they are flagged), nobody is
 * reminded of them.
 */
static const char *
remind_skip_reason(const struct ctx *ctx, const struct remind_target *t,
    enum channel ch, time_t due)
{
	const char	*why;

	if (t->archived)
		return "the client is archived";
	if ((why = remind_channel_refusal(t, ch)) != NULL)
		return why;
	if (due <= ctx->now)
		return remind_too_late;
	return NULL;
}

static int
remind_insert(struct ctx *ctx, const struct remind_target *t,
    const struct remind_rule *rule)
{
	const struct config_reminders	*r = &ctx->pd->conf->reminders;
	sqlite3_stmt			*stmt;
	const char			*why;
	time_t				 due;
	int				 late;

	due = remind_due(t->start, rule->minutes, t->zone, r->quiet_from,
	    r->quiet_to);
	why = remind_skip_reason(ctx, t, rule->channel, due);
	late = why == remind_too_late;
	if ((stmt = db_stmt(ctx->pd->db, remind_insert_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, t->id);
	db_bind_text(stmt, 2, rule->channel == CHANNEL_EMAIL ? "email" : "sms");
	sqlite3_bind_int(stmt, 3, rule->minutes);
	sqlite3_bind_int(stmt, 4, t->version);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)due);
	db_bind_text(stmt, 6, why == NULL ? "pending" : "skipped");
	db_bind_text(stmt, 7, t->address[rule->channel]);
	db_bind_text(stmt, 8, why);
	sqlite3_bind_int64(stmt, 9, (sqlite3_int64)ctx->now);
	sqlite3_bind_int(stmt, 10, late);
	return db_exec_stmt(ctx->pd->db, stmt) == -1 ? ctx_internal(ctx) : 0;
}

int
remind_plan(struct ctx *ctx, long long appt_id, enum remind_change change,
    const struct remind_seen *before)
{
	const struct config_reminders	*r = &ctx->pd->conf->reminders;
	struct remind_target		 t;
	int				 i;

	/* A session just booked has nothing planned to supersede. */
	if (remind_load(ctx, appt_id, &t) == -1 ||
	    (change != REMIND_BOOKED && (remind_supersede(ctx, &t) == -1 ||
	    remind_drop_skipped(ctx, &t) == -1)) ||
	    remind_notices(ctx, &t, change, before) == -1)
		return -1;
	/* A past session is history: nothing to remind of. */
	if (!t.open || t.start <= ctx->now)
		return 0;
	for (i = 0; i < r->nrules; i++)
		if (remind_insert(ctx, &t, &r->rules[i]) == -1)
			return -1;
	return 0;
}

int
remind_replan_client(struct ctx *ctx, long long client_id)
{
	sqlite3_stmt	*stmt;
	long long	 ids[REMIND_REPLAN_MAX];
	int		 n = 0, i, rc = SQLITE_DONE;

	if ((stmt = db_stmt(ctx->pd->db, remind_client_open_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	sqlite3_bind_int(stmt, 3, REMIND_REPLAN_MAX);
	/* Read whole before planning, which uses statements of its own. */
	while (n < REMIND_REPLAN_MAX &&
	    (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ctx_internal(ctx);
	if (n > 0)
		outbox_kick(ctx->pd);
	for (i = 0; i < n; i++)
		if (remind_plan(ctx, ids[i], REMIND_CLIENT, NULL) == -1)
			return -1;
	return 0;
}
