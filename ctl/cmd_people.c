/*
 * The commands that keep people and things: clinicians, clients, services
 * and rooms (add, list, show, edit; a clinician's hours, a client's
 * history).
 */
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

static const char *const yesno[] = { "yes", "no", NULL };

#define O_NAME		{ .name = "name", .kind = OPT_TEXT, .field = "name" }
#define O_EMAIL		{ .name = "email", .kind = OPT_TEXT, \
			  .field = "email", .as = AS_NULLABLE }
#define O_PHONE		{ .name = "phone", .kind = OPT_TEXT, \
			  .field = "phone", .as = AS_NULLABLE }
#define O_ZONE		{ .name = "zone", .kind = OPT_TEXT, \
			  .field = "zone", .as = AS_NULLABLE }
#define O_REMIND	{ .name = "remind", .kind = OPT_TEXT, \
			  .field = "remind" }
#define O_CONSENT	{ .name = "sms-consent", .kind = OPT_CHOICE, \
			  .field = "sms_consent", .as = AS_YESNO, \
			  .choices = yesno }
#define O_ACTIVE	{ .name = "active", .kind = OPT_CHOICE, \
			  .field = "active", .as = AS_YESNO, .choices = yesno }
#define O_ALL		{ .name = "all", .kind = OPT_FLAG, .field = "all" }
#define O_MINUTES	{ .name = "minutes", .kind = OPT_NUMBER, \
			  .field = "minutes" }
#define O_BUFFER	{ .name = "buffer", .kind = OPT_NUMBER, \
			  .field = "buffer" }

#define H_CONSENT \
	"--sms-consent yes records that the client agreed to text messages,\n" \
	"with when and by whom (kept from the first time); no withdraws it.\n" \
	"SMS reminders and notices go only with consent recorded; without\n" \
	"it they are skipped, saying so.  A change of channels, addresses\n" \
	"or consent re-plans the reminders of the client's booked sessions.\n"

#define H_EDIT \
	"Only the fields given change.  --email '' (or none), --phone '' and\n" \
	"--zone '' clear the field; --active no retires the record from\n" \
	"lists and new bookings without deleting its history.\n"

#define O_FORCE		{ .name = "force", .kind = OPT_FLAG, .field = "force" }

#define H_STRANDED \
	"Archiving (--active no) is refused while booked sessions lie ahead\n" \
	"(they are listed); move or cancel them, or give --force to keep\n" \
	"them booked.  A change that strands sessions lists them.\n"

/*
 * The booked sessions ahead a change affects, under what it changed, as
 * closure add lists those inside a closure.
 */
static void
print_stranded(const struct ctl_view *view, json_t *answer)
{
	json_t		*affected, *o;
	const char	*tz;
	size_t		 n;

	affected = json_member(answer, "affected", JSON_ARRAY);
	if ((n = json_array_size(affected)) == 0)
		return;
	o = answer_object(answer, view->object);
	if (json_is_false(json_object_get(o, "active")))
		print_line(stdout, "%zu booked session%s ahead kept with the "
		    "archived %s:", n, n == 1 ? "" : "s", view->object);
	else
		print_line(stdout, "%zu booked session%s ahead now fall%s "
		    "outside the working hours:", n, n == 1 ? "" : "s",
		    n == 1 ? "s" : "");
	tz = json_text(answer, "tz") != NULL ? json_text(answer, "tz") :
	    json_text(json_array_get(affected, 0), "tz");
	print_appt_table(view, affected, tz);
}

static int
print_edited(const struct ctl_view *view, json_t *answer)
{
	int	rc;

	if ((rc = print_changed(view, answer)) == CTL_EXIT_OK)
		print_stranded(view, answer);
	return rc;
}

static int
print_hours_edited(const struct ctl_view *view, json_t *answer)
{
	int	rc;

	if ((rc = print_hours_set(view, answer)) == CTL_EXIT_OK)
		print_stranded(view, answer);
	return rc;
}

/* edit: at least one field to change. */
static int
check_edit(const struct ctl_args *args, struct ctl_error *err)
{
	int	i;

	for (i = 0; i < CTL_MAX_OPTIONS; i++)
		if (args->val[i] != NULL)
			return 0;
	return error_usage(err, args->cmd, "nothing to change");
}

const struct ctl_command cmd_clinician_add = {
	.words = "clinician add",
	.usage = "NAME [--email E] [--phone P] [--zone Z]",
	.summary = "add a clinician",
	.help =
	    "Adds a clinician.  --zone is the IANA time zone their working\n"
	    "hours are read in (default: the practice's).  Administrators "
	    "only.\n",
	.pos = POS_NAME, .min_pos = 1, .max_pos = CTL_ANY,
	.options = { O_EMAIL, O_PHONE, O_ZONE },
	.request = { .method = "POST", .path = PROTO_PATH_CLINICIANS },
	.object = "clinician", .verb = "added",
	.print = print_changed,
};

