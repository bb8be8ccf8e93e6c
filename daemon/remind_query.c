/*
 * Reading the outbox for people: what is due, what failed and why, what
 * one appointment was sent; and the one change staff may make to it, a
 * retry.  Recipients are in the rows (readers may see them, as they see
 * a client's address) but never in a log line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "outbox.h"
#include "practiced.h"
#include "remind_query.h"

#define REMIND_COLUMNS							\
    " r.id, r.appointment_id, r.notice, r.channel, r.rule_minutes,"	\
    " r.version, r.due_utc, r.state, r.recipient, r.attempts,"		\
    " r.in_doubt, r.reason, r.provider_id, r.updated, a.start_utc,"	\
    " a.version, cl.id, cl.name, a.state"
#define REMIND_FROM							\
    " FROM reminders r JOIN appointments a ON a.id = r.appointment_id"	\
    " JOIN clients cl ON cl.id = a.client_id"

/*
 * A page: due from ?3 to ?2, after the cursor (?4, ?5), ?6 rows.  Plain
 * ranges, so that an index of due times gives the rows in order and the
 * page stops at its limit: pending rows by the outbox's own index, one
 * state by (state, due), every state by due.
 */
#define REMIND_PAGE(which)						\
    "SELECT" REMIND_COLUMNS REMIND_FROM " WHERE " which			\
    "   AND r.due_utc BETWEEN ?3 AND ?2"				\
    "   AND (r.due_utc, r.id) > (?4, ?5)"				\
    " ORDER BY r.due_utc, r.id LIMIT ?6"
static const char *remind_page_pending_sql =
    REMIND_PAGE("r.state = 'pending'");
static const char *remind_page_state_sql = REMIND_PAGE("r.state = ?1");
static const char *remind_page_all_sql =
    REMIND_PAGE("r.state != 'superseded' AND ?1 IS NULL");
static const char *remind_one_sql =
    "SELECT" REMIND_COLUMNS REMIND_FROM " WHERE r.id = ?1";
static const char *remind_of_appt_sql =
    "SELECT" REMIND_COLUMNS REMIND_FROM " WHERE r.appointment_id = ?1"
    " ORDER BY r.id";
static const char *remind_appt_exists_sql =
    "SELECT 1 FROM appointments WHERE id = ?1";
static const char *remind_deliveries_sql =
    "SELECT attempt, started, finished, outcome, code, detail"
    "  FROM deliveries WHERE reminder_id = ?1 ORDER BY attempt, id";
/* The reminders of each session's version as it is now. */
static const char *remind_counts_sql =
    "SELECT r.appointment_id, r.state, count(*)"
    "  FROM reminders r JOIN appointments a ON a.id = r.appointment_id"
    "  WHERE r.appointment_id IN (SELECT value FROM json_each(?1))"
    "    AND r.version = a.version AND r.state != 'superseded'"
    "  GROUP BY r.appointment_id, r.state";
static const char *remind_retry_row_sql =
    "SELECT r.state, r.version = a.version, a.state, a.start_utc, a.id,"
    "  r.channel, CASE r.channel WHEN 'email' THEN cl.email ELSE cl.phone END,"
    "  CASE r.channel WHEN 'email' THEN cl.remind_email"
    "    ELSE cl.remind_sms END,"
    "  r.channel = 'email' OR cl.sms_consent_at IS NOT NULL, cl.active"
    "  FROM reminders r JOIN appointments a ON a.id = r.appointment_id"
    "  JOIN clients cl ON cl.id = a.client_id WHERE r.id = ?1";
static const char *remind_retry_sql =
    "UPDATE reminders SET state = 'pending', due_utc = ?2, reason = ?3,"
    "  recipient = ?4, updated = ?2, retry_from = attempts WHERE id = ?1 AND state IN ('failed','expired')";

static const char *remind_pending_sql =
    "SELECT count(*), min(due_utc) FROM reminders WHERE state = 'pending'";
static const char *remind_failed_ahead_sql =
    "SELECT count(*) FROM reminders r JOIN appointments a"
    "  ON a.id = r.appointment_id WHERE r.state = 'failed'"
    "    AND a.start_utc > ?1";

static const char *const remind_states[] = {
	"pending", "sending", "sent", "failed", "expired", "skipped",
	"superseded", NULL
};

int
remind_state_valid(const char *state)
{
	size_t	 i;

	for (i = 0; remind_states[i] != NULL; i++)
		if (strcmp(remind_states[i], state) == 0)
			return 1;
	return 0;
}

/* A rule's offset as it is written: "48h", "90m". */
static json_t *
remind_rule_json(sqlite3_stmt *stmt, int col)
{
	char	 buf[32];
	int	 m;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	m = sqlite3_column_int(stmt, col);
	if (m % 60 == 0)
		snprintf(buf, sizeof(buf), "%dh", m / 60);
	else
		snprintf(buf, sizeof(buf), "%dm", m);
	return json_string(buf);
}

