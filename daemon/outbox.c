/*
 * The outbox's loop side: the timer, claiming, recording.  A claim
 * commits before anything leaves, and a result is committed when it
 * comes back, so a crash between the two leaves the row "sending", which
 * the next start sends again: never lost, at worst twice.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "agenda.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "message.h"
#include "outbox.h"
#include "outbox_test.h"
#include "practiced.h"
#include "send.h"
#include "sms.h"

#define OUTBOX_SENDERS		8	/* transfers at once */
#define OUTBOX_STOP_GRACE	5	/* seconds */
#define BACKOFF_FIRST		60	/* seconds, doubling */
#define BACKOFF_MAX		3600

struct outbox {
	struct practiced	*pd;
	struct event		*timer;
	struct sender		*sender;
	char			*folder;
	struct outbox_tests	*tests;
	struct outbox_batch	*batch;		/* rows too many for a stack */
};

static const char *outbox_recover_sql =
    "UPDATE reminders SET state = 'pending', in_doubt = 1, reason ="
    "  'in flight when practiced stopped: sent again, possibly twice',"
    "  updated = ?1 WHERE state = 'sending'";
static const char *outbox_recover_deliveries_sql =
    "UPDATE deliveries SET finished = ?1, outcome = 'in_doubt',"
    "  detail = 'practiced stopped before the answer came'"
    "  WHERE finished IS NULL";
static const char *outbox_next_sql =
    "SELECT MIN(due_utc) FROM reminders WHERE state = 'pending'";
static const char *outbox_due_sql =
    "SELECT r.id, r.notice, r.channel, r.recipient, r.version,"
    "  a.start_utc, COALESCE(cl.zone, ?3), cl.name, c.name,"
    "  COALESCE(rm.name, a.video_url, ''), s.rrule, s.until_date,"
    "  a.id, a.end_utc, a.created, a.updated,"
    "  (SELECT uid FROM practice WHERE id = 1),"
    "  (SELECT count(*) FROM reminders t WHERE t.told_by = r.id),"
    "  (SELECT max(ta.start_utc) FROM reminders t JOIN appointments ta"
    "    ON ta.id = t.appointment_id WHERE t.told_by = r.id),"
    "  coalesce(s.state = 'cancelled' OR s.until_utc <= a.start_utc, 0),"
    "  coalesce(s.until_utc IS NULL AND instr(s.rrule, 'COUNT=') = 0, 0)"
    "  FROM reminders r JOIN appointments a ON a.id = r.appointment_id"
    "  JOIN clients cl ON cl.id = a.client_id"
    "  JOIN clinicians c ON c.id = a.clinician_id"
    "  LEFT JOIN rooms rm ON rm.id = a.room_id"
    "  LEFT JOIN series s ON s.id = a.series_id"
    "  WHERE r.state = 'pending' AND r.due_utc <= ?1"
    "  ORDER BY r.due_utc, r.id LIMIT ?2";
static const char *outbox_claim_sql =
    "UPDATE reminders SET state = ?2, attempts = attempts + 1,"
    "  reason = ?3, provider_id = ?4, updated = ?5 WHERE id = ?1"
    "  RETURNING attempts";
static const char *outbox_expire_sql =
    "UPDATE reminders SET state = 'expired', reason = ?2, updated = ?3"
    "  WHERE id = ?1";
static const char *outbox_attempt_sql =
    "INSERT INTO deliveries (reminder_id, attempt, started, finished,"
    "  outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char *outbox_result_sql =
    "UPDATE reminders SET state = ?2, due_utc = COALESCE(?3, due_utc),"
    "  reason = ?4, provider_id = COALESCE(?5, provider_id),"
    "  in_doubt = in_doubt OR ?6, updated = ?7"
    "  WHERE id = ?1 AND state = 'sending'"
    "  RETURNING attempts";
static const char *outbox_result_delivery_sql =
    "UPDATE deliveries SET finished = ?3, outcome = ?4, code = ?5,"
    "  detail = ?6 WHERE reminder_id = ?1 AND attempt = ?2";