const struct ctl_command cmd_clinician_list = {
	.words = "clinician list",
	.aliases = { "clinicians", "clinician ls" },
	.usage = "[--all]",
	.summary = "list clinicians",
	.help = "Lists the active clinicians; --all includes inactive ones.\n",
	.options = { O_ALL },
	.request = { .method = "GET", .path = PROTO_PATH_CLINICIANS },
	.object = "clinicians",
	.print = print_clinicians,
};

const struct ctl_command cmd_clinician_show = {
	.words = "clinician show",
	.usage = "REF",
	.summary = "show a clinician and their working hours",
	.help =
	    "Shows a clinician, with working hours in the clinician's zone.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.request = { .method = "GET", .path = PROTO_PATH_CLINICIANS "/{}" },
	.object = "clinician",
	.print = print_object,
};

const struct ctl_command cmd_clinician_edit = {
	.words = "clinician edit",
	.usage = "REF [--name N] [--email E] [--phone P] [--zone Z] "
	    "[--active yes|no] [--force]",
	.summary = "change a clinician's details",
	.help = H_EDIT H_STRANDED
	    "A new --zone lists the sessions ahead it leaves outside the\n"
	    "clinician's hours.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.options = { O_NAME, O_EMAIL, O_PHONE, O_ZONE, O_ACTIVE, O_FORCE },
	.check = check_edit,
	.request = { .method = "PATCH", .path = PROTO_PATH_CLINICIANS "/{}" },
	.object = "clinician", .verb = "updated",
	.print = print_edited,
};

/* clinician hours REF SPEC...: the words after REF are the hours. */
static void
build_hours(const struct ctl_args *args, struct ctl_request *req)
{
	char	*spec;

	spec = parse_join(args->pos + 1, args->npos - 1, " ");
	request_field(req, "hours", json_string(spec));
	free(spec);
}

const struct ctl_command cmd_clinician_hours = {
	.words = "clinician hours",
	.usage = "REF SPEC...",
	.summary = "set a clinician's working hours",
	.help =
	    "Replaces all working hours of a clinician, read in the "
	    "clinician's\n"
	    "zone.  SPEC is day groups each followed by one or more ranges:\n"
	    "a day (mon ... sun), a span (mon-thu), a list (mon,wed), daily or\n"
	    "weekdays; ranges HH:MM-HH:MM.  \"none\" clears the hours.\n"
	    "  practicectl clinician hours ana mon-thu 09:00-17:00 "
	    "fri 09:00-13:00\n"
	    "  practicectl clinician hours ana mon 09:00-12:00 13:00-17:00\n"
	    "The booked sessions ahead that fall outside the new hours are\n"
	    "listed (they stay booked; move them with move).\n",
	.pos = POS_CUSTOM, .min_pos = 2, .max_pos = CTL_ANY,
	.request = { .method = "PUT", .path = PROTO_PATH_CLINICIANS "/{}/hours",
	    .build = build_hours },
	.object = "clinician",
	.print = print_hours_edited,
};

const struct ctl_command cmd_client_add = {
	.words = "client add",
	.usage = "NAME [--email E] [--phone P] [--remind email,sms|none] "
	    "[--sms-consent yes|no] [--zone Z]",
	.summary = "add a client",
	.help =
	    "Adds a client.  --phone is E.164 (+ and 8 to 15 digits).  "
	    "--remind\n"
	    "chooses the reminder channels: email needs an email address, sms "
	    "a\n"
	    "phone.  --zone is the zone the client reads times in.  A name\n"
	    "another client has is taken with a warning naming the other;\n"
	    "refer to each then by id, or as \"NAME #ID\" or \"NAME <EMAIL>\".\n"
	    H_CONSENT,
	.pos = POS_NAME, .min_pos = 1, .max_pos = CTL_ANY,
	.options = { O_EMAIL, O_PHONE, O_REMIND, O_CONSENT, O_ZONE },
	.request = { .method = "POST", .path = PROTO_PATH_CLIENTS },
	.object = "client", .verb = "added",
	.print = print_changed,
};

const struct ctl_command cmd_client_list = {
	.words = "client list",
	.aliases = { "clients", "client ls" },
	.usage = "[--all] [--search TEXT]",
	.summary = "list clients",
	.help =
	    "Lists the active clients; --all includes inactive ones, --search\n"
	    "keeps those with a word of the name starting with TEXT (case\n"
	    "and accents aside).\n",
	.options = { O_ALL,
	    { .name = "search", .kind = OPT_TEXT, .field = "q" } },
	.request = { .method = "GET", .path = PROTO_PATH_CLIENTS },
	.object = "clients",
	.print = print_clients,
};

const struct ctl_command cmd_client_show = {
	.words = "client show",
	.usage = "REF",
	.summary = "show a client",
	.help = "Shows a client.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.request = { .method = "GET", .path = PROTO_PATH_CLIENTS "/{}" },
	.object = "client",
	.print = print_object,
};

