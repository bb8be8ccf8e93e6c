/*
 * The commands of the schedule: booking, listing, moving, cancelling,
 * restoring and marking appointments, series, and free slots.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

static const char *const cancel_by[] = { "client", "practice", NULL };
static const char *const mark_states[] = {
	"attended", "no-show", "confirmed", "booked", NULL
};

#define O_TEXT(n)	{ .name = n, .kind = OPT_TEXT, .field = n }
#define O_NEEDED(n)	{ .name = n, .kind = OPT_TEXT, .required = 1, \
			  .field = n }
#define O_FLAG(n)	{ .name = n, .kind = OPT_FLAG, .field = n }
#define O_NUMBER(n)	{ .name = n, .kind = OPT_NUMBER, .field = n }
#define O_AT		{ .name = "at", .kind = OPT_WHEN, .required = 1, \
			  .field = "at" }
/* The edit scopes: build_scope() turns them into "scope". */
#define O_SCOPES	{ .name = "this", .kind = OPT_FLAG }, \
			{ .name = "following", .kind = OPT_FLAG }, \
			{ .name = "all", .kind = OPT_FLAG }

#define H_SCOPE \
	"For a session of a series, --this (the default) changes that one\n" \
	"session, --following that one and every later one, --all every\n" \
	"upcoming session of the series; give at most one of them.\n"

static int
check_book(const struct ctl_args *args, struct ctl_error *err)
{
	const char	*repeat = args_get(args, "repeat");
	const char	*count = args_get(args, "count");
	const char	*until = args_get(args, "until");
	const char	*skip = args_get(args, "skip");

	if (args_get(args, "room") != NULL && args_get(args, "video") != NULL)
		return error_usage(err, args->cmd, "--room and --video "
		    "exclude each other");
	if (count != NULL && until != NULL)
		return error_usage(err, args->cmd, "--count and --until "
		    "exclude each other");
	if (repeat == NULL && (count != NULL || until != NULL ||
	    skip != NULL))
		return error_usage(err, args->cmd, "--%s needs --repeat",
		    count != NULL ? "count" : until != NULL ? "until" :
		    "skip");
	if (repeat != NULL && repeat[strspn(repeat, " \t")] == '\0')
		return error_usage(err, args->cmd, "--repeat: empty rule");
	return 0;
}

const struct ctl_command cmd_book = {
	.words = "book",
	.usage = "--client C --clinician X --service S --at WHEN "
	    "[--room R | --video URL] [--force] [--overlap] "
	    "[--repeat weekly|biweekly|monthly|RRULE] "
	    "[--count N | --until DATE] [--skip]",
	.summary = "book an appointment or a series of them",
	.help =
	    "Books an appointment.  WHEN is \"YYYY-MM-DD HH:MM\" or "
	    "\"today HH:MM\"\n"
	    "(also tomorrow), read in the practice's zone unless -z is given.\n"
	    "C, X, S and R are references: an id or a prefix of a name.\n"
	    "The daemon refuses a clash with another appointment of the\n"
	    "clinician or the room, a time outside the clinician's working\n"
	    "hours, a closure, and a time in the past.  --force overrides the\n"
	    "working hours, closures and the past; --overlap allows the "
	    "clash.\n"
	    "Both are recorded in the appointment and the audit log.\n"
	    "\n"
	    "--repeat books a series at the same wall time in the clinician's\n"
	    "zone: weekly, biweekly (every two weeks), monthly (the same "
	    "weekday\n"
	    "of the month, as in \"2nd Tuesday\"), or an RRULE such as\n"
	    "FREQ=WEEKLY;BYDAY=MO,TH.  --count N books N sessions, --until "
	    "DATE\n"
	    "the sessions up to DATE; with neither the series is open-ended.\n"
	    "If any session clashes or falls on a closure, nothing is booked\n"
	    "unless --skip (book the free ones and list the others) or\n"
	    "--overlap (book the clashing ones too).\n"
	    "  practicectl book --client jordan --clinician ana --service ind "
	    "\\\n"
	    "      --at \"2027-01-04 09:00\" --repeat weekly --count 12\n",
	.options = { O_NEEDED("client"), O_NEEDED("clinician"),
	    O_NEEDED("service"), O_AT, O_TEXT("room"), O_TEXT("video"),
	    O_FLAG("force"), O_FLAG("overlap"), O_TEXT("repeat"),
	    O_NUMBER("count"), O_TEXT("until"), O_FLAG("skip") },
	.check = check_book,
	.request = { .method = "POST", .path = PROTO_PATH_APPOINTMENTS },
	.object = "appointment", .verb = "booked",
	.ids = "series|appointment",	/* a series: its id */
	.print = print_booked,
};

