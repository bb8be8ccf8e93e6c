/*
 * The control protocol, defined once for practiced and practicectl:
 * where the socket lives, the API prefix, and the error codes with the
 * HTTP status each one travels with.  Field names are documented in
 * practiced.8 (CONTROL PROTOCOL).
 */
#ifndef PRACTICED_PROTOCOL_H
#define PRACTICED_PROTOCOL_H

#define PRACTICED_VERSION	"0.1.0"
#define PROTO_API_VERSION	1
#define PROTO_PREFIX		"/v1"

#define PROTO_DEFAULT_SOCKET	"/run/practiced/practiced.sock"
#define PROTO_DEFAULT_CONFIG	"/etc/practiced/practiced.conf"
#define PROTO_SOCKET_ENV	"PRACTICED_SOCKET"
#define PROTO_ZONE_ENV		"PRACTICED_TZ"

/* Paths (all below PROTO_PREFIX). */
#define PROTO_PATH_STATUS	"/status"
#define PROTO_PATH_CLINICIANS	"/clinicians"
#define PROTO_PATH_CLIENTS	"/clients"
#define PROTO_PATH_SERVICES	"/services"
#define PROTO_PATH_ROOMS	"/rooms"
#define PROTO_PATH_APPOINTMENTS	"/appointments"
#define PROTO_PATH_AUDIT	"/audit"
#define PROTO_PATH_SERIES	"/series"
#define PROTO_PATH_CLOSURES	"/closures"
#define PROTO_PATH_SLOTS	"/slots"
#define PROTO_PATH_REPORTS	"/reports"
/* GET: the schedule as iCalendar (text/calendar), see practiced.8. */
#define PROTO_PATH_EXPORT	"/export"
/* Calendar feeds: POST adds, GET lists; below one, POST .../rotate,
 * DELETE revokes.  The token is in "url", in add's and rotate's answer
 * only. */
#define PROTO_PATH_FEEDS	"/feeds"
#define PROTO_PATH_ROTATE	"/rotate"
/* POST below an appointment: cancel it; below a closure: cancel, a
 * batch at a time, the sessions it covers that have not begun, the
 * answer saying how many are left (PROTO_REMAINING). */
#define PROTO_PATH_CANCEL	"/cancel"
#define PROTO_REMAINING		"remaining"
/* POST below an appointment: book a cancelled one again. */
#define PROTO_PATH_RESTORE	"/restore"

/* In the answer to a change of sessions: each one it changed. */
#define PROTO_CHANGED		"changed"

/*
 * A list served in pages (GET /v1/appointments, /v1/series, a series'
 * and a client's sessions): "limit" rows at most (PROTO_PAGE_DEFAULT when
 * not given), "after" the cursor a previous page gave as "next"; "next"
 * is null on the last page.
 */
#define PROTO_PAGE_LIMIT	"limit"
#define PROTO_PAGE_AFTER	"after"
#define PROTO_PAGE_NEXT		"next"
#define PROTO_PAGE_DEFAULT	500
#define PROTO_PAGE_MAX		500	/* 10-30 ms of the loop on 100k */
/* GET /v1/series: a series costs more than an appointment. */
#define PROTO_SERIES_PAGE_DEFAULT 100
#define PROTO_SERIES_PAGE_MAX	200
/* GET /v1/reports/attendance: clients, each with its whole story. */
#define PROTO_REPORT_PAGE_DEFAULT 200
#define PROTO_REPORT_PAGE_MAX	500

/*
 * What a booked or confirmed session ahead needs from the front desk,
 * the codes of an appointment's "attention" array: booked before its
 * clinician's hours, a closure or an archive changed under it.
 */
#define PROTO_ATTN_HOURS	"outside_hours"
#define PROTO_ATTN_CLOSURE	"closure"
#define PROTO_ATTN_CLINICIAN	"clinician_archived"
#define PROTO_ATTN_CLIENT	"client_archived"
#define PROTO_ATTN_ROOM		"room_archived"
/* A busy block (an import, a busy calendar) came over it. */
#define PROTO_ATTN_BUSY		"busy"

