/*
 * The right to erasure: the client's identity leaves every table, and
 * what the practice must keep (that sessions happened, when and with
 * whom of its own) stays under a placeholder name.  One transaction;
 * the outbox folder's files and the log's old pages go once it commits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "appt.h"
#include "audit.h"
#include "ctx.h"
#include "db.h"
#include "import.h"
#include "log.h"
#include "out.h"
#include "outbox.h"
#include "practiced.h"
#include "privacy.h"
#include "series.h"

/* Test messages looked at in the outbox folder, and how much of each. */
#define PRIVACY_SCAN_FILES	10000
#define PRIVACY_SCAN_BYTES	(64 * 1024)

#define CLIENT_REMINDERS						\
    "SELECT r.id FROM reminders r JOIN appointments a"			\
    "  ON a.id = r.appointment_id WHERE a.client_id = ?1"

static const char *client_sql =
    "SELECT name, email, phone FROM clients WHERE id = ?1";
static const char *sending_sql =
    "SELECT count(*) FROM reminders WHERE state = 'sending' AND id IN ("
    CLIENT_REMINDERS ")";
static const char *ahead_sql =
    "SELECT " APPT_COLUMNS APPT_FROM " WHERE a.client_id = ?1"
    "  AND a.state IN ('booked','confirmed') AND a.start_utc > ?2"
    "  ORDER BY a.start_utc, a.id";
static const char *series_open_sql =
    "SELECT id FROM series WHERE client_id = ?1 AND state = 'active'"
    "  AND (until_utc IS NULL OR until_utc > ?2) ORDER BY id";
static const char *files_sql =
    "SELECT id, provider_id FROM reminders WHERE provider_id IS NOT NULL"
    "  AND reason LIKE 'written to %' AND id IN (" CLIENT_REMINDERS ")";
static const char *deliveries_sql =
    "DELETE FROM deliveries WHERE reminder_id IN (" CLIENT_REMINDERS ")";
static const char *reminders_sql =
    "DELETE FROM reminders WHERE appointment_id IN"
    "  (SELECT id FROM appointments WHERE client_id = ?1)";
static const char *appts_sql =
    "UPDATE appointments SET cancel_reason = NULL, video_url = NULL"
    "  WHERE client_id = ?1"
    "  AND (cancel_reason IS NOT NULL OR video_url IS NOT NULL)";
static const char *series_sql =
    "UPDATE series SET video_url = NULL, updated = ?2"
    "  WHERE client_id = ?1 AND video_url IS NOT NULL";
/* One pass over the log: ?1 the name, ?2 the email, ?3 the phone ("" for
 * none: replace() leaves a text alone for an empty pattern). */
static const char *audit_sql =
    "UPDATE audit SET detail = replace(replace(replace(detail, ?1, ?4),"
    "  ?2, '(erased)'), ?3, '(erased)')"
    "  WHERE instr(detail, ?1) > 0 OR (?2 != '' AND instr(detail, ?2) > 0)"
    "  OR (?3 != '' AND instr(detail, ?3) > 0)";
static const char *erase_sql =
    "UPDATE clients SET name = ?2, email = NULL, phone = NULL,"
    "  remind_email = 0, remind_sms = 0, zone = NULL, active = 0,"
    "  sms_consent_at = NULL, sms_consent_by = NULL WHERE id = ?1";

/* What is erased, read before it goes. */
struct privacy_who {
	char	*name, *email, *phone;
};

static void
privacy_who_free(struct privacy_who *w)
{
	free(w->name);
	free(w->email);
	free(w->phone);
}

