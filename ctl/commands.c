/*
 * The command table: each command's words, usage, help, options, and the
 * request it becomes.  Most commands are described by the table alone and
 * built by cmd_build(); a few add a check of their own first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

static int	cmd_build(const struct ctl_args *, struct ctl_request *);
static int	cmd_build_edit(const struct ctl_args *, struct ctl_request *);
static int	cmd_build_hours(const struct ctl_args *, struct ctl_request *);
static int	cmd_build_book(const struct ctl_args *, struct ctl_request *);
static int	cmd_build_list(const struct ctl_args *, struct ctl_request *);
static int	cmd_build_mark(const struct ctl_args *, struct ctl_request *);
static int	cmd_build_report(const struct ctl_args *,
		    struct ctl_request *);
static int	cmd_build_scope(const struct ctl_args *, struct ctl_request *);
static int	cmd_build_closure(const struct ctl_args *,
		    struct ctl_request *);
static int	cmd_help(const struct ctl_args *);

static const char *const yesno[] = { "yes", "no", NULL };
static const char *const cancel_by[] = { "client", "practice", NULL };
static const char *const mark_states[] = {
	"attended", "no-show", "confirmed", "booked", NULL
};

#define O_NAME		{ "name", OPT_VALUE, "name", FIELD_STRING, NULL }
#define O_EMAIL		{ "email", OPT_VALUE, "email", FIELD_NULLABLE, NULL }
#define O_PHONE		{ "phone", OPT_VALUE, "phone", FIELD_NULLABLE, NULL }
#define O_ZONE		{ "zone", OPT_VALUE, "zone", FIELD_NULLABLE, NULL }
#define O_REMIND	{ "remind", OPT_VALUE, "remind", FIELD_STRING, NULL }
#define O_ACTIVE	{ "active", OPT_VALUE, "active", FIELD_YESNO, yesno }
#define O_ALL		{ "all", 0, "all", FIELD_FLAG, NULL }
#define O_MINUTES(f)	{ "minutes", OPT_VALUE | OPT_NUMBER | (f), \
			    "minutes", FIELD_INT, NULL }
#define O_BUFFER	{ "buffer", OPT_VALUE | OPT_NUMBER, "buffer", \
			    FIELD_INT, NULL }
#define O_AT		{ "at", OPT_VALUE | OPT_REQUIRED | OPT_WHEN, "at", \
			    FIELD_STRING, NULL }
#define O_ROOM		{ "room", OPT_VALUE, "room", FIELD_STRING, NULL }
#define O_CLINICIAN(f)	{ "clinician", OPT_VALUE | (f), "clinician", \
			    FIELD_STRING, NULL }
#define O_CLIENT(f)	{ "client", OPT_VALUE | (f), "client", \
			    FIELD_STRING, NULL }
#define O_FORCE		{ "force", 0, "force", FIELD_FLAG, NULL }
#define O_OVERLAP	{ "overlap", 0, "overlap", FIELD_FLAG, NULL }
#define O_SKIP		{ "skip", 0, "skip", FIELD_FLAG, NULL }
#define O_FROM		{ "from", OPT_VALUE, "from", FIELD_STRING, NULL }
#define O_TO		{ "to", OPT_VALUE, "to", FIELD_STRING, NULL }
/* The edit scopes: cmd_build_scope() turns them into "scope". */
#define O_SCOPES	{ "this", 0, NULL, FIELD_FLAG, NULL }, \
			{ "following", 0, NULL, FIELD_FLAG, NULL }, \
			{ "all", 0, NULL, FIELD_FLAG, NULL }

#define H_REF \
	"REF is an id, or a case-insensitive prefix of the name or of any\n" \
	"word of it (\"ana\" and \"ruiz\" both find Ana Ruiz); an exact\n" \
	"name wins over prefixes, and a prefix that fits several is refused\n" \
	"with the candidates named.\n"
#define H_SCOPE \
	"For a session of a series, --this (the default) changes that one\n" \
	"session, --following that one and every later one, --all every\n" \
	"upcoming session of the series; give at most one of them.\n"
#define H_EDIT \
	"Only the fields given change.  --email '' (or none), --phone '' and\n" \
	"--zone '' clear the field; --active no retires the record from\n" \
	"lists and new bookings without deleting its history.\n"

