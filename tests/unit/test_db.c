/* db.c: savepoints, after-commit hooks, the lock and the file modes. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "unit.h"

static char	 dir[] = "/tmp/practiced-unit-db-XXXXXX";
static char	 path[4096];

static void
hook_count(void *arg)
{
	(*(int *)arg)++;
}

/* Records the order: each hook appends its letter. */
static char	 order[16];

static void
hook_letter(void *arg)
{
	size_t	 n = strlen(order);

	if (n + 1 < sizeof(order))
		order[n] = *(const char *)arg;
}

static void
add_room(struct db *db, const char *name)
{
	sqlite3_stmt	*stmt;

	stmt = db_stmt(db, "INSERT INTO rooms (name) VALUES (?)");
	CHECK(stmt != NULL && db_bind_text(stmt, 1, name) == SQLITE_OK &&
	    db_exec_stmt(db, stmt) == 0);
}

/* The rooms' names in id order, joined by commas. */
static const char *
rooms(struct db *db)
{
	static char	 buf[256];
	sqlite3_stmt	*stmt;
	size_t		 n = 0;

	buf[0] = '\0';
	if ((stmt = db_stmt(db, "SELECT name FROM rooms ORDER BY id")) == NULL)
		return "?";
	while (sqlite3_step(stmt) == SQLITE_ROW && n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    n > 0 ? "," : "", db_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return buf;
}

static void
test_savepoints(struct db *db)
{
	CHECK(db_savepoint(db, "outside") == -1);	/* no transaction */
	CHECK(db_begin(db) == 0);
	add_room(db, "a");
	CHECK(db_savepoint(db, "event 1") == 0);
	add_room(db, "b");
	CHECK(db_rollback_to(db, "event 1") == 0);	/* b alone undone */
	CHECK(db_release(db, "event 1") == -1);		/* and closed */
	CHECK(db_savepoint(db, "event \"2\"") == 0);	/* quoted */
	add_room(db, "c");
	CHECK(db_savepoint(db, "inner") == 0);
	add_room(db, "d");
	CHECK(db_release(db, "inner") == 0);
	CHECK(db_savepoint(db, "inner") == 0);
	add_room(db, "e");
	CHECK(db_savepoint(db, "innermost") == 0);
	add_room(db, "f");
	/* Rolling back to an outer savepoint closes the inner ones. */
	CHECK(db_rollback_to(db, "inner") == 0);
	CHECK(db_release(db, "innermost") == -1);
	CHECK(db_release(db, "event \"2\"") == 0);
	CHECK(db_rollback_to(db, "nowhere") == -1);
	CHECK_STR(rooms(db), "a,c,d");
	CHECK(db_commit(db) == 0);
	CHECK_STR(rooms(db), "a,c,d");

	/* A savepoint left open goes with the transaction. */
	CHECK(db_begin(db) == 0);
	CHECK(db_savepoint(db, "left open") == 0);
	add_room(db, "g");
	CHECK(db_commit(db) == 0);
	CHECK(db_release(db, "left open") == -1);
	CHECK_STR(rooms(db), "a,c,d,g");
	CHECK(db_begin(db) == 0);
	CHECK(db_savepoint(db, "s") == 0);
	add_room(db, "h");
	db_rollback(db);
	CHECK_STR(rooms(db), "a,c,d,g");
}

static void
test_hooks(struct db *db)
{
	static const char	 a = 'a', b = 'b', c = 'c', d = 'd';
	int			 n = 0;

	CHECK(db_begin(db) == 0);
	CHECK(db_after_commit(db, hook_count, &n) == 0);
	CHECK(db_after_commit(db, hook_count, &n) == 0);
	CHECK(n == 0);				/* not before COMMIT */
	CHECK(db_commit(db) == 0);
	CHECK(n == 1);				/* queued twice, run once */
	CHECK(db_begin(db) == 0);
	CHECK(db_commit(db) == 0);
	CHECK(n == 1);				/* run once only */

	CHECK(db_begin(db) == 0);
	CHECK(db_after_commit(db, hook_count, &n) == 0);
	db_rollback(db);
	CHECK(n == 1);				/* dropped on rollback */
	CHECK(db_begin(db) == 0);
	CHECK(db_commit(db) == 0);
	CHECK(n == 1);				/* and gone for good */
	/* Queued again after a rollback, it runs (outbox_kick's case). */
	CHECK(db_begin(db) == 0);
	CHECK(db_after_commit(db, hook_count, &n) == 0);
	db_rollback(db);
	CHECK(db_begin(db) == 0);
	CHECK(db_after_commit(db, hook_count, &n) == 0);
	CHECK(db_commit(db) == 0);
	CHECK(n == 2);

	/* A savepoint rolled back takes the hooks queued since with it. */
	order[0] = '\0';
	CHECK(db_begin(db) == 0);
	CHECK(db_after_commit(db, hook_letter, (void *)&a) == 0);
	CHECK(db_savepoint(db, "event") == 0);
	CHECK(db_after_commit(db, hook_letter, (void *)&b) == 0);
	CHECK(db_rollback_to(db, "event") == 0);
	CHECK(db_savepoint(db, "event") == 0);
	CHECK(db_after_commit(db, hook_letter, (void *)&c) == 0);
	CHECK(db_release(db, "event") == 0);
	CHECK(db_after_commit(db, hook_letter, (void *)&d) == 0);
	CHECK_STR(order, "");
	CHECK(db_commit(db) == 0);
	CHECK_STR(order, "acd");

	/* A COMMIT that fails (a deferred foreign key) runs nothing. */
	CHECK(db_begin(db) == 0);
	CHECK(sqlite3_exec(db_handle(db), "CREATE TABLE t_parent (id INTEGER "
	    "PRIMARY KEY); CREATE TABLE t_child (p INTEGER REFERENCES "
	    "t_parent(id) DEFERRABLE INITIALLY DEFERRED)", NULL, NULL,
	    NULL) == SQLITE_OK);
	CHECK(db_commit(db) == 0);
	CHECK(db_begin(db) == 0);
	CHECK(sqlite3_exec(db_handle(db), "INSERT INTO t_child VALUES (99)",
	    NULL, NULL, NULL) == SQLITE_OK);
	CHECK(db_after_commit(db, hook_count, &n) == 0);
	CHECK(db_commit(db) == -1);
	CHECK(n == 2);
	CHECK(sqlite3_get_autocommit(db_handle(db)));	/* rolled back */
	CHECK(db_count(db, "SELECT count(*) FROM t_child") == 0);

	/* Outside a transaction there is nothing to wait for. */
	CHECK(db_after_commit(db, hook_count, &n) == 0);
	CHECK(n == 3);
}

/* A POSIX lock binds other processes: the second try is a child's. */
static void
test_lock(void)
{
	char	 err[512], want[64];
	int	 fd, fd2, status, fds[2];
	pid_t	 child;
	ssize_t	 n;

	CHECK((fd = db_lock(path, err, sizeof(err))) >= 0);
	CHECK(pipe(fds) == 0);
	if ((child = fork()) == 0) {
		close(fds[0]);
		if (db_lock(path, err, sizeof(err)) != -1)
			_exit(1);
		n = write(fds[1], err, strlen(err) + 1);
		_exit(n > 0 ? 0 : 2);
	}
	close(fds[1]);
	memset(err, 0, sizeof(err));
	n = read(fds[0], err, sizeof(err) - 1);
	close(fds[0]);
	CHECK(child > 0 && waitpid(child, &status, 0) == child &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(want, sizeof(want), "another practiced (pid %ld)",
	    (long)getpid());
	CHECK(n > 0 && strstr(err, want) != NULL);
	CHECK(strstr(err, ".lock") != NULL);
	if (fd >= 0)
		close(fd);
	CHECK((fd2 = db_lock(path, err, sizeof(err))) >= 0);
	if (fd2 >= 0)
		close(fd2);
}

static int
mode_of(const char *suffix)
{
	char		 file[4200];
	struct stat	 sb;

	snprintf(file, sizeof(file), "%s%s", path, suffix);
	if (stat(file, &sb) == -1)
		return -1;
	return (int)(sb.st_mode & 07777);
}

/*
 * db_optimize gives the planner statistics for a table this connection
 * queried once it has grown: what a long-running daemon and a large
 * import need, not only a stop.
 */
static void
test_optimize(struct db *db)
{
	sqlite3		*raw = db_handle(db);
	sqlite3_stmt	*stmt;
	int		 n = -1;

	CHECK(sqlite3_exec(raw, "WITH RECURSIVE k(i) AS (SELECT 1 UNION"
	    " ALL SELECT i + 1 FROM k WHERE i < 2000) INSERT INTO audit (at,"
	    " uid, user, role, action, object) SELECT i, 0, 'u', 'admin',"
	    " 'x', 'y' FROM k", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(raw, "SELECT count(*) FROM audit WHERE at > 1000",
	    NULL, NULL, NULL) == SQLITE_OK);
	db_optimize(db);
	if (sqlite3_prepare_v2(raw, "SELECT count(*) FROM sqlite_stat1"
	    " WHERE tbl = 'audit'", -1, &stmt, NULL) == SQLITE_OK) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = sqlite3_column_int(stmt, 0);
		sqlite3_finalize(stmt);
	}
	CHECK(n > 0);
}

void
test_db(void)
{
	struct db	*db;
	sqlite3		*raw;
	char		 err[512], file[4200];
	mode_t		 old;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/practice.db", dir);
	/* A database restored by cp with a umask of 022: 0644. */
	old = umask(022);
	CHECK(sqlite3_open(path, &raw) == SQLITE_OK);
	CHECK(sqlite3_exec(raw, "PRAGMA user_version = 0", NULL, NULL,
	    NULL) == SQLITE_OK);
	sqlite3_close(raw);
	CHECK(mode_of("") == 0644);
	db = db_open(path, err, sizeof(err));
	umask(old);
	CHECK(db != NULL);
	if (db == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		return;
	}
	CHECK(mode_of("") == 0600);
	CHECK(mode_of("-wal") == 0600);
	CHECK(mode_of("-shm") == 0600);
	CHECK(db_writable(db));
	test_savepoints(db);
	test_hooks(db);
	test_optimize(db);
	test_lock();
	db_close(db);
	snprintf(file, sizeof(file), "%s.lock", path);
	unlink(file);
	unlink(path);
	rmdir(dir);
}