const struct ctl_command cmd_client_edit = {
	.words = "client edit",
	.usage = "REF [--name N] [--email E] [--phone P] "
	    "[--remind email,sms|none] [--sms-consent yes|no] [--zone Z] "
	    "[--active yes|no] [--force]",
	.summary = "change a client's details",
	.help = H_EDIT H_CONSENT H_STRANDED
	    "A client archived with sessions kept is sent no reminders for\n"
	    "them; the sessions are flagged for the front desk.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.options = { O_NAME, O_EMAIL, O_PHONE, O_REMIND, O_CONSENT, O_ZONE,
	    O_ACTIVE, O_FORCE },
	.check = check_edit,
	.request = { .method = "PATCH", .path = PROTO_PATH_CLIENTS "/{}" },
	.object = "client", .verb = "updated",
	.print = print_changed,
};

const struct ctl_command cmd_client_history = {
	.words = "client history",
	.usage = "REF",
	.summary = "show a client's sessions and attendance",
	.help =
	    "Shows how a client has attended: sessions attended, missed and\n"
	    "cancelled (late, or by the practice), the streak of sessions\n"
	    "attended in a row (each within 10 days of the next), when they\n"
	    "were last seen and their next session; then every appointment.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.request = { .method = "GET",
	    .path = PROTO_PATH_CLIENTS "/{}/history",
	    .pages = "appointments" },
	.object = "client",
	.ids = "appointments",	/* their sessions */
	.print = print_history,
};

const struct ctl_command cmd_service_add = {
	.words = "service add",
	.usage = "NAME --minutes N [--buffer N]",
	.summary = "add a service",
	.help =
	    "Adds a service: its length in minutes (5 to 480) and the buffer\n"
	    "kept free after it (0 to 120, default 0).  Administrators only.\n",
	.pos = POS_NAME, .min_pos = 1, .max_pos = CTL_ANY,
	.options = {
	    { .name = "minutes", .kind = OPT_NUMBER, .required = 1,
	      .field = "minutes" },
	    O_BUFFER },
	.request = { .method = "POST", .path = PROTO_PATH_SERVICES },
	.object = "service", .verb = "added",
	.print = print_changed,
};

const struct ctl_command cmd_service_list = {
	.words = "service list",
	.aliases = { "services", "service ls" },
	.usage = "[--all]",
	.summary = "list services",
	.help = "Lists the active services; --all includes inactive ones.\n",
	.options = { O_ALL },
	.request = { .method = "GET", .path = PROTO_PATH_SERVICES },
	.object = "services",
	.print = print_services,
};

const struct ctl_command cmd_service_show = {
	.words = "service show",
	.usage = "REF",
	.summary = "show a service",
	.help = "Shows a service.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.request = { .method = "GET", .path = PROTO_PATH_SERVICES "/{}" },
	.object = "service",
	.print = print_object,
};

const struct ctl_command cmd_service_edit = {
	.words = "service edit",
	.usage = "REF [--name N] [--minutes N] [--buffer N] [--active yes|no]",
	.summary = "change a service",
	.help = "Only the fields given change.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.options = { O_NAME, O_MINUTES, O_BUFFER, O_ACTIVE },
	.check = check_edit,
	.request = { .method = "PATCH", .path = PROTO_PATH_SERVICES "/{}" },
	.object = "service", .verb = "updated",
	.print = print_changed,
};

const struct ctl_command cmd_room_add = {
	.words = "room add",
	.usage = "NAME",
	.summary = "add a room",
	.help = "Adds a room.  Administrators only.\n",
	.pos = POS_NAME, .min_pos = 1, .max_pos = CTL_ANY,
	.request = { .method = "POST", .path = PROTO_PATH_ROOMS },
	.object = "room", .verb = "added",
	.print = print_changed,
};

const struct ctl_command cmd_room_list = {
	.words = "room list",
	.aliases = { "rooms", "room ls" },
	.usage = "[--all]",
	.summary = "list rooms",
	.help = "Lists the active rooms; --all includes inactive ones.\n",
	.options = { O_ALL },
	.request = { .method = "GET", .path = PROTO_PATH_ROOMS },
	.object = "rooms",
	.print = print_rooms,
};

const struct ctl_command cmd_room_show = {
	.words = "room show",
	.usage = "REF",
	.summary = "show a room",
	.help = "Shows a room.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.request = { .method = "GET", .path = PROTO_PATH_ROOMS "/{}" },
	.object = "room",
	.print = print_object,
};

const struct ctl_command cmd_room_edit = {
	.words = "room edit",
	.usage = "REF [--name N] [--active yes|no] [--force]",
	.summary = "rename or retire a room",
	.help = "Only the fields given change.\n" H_STRANDED,
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.options = { O_NAME, O_ACTIVE, O_FORCE },
	.check = check_edit,
	.request = { .method = "PATCH", .path = PROTO_PATH_ROOMS "/{}" },
	.object = "room", .verb = "updated",
	.print = print_edited,
};
