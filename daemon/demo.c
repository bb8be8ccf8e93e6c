/*
 * The demo practice for `make run`: two clinicians, a few clients, a
 * week of sessions from today and one weekly series, written only into
 * an empty database.
 */
#include <stdio.h>
#include <string.h>

#include "appt.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "practiced.h"
#include "tz.h"

static const char *demo_setup_sql =
    "INSERT INTO clinicians (name, email, zone, created) VALUES"
    "  ('Ana Ruiz', 'ana@example.org', ?1, ?2),"
    "  ('Sam Okafor', 'sam@example.org', ?1, ?2);"
    "INSERT INTO working_hours (clinician_id, weekday, start_min, end_min)"
    "  SELECT 1, d, 540, 1020 FROM (SELECT 0 d UNION SELECT 1 UNION"
    "  SELECT 2 UNION SELECT 3) UNION ALL SELECT 1, 4, 540, 780"
    "  UNION ALL SELECT 2, d, 600, 1140 FROM (SELECT 1 d UNION SELECT 2"
    "  UNION SELECT 3 UNION SELECT 4 UNION SELECT 5);"
    "INSERT INTO services (name, minutes, buffer) VALUES"
    "  ('Individual session', 50, 10), ('Couples session', 80, 10),"
    "  ('Intake', 60, 15);"
    "INSERT INTO rooms (name) VALUES ('Room 1'), ('Room 2');"
    /* Two agreed to texts, so the demo's outbox shows SMS; Chris has
     * not, and his reminders say why they are skipped. */
    "INSERT INTO clients (name, email, phone, remind_email, remind_sms,"
    "  created, sms_consent_at, sms_consent_by) VALUES"
    "  ('Jordan Lee', 'jl@example.org', '+15555550123', 1, 1, ?2, ?2,"
    "   'demo'),"
    "  ('Maria Santos', 'maria@example.org', NULL, 1, 0, ?2, NULL, NULL),"
    "  ('Chris Patel', NULL, '+15555550188', 0, 1, ?2, NULL, NULL),"
    "  ('Alex Kim', 'alex@example.org', '+15555550177', 1, 1, ?2, ?2,"
    "   'demo'),"
    "  ('Taylor Brooks', 'taylor@example.org', NULL, 1, 0, ?2, NULL, NULL);";

static int
demo_setup(struct practiced *pd)
{
	sqlite3		*h = db_handle(pd->db);
	sqlite3_stmt	*stmt;
	const char	*sql = demo_setup_sql, *tail;
	int		 rc;

	while (*sql != '\0') {
		if (sqlite3_prepare_v2(h, sql, -1, &stmt, &tail) != SQLITE_OK)
			return -1;
		if (stmt == NULL)
			break;
		sqlite3_bind_text(stmt, 1, pd->conf->timezone, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)time(NULL));
		rc = sqlite3_step(stmt);
		sqlite3_finalize(stmt);
		if (rc != SQLITE_DONE)
			return -1;
		sql = tail;
	}
	return 0;
}

/* Each weekday of the coming week: a few sessions per clinician. */
static int
demo_appointments(struct practiced *pd)
{
	static const struct { int clinician, client, hour, room; } plan[] = {
		{ 1, 1, 10, 1 }, { 1, 2, 14, 1 }, { 2, 3, 11, 2 },
		{ 2, 4, 17, 0 }, { 1, 5, 9, 1 },
	};
	const char	*zone = pd->conf->timezone;
	struct ctx	 ctx;
	struct appt_new	 a;
	struct tz_wall	 day, w;
	char		 err[128];
	time_t		 start;
	long long	 id;
	size_t		 i;
	int		 d;

	/* Seeded by the daemon itself, through the one writer of rows. */
	ctx_init_internal(&ctx, pd, time(NULL), "practiced");
	tz_to_wall(zone, ctx.now, &day);
	for (d = 1; d <= 7; d++) {
		tz_add_days(&day, 1);
		if (day.wday > 4)
			continue;
		for (i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
			/* Fridays Ana works mornings only. */
			if (day.wday == 4 && plan[i].clinician == 1 &&
			    plan[i].hour >= 13)
				continue;
			if (day.wday == 0 && plan[i].clinician == 2)
				continue;
			w = day;
			w.hour = plan[i].hour;
			w.minute = 0;
			if (tz_from_wall(zone, &w, &start, err,
			    sizeof(err)) == -1)
				continue;
			memset(&a, 0, sizeof(a));
			a.clinician_id = plan[i].clinician;
			a.client_id = plan[i].client;
			a.service_id = 1;	/* 50 minutes and 10 of buffer */
			a.room_id = plan[i].room;
			if (plan[i].room == 0)
				a.video = "https://video.example.org/sam";
			a.start = start;
			a.end = start + 50 * 60;
			a.block_end = start + 60 * 60;
			a.zone = zone;
			if (appt_insert(&ctx, &a, &id) == -1)
				return -1;
		}
	}
	return 0;
}

static const char *demo_series_sql =
    "INSERT INTO series (clinician_id, client_id, service_id, room_id,"
    "  rrule, zone, first_local, first_utc, minutes, buffer,"
    "  materialized_until, created, updated)"
    "  VALUES (1, 4, 1, 2, 'FREQ=WEEKLY', ?1, ?2, ?3, 50, 10, ?3, ?4, ?4)";

/*
 * A weekly series from next Wednesday at 15:00; the daemon's own
 * extension books its sessions to the horizon as it starts.
 */
static int
demo_series(struct practiced *pd)
{
	const char	*zone = pd->conf->timezone;
	struct tz_wall	 w;
	sqlite3_stmt	*stmt;
	char		 first[TZ_BUFLEN], err[128];
	time_t		 start, now = time(NULL);

	tz_to_wall(zone, now, &w);
	tz_add_days(&w, (2 - w.wday + 7) % 7 + 7 * ((2 - w.wday + 7) % 7 == 0));
	w.hour = 15;
	w.minute = 0;
	if (tz_from_wall(zone, &w, &start, err, sizeof(err)) == -1)
		return 0;
	snprintf(first, sizeof(first), "%04d-%02d-%02d 15:00", w.year,
	    w.month, w.day);
	if ((stmt = db_stmt(pd->db, demo_series_sql)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)start);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)now);
	return db_exec_stmt(pd->db, stmt);
}

int
demo_seed(struct practiced *pd)
{
	if (db_count(pd->db, "SELECT count(*) FROM clinicians") != 0)
		return 0;
	if (db_begin(pd->db) == -1)
		return -1;
	if (demo_setup(pd) == -1 || demo_appointments(pd) == -1 ||
	    demo_series(pd) == -1) {
		log_warnx("demo: %s", sqlite3_errmsg(db_handle(pd->db)));
		db_rollback(pd->db);
		return -1;
	}
	if (db_commit(pd->db) == -1)
		return -1;
	log_info("demo: seeded an empty database with a demo practice");
	return 0;
}
