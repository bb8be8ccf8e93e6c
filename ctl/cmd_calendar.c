/*
 * Calendars: export writes the schedule as iCalendar to stdout, exactly
 * as the daemon made it, for a file or another program.
 */
#include <stddef.h>

#include "protocol.h"
#include "practicectl.h"

static const char *const export_details[] = {
	"busy", "initials", "full", NULL
};

const struct ctl_command cmd_export = {
	.words = "export",
	.usage = "[--clinician X] [--from D] [--to D] "
	    "[--detail busy|initials|full]",
	.summary = "write the schedule as iCalendar",
	.help =
	    "Writes the sessions of one clinician (default: the whole\n"
	    "practice) from one day to another, both included, as an\n"
	    "iCalendar file on stdout: a series is one event with its rule\n"
	    "and its exceptions.  Without --from, from 31 days ago; without\n"
	    "--to, 366 days on from --from (or today); at most three years.\n"
	    "--detail says what an event shows besides its time: busy\n"
	    "(\"Busy\" only), initials (the client's, the default) or full\n"
	    "(the client's name, the room or video link, the clinician, and\n"
	    "the clinician's and the client's emails, for an import).\n"
	    "No level shows the service.  --json and -q change nothing.\n",
	.options = {
	    { .name = "clinician", .kind = OPT_TEXT, .field = "clinician" },
	    { .name = "from", .kind = OPT_TEXT, .field = "from" },
	    { .name = "to", .kind = OPT_TEXT, .field = "to" },
	    { .name = "detail", .kind = OPT_CHOICE, .field = "detail",
	      .choices = export_details } },
	.request = { .method = "GET", .path = PROTO_PATH_EXPORT },
	.raw = 1,
};
