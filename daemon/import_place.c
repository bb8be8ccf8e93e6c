/*
 * The import report's lines say when and whose: "2027-01-11
 * 10:00-10:50, Jordan Lee with Ana Ruiz", not a UID that means nothing
 * at the front desk.  Only the lines kept (a dry run's, changes, clashes
 * and refusals, at most IMPORT_ITEMS_MAX) are looked up.  The report
 * stays in memory for the staff who poll it, as the schedule shows
 * them; it is never logged.
 */
#include <jansson.h>
#include <sqlite3.h>

#include "db.h"
#include "import_int.h"
#include "out.h"
#include "practiced.h"
#include "tz.h"

static const char *clinician_name_sql =
    "SELECT name FROM clinicians WHERE id = ?1";
static const char *client_name_sql =
    "SELECT name FROM clients WHERE id = ?1";

/* {"id": id, "name": ...} under key; nothing when there is none. */
static void
place_person(struct import_job *job, json_t *item, const char *key,
    const char *sql, long long id)
{
	sqlite3_stmt	*stmt;
	json_t		*who = NULL;

	if ((stmt = db_stmt(job->pd->db, sql)) == NULL)
		return;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		who = json_pack("{s:I,s:s}", "id", (json_int_t)id, "name",
		    db_column_text(stmt, 0));
	sqlite3_reset(stmt);
	if (who != NULL)
		json_object_set_new(item, key, who);
}

static void
place_time(json_t *item, const char *utc_key, const char *local_key,
    const char *zone, time_t t)
{
	char	 buf[TZ_BUFLEN];

	json_object_set_new(item, utc_key, out_instant(t));
	tz_format_local(zone, t, buf);
	json_object_set_new(item, local_key, json_string(buf));
}

void
import_note_place(struct import_job *job, json_t *item,
    long long clinician_id, long long client_id, time_t start, time_t end,
    time_t occurrence)
{
	if (item == NULL)
		return;
	place_time(item, "start", "local_start", job->zone, start);
	place_time(item, "end", "local_end", job->zone, end);
	/* Where the rule put an occurrence moved from there. */
	if (occurrence != 0 && occurrence != start)
		place_time(item, "occurrence", "local_occurrence", job->zone,
		    occurrence);
	json_object_set_new(item, "tz", json_string(job->zone));
	if (clinician_id != 0)
		place_person(job, item, "clinician", clinician_name_sql,
		    clinician_id);
	if (client_id != 0)
		place_person(job, item, "client", client_name_sql, client_id);
}
