/* agenda: each clinician's day at a glance. */
#include <stddef.h>

#include "protocol.h"
#include "practicectl.h"

const struct ctl_command cmd_agenda = {
	.words = "agenda",
	.usage = "[--clinician X] [--day DATE|today|tomorrow]",
	.summary = "each clinician's day at a glance",
	.help =
	    "Shows, for each active clinician (or the one of --clinician), the\n"
	    "sessions of the day (default today): their time, client and\n"
	    "place, marking those booked and not yet confirmed; the sessions\n"
	    "of the two weeks before that are over and not yet marked\n"
	    "attended or no-show; the reminders and notices that failed for\n"
	    "sessions still ahead; the clients\n"
	    "whose series has its last session in the day's week (Monday to\n"
	    "Sunday) with nothing booked after it; and the clients falling\n"
	    "out of care (seen in the last 30 days, nothing booked), as\n"
	    "\"report attendance\" finds them.\n",
	.options = {
	    { .name = "clinician", .kind = OPT_TEXT, .field = "clinician" },
	    { .name = "day", .kind = OPT_TEXT, .field = "day" } },
	.request = { .method = "GET", .path = PROTO_PATH_AGENDA,
	    .pages = PROTO_AGENDA },
	.object = PROTO_AGENDA,
	.print = print_agenda,
};
