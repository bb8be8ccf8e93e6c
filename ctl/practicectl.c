/*
 * practicectl: main.  It parses the line, acts on it (help, the version,
 * or one request), and turns what came back into output and an exit
 * status; every error is printed here and only here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol.h"
#include "practicectl.h"

const char *ctl_progname = "practicectl";

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
	return rc;
}

/* The protocol's code for an HTTP status, for a refusal without our JSON. */
static const char *
ctl_status_code(int status)
{
	int	i;

	for (i = 1; i < PROTO_NERRORS; i++)
		if (proto_errors[i].status == status)
			return proto_errors[i].code;
	return "bad_answer";
}

/*
 * The daemon said no.  With --json its answer goes to stdout as it came
 * (or, if it is not our JSON error, an error object made here); its
 * message goes to stderr as one line.
 */
static int
ctl_refused(const struct ctl_view *view, const struct ctl_answer *ans,
    struct ctl_error *err)
{
	json_t		*error;
	const char	*message, *code;

	error = json_member(ans->json, PROTO_ERROR, JSON_OBJECT);
	message = json_text(error, PROTO_ERROR_MESSAGE);
	code = json_text(error, PROTO_ERROR_CODE);
	if (message != NULL && *message != '\0')
		(void)error_set(err, CTL_EXIT_REFUSED, code, "%s", message);
	else if (code != NULL)
		(void)error_set(err, CTL_EXIT_REFUSED, code,
		    "refused: %s (HTTP %d)", code, ans->status);
	else
		(void)error_set(err, CTL_EXIT_REFUSED,
		    ctl_status_code(ans->status),
		    "practiced answered HTTP %d %s", ans->status,
		    ans->reason != NULL ? ans->reason : "");
	if (view->json && error != NULL) {
		(void)ctl_print_json(ans->json);
		fflush(stdout);
		error_print(err, 0);
	} else
		error_print(err, view->json);
	return CTL_EXIT_REFUSED;
}

static int
ctl_answer(const struct ctl_parse *p, const struct ctl_answer *ans,
    struct ctl_error *err)
{
	int	rc;

	if (ans->status < 200 || ans->status > 299)
		return ctl_refused(&p->view, ans, err);
	if (p->cmd->raw)
		return fwrite(ans->text, 1, ans->textlen, stdout) ==
		    ans->textlen ? CTL_EXIT_OK : CTL_EXIT_REFUSED;
	if (!json_is_object(ans->json)) {
		(void)error_set(err, CTL_EXIT_REFUSED, "bad_answer",
		    "unreadable answer from practiced (HTTP %d, %zu bytes, "
		    "not a JSON object)", ans->status, ans->textlen);
		error_print(err, p->view.json);
		return CTL_EXIT_REFUSED;
	}
	if (p->view.json)
		return ctl_print_json(ans->json);
	if (p->view.quiet)
		rc = print_ids(&p->view, ans->json);
	else
		rc = p->cmd->print(&p->view, ans->json);
	fflush(stdout);
	print_warnings(ans->json);
	return rc;
}

/* Sends the command's request and shows the answer. */
static int
ctl_run(const struct ctl_parse *p, struct ctl_error *err)
{
	struct ctl_request	req;
	struct ctl_answer	ans;
	int			rc;

	request_build(&p->args, &req);
	if (p->cmd->exchange != NULL)
		rc = p->cmd->exchange(p, &req, &ans, err);
	else
		rc = client_exchange(p->socket, &req, &ans, err);
	request_free(&req);
	if (rc == -1) {
		error_print(err, p->view.json);
		return err->exit;
	}
	rc = ctl_answer(p, &ans, err);
	client_answer_free(&ans);
	return rc;
}

static const char *
ctl_env(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
main(int argc, char *argv[])
{
	struct ctl_parse	 p;
	struct ctl_error	 err;
	const char		*socket;
	int			 rc;

	width_init();
	if ((socket = ctl_env(PROTO_SOCKET_ENV)) == NULL)
		socket = PROTO_DEFAULT_SOCKET;
	if (parse_args(argc, argv, socket, ctl_env(PROTO_ZONE_ENV), &p,
	    &err) == -1) {
		error_print(&err, p.view.json);
		rc = err.exit;
	} else {
		switch (p.action) {
		case CTL_VERSION:
			printf("%s %s (api %d)\n", ctl_progname,
			    PRACTICED_VERSION, PROTO_API_VERSION);
			rc = CTL_EXIT_OK;
			break;
		case CTL_HELP:
			rc = CTL_EXIT_OK;
			if (commands_help(p.cmd, p.topic[0], p.topic[1],
			    &err) == -1) {
				error_print(&err, p.view.json);
				rc = err.exit;
			}
			break;
		default:
			p.view.width = width_terminal(stdout);
			rc = ctl_run(&p, &err);
			break;
		}
	}
	error_free(&err);
	parse_free(&p);
	libevent_global_shutdown();

	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: writing the output: %s\n", ctl_progname,
		    strerror(errno));
		if (rc == CTL_EXIT_OK)
			rc = CTL_EXIT_REFUSED;
	}
	return rc;
}
