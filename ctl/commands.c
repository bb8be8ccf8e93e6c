/*
 * The list of commands, in the order "help" shows them, and finding one
 * by its words or an alias.  Each entry lives with its kind in
 * cmd_people.c, cmd_schedule.c and cmd_practice.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

static const struct ctl_command *const commands[] = {
	&cmd_status,
	&cmd_clinician_add, &cmd_clinician_list, &cmd_clinician_show,
	&cmd_clinician_edit, &cmd_clinician_hours,
	&cmd_client_add, &cmd_client_list, &cmd_client_show,
	&cmd_client_edit, &cmd_client_history,
	&cmd_service_add, &cmd_service_list, &cmd_service_show,
	&cmd_service_edit,
	&cmd_room_add, &cmd_room_list, &cmd_room_show, &cmd_room_edit,
	&cmd_book, &cmd_list, &cmd_show, &cmd_move, &cmd_cancel,
	&cmd_restore, &cmd_mark,
	&cmd_series_list, &cmd_series_show,
	&cmd_slots,
	&cmd_closure_add, &cmd_closure_list, &cmd_closure_remove,
	&cmd_closure_cancel,
	&cmd_report_attendance,
	&cmd_reminders_list, &cmd_reminders_explain, &cmd_reminders_retry,
	&cmd_reminders_test,
	&cmd_export,
	&cmd_feed_add, &cmd_feed_list, &cmd_feed_rotate, &cmd_feed_revoke,
	&cmd_audit,
	&cmd_busy_add, &cmd_busy_list, &cmd_busy_refresh, &cmd_busy_remove,
	&cmd_backup, &cmd_verify,
	&cmd_client_export, &cmd_client_erase, &cmd_agenda,
	&cmd_import,
	&cmd_help,
	NULL
};

static const char *const groups[] = {
	"clinician", "client", "service", "room", "series", "closure",
	"report", "reminders", "feed", "busy", NULL
};

#define H_REF \
	"REF is an id, or a case-insensitive prefix of the name or of any\n" \
	"word of it (\"ana\" and \"ruiz\" both find Ana Ruiz); an exact\n" \
	"name wins over prefixes, and a prefix that fits several is refused\n" \
	"with the candidates named.  Accents do not matter either (\"nunez\"\n" \
	"finds José Ñúñez-Øster), and words part at blanks, hyphens and\n" \
	"apostrophes.  \"NAME #ID\" or \"NAME <EMAIL>\" picks one of several\n" \
	"of one name.\n"

/* How many of argv's words the words take, or 0 if they do not fit. */
static int
commands_match(const char *words, int argc, char **argv)
{
	const char	*sp = strchr(words, ' ');
	size_t		 len = sp != NULL ? (size_t)(sp - words) : strlen(words);

	if (argc < 1 || strlen(argv[0]) != len ||
	    strncmp(argv[0], words, len) != 0)
		return 0;
	if (sp == NULL)
		return 1;
	if (argc < 2 || strcmp(argv[1], sp + 1) != 0)
		return 0;
	return 2;
}

/*
 * The command that argv starts with (its words or an alias), and in
 * *used how many words it took; NULL if none.
 */
const struct ctl_command *
commands_find(int argc, char **argv, int *used)
{
	const struct ctl_command *const	*c;
	const char *const		*alias;
	int				 n;

	for (c = commands; *c != NULL; c++) {
		if ((n = commands_match((*c)->words, argc, argv)) != 0) {
			*used = n;
			return *c;
		}
	}
	for (c = commands; *c != NULL; c++) {
		for (alias = (*c)->aliases; alias < (*c)->aliases +
		    CTL_MAX_ALIASES && *alias != NULL; alias++) {
			if ((n = commands_match(*alias, argc, argv)) == 0)
				continue;
			/* "series" lists, "series frob" is unknown. */
			if (n == 1 && commands_is_group(argv[0]) && argc > 1 &&
			    argv[1][0] != '-')
				continue;
			*used = n;
			return *c;
		}
	}
	return NULL;
}

