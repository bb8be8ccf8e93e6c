/*
 * The command line, in the manner of bgpctl's parser: argv becomes a
 * struct ctl_parse (what to do, the command's words and options, how to
 * show the answer) or an error value; nothing here prints or exits.
 * Global options may come anywhere; a command's own option of the same
 * name (client add --zone) wins after the command.  Only the shape is
 * checked here; the daemon checks meaning.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "practicectl.h"

static const struct ctl_option *
parse_find(const struct ctl_command *cmd, const char *name, size_t len,
    int *idx)
{
	const struct ctl_option	*o;
	int			 i;

	for (i = 0; i < CTL_MAX_OPTIONS; i++) {
		o = &cmd->options[i];
		if (o->name == NULL)
			break;
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
			*idx = i;
			return o;
		}
	}
	return NULL;
}

/* A non-negative decimal integer that fits in max: 0, or -1. */
static int
parse_number(const char *s, long long max)
{
	char		*end;
	long long	 n;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return -1;
	return 0;
}

/* "15:00" or "9:30": the second word of "--at today 15:00". */
static int
parse_is_time(const char *s)
{
	size_t	n = strspn(s, "0123456789");

	return (n == 1 || n == 2) && s[n] == ':' &&
	    strspn(s + n + 1, "0123456789") == 2 && s[n + 3] == '\0';
}

/* Text that cannot travel in JSON (not UTF-8) is refused here. */
static int
parse_is_utf8(const char *s)
{
	json_t	*j;

	if ((j = json_string(s)) == NULL)
		return 0;
	json_decref(j);
	return 1;
}

/* The n words joined with sep between them (allocated). */
char *
parse_join(char **words, int n, const char *sep)
{
	size_t	 len = 0;
	char	*s;
	int	 i;

	for (i = 0; i < n; i++)
		len += strlen(words[i]) + strlen(sep);
	s = xmalloc(len + 1);
	*s = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, sep);
		strcat(s, words[i]);
	}
	return s;
}

static int
parse_value(const struct ctl_command *cmd, const struct ctl_option *o,
    const char *value, struct ctl_error *err)
{
	const char *const	*c;
	char			*choices;
	int			 rc;

	if (!parse_is_utf8(value))
		return error_usage(err, cmd, "--%s: not valid UTF-8",
		    o->name);
	if (o->kind == OPT_NUMBER && parse_number(value, INT_MAX) == -1)
		return error_usage(err, cmd, "--%s: not a number: %s",
		    o->name, value);
	if (o->kind != OPT_CHOICE)
		return 0;
	for (c = o->choices; *c != NULL; c++)
		if (strcmp(*c, value) == 0)
			return 0;
	choices = parse_join((char **)o->choices, c - o->choices, "|");
	rc = error_usage(err, cmd, "--%s: %s is not one of: %s", o->name,
	    value, choices);
	free(choices);
	return rc;
}

/*
 * Names the positional argument number n of cmd's usage ("NAME", "REF",
 * "SPEC"), skipping options and bracketed parts, in a usage error.
 */
