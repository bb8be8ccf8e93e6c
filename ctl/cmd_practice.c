/*
 * The commands about the practice as a whole: its status, closures, the
 * attendance report, the audit log, and help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

#define O_TEXT(n)	{ .name = n, .kind = OPT_TEXT, .field = n }

const struct ctl_command cmd_status = {
	.words = "status",
	.usage = "",
	.summary = "show the daemon, the practice and your role",
	.help =
	    "Shows the daemon's version and uptime, the practice, how many\n"
	    "records it holds, and who you are to it (user and role).\n",
	.request = { .method = "GET", .path = PROTO_PATH_STATUS },
	.print = print_status,
};

/* "2026-12-24", "2026-12-24..2026-12-26": *to is NULL for one day. */
static int
closure_days(const char *days, char **from, const char **to)
{
	const char	*dots;

	*to = NULL;
	if ((dots = strstr(days, "..")) == NULL) {
		*from = xstrdup(days);
		return *days != '\0' ? 0 : -1;
	}
	*from = xasprintf("%.*s", (int)(dots - days), days);
	*to = dots + 2;
	if (**from == '\0' || **to == '\0' || strstr(*to, "..") != NULL)
		return -1;
	return 0;
}

/* "2026-12-24-2026-12-26": two dates joined by a dash, not "..". */
static int
closure_is_dashed(const char *days)
{
	static const char	 shape[] = "dddd-dd-dd-dddd-dd-dd";
	size_t			 i;

	if (strlen(days) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? days[i] < '0' || days[i] > '9' :
		    days[i] != '-')
			return 0;
	return 1;
}

/* closure add FROM[..TO] REASON...: the days, and a reason. */
static int
check_closure(const struct ctl_args *args, struct ctl_error *err)
{
	const char	*days = args->pos[0], *to;
	char		*from, *reason;
	int		 bad;

	if (closure_is_dashed(days))
		return error_usage(err, args->cmd, "not DATE or DATE..DATE: "
		    "%s (did you mean %.10s..%s?)", days, days, days + 11);
	bad = closure_days(days, &from, &to) == -1;
	free(from);
	if (bad)
		return error_usage(err, args->cmd, "not DATE or DATE..DATE: "
		    "%s", days);
	reason = parse_join(args->pos + 1, args->npos - 1, " ");
	bad = reason[strspn(reason, " \t")] == '\0';
	free(reason);
	if (bad)
		return error_usage(err, args->cmd, "empty REASON");
	return 0;
}

static void
build_closure(const struct ctl_args *args, struct ctl_request *req)
{
	const char	*to;
	char		*from, *reason;

	(void)closure_days(args->pos[0], &from, &to);
	reason = parse_join(args->pos + 1, args->npos - 1, " ");
	request_field(req, "from", json_string(from));
	if (to != NULL)
		request_field(req, "to", json_string(to));
	request_field(req, "reason", json_string(reason));
	free(reason);
	free(from);
}

/*
 * POST .../cancel until the closure covers no session left to cancel:
 * the daemon cancels a batch a request, so that no request holds it
 * long.  The sessions of every batch are gathered in the last answer.
 */
static int
closure_cancel_all(const char *socket, const struct ctl_request *req,
    struct ctl_answer *ans, struct ctl_error *err)
{
	json_t		*all = json_array(), *batch;
	json_int_t	 left = 0;
	int		 rc;

	memset(ans, 0, sizeof(*ans));
	do {
		client_answer_free(ans);
		rc = client_exchange(socket, req, ans, err);
		if (rc == -1 || ans->status < 200 || ans->status > 299 ||
		    ans->json == NULL)
			break;
		batch = json_object_get(ans->json, PROTO_CHANGED);
		json_array_extend(all, batch);
		left = json_integer_value(json_object_get(ans->json,
		    PROTO_REMAINING));
		/* A batch that cancels none would be sent forever. */
	} while (left > 0 && json_array_size(batch) > 0);
	if (rc == 0 && ans->json != NULL && ans->status / 100 == 2)
		json_object_set(ans->json, PROTO_CHANGED, all);
	json_decref(all);
	return rc;
}