static const char *outbox_start_of_sql =
    "SELECT a.start_utc FROM reminders r"
    "  JOIN appointments a ON a.id = r.appointment_id WHERE r.id = ?1";

static const char *notice_words[] = { "reminder", "confirmation",
    "reschedule", "cancellation" };

static void	outbox_on_timer(evutil_socket_t, short, void *);

const char *
outbox_folder(const struct outbox *ob)
{
	return ob->folder;
}

static void
outbox_arm(struct outbox *ob, time_t now)
{
	struct timeval	 tv = { OUTBOX_SWEEP, 0 };
	sqlite3_stmt	*stmt;
	time_t		 next;

	if ((stmt = db_stmt(ob->pd->db, outbox_next_sql)) != NULL) {
		if (sqlite3_step(stmt) == SQLITE_ROW &&
		    sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
			next = (time_t)sqlite3_column_int64(stmt, 0);
			if (next - now < OUTBOX_SWEEP)
				tv.tv_sec = next > now ? next - now : 0;
		}
		sqlite3_reset(stmt);
	}
	evtimer_add(ob->timer, &tv);
}

static void
outbox_rearm(void *arg)
{
	struct practiced	*pd = arg;

	outbox_arm(pd->outbox, time(NULL));
}

/*
 * Queued once a transaction (db_after_commit runs a hook once), and
 * forgotten with it when it rolls back: a flag of its own here outlived
 * a rolled back change (an import's dry run) and silenced every kick
 * after it, leaving notices to the five-minute sweep.
 */
void
outbox_kick(struct practiced *pd)
{
	if (pd->outbox != NULL)
		(void)db_after_commit(pd->db, outbox_rearm, pd);
}

static int
notice_of(const char *word)
{
	int	 i;

	for (i = 0; i < NOTICE_COUNT; i++)
		if (strcmp(notice_words[i], word) == 0)
			return i;
	return NOTICE_REMINDER;
}

static void
copy_column(sqlite3_stmt *stmt, int col, char *buf, size_t len)
{
	const char	*s = db_column_text(stmt, col);

	snprintf(buf, len, "%s", s != NULL ? s : "");
}

/* The due rows, read whole before any is changed. */
static int
outbox_read_due(struct outbox *ob, time_t now, struct message_row *rows)
{
	sqlite3_stmt	*stmt;
	int		 n = 0;

	if ((stmt = db_stmt(ob->pd->db, outbox_due_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sqlite3_bind_int(stmt, 2, OUTBOX_BATCH);
	db_bind_text(stmt, 3, ob->pd->conf->timezone);
	while (n < OUTBOX_BATCH && sqlite3_step(stmt) == SQLITE_ROW) {
		struct message_row *m = &rows[n++];

		memset(m, 0, sizeof(*m));
		m->id = sqlite3_column_int64(stmt, 0);
		m->notice = notice_of(db_column_text(stmt, 1));
		m->channel = strcmp(db_column_text(stmt, 2), "sms") == 0 ?
		    CHANNEL_SMS : CHANNEL_EMAIL;
		copy_column(stmt, 3, m->recipient, sizeof(m->recipient));
		m->version = sqlite3_column_int(stmt, 4);
		m->start = (time_t)sqlite3_column_int64(stmt, 5);
		copy_column(stmt, 6, m->zone, sizeof(m->zone));
		copy_column(stmt, 7, m->client, sizeof(m->client));
		copy_column(stmt, 8, m->clinician, sizeof(m->clinician));
		copy_column(stmt, 9, m->place, sizeof(m->place));
		copy_column(stmt, 10, m->rrule, sizeof(m->rrule));
		copy_column(stmt, 11, m->until, sizeof(m->until));
		m->appt_id = sqlite3_column_int64(stmt, 12);
		m->end = (time_t)sqlite3_column_int64(stmt, 13);
		m->created = (time_t)sqlite3_column_int64(stmt, 14);
		m->modified = (time_t)sqlite3_column_int64(stmt, 15);
		copy_column(stmt, 16, m->practice_uid, sizeof(m->practice_uid));
		m->also = sqlite3_column_int(stmt, 17);
		m->also_last = (time_t)sqlite3_column_int64(stmt, 18);
		m->series_ends = sqlite3_column_int(stmt, 19);
		m->series_open = sqlite3_column_int(stmt, 20);
	}
	sqlite3_reset(stmt);
	return n;
}

static int
outbox_record_attempt(struct outbox *ob, long long id, int attempt,
    time_t now, const char *outcome, const char *detail)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ob->pd->db, outbox_attempt_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, attempt);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)now);
	if (outcome != NULL)
		sqlite3_bind_int64(stmt, 4, (sqlite3_int64)now);
	db_bind_text(stmt, 5, outcome);
	db_bind_text(stmt, 6, detail);
	return db_exec_stmt(ob->pd->db, stmt);
}