const struct ctl_command commands[] = {
	{ "status", "",
	  "show the daemon, the practice and your role",
	  "Shows the daemon's version and uptime, the practice, how many\n"
	  "records it holds, and who you are to it (user and role).\n",
	  "GET", PROTO_PATH_STATUS, NULL, POS_NONE, 0, 0, { { NULL } },
	  cmd_build, print_status, NULL },

	{ "clinician add", "NAME [--email E] [--phone P] [--zone Z]",
	  "add a clinician",
	  "Adds a clinician.  --zone is the IANA time zone their working\n"
	  "hours are read in (default: the practice's).  Administrators only.\n",
	  "POST", PROTO_PATH_CLINICIANS, "clinician", POS_NAME, 1, -1,
	  { O_EMAIL, O_PHONE, O_ZONE },
	  cmd_build, print_changed, NULL },
	{ "clinician list", "[--all]",
	  "list clinicians",
	  "Lists the active clinicians; --all includes inactive ones.\n",
	  "GET", PROTO_PATH_CLINICIANS, "clinicians", POS_NONE, 0, 0,
	  { O_ALL },
	  cmd_build, print_clinicians, NULL },
	{ "clinician show", "REF",
	  "show a clinician and their working hours",
	  "Shows a clinician, with working hours in the clinician's zone.\n",
	  "GET", PROTO_PATH_CLINICIANS "/{}", "clinician", POS_REF, 1, -1,
	  { { NULL } },
	  cmd_build, print_object, NULL },
	{ "clinician edit", "REF [--name N] [--email E] [--phone P] "
	  "[--zone Z] [--active yes|no]",
	  "change a clinician's details",
	  H_EDIT,
	  "PATCH", PROTO_PATH_CLINICIANS "/{}", "clinician", POS_REF, 1, -1,
	  { O_NAME, O_EMAIL, O_PHONE, O_ZONE, O_ACTIVE },
	  cmd_build_edit, print_changed, NULL },
	{ "clinician hours", "REF SPEC...",
	  "set a clinician's working hours",
	  "Replaces all working hours of a clinician, read in the clinician's\n"
	  "zone.  SPEC is day groups each followed by one or more ranges:\n"
	  "a day (mon ... sun), a span (mon-thu), a list (mon,wed), daily or\n"
	  "weekdays; ranges HH:MM-HH:MM.  \"none\" clears the hours.\n"
	  "  practicectl clinician hours ana mon-thu 09:00-17:00 "
	  "fri 09:00-13:00\n"
	  "  practicectl clinician hours ana mon 09:00-12:00 13:00-17:00\n",
	  "PUT", PROTO_PATH_CLINICIANS "/{}/hours", "clinician", POS_CUSTOM,
	  2, -1, { { NULL } },
	  cmd_build_hours, print_hours_set, NULL },

	{ "client add", "NAME [--email E] [--phone P] [--remind email,sms|none] "
	  "[--zone Z]",
	  "add a client",
	  "Adds a client.  --phone is E.164 (+ and 8 to 15 digits).  --remind\n"
	  "chooses the reminder channels: email needs an email address, sms a\n"
	  "phone.  --zone is the zone the client reads times in.\n",
	  "POST", PROTO_PATH_CLIENTS, "client", POS_NAME, 1, -1,
	  { O_EMAIL, O_PHONE, O_REMIND, O_ZONE },
	  cmd_build, print_changed, NULL },
	{ "client list", "[--all] [--search TEXT]",
	  "list clients",
	  "Lists the active clients; --all includes inactive ones, --search\n"
	  "keeps those whose name starts with TEXT.\n",
	  "GET", PROTO_PATH_CLIENTS, "clients", POS_NONE, 0, 0,
	  { O_ALL, { "search", OPT_VALUE, "q", FIELD_STRING, NULL } },
	  cmd_build, print_clients, NULL },
	{ "client show", "REF",
	  "show a client",
	  "Shows a client.\n",
	  "GET", PROTO_PATH_CLIENTS "/{}", "client", POS_REF, 1, -1,
	  { { NULL } },
	  cmd_build, print_object, NULL },
	{ "client edit", "REF [--name N] [--email E] [--phone P] "
	  "[--remind email,sms|none] [--zone Z] [--active yes|no]",
	  "change a client's details",
	  H_EDIT,
	  "PATCH", PROTO_PATH_CLIENTS "/{}", "client", POS_REF, 1, -1,
	  { O_NAME, O_EMAIL, O_PHONE, O_REMIND, O_ZONE, O_ACTIVE },
	  cmd_build_edit, print_changed, NULL },
	{ "client history", "REF",
	  "show a client's sessions and attendance",
	  "Shows how a client has attended: sessions attended, missed and\n"
	  "cancelled (late, or by the practice), the streak of sessions\n"
	  "attended in a row (each within 10 days of the next), when they\n"
	  "were last seen and their next session; then every appointment.\n",
	  "GET", PROTO_PATH_CLIENTS "/{}/history", "client", POS_REF, 1, -1,
	  { { NULL } },
	  cmd_build, print_history, NULL },

	{ "service add", "NAME --minutes N [--buffer N]",
	  "add a service",
	  "Adds a service: its length in minutes (5 to 480) and the buffer\n"
	  "kept free after it (0 to 120, default 0).  Administrators only.\n",
	  "POST", PROTO_PATH_SERVICES, "service", POS_NAME, 1, -1,
	  { O_MINUTES(OPT_REQUIRED), O_BUFFER },
	  cmd_build, print_changed, NULL },
	{ "service list", "[--all]",
	  "list services",
	  "Lists the active services; --all includes inactive ones.\n",
	  "GET", PROTO_PATH_SERVICES, "services", POS_NONE, 0, 0,
	  { O_ALL },
	  cmd_build, print_services, NULL },
	{ "service show", "REF",
	  "show a service",
	  "Shows a service.\n",
	  "GET", PROTO_PATH_SERVICES "/{}", "service", POS_REF, 1, -1,
	  { { NULL } },
	  cmd_build, print_object, NULL },
	{ "service edit", "REF [--name N] [--minutes N] [--buffer N] "
	  "[--active yes|no]",
	  "change a service",
	  "Only the fields given change.\n",
	  "PATCH", PROTO_PATH_SERVICES "/{}", "service", POS_REF, 1, -1,
	  { O_NAME, O_MINUTES(0), O_BUFFER, O_ACTIVE },
	  cmd_build_edit, print_changed, NULL },

	{ "room add", "NAME",
	  "add a room",
	  "Adds a room.  Administrators only.\n",
	  "POST", PROTO_PATH_ROOMS, "room", POS_NAME, 1, -1,
	  { { NULL } },
	  cmd_build, print_changed, NULL },
	{ "room list", "[--all]",
	  "list rooms",
	  "Lists the active rooms; --all includes inactive ones.\n",
	  "GET", PROTO_PATH_ROOMS, "rooms", POS_NONE, 0, 0,
	  { O_ALL },
	  cmd_build, print_rooms, NULL },
	{ "room show", "REF",
	  "show a room",
	  "Shows a room.\n",
	  "GET", PROTO_PATH_ROOMS "/{}", "room", POS_REF, 1, -1,
	  { { NULL } },
	  cmd_build, print_object, NULL },
	{ "room edit", "REF [--name N] [--active yes|no]",
	  "rename or retire a room",
	  "Only the fields given change.\n",
	  "PATCH", PROTO_PATH_ROOMS "/{}", "room", POS_REF, 1, -1,
	  { O_NAME, O_ACTIVE },
	  cmd_build_edit, print_changed, NULL },

	{ "book", "--client C --clinician X --service S --at WHEN "
	  "[--room R | --video URL] [--force] [--overlap] "
	  "[--repeat weekly|biweekly|monthly|RRULE] [--count N | --until DATE] "
	  "[--skip]",
	  "book an appointment or a series of them",
	  "Books an appointment.  WHEN is \"YYYY-MM-DD HH:MM\" or \"today HH:MM\"\n"
	  "(also tomorrow), read in the practice's zone unless -z is given.\n"
	  "C, X, S and R are references: an id or a prefix of a name.\n"
	  "The daemon refuses a clash with another appointment of the\n"
	  "clinician or the room, a time outside the clinician's working\n"
	  "hours, a closure, and a time in the past.  --force overrides the\n"
	  "working hours, closures and the past; --overlap allows the clash.\n"
	  "Both are recorded in the appointment and the audit log.\n"
	  "\n"
	  "--repeat books a series at the same wall time in the clinician's\n"
	  "zone: weekly, biweekly (every two weeks), monthly (the same weekday\n"
	  "of the month, as in \"2nd Tuesday\"), or an RRULE such as\n"
	  "FREQ=WEEKLY;BYDAY=MO,TH.  --count N books N sessions, --until DATE\n"
	  "the sessions up to DATE; with neither the series is open-ended.\n"
	  "If any session clashes or falls on a closure, nothing is booked\n"
	  "unless --skip (book the free ones and list the others) or\n"
	  "--overlap (book the clashing ones too).\n"
	  "  practicectl book --client jordan --clinician ana --service ind \\\n"
	  "      --at \"2027-01-04 09:00\" --repeat weekly --count 12\n",
	  "POST", PROTO_PATH_APPOINTMENTS, "appointment", POS_NONE, 0, 0,
	  { O_CLIENT(OPT_REQUIRED), O_CLINICIAN(OPT_REQUIRED),
	    { "service", OPT_VALUE | OPT_REQUIRED, "service", FIELD_STRING,
	      NULL },
	    O_AT, O_ROOM,
	    { "video", OPT_VALUE, "video", FIELD_STRING, NULL },
	    O_FORCE, O_OVERLAP,
	    { "repeat", OPT_VALUE, "repeat", FIELD_STRING, NULL },
	    { "count", OPT_VALUE | OPT_NUMBER, "count", FIELD_INT, NULL },
	    { "until", OPT_VALUE, "until", FIELD_STRING, NULL },
	    O_SKIP },
	  cmd_build_book, print_booked, NULL },
	{ "list", "[--day D | --week D | --from D --to D] [--clinician X] "
	  "[--client Y] [--state S]",
	  "list appointments (default: today)",
	  "Lists appointments of one day (default today), of the week (Monday\n"
	  "to Sunday) that holds D, or from one day to another, both\n"
	  "included.  D is YYYY-MM-DD, today, tomorrow or yesterday.  --state\n"
	  "keeps one state: booked, confirmed, cancelled, attended, no-show.\n"
	  "A \"!\" after the state marks a booking made with --force or\n"
	  "--overlap; SERIES names the series a session belongs to, and a\n"
	  "\"*\" after its time marks one moved from its series time.\n",
	  "GET", PROTO_PATH_APPOINTMENTS, "appointments", POS_NONE, 0, 0,
	  { { "day", OPT_VALUE, "day", FIELD_STRING, NULL },
	    { "week", OPT_VALUE, "week", FIELD_STRING, NULL },
	    { "from", OPT_VALUE, "from", FIELD_STRING, NULL },
	    { "to", OPT_VALUE, "to", FIELD_STRING, NULL },
	    O_CLINICIAN(0), O_CLIENT(0),
	    { "state", OPT_VALUE, "state", FIELD_STRING, NULL } },
	  cmd_build_list, print_appointments, NULL },
	{ "show", "ID",
	  "show an appointment",
	  "Shows one appointment in full.\n",
	  "GET", PROTO_PATH_APPOINTMENTS "/{}", "appointment", POS_ID, 1, 1,
	  { { NULL } },
	  cmd_build, print_appointment, NULL },
	{ "move", "ID --at WHEN [--this | --following | --all] [--room R] "
	  "[--clinician X] [--force] [--overlap] [--skip]",
	  "move an appointment, or sessions of a series",
	  "Moves a booked or confirmed appointment to another time, and\n"
	  "optionally another room or clinician; it becomes booked again and\n"
	  "its reminders are planned anew.  --force and --overlap as for book.\n"
	  H_SCOPE
	  "--following splits the series: the old one ends before this\n"
	  "session and a new one starts at the new time.  --all shifts the\n"
	  "series and each of its upcoming sessions by the same amount;\n"
	  "sessions moved on their own stay where they are.  With either,\n"
	  "--skip leaves out the sessions that would clash and lists them.\n",
	  "POST", PROTO_PATH_APPOINTMENTS "/{}/move", "appointment", POS_ID,
	  1, 1,
	  { O_AT, O_ROOM, O_CLINICIAN(0), O_FORCE, O_OVERLAP, O_SCOPES,
	    O_SKIP },
	  cmd_build_scope, print_moved, NULL },
	{ "cancel", "ID [--this | --following | --all] "
	  "[--by client|practice] [--reason TEXT]",
	  "cancel an appointment, or sessions of a series",
	  "Cancels an appointment, by the practice unless --by client.  A\n"
	  "client's cancellation less than the practice's notice period before\n"
	  "the start is recorded as late.\n"
	  H_SCOPE
	  "--following also ends the series before this session; --all\n"
	  "cancels the series itself.\n",
	  "POST", PROTO_PATH_APPOINTMENTS "/{}/cancel", "appointment", POS_ID,
	  1, 1,
	  { { "by", OPT_VALUE, "by", FIELD_STRING, cancel_by },
	    { "reason", OPT_VALUE, "reason", FIELD_STRING, NULL },
	    O_SCOPES },
	  cmd_build_scope, print_cancelled, NULL },
	{ "mark", "ID attended|no-show|confirmed|booked",
	  "record attendance or confirmation",
	  "Sets the state of an appointment: confirmed (the client said they\n"
	  "will come), booked (undo that), and once it has begun, attended or\n"
	  "no-show.  A cancelled appointment cannot be marked.\n",
	  "POST", PROTO_PATH_APPOINTMENTS "/{}/mark", "appointment", POS_ID,
	  2, 2, { { NULL } },
	  cmd_build_mark, print_appointment_done, NULL },

	{ "series list", "[--client X] [--clinician Y] [--all]",
	  "list recurring series",
	  "Lists the active series, or with --all the ended and cancelled ones\n"
	  "too, of one client or clinician if given: the rule, the time (in\n"
	  "the clinician's zone), the first session, when it ends (a date, a\n"
	  "number of sessions or open), the next session and how many are\n"
	  "still to come.\n",
	  "GET", PROTO_PATH_SERIES, "series", POS_NONE, 0, 0,
	  { O_CLIENT(0), O_CLINICIAN(0), O_ALL },
	  cmd_build, print_series_list, NULL },
	{ "series show", "ID",
	  "show a series and its sessions",
	  "Shows a series: its rule, where it comes from, the sessions that\n"
	  "were skipped when it was booked, and every session, past and\n"
	  "future, as \"list\" shows them.\n",
	  "GET", PROTO_PATH_SERIES "/{}", "series", POS_ID, 1, 1,
	  { { NULL } },
	  cmd_build, print_series, NULL },

	{ "slots", "--clinician X --service S [--from DATE] [--days N] "
	  "[--room R] [--step MIN]",
	  "find free times for a session",
	  "Lists the times at which a session of service S could be booked\n"
	  "with clinician X: inside their working hours, clear of their other\n"
	  "sessions (with buffers) and of closures, and of the room's sessions\n"
	  "with --room.  It looks at --days days (1 to 62, default 14) from\n"
	  "--from (default today).  By default the slots are packed one after\n"
	  "another; --step MIN offers every free start on a MIN-minute grid.\n"
	  "Times are in the clinician's zone unless -z is given.\n",
	  "GET", PROTO_PATH_SLOTS, "slots", POS_NONE, 0, 0,
	  { O_CLINICIAN(OPT_REQUIRED),
	    { "service", OPT_VALUE | OPT_REQUIRED, "service", FIELD_STRING,
	      NULL },
	    O_FROM,
	    { "days", OPT_VALUE | OPT_NUMBER, "days", FIELD_INT, NULL },
	    O_ROOM,
	    { "step", OPT_VALUE | OPT_NUMBER, "step", FIELD_INT, NULL } },
	  cmd_build, print_slots, NULL },

	{ "closure add", "FROM[..TO] REASON... [--clinician X]",
	  "close the practice, or a clinician, for some days",
	  "Closes the practice (or, with --clinician, one clinician) for whole\n"
	  "days, FROM to TO included, in the practice's zone (the clinician's\n"
	  "for their own closure).  No session can be booked inside a closure\n"
	  "without --force.  The sessions already booked in it are listed,\n"
	  "for you to move.  The REASON words are joined; it is required.\n"
	  "  practicectl closure add 2026-12-24..2026-12-26 Office closed\n"
	  "  practicectl closure add 2027-02-01 Training --clinician ana\n",
	  "POST", PROTO_PATH_CLOSURES, "closure", POS_CUSTOM, 2, -1,
	  { O_CLINICIAN(0) },
	  cmd_build_closure, print_closure_added, NULL },
	{ "closure list", "[--from DATE] [--to DATE] [--clinician X]",
	  "list closures",
	  "Lists the closures from today on, or from --from to --to; with\n"
	  "--clinician, theirs and the practice-wide ones.\n",
	  "GET", PROTO_PATH_CLOSURES, "closures", POS_NONE, 0, 0,
	  { O_FROM, O_TO, O_CLINICIAN(0) },
	  cmd_build, print_closures, NULL },
	{ "closure remove", "ID",
	  "remove a closure",
	  "Removes a closure: its days are open for booking again.\n",
	  "DELETE", PROTO_PATH_CLOSURES "/{}", "closure", POS_ID, 1, 1,
	  { { NULL } },
	  cmd_build, print_closure_removed, NULL },

	{ "report attendance", "[--from DATE --to DATE] [--clinician X]",
	  "attendance by clinician and by client",
	  "Counts the sessions from --from to --to (default: the last 90\n"
	  "days) by clinician and by client: attended, no-show, cancelled,\n"
	  "cancelled late, cancelled by the practice, and past sessions not\n"
	  "yet marked.  Then it names the clients falling out of care: seen\n"
	  "in the last 30 days, with no session booked.  --clinician keeps\n"
	  "one clinician's sessions and clients.\n",
	  "GET", PROTO_PATH_REPORTS "/attendance", "report", POS_NONE, 0, 0,
	  { O_FROM, O_TO, O_CLINICIAN(0) },
	  cmd_build_report, print_attendance, NULL },

	{ "audit", "[--since DATE] [--limit N]",
	  "show the audit log",
	  "Shows the latest changes (default 100, newest last): who made them,\n"
	  "with which role, to what.  Administrators and staff only.\n",
	  "GET", PROTO_PATH_AUDIT, "audit", POS_NONE, 0, 0,
	  { { "since", OPT_VALUE, "since", FIELD_STRING, NULL },
	    { "limit", OPT_VALUE | OPT_NUMBER, "limit", FIELD_INT, NULL } },
	  cmd_build, print_audit, NULL },

	{ "help", "[COMMAND]",
	  "list the commands, or explain one",
	  "Without COMMAND, lists every command; with one (\"help book\",\n"
	  "\"help clinician\"), shows its usage and what it does.\n",
	  NULL, NULL, NULL, POS_CUSTOM, 0, 2, { { NULL } },
	  NULL, NULL, cmd_help },

	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, { { NULL } },
	  NULL, NULL, NULL }
};