static json_t *
remind_client_json(sqlite3_stmt *stmt)
{
	const char	*name = db_column_text(stmt, 17);

	return json_pack("{s:I,s:s,s:o}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 16),
	    "name", name != NULL ? name : "",
	    "initials", out_initials(name != NULL ? name : ""));
}

static json_t *
remind_row_json(struct ctx *ctx, sqlite3_stmt *stmt)
{
	time_t	 due = (time_t)sqlite3_column_int64(stmt, 6);
	time_t	 start = (time_t)sqlite3_column_int64(stmt, 14);
	int	 version = sqlite3_column_int(stmt, 5);

	return json_pack("{s:I,s:I,s:s,s:s,s:o,s:o,s:i,s:b,s:o,s:o,s:o,"
	    "s:o,s:s,s:s?,s:s,s:i,s:b,s:s?,s:s?,s:o,s:s}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, 0),
	    "appointment", (json_int_t)sqlite3_column_int64(stmt, 1),
	    "notice", db_column_text(stmt, 2),
	    "channel", db_column_text(stmt, 3),
	    "rule_minutes", sqlite3_column_type(stmt, 4) == SQLITE_NULL ?
	    json_null() : json_integer(sqlite3_column_int(stmt, 4)),
	    "rule", remind_rule_json(stmt, 4),
	    "version", version,
	    "current", version == sqlite3_column_int(stmt, 15),
	    "due", out_instant(due),
	    "local_due", out_local(ctx, due),
	    "start", out_instant(start),
	    "local_start", out_local(ctx, start),
	    "tz", ctx->tz,
	    "recipient", db_column_text(stmt, 8),
	    "state", db_column_text(stmt, 7),
	    "attempts", sqlite3_column_int(stmt, 9),
	    "in_doubt", sqlite3_column_int(stmt, 10),
	    "reason", db_column_text(stmt, 11),
	    "provider_id", db_column_text(stmt, 12),
	    "client", remind_client_json(stmt),
	    "session_state", db_column_text(stmt, 18));
}

/* The rows of stmt up to f->limit; f->more when another follows. */
static json_t *
remind_page_rows(struct ctx *ctx, sqlite3_stmt *stmt,
    struct remind_filter *f)
{
	json_t	*list, *row;
	int	 rc, n = 0;

	f->more = 0;
	if ((list = json_array()) == NULL) {
		sqlite3_reset(stmt);
		return NULL;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == f->limit) {
			f->more = 1;
			rc = SQLITE_DONE;
			break;
		}
		if ((row = remind_row_json(ctx, stmt)) == NULL ||
		    json_array_append_new(list, row) == -1)
			break;
		f->next.id = sqlite3_column_int64(stmt, 0);
		f->next.start = (time_t)sqlite3_column_int64(stmt, 6);
		n++;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *
remind_query_list(struct ctx *ctx, struct remind_filter *f)
{
	sqlite3_stmt	*stmt;
	const char	*sql;

	sql = f->state == NULL ? remind_page_all_sql :
	    strcmp(f->state, "pending") == 0 ? remind_page_pending_sql :
	    remind_page_state_sql;
	if ((stmt = db_stmt(ctx->pd->db, sql)) == NULL)
		return NULL;
	db_bind_text(stmt, 1, f->state);
	sqlite3_bind_int64(stmt, 2, f->until > 0 ? (sqlite3_int64)f->until :
	    INT64_MAX);
	sqlite3_bind_int64(stmt, 3, f->until > 0 ? (sqlite3_int64)ctx->now :
	    INT64_MIN);
	/* No cursor: after everything there is. */
	sqlite3_bind_int64(stmt, 4, f->after != NULL ?
	    (sqlite3_int64)f->after->start : INT64_MIN);
	sqlite3_bind_int64(stmt, 5, f->after != NULL ? f->after->id : 0);
	/* One row more than asked says whether another page follows. */
	sqlite3_bind_int(stmt, 6, f->limit + 1);
	return remind_page_rows(ctx, stmt, f);
}

/* One delivery attempt, as explain shows it. */
static json_t *
remind_delivery_json(struct ctx *ctx, sqlite3_stmt *stmt)
{
	return json_pack("{s:i,s:o,s:o,s:o,s:s?,s:o,s:s?}",
	    "attempt", sqlite3_column_int(stmt, 0),
	    "started", out_instant((time_t)sqlite3_column_int64(stmt, 1)),
	    "local_started", out_local(ctx,
	    (time_t)sqlite3_column_int64(stmt, 1)),
	    "finished", sqlite3_column_type(stmt, 2) == SQLITE_NULL ?
	    json_null() : out_instant((time_t)sqlite3_column_int64(stmt, 2)),
	    "outcome", db_column_text(stmt, 3),
	    "code", sqlite3_column_type(stmt, 4) == SQLITE_NULL ?
	    json_null() : json_integer(sqlite3_column_int(stmt, 4)),
	    "detail", db_column_text(stmt, 5));
}

/* The delivery attempts of reminder id, oldest first. */
static json_t *
remind_deliveries(struct ctx *ctx, long long id)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, remind_deliveries_sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	return out_rows(ctx, stmt, remind_delivery_json);
}