/* --from and --to come as a pair (list, report attendance). */
int
cmd_check_from_to(const struct ctl_args *args, struct ctl_error *err)
{
	if ((args_get(args, "from") == NULL) != (args_get(args, "to") == NULL))
		return error_usage(err, args->cmd, "--from and --to go "
		    "together");
	return 0;
}

static int
check_list(const struct ctl_args *args, struct ctl_error *err)
{
	int	ranges = 0;

	ranges += args_get(args, "day") != NULL;
	ranges += args_get(args, "week") != NULL;
	ranges += args_get(args, "from") != NULL ||
	    args_get(args, "to") != NULL;
	if (ranges > 1)
		return error_usage(err, args->cmd, "give one of --day, "
		    "--week, or --from with or without --to");
	/* --from alone is the seven days from D, as the daemon takes it. */
	if (args_get(args, "to") != NULL && args_get(args, "from") == NULL)
		return error_usage(err, args->cmd, "--to needs --from");
	return 0;
}

const struct ctl_command cmd_list = {
	.words = "list",
	.aliases = { "ls" },
	.usage = "[--day D | --week D | --from D [--to D]] [--clinician X] "
	    "[--client Y] [--state S]",
	.summary = "list appointments (default: today)",
	.help =
	    "Lists appointments of one day (default today), of the week "
	    "(Monday\n"
	    "to Sunday) that holds D, or from one day to another, both\n"
	    "included (seven days when --to is left out).  D is YYYY-MM-DD, today, tomorrow or yesterday.  "
	    "--state\n"
	    "keeps one state: booked, confirmed, cancelled, attended, no-show.\n"
	    "A \"!\" after the state marks a booking made with --force or\n"
	    "--overlap; SERIES names the series a session belongs to, and a\n"
	    "\"*\" after its time marks one moved from its series time.\n",
	.options = { O_TEXT("day"), O_TEXT("week"), O_TEXT("from"),
	    O_TEXT("to"), O_TEXT("clinician"), O_TEXT("client"),
	    O_TEXT("state") },
	.check = check_list,
	.request = { .method = "GET", .path = PROTO_PATH_APPOINTMENTS,
	    .pages = "appointments" },
	.object = "appointments",
	.print = print_appointments,
};

const struct ctl_command cmd_show = {
	.words = "show",
	.usage = "ID",
	.summary = "show an appointment",
	.help = "Shows one appointment in full.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "GET", .path = PROTO_PATH_APPOINTMENTS "/{}" },
	.object = "appointment",
	.print = print_appointment,
};

/* move and cancel: at most one of --this, --following and --all. */
static const char *
scope_of(const struct ctl_args *args, int *several)
{
	static const char *const scopes[] = { "this", "following", "all" };
	const char	*scope = NULL;
	size_t		 i;

	*several = 0;
	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if (args_get(args, scopes[i]) == NULL)
			continue;
		*several |= scope != NULL;
		scope = scopes[i];
	}
	return scope;
}

/* --skip (move) needs --following or --all. */
static int
check_scope(const struct ctl_args *args, struct ctl_error *err)
{
	const char	*scope;
	int		 several;

	scope = scope_of(args, &several);
	if (several)
		return error_usage(err, args->cmd, "--this, --following and "
		    "--all exclude each other");
	if (args_get(args, "skip") != NULL && (scope == NULL ||
	    strcmp(scope, "this") == 0))
		return error_usage(err, args->cmd, "--skip needs --following "
		    "or --all");
	return 0;
}