static int
closure_cancel_exchange(const struct ctl_parse *p,
    const struct ctl_request *req, struct ctl_answer *ans,
    struct ctl_error *err)
{
	return closure_cancel_all(p->socket, req, ans, err);
}

/* The option --cancel of closure add (a flag, not sent: see below). */
#define CLOSURE_ADD_CANCEL	1

/*
 * closure add, then with --cancel the sessions it covers cancelled in
 * batches; the answer is the closure's, with the sessions cancelled
 * and those left inside it (already begun).
 */
static int
closure_add_exchange(const struct ctl_parse *p,
    const struct ctl_request *req, struct ctl_answer *ans,
    struct ctl_error *err)
{
	struct ctl_request	 cancel;
	struct ctl_answer	 batches;
	json_t			*closure;
	long long		 id;
	char			*path;
	int			 rc;

	if ((rc = client_exchange(p->socket, req, ans, err)) == -1 ||
	    p->args.val[CLOSURE_ADD_CANCEL] == NULL || ans->status != 201 ||
	    (closure = json_object_get(ans->json, "closure")) == NULL)
		return rc;
	id = (long long)json_integer_value(json_object_get(closure, "id"));
	path = xasprintf(PROTO_PATH_CLOSURES "/%lld" PROTO_PATH_CANCEL, id);
	memset(&cancel, 0, sizeof(cancel));
	request_post(&cancel, path);
	free(path);
	rc = closure_cancel_all(p->socket, &cancel, &batches, err);
	request_free(&cancel);
	if (rc == -1 || batches.status / 100 != 2 || batches.json == NULL) {
		/* The closure stands; the refusal says why the rest do not. */
		fprintf(stderr, "%s: closure %lld is added, but not all of "
		    "its sessions are cancelled (\"%s closure cancel %lld\" "
		    "goes on):\n", ctl_progname, id, ctl_progname, id);
		client_answer_free(ans);
		*ans = batches;
		return rc;
	}
	json_object_set(ans->json, PROTO_CHANGED,
	    json_object_get(batches.json, PROTO_CHANGED));
	json_object_set(ans->json, "affected",
	    json_object_get(batches.json, "affected"));
	json_object_set(ans->json, "affected_total",
	    json_object_get(batches.json, "affected_total"));
	client_answer_free(&batches);
	return 0;
}

const struct ctl_command cmd_closure_add = {
	.words = "closure add",
	.usage = "FROM[..TO] REASON... [--clinician X] [--cancel]",
	.summary = "close the practice, or a clinician, for some days",
	.help =
	    "Closes the practice (or, with --clinician, one clinician) for "
	    "whole\n"
	    "days, FROM to TO included, in the practice's zone (the "
	    "clinician's\n"
	    "for their own closure).  No session can be booked inside a "
	    "closure\n"
	    "without --force.  The sessions already booked in it are listed,\n"
	    "for you to move, or with --cancel cancelled by the practice\n"
	    "(those not yet begun), each client getting the cancellation\n"
	    "notice.  The REASON words are joined; it is required, and it\n"
	    "is the cancellations' reason, which clients are not shown.\n"
	    "  practicectl closure add 2026-12-24..2026-12-26 Office closed\n"
	    "  practicectl closure add today Unwell --clinician ana --cancel\n",
	.pos = POS_CUSTOM, .min_pos = 2, .max_pos = CTL_ANY,
	/* --cancel (CLOSURE_ADD_CANCEL) has no field: it is a second
	 * request, made by closure_add_exchange. */
	.options = { O_TEXT("clinician"), { .name = "cancel" } },
	.check = check_closure,
	.request = { .method = "POST", .path = PROTO_PATH_CLOSURES,
	    .build = build_closure },
	.object = "closure", .verb = "added",
	.print = print_closure_added,
	.exchange = closure_add_exchange,
};