json_t *
remind_query_explain(struct ctx *ctx, long long appt_id)
{
	sqlite3_stmt	*stmt;
	json_t		*list, *row, *d;
	size_t		 i;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, remind_appt_exists_sql)) == NULL) {
		ctx_internal(ctx);
		return NULL;
	}
	sqlite3_bind_int64(stmt, 1, appt_id);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			ctx_error(ctx, PROTO_ENOTFOUND, "no appointment %lld",
			    appt_id);
		else
			ctx_internal(ctx);
		return NULL;
	}
	if ((stmt = db_stmt(ctx->pd->db, remind_of_appt_sql)) == NULL) {
		ctx_internal(ctx);
		return NULL;
	}
	sqlite3_bind_int64(stmt, 1, appt_id);
	if ((list = out_rows(ctx, stmt, remind_row_json)) == NULL) {
		ctx_internal(ctx);
		return NULL;
	}
	json_array_foreach(list, i, row) {
		if ((d = remind_deliveries(ctx, json_integer_value(
		    json_object_get(row, "id")))) == NULL) {
			json_decref(list);
			ctx_internal(ctx);
			return NULL;
		}
		json_object_set_new(row, "deliveries", d);
	}
	return list;
}

json_t *
remind_query_one(struct ctx *ctx, long long id)
{
	json_t	*row;

	if ((row = out_row_by_id(ctx, remind_one_sql, id, remind_row_json)) ==
	    NULL)
		ctx_error(ctx, PROTO_ENOTFOUND, "no reminder %lld", id);
	return row;
}

/* The ids of the appointments, as the JSON array json_each reads. */
static char *
remind_ids_text(json_t *appointments)
{
	json_t	*ids, *a;
	char	*text;
	size_t	 i;

	if ((ids = json_array()) == NULL)
		return NULL;
	json_array_foreach(appointments, i, a)
		if (json_array_append(ids, json_object_get(a, "id")) == -1) {
			json_decref(ids);
			return NULL;
		}
	text = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	return text;
}

int
remind_query_counts(struct ctx *ctx, json_t *appointments)
{
	sqlite3_stmt	*stmt;
	json_t		*by_id, *counts, *a;
	char		*ids, key[32];
	size_t		 i;
	int		 rc;

	if ((by_id = json_object()) == NULL)
		return ctx_internal(ctx);
	json_array_foreach(appointments, i, a) {
		snprintf(key, sizeof(key), "%lld", (long long)
		    json_integer_value(json_object_get(a, "id")));
		counts = json_object();
		json_object_set_new(a, "reminders", counts);
		json_object_set(by_id, key, counts);
	}
	if ((ids = remind_ids_text(appointments)) == NULL ||
	    (stmt = db_stmt(ctx->pd->db, remind_counts_sql)) == NULL) {
		free(ids);
		json_decref(by_id);
		return ctx_internal(ctx);
	}
	sqlite3_bind_text(stmt, 1, ids, -1, SQLITE_TRANSIENT);
	free(ids);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		snprintf(key, sizeof(key), "%lld",
		    (long long)sqlite3_column_int64(stmt, 0));
		if ((counts = json_object_get(by_id, key)) != NULL)
			json_object_set_new(counts, db_column_text(stmt, 1),
			    json_integer(sqlite3_column_int(stmt, 2)));
	}
	sqlite3_reset(stmt);
	json_decref(by_id);
	return rc == SQLITE_DONE ? 0 : ctx_internal(ctx);
}

/* What a retry must know of a reminder and its session. */
struct remind_retry_row {
	char		 state[16];
	int		 current;	/* of the session's version now */
	char		 session[16];
	time_t		 start;
	long long	 appt;
	int		 email;		/* the channel: email, else SMS */
	char		 address[320];	/* the client's now; "": none */
	int		 wants;		/* the client takes this channel */
	int		 consent;	/* recorded, where needed */
	int		 archived;	/* the client */
};

