/*
 * practicectl: main, the global options, and what the answer becomes:
 * output and an exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol.h"
#include "practicectl.h"

const char *ctl_progname = "practicectl";

static void
ctl_usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hV] [--json] [-s socket] [-z zone] command "
	    "[argument ...]\n", ctl_progname);
	fprintf(fp, "try \"%s help\" for the commands\n", ctl_progname);
}

/* Says what is wrong with the command line, then how to call cmd. */
void
ctl_usage_error(const struct ctl_command *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", ctl_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd != NULL)
		commands_print_usage(cmd, stderr);
	else
		ctl_usage(stderr);
}

static int
ctl_print_json(json_t *json)
{
	char	*text;
	int	 rc = CTL_EXIT_OK;

	/* One write: json_dumpf would hand stdio one token at a time. */
	if ((text = json_dumps(json, JSON_INDENT(2))) == NULL ||
	    fputs(text, stdout) == EOF || putchar('\n') == EOF)
		rc = CTL_EXIT_REFUSED;
	free(text);
	return (rc);
}

/* The daemon said no: its message on stderr (and its JSON with --json). */
static int
ctl_refused(const struct ctl_args *args, const struct ctl_answer *ans)
{
	json_t		*error;
	const char	*message, *code;
	char		*clean;

	error = json_object_get(ans->json, PROTO_ERROR);
	message = json_text(error, PROTO_ERROR_MESSAGE);
	code = json_text(error, PROTO_ERROR_CODE);
	if (args->json && ans->json != NULL)
		(void)ctl_print_json(ans->json);
	fflush(stdout);
	if (message != NULL && *message != '\0')
		clean = output_clean(message);
	else if (code != NULL)
		clean = xasprintf("refused: %s (HTTP %d)", code, ans->status);
	else
		clean = xasprintf("practiced answered HTTP %d %s", ans->status,
		    ans->reason != NULL ? ans->reason : "");
	fprintf(stderr, "%s: %s\n", ctl_progname, clean);
	free(clean);
	return (CTL_EXIT_REFUSED);
}

static int
ctl_answer(const struct ctl_args *args, const struct ctl_answer *ans)
{
	int	rc;

	if (ans->status < 200 || ans->status > 299)
		return (ctl_refused(args, ans));
	if (!json_is_object(ans->json)) {
		fprintf(stderr, "%s: unreadable answer from practiced "
		    "(HTTP %d, %zu bytes, not a JSON object)\n", ctl_progname,
		    ans->status, ans->textlen);
		return (CTL_EXIT_REFUSED);
	}
	if (args->json)
		return (ctl_print_json(ans->json));
	rc = args->cmd->print(args, ans->json);
	fflush(stdout);
	print_warnings(ans->json);
	return (rc);
}

/* Runs one command whose line is parsed: locally, or as one request. */
static int
ctl_run(const struct ctl_args *args, const char *socket)
{
	struct ctl_request	req;
	struct ctl_answer	ans;
	int			rc;

	if (args->cmd->local != NULL)
		return (args->cmd->local(args));
	if (args->cmd->build(args, &req) == -1)
		return (CTL_EXIT_USAGE);
	rc = client_exchange(socket, &req, &ans);
	request_free(&req);
	if (rc != CTL_EXIT_OK)
		return (rc);
	rc = ctl_answer(args, &ans);
	client_answer_free(&ans);
	return (rc);
}

/* No command fits argv: say why, in the most helpful way we can. */
static int
ctl_unknown(int argc, char **argv)
{
	if (commands_is_group(argv[0])) {
		if (argc == 1)
			fprintf(stderr, "%s: %s: missing subcommand\n",
			    ctl_progname, argv[0]);
		else
			fprintf(stderr, "%s: %s: unknown subcommand: %s\n",
			    ctl_progname, argv[0], argv[1]);
		commands_print_group(argv[0], stderr);
	} else
		ctl_usage_error(NULL, "unknown command: %s", argv[0]);
	return (CTL_EXIT_USAGE);
}

static const char *
ctl_env(const char *name)
{
	const char	*v = getenv(name);

	return (v != NULL && *v != '\0' ? v : NULL);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "socket",	required_argument,	NULL,	's' },
		{ "zone",	required_argument,	NULL,	'z' },
		{ "json",	no_argument,		NULL,	'j' },
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ NULL,		0,			NULL,	0 }
	};
	const struct ctl_command	*cmd;
	struct ctl_args			 args;
	const char			*socket, *zone;
	int				 ch, json = 0, used, rc;

	if ((socket = ctl_env(PROTO_SOCKET_ENV)) == NULL)
		socket = PROTO_DEFAULT_SOCKET;
	zone = ctl_env(PROTO_ZONE_ENV);

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:s:z:hV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
			socket = optarg;
			break;
		case 'z':
			zone = *optarg != '\0' ? optarg : NULL;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			commands_print_list(stdout);
			return (CTL_EXIT_OK);
		case 'V':
			printf("%s %s (api %d)\n", ctl_progname,
			    PRACTICED_VERSION, PROTO_API_VERSION);
			return (CTL_EXIT_OK);
		case ':':
			ctl_usage_error(NULL, "option %s needs a value",
			    argv[optind - 1]);
			return (CTL_EXIT_USAGE);
		default:
			if (optopt != 0)
				ctl_usage_error(NULL, "unknown option -%c",
				    optopt);
			else
				ctl_usage_error(NULL, "unknown option %s",
				    argv[optind - 1]);
			return (CTL_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		ctl_usage(stderr);
		return (CTL_EXIT_USAGE);
	}

	if ((cmd = commands_find(argc, argv, &used)) == NULL)
		return (ctl_unknown(argc, argv));
	switch (parse_args(cmd, argc - used, argv + used, &args)) {
	case 1:
		commands_print_help(cmd);
		rc = CTL_EXIT_OK;
		break;
	case -1:
		rc = CTL_EXIT_USAGE;
		break;
	default:
		args.json |= json;
		args.zone = zone;
		rc = ctl_run(&args, socket);
		break;
	}
	parse_free(&args);
	libevent_global_shutdown();

	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: writing the output: %s\n", ctl_progname,
		    strerror(errno));
		if (rc == CTL_EXIT_OK)
			rc = CTL_EXIT_REFUSED;
	}
	return (rc);
}
