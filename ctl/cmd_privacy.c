/*
 * A client's data and its erasure, and the day at a glance: client
 * export writes everything held about one client as JSON; client erase
 * removes their identity; agenda shows each clinician's day.
 */
#include <stddef.h>

#include "protocol.h"
#include "practicectl.h"

const struct ctl_command cmd_client_export = {
	.words = "client export",
	.usage = "REF",
	.summary = "write everything held about a client as JSON",
	.help =
	    "Writes everything practiced holds about one client to stdout\n"
	    "as JSON, table by table: the client record (with SMS consent),\n"
	    "every appointment and series (cancelled and moved ones too),\n"
	    "each reminder and delivery attempt (address, time, outcome),\n"
	    "the audit entries about them, and the calendar feeds that show\n"
	    "their sessions.  Instants are UTC.  Administrators only; the\n"
	    "export is audited.  It comes in pages of records, which --json\n"
	    "prints as they came: {\"table\", \"row\"} each.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.request = { .method = "GET",
	    .path = PROTO_PATH_CLIENTS "/{}" PROTO_PATH_EXPORT,
	    .pages = PROTO_EXPORT_RECORDS },
	.object = "client_id",
	.print = print_client_export,
};

const struct ctl_command cmd_client_erase = {
	.words = "client erase",
	.usage = "REF [--force]",
	.summary = "erase a client (the right to erasure)",
	.help =
	    "Removes the client's identity from every table: the name becomes\n"
	    "\"erased client ID\", the email, phone, zone and consent go, and\n"
	    "so do their reminders and delivery records, the messages written\n"
	    "for them into the outbox folder, cancellation reasons, video\n"
	    "links, and their name and addresses in the audit log.  That each\n"
	    "session happened (when, with whom, its state) is kept, without\n"
	    "identity, for the practice's records.  Sessions booked ahead are\n"
	    "refused unless --force, which cancels them (by the practice,\n"
	    "without a notice) and ends their series.  Administrators only;\n"
	    "the erasure is audited by the client's id.  See practiced(8),\n"
	    "PRIVACY.\n",
	.pos = POS_REF, .min_pos = 1, .max_pos = CTL_ANY,
	.options = { { .name = "force", .kind = OPT_FLAG, .field = "force" } },
	.request = { .method = "POST",
	    .path = PROTO_PATH_CLIENTS "/{}" PROTO_PATH_ERASE },
	.object = PROTO_ERASED,
	.print = print_erased,
};
