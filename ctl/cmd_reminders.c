/*
 * The commands of the outbox: the reminders by state and due time, every
 * reminder of one session and why, a retry of a failed one, and a test
 * message sent now.
 */
#include <stddef.h>

#include "protocol.h"
#include "practicectl.h"

/* --pending, --failed, --sent and --state say one state between them. */
static const char *const state_flags[] = { "pending", "failed", "sent" };
#define NSTATE_FLAGS	(sizeof(state_flags) / sizeof(state_flags[0]))

static int
check_reminders(const struct ctl_args *args, struct ctl_error *err)
{
	size_t	i;
	int	n = args_get(args, "state") != NULL;

	for (i = 0; i < NSTATE_FLAGS; i++)
		n += args_get(args, state_flags[i]) != NULL;
	if (n > 1)
		return error_usage(err, args->cmd, "give one of --pending, "
		    "--failed, --sent and --state");
	return 0;
}

static void
build_reminders(const struct ctl_args *args, struct ctl_request *req)
{
	size_t	i;

	for (i = 0; i < NSTATE_FLAGS; i++)
		if (args_get(args, state_flags[i]) != NULL)
			request_param(req, PROTO_REMINDERS_STATE,
			    state_flags[i]);
}

const struct ctl_command cmd_reminders_list = {
	.words = "reminders list",
	.aliases = { "reminders", "reminders ls" },
	.usage = "[--pending | --failed | --sent | --state S] [--next TIME] "
	    "[--limit N] [--after CURSOR]",
	.summary = "list the reminders and notices in the outbox",
	.help =
	    "Lists the outbox in the order of due times: each reminder or\n"
	    "notice with its session, client, channel, rule, due time, state\n"
	    "and why.  Without a state every one but the superseded is shown;\n"
	    "--state takes pending, sending, sent, failed, expired, skipped or\n"
	    "superseded.  --next TIME keeps those due from now to TIME ahead\n"
	    "(90m, 48h, 7d).  A page holds 100 rows (--limit, at most 500);\n"
	    "when more follow, the last line gives the --after for the next.\n",
	.options = { { .name = "pending", .kind = OPT_FLAG },
	    { .name = "failed", .kind = OPT_FLAG },
	    { .name = "sent", .kind = OPT_FLAG },
	    { .name = "state", .kind = OPT_TEXT,
	      .field = PROTO_REMINDERS_STATE },
	    { .name = "next", .kind = OPT_TEXT,
	      .field = PROTO_REMINDERS_NEXT },
	    { .name = "limit", .kind = OPT_NUMBER,
	      .field = PROTO_PAGE_LIMIT },
	    { .name = "after", .kind = OPT_TEXT,
	      .field = PROTO_PAGE_AFTER } },
	.check = check_reminders,
	.request = { .method = "GET", .path = PROTO_PATH_REMINDERS,
	    .build = build_reminders },
	.object = PROTO_REMINDERS,
	.print = print_reminders,
};

const struct ctl_command cmd_reminders_explain = {
	.words = "reminders explain",
	.usage = "APPOINTMENT",
	.summary = "show every reminder of a session and what became of it",
	.help =
	    "Shows every reminder and notice planned for an appointment, those\n"
	    "of its earlier times too (superseded when it moved or was\n"
	    "cancelled): when each was due, its state and why, and each\n"
	    "attempt to deliver it with the server's answer.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "GET", .path = PROTO_PATH_APPOINTMENTS "/{}"
	    PROTO_PATH_REMINDERS },
	.object = PROTO_REMINDERS,
	.pos_noun = "appointment",
	.print = print_reminders_explain,
};

const struct ctl_command cmd_reminders_retry = {
	.words = "reminders retry",
	.usage = "ID",
	.summary = "send a failed or expired reminder again",
	.help =
	    "Puts a failed or expired reminder back in the outbox, due now,\n"
	    "for a session that is still booked and ahead.  Refused for one\n"
	    "that was sent, is waiting already, was skipped, or belongs to a\n"
	    "cancelled, begun or moved session.  Staff and administrators.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "POST", .path = PROTO_PATH_REMINDERS "/{}"
	    PROTO_PATH_RETRY },
	.object = "reminder",
	.verb = "retrying",
	.print = print_reminder_retried,
};

const struct ctl_command cmd_reminders_test = {
	.words = "reminders test",
	.usage = "--client REF --channel email|sms",
	.summary = "send a test message to a client now",
	.help =
	    "Sends a short test message now to the client's email address or\n"
	    "phone, which says nothing of any session, and waits for the\n"
	    "mail server's or SMS provider's answer (or, with no [smtp] or\n"
	    "[sms] configured, the file it was written to).  Exits 1 when it\n"
	    "was refused.  SMS needs the client's consent recorded.  The test\n"
	    "is audited; practiced keeps the last 16 until it restarts.  Staff\n"
	    "and administrators.\n",
	.options = { { .name = "client", .kind = OPT_TEXT,
	      .field = PROTO_TEST_CLIENT, .required = 1 },
	    { .name = "channel", .kind = OPT_TEXT,
	      .field = PROTO_TEST_CHANNEL, .required = 1 } },
	.request = { .method = "POST", .path = PROTO_PATH_REMINDERS
	    PROTO_PATH_TESTS },
	.object = PROTO_TEST,
	.print = print_reminder_test,
};