/* Other words for commands. */
static const struct {
	const char	*alias;
	const char	*name;
} aliases[] = {
	{ "clinicians", "clinician list" },
	{ "clients", "client list" },
	{ "services", "service list" },
	{ "rooms", "room list" },
	{ "ls", "list" },
	{ "clinician ls", "clinician list" },
	{ "client ls", "client list" },
	{ "service ls", "service list" },
	{ "room ls", "room list" },
	{ "series", "series list" },	/* alone, or before options */
	{ "series ls", "series list" },
	{ "closures", "closure list" },
	{ "closure ls", "closure list" },
	{ "closure rm", "closure remove" },
};

static const char *const groups[] = {
	"clinician", "client", "service", "room", "series", "closure",
	"report", NULL
};

/* How many of argv's words the command name takes, or 0 if it does not fit. */
static int
commands_match(const char *name, int argc, char **argv)
{
	const char	*sp = strchr(name, ' ');
	size_t		 len = sp != NULL ? (size_t)(sp - name) : strlen(name);

	if (argc < 1 || strlen(argv[0]) != len ||
	    strncmp(argv[0], name, len) != 0)
		return (0);
	if (sp == NULL)
		return (1);
	if (argc < 2 || strcmp(argv[1], sp + 1) != 0)
		return (0);
	return (2);
}

