/*
 * Everything held about one client, as a subject access request asks:
 * one query a table that can hold something of a client, every column
 * of its rows as stored (instants as UTC text), and the tables that hold
 * nothing of a client named as such, so a new table must be placed.
 */
#include <stdio.h>
#include <string.h>

#include "appt.h"
#include "audit.h"
#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"
#include "privacy.h"

/*
 * A table and the query of a client's rows in it (?1 the client), in
 * the order of the answer.  Feeds show a client's sessions (initials or
 * name) but store nothing of them: the feeds that show them are listed,
 * without their secret token.  Clinicians, services and rooms are the
 * names the ids of the client's rows refer to.
 */
struct privacy_table {
	const char	*name;
	const char	*sql;
};

#define CLIENT_APPTS	"SELECT id FROM appointments WHERE client_id = ?1"
#define CLIENT_SERIES	"SELECT id FROM series WHERE client_id = ?1"
#define CLIENT_REMINDERS						\
    "SELECT r.id FROM reminders r JOIN appointments a"			\
    "  ON a.id = r.appointment_id WHERE a.client_id = ?1"
#define CLIENT_REFS(col)						\
    "SELECT " col " FROM appointments WHERE client_id = ?1"		\
    " UNION SELECT " col " FROM series WHERE client_id = ?1"
/* A page of a table: after rowid ?2, at most ?3 rows. */
#define PAGE	" AND rowid > ?2 ORDER BY rowid LIMIT ?3"

static const struct privacy_table privacy_tables[] = {
	{ "client", "SELECT rowid, * FROM clients WHERE id = ?1" PAGE },
	{ "appointments", "SELECT rowid, * FROM appointments"
	    " WHERE client_id = ?1" PAGE },
	{ "series", "SELECT rowid, * FROM series WHERE client_id = ?1" PAGE },
	{ "series_skips", "SELECT rowid, * FROM series_skips"
	    " WHERE series_id IN (" CLIENT_SERIES ")" PAGE },
	{ "reminders", "SELECT rowid, * FROM reminders WHERE id IN ("
	    CLIENT_REMINDERS ")" PAGE },
	{ "deliveries", "SELECT rowid, * FROM deliveries WHERE reminder_id IN ("
	    CLIENT_REMINDERS ")" PAGE },
	{ "audit", "SELECT rowid, * FROM audit WHERE object_id IS NOT NULL AND"
	    " ((object = 'client' AND object_id = ?1)"
	    " OR (object = 'appointment' AND object_id IN (" CLIENT_APPTS "))"
	    " OR (object = 'series' AND object_id IN (" CLIENT_SERIES "))"
	    " OR (object = 'reminder' AND object_id IN (" CLIENT_REMINDERS
	    ")))" PAGE },
	{ "feeds", "SELECT rowid, id, clinician_id, detail, created, rotated,"
	    " revoked, changed, fetches, fetched FROM feeds"
	    " WHERE detail != 'busy' AND clinician_id IN ("
	    CLIENT_REFS("clinician_id") ")" PAGE },
	{ "clinicians", "SELECT rowid, id, name FROM clinicians WHERE id IN ("
	    CLIENT_REFS("clinician_id") ")" PAGE },
	{ "services", "SELECT rowid, id, name FROM services WHERE id IN ("
	    CLIENT_REFS("service_id") ")" PAGE },
	{ "rooms", "SELECT rowid, id, name FROM rooms WHERE id IN ("
	    CLIENT_REFS("room_id") ")" PAGE },
};

#define NTABLES	(sizeof(privacy_tables) / sizeof(privacy_tables[0]))

/* The schema's tables as the list above reads them ("client" is
 * clients), and those that hold nothing of any one client. */
static const char *const privacy_client_tables[] = {
	"clients", "appointments", "series", "series_skips", "reminders",
	"deliveries", "audit", "feeds", NULL
};
static const char *const privacy_other_tables[] = {
	"clinicians", "working_hours", "services", "rooms", "closures",
	"practice", "sqlite_sequence",
	/* A clinician's busy times: start and end only, no client. */
	"busy_calendars", "busy_blocks",
	/* Another system's event ids, sequence numbers and hashes beside
	 * our appointment ids: nothing that names a client. */
	"import_map",
	NULL
};
/* The columns of clients, each one erased or kept (privacy_erase.c). */
static const char *const privacy_client_columns[] = {
	"id", "name", "email", "phone", "remind_email", "remind_sms", "zone",
	"active", "created", "sms_consent_at", "sms_consent_by", NULL
};

/* Integer columns that are instants: shown as UTC text. */
static int
privacy_is_instant(const char *col)
{
	static const char *const words[] = { "at", "created", "updated",
	    "started", "finished", "materialized_until", "modified",
	    "told_start", "rotated", "revoked", "changed", "fetched", NULL };
	size_t	 i, n = strlen(col);

	if ((n > 4 && strcmp(col + n - 4, "_utc") == 0) ||
	    (n > 3 && strcmp(col + n - 3, "_at") == 0))
		return 1;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(col, words[i]) == 0)
			return 1;
	return 0;
}

