/* The in-memory practice the domain tests run against (practice.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "practice.h"

static const char *practice_sql =
    "INSERT INTO clinicians (id, name, zone, active, created) VALUES"
    "  (1, 'Ana Ruiz', 'UTC', 1, 0), (2, 'Sam Okafor', 'UTC', 1, 0),"
    "  (3, 'Olga Old', 'UTC', 0, 0);"
    /* Ana and Sam: Monday to Friday, 09:00-17:00. */
    "INSERT INTO working_hours (clinician_id, weekday, start_min, end_min)"
    "  SELECT c, d, 540, 1020 FROM (SELECT 1 c UNION SELECT 2 UNION"
    "  SELECT 3), (SELECT 0 d UNION SELECT 1 UNION SELECT 2 UNION"
    "  SELECT 3 UNION SELECT 4);"
    "INSERT INTO clients (id, name, active, created) VALUES"
    "  (1, 'Jordan Lee', 1, 0), (2, 'Maria Santos', 1, 0),"
    "  (3, 'Gone Away', 0, 0);"
    "INSERT INTO services (id, name, minutes, buffer, active) VALUES"
    "  (1, 'Individual session', 50, 10, 1), (2, 'Intake', 60, 15, 1),"
    "  (3, 'Old therapy', 50, 0, 0);"
    "INSERT INTO rooms (id, name, active) VALUES (1, 'Room 1', 1),"
    "  (2, 'Room 2', 1), (3, 'Old room', 0);";

int
practice_exec(struct practice *p, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db_handle(p->pd.db), sql, NULL, NULL, &err) !=
	    SQLITE_OK) {
		fprintf(stderr, "practice: %s: %s\n", sql, err);
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

long long
practice_int(struct practice *p, const char *sql)
{
	sqlite3_stmt	*stmt;
	long long	 n = -1;

	if (sqlite3_prepare_v2(db_handle(p->pd.db), sql, -1, &stmt, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "practice: %s: %s\n", sql,
		    sqlite3_errmsg(db_handle(p->pd.db)));
		return -1;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

void
practice_reset(struct practice *p, time_t now)
{
	ctx_clear(&p->ctx);
	p->ctx.now = now;
}

long long
practice_vm_steps(struct practice *p)
{
	sqlite3		*db = db_handle(p->pd.db);
	sqlite3_stmt	*stmt = NULL;
	long long	 n = 0;

	while ((stmt = sqlite3_next_stmt(db, stmt)) != NULL)
		n += sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 1);
	return n;
}

int
practice_open(struct practice *p)
{
	char	 err[256];

	memset(p, 0, sizeof(*p));
	p->conf.timezone = "UTC";
	p->conf.late_cancel_hours = 24;
	p->conf.series_horizon_days = 28;
	p->pd.conf = &p->conf;
	p->pd.uid = getuid();
	if ((p->pd.db = db_open(":memory:", err, sizeof(err))) == NULL) {
		fprintf(stderr, "practice: %s\n", err);
		return -1;
	}
	ctx_init(&p->ctx, &p->pd, PRACTICE_NOW);
	ctx_set_actor(&p->ctx, 1000, "frontdesk", "staff");
	return practice_exec(p, practice_sql);
}

void
practice_close(struct practice *p)
{
	ctx_clear(&p->ctx);
	db_close(p->pd.db);
	p->pd.db = NULL;
}
