/*
 * Series through the domain against an in-memory practice: what gets
 * booked, what a clash or a closure does under each mode, the horizon
 * and its extension by the daemon itself, and moves and cancellations
 * by scope.
 */
#include <stdio.h>
#include <string.h>

#include "book.h"
#include "closure.h"
#include "db.h"
#include "practice.h"
#include "series.h"
#include "unit.h"

/* Ana and Jordan, Tuesdays at 10:00 from 2030-01-08. */
static int
weekly(struct practice *p, const char *repeat, long long count, int skip,
    int overlap, struct appt_result *res)
{
	struct series_booking	 b;

	memset(&b, 0, sizeof(b));
	b.appt.clinician_id = ANA;
	b.appt.client_id = JORDAN;
	b.appt.service_id = SESSION;
	b.appt.start = AT(1, 10, 0);
	b.appt.overlap = overlap;
	b.repeat = repeat;
	b.count = count;
	b.skip = skip;
	memset(res, 0, sizeof(*res));
	return series_book(&p->ctx, &b, res);
}

/* Whether series_json gives the series the state want, as of now. */
static int
series_state_is(struct practice *p, long long id, const char *want)
{
	json_t		*s = series_json(&p->ctx, id);
	const char	*state = json_string_value(json_object_get(s, "state"));
	int		 is = state != NULL && strcmp(state, want) == 0;

	json_decref(s);
	return is;
}

/* The series a split continued series id as, by series_json; 0: none. */
static long long
series_continues_as(struct practice *p, long long id)
{
	json_t		*s = series_json(&p->ctx, id);
	long long	 next = json_integer_value(json_object_get(s,
			    "continues_as"));

	json_decref(s);
	return next;
}

static long long
count(struct practice *p, const char *where)
{
	char	 sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM appointments"
	    " WHERE %s", where);
	return practice_int(p, sql);
}

/* What each mode does with the same obstacle in week 2. */
static void
test_series_modes(struct practice *p, const char *obstacle,
    enum proto_error refusal, const char *reason)
{
	static const struct {
		int		 skip, overlap;
		int		 booked_ok;	/* -1: refused */
	} modes[] = {
		{ 0, 0, -1 },
		{ 1, 0, 3 },
		{ 0, 1, 4 },		/* overlap books clashes... */
	};
	struct appt_result	 res;
	char			 sql[128];
	size_t			 i;
	int			 want;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		practice_reset(p, PRACTICE_NOW);
		CHECK(db_begin(p->pd.db) == 0);
		CHECK(practice_exec(p, obstacle) == 0);
		want = modes[i].booked_ok;
		if (modes[i].overlap && refusal == PROTO_ECLOSED)
			want = 3;	/* ...but skips closures */
		if (want == -1) {
			CHECK(weekly(p, "weekly", 4, modes[i].skip,
			    modes[i].overlap, &res) == -1);
			CHECK(p->ctx.err == refusal);
			CHECK(json_array_size(json_object_get(p->ctx.details,
			    "clashes")) == 1);
		} else {
			CHECK(weekly(p, "weekly", 4, modes[i].skip,
			    modes[i].overlap, &res) == 0);
			CHECK(res.count == want);
			CHECK(json_array_size(res.skipped) == (size_t)(4 - want));
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM"
			    " series_skips WHERE reason = '%s'", reason);
			CHECK(practice_int(p, sql) == 4 - want);
		}
		appt_result_clear(&res);
		db_rollback(p->pd.db);
	}
}