static int
parse_missing(const struct ctl_command *cmd, int n, struct ctl_error *err)
{
	char	*copy, *word, *last, *dots;
	int	 depth = 0, skip = 0, i = 0;

	copy = xstrdup(cmd->usage);
	for (word = strtok_r(copy, " ", &last); word != NULL;
	    word = strtok_r(NULL, " ", &last)) {
		if (*word == '[')
			depth++;
		if (depth > 0 || skip) {
			if (word[strlen(word) - 1] == ']')
				depth--;
			skip = 0;
			continue;
		}
		if (strncmp(word, "--", 2) == 0) {
			skip = 1;	/* and its value */
			continue;
		}
		if (i++ == n) {
			if ((dots = strstr(word, "...")) != NULL)
				*dots = '\0';
			(void)error_usage(err, cmd, "missing %s", word);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return error_usage(err, cmd, "missing argument");
}

/* The value of a global option: "-sX", "-s X", "--zone=X", "--zone X". */
static const char *
parse_global_value(int argc, char **argv, int *i, const char *attached,
    const char *name, const struct ctl_command *cmd, struct ctl_error *err)
{
	if (attached != NULL)
		return attached;
	if (*i + 1 < argc)
		return argv[++*i];
	(void)error_usage(err, cmd, "option %s needs a value", name);
	return NULL;
}

static void
parse_set_global(struct ctl_parse *p, char which, const char *value)
{
	if (which == 's')
		p->socket = value;
	else
		p->args.zone = *value != '\0' ? value : NULL;
}

/*
 * argv[*i] as a global option: --json, -q/--quiet, -s/--socket,
 * -z/--zone, -h/--help, -V/--version.  Returns 1 if it was one (and *i
 * moved past its value), 0 if it is not a global option, -1 on error.
 */
static int
parse_global(int argc, char **argv, int *i, struct ctl_parse *p,
    const struct ctl_command *cmd, struct ctl_error *err)
{
	const char	*a = argv[*i], *eq, *v;
	size_t		 len;

	if (a[1] == '-') {
		eq = strchr(a, '=');
		len = eq != NULL ? (size_t)(eq - a) : strlen(a);
		if (len == 6 && strncmp(a, "--json", len) == 0 && eq == NULL)
			p->view.json = 1;
		else if (len == 7 && strncmp(a, "--quiet", len) == 0 &&
		    eq == NULL)
			p->view.quiet = 1;
		else if (len == 6 && strncmp(a, "--help", len) == 0 &&
		    eq == NULL)
			p->action = CTL_HELP;
		else if (len == 9 && strncmp(a, "--version", len) == 0 &&
		    eq == NULL)
			p->action = CTL_VERSION;
		else if ((len == 8 && strncmp(a, "--socket", len) == 0) ||
		    (len == 6 && strncmp(a, "--zone", len) == 0)) {
			if ((v = parse_global_value(argc, argv, i,
			    eq != NULL ? eq + 1 : NULL, a, cmd, err)) == NULL)
				return -1;
			parse_set_global(p, a[2], v);
		} else
			return 0;
		return 1;
	}
	/* A cluster of short options: -hV, -s PATH, -sPATH, -qz UTC */
	for (a++; *a != '\0'; a++) {
		switch (*a) {
		case 'h':
			p->action = CTL_HELP;
			break;
		case 'q':
			p->view.quiet = 1;
			break;
		case 'V':
			p->action = CTL_VERSION;
			break;
		case 's':
		case 'z':
			if ((v = parse_global_value(argc, argv, i,
			    a[1] != '\0' ? a + 1 : NULL, *a == 's' ? "-s" : "-z",
			    cmd, err)) == NULL)
				return -1;
			parse_set_global(p, *a, v);
			return 1;
		default:
			(void)error_usage(err, cmd, "unknown option -%c", *a);
			return -1;
		}
	}
	return 1;
}

/* One of cmd's own options at argv[*i]: 1, 0 if not one, or -1. */
static int
parse_option(const struct ctl_command *cmd, int argc, char **argv, int *i,
    struct ctl_args *args, struct ctl_error *err)
{
	const struct ctl_option	*o;
	const char		*name = argv[*i] + 2, *eq, *value;
	int			 idx;

	eq = strchr(name, '=');
	if ((o = parse_find(cmd, name, eq != NULL ? (size_t)(eq - name) :
	    strlen(name), &idx)) == NULL)
		return 0;
	if (args->val[idx] != NULL)
		return error_usage(err, cmd, "--%s given twice", o->name);
	if (o->kind == OPT_FLAG) {
		if (eq != NULL)
			return error_usage(err, cmd, "--%s takes no value",
			    o->name);
		args->val[idx] = "";
		return 1;
	}
	if (eq != NULL)
		value = eq + 1;
	else if (*i + 1 < argc)
		value = argv[++*i];
	else
		return error_usage(err, cmd, "--%s needs a value", o->name);
	/* --at today 15:00, unquoted: take the time word too. */
	if (o->kind == OPT_WHEN && args->when == NULL &&
	    strchr(value, ':') == NULL && *i + 1 < argc &&
	    parse_is_time(argv[*i + 1])) {
		args->when = xasprintf("%s %s", value, argv[++*i]);
		value = args->when;
	}
	if (parse_value(cmd, o, value, err) == -1)
		return -1;
	args->val[idx] = value;
	return 1;
}

/* The positional words against what cmd takes. */
static int
parse_positional(const struct ctl_command *cmd, struct ctl_args *args,
    struct ctl_error *err)
{
	const char	*noun;
	int		 i;

	if (args->npos < cmd->min_pos)
		return parse_missing(cmd, args->npos, err);
	if (cmd->max_pos != CTL_ANY && args->npos > cmd->max_pos)
		return error_usage(err, cmd, "unexpected argument: %s",
		    args->pos[cmd->max_pos]);
	for (i = 0; i < CTL_MAX_OPTIONS && cmd->options[i].name != NULL; i++)
		if (cmd->options[i].required && args->val[i] == NULL)
			return error_usage(err, cmd, "missing --%s",
			    cmd->options[i].name);
	switch (cmd->pos) {
	case POS_REF:
	case POS_NAME:
		args->joined = parse_join(args->pos, args->npos, " ");
		if (args->joined[strspn(args->joined, " \t")] == '\0')
			return error_usage(err, cmd, "empty %s",
			    cmd->pos == POS_NAME ? "name" : "reference");
		break;
	case POS_ID:
		noun = cmd->pos_noun != NULL ? cmd->pos_noun : cmd->object;
		if (parse_number(args->pos[0], LLONG_MAX) == -1 ||
		    strspn(args->pos[0], "0") == strlen(args->pos[0]))
			return error_usage(err, cmd, "not %s %s id: %s",
			    strchr("aeiou", *noun) != NULL ? "an" : "a", noun,
			    args->pos[0]);
		break;
	default:
		break;
	}
	return 0;
}

/* The words after the command's: its options, globals and positionals. */
static int
parse_command(const struct ctl_command *cmd, int argc, char **argv,
    struct ctl_parse *p, struct ctl_error *err)
{
	struct ctl_args	*args = &p->args;
	const char	*a;
	int		 i, rc, nomore = 0;

	args->cmd = cmd;
	args->pos = xreallocarray(NULL, argc + 1, sizeof(*args->pos));
	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (nomore || a[0] != '-' || a[1] == '\0') {
			if (!parse_is_utf8(a))
				return error_usage(err, cmd, "argument is not "
				    "valid UTF-8");
			args->pos[args->npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			nomore = 1;
			continue;
		}
		if (a[1] == '-' && (rc = parse_option(cmd, argc, argv, &i,
		    args, err)) != 0) {
			if (rc == -1)
				return -1;
			continue;
		}
		if ((rc = parse_global(argc, argv, &i, p, cmd, err)) == -1)
			return -1;
		if (rc == 0) {
			a += 2;
			return error_usage(err, cmd, "unknown option --%.*s",
			    (int)strcspn(a, "="), a);
		}
		if (p->action != CTL_RUN)
			return 0;	/* -h, -V: the rest does not matter */
	}
	if (parse_positional(cmd, args, err) == -1)
		return -1;
	if (cmd->check != NULL && cmd->check(args, err) == -1)
		return -1;
	return 0;
}

/* What a printer needs to know of the line, resolved once. */
static void
parse_view(struct ctl_parse *p)
{
	const struct ctl_command	*cmd = p->cmd;
	struct ctl_view			*v = &p->view;

	v->zone = p->args.zone;
	v->object = cmd->object;
	v->ids = cmd->ids != NULL ? cmd->ids : cmd->object;
	v->verb = cmd->verb;
	v->all = args_get(&p->args, "all") != NULL;
	v->following = args_get(&p->args, "following") != NULL;
	v->search = args_get(&p->args, "search");
	v->since = args_get(&p->args, "since");
}

/* No command fits argv: the most helpful error we can give. */
static int
parse_unknown(int argc, char **argv, struct ctl_error *err)
{
	if (!commands_is_group(argv[0]))
		return error_usage(err, NULL, "unknown command: %s",
		    argv[0]);
	if (argc == 1)
		(void)error_usage(err, NULL, "%s: missing subcommand",
		    argv[0]);
	else
		(void)error_usage(err, NULL, "%s: unknown subcommand: %s",
		    argv[0], argv[1]);
	err->general = 0;
	err->group = argv[0];
	return -1;
}

/* Whether --json is on the line: a refusal of the line is JSON too. */
static int
parse_wants_json(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return 1;
	return 0;
}

static int
parse_line(int argc, char **argv, struct ctl_parse *p, struct ctl_error *err)
{
	const struct ctl_command	*cmd;
	int				 i, used;

	/* The global options before the command. */
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0';
	    i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		switch (parse_global(argc, argv, &i, p, NULL, err)) {
		case -1:
			return -1;
		case 0:
			return error_usage(err, NULL, "unknown option %.*s",
			    (int)strcspn(argv[i], "="), argv[i]);
		}
		if (p->action != CTL_RUN)
			return 0;
	}
	if (i == argc)
		return error_usage(err, NULL, "no command given");
	if ((cmd = commands_find(argc - i, argv + i, &used)) == NULL)
		return parse_unknown(argc - i, argv + i, err);
	p->cmd = cmd;
	if (parse_command(cmd, argc - i - used, argv + i + used, p,
	    err) == -1)
		return -1;
	if (p->action == CTL_RUN && p->view.json && p->view.quiet)
		return error_usage(err, NULL, "--json and -q exclude each "
		    "other");
	parse_view(p);
	if (p->action == CTL_RUN && cmd->action == CTL_HELP) {
		/* "help", "help book", "help clinician add" */
		p->action = CTL_HELP;
		p->cmd = NULL;
		p->topic[0] = p->args.npos > 0 ? p->args.pos[0] : NULL;
		p->topic[1] = p->args.npos > 1 ? p->args.pos[1] : NULL;
	}
	return 0;
}

/*
 * Parses the whole command line; socket and zone are the defaults (from
 * the environment).  Returns 0 with p filled in, or -1 with err, and
 * p->view.json saying how to show err.
 */
int
parse_args(int argc, char **argv, const char *socket, const char *zone,
    struct ctl_parse *p, struct ctl_error *err)
{
	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	p->socket = socket;
	p->args.zone = zone;
	if (parse_line(argc, argv, p, err) == -1) {
		p->view.json |= parse_wants_json(argc, argv);
		return -1;
	}
	return 0;
}

/* The value of option name ("" for a flag), or NULL if not given. */
const char *
args_get(const struct ctl_args *args, const char *name)
{
	int	idx;

	if (args->cmd == NULL ||
	    parse_find(args->cmd, name, strlen(name), &idx) == NULL)
		return NULL;
	return args->val[idx];
}

void
parse_free(struct ctl_parse *p)
{
	free(p->args.pos);
	free(p->args.joined);
	free(p->args.when);
	memset(p, 0, sizeof(*p));
}
