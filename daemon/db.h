/* The schedule in SQLite: open, migrate, transactions, cached statements. */
#ifndef PRACTICED_DB_H
#define PRACTICED_DB_H

#include <sqlite3.h>
#include <stddef.h>

struct db;

struct db	*db_open(const char *path, char *err, size_t errlen);
void		 db_close(struct db *);
sqlite3		*db_handle(struct db *);
int		 db_schema_version(struct db *);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; -1 (logged) on failure. */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);

/*
 * A prepared statement for a constant SQL string, reset and unbound.
 * Statements are cached by the string's address, so pass literals.
 * NULL (logged) when the SQL does not prepare.
 */
sqlite3_stmt	*db_stmt(struct db *, const char *sql);
/* Step a statement that returns no rows (or whose rows are ignored). */
int		 db_exec_stmt(struct db *, sqlite3_stmt *);
/* One integer from a single-column query with no parameters. */
long long	 db_count(struct db *, const char *sql);

/* Bind text or NULL when s is NULL. */
int		 db_bind_text(sqlite3_stmt *, int col, const char *s);
const char	*db_column_text(sqlite3_stmt *, int col); /* NULL for NULL */

#endif
