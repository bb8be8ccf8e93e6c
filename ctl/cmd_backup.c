/*
 * backup and verify: the daemon copies its live database into its
 * backup folder, and checks the database (or a backup) for damage.
 * Both wait for the daemon to finish (it answers with "wait").
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

static void
build_name(const struct ctl_args *args, struct ctl_request *req)
{
	if (args->npos == 1)
		request_field(req, PROTO_BACKUP_NAME,
		    json_string(args->pos[0]));
}

static int
print_backup(const struct ctl_view *view, json_t *answer)
{
	json_t	*b;

	if ((b = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	if (strcmp(print_dash(json_text(b, "state")), "done") != 0) {
		print_line(stderr, "backup %s: %s", print_dash(json_text(b,
		    PROTO_BACKUP_NAME)), print_dash(json_text(b, "state")));
		return CTL_EXIT_REFUSED;
	}
	print_line(stdout, "backup written: %s (%lld bytes)",
	    print_dash(json_text(b, "path")),
	    (long long)json_integer_value(json_object_get(b, "bytes")));
	return CTL_EXIT_OK;
}

static int
print_verify(const struct ctl_view *view, json_t *answer)
{
	json_t	*v, *problems, *p;
	size_t	 i;

	if ((v = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	problems = json_object_get(v, PROTO_VERIFY_PROBLEMS);
	if (strcmp(print_dash(json_text(v, "state")), "done") != 0) {
		print_line(stderr, "verify %s: %s", print_dash(json_text(v,
		    "path")), print_dash(json_text(v, "state")));
		return CTL_EXIT_REFUSED;
	}
	if (json_is_true(json_object_get(v, "ok"))) {
		print_line(stdout, "%s: ok", print_dash(json_text(v, "path")));
		return CTL_EXIT_OK;
	}
	print_line(stdout, "%s: damaged", print_dash(json_text(v, "path")));
	json_array_foreach(problems, i, p)
		print_line(stdout, "  %s", print_dash(json_string_value(p)));
	return CTL_EXIT_REFUSED;
}

const struct ctl_command cmd_backup = {
	.words = "backup",
	.usage = "[NAME]",
	.summary = "copy the live database into the backup folder",
	.help =
	    "Copies the database, consistent as of its last change, while\n"
	    "practiced keeps serving, into its backup folder ([backup] dir in\n"
	    "practiced.conf; by default \"backups\" beside the database).\n"
	    "NAME is a file name, or a path in that folder; by default\n"
	    "practice-DATE-TIME.db.  An existing file is never replaced.  The\n"
	    "copy belongs to practiced's user and is readable by it only\n"
	    "(0600); copy it elsewhere as root.  Prints the path written.\n"
	    "Administrators only.\n",
	.pos = POS_CUSTOM, .min_pos = 0, .max_pos = 1,
	.request = { .method = "POST", .path = PROTO_PATH_BACKUPS,
	    .build = build_name },
	.object = PROTO_BACKUP,
	.print = print_backup,
};

const struct ctl_command cmd_verify = {
	.words = "verify",
	.usage = "[BACKUP]",
	.summary = "check the database (or a backup) for damage",
	.help =
	    "Runs SQLite's integrity check on the live database, or on\n"
	    "BACKUP, a file in the backup folder, while practiced keeps\n"
	    "serving.  Prints \"ok\", or the problems found and exits 1.\n"
	    "Administrators only.\n",
	.pos = POS_CUSTOM, .min_pos = 0, .max_pos = 1,
	.request = { .method = "POST", .path = PROTO_PATH_VERIFY,
	    .build = build_name },
	.object = PROTO_VERIFY,
	.print = print_verify,
};