static const struct ctl_command *
commands_named(const char *name)
{
	const struct ctl_command	*cmd;

	for (cmd = commands; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, name) == 0)
			return (cmd);
	return (NULL);
}

/*
 * The command that argv starts with (its words or an alias), and in
 * *used how many words it took; NULL if none.
 */
const struct ctl_command *
commands_find(int argc, char **argv, int *used)
{
	const struct ctl_command	*cmd;
	size_t				 i;
	int				 n;

	for (cmd = commands; cmd->name != NULL; cmd++) {
		if ((n = commands_match(cmd->name, argc, argv)) != 0) {
			*used = n;
			return (cmd);
		}
	}
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if ((n = commands_match(aliases[i].alias, argc, argv)) == 0)
			continue;
		/* "series" lists, "series frob" is an unknown subcommand. */
		if (n == 1 && commands_is_group(argv[0]) && argc > 1 &&
		    argv[1][0] != '-')
			continue;
		*used = n;
		return (commands_named(aliases[i].name));
	}
	return (NULL);
}

/* Whether word names a group of commands ("clinician", ...). */
int
commands_is_group(const char *word)
{
	const char *const	*g;

	for (g = groups; *g != NULL; g++)
		if (strcmp(*g, word) == 0)
			return (1);
	return (0);
}

