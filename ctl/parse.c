/*
 * The command line after the command words: "--opt VALUE", "--opt=VALUE",
 * flags, positional words, "--json" anywhere and "--" to end the options.
 * Only the shape is checked here (known options, values present, numbers
 * that are numbers, one of the listed choices); the daemon checks meaning.
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
		o = &cmd->opts[i];
		if (o->name == NULL)
			break;
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
			*idx = i;
			return (o);
		}
	}
	return (NULL);
}

/* A non-negative decimal integer that fits in max. */
static int
parse_number(const char *s, long long max)
{
	char		*end;
	long long	 n;

	if (!isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return (-1);
	return (0);
}

/* "15:00" or "9:30": the second word of "--at today 15:00". */
static int
parse_is_time(const char *s)
{
	size_t	n = strspn(s, "0123456789");

	return ((n == 1 || n == 2) && s[n] == ':' &&
	    strspn(s + n + 1, "0123456789") == 2 && s[n + 3] == '\0');
}

/* Text that cannot travel in JSON (not UTF-8) is refused here. */
static int
parse_is_utf8(const char *s)
{
	json_t	*j;

	if ((j = json_string(s)) == NULL)
		return (0);
	json_decref(j);
	return (1);
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
	return (s);
}

static int
parse_value(const struct ctl_command *cmd, const struct ctl_option *o,
    const char *value)
{
	const char *const	*c;
	char			*choices;

	if (!parse_is_utf8(value)) {
		ctl_usage_error(cmd, "--%s: not valid UTF-8", o->name);
		return (-1);
	}
	if ((o->flags & OPT_NUMBER) && parse_number(value, INT_MAX) == -1) {
		ctl_usage_error(cmd, "--%s: not a number: %s", o->name, value);
		return (-1);
	}
	if (o->choices != NULL) {
		for (c = o->choices; *c != NULL; c++)
			if (strcmp(*c, value) == 0)
				return (0);
		choices = parse_join((char **)o->choices, c - o->choices, "|");
		ctl_usage_error(cmd, "--%s: %s is not one of: %s", o->name,
		    value, choices);
		free(choices);
		return (-1);
	}
	return (0);
}

/*
 * Names the positional argument number n of cmd's usage ("NAME", "REF",
 * "SPEC"), skipping options and bracketed parts, in a usage error.
 */
static void
parse_missing(const struct ctl_command *cmd, int n)
{
	char	*copy, *word, *last, *dots;
	int	 depth = 0, skip = 0, i = 0;

	copy = xstrdup(cmd->args);
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
			ctl_usage_error(cmd, "missing %s", word);
			free(copy);
			return;
		}
	}
	free(copy);
	ctl_usage_error(cmd, "missing argument");
}

/*
 * Parses argv (the words after the command) for cmd into args.  Returns 0,
 * 1 if help was asked for (-h, --help), or -1 after a usage message.
 */
int
parse_args(const struct ctl_command *cmd, int argc, char **argv,
    struct ctl_args *args)
{
	const struct ctl_option	*o;
	const char		*a, *name, *eq, *value;
	int			 i, idx, nomore = 0;

	memset(args, 0, sizeof(*args));
	args->cmd = cmd;
	args->pos = xreallocarray(NULL, argc + 1, sizeof(*args->pos));

	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (nomore || a[0] != '-' || a[1] == '\0') {
			if (!parse_is_utf8(a)) {
				ctl_usage_error(cmd, "argument is not valid "
				    "UTF-8");
				return (-1);
			}
			args->pos[args->npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			nomore = 1;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			args->json = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return (1);
		if (a[1] != '-') {
			ctl_usage_error(cmd, "unknown option %s", a);
			return (-1);
		}
		name = a + 2;
		eq = strchr(name, '=');
		o = parse_find(cmd, name, eq != NULL ? (size_t)(eq - name) :
		    strlen(name), &idx);
		if (o == NULL) {
			ctl_usage_error(cmd, "unknown option --%.*s",
			    eq != NULL ? (int)(eq - name) : (int)strlen(name),
			    name);
			return (-1);
		}
		if (args->val[idx] != NULL) {
			ctl_usage_error(cmd, "--%s given twice", o->name);
			return (-1);
		}
		if (!(o->flags & OPT_VALUE)) {
			if (eq != NULL) {
				ctl_usage_error(cmd, "--%s takes no value",
				    o->name);
				return (-1);
			}
			args->val[idx] = "";
			continue;
		}
		if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else {
			ctl_usage_error(cmd, "--%s needs a value", o->name);
			return (-1);
		}
		/* --at today 15:00, unquoted: take the time word too. */
		if ((o->flags & OPT_WHEN) && args->when == NULL &&
		    strchr(value, ':') == NULL && i + 1 < argc &&
		    parse_is_time(argv[i + 1])) {
			args->when = xasprintf("%s %s", value, argv[++i]);
			value = args->when;
		}
		if (parse_value(cmd, o, value) == -1)
			return (-1);
		args->val[idx] = value;
	}

	if (args->npos < cmd->min_pos) {
		parse_missing(cmd, args->npos);
		return (-1);
	}
	if (cmd->max_pos != -1 && args->npos > cmd->max_pos) {
		ctl_usage_error(cmd, "unexpected argument: %s",
		    args->pos[cmd->max_pos]);
		return (-1);
	}
	for (i = 0; i < CTL_MAX_OPTIONS && cmd->opts[i].name != NULL; i++) {
		if ((cmd->opts[i].flags & OPT_REQUIRED) &&
		    args->val[i] == NULL) {
			ctl_usage_error(cmd, "missing --%s", cmd->opts[i].name);
			return (-1);
		}
	}
	switch (cmd->pos) {
	case POS_REF:
	case POS_NAME:
		args->joined = parse_join(args->pos, args->npos, " ");
		if (args->joined[strspn(args->joined, " \t")] == '\0') {
			ctl_usage_error(cmd, "empty %s",
			    cmd->pos == POS_NAME ? "name" : "reference");
			return (-1);
		}
		break;
	case POS_ID:
		if (parse_number(args->pos[0], LLONG_MAX) == -1 ||
		    strspn(args->pos[0], "0") == strlen(args->pos[0])) {
			ctl_usage_error(cmd, "not %s %s id: %s",
			    strchr("aeiou", *cmd->object) != NULL ? "an" : "a",
			    cmd->object, args->pos[0]);
			return (-1);
		}
		break;
	}
	return (0);
}

/* The value of option name ("" for a flag), or NULL if not given. */
const char *
parse_get(const struct ctl_args *args, const char *name)
{
	int	idx;

	if (parse_find(args->cmd, name, strlen(name), &idx) == NULL)
		return (NULL);
	return (args->val[idx]);
}

void
parse_free(struct ctl_args *args)
{
	free(args->pos);
	free(args->joined);
	free(args->when);
	memset(args, 0, sizeof(*args));
}
