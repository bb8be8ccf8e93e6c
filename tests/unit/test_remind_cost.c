/*
 * What re-planning one session's reminders reads does not grow with the
 * rest of the practice's reminders.  Counted in SQLite's virtual
 * machine steps, not in time: a query that scans every pending or
 * superseded row of the practice (the planner's choice on a database
 * without statistics) shows as steps in proportion, whatever the
 * machine.  Such scans made a whole-series move of a daily series take
 * longer with every move.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "remind.h"

#include "practice.h"
#include "unit.h"

/* Jordan's session 1 ahead, with an email reminder a day before and a
 * notice of each change. */
static int
cost_setup(struct practice *p)
{
	p->conf.reminders.rules[0].channel = CHANNEL_EMAIL;
	p->conf.reminders.rules[0].minutes = 1440;
	p->conf.reminders.nrules = 1;
	p->conf.reminders.notices = 1;
	p->conf.reminders.grace_seconds = 600;
	return practice_exec(p,
	    "UPDATE clients SET email = 'j@example.org', remind_email = 1"
	    "  WHERE id IN (1, 2);"
	    "INSERT INTO appointments (id, clinician_id, client_id,"
	    "  service_id, start_utc, end_utc, block_end_utc, zone, state,"
	    "  version, created, updated) VALUES (1, 1, 1, 1, 1894615200,"
	    "  1894618200, 1894618800, 'UTC', 'booked', 1, 0, 0)");
}

/* n more sessions of Maria's, each with a reminder pending, one
 * superseded and a notice superseded. */
static int
cost_fill(struct practice *p, int n)
{
	char	 sql[1024];

	snprintf(sql, sizeof(sql),
	    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
	    "  WHERE i < %d)"
	    " INSERT INTO appointments (clinician_id, client_id, service_id,"
	    "  start_utc, end_utc, block_end_utc, zone, state, version,"
	    "  created, updated) SELECT 2, 2, 1, 1900000000 + i * 3600,"
	    "  1900000000 + i * 3600 + 3000, 1900000000 + i * 3600 + 3600,"
	    "  'UTC', 'booked', 2, 0, 0 FROM k;"
	    "INSERT INTO reminders (appointment_id, notice, channel,"
	    "  rule_minutes, version, due_utc, state, recipient, created,"
	    "  updated) SELECT a.id, v.notice, 'email', v.rule, v.version,"
	    "  a.start_utc - 86400, v.state, 'm@example.org', 0, 0"
	    "  FROM appointments a, (SELECT 'reminder' AS notice, 1440 AS rule,"
	    "  2 AS version, 'pending' AS state UNION ALL SELECT 'reminder',"
	    "  1440, 1, 'superseded' UNION ALL SELECT 'reschedule', NULL, 2,"
	    "  'superseded') v WHERE a.client_id = 2 AND NOT EXISTS (SELECT 1"
	    "  FROM reminders r WHERE r.appointment_id = a.id)", n);
	return practice_exec(p, sql);
}

/* Session 1 moved an hour later: the steps its re-plan took. */
static long long
cost_move(struct practice *p, int k)
{
	struct remind_seen	 before;
	long long		 steps;
	char			 sql[256];

	memset(&before, 0, sizeof(before));
	before.booked = 1;
	before.start = 1894615200 + (k - 1) * 3600;
	snprintf(sql, sizeof(sql), "UPDATE appointments SET start_utc ="
	    " %lld, end_utc = %lld, block_end_utc = %lld, version = %d"
	    " WHERE id = 1", (long long)before.start + 3600,
	    (long long)before.start + 6600, (long long)before.start + 7200,
	    k + 1);
	if (practice_exec(p, sql) == -1)
		return -1;
	practice_reset(p, PRACTICE_NOW + k);
	(void)practice_vm_steps(p);
	if (db_begin(p->pd.db) == -1)
		return -1;
	if (remind_plan(&p->ctx, 1, REMIND_MOVED, &before) == -1) {
		db_rollback(p->pd.db);
		return -1;
	}
	steps = practice_vm_steps(p);
	return db_commit(p->pd.db) == -1 ? -1 : steps;
}

void
test_remind_cost(void)
{
	struct practice	 p;
	long long	 few, many;

	if (practice_open(&p) == -1 || cost_setup(&p) == -1 ||
	    cost_fill(&p, 500) == -1) {
		CHECK(!"the practice could be set up");
		practice_close(&p);
		return;
	}
	/* The first move makes the session's own rows of a move; each
	 * later one finds about as many of them. */
	CHECK(cost_move(&p, 1) > 0);
	few = cost_move(&p, 2);
	CHECK(cost_fill(&p, 20000) == 0);
	many = cost_move(&p, 3);
	CHECK(few > 0 && many > 0);
	if (many > few * 3 / 2)
		fprintf(stderr, "re-planning one session: %lld steps among "
		    "500 other sessions, %lld among 20,500\n", few, many);
	CHECK(many <= few * 3 / 2);
	/* It did re-plan: the moved session's reminder waits at its time. */
	CHECK(practice_int(&p, "SELECT count(*) FROM reminders WHERE"
	    " appointment_id = 1 AND notice = 'reminder' AND state ="
	    " 'pending' AND due_utc = 1894615200 + 3 * 3600 - 86400") == 1);
	practice_close(&p);
}
