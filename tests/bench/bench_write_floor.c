/*
 * The rows an import writes, written alone, for bench_import.py: the
 * floor of the import's database writes, with none of its reading,
 * rules, clash checks or series.
 *
 *	build/bench_write_floor DB SESSIONS REMINDERS
 *
 * DB is a copy of the benchmark's practice before the import (the
 * daemon's own schema, its clinicians and clients; a service is added
 * if it has none, as the importer adds one).  Each of SESSIONS
 * sessions is an event in a savepoint of its own, as the importer does,
 * with the rows every imported session has: the appointment, its
 * import_map entry and its audit entry; the last REMINDERS / 2 sessions
 * also get two reminder rows (the importer plans them for sessions
 * ahead).  The statements are the daemon's (appt.c, import_event.c,
 * audit.c, remind.c), with its pragmas (db.c) and the import's
 * synchronous=NORMAL; a commit ends every 20 ms of work, as an import
 * slice does (IMPORT_SLICE_MS).  Prints the CPU seconds it took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#define SLICE_MS	20

static const char *pragmas =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
    "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;"
    "PRAGMA temp_store = MEMORY";
static const char *appt_sql =
    "INSERT INTO appointments (clinician_id, client_id, service_id,"
    "  room_id, video_url, start_utc, end_utc, block_end_utc, zone,"
    "  forced, overlap, created, updated, series_id, recurrence_utc)"
    "  VALUES (?1, ?2, ?3, NULL, NULL, ?4, ?5, ?6, 'America/New_York',"
    "  0, 0, ?7, ?7, NULL, NULL)";
static const char *remind_sql =
    "INSERT INTO reminders (appointment_id, notice, channel,"
    "  rule_minutes, version, due_utc, state, recipient, reason, created,"
    "  updated) VALUES (?1, 'reminder', ?2, ?3, 1, ?4, 'skipped', NULL,"
    "  'the client takes no email reminders', ?5, ?5)"
    "  ON CONFLICT (appointment_id, notice, channel, rule_minutes, version)"
    "  DO UPDATE SET state = excluded.state";
static const char *map_sql =
    "INSERT OR REPLACE INTO import_map (uid, occurrence, clinician_id,"
    "  appointment_id, busy_id, sequence, hash, clash, imported)"
    "  VALUES (?1, ?2, ?3, ?4, NULL, 0, '050094be15258e9a', 0, ?5)";
static const char *audit_sql =
    "INSERT INTO audit (at, uid, user, role, action, object, object_id,"
    "  detail) VALUES (?1, 0, 'import', 'admin', 'appointment.book',"
    "  'appointment', ?2, ?3)";

enum { S_BEGIN, S_COMMIT, S_SAVE, S_RELEASE, S_APPT, S_REMIND, S_MAP,
    S_AUDIT, S_COUNT };

struct floor {
	sqlite3		*db;
	sqlite3_stmt	*stmt[S_COUNT];
	long long	 ids[2];	/* first clinician and client */
	long long	 service;
	time_t		 now;
};

static int
fail(struct floor *f, const char *what)
{
	fprintf(stderr, "bench_write_floor: %s: %s\n", what,
	    sqlite3_errmsg(f->db));
	return -1;
}

static int
run(struct floor *f, int which)
{
	int	 rc;

	rc = sqlite3_step(f->stmt[which]);
	sqlite3_reset(f->stmt[which]);
	sqlite3_clear_bindings(f->stmt[which]);
	return rc == SQLITE_DONE ? 0 : fail(f, "step");
}