/* The row's new state; the attempt it now is, or -1. */
static int
outbox_claim(struct outbox *ob, long long id, const char *state,
    const char *reason, const char *provider_id, time_t now)
{
	sqlite3_stmt	*stmt;
	int		 attempt = -1;

	if ((stmt = db_stmt(ob->pd->db, outbox_claim_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, state);
	db_bind_text(stmt, 3, reason);
	db_bind_text(stmt, 4, provider_id);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		attempt = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return attempt;
}

static int
outbox_expire(struct outbox *ob, long long id, const char *why, time_t now)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ob->pd->db, outbox_expire_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, why);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)now);
	return db_exec_stmt(ob->pd->db, stmt);
}

struct outbox_tests *
outbox_tests(struct outbox *ob)
{
	return ob->tests;
}

int
outbox_submit(struct outbox *ob, struct send_job *job)
{
	return sender_submit(ob->sender, job);
}

/* With no provider for its channel, a message is written as a file the
 * practice can read: what the client would have received.  Written
 * under a hidden name and renamed, so that whoever watches the folder
 * never reads half a message. */
int
outbox_write(struct outbox *ob, const char *name, const char *text)
{
	char	 path[4096], tmp[4096];
	int	 fd;
	size_t	 n = strlen(text);
	ssize_t	 w;

	snprintf(path, sizeof(path), "%s/%s", ob->folder, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", ob->folder, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		log_warn("outbox: %s", tmp);
		return -1;
	}
	w = write(fd, text, n);
	if (close(fd) == -1 || w != (ssize_t)n || rename(tmp, path) == -1) {
		log_warn("outbox: %s", path);
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* One due row: expired, written, or claimed with *job to send.  -1 on a
 * database or file error (the claim's transaction rolls back). */
static int
outbox_take(struct outbox *ob, const struct message_row *m, time_t now,
    struct send_job **job)
{
	const struct config	*conf = ob->pd->conf;
	char			*text, name[128], why[256];
	int			 attempt;

	*job = NULL;
	if (m->start <= now)
		return outbox_expire(ob, m->id, "the session had begun", now);
	if ((text = message_render_read(ob->pd, m, now)) == NULL)
		return -1;
	if ((*job = message_job(conf, m, text)) != NULL) {
		if ((attempt = outbox_claim(ob, m->id, "sending", NULL, NULL,
		    now)) == -1)
			return -1;
		return outbox_record_attempt(ob, m->id, attempt, now, NULL,
		    NULL);
	}
	snprintf(name, sizeof(name), "%lld-%s.%s", m->id,
	    notice_words[m->notice], m->channel == CHANNEL_EMAIL ? "eml" :
	    "sms.txt");
	if (outbox_write(ob, name, text) == -1) {
		free(text);
		return -1;
	}
	free(text);
	snprintf(why, sizeof(why), "written to %s (no %s configured)",
	    ob->folder, m->channel == CHANNEL_EMAIL ? "[smtp]" : "[sms]");
	if ((attempt = outbox_claim(ob, m->id, "sent", why, name, now)) == -1)
		return -1;
	return outbox_record_attempt(ob, m->id, attempt, now, "sent", why);
}

/* Due rows claimed in an open transaction, and the jobs to hand over
 * once it commits. */
struct outbox_batch {
	struct message_row	 rows[OUTBOX_BATCH];
	struct send_job		*jobs[OUTBOX_BATCH];
	int			 n;
};

/* Claims up to a batch inside the caller's transaction; -1 (the jobs
 * made so far freed) when the caller must undo it. */
static int
outbox_claim_batch(struct outbox *ob, time_t now, struct outbox_batch *b)
{
	int	 i, taken = 0;

	memset(b->jobs, 0, sizeof(b->jobs));
	if ((b->n = outbox_read_due(ob, now, b->rows)) == -1) {
		b->n = 0;
		return -1;
	}
	/* A row that failed may already have made its job: free it too. */
	for (i = 0; i < b->n; i++) {
		taken++;
		if (outbox_take(ob, &b->rows[i], now, &b->jobs[i]) == -1)
			break;
	}
	if (i == b->n)
		return 0;
	while (taken-- > 0)
		send_job_free(b->jobs[taken]);
	b->n = 0;
	return -1;
}

/* After the commit: the claimed jobs leave. */
static void
outbox_batch_submit(struct outbox *ob, struct outbox_batch *b)
{
	int	 i;

	for (i = 0; i < b->n; i++)
		if (b->jobs[i] != NULL)
			sender_submit(ob->sender, b->jobs[i]);
	b->n = 0;
}

/* Rolled back: nothing is claimed, nothing leaves. */
static void
outbox_batch_drop(struct outbox_batch *b)
{
	int	 i;

	for (i = 0; i < b->n; i++)
		send_job_free(b->jobs[i]);
	b->n = 0;
}

/* Claims up to a batch; 1 when the batch was full (more may be due). */
static int
outbox_dispatch(struct outbox *ob, time_t now)
{
	int	 full;

	if (db_begin(ob->pd->db) == -1)
		return -1;
	if (outbox_claim_batch(ob, now, ob->batch) == -1) {
		db_rollback(ob->pd->db);
		return -1;
	}
	if (db_commit(ob->pd->db) == -1) {
		db_rollback(ob->pd->db);
		outbox_batch_drop(ob->batch);
		return -1;
	}
	full = ob->batch->n == OUTBOX_BATCH;
	outbox_batch_submit(ob, ob->batch);
	return full;
}

static void
outbox_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct outbox	*ob = arg;
	struct timeval	 again = { 0, 0 };
	time_t		 now = time(NULL);
	int		 more;

	(void)fd;
	(void)what;
	/*
	 * Claim no faster than the sender sends: a batch waits while
	 * OUTBOX_AHEAD are out.  The loop stays free between batches, and
	 * a crash finds only what was nearly on its way "sending".  The
	 * results coming back arm the timer again.
	 */
	if (sender_outstanding(ob->sender) >= OUTBOX_AHEAD)
		return;
	if ((more = outbox_dispatch(ob, now)) == -1) {
		log_warnx("outbox: cannot claim due reminders; trying again "
		    "in a minute");
		again.tv_sec = 60;
	}
	if (more != 0)
		evtimer_add(ob->timer, &again);
	else
		outbox_arm(ob, now);
}

static time_t
outbox_backoff(int attempt, time_t now)
{
	long	 delay = BACKOFF_FIRST;

	while (--attempt > 0 && delay < BACKOFF_MAX)
		delay *= 2;
	if (delay > BACKOFF_MAX)
		delay = BACKOFF_MAX;
	/* Jitter, so retries of a burst spread out. */
	return now + delay - delay / 5 + (time_t)(random() % (delay / 5 + 1));
}

static time_t
outbox_start_of(struct outbox *ob, long long id)
{
	sqlite3_stmt	*stmt;
	time_t		 start = 0;

	if ((stmt = db_stmt(ob->pd->db, outbox_start_of_sql)) == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		start = (time_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return start;
}

/* The row's state after a result, with when and why. */
struct outbox_verdict {
	const char	*state;
	time_t		 due;		/* 0: unchanged */
	char		 reason[320];
	char		*provider_id;
};

static void
outbox_judge(struct outbox *ob, const struct send_result *r, int attempts,
    time_t now, struct outbox_verdict *v)
{
	time_t	 next;

	memset(v, 0, sizeof(*v));
	snprintf(v->reason, sizeof(v->reason), "%s", r->detail);
	if (r->outcome == SEND_SENT) {
		v->state = "sent";
		v->provider_id = sms_provider_id(r->response);
		return;
	}
	if (r->outcome == SEND_FAILED) {
		v->state = "failed";
		return;
	}
	next = outbox_backoff(attempts, now);
	if (attempts >= OUTBOX_MAX_ATTEMPTS) {
		v->state = "failed";
		snprintf(v->reason, sizeof(v->reason), "gave up after %d "
		    "tries: %s", attempts, r->detail);
	} else if (next >= outbox_start_of(ob, r->id)) {
		v->state = "expired";
		snprintf(v->reason, sizeof(v->reason), "no try left before the "
		    "session: %s", r->detail);
	} else {
		v->state = "pending";
		v->due = next;
	}
}

/* The attempt this result is of, and the tries since the last retry the
 * staff asked for (the budget OUTBOX_MAX_ATTEMPTS counts those). */
static int
outbox_attempts_of(struct outbox *ob, long long id, int *tries)
{
	static const char *sql =
	    "SELECT attempts, attempts - retry_from FROM reminders"
	    "  WHERE id = ?1";
	sqlite3_stmt	*stmt;
	int		 n = 0;

	*tries = 0;
	if ((stmt = db_stmt(ob->pd->db, sql)) == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		n = sqlite3_column_int(stmt, 0);
		*tries = sqlite3_column_int(stmt, 1);
	}
	sqlite3_reset(stmt);
	return n;
}

static int
outbox_store_result(struct outbox *ob, const struct send_result *r,
    int attempt, const struct outbox_verdict *v, time_t now)
{
	static const char *outcomes[] = { "sent", "retry", "failed" };
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ob->pd->db, outbox_result_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, r->id);
	db_bind_text(stmt, 2, v->state);
	if (v->due != 0)
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)v->due);
	db_bind_text(stmt, 4, r->outcome == SEND_SENT ? NULL : v->reason);
	db_bind_text(stmt, 5, v->provider_id);
	sqlite3_bind_int(stmt, 6, r->in_doubt);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)now);
	if (db_exec_stmt(ob->pd->db, stmt) == -1 ||
	    (stmt = db_stmt(ob->pd->db, outbox_result_delivery_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, r->id);
	sqlite3_bind_int(stmt, 2, attempt);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)now);
	db_bind_text(stmt, 4, r->in_doubt && r->outcome != SEND_SENT ?
	    "in_doubt" : outcomes[r->outcome]);
	if (r->code != 0)
		sqlite3_bind_int64(stmt, 5, r->code);
	db_bind_text(stmt, 6, r->detail);
	return db_exec_stmt(ob->pd->db, stmt);
}