/*
 * The outbox (GET /v1/reminders, GET /v1/appointments/ID/reminders,
 * POST /v1/reminders/ID/retry): the list's query parameters besides a
 * page's, and the list in the answer.  Pages as above ("next" in the
 * answer is the cursor; "next" in the query a window of due times).
 */
#define PROTO_PATH_REMINDERS	"/reminders"
#define PROTO_PATH_RETRY	"/retry"
#define PROTO_REMINDERS		"reminders"
#define PROTO_REMINDERS_STATE	"state"
#define PROTO_REMINDERS_NEXT	"next"		/* a window: "48h" */

/*
 * A test message sent now (POST /v1/reminders/tests {"client", "channel"},
 * GET /v1/reminders/tests/ID): the answer's record, and its states.
 */
#define PROTO_PATH_TESTS	"/tests"
#define PROTO_TEST		"test"
#define PROTO_TEST_CLIENT	"client"
#define PROTO_TEST_CHANNEL	"channel"

/*
 * Work that goes on after its answer (a test message on its way): the
 * answer carries "wait", the path (below PROTO_PREFIX) to GET until an
 * answer comes without it; practicectl follows it every PROTO_WAIT_MS
 * for at most PROTO_WAIT_MAX seconds.
 */
#define PROTO_WAIT		"wait"
#define PROTO_WAIT_MS		200
#define PROTO_WAIT_MAX		120

/*
 * Busy calendars: POST adds {"clinician", "url", "every"}, GET lists;
 * below one, GET shows, DELETE removes, POST .../refresh fetches it
 * now and answers 202 with "wait": .../refresh/N, which answers with
 * "fetch" ({"ok", "detail", "blocks", "skipped"}) once it is over.
 * The answers' record is "busy" (a list: "busy"), its "url" redacted.
 */
#define PROTO_PATH_BUSY		"/busy"
#define PROTO_PATH_REFRESH	"/refresh"
#define PROTO_BUSY		"busy"
#define PROTO_BUSY_CLINICIAN	"clinician"
#define PROTO_BUSY_URL		"url"
#define PROTO_BUSY_EVERY	"every"
#define PROTO_BUSY_FETCH	"fetch"

/*
 * Backups and integrity checks (POST /v1/backups {"name"}, GET
 * /v1/backups/ID; POST /v1/verify {"name"}, GET /v1/verify/ID): the
 * answer's record; both go on after their answer (PROTO_WAIT).
 */
#define PROTO_PATH_BACKUPS	"/backups"
#define PROTO_PATH_VERIFY	"/verify"
#define PROTO_BACKUP		"backup"
#define PROTO_VERIFY		"verify"
#define PROTO_BACKUP_NAME	"name"
#define PROTO_VERIFY_PROBLEMS	"problems"

/*
 * A client's data (GET /v1/clients/ID/export, administrators) and its
 * erasure (POST /v1/clients/ID/erase {"force"}: the answer's "erased");
 * the day at a glance (GET /v1/agenda?clinician=&day=: "agenda").
 */
#define PROTO_PATH_ERASE	"/erase"
#define PROTO_PATH_AGENDA	"/agenda"
#define PROTO_ERASED		"erased"
#define PROTO_EXPORT_RECORDS	"records"	/* the export's, in pages */
#define PROTO_AGENDA		"agenda"

/*
 * GET /v1/export answers text/calendar; with page=first, then page=NEXT,
 * it answers {"calendar": {"text", "next"}} a page at a time: the first
 * text opens the calendar (with every VTIMEZONE it uses), the one whose
 * "next" is null closes it, and the texts in order are the calendar.
 */
#define PROTO_EXPORT_PAGE	"page"
#define PROTO_EXPORT_FIRST	"first"
#define PROTO_CALENDAR		"calendar"
#define PROTO_CALENDAR_TEXT	"text"
#define PROTO_CALENDAR_NEXT	"next"