void
commands_print_usage(const struct ctl_command *cmd, FILE *fp)
{
	fprintf(fp, "usage: %s %s%s%s\n", ctl_progname, cmd->name,
	    *cmd->args != '\0' ? " " : "", cmd->args);
}

void
commands_print_list(FILE *fp)
{
	const struct ctl_command	*cmd;

	fprintf(fp, "usage: %s [-hV] [--json] [-s socket] [-z zone] command "
	    "[argument ...]\n\ncommands:\n", ctl_progname);
	for (cmd = commands; cmd->name != NULL; cmd++)
		fprintf(fp, "  %-18s %s\n", cmd->name, cmd->summary);
	fprintf(fp, "\nclinicians, clients, services, rooms, series and closures "
	    "are short for\n\"... list\".\n"
	    "\"%s help COMMAND\" explains one; %s(8) has the rest.\n",
	    ctl_progname, ctl_progname);
}

/* Whether cmd is one of group's commands ("clinician add" of "clinician"). */
static int
commands_in_group(const struct ctl_command *cmd, const char *group)
{
	size_t	len = strlen(group);

	return (strncmp(cmd->name, group, len) == 0 && cmd->name[len] == ' ');
}

/* The usage lines of a group's commands. */
void
commands_print_group(const char *group, FILE *fp)
{
	const struct ctl_command	*cmd;

	for (cmd = commands; cmd->name != NULL; cmd++)
		if (commands_in_group(cmd, group))
			commands_print_usage(cmd, fp);
}

