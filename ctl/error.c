/*
 * Errors as values: the parser and the client fill a struct ctl_error and
 * return -1; only main prints it, as a line on stderr (with the usage that
 * helps) and, with --json, as an error object on stdout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocol.h"
#include "practicectl.h"

/* Fills err (the first error wins); -1, for "return error_set(...);". */
int
error_set(struct ctl_error *err, int exit, const char *code,
    const char *fmt, ...)
{
	va_list	ap;

	if (err->message != NULL)
		return -1;
	err->exit = exit;
	err->code = code;
	va_start(ap, fmt);
	err->message = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* A usage error; cmd's usage (or the general one if NULL) follows. */
int
error_usage(struct ctl_error *err, const struct ctl_command *cmd,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*usage;

	if (err->message != NULL)
		return -1;
	err->exit = CTL_EXIT_USAGE;
	err->code = "usage";
	err->usage = cmd;
	err->general = cmd == NULL;
	va_start(ap, fmt);
	err->message = xvasprintf(fmt, ap);
	va_end(ap);
	if (cmd != NULL) {
		usage = xasprintf("%s %s%s%s", ctl_progname, cmd->words,
		    *cmd->usage != '\0' ? " " : "", cmd->usage);
		error_detail(err, "usage", usage);
		free(usage);
	}
	return -1;
}

/* Adds key: value to the error's details. */
void
error_detail(struct ctl_error *err, const char *key, const char *value)
{
	json_t	*v;

	if (err->details == NULL && (err->details = json_object()) == NULL)
		fatalx("out of memory");
	if ((v = json_string(value)) == NULL ||
	    json_object_set_new(err->details, key, v) == -1)
		fatalx("out of memory");
}

/* {"error": {"code": ..., "message": ..., "details": {...}}} on stdout. */
static void
error_print_json(const struct ctl_error *err)
{
	json_t	*obj, *details;
	char	*text;

	/* One shape for scripts: details is always an object. */
	if (err->details != NULL)
		details = json_incref(err->details);
	else if ((details = json_object()) == NULL)
		fatalx("out of memory");
	obj = json_pack("{s:{s:s, s:s, s:o}}", PROTO_ERROR,
	    PROTO_ERROR_CODE, err->code != NULL ? err->code : "error",
	    PROTO_ERROR_MESSAGE, err->message != NULL ? err->message : "",
	    PROTO_ERROR_DETAILS, details);
	if (obj == NULL || (text = json_dumps(obj, JSON_INDENT(2))) == NULL)
		fatalx("out of memory");
	printf("%s\n", text);
	fflush(stdout);
	free(text);
	json_decref(obj);
}

/* The error on stderr, then what helps; with json also on stdout. */
void
error_print(const struct ctl_error *err, int json)
{
	char	*clean;

	if (json)
		error_print_json(err);
	clean = output_clean(err->message != NULL ? err->message : "error");
	fprintf(stderr, "%s: %s\n", ctl_progname, clean);
	free(clean);
	if (err->usage != NULL)
		commands_print_usage(err->usage, stderr);
	else if (err->group != NULL)
		commands_print_group(err->group, stderr);
	else if (err->general) {
		fprintf(stderr, "usage: %s [-hqV] [--json] [-s socket] "
		    "[-z zone] command [argument ...]\n", ctl_progname);
		fprintf(stderr, "try \"%s help\" for the commands\n",
		    ctl_progname);
	}
}

void
error_free(struct ctl_error *err)
{
	free(err->message);
	json_decref(err->details);
}
