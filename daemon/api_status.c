/* GET /v1/status: what is running, for whom, and how much it holds. */
#include "api.h"
#include "out.h"
#include "config.h"
#include "db.h"
#include "practiced.h"
#include "remind_query.h"

/* From the covering index alone: through appointments_start, a look
 * into the table for each session's state was 15 ms on 100,000. */
static const char *upcoming_sql =
    "SELECT count(*) FROM appointments INDEXED BY appointments_care"
    "  WHERE start_utc >= strftime('%s','now')"
    "    AND state IN ('booked','confirmed')";

void
api_status(struct api_req *req)
{
	struct practiced	*pd = req->ctx.pd;
	struct db		*db = pd->db;
	json_t			*counts, *outbox;

	counts = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
	    "clinicians", (json_int_t)db_count(db,
	    "SELECT count(*) FROM clinicians WHERE active"),
	    "clients", (json_int_t)db_count(db,
	    "SELECT count(*) FROM clients WHERE active"),
	    "services", (json_int_t)db_count(db,
	    "SELECT count(*) FROM services WHERE active"),
	    "rooms", (json_int_t)db_count(db,
	    "SELECT count(*) FROM rooms WHERE active"),
	    "appointments", (json_int_t)db_count(db,
	    "SELECT count(*) FROM appointments"),
	    "upcoming", (json_int_t)db_count(db, upcoming_sql));
	if ((outbox = remind_query_summary(&req->ctx)) == NULL) {
		json_decref(counts);
		api_internal(req);
		return;
	}
	api_reply(req, 200, json_pack(
	    "{s:s,s:i,s:{s:s,s:s,s:i},s:o,s:I,s:s,s:b,s:i,s:o,s:o,"
	    "s:{s:I,s:s,s:s},s:s}",
	    "version", PRACTICED_VERSION,
	    "api", PROTO_API_VERSION,
	    "practice", "name", pd->conf->practice_name,
	    "timezone", pd->conf->timezone,
	    "late_cancel_hours", pd->conf->late_cancel_hours,
	    "started", out_instant(pd->started),
	    "uptime_seconds", (json_int_t)(req->ctx.now - pd->started),
	    "database", pd->conf->database,
	    "database_writable", db_writable(db),
	    "schema", db_schema_version(db),
	    "counts", counts,
	    "reminders", outbox,
	    "you", "uid", (json_int_t)req->who->uid, "user", req->who->user,
	    "role", role_name(req->who->role),
	    "tz", req->ctx.tz));
}
