/*
 * Calendar feeds: a clinician's schedule at a secret address that
 * their calendar app subscribes to.  add and rotate print the address;
 * nothing else can show it again.
 */
#include <stddef.h>

#include "protocol.h"
#include "practicectl.h"

static const char *const feed_details[] = {
	"busy", "initials", "full", NULL
};

const struct ctl_command cmd_feed_add = {
	.words = "feed add",
	.usage = "--clinician X [--detail busy|initials|full]",
	.summary = "make a calendar feed and print its address",
	.help =
	    "Makes a calendar feed of one clinician's sessions, from 60 days\n"
	    "ago to 400 days on, and prints the address to subscribe to in a\n"
	    "calendar app.  The address holds a secret: it is shown now and\n"
	    "never again (rotate gives a new one).  --detail says what an\n"
	    "event shows: busy, initials (the client's; the default) or full\n"
	    "(the name and the room or video link).  No level shows the\n"
	    "service.  Administrators only.\n",
	.options = {
	    { .name = "clinician", .kind = OPT_TEXT, .required = 1,
	      .field = "clinician" },
	    { .name = "detail", .kind = OPT_CHOICE, .field = "detail",
	      .choices = feed_details } },
	.request = { .method = "POST", .path = PROTO_PATH_FEEDS },
	.object = "feed", .verb = "added",
	.print = print_feed_url,
};

const struct ctl_command cmd_feed_list = {
	.words = "feed list",
	.aliases = { "feeds", "feed ls" },
	.usage = "",
	.summary = "list calendar feeds and their last fetch",
	.help =
	    "Lists the calendar feeds, revoked ones last: whose, at what\n"
	    "detail, when made, and the last fetch (when, from which address,\n"
	    "by which program).  Never their addresses.  Staff and\n"
	    "administrators.\n",
	.request = { .method = "GET", .path = PROTO_PATH_FEEDS },
	.object = "feeds",
	.print = print_feeds,
};

const struct ctl_command cmd_feed_rotate = {
	.words = "feed rotate",
	.usage = "ID",
	.summary = "give a feed a new address",
	.help =
	    "Gives a feed a new secret address and prints it; the old one\n"
	    "answers 404 from now on.  For an address that was shared too\n"
	    "widely or lost with a phone.  Administrators only.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "POST", .path = PROTO_PATH_FEEDS "/{}"
	    PROTO_PATH_ROTATE },
	.object = "feed", .verb = "rotated",
	.print = print_feed_url,
};

const struct ctl_command cmd_feed_revoke = {
	.words = "feed revoke",
	.usage = "ID",
	.summary = "stop a calendar feed for good",
	.help =
	    "Revokes a feed: its address answers 404 from now on, and it\n"
	    "stays listed as revoked.  Staff and administrators.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "DELETE", .path = PROTO_PATH_FEEDS "/{}" },
	.object = "feed", .verb = "revoked",
	.print = print_feed_revoked,
};
