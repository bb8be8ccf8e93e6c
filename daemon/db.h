/* The schedule in SQLite: open, migrate, transactions, cached statements. */
#ifndef PRACTICED_DB_H
#define PRACTICED_DB_H

#include <sqlite3.h>
#include <stddef.h>

struct db;

struct db	*db_open(const char *path, char *err, size_t errlen);
void		 db_close(struct db *);
/* The planner's statistics refreshed where they went stale. */
void		 db_optimize(struct db *);
sqlite3		*db_handle(struct db *);
int		 db_schema_version(struct db *);

/*
 * One daemon a database: an exclusive lock on PATH.lock, held while the
 * descriptor returned stays open (for life; a POSIX lock, so the process
 * must not open and close that file otherwise).  -1 with the reason in err,
 * naming the holder's pid when another daemon holds it.
 */
int		 db_lock(const char *path, char *err, size_t errlen);
/* Whether the database can still be written (for status). */
int		 db_writable(struct db *);

/*
 * Why the database failed since the last BEGIN, when the cause is where
 * it is kept (a full disk, a file that became read-only, an I/O error),
 * so that the caller is told that rather than "internal error".
 */
enum {
	DB_STORAGE_OK,
	DB_STORAGE_FULL,
	DB_STORAGE_READONLY,
	DB_STORAGE_IOERR
};
int		 db_storage_error(struct db *);
void		 db_storage_clear(struct db *);

/*
 * Whether a commit waits for the disk (1, synchronous=FULL, always but
 * for the slices of a long job) or not (0, NORMAL: a power cut may lose
 * the last commits, never corrupt the database).  Outside a transaction
 * only: SQLite reads it when the transaction begins.  -1 (logged).
 */
int		 db_synchronous(struct db *, int full);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; -1 (logged) on failure. */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);

/*
 * Savepoints inside a transaction, nestable: one per imported event, so
 * that a bad event is undone alone.  db_rollback_to undoes everything
 * since the savepoint and closes it; db_release keeps it and closes it.
 * The innermost open savepoint of the name is meant; -1 (logged) on
 * failure, and outside a transaction.
 */
int		 db_savepoint(struct db *, const char *name);
int		 db_release(struct db *, const char *name);
int		 db_rollback_to(struct db *, const char *name);

/*
 * Run fn(arg) once the open transaction has really committed (in the
 * order queued); dropped if it rolls back, or if a savepoint opened
 * before it was queued is rolled back to.  Outside a transaction fn
 * runs at once.  The same fn and arg queued again in one transaction
 * run once.  -1 (logged) when out of memory.
 */
int		 db_after_commit(struct db *, void (*fn)(void *), void *arg);

/*
 * Checkpoints, which copy the write-ahead log into the database: SQLite
 * runs one inside the COMMIT that takes the log past 1000 pages, 10 to
 * 40 ms more for that request.  After db_checkpoint_thread, a thread of
 * the database's runs them instead, through a connection of its own.
 * db_checkpoint_truncate folds the whole log in and empties it now (an
 * erasure: no page from before it left in the log); -1 logged.
 */
int		 db_checkpoint_thread(struct db *, char *err, size_t errlen);
int		 db_checkpoint_truncate(struct db *);

/*
 * A prepared statement for a constant SQL string, reset and unbound.
 * Statements are cached by the string's address, so pass literals.
 * NULL (logged) when the SQL does not prepare.
 */
sqlite3_stmt	*db_stmt(struct db *, const char *sql);
/* Step a statement that returns no rows (or whose rows are ignored). */
int		 db_exec_stmt(struct db *, sqlite3_stmt *);
/*
 * Step a statement its caller bound and take its first column as ids,
 * in a new array (*ids; free it) of *n; reset after.  -1 (logged) on a
 * database error or when out of memory, with nothing to free.
 */
int		 db_ids(struct db *, sqlite3_stmt *, long long **ids,
		    size_t *n);
/* One integer from a single-column query with no parameters. */
long long	 db_count(struct db *, const char *sql);

/* Bind text or NULL when s is NULL. */
int		 db_bind_text(sqlite3_stmt *, int col, const char *s);
const char	*db_column_text(sqlite3_stmt *, int col); /* NULL for NULL */

#endif