static long long
first_id(struct floor *f, const char *sql)
{
	sqlite3_stmt	*stmt;
	long long	 id = -1;

	if (sqlite3_prepare_v2(f->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return fail(f, sql);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return id;
}

static int
floor_open(struct floor *f, const char *path)
{
	const char	*sql[S_COUNT] = { "BEGIN", "COMMIT", "SAVEPOINT event",
	    "RELEASE event", appt_sql, remind_sql, map_sql, audit_sql };
	int		 i;

	if (sqlite3_open(path, &f->db) != SQLITE_OK)
		return fail(f, path);
	if (sqlite3_exec(f->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
		return fail(f, "pragmas");
	for (i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(f->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &f->stmt[i], NULL) != SQLITE_OK)
			return fail(f, sql[i]);
	/* The service the importer adds for the file's length, if none. */
	if (sqlite3_exec(f->db, "INSERT INTO services (name, minutes) "
	    "SELECT '50 minutes', 50 WHERE NOT EXISTS (SELECT 1 FROM services)",
	    NULL, NULL, NULL) != SQLITE_OK)
		return fail(f, "service");
	f->ids[0] = first_id(f, "SELECT min(id) FROM clinicians");
	f->ids[1] = first_id(f, "SELECT min(id) FROM clients");
	f->service = first_id(f, "SELECT min(id) FROM services");
	if (f->ids[0] <= 0 || f->ids[1] <= 0 || f->service <= 0) {
		fprintf(stderr, "bench_write_floor: %s holds no clinician, "
		    "client or service\n", path);
		return -1;
	}
	f->now = time(NULL);
	return 0;
}

/* One event: a session of ten clinicians' and 500 clients' 8-hour days. */
static int
floor_event(struct floor *f, int i, int reminded)
{
	sqlite3_stmt	*s;
	time_t		 start = 1767618000 + (i / 80) * 86400 + (i % 8) * 3600;
	long long	 id;
	char		 text[96];
	int		 ch;

	s = f->stmt[S_APPT];
	sqlite3_bind_int64(s, 1, f->ids[0] + i % 10);
	sqlite3_bind_int64(s, 2, f->ids[1] + i % 500);
	sqlite3_bind_int64(s, 3, f->service);
	sqlite3_bind_int64(s, 4, start);
	sqlite3_bind_int64(s, 5, start + 3000);
	sqlite3_bind_int64(s, 6, start + 3600);
	sqlite3_bind_int64(s, 7, f->now);
	if (run(f, S_SAVE) == -1 || run(f, S_APPT) == -1)
		return -1;
	id = sqlite3_last_insert_rowid(f->db);
	for (ch = 0; reminded && ch < 2; ch++) {
		s = f->stmt[S_REMIND];
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, ch ? "sms" : "email", -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, ch ? 1440 : 2880);
		sqlite3_bind_int64(s, 4, start - (ch ? 86400 : 172800));
		sqlite3_bind_int64(s, 5, f->now);
		if (run(f, S_REMIND) == -1)
			return -1;
	}
	s = f->stmt[S_MAP];
	snprintf(text, sizeof(text), "bench-%d@example.org", i);
	sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, start);
	sqlite3_bind_int64(s, 3, f->ids[0] + i % 10);
	sqlite3_bind_int64(s, 4, id);
	sqlite3_bind_int64(s, 5, f->now);
	if (run(f, S_MAP) == -1)
		return -1;
	s = f->stmt[S_AUDIT];
	snprintf(text, sizeof(text), "client %lld, clinician %lld, "
	    "2027-09-21 15:00 America/New_York", f->ids[1] + i % 500,
	    f->ids[0] + i % 10);
	sqlite3_bind_int64(s, 1, f->now);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_TRANSIENT);
	return run(f, S_AUDIT) == -1 ? -1 : run(f, S_RELEASE);
}

static double
cpu_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct floor	 f = { 0 };
	double		 t0, slice;
	int		 n, reminded, i, rc = 1;

	if (argc != 4 || (n = atoi(argv[2])) <= 0 ||
	    (reminded = atoi(argv[3]) / 2) < 0 || reminded > n) {
		fprintf(stderr, "usage: bench_write_floor DB SESSIONS "
		    "REMINDERS\n");
		return 1;
	}
	if (floor_open(&f, argv[1]) == -1 || run(&f, S_BEGIN) == -1)
		goto out;
	t0 = slice = cpu_now();
	for (i = 0; i < n; i++) {
		if (floor_event(&f, i, i >= n - reminded) == -1)
			goto out;
		if (cpu_now() - slice >= SLICE_MS / 1e3) {
			if (run(&f, S_COMMIT) == -1 || run(&f, S_BEGIN) == -1)
				goto out;
			slice = cpu_now();
		}
	}
	if (run(&f, S_COMMIT) == -1)
		goto out;
	printf("%.3f\n", cpu_now() - t0);
	rc = 0;
out:
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(f.stmt[i]);
	sqlite3_close(f.db);
	return rc;
}