static int
remind_retry_load(struct ctx *ctx, long long id, struct remind_retry_row *r)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, remind_retry_row_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		snprintf(r->state, sizeof(r->state), "%s",
		    db_column_text(stmt, 0));
		r->current = sqlite3_column_int(stmt, 1);
		snprintf(r->session, sizeof(r->session), "%s",
		    db_column_text(stmt, 2));
		r->start = (time_t)sqlite3_column_int64(stmt, 3);
		r->appt = sqlite3_column_int64(stmt, 4);
		r->email = strcmp(db_column_text(stmt, 5), "email") == 0;
		snprintf(r->address, sizeof(r->address), "%s",
		    db_column_text(stmt, 6) != NULL ? db_column_text(stmt, 6) :
		    "");
		r->wants = sqlite3_column_int(stmt, 7);
		r->consent = sqlite3_column_int(stmt, 8);
		r->archived = !sqlite3_column_int(stmt, 9);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no reminder %lld", id);
	return rc == SQLITE_ROW ? 0 : ctx_internal(ctx);
}

/* Why the reminder may not be retried, or NULL. */
static const char *
remind_retry_refusal(const struct ctx *ctx, const struct remind_retry_row *r)
{
	if (strcmp(r->state, "sent") == 0)
		return "was sent already";
	if (strcmp(r->state, "pending") == 0 ||
	    strcmp(r->state, "sending") == 0)
		return "is waiting to be sent already";
	if (strcmp(r->state, "skipped") == 0)
		return "was skipped (a change of the client or the session "
		    "plans it again)";
	if (strcmp(r->session, "cancelled") == 0)
		return "is of a cancelled session";
	if ((strcmp(r->session, "booked") != 0 &&
	    strcmp(r->session, "confirmed") != 0) || r->start <= ctx->now)
		return "is of a session that has begun";
	if (strcmp(r->state, "superseded") == 0 || !r->current)
		return "was planned for an earlier time of the session";
	if (r->archived)
		return "cannot go: the client is archived";
	if (!r->wants)
		return r->email ? "cannot go: the client takes no email "
		    "reminders now" : "cannot go: the client takes no SMS "
		    "reminders now";
	if (r->address[0] == '\0')
		return r->email ? "cannot go: the client has no email address" :
		    "cannot go: the client has no phone number";
	if (!r->consent)
		return "cannot go: no SMS consent is recorded for the client";
	return NULL;
}

int
remind_retry(struct ctx *ctx, long long id)
{
	struct remind_retry_row	 r;
	sqlite3_stmt		*stmt;
	const char		*why;
	char			 reason[128];

	if (remind_retry_load(ctx, id, &r) == -1)
		return -1;
	if ((why = remind_retry_refusal(ctx, &r)) != NULL)
		return ctx_error(ctx, PROTO_ESTATE, "reminder %lld %s; only a "
		    "failed or expired reminder of a session ahead can be "
		    "retried", id, why);
	snprintf(reason, sizeof(reason), "retry asked by %s", ctx->user);
	if ((stmt = db_stmt(ctx->pd->db, remind_retry_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	db_bind_text(stmt, 3, reason);
	/* To the address the client has now: a wrong one may be fixed. */
	db_bind_text(stmt, 4, r.address);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	if (audit_record(ctx, "reminder.retry", "reminder", id,
	    "appointment %lld", r.appt) == -1)
		return -1;
	outbox_kick(ctx->pd);
	return 0;
}

/* Where a channel's messages go. */
static json_t *
remind_route(const struct config *conf, enum channel ch, const char *folder)
{
	if (ch == CHANNEL_EMAIL && conf->smtp.url != NULL)
		return json_string(conf->smtp.url);
	if (ch == CHANNEL_SMS && conf->sms.provider == SMS_TWILIO)
		return json_string("twilio");
	if (ch == CHANNEL_SMS && conf->sms.provider == SMS_WEBHOOK)
		return json_string(conf->sms.url);
	return json_pack("s+", "folder ", folder != NULL ? folder : "?");
}

json_t *
remind_query_summary(struct ctx *ctx)
{
	struct practiced	*pd = ctx->pd;
	const char		*folder = pd->outbox != NULL ?
				    outbox_folder(pd->outbox) : NULL;
	sqlite3_stmt		*stmt;
	json_int_t		 pending = -1, failed = -1;
	time_t			 next = 0;

	if ((stmt = db_stmt(pd->db, remind_pending_sql)) == NULL)
		return NULL;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		pending = sqlite3_column_int64(stmt, 0);
		next = (time_t)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if ((stmt = db_stmt(pd->db, remind_failed_ahead_sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)ctx->now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		failed = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (pending == -1 || failed == -1)
		return NULL;
	return json_pack("{s:I,s:o,s:I,s:o,s:o}", "pending", pending,
	    "next_due", pending > 0 ? out_local(ctx, next) : json_null(),
	    "failed_ahead", failed, "email", remind_route(pd->conf,
	    CHANNEL_EMAIL, folder), "sms", remind_route(pd->conf, CHANNEL_SMS,
	    folder));
}