static void
build_scope(const struct ctl_args *args, struct ctl_request *req)
{
	const char	*scope;
	int		 several;

	if ((scope = scope_of(args, &several)) != NULL)
		request_field(req, "scope", json_string(scope));
}

/* A move changes the time, the place or the clinician: one at least. */
static int
check_move(const struct ctl_args *args, struct ctl_error *err)
{
	if (args_get(args, "at") == NULL && args_get(args, "room") == NULL &&
	    args_get(args, "video") == NULL &&
	    args_get(args, "clinician") == NULL)
		return error_usage(err, args->cmd, "say what changes: --at, "
		    "--room, --video or --clinician");
	return check_scope(args, err);
}

const struct ctl_command cmd_move = {
	.words = "move",
	.usage = "ID [--at WHEN] [--room R|none | --video URL|none] "
	    "[--clinician X] [--this | --following | --all] [--force] "
	    "[--overlap] [--skip]",
	.summary = "move an appointment, or sessions of a series",
	.help =
	    "Moves a booked or confirmed appointment to another time, place\n"
	    "or clinician, or several of these; what is not given stays.\n"
	    "--room R or --video URL sets the place (one replaces the other),\n"
	    "\"none\" removes it.  The session becomes booked again and its\n"
	    "reminders are planned anew.  --force and --overlap as for book.\n"
	    H_SCOPE
	    "--following splits the series: the old one ends before this\n"
	    "session and a new one starts at the new time.  --all shifts the\n"
	    "series and each of its upcoming sessions by the same amount;\n"
	    "sessions moved on their own keep their time and place.  With\n"
	    "either, --skip leaves out the sessions that would clash and "
	    "lists\n"
	    "them, and each session moved or booked is listed.  A series' "
	    "video\n"
	    "link changes one session at a time.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.options = {
	    { .name = "at", .kind = OPT_WHEN, .field = "at" },
	    { .name = "room", .kind = OPT_TEXT, .field = "room",
	      .as = AS_NULLABLE },
	    { .name = "video", .kind = OPT_TEXT, .field = "video",
	      .as = AS_NULLABLE },
	    O_TEXT("clinician"), O_FLAG("force"), O_FLAG("overlap"),
	    O_SCOPES, O_FLAG("skip") },
	.check = check_move,
	.request = { .method = "POST",
	    .path = PROTO_PATH_APPOINTMENTS "/{}/move", .build = build_scope },
	.object = "appointment", .verb = "moved",
	.ids = PROTO_CHANGED "|appointment",	/* each session moved */
	.print = print_moved,
};

const struct ctl_command cmd_cancel = {
	.words = "cancel",
	.usage = "ID [--this | --following | --all] [--by client|practice] "
	    "[--reason TEXT]",
	.summary = "cancel an appointment, or sessions of a series",
	.help =
	    "Cancels an appointment, by the practice unless --by client.  A\n"
	    "client's cancellation less than the practice's notice period "
	    "before\n"
	    "the start is recorded as late; inside that period --by is "
	    "required.\n"
	    H_SCOPE
	    "--following also ends the series before this session; --all\n"
	    "cancels the series itself; each session cancelled is listed.\n"
	    "\"restore\" books a cancelled session again.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.options = {
	    { .name = "by", .kind = OPT_CHOICE, .field = "by",
	      .choices = cancel_by },
	    O_TEXT("reason"), O_SCOPES },
	.check = check_scope,
	.request = { .method = "POST",
	    .path = PROTO_PATH_APPOINTMENTS "/{}/cancel",
	    .build = build_scope },
	.object = "appointment", .verb = "cancelled",
	.ids = PROTO_CHANGED "|appointment",	/* each session cancelled */
	.print = print_cancelled,
};

