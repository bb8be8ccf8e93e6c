/*
 * practicectl: the control tool of practiced.  It turns argv into one HTTP
 * request on the daemon's Unix socket and prints the JSON answer, as a table
 * or raw (--json).  The daemon owns every rule; this tool owns argv and
 * presentation only.
 *
 * The flow, in the manner of bgpctl: parse_args() turns argv into a
 * struct ctl_parse (or an error value), main() acts on it, and the
 * printers get the answer and the resolved struct ctl_view, never argv.
 */
#ifndef PRACTICECTL_H
#define PRACTICECTL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Exit status. */
#define CTL_EXIT_OK		0	/* done */
#define CTL_EXIT_REFUSED	1	/* the daemon said no (or answered nonsense) */
#define CTL_EXIT_USAGE		2	/* bad command line, found here */
#define CTL_EXIT_UNREACHABLE	3	/* no answer from the daemon */

#define CTL_TIMEOUT_SECONDS	30	/* connect, send and answer, each */
#define CTL_MAX_OPTIONS		16	/* options of one command */
#define CTL_MAX_ALIASES		4	/* other words for one command */
#define CTL_ANY			-1	/* max_pos: any number of words */

/* What an option's value is. */
enum opt_kind {
	OPT_FLAG = 0,		/* no value */
	OPT_TEXT,		/* any (UTF-8) text */
	OPT_NUMBER,		/* a non-negative integer */
	OPT_WHEN,		/* "DATE HH:MM", which may come as two words */
	OPT_CHOICE		/* one of .choices */
};

/* What an option's value becomes in the request, if not the default. */
enum opt_as {
	AS_DEFAULT = 0,		/* flag: true (body) or 1 (query); number:
				   a JSON number; else the text as given */
	AS_NULLABLE,		/* "" or "none" become null */
	AS_YESNO		/* yes|no become true|false */
};

/* One option of a command: "--name VALUE", and the field it sets. */
struct ctl_option {
	const char		*name;		/* without the leading "--" */
	enum opt_kind		 kind;
	int			 required;
	const char		*field;		/* body field or query key;
						   NULL: none */
	enum opt_as		 as;
	const char *const	*choices;	/* OPT_CHOICE: NULL-terminated */
};

/* What the positional words are. */
enum pos_kind {
	POS_NONE = 0,
	POS_REF,		/* REF (words joined) goes in the path */
	POS_NAME,		/* NAME (words joined) is body "name" */
	POS_ID,			/* one numeric id in the path */
	POS_CUSTOM		/* the command's build takes them */
};

/* What main does with a parsed line. */
enum ctl_action {
	CTL_RUN = 0,		/* send the command's request, print the answer */
	CTL_HELP,		/* print help: the list, a group or a command */
	CTL_VERSION		/* print the version */
};

struct ctl_args;
struct ctl_error;
struct ctl_parse;
struct ctl_answer;
struct ctl_request;
struct ctl_view;

/*
 * One command, read in one place: its words and aliases, its usage and
 * help, its positional words and options, the request it builds, and
 * the printer of its answer.  Written with designated initializers.
 */
struct ctl_command {
	const char	*words;		/* "status", "clinician add" */
	const char	*aliases[CTL_MAX_ALIASES];	/* "clinicians" */
	const char	*usage;		/* what follows the words */
	const char	*summary;	/* one line for "help" */
	const char	*help;		/* a paragraph for "help WORDS" */
	enum ctl_action	 action;
	enum pos_kind	 pos;
	int		 min_pos;
	int		 max_pos;	/* CTL_ANY: any number */
	struct ctl_option options[CTL_MAX_OPTIONS];
	/* Rules across options ("--room and --video exclude each other"). */
	int		(*check)(const struct ctl_args *, struct ctl_error *);
	struct {
		const char	*method;	/* GET, POST, PUT, PATCH, DELETE */
		const char	*path;		/* below PROTO_PREFIX; "{}": the
						   REF or ID */
		/* Adds what the options cannot say; NULL: nothing. */
		void		(*build)(const struct ctl_args *,
				    struct ctl_request *);
		/* The answer's array that comes in pages ("a.b": member
		   b of member a), followed to the last; NULL: one answer. */
		const char	*pages;
	} request;
	const char	*object;	/* the answer's record: "clinician" */
	const char	*pos_noun;	/* what a POS_ID names, if not object */
	/* -q: the member whose id, or ids, are printed ("a.b", "a|b": the
	   first present); NULL: .object */
	const char	*ids;
	const char	*verb;		/* what was done: "added", "booked" */
	int		(*print)(const struct ctl_view *, json_t *);
	int		 raw;		/* the answer is not JSON: written
					   to stdout as it came */
	/* Exchanges of its own in place of the one request (an upload
	   in parts); its last answer is printed.  NULL: the one. */
	int		(*exchange)(const struct ctl_parse *,
			    const struct ctl_request *, struct ctl_answer *,
			    struct ctl_error *);
};