static char *
privacy_dup(sqlite3_stmt *stmt, int col)
{
	const char	*s = db_column_text(stmt, col);

	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

static int
privacy_who_load(struct ctx *ctx, long long id, struct privacy_who *w)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	memset(w, 0, sizeof(*w));
	if ((stmt = db_stmt(ctx->pd->db, client_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		w->name = privacy_dup(stmt, 0);
		w->email = privacy_dup(stmt, 1);
		w->phone = privacy_dup(stmt, 2);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return ctx_error(ctx, PROTO_ENOTFOUND, "no client %lld", id);
	if (rc != SQLITE_ROW || w->name == NULL)
		return ctx_internal(ctx);
	return 0;
}

static long long
privacy_count(struct ctx *ctx, const char *sql, long long id)
{
	sqlite3_stmt	*stmt;
	long long	 n = -1;

	if ((stmt = db_stmt(ctx->pd->db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}

/* A statement of the client (?1) and maybe one more value; the rows it
 * changed, or -1. */
static int
privacy_run(struct ctx *ctx, const char *sql, long long id, time_t t)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)t);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return -1;
	return sqlite3_changes(db_handle(ctx->pd->db));
}

/* The open sessions ahead; refused unless force, else cancelled by the
 * practice (their notices go with the client's other reminders). */
static int
privacy_sessions_ahead(struct ctx *ctx, long long id, int force, int *n)
{
	sqlite3_stmt	*stmt;
	json_t		*list, *row;
	size_t		 i;
	int		 rc, late;

	*n = 0;
	if ((stmt = db_stmt(ctx->pd->db, ahead_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	if ((list = out_rows(ctx, stmt, appt_row_json)) == NULL)
		return ctx_internal(ctx);
	if (json_array_size(list) > 0 && !force) {
		rc = (int)json_array_size(list);
		return ctx_error_details(ctx, PROTO_ESTATE, json_pack("{s:o}",
		    "affected", list), "client %lld has %d session%s booked "
		    "ahead; erasing cancels %s without a notice: use --force",
		    id, rc, rc == 1 ? "" : "s", rc == 1 ? "it" : "them");
	}
	json_array_foreach(list, i, row) {
		if (appt_cancel(ctx, json_integer_value(json_object_get(row,
		    "id")), "practice", NULL, &late) == -1) {
			json_decref(list);
			return -1;
		}
		(*n)++;
	}
	json_decref(list);
	return 0;
}

/* Series that would book more sessions for the client end here. */
static int
privacy_series_end(struct ctx *ctx, long long id, int *n)
{
	struct series_def	 s;
	sqlite3_stmt		*stmt;
	long long		*ids;
	size_t			 count, i;

	*n = 0;
	if ((stmt = db_stmt(ctx->pd->db, series_open_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ctx->now);
	if (db_ids(ctx->pd->db, stmt, &ids, &count) == -1)
		return ctx_internal(ctx);
	for (i = 0; i < count; i++) {
		if (series_load(ctx, ids[i], &s) == -1)
			break;
		snprintf(s.state, sizeof(s.state), "cancelled");
		if (series_store(ctx, &s) == -1)
			break;
	}
	free(ids);
	if (i < count)
		return ctx_internal(ctx);
	*n = (int)count;
	return 0;
}

/* The folder's files of the client's reminders ("ID-notice.eml"). */
static int
privacy_files(struct ctx *ctx, long long id, struct privacy_after *after)
{
	sqlite3_stmt	*stmt;
	const char	*name;
	char		 prefix[32], **grown, *copy;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, files_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		name = db_column_text(stmt, 1);
		snprintf(prefix, sizeof(prefix), "%lld-",
		    (long long)sqlite3_column_int64(stmt, 0));
		/* Only a name the outbox made: no path, its own prefix. */
		if (name == NULL || strchr(name, '/') != NULL ||
		    strncmp(name, prefix, strlen(prefix)) != 0)
			continue;
		if ((grown = reallocarray(after->files, after->nfiles + 1,
		    sizeof(*grown))) == NULL || (copy = strdup(name)) == NULL) {
			if (grown != NULL)
				after->files = grown;
			rc = SQLITE_NOMEM;
			break;
		}
		after->files = grown;
		after->files[after->nfiles++] = copy;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : ctx_internal(ctx);
}

/* Audit details that quote the client's name or addresses keep the
 * fact and lose the words. */
static int
privacy_audit(struct ctx *ctx, const struct privacy_who *w,
    const char *placeholder, int *n)
{
	sqlite3_stmt	*stmt;

	*n = 0;
	if ((stmt = db_stmt(ctx->pd->db, audit_sql)) == NULL)
		return ctx_internal(ctx);
	db_bind_text(stmt, 1, w->name);
	db_bind_text(stmt, 2, w->email != NULL ? w->email : "");
	db_bind_text(stmt, 3, w->phone != NULL ? w->phone : "");
	db_bind_text(stmt, 4, placeholder);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	*n = sqlite3_changes(db_handle(ctx->pd->db));
	return 0;
}

static int
privacy_placeholder(struct ctx *ctx, long long id, const char *name)
{
	sqlite3_stmt	*stmt;

	if ((stmt = db_stmt(ctx->pd->db, erase_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, name);
	if (db_exec_stmt(ctx->pd->db, stmt) == -1)
		return ctx_internal(ctx);
	return 0;
}

int
privacy_erase(struct ctx *ctx, long long id, int force, json_t **summary,
    struct privacy_after *after)
{
	struct privacy_who	 w;
	char			 placeholder[64];
	long long		 n;
	int			 cancelled, ended, removed, audits, rc = -1;

	*summary = NULL;
	memset(after, 0, sizeof(*after));
	if (privacy_who_load(ctx, id, &w) == -1)
		goto out;
	snprintf(placeholder, sizeof(placeholder), PRIVACY_ERASED_NAME, id);
	/* Freed space is zeroed, not left holding the old rows (Debian's
	 * SQLite does so by default; others may not). */
	if (sqlite3_exec(db_handle(ctx->pd->db), "PRAGMA secure_delete = ON",
	    NULL, NULL, NULL) != SQLITE_OK) {
		ctx_internal(ctx);
		goto out;
	}
	/* A message on its way would come back with the address in its
	 * answer: erase once it is recorded. */
	if ((n = privacy_count(ctx, sending_sql, id)) != 0) {
		if (n == -1)
			ctx_internal(ctx);
		else
			ctx_error(ctx, PROTO_ESTATE, "a message to client "
			    "%lld is being sent; try again in a minute", id);
		goto out;
	}
	if (privacy_sessions_ahead(ctx, id, force, &cancelled) == -1 ||
	    privacy_series_end(ctx, id, &ended) == -1 ||
	    privacy_files(ctx, id, after) == -1)
		goto out;
	if (privacy_run(ctx, deliveries_sql, id, 0) == -1 ||
	    (removed = privacy_run(ctx, reminders_sql, id, 0)) == -1 ||
	    privacy_run(ctx, appts_sql, id, 0) == -1 ||
	    privacy_run(ctx, series_sql, id, ctx->now) == -1) {
		ctx_internal(ctx);
		goto out;
	}
	if (privacy_audit(ctx, &w, placeholder, &audits) == -1 ||
	    privacy_placeholder(ctx, id, placeholder) == -1 ||
	    audit_record(ctx, "client.erase", "client", id, "erased; %d "
	    "sessions ahead cancelled, %d series ended, %d reminders "
	    "removed", cancelled, ended, removed) == -1)
		goto out;
	if ((*summary = json_pack("{s:I,s:s,s:i,s:i,s:i,s:i,s:i}", "id",
	    (json_int_t)id, "name", placeholder, "cancelled", cancelled,
	    "series_ended", ended, "reminders_removed", removed,
	    "audit_rewritten", audits, "files", 0)) == NULL) {
		ctx_internal(ctx);
		goto out;
	}
	after->id = id;
	after->email = w.email;
	after->phone = w.phone;
	w.email = w.phone = NULL;
	rc = 0;
out:
	privacy_who_free(&w);
	return rc;
}

/* A test message of the folder ("test-N.eml") that went to the client:
 * test numbers start again with the daemon, so its text tells. */
static int
privacy_test_file(int dfd, const char *name, const struct privacy_after *a)
{
	char	 buf[PRIVACY_SCAN_BYTES + 1];
	ssize_t	 n;
	int	 fd, hit;

	if (strncmp(name, "test-", 5) != 0 ||
	    (fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	hit = (a->email != NULL && strstr(buf, a->email) != NULL) ||
	    (a->phone != NULL && strstr(buf, a->phone) != NULL);
	return hit;
}

/* The test messages that went to the client; how many were removed. */
static int
privacy_unlink_tests(const char *folder, const struct privacy_after *a)
{
	struct dirent	*de;
	DIR		*dir;
	int		 n = 0, removed = 0;

	if ((a->email == NULL && a->phone == NULL) ||
	    (dir = opendir(folder)) == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL && n++ < PRIVACY_SCAN_FILES) {
		if (!privacy_test_file(dirfd(dir), de->d_name, a))
			continue;
		if (unlinkat(dirfd(dir), de->d_name, 0) == -1)
			log_warn("erasure: %s/%s", folder, de->d_name);
		else
			removed++;
	}
	closedir(dir);
	return removed;
}

int
privacy_erase_after(struct practiced *pd, struct privacy_after *a)
{
	const char	*folder;
	char		 path[4096], name[64];
	size_t		 i;
	int		 removed = 0;

	folder = pd->outbox != NULL ? outbox_folder(pd->outbox) : NULL;
	for (i = 0; folder != NULL && i < a->nfiles; i++) {
		snprintf(path, sizeof(path), "%s/%s", folder, a->files[i]);
		if (unlink(path) == 0)
			removed++;
		else if (errno != ENOENT)
			log_warn("erasure: %s", path);
	}
	if (folder != NULL)
		removed += privacy_unlink_tests(folder, a);
	snprintf(name, sizeof(name), PRIVACY_ERASED_NAME, a->id);
	imports_forget_client(pd->imports, a->id, name, a->email);
	/*
	 * The write-ahead log still holds the pages as they were before:
	 * fold it into the database and truncate it (freed space in the
	 * database itself is zeroed, PRAGMA secure_delete).
	 */
	(void)db_checkpoint_truncate(pd->db);
	privacy_after_free(a);
	return removed;
}

void
privacy_after_free(struct privacy_after *a)
{
	size_t	 i;

	for (i = 0; i < a->nfiles; i++)
		free(a->files[i]);
	free(a->files);
	free(a->email);
	free(a->phone);
	memset(a, 0, sizeof(*a));
}