/* The usage and the explanation of one command. */
void
commands_print_help(const struct ctl_command *cmd)
{
	commands_print_usage(cmd, stdout);
	printf("\n%s", cmd->help);
	if (strncmp(cmd->args, "REF", 3) == 0)
		printf("%s", H_REF);
}

/* The commands of a group with their summaries, and how REF works. */
static void
commands_print_group_help(const char *group)
{
	const struct ctl_command	*cmd;
	const char			*verb = "list";
	int				 n = 0;

	printf("%s commands:\n", group);
	for (cmd = commands; cmd->name != NULL; cmd++) {
		if (!commands_in_group(cmd, group))
			continue;
		printf("  %s %s%s%s\n      %s\n", ctl_progname, cmd->name,
		    *cmd->args != '\0' ? " " : "", cmd->args, cmd->summary);
		if (n++ == 0)
			verb = cmd->name + strlen(group) + 1;
	}
	printf("\n%s\n\"%s help %s %s\" %s.\n", H_REF, ctl_progname, group,
	    verb, n > 1 ? "(and so on) explains one" : "explains it");
}

/*
 * "help", "help book", "help clinician", "help clinician add": prints to
 * stdout and returns an exit status.
 */
int
commands_help(const char *word1, const char *word2)
{
	const struct ctl_command	*cmd;
	char				*words[2];
	int				 n, used;

	if (word1 == NULL) {
		commands_print_list(stdout);
		return (CTL_EXIT_OK);
	}
	words[0] = (char *)word1;
	words[1] = (char *)word2;
	n = word2 != NULL ? 2 : 1;
	if (n == 1 && commands_is_group(word1)) {
		commands_print_group_help(word1);
		return (CTL_EXIT_OK);
	}
	if ((cmd = commands_find(n, words, &used)) != NULL && used == n) {
		commands_print_help(cmd);
		return (CTL_EXIT_OK);
	}
	fprintf(stderr, "%s: no such command: %s%s%s\n", ctl_progname, word1,
	    word2 != NULL ? " " : "", word2 != NULL ? word2 : "");
	fprintf(stderr, "try \"%s help\" for the list\n", ctl_progname);
	return (CTL_EXIT_USAGE);
}