/* The words and option values of one command line. */
struct ctl_args {
	const struct ctl_command *cmd;
	char		**pos;		/* positional words (into argv) */
	int		  npos;
	const char	 *val[CTL_MAX_OPTIONS];	/* NULL: not given */
	char		 *joined;	/* the positional words joined */
	char		 *when;		/* an OPT_WHEN value spanning 2 words */
	const char	 *zone;		/* -z / PRACTICED_TZ, or NULL */
};

/* How an answer is shown: what the printers get instead of argv. */
struct ctl_view {
	int		 json;		/* --json: the answer as it came */
	int		 quiet;		/* -q: only the ids of .ids */
	const char	*ids;		/* the member whose ids -q prints */
	const char	*zone;		/* the zone asked for, or NULL */
	int		 width;		/* columns a table may take; 0: any */
	const char	*object;	/* the answer's record */
	const char	*verb;		/* "added", "booked", "moved", ... */
	int		 all;		/* --all was given */
	int		 following;	/* --following was given */
	const char	*search;	/* client list --search, or NULL */
	const char	*since;		/* audit --since, or NULL */
};

/* A parsed command line: what to do, and with what. */
struct ctl_parse {
	enum ctl_action	 action;
	const struct ctl_command *cmd;	/* CTL_RUN; CTL_HELP: its help */
	const char	*topic[2];	/* CTL_HELP without cmd: "help A B" */
	const char	*socket;
	struct ctl_args	 args;
	struct ctl_view	 view;
};

/*
 * An error, as a value until main prints it: a message, and what to print
 * after it (a command's usage, a group's, or the general one).
 */
struct ctl_error {
	int		 exit;		/* CTL_EXIT_* */
	const char	*code;		/* "usage", "unreachable", ... */
	char		*message;
	json_t		*details;	/* or NULL */
	const struct ctl_command *usage;
	const char	*group;
	int		 general;
};

/* One HTTP request. */
struct ctl_request {
	const char	*method;
	char		*target;	/* path and query, encoded */
	size_t		 targetlen;
	size_t		 targetsize;
	int		 has_query;
	json_t		*body;		/* NULL for GET */
	const char	*raw_type;	/* or a body of this type, not JSON: */
	const void	*raw;		/* rawlen bytes, the caller's */
	size_t		 rawlen;
	const char	*pages;		/* the command's request.pages */
};

/* The answer. */
struct ctl_answer {
	int		 status;	/* HTTP status */
	char		*reason;	/* HTTP reason phrase */
	char		*text;		/* the body, NUL-terminated */
	size_t		 textlen;
	json_t		*json;		/* the body parsed, or NULL */
};

/* practicectl.c */
extern const char *ctl_progname;