/*
 * iCalendar imports (practiced.8, ICALENDAR IMPORT): POST /v1/imports
 * {"clinician", "dry_run", "create_clients"} makes one and answers with
 * its id and "part_max", the bytes a part may hold; POST .../ID/parts
 * adds the next part of the file, its bytes as they are the body (of
 * type PROTO_IMPORT_PART_TYPE, not JSON); POST .../ID/start begins it,
 * answered with "wait" while it runs; GET .../ID shows it.
 */
#define PROTO_PATH_IMPORTS	"/imports"
#define PROTO_PATH_PARTS	"/parts"
#define PROTO_PATH_START	"/start"
#define PROTO_IMPORT		"import"
#define PROTO_IMPORT_PART_MAX	"part_max"
#define PROTO_IMPORT_PART_TYPE	"text/calendar"
/* The attention of a session imported over another. */
#define PROTO_ATTN_IMPORTED_CLASH "imported_clash"

/* The body of every refusal: {"error": {"code": ..., "message": ...}} */
#define PROTO_ERROR		"error"
#define PROTO_ERROR_CODE	"code"
#define PROTO_ERROR_MESSAGE	"message"
#define PROTO_ERROR_DETAILS	"details"

enum proto_error {
	PROTO_OK = 0,
	PROTO_EBADREQUEST,	/* 400 malformed JSON, missing or bad field */
	PROTO_EAMBIGUOUS,	/* 400 a name matches more than one record */
	PROTO_EFORBIDDEN,	/* 403 role may not do this */
	PROTO_ENOTFOUND,	/* 404 no such record or path */
	PROTO_EMETHOD,		/* 405 path exists, method does not */
	PROTO_ECONFLICT,	/* 409 overlaps another appointment */
	PROTO_ESTATE,		/* 409 not allowed in the record's state */
	PROTO_EDUPLICATE,	/* 409 a record with that name exists */
	PROTO_ECLOSED,		/* 409 falls on a closure */
	PROTO_ETOOLARGE,	/* 413 body over the limit */
	PROTO_EHOURS,		/* 422 outside the clinician's working hours */
	PROTO_EPAST,		/* 422 in the past */
	PROTO_EINTERNAL,	/* 500 the daemon failed; nothing was changed */
	PROTO_EUNAVAILABLE,	/* 503 shutting down or too busy */
	PROTO_EBUSY,		/* 409 the clinician is taken (busy block) */
	PROTO_EMEDIATYPE,	/* 415 a body of a type the path won't take */
	PROTO_NERRORS
};

struct proto_error_info {
	const char	*code;
	int		 status;
};

/* Indexed by enum proto_error. */
static const struct proto_error_info proto_errors[PROTO_NERRORS] = {
	[PROTO_OK] =		{ "ok", 200 },
	[PROTO_EBADREQUEST] =	{ "bad_request", 400 },
	[PROTO_EAMBIGUOUS] =	{ "ambiguous", 400 },
	[PROTO_EFORBIDDEN] =	{ "forbidden", 403 },
	[PROTO_ENOTFOUND] =	{ "not_found", 404 },
	[PROTO_EMETHOD] =	{ "method_not_allowed", 405 },
	[PROTO_ECONFLICT] =	{ "conflict", 409 },
	[PROTO_ESTATE] =	{ "invalid_state", 409 },
	[PROTO_EDUPLICATE] =	{ "duplicate", 409 },
	[PROTO_ECLOSED] =	{ "closed", 409 },
	[PROTO_ETOOLARGE] =	{ "too_large", 413 },
	[PROTO_EHOURS] =	{ "outside_hours", 422 },
	[PROTO_EPAST] =		{ "in_past", 422 },
	[PROTO_EINTERNAL] =	{ "internal", 500 },
	[PROTO_EUNAVAILABLE] =	{ "unavailable", 503 },
	[PROTO_EBUSY] =		{ "busy", 409 },
	[PROTO_EMEDIATYPE] =	{ "unsupported_media_type", 415 },
};

#endif