static int
cmd_help(const struct ctl_args *args)
{
	return (commands_help(args->npos > 0 ? args->pos[0] : NULL,
	    args->npos > 1 ? args->pos[1] : NULL));
}

/* Sets the body field (or query parameter) that option o carries. */
static void
cmd_option(struct ctl_request *req, const struct ctl_option *o,
    const char *value)
{
	json_t	*v;

	if (req->body == NULL) {
		request_query(req, o->field,
		    o->type == FIELD_FLAG ? "1" : value);
		return;
	}
	switch (o->type) {
	case FIELD_NULLABLE:
		if (*value == '\0' || strcmp(value, "none") == 0)
			v = json_null();
		else
			v = json_string(value);
		break;
	case FIELD_INT:
		v = json_integer(strtoll(value, NULL, 10));
		break;
	case FIELD_YESNO:
		v = json_boolean(strcmp(value, "yes") == 0);
		break;
	case FIELD_FLAG:
		v = json_true();
		break;
	default:
		v = json_string(value);
		break;
	}
	request_field(req, o->field, v);
}

/*
 * The request a command describes: its method, its path with the REF or ID
 * in place of "{}", NAME as "name", each option given, and the zone.
 */
static int
cmd_build(const struct ctl_args *args, struct ctl_request *req)
{
	const struct ctl_command	*cmd = args->cmd;
	const char			*brace, *ref;
	char				*head;
	int				 i;

	request_init(req, cmd->method);
	if ((brace = strstr(cmd->path, "{}")) != NULL) {
		ref = cmd->pos == POS_REF ? args->joined : args->pos[0];
		head = xasprintf("%.*s", (int)(brace - cmd->path), cmd->path);
		request_path(req, head);
		request_path_ref(req, ref);
		request_path(req, brace + 2);
		free(head);
	} else
		request_path(req, cmd->path);
	if (cmd->pos == POS_NAME)
		request_field(req, "name", json_string(args->joined));
	for (i = 0; i < CTL_MAX_OPTIONS && cmd->opts[i].name != NULL; i++)
		if (args->val[i] != NULL && cmd->opts[i].field != NULL)
			cmd_option(req, &cmd->opts[i], args->val[i]);
	request_zone(req, args->zone);
	return (0);
}

static int
cmd_build_edit(const struct ctl_args *args, struct ctl_request *req)
{
	int	i;

	for (i = 0; i < CTL_MAX_OPTIONS; i++)
		if (args->val[i] != NULL)
			return (cmd_build(args, req));
	ctl_usage_error(args->cmd, "nothing to change");
	return (-1);
}

static int
cmd_build_hours(const struct ctl_args *args, struct ctl_request *req)
{
	char	*spec;

	spec = parse_join(args->pos + 1, args->npos - 1, " ");
	cmd_build(args, req);
	request_field(req, "hours", json_string(spec));
	free(spec);
	return (0);
}