/* error.c */
int	 error_set(struct ctl_error *, int, const char *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	 error_usage(struct ctl_error *, const struct ctl_command *,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
void	 error_detail(struct ctl_error *, const char *, const char *);
void	 error_print(const struct ctl_error *, int);
void	 error_free(struct ctl_error *);

/* parse.c */
int	 parse_args(int, char **, const char *, const char *,
	    struct ctl_parse *, struct ctl_error *);
const char *args_get(const struct ctl_args *, const char *);
char	*parse_join(char **, int, const char *);
void	 parse_free(struct ctl_parse *);

/* commands.c */
const struct ctl_command *commands_find(int, char **, int *);
int	 commands_is_group(const char *);
void	 commands_print_usage(const struct ctl_command *, FILE *);
void	 commands_print_group(const char *, FILE *);
void	 commands_print_list(FILE *);
int	 commands_help(const struct ctl_command *, const char *,
	    const char *, struct ctl_error *);

/* cmd_people.c, cmd_schedule.c, cmd_practice.c: the entries */
extern const struct ctl_command cmd_status, cmd_help;
extern const struct ctl_command cmd_clinician_add, cmd_clinician_list,
	    cmd_clinician_show, cmd_clinician_edit, cmd_clinician_hours;
extern const struct ctl_command cmd_client_add, cmd_client_list,
	    cmd_client_show, cmd_client_edit, cmd_client_history;
extern const struct ctl_command cmd_service_add, cmd_service_list,
	    cmd_service_show, cmd_service_edit;
extern const struct ctl_command cmd_room_add, cmd_room_list, cmd_room_show,
	    cmd_room_edit;
extern const struct ctl_command cmd_book, cmd_list, cmd_show, cmd_move,
	    cmd_cancel, cmd_restore, cmd_mark, cmd_series_list,
	    cmd_series_show, cmd_slots;
int	 cmd_check_from_to(const struct ctl_args *, struct ctl_error *);
extern const struct ctl_command cmd_closure_add, cmd_closure_list,
	    cmd_closure_remove, cmd_closure_cancel, cmd_report_attendance,
	    cmd_audit;
/* cmd_reminders.c */
extern const struct ctl_command cmd_reminders_list, cmd_reminders_explain,
	    cmd_reminders_retry, cmd_reminders_test;

/* cmd_calendar.c */
extern const struct ctl_command cmd_export;
/* cmd_import.c */
extern const struct ctl_command cmd_import;
int	 print_import(const struct ctl_view *, json_t *);
/* cmd_feed.c */
extern const struct ctl_command cmd_feed_add, cmd_feed_list,
	    cmd_feed_rotate, cmd_feed_revoke;
/* cmd_busy.c */
extern const struct ctl_command cmd_busy_add, cmd_busy_list,
	    cmd_busy_refresh, cmd_busy_remove;
/* cmd_backup.c */
extern const struct ctl_command cmd_backup, cmd_verify;

/* request.c */
void	 request_build(const struct ctl_args *, struct ctl_request *);
void	 request_field(struct ctl_request *, const char *, json_t *);
/* A query parameter (GET), encoded here. */
void	 request_param(struct ctl_request *, const char *, const char *);
void	 request_free(struct ctl_request *);
int	 request_get(struct ctl_request *, const char *path);
void	 request_post(struct ctl_request *, const char *path);
void	 request_raw(struct ctl_request *, const char *type, const void *,
	    size_t);
void	 request_page(const struct ctl_request *, const char *,
	    struct ctl_request *);
void	 request_again(const struct ctl_request *, const char *key,
	    const char *value, struct ctl_request *);

/* client.c */
int	 client_exchange(const char *, const struct ctl_request *,
	    struct ctl_answer *, struct ctl_error *);
void	 client_answer_free(struct ctl_answer *);
int	 client_send(const char *, const struct ctl_request *,
	    struct ctl_answer *, struct ctl_error *);

/* print.c */
int	 print_status(const struct ctl_view *, json_t *);
int	 print_clinicians(const struct ctl_view *, json_t *);
int	 print_clients(const struct ctl_view *, json_t *);
int	 print_services(const struct ctl_view *, json_t *);
int	 print_rooms(const struct ctl_view *, json_t *);
int	 print_object(const struct ctl_view *, json_t *);
int	 print_changed(const struct ctl_view *, json_t *);
int	 print_hours_set(const struct ctl_view *, json_t *);
int	 print_appointments(const struct ctl_view *, json_t *);
int	 print_appointment(const struct ctl_view *, json_t *);
int	 print_appointment_done(const struct ctl_view *, json_t *);
void	 print_changed_sessions(json_t *);
int	 print_audit(const struct ctl_view *, json_t *);
int	 print_ids(const struct ctl_view *, json_t *);
void	 print_warnings(json_t *);
/* print.c: what the printers share */
struct table;
void	 print_line(FILE *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
const char *print_dash(const char *);
const char *print_name(json_t *, const char *);
void	 print_cell(struct table *, json_t *, const char *);
void	 print_kv_field(struct table *, const char *, json_t *,
	    const char *);
void	 print_kv(struct table *);
json_t	*answer_list(json_t *, const char *);
json_t	*answer_object(json_t *, const char *);
int	 print_rows(const struct ctl_view *, json_t *, const char *,
	    const char *, struct table *, void (*)(struct table *, json_t *));
char	*print_date(const char *);
char	*print_time(const char *);
char	*print_times(json_t *);
char	*print_span(json_t *);
const char *print_where(json_t *);
void	 print_appt_table(const struct ctl_view *, json_t *, const char *);
const char *print_plural(json_int_t);

/* print_series.c */
int	 print_booked(const struct ctl_view *, json_t *);
int	 print_moved(const struct ctl_view *, json_t *);
int	 print_cancelled(const struct ctl_view *, json_t *);
int	 print_series_list(const struct ctl_view *, json_t *);
int	 print_series(const struct ctl_view *, json_t *);

/* print_closure.c */
int	 print_closure_added(const struct ctl_view *, json_t *);
int	 print_closure_removed(const struct ctl_view *, json_t *);
int	 print_closure_cancelled(const struct ctl_view *, json_t *);
int	 print_closures(const struct ctl_view *, json_t *);
int	 print_slots(const struct ctl_view *, json_t *);

/* print_report.c */
int	 print_history(const struct ctl_view *, json_t *);
int	 print_attendance(const struct ctl_view *, json_t *);

/* print_reminders.c */
int	 print_reminders(const struct ctl_view *, json_t *);
int	 print_reminders_explain(const struct ctl_view *, json_t *);
int	 print_reminder_retried(const struct ctl_view *, json_t *);
int	 print_reminder_test(const struct ctl_view *, json_t *);
int	 print_remind_column(json_t *);
char	*print_remind_cell(json_t *);

/* print_feed.c */
int	 print_feed_url(const struct ctl_view *, json_t *);
int	 print_feed_revoked(const struct ctl_view *, json_t *);
int	 print_feeds(const struct ctl_view *, json_t *);

/* print_busy.c */
int	 print_busy_fetched(const struct ctl_view *, json_t *);
int	 print_busy_removed(const struct ctl_view *, json_t *);
int	 print_busy_list(const struct ctl_view *, json_t *);
/* cmd_privacy.c, cmd_agenda.c; print_privacy.c, print_agenda.c */
extern const struct ctl_command cmd_client_export, cmd_client_erase,
	    cmd_agenda;
int	 print_erased(const struct ctl_view *, json_t *);
int	 print_client_export(const struct ctl_view *, json_t *);
int	 print_agenda(const struct ctl_view *, json_t *);

/* width.c */
void	 width_init(void);
int	 width_terminal(FILE *);
size_t	 width_of(const char *);
char	*width_cut(const char *, size_t);

/* output.c */
struct table *table_new(int, ...);
void	 table_cell(struct table *, const char *);
void	 table_cellf(struct table *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 table_print(struct table *, int, FILE *);
void	 table_free(struct table *);
struct table *kv_new(void);
void	 kv_add(struct table *, const char *, const char *);
void	 kv_addf(struct table *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
char	*output_clean(const char *);
const char *json_text(json_t *, const char *);
json_t	*json_member(json_t *, const char *, json_type);
int	 json_int_get(json_t *, const char *, json_int_t *);
int	 json_bool_get(json_t *, const char *);
char	*json_scalar(json_t *);
void	*xmalloc(size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);
void	 fatalx(const char *, ...) __attribute__((format(printf, 1, 2)))
	    __attribute__((noreturn));

#endif