static json_t *
privacy_value(sqlite3_stmt *stmt, int i)
{
	const char	*col = sqlite3_column_name(stmt, i);

	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_INTEGER:
		if (privacy_is_instant(col))
			return out_instant((time_t)sqlite3_column_int64(stmt,
			    i));
		return json_integer(sqlite3_column_int64(stmt, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(stmt, i));
	case SQLITE_TEXT:
		return json_string(db_column_text(stmt, i));
	case SQLITE_BLOB:
		return json_string("(binary)");
	default:
		return json_null();
	}
}

/* Every column of the statement's row but the rowid, by its name. */
static json_t *
privacy_row(sqlite3_stmt *stmt)
{
	json_t	*row;
	int	 i, n = sqlite3_column_count(stmt);

	if ((row = json_object()) == NULL)
		return NULL;
	for (i = 1; i < n; i++)
		if (json_object_set_new(row, sqlite3_column_name(stmt, i),
		    privacy_value(stmt, i)) == -1) {
			json_decref(row);
			return NULL;
		}
	return row;
}

/*
 * Up to *left rows of table t after rowid from, appended as records;
 * *last gets the rowid of the last one.  -1 on a database error.
 */
static int
privacy_page(struct ctx *ctx, size_t t, long long client_id,
    long long from, int *left, long long *last, json_t *records)
{
	sqlite3_stmt	*stmt;
	json_t		*row;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, privacy_tables[t].sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_int64(stmt, 2, from);
	sqlite3_bind_int(stmt, 3, *left);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((row = privacy_row(stmt)) == NULL ||
		    json_array_append_new(records, json_pack("{s:s,s:o}",
		    "table", privacy_tables[t].name, "row", row)) == -1)
			break;
		*last = sqlite3_column_int64(stmt, 0);
		(*left)--;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

json_t *
privacy_export(struct ctx *ctx, long long client_id,
    const struct appt_cursor *after, int limit, struct appt_cursor *next,
    int *more)
{
	json_t		*records, *tables;
	long long	 from, last = 0;
	size_t		 t;
	int		 left = limit;

	*more = 0;
	t = after != NULL ? (size_t)after->start : 0;
	from = after != NULL ? after->id : 0;
	if (after != NULL && (after->start < 0 || t >= NTABLES)) {
		ctx_error(ctx, PROTO_EBADREQUEST, "after: not a cursor of "
		    "this export");
		return NULL;
	}
	records = json_array();
	tables = json_array();
	for (; t < NTABLES && left > 0 && records != NULL; t++, from = 0) {
		if (privacy_page(ctx, t, client_id, from, &left, &last,
		    records) == -1) {
			json_decref(records);
			records = NULL;
			break;
		}
		if (left == 0) {	/* full: go on from here */
			*more = 1;
			next->start = (time_t)t;
			next->id = last;
		}
	}
	if (records == NULL || tables == NULL) {
		json_decref(records);
		json_decref(tables);
		ctx_internal(ctx);
		return NULL;
	}
	for (t = 0; t < NTABLES; t++)
		json_array_append_new(tables, json_string(
		    privacy_tables[t].name));
	/* Asked once, audited once: on its first page. */
	if (after == NULL && audit_record(ctx, "client.export", "client",
	    client_id, "exported") == -1) {
		json_decref(records);
		json_decref(tables);
		return NULL;
	}
	return json_pack("{s:I,s:o,s:s,s:s,s:o,s:o}", "client_id",
	    (json_int_t)client_id, "exported", out_instant(ctx->now), "tz",
	    ctx->tz, "note", "every instant is UTC; ids refer to the rows of "
	    "the other tables", "tables", tables, PROTO_EXPORT_RECORDS,
	    records);
}

static int
privacy_listed(const char *const *list, const char *name)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

static const char *privacy_tables_sql =
    "SELECT name FROM sqlite_schema WHERE type = 'table'"
    "  AND name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\' ORDER BY name";
static const char *privacy_columns_sql =
    "SELECT name FROM pragma_table_info('clients') ORDER BY cid";

const char *
privacy_unknown(struct db *db, char *buf, size_t len)
{
	sqlite3_stmt	*stmt;
	const char	*name;

	buf[0] = '\0';
	if ((stmt = db_stmt(db, privacy_tables_sql)) == NULL)
		return "(the schema cannot be read)";
	while (buf[0] == '\0' && sqlite3_step(stmt) == SQLITE_ROW) {
		name = db_column_text(stmt, 0);
		if (!privacy_listed(privacy_client_tables, name) &&
		    !privacy_listed(privacy_other_tables, name))
			snprintf(buf, len, "table %s", name);
	}
	sqlite3_reset(stmt);
	if ((stmt = db_stmt(db, privacy_columns_sql)) == NULL)
		return "(the schema cannot be read)";
	while (buf[0] == '\0' && sqlite3_step(stmt) == SQLITE_ROW) {
		name = db_column_text(stmt, 0);
		if (!privacy_listed(privacy_client_columns, name))
			snprintf(buf, len, "column clients.%s", name);
	}
	sqlite3_reset(stmt);
	return buf[0] != '\0' ? buf : NULL;
}