static int
cmd_build_book(const struct ctl_args *args, struct ctl_request *req)
{
	const char	*repeat = parse_get(args, "repeat");

	if (parse_get(args, "room") != NULL &&
	    parse_get(args, "video") != NULL) {
		ctl_usage_error(args->cmd, "--room and --video exclude each "
		    "other");
		return (-1);
	}
	if (parse_get(args, "count") != NULL &&
	    parse_get(args, "until") != NULL) {
		ctl_usage_error(args->cmd, "--count and --until exclude each "
		    "other");
		return (-1);
	}
	if (repeat == NULL && (parse_get(args, "count") != NULL ||
	    parse_get(args, "until") != NULL || parse_get(args, "skip") !=
	    NULL)) {
		ctl_usage_error(args->cmd, "--%s needs --repeat",
		    parse_get(args, "count") != NULL ? "count" :
		    parse_get(args, "until") != NULL ? "until" : "skip");
		return (-1);
	}
	if (repeat != NULL && repeat[strspn(repeat, " \t")] == '\0') {
		ctl_usage_error(args->cmd, "--repeat: empty rule");
		return (-1);
	}
	return (cmd_build(args, req));
}

/*
 * move and cancel: --this, --following or --all (at most one) become
 * "scope"; --skip (move) needs --following or --all.
 */
static int
cmd_build_scope(const struct ctl_args *args, struct ctl_request *req)
{
	static const char *const scopes[] = { "this", "following", "all" };
	const char	*scope = NULL;
	size_t		 i;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if (parse_get(args, scopes[i]) == NULL)
			continue;
		if (scope != NULL) {
			ctl_usage_error(args->cmd, "--this, --following and "
			    "--all exclude each other");
			return (-1);
		}
		scope = scopes[i];
	}
	if (parse_get(args, "skip") != NULL && (scope == NULL ||
	    strcmp(scope, "this") == 0)) {
		ctl_usage_error(args->cmd, "--skip needs --following or "
		    "--all");
		return (-1);
	}
	cmd_build(args, req);
	if (scope != NULL)
		request_field(req, "scope", json_string(scope));
	return (0);
}

/*
 * closure add FROM[..TO] REASON...: the days, then the reason, which is
 * every other word.
 */
static int
cmd_build_closure(const struct ctl_args *args, struct ctl_request *req)
{
	const char	*days = args->pos[0], *dots;
	char		*from, *reason;

	if ((dots = strstr(days, "..")) != NULL)
		from = xasprintf("%.*s", (int)(dots - days), days);
	else
		from = xstrdup(days);
	if (*from == '\0' || (dots != NULL && (dots[2] == '\0' ||
	    strstr(dots + 2, "..") != NULL))) {
		ctl_usage_error(args->cmd, "not DATE or DATE..DATE: %s", days);
		free(from);
		return (-1);
	}
	reason = parse_join(args->pos + 1, args->npos - 1, " ");
	if (reason[strspn(reason, " \t")] == '\0') {
		ctl_usage_error(args->cmd, "empty REASON");
		free(reason);
		free(from);
		return (-1);
	}
	cmd_build(args, req);
	request_field(req, "from", json_string(from));
	if (dots != NULL)
		request_field(req, "to", json_string(dots + 2));
	request_field(req, "reason", json_string(reason));
	free(reason);
	free(from);
	return (0);
}

static int
cmd_build_list(const struct ctl_args *args, struct ctl_request *req)
{
	int	ranges = 0;

	ranges += parse_get(args, "day") != NULL;
	ranges += parse_get(args, "week") != NULL;
	ranges += parse_get(args, "from") != NULL ||
	    parse_get(args, "to") != NULL;
	if (ranges > 1) {
		ctl_usage_error(args->cmd, "give one of --day, --week, or "
		    "--from with --to");
		return (-1);
	}
	return (cmd_build_report(args, req));
}

/* --from and --to come as a pair. */
static int
cmd_build_report(const struct ctl_args *args, struct ctl_request *req)
{
	if ((parse_get(args, "from") == NULL) !=
	    (parse_get(args, "to") == NULL)) {
		ctl_usage_error(args->cmd, "--from and --to go together");
		return (-1);
	}
	return (cmd_build(args, req));
}

static int
cmd_build_mark(const struct ctl_args *args, struct ctl_request *req)
{
	const char *const	*s;

	for (s = mark_states; *s != NULL; s++)
		if (strcmp(*s, args->pos[1]) == 0)
			break;
	if (*s == NULL) {
		ctl_usage_error(args->cmd, "%s is not a state to mark",
		    args->pos[1]);
		return (-1);
	}
	cmd_build(args, req);
	request_field(req, "state", json_string(*s));
	return (0);
}
