/*
 * Test messages sent now, outside the ledger.  A test is planned in the
 * caller's transaction (checked and audited) and handed to the sender,
 * or written to the outbox folder, only once that commits: a refused or
 * rolled-back request sends nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "message.h"
#include "outbox.h"
#include "outbox_test.h"
#include "practiced.h"
#include "send.h"

/* A slot: planned (a job waiting for the commit), or started. */
struct test_slot {
	struct outbox_test	 t;
	int			 planned;
	struct send_job		*job;		/* planned, with a provider */
	char			*text;		/* planned, for the folder */
};

struct outbox_tests {
	struct test_slot	 slot[OUTBOX_TESTS];
	int			 next_id;
	struct practiced	*pd;
};

static const char *outbox_test_client_sql =
    "SELECT name, active, zone,"
    "  CASE ?2 WHEN 0 THEN email ELSE phone END,"
    "  ?2 = 0 OR sms_consent_at IS NOT NULL"
    "  FROM clients WHERE id = ?1";

struct outbox_tests *
outbox_tests_new(struct practiced *pd)
{
	struct outbox_tests	*ts;

	if ((ts = calloc(1, sizeof(*ts))) == NULL)
		return NULL;
	ts->pd = pd;
	ts->next_id = 1;
	return ts;
}

static void
slot_clear(struct test_slot *s)
{
	send_job_free(s->job);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

void
outbox_tests_free(struct outbox_tests *ts)
{
	int	 i;

	if (ts == NULL)
		return;
	for (i = 0; i < OUTBOX_TESTS; i++)
		slot_clear(&ts->slot[i]);
	free(ts);
}

/* A slot for a new test: a planned one left by a rollback, else the
 * oldest.  Hooks run at commit, so a planned slot met here never will. */
static struct test_slot *
slot_take(struct outbox_tests *ts)
{
	struct test_slot	*s, *oldest = &ts->slot[0];
	int			 i;

	for (i = 0; i < OUTBOX_TESTS; i++) {
		s = &ts->slot[i];
		if (s->planned)
			slot_clear(s);
		if (s->t.id < oldest->t.id)
			oldest = s;
	}
	slot_clear(oldest);
	return oldest;
}

static struct test_slot *
slot_find(struct outbox_tests *ts, int id)
{
	int	 i;

	for (i = 0; id > 0 && i < OUTBOX_TESTS; i++)
		if (ts->slot[i].t.id == id && !ts->slot[i].planned)
			return &ts->slot[i];
	return NULL;
}

/* The client as a message row, or -1 with the refusal set. */
static int
test_row(struct ctx *ctx, long long client_id, enum channel ch,
    struct message_row *m)
{
	const char	*noun = ch == CHANNEL_EMAIL ? "email address" :
			    "phone number";
	sqlite3_stmt	*stmt;
	int		 rc, active = 0, consent = 0;

	if ((stmt = db_stmt(ctx->pd->db, outbox_test_client_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_int(stmt, 2, ch);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		snprintf(m->client, sizeof(m->client), "%s",
		    db_column_text(stmt, 0));
		active = sqlite3_column_int(stmt, 1);
		snprintf(m->zone, sizeof(m->zone), "%s", db_column_text(stmt,
		    2) != NULL ? db_column_text(stmt, 2) :
		    ctx->pd->conf->timezone);
		snprintf(m->recipient, sizeof(m->recipient), "%s",
		    db_column_text(stmt, 3) != NULL ?
		    db_column_text(stmt, 3) : "");
		consent = sqlite3_column_int(stmt, 4);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? ctx_error(ctx, PROTO_ENOTFOUND,
		    "no client %lld", client_id) : ctx_internal(ctx);
	if (!active)
		return ctx_error(ctx, PROTO_ESTATE, "client %lld is archived",
		    client_id);
	if (m->recipient[0] == '\0')
		return ctx_error(ctx, PROTO_ESTATE, "client %lld has no %s",
		    client_id, noun);
	if (!consent)
		return ctx_error(ctx, PROTO_ESTATE, "no SMS consent is "
		    "recorded for client %lld (client edit --sms-consent yes "
		    "records it)", client_id);
	m->channel = ch;
	return 0;
}

/* After the commit: each planned test leaves. */
static void
outbox_tests_start(void *arg)
{
	struct outbox_tests	*ts = arg;
	struct outbox		*ob = ts->pd->outbox;
	struct test_slot	*s;
	char			 name[64];
	int			 i;

	for (i = 0; i < OUTBOX_TESTS; i++) {
		s = &ts->slot[i];
		if (!s->planned)
			continue;
		s->planned = 0;
		if (s->job != NULL) {
			if (outbox_submit(ob, s->job) == -1) {
				snprintf(s->t.state, sizeof(s->t.state),
				    "failed");
				snprintf(s->t.detail, sizeof(s->t.detail),
				    "practiced is stopping");
			}
			s->job = NULL;
			continue;
		}
		snprintf(name, sizeof(name), "test-%d.%s", s->t.id,
		    s->t.channel == CHANNEL_EMAIL ? "eml" : "sms.txt");
		if (outbox_write(ob, name, s->text) == -1) {
			snprintf(s->t.state, sizeof(s->t.state), "failed");
			snprintf(s->t.detail, sizeof(s->t.detail), "could not "
			    "write %s/%s", outbox_folder(ob), name);
		} else {
			snprintf(s->t.state, sizeof(s->t.state), "sent");
			snprintf(s->t.detail, sizeof(s->t.detail), "written to "
			    "%s/%s (no %s configured)", outbox_folder(ob), name,
			    s->t.channel == CHANNEL_EMAIL ? "[smtp]" : "[sms]");
		}
		free(s->text);
		s->text = NULL;
	}
}

int
outbox_test_send(struct ctx *ctx, long long client_id, enum channel ch,
    struct outbox_test *out)
{
	struct outbox_tests	*ts;
	struct test_slot	*s;
	struct message_row	 m;
	char			*text;

	if (ctx->pd->outbox == NULL)
		return ctx_error(ctx, PROTO_EUNAVAILABLE, "the outbox is not "
		    "running");
	ts = outbox_tests(ctx->pd->outbox);
	memset(&m, 0, sizeof(m));
	if (test_row(ctx, client_id, ch, &m) == -1)
		return -1;
	s = slot_take(ts);
	s->planned = 1;		/* unseen until its transaction commits */
	s->t.id = ts->next_id++;
	/* Its own Message-ID: a mail server may drop one it has seen. */
	m.id = -s->t.id;
	m.version = (int)ctx->now;
	if ((text = message_render_test(ctx->pd->conf, &m, ctx->now)) == NULL)
		return ctx_internal(ctx);
	if ((s->job = message_job(ctx->pd->conf, &m, text)) == NULL)
		s->text = text;
	s->t.client_id = client_id;
	s->t.channel = ch;
	s->t.started = ctx->now;
	snprintf(s->t.state, sizeof(s->t.state), "sending");
	if (audit_record(ctx, "reminder.test", "client", client_id,
	    "test %d by %s", s->t.id, ch == CHANNEL_EMAIL ? "email" :
	    "SMS") == -1 ||
	    db_after_commit(ctx->pd->db, outbox_tests_start, ts) == -1)
		return ctx_internal(ctx);
	*out = s->t;
	return 0;
}

int
outbox_test_get(struct ctx *ctx, int id, struct outbox_test *out)
{
	struct test_slot	*s = NULL;

	if (ctx->pd->outbox != NULL)
		s = slot_find(outbox_tests(ctx->pd->outbox), id);
	if (s == NULL)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no test message %d "
		    "(the last %d are kept, until practiced restarts)", id,
		    OUTBOX_TESTS);
	*out = s->t;
	return 0;
}

void
outbox_test_done(struct outbox_tests *ts, const struct send_result *r)
{
	struct test_slot	*s = slot_find(ts, (int)-r->id);

	if (s == NULL)
		return;
	snprintf(s->t.state, sizeof(s->t.state), "%s",
	    r->outcome == SEND_SENT ? "sent" : "failed");
	snprintf(s->t.detail, sizeof(s->t.detail), "%s", r->detail);
	s->t.code = r->code;
	log_info("outbox: test %d %s: %s", s->t.id, s->t.state, r->detail);
}