const struct ctl_command cmd_restore = {
	.words = "restore",
	.usage = "ID [--force] [--overlap]",
	.summary = "book a cancelled appointment again",
	.help =
	    "Books a cancelled appointment again, at its time and place and\n"
	    "with its clinician, as if it were booked anew: it must be still\n"
	    "ahead, and its time free under every rule of book (the\n"
	    "clinician's, the client's and the room's other sessions, working\n"
	    "hours, closures, nobody archived).  A refusal names what stands\n"
	    "in the way and changes nothing; --force (hours, closures, the\n"
	    "past) and --overlap (a clash) lift the rules as for book.  Who\n"
	    "cancelled, and why, is cleared; a session of a series stays in\n"
	    "its series.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.options = { O_FLAG("force"), O_FLAG("overlap") },
	.request = { .method = "POST",
	    .path = PROTO_PATH_APPOINTMENTS "/{}" PROTO_PATH_RESTORE },
	.object = "appointment", .verb = "restored",
	.print = print_appointment_done,
};

static int
check_mark(const struct ctl_args *args, struct ctl_error *err)
{
	const char *const	*s;

	for (s = mark_states; *s != NULL; s++)
		if (strcmp(*s, args->pos[1]) == 0)
			return 0;
	return error_usage(err, args->cmd, "%s is not a state to mark",
	    args->pos[1]);
}

static void
build_mark(const struct ctl_args *args, struct ctl_request *req)
{
	request_field(req, "state", json_string(args->pos[1]));
}

const struct ctl_command cmd_mark = {
	.words = "mark",
	.usage = "ID attended|no-show|confirmed|booked",
	.summary = "record attendance or confirmation",
	.help =
	    "Sets the state of an appointment: confirmed (the client said "
	    "they\n"
	    "will come), booked (undo that), and once it has begun, attended "
	    "or\n"
	    "no-show.  A cancelled appointment cannot be marked; \"restore\"\n"
	    "books it again.\n",
	.pos = POS_ID, .min_pos = 2, .max_pos = 2,
	.check = check_mark,
	.request = { .method = "POST",
	    .path = PROTO_PATH_APPOINTMENTS "/{}/mark", .build = build_mark },
	.object = "appointment", .verb = "marked",
	.print = print_appointment_done,
};

const struct ctl_command cmd_series_list = {
	.words = "series list",
	.aliases = { "series", "series ls" },
	.usage = "[--client X] [--clinician Y] [--all]",
	.summary = "list recurring series",
	.help =
	    "Lists the active series, or with --all the ended and cancelled "
	    "ones\n"
	    "too, of one client or clinician if given: the rule, the time (in\n"
	    "the clinician's zone), the first session, when it ends (a date, a\n"
	    "number of sessions or open), the next session and how many are\n"
	    "still to come.\n",
	.options = { O_TEXT("client"), O_TEXT("clinician"), O_FLAG("all") },
	.request = { .method = "GET", .path = PROTO_PATH_SERIES,
	    .pages = "series" },
	.object = "series",
	.print = print_series_list,
};

const struct ctl_command cmd_series_show = {
	.words = "series show",
	.usage = "ID",
	.summary = "show a series and its sessions",
	.help =
	    "Shows a series: its rule, where it comes from, the sessions that\n"
	    "were skipped when it was booked, and every session, past and\n"
	    "future, as \"list\" shows them.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "GET", .path = PROTO_PATH_SERIES "/{}",
	    .pages = "series.appointments" },
	.object = "series",
	.ids = "series.appointments",	/* its sessions */
	.print = print_series,
};

const struct ctl_command cmd_slots = {
	.words = "slots",
	.usage = "--clinician X --service S [--from DATE] [--days N] "
	    "[--room R] [--step MIN]",
	.summary = "find free times for a session",
	.help =
	    "Lists the times at which a session of service S could be booked\n"
	    "with clinician X: inside their working hours, clear of their "
	    "other\n"
	    "sessions (with buffers) and of closures, and of the room's "
	    "sessions\n"
	    "with --room.  It looks at --days days (1 to 62, default 14) from\n"
	    "--from (default today).  By default the slots are packed one "
	    "after\n"
	    "another; --step MIN offers every free start on a MIN-minute "
	    "grid.\n"
	    "Times are in the clinician's zone unless -z is given.\n",
	.options = { O_NEEDED("clinician"), O_NEEDED("service"),
	    O_TEXT("from"), O_NUMBER("days"), O_TEXT("room"),
	    O_NUMBER("step") },
	.request = { .method = "GET", .path = PROTO_PATH_SLOTS },
	.object = "slots",
	.print = print_slots,
};