const struct ctl_command cmd_closure_cancel = {
	.words = "closure cancel",
	.usage = "ID",
	.summary = "cancel the sessions inside a closure",
	.help =
	    "Cancels, by the practice, every booked or confirmed session\n"
	    "inside closure ID that has not begun; each client gets the\n"
	    "cancellation notice.  The closure's reason is the\n"
	    "cancellations' (clients are not shown it).  The sessions that\n"
	    "have begun are listed, and stay.  -q prints the ids of those\n"
	    "cancelled.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "POST",
	    .path = PROTO_PATH_CLOSURES "/{}" PROTO_PATH_CANCEL },
	.object = "closure", .verb = "cancelled", .ids = PROTO_CHANGED,
	.print = print_closure_cancelled,
	.exchange = closure_cancel_exchange,
};

const struct ctl_command cmd_closure_list = {
	.words = "closure list",
	.aliases = { "closures", "closure ls" },
	.usage = "[--from DATE] [--to DATE] [--clinician X]",
	.summary = "list closures",
	.help =
	    "Lists the closures from today on, or from --from to --to; with\n"
	    "--clinician, theirs and the practice-wide ones.\n",
	.options = { O_TEXT("from"), O_TEXT("to"), O_TEXT("clinician") },
	.request = { .method = "GET", .path = PROTO_PATH_CLOSURES },
	.object = "closures",
	.print = print_closures,
};

const struct ctl_command cmd_closure_remove = {
	.words = "closure remove",
	.aliases = { "closure rm" },
	.usage = "ID",
	.summary = "remove a closure",
	.help = "Removes a closure: its days are open for booking again.\n",
	.pos = POS_ID, .min_pos = 1, .max_pos = 1,
	.request = { .method = "DELETE", .path = PROTO_PATH_CLOSURES "/{}" },
	.object = "closure", .verb = "removed",
	.print = print_closure_removed,
};

const struct ctl_command cmd_report_attendance = {
	.words = "report attendance",
	.usage = "[--from DATE --to DATE] [--clinician X]",
	.summary = "attendance by clinician and by client",
	.help =
	    "Counts the sessions from --from to --to (default: the last 90\n"
	    "days) by clinician and by client: attended, no-show, cancelled,\n"
	    "cancelled late, cancelled by the practice, and past sessions not\n"
	    "yet marked.  Then it names the clients falling out of care: seen\n"
	    "in the last 30 days, with no session booked.  --clinician keeps\n"
	    "one clinician's sessions and clients.\n",
	.options = { O_TEXT("from"), O_TEXT("to"), O_TEXT("clinician") },
	.check = cmd_check_from_to,
	.request = { .method = "GET", .path = PROTO_PATH_REPORTS "/attendance",
	    .pages = "clients" },
	.object = "report",
	.print = print_attendance,
};

const struct ctl_command cmd_audit = {
	.words = "audit",
	.usage = "[--since DATE] [--limit N]",
	.summary = "show the audit log",
	.help =
	    "Shows the latest changes (default 100, newest last): who made "
	    "them,\n"
	    "with which role, to what.  Administrators and staff only.\n",
	.options = { O_TEXT("since"),
	    { .name = "limit", .kind = OPT_NUMBER, .field = "limit" } },
	.request = { .method = "GET", .path = PROTO_PATH_AUDIT,
	    .pages = "audit" },
	.object = "audit",
	.print = print_audit,
};

const struct ctl_command cmd_help = {
	.words = "help",
	.usage = "[COMMAND]",
	.summary = "list the commands, or explain one",
	.help =
	    "Without COMMAND, lists every command; with one (\"help book\",\n"
	    "\"help clinician\"), shows its usage and what it does.\n",
	.action = CTL_HELP,
	.pos = POS_CUSTOM, .min_pos = 0, .max_pos = 2,
};