/* One result, inside the caller's transaction; -1 on a database error. */
static int
outbox_record(struct outbox *ob, const struct send_result *r, time_t now)
{
	struct outbox_verdict	 v;
	int			 attempt, tries, rc;

	attempt = outbox_attempts_of(ob, r->id, &tries);
	outbox_judge(ob, r, tries, now, &v);
	rc = outbox_store_result(ob, r, attempt, &v, now);
	if (rc == 0 && strcmp(v.state, "sent") != 0)
		log_info("outbox: reminder %lld %s: %s", r->id, v.state,
		    v.reason);
	free(v.provider_id);
	return rc;
}

/* In the results' transaction, the next batch when the sender has room:
 * one commit (one fsync) for both.  A claim that fails is undone alone;
 * the timer tries it again. */
static void
outbox_claim_more(struct outbox *ob, time_t now)
{
	if (sender_outstanding(ob->sender) >= OUTBOX_AHEAD ||
	    db_savepoint(ob->pd->db, "claim") == -1)
		return;
	if (outbox_claim_batch(ob, now, ob->batch) == -1)
		db_rollback_to(ob->pd->db, "claim");
	else
		db_release(ob->pd->db, "claim");
}

/* The results back from the sender, on the loop's thread: one commit for
 * all that came back together, and the next batch claimed with them. */
