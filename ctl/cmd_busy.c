/*
 * Busy calendars: a clinician's private calendar, at its secret
 * address, blocks her time.  add and refresh wait for the fetch.
 */
#include <stddef.h>

#include "protocol.h"
#include "practicectl.h"

static void
build_busy_add(const struct ctl_args *args, struct ctl_request *req)
{
	request_field(req, PROTO_BUSY_URL, json_string(args->pos[0]));
}

const struct ctl_command cmd_busy_add = {
	.words = "busy add",
	.usage = "--clinician X URL [--every 15m]",
	.summary = "block a clinician's time with her private calendar",
	.help =
	    "Adds a busy calendar: the clinician's private calendar at URL\n"
	    "(its secret iCalendar address, https) is fetched now and every\n"
	    "--every (5m to 24h, 15m by default), and its events block her\n"
	    "time from a day ago to 400 days on: booking there is refused\n"
	    "(unless forced) and slots skip it.  Only the times are kept,\n"
	    "never titles or guests.  The address is shown from now on only\n"
	    "as its host.  Waits for the first fetch and says how it went.\n"
	    "Staff and administrators.\n",
	.pos = POS_CUSTOM, .min_pos = 1, .max_pos = 1,
	.options = {
	    { .name = "clinician", .kind = OPT_TEXT, .required = 1,
	      .field = PROTO_BUSY_CLINICIAN },
	    { .name = "every", .kind = OPT_TEXT,
	      .field = PROTO_BUSY_EVERY } },
	.request = { .method = "POST", .path = PROTO_PATH_BUSY,
	    .build = build_busy_add },
	.object = PROTO_BUSY, .verb = "added",
	.print = print_busy_fetched,
};

const struct ctl_command cmd_busy_list = {
	.words = "busy list",
	.aliases = { "busy ls" },
	.usage = "",
	.summary = "list busy calendars and how their fetches went",
	.help =
	    "Lists the busy calendars: whose, the host of the address (never\n"
	    "the rest), how often fetched, how many busy times they hold, the\n"
	    "last fetch and the last good one, and why the last fetch failed\n"
	    "if it did (the busy times of the last good one are kept).\n",
	.request = { .method = "GET", .path = PROTO_PATH_BUSY },
	.object = PROTO_BUSY,
	.print = print_busy_list,
};

const struct ctl_command cmd_busy_refresh = {
	.words = "busy refresh",
	.usage = "ID",
	.summary = "fetch a busy calendar now",
	.help =
	    "Fetches a busy calendar now, waits for the result and says it;\n"
	    "exits 1 when the fetch failed (its last good busy times stay).\n"
	    "Staff and administrators.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "POST", .path = PROTO_PATH_BUSY "/{}"
	    PROTO_PATH_REFRESH },
	.object = PROTO_BUSY, .verb = "refreshed",
	.print = print_busy_fetched,
};

const struct ctl_command cmd_busy_remove = {
	.words = "busy remove",
	.aliases = { "busy rm" },
	.usage = "ID",
	.summary = "remove a busy calendar and free its times",
	.help =
	    "Removes a busy calendar and the busy times it held: the time\n"
	    "is free again.  Staff and administrators.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "DELETE", .path = PROTO_PATH_BUSY "/{}" },
	.object = PROTO_BUSY, .verb = "removed",
	.print = print_busy_removed,
};
