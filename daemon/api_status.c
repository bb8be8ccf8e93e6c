/* GET /v1/status: what is running, for whom, and how much it holds. */
#include "api.h"
#include "out.h"
#include "config.h"
#include "db.h"
#include "practiced.h"
#include "remind_query.h"

/* From appointments_start (start, state) alone: only the sessions
 * ahead.  The instant is bound as an integer: strftime's text was
 * converted again for every session compared (8 ms on 60,000). */
static const char *upcoming_sql =
    "SELECT count(*) FROM appointments"
    "  WHERE start_utc >= ?1 AND state IN ('booked','confirmed')";

static long long
count_upcoming(struct ctx *ctx)
{
	sqlite3_stmt	*stmt;
	long long	 n = -1;

	if ((stmt = db_stmt(ctx->pd->db, upcoming_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)ctx->now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}

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
	    "upcoming", (json_int_t)count_upcoming(&req->ctx));
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
