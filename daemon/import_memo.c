/*
 * What an import looked up by text (a client or a clinician by email, a
 * service by length), remembered for the import: the same few hundred
 * people come back in thousands of events, and the lookup by email
 * reads the whole table each time (no index on lower(email)).
 *
 * Held only while nothing else writes: the memo is forgotten when the
 * database changed between two slices (a caller's booking, an edited
 * client), and when an event or a slice is rolled back (a client it
 * made is gone).  Within a slice only the import writes, and what it
 * makes (a client, a service) it puts here itself.  The facts the
 * booking rules read (facts.h) are held and forgotten with the memo.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "ctx.h"
#include "db.h"
#include "facts.h"
#include "import_int.h"
#include "practiced.h"

/* Every active client by email, the first made when several share
 * one (as client_by_email_sql in import_event.c picks). */
static const char *clients_all_sql =
    "SELECT lower(email), min(id) FROM clients WHERE active = 1"
    " AND email IS NOT NULL GROUP BY lower(email)";
static const char *clients_count_sql =
    "SELECT count(*) FROM clients WHERE active = 1";

#define MEMO_CLIENTS	"clients"	/* 1: all here, -1: too many */

static void
memo_key(char *key, size_t len, const char *kind, const char *text)
{
	snprintf(key, len, "%s\n%s", kind, text);
}

/* 1 with *id (0: none such) when remembered, else 0. */
int
import_memo_get(struct import_job *job, const char *kind, const char *text,
    long long *id)
{
	json_t	*v;
	char	 key[ICAL_READ_EMAIL_MAX + 64];

	if (job->memo == NULL)
		return 0;
	memo_key(key, sizeof(key), kind, text);
	if ((v = json_object_get(job->memo, key)) == NULL)
		return 0;
	*id = json_integer_value(v);
	return 1;
}

/* 0, or -1 when the memo was forgotten (full, or out of memory). */
static int
memo_put(struct import_job *job, const char *kind, const char *text,
    long long id)
{
	char	 key[ICAL_READ_EMAIL_MAX + 64];

	if (job->memo == NULL && (job->memo = json_object()) == NULL)
		return -1;
	if (json_object_size(job->memo) >= IMPORT_MEMO_MAX) {
		import_memo_drop(job);
		return -1;
	}
	memo_key(key, sizeof(key), kind, text);
	/* Not checked as UTF-8: an email is bytes here, never printed. */
	if (json_object_set_new_nocheck(job->memo, key,
	    json_integer(id)) == -1) {
		import_memo_drop(job);
		return -1;
	}
	return 0;
}

/* Remembered if it can be: a memo that cannot grow is merely slower. */
void
import_memo_put(struct import_job *job, const char *kind, const char *text,
    long long id)
{
	(void)memo_put(job, kind, text, id);
}

/* What the import itself made: forgotten with it if its event is
 * undone (import.c compares memo_made). */
void
import_memo_made(struct import_job *job, const char *kind, const char *text,
    long long id)
{
	job->memo_made++;
	(void)memo_put(job, kind, text, id);
}

void
import_memo_drop(struct import_job *job)
{
	json_decref(job->memo);
	job->memo = NULL;
	facts_free(job->facts);
	job->facts = job->ctx.facts = NULL;
}

/* The database as the import left it: a change seen at the next slice
 * is someone else's. */
static void
memo_stamp(struct import_job *job, long long *changes, unsigned *version)
{
	sqlite3	*sq = db_handle(job->pd->db);

	*changes = sqlite3_total_changes64(sq);
	*version = 0;
	if (sqlite3_file_control(sq, "main", SQLITE_FCNTL_DATA_VERSION,
	    version) != SQLITE_OK)
		*version = job->memo_version + 1;	/* never the same */
}

void
import_memo_leave(struct import_job *job)
{
	memo_stamp(job, &job->memo_changes, &job->memo_version);
	job->ctx.facts = NULL;		/* others write before the next slice */
}

void
import_memo_enter(struct import_job *job)
{
	long long	 changes;
	unsigned	 version;

	memo_stamp(job, &changes, &version);
	if (changes != job->memo_changes || version != job->memo_version)
		import_memo_drop(job);
	/* The records' facts for the booking rules, held as the memo is
	 * (none when there is no memory for them: merely slower). */
	if (job->facts == NULL)
		job->facts = facts_new();
	job->ctx.facts = job->facts;
}

/* The clients, all in the memo at once: one pass of the table instead
 * of one an email not seen yet.  1 when the memo holds them all (an
 * email not in it is no client's), 0 when there are too many to hold,
 * -1 on error. */
int
import_memo_clients(struct import_job *job)
{
	struct ctx	*ctx = &job->ctx;
	sqlite3_stmt	*stmt;
	const char	*email;
	long long	 all, n;
	int		 rc;

	if (import_memo_get(job, MEMO_CLIENTS, "", &all))
		return all == 1;
	if ((n = db_count(job->pd->db, clients_count_sql)) < 0)
		return ctx_internal(ctx);
	if (n > IMPORT_MEMO_MAX / 2) {
		import_memo_put(job, MEMO_CLIENTS, "", -1);
		return 0;
	}
	/* Room for them all: nothing may be forgotten on the way. */
	if (job->memo != NULL &&
	    json_object_size(job->memo) + (size_t)n + 1 >= IMPORT_MEMO_MAX)
		import_memo_drop(job);
	if ((stmt = db_stmt(job->pd->db, clients_all_sql)) == NULL)
		return ctx_internal(ctx);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		email = db_column_text(stmt, 0);
		/* Longer than any the reader gives: never asked for. */
		if (email == NULL || strlen(email) > ICAL_READ_EMAIL_MAX)
			continue;
		if (memo_put(job, "client", email,
		    sqlite3_column_int64(stmt, 1)) == -1)
			break;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW) {		/* not all held: as before */
		import_memo_drop(job);
		return 0;
	}
	if (rc != SQLITE_DONE) {
		import_memo_drop(job);
		return ctx_internal(ctx);
	}
	if (memo_put(job, MEMO_CLIENTS, "", 1) == -1)
		return 0;
	return 1;
}

/* A clinician's zone and email, as whose_clinician reads them. */
int
import_memo_get_pair(struct import_job *job, const char *kind,
    long long id, char *a, size_t alen, char *b, size_t blen)
{
	json_t	*v;
	char	 key[64];

	if (job->memo == NULL)
		return 0;
	snprintf(key, sizeof(key), "%s\n%lld", kind, id);
	if ((v = json_object_get(job->memo, key)) == NULL ||
	    !json_is_string(json_array_get(v, 0)) ||
	    !json_is_string(json_array_get(v, 1)))
		return 0;
	snprintf(a, alen, "%s", json_string_value(json_array_get(v, 0)));
	snprintf(b, blen, "%s", json_string_value(json_array_get(v, 1)));
	return 1;
}

void
import_memo_put_pair(struct import_job *job, const char *kind, long long id,
    const char *a, const char *b)
{
	json_t	*v;
	char	 key[64];

	if (job->memo == NULL && (job->memo = json_object()) == NULL)
		return;
	if (json_object_size(job->memo) >= IMPORT_MEMO_MAX) {
		import_memo_drop(job);
		return;
	}
	snprintf(key, sizeof(key), "%s\n%lld", kind, id);
	if ((v = json_array()) == NULL)
		return;
	if (json_array_append_new(v, json_string_nocheck(a)) == -1 ||
	    json_array_append_new(v, json_string_nocheck(b)) == -1) {
		json_decref(v);
		return;
	}
	(void)json_object_set_new_nocheck(job->memo, key, v);
}