static void
outbox_on_results(struct send_result *rs, size_t n, void *arg)
{
	struct outbox	*ob = arg;
	time_t		 now = time(NULL);
	size_t		 i;

	if (db_begin(ob->pd->db) == -1) {
		log_warnx("outbox: %zu results not recorded; they stay in "
		    "flight until practiced restarts and sends them again", n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (rs[i].id <= -AGENDA_MAIL_IDS) {
			agenda_mail_done(&rs[i]);
			continue;
		}
		if (rs[i].id < 0) {
			outbox_test_done(ob->tests, &rs[i]);
			continue;
		}
		if (outbox_record(ob, &rs[i], now) == -1)
			break;
	}
	if (i < n) {
		db_rollback(ob->pd->db);
		log_warnx("outbox: %zu results not recorded; they stay in "
		    "flight until practiced restarts and sends them again", n);
		outbox_arm(ob, now);
		return;
	}
	outbox_claim_more(ob, now);
	if (db_commit(ob->pd->db) == -1) {
		db_rollback(ob->pd->db);
		outbox_batch_drop(ob->batch);
		log_warnx("outbox: %zu results not recorded; they stay in "
		    "flight until practiced restarts and sends them again", n);
	} else
		outbox_batch_submit(ob, ob->batch);
	outbox_arm(ob, now);
}

static int
outbox_recover(struct outbox *ob, time_t now)
{
	sqlite3_stmt	*stmt;
	int		 changed;

	if (db_begin(ob->pd->db) == -1)
		return -1;
	if ((stmt = db_stmt(ob->pd->db, outbox_recover_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	if (db_exec_stmt(ob->pd->db, stmt) == -1)
		goto fail;
	changed = sqlite3_changes(db_handle(ob->pd->db));
	if ((stmt = db_stmt(ob->pd->db, outbox_recover_deliveries_sql)) ==
	    NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	if (db_exec_stmt(ob->pd->db, stmt) == -1 ||
	    db_commit(ob->pd->db) == -1)
		goto fail;
	if (changed > 0)
		log_warnx("outbox: %d reminders were in flight at the last "
		    "stop; sending them again", changed);
	return 0;
fail:
	db_rollback(ob->pd->db);
	return -1;
}

/* The outbox folder beside the database, the daemon's alone. */
static char *
outbox_make_folder(const char *database)
{
	const char	*slash = strrchr(database, '/');
	char		*folder;

	if (asprintf(&folder, "%.*s/outbox", slash != NULL ?
	    (int)(slash - database) : 1, slash != NULL ? database : ".") == -1)
		return NULL;
	if (mkdir(folder, 0700) == -1 && errno != EEXIST) {
		log_warn("outbox: %s", folder);
		free(folder);
		return NULL;
	}
	return folder;
}

struct outbox *
outbox_start(struct practiced *pd)
{
	struct outbox	*ob;
	time_t		 now = time(NULL);

	if ((ob = calloc(1, sizeof(*ob))) == NULL)
		return NULL;
	ob->pd = pd;
	if ((ob->tests = outbox_tests_new(pd)) == NULL ||
	    (ob->batch = calloc(1, sizeof(*ob->batch))) == NULL ||
	    (ob->folder = outbox_make_folder(pd->conf->database)) == NULL ||
	    outbox_recover(ob, now) == -1 ||
	    (ob->timer = evtimer_new(pd->base, outbox_on_timer, ob)) == NULL ||
	    event_priority_set(ob->timer,
	    event_base_get_npriorities(pd->base) - 1) == -1 ||
	    (ob->sender = sender_start(pd->base, OUTBOX_SENDERS,
	    outbox_on_results, ob)) == NULL) {
		outbox_stop(ob);
		return NULL;
	}
	srandom((unsigned)now ^ (unsigned)getpid());
	outbox_arm(ob, now);
	return ob;
}

void
outbox_stop(struct outbox *ob)
{
	if (ob == NULL)
		return;
	sender_stop(ob->sender, OUTBOX_STOP_GRACE);
	if (ob->timer != NULL)
		event_free(ob->timer);
	outbox_tests_free(ob->tests);
	free(ob->batch);
	free(ob->folder);
	free(ob);
}