static void
test_series_book(struct practice *p)
{
	struct appt_result	 res;
	char			 sql[512];

	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(weekly(p, "weekly", 4, 0, 0, &res) == 0);
	CHECK(res.count == 4 && res.series_id == 1 && res.appt_id > 0);
	CHECK(count(p, "series_id = 1 AND recurrence_utc = start_utc") == 4);
	snprintf(sql, sizeof(sql), "SELECT max(start_utc) FROM appointments");
	CHECK(practice_int(p, sql) == AT(1, 10, 0) + 21 * PRACTICE_DAY);
	CHECK(practice_int(p, "SELECT count(*) FROM audit WHERE action ="
	    " 'series.book' AND user = 'frontdesk'") == 1);
	appt_result_clear(&res);
	db_rollback(p->pd.db);

	/* A clash with Maria in week 2, then a closure in week 2. */
	snprintf(sql, sizeof(sql), "INSERT INTO appointments (clinician_id,"
	    "  client_id, service_id, start_utc, end_utc, block_end_utc, zone,"
	    "  created, updated) VALUES (1, 2, 1, %lld, %lld, %lld, 'UTC', 0, 0)",
	    (long long)AT(8, 10, 30), (long long)AT(8, 11, 20),
	    (long long)AT(8, 11, 30));
	test_series_modes(p, sql, PROTO_ECONFLICT, "clash");
	snprintf(sql, sizeof(sql), "INSERT INTO closures (first_day, last_day,"
	    "  zone, start_utc, end_utc, reason, created) VALUES ('2030-01-15',"
	    "  '2030-01-15', 'UTC', %lld, %lld, 'Training', 0)",
	    (long long)AT(8, 0, 0), (long long)AT(9, 0, 0));
	test_series_modes(p, sql, PROTO_ECLOSED, "closure");

	/* Starting in the past needs force. */
	practice_reset(p, AT(1, 10, 1));
	CHECK(weekly(p, "weekly", 4, 0, 0, &res) == -1);
	CHECK(p->ctx.err == PROTO_EPAST);
	/* An UNTIL in the rule is bounded like a date typed. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(weekly(p, "FREQ=WEEKLY;UNTIL=29991231", 0, 0, 0, &res) == -1);
	CHECK(p->ctx.err == PROTO_EBADREQUEST);
	CHECK(strstr(p->ctx.msg, "outside the dates") != NULL);
	appt_result_clear(&res);
	db_rollback(p->pd.db);
	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(weekly(p, "FREQ=WEEKLY;UNTIL=20300129", 0, 0, 0, &res) == 0);
	CHECK(res.count == 4);
	appt_result_clear(&res);
	db_rollback(p->pd.db);
	/* A rule the first session does not fit. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(weekly(p, "FREQ=WEEKLY;BYDAY=MO", 4, 0, 0, &res) == -1);
	CHECK(p->ctx.err == PROTO_EBADREQUEST);
}

/*
 * Open-ended, a series is booked to the horizon (28 days); a week on,
 * the daemon's own extension books one more, in its own name, in turns
 * of a given number of series that go on where the last one stopped.
 */
static void
test_series_horizon(struct practice *p)
{
	struct series_booking	 b;
	struct appt_result	 res;
	struct ctx		 daemon;
	long long		 cursor = 0;
	size_t			 n;
	int			 i;

	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	for (i = 0; i < 3; i++) {
		/* Tuesdays at 10:00, 12:00 and 14:00. */
		memset(&b, 0, sizeof(b));
		b.appt.clinician_id = ANA;
		b.appt.client_id = JORDAN;
		b.appt.service_id = SESSION;
		b.appt.start = AT(1, 10 + 2 * i, 0);
		b.repeat = "weekly";
		CHECK(series_book(&p->ctx, &b, &res) == 0);
		CHECK(res.count == 4);	/* Jan 8, 15, 22, 29; not Feb 5 */
		appt_result_clear(&res);
	}
	CHECK(db_commit(p->pd.db) == 0);

	ctx_init_internal(&daemon, &p->pd, PRACTICE_NOW + 7 * PRACTICE_DAY,
	    "practiced");
	CHECK(series_extend(&daemon, &cursor, 2, &n) == 1);
	CHECK(n == 2 && cursor == 2);
	CHECK(count(p, "start_utc > 1896000000") == 2);
	CHECK(series_extend(&daemon, &cursor, 2, &n) == 0);
	CHECK(n == 1 && cursor == 0);
	CHECK(count(p, "series_id IS NOT NULL") == 15);
	CHECK(practice_int(p, "SELECT count(*) FROM audit WHERE action ="
	    " 'series.extend' AND user = 'practiced' AND role = 'admin'") == 3);
	/* Twice is once: nothing more to book, nothing more recorded. */
	CHECK(series_extend(&daemon, &cursor, 0, &n) == 0 && n == 0);
	CHECK(count(p, "series_id IS NOT NULL") == 15);
	ctx_clear(&daemon);
	CHECK(practice_exec(p, "DELETE FROM audit; DELETE FROM appointments;"
	    " DELETE FROM series") == 0);
}

static void
test_series_scopes(struct practice *p)
{
	struct appt_change	 ch;
	struct appt_result	 res;
	char			 where[128];
	long long		 third;

	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(weekly(p, "weekly", 4, 0, 0, &res) == 0);
	appt_result_clear(&res);
	third = practice_int(p, "SELECT id FROM appointments"
	    " ORDER BY start_utc LIMIT 1 OFFSET 2");

	/* All: every session to come goes an hour later. */
	memset(&ch, 0, sizeof(ch));
	ch.scope = APPT_ALL;
	ch.start = AT(15, 11, 0);
	CHECK(book_move(&p->ctx, third, &ch, &res) == 0);
	CHECK(res.count == 4);
	CHECK(count(p, "state = 'booked' AND (start_utc - 3600) % 86400 = 10 * 3600")
	    == 4);
	appt_result_clear(&res);

	/* Following from the third: to Wednesdays, the series splits. */
	memset(&ch, 0, sizeof(ch));
	ch.scope = APPT_FOLLOWING;
	ch.start = AT(16, 11, 0);
	CHECK(book_move(&p->ctx, third, &ch, &res) == 0);
	CHECK(res.count == 2 && res.series_id == 2);
	/* The old series has sessions ahead: active until its last one. */
	CHECK(series_state_is(p, 1, "active"));
	CHECK(series_continues_as(p, 1) == 2);
	CHECK(series_continues_as(p, 2) == 0);
	CHECK(practice_int(p, "SELECT parent_id FROM series WHERE id = 2")
	    == 1);
	snprintf(where, sizeof(where), "series_id = 2 AND start_utc IN (%lld,"
	    " %lld)", (long long)AT(16, 11, 0), (long long)AT(23, 11, 0));
	CHECK(count(p, where) == 2);
	CHECK(count(p, "series_id = 1 AND state = 'booked'") == 2);
	appt_result_clear(&res);
	db_rollback(p->pd.db);
}

static void
test_series_cancel(struct practice *p)
{
	struct appt_result	 res;
	long long		 first, third;

	/* Following, from the third, by the client a few hours ahead. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(weekly(p, "weekly", 4, 0, 0, &res) == 0);
	appt_result_clear(&res);
	first = practice_int(p, "SELECT min(id) FROM appointments");
	third = practice_int(p, "SELECT id FROM appointments"
	    " ORDER BY start_utc LIMIT 1 OFFSET 2");
	practice_reset(p, AT(15, 6, 0));
	CHECK(book_cancel(&p->ctx, third, APPT_FOLLOWING, "client", NULL,
	    &res) == 0);
	CHECK(res.count == 2);
	CHECK(count(p, "state = 'cancelled' AND late = 1") == 1);
	CHECK(count(p, "state = 'cancelled' AND late = 0") == 1);
	CHECK(count(p, "state = 'booked'") == 2);
	/* Its two sessions left have begun: the series has ended. */
	CHECK(series_state_is(p, 1, "ended"));
	appt_result_clear(&res);

	/* All, from the first: what is still open goes. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(book_cancel(&p->ctx, first, APPT_ALL, "practice", "moved away",
	    &res) == 0);
	CHECK(res.count == 2);
	CHECK(count(p, "state = 'booked'") == 0);
	CHECK(practice_int(p, "SELECT count(*) FROM series WHERE"
	    " state = 'cancelled'") == 1);
	appt_result_clear(&res);
	db_rollback(p->pd.db);

	/* Scope on a one-off is refused. */
	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(practice_exec(p, "INSERT INTO appointments (clinician_id,"
	    " client_id, service_id, start_utc, end_utc, block_end_utc, zone,"
	    " created, updated) VALUES (1, 1, 1, 1894100000, 1894103000,"
	    " 1894103600, 'UTC', 0, 0)") == 0);
	CHECK(book_cancel(&p->ctx, practice_int(p, "SELECT max(id) FROM"
	    " appointments"), APPT_ALL, "practice", NULL, &res) == -1);
	CHECK(p->ctx.err == PROTO_EBADREQUEST);
	db_rollback(p->pd.db);
}

/* A closure skips a session; removing it books the session again. */
static void
test_series_closure(struct practice *p)
{
	struct closure_new	 c;
	struct appt_result	 res;
	json_t			*removed, *skipped, *affected, *booked;
	long long		 id, total;
	int			 restored;

	memset(&c, 0, sizeof(c));
	c.from = "2030-01-15";
	c.reason = "Training";
	practice_reset(p, PRACTICE_NOW);
	CHECK(db_begin(p->pd.db) == 0);
	CHECK(closure_add(&p->ctx, &c, &id) == 0);
	CHECK(weekly(p, "weekly", 4, 1, 0, &res) == 0);
	CHECK(res.count == 3);
	appt_result_clear(&res);
	CHECK((affected = closure_affected(&p->ctx, id, &total)) != NULL &&
	    json_array_size(affected) == 0 && total == 0);
	json_decref(affected);
	CHECK(closure_remove(&p->ctx, id, &removed, &restored,
	    &skipped, &booked) == 0);
	CHECK(restored == 1 && json_array_size(skipped) == 0);
	CHECK(json_array_size(booked) == 1);
	json_decref(booked);
	CHECK_STR(json_string_value(json_object_get(removed, "from")),
	    "2030-01-15");
	CHECK(count(p, "series_id = 1 AND state = 'booked'") == 4);
	CHECK(practice_int(p, "SELECT count(*) FROM series_skips") == 0);
	json_decref(removed);
	json_decref(skipped);

	/* Gone is gone; bad days and long closures are refused. */
	CHECK(closure_remove(&p->ctx, id, &removed, &restored,
	    &skipped, &booked) == -1 && p->ctx.err == PROTO_ENOTFOUND);
	practice_reset(p, PRACTICE_NOW);
	c.from = "2030-02-30";
	CHECK(closure_add(&p->ctx, &c, &id) == -1 &&
	    p->ctx.err == PROTO_EBADREQUEST);
	practice_reset(p, PRACTICE_NOW);
	c.from = "2030-01-15";
	c.to = "2031-03-01";
	CHECK(closure_add(&p->ctx, &c, &id) == -1 &&
	    p->ctx.err == PROTO_EBADREQUEST);
	db_rollback(p->pd.db);
}

void
test_series_domain(void)
{
	struct practice	 p;

	if (practice_open(&p) == -1) {
		CHECK(!"the series practice could be set up");
		practice_close(&p);
		return;
	}
	test_series_book(&p);
	test_series_horizon(&p);
	test_series_scopes(&p);
	test_series_cancel(&p);
	test_series_closure(&p);
	practice_close(&p);
}