/* Whether word names a group of commands ("clinician", ...). */
int
commands_is_group(const char *word)
{
	const char *const	*g;

	for (g = groups; *g != NULL; g++)
		if (strcmp(*g, word) == 0)
			return 1;
	return 0;
}

void
commands_print_usage(const struct ctl_command *cmd, FILE *fp)
{
	fprintf(fp, "usage: %s %s%s%s\n", ctl_progname, cmd->words,
	    *cmd->usage != '\0' ? " " : "", cmd->usage);
}

void
commands_print_list(FILE *fp)
{
	const struct ctl_command *const	*c;

	fprintf(fp, "usage: %s [-hqV] [--json] [-s socket] [-z zone] command "
	    "[argument ...]\n\ncommands:\n", ctl_progname);
	for (c = commands; *c != NULL; c++)
		fprintf(fp, "  %-18s %s\n", (*c)->words, (*c)->summary);
	fprintf(fp, "\nclinicians, clients, services, rooms, series and closures "
	    "are short for\n\"... list\".\n"
	    "\"%s help COMMAND\" explains one; %s(8) has the rest.\n",
	    ctl_progname, ctl_progname);
}

/* Whether cmd is one of group's commands ("clinician add" of "clinician"). */
static int
commands_in_group(const struct ctl_command *cmd, const char *group)
{
	size_t	len = strlen(group);

	return strncmp(cmd->words, group, len) == 0 &&
	    cmd->words[len] == ' ';
}

/* The usage lines of a group's commands. */
void
commands_print_group(const char *group, FILE *fp)
{
	const struct ctl_command *const	*c;

	for (c = commands; *c != NULL; c++)
		if (commands_in_group(*c, group))
			commands_print_usage(*c, fp);
}

/* The usage and the explanation of one command. */
static void
commands_print_help(const struct ctl_command *cmd)
{
	commands_print_usage(cmd, stdout);
	printf("\n%s", cmd->help);
	if (strncmp(cmd->usage, "REF", 3) == 0)
		printf("%s", H_REF);
}

/* The commands of a group with their summaries, and how REF works. */
static void
commands_print_group_help(const char *group)
{
	const struct ctl_command *const	*c;
	const char			*verb = "list";
	int				 n = 0;

	printf("%s commands:\n", group);
	for (c = commands; *c != NULL; c++) {
		if (!commands_in_group(*c, group))
			continue;
		printf("  %s %s%s%s\n      %s\n", ctl_progname, (*c)->words,
		    *(*c)->usage != '\0' ? " " : "", (*c)->usage,
		    (*c)->summary);
		if (n++ == 0)
			verb = (*c)->words + strlen(group) + 1;
	}
	printf("\n%s\n\"%s help %s %s\" %s.\n", H_REF, ctl_progname, group,
	    verb, n > 1 ? "(and so on) explains one" : "explains it");
}

/*
 * Help on stdout: of cmd if given, else of the topic: "help" (the list),
 * "help book", "help clinician", "help clinician add".  Returns 0, or -1
 * with err for a topic that is no command.
 */
int
commands_help(const struct ctl_command *cmd, const char *word1,
    const char *word2, struct ctl_error *err)
{
	char	*words[2];
	int	 n, used;

	if (cmd == NULL && word1 == NULL) {
		commands_print_list(stdout);
		return 0;
	}
	if (cmd == NULL && word2 == NULL && commands_is_group(word1)) {
		commands_print_group_help(word1);
		return 0;
	}
	if (cmd == NULL) {
		words[0] = (char *)word1;
		words[1] = (char *)word2;
		n = word2 != NULL ? 2 : 1;
		if ((cmd = commands_find(n, words, &used)) == NULL ||
		    used != n) {
			(void)error_usage(err, NULL, "no such command: %s%s%s",
			    word1, word2 != NULL ? " " : "",
			    word2 != NULL ? word2 : "");
			return -1;
		}
	}
	commands_print_help(cmd);
	return 0;
}
