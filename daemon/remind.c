/*
 * Planning reminders in the transaction of the change that needs them,
 * so that an appointment and its reminders never disagree: a cancelled
 * one has none pending, a moved one has them for its new time only.
 */
#include <string.h>

#include "config.h"
#include "ctx.h"
#include "db.h"
#include "practiced.h"
#include "remind.h"

static const char *remind_appt_sql =
    "SELECT a.start_utc, a.state, a.version, cl.email, cl.phone,"
    "  cl.remind_email, cl.remind_sms, cl.zone, cl.sms_consent_at"
    "  FROM appointments a JOIN clients cl ON cl.id = a.client_id"
    "  WHERE a.id = ?1";
static const char *remind_supersede_sql =
    "UPDATE reminders SET state = 'superseded', reason = ?3, updated = ?4"
    "  WHERE appointment_id = ?1 AND state = 'pending'"
    "    AND (version != ?2 OR ?5)";
static const char *remind_insert_sql =
    "INSERT OR IGNORE INTO reminders (appointment_id, notice, channel,"
    "  rule_minutes, version, due_utc, state, recipient, reason, created,"
    "  updated) VALUES (?1, 'reminder', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";

/* What planning needs of the appointment and its client. */
struct remind_target {
	long long	 id;
	time_t		 start;
	char		 state[16];
	int		 version;
	int		 open;
	const char	*address[2];	/* by channel; NULL: none */
	int		 wants[2];	/* the client's choice, by channel */
	int		 consent;	/* to SMS, recorded */
	char		 zone[72];
	char		 buf[2][320];
};

static int
remind_load(struct ctx *ctx, long long id, struct remind_target *t)
{
	sqlite3_stmt	*stmt;
	const char	*s;
	int		 rc, ch;

	if ((stmt = db_stmt(ctx->pd->db, remind_appt_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
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

/* Why a rule's reminder is not sent, or NULL: it is pending. */
static const char *
remind_skip_reason(const struct ctx *ctx, const struct remind_target *t,
    enum channel ch, time_t due)
{
	if (!t->wants[ch])
		return ch == CHANNEL_EMAIL ? "the client takes no email "
		    "reminders" : "the client takes no SMS reminders";
	if (t->address[ch] == NULL)
		return ch == CHANNEL_EMAIL ? "the client has no email address" :
		    "the client has no phone number";
	if (ch == CHANNEL_SMS && !t->consent)
		return "no SMS consent is recorded for the client";
	if (due <= ctx->now)
		return "its time had passed when the session was booked or "
		    "changed";
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

	due = remind_due(t->start, rule->minutes, t->zone, r->quiet_from,
	    r->quiet_to);
	why = remind_skip_reason(ctx, t, rule->channel, due);
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
	return db_exec_stmt(ctx->pd->db, stmt) == -1 ? ctx_internal(ctx) : 0;
}

int
remind_plan(struct ctx *ctx, long long appt_id)
{
	const struct config_reminders	*r = &ctx->pd->conf->reminders;
	struct remind_target		 t;
	int				 i;

	if (remind_load(ctx, appt_id, &t) == -1 ||
	    remind_supersede(ctx, &t) == -1)
		return -1;
	/* A past session is history: nothing to remind of. */
	if (!t.open || t.start <= ctx->now)
		return 0;
	for (i = 0; i < r->nrules; i++)
		if (remind_insert(ctx, &t, &r->rules[i]) == -1)
			return -1;
	return 0;
}
