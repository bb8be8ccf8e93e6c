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
 * makes (a client, a service) it puts here itself.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "ctx.h"
#include "db.h"
#include "import_int.h"
#include "practiced.h"

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

/* Remembered if it can be: a memo that cannot grow is merely slower. */
void
import_memo_put(struct import_job *job, const char *kind, const char *text,
    long long id)
{
	char	 key[ICAL_READ_EMAIL_MAX + 64];

	if (job->memo == NULL && (job->memo = json_object()) == NULL)
		return;
	if (json_object_size(job->memo) >= IMPORT_MEMO_MAX)
		json_object_clear(job->memo);
	memo_key(key, sizeof(key), kind, text);
	if (json_object_set_new(job->memo, key, json_integer(id)) == -1)
		import_memo_drop(job);
}

void
import_memo_drop(struct import_job *job)
{
	json_decref(job->memo);
	job->memo = NULL;
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
}

void
import_memo_enter(struct import_job *job)
{
	long long	 changes;
	unsigned	 version;

	memo_stamp(job, &changes, &version);
	if (changes != job->memo_changes || version != job->memo_version)
		import_memo_drop(job);
}
