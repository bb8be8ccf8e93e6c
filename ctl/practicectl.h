/*
 * practicectl: the control tool of practiced.  It turns argv into one HTTP
 * request on the daemon's Unix socket and prints the JSON answer, as a table
 * or raw (--json).  The daemon owns every rule; this tool owns argv and
 * presentation only.
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

/* One option of a command, and what it becomes in the request. */
struct ctl_option {
	const char	*name;		/* without the leading "--" */
	int		 flags;
#define OPT_VALUE	0x01		/* takes a value */
#define OPT_NUMBER	0x02		/* value: a non-negative integer */
#define OPT_REQUIRED	0x04		/* must be given */
#define OPT_WHEN	0x08		/* "--at DATE HH:MM" may span two words */
	const char	*field;		/* body field or query key; NULL: none */
	int		 type;
#define FIELD_STRING	0		/* the value as given */
#define FIELD_NULLABLE	1		/* "" or "none" become null */
#define FIELD_INT	2		/* JSON number (OPT_NUMBER) */
#define FIELD_YESNO	3		/* yes|no become true|false */
#define FIELD_FLAG	4		/* no value: true (body) or 1 (query) */
	const char	*const *choices; /* NULL-terminated, or NULL: any */
};

struct ctl_args;
struct ctl_request;

/* One command: its words, how to call it, and what to do with it. */
struct ctl_command {
	const char	*name;		/* "status", "clinician add" */
	const char	*args;		/* usage after the name */
	const char	*summary;	/* one line for "help" */
	const char	*help;		/* a paragraph for "help NAME" */
	const char	*method;	/* GET, POST, PUT, PATCH, DELETE; NULL: local */
	const char	*path;		/* below PROTO_PREFIX; "{}": the REF */
	const char	*object;	/* answer key: "clinician", ... */
	int		 pos;		/* what the positional words are */
#define POS_NONE	0
#define POS_REF		1		/* REF (words joined) goes in the path */
#define POS_NAME	2		/* NAME (words joined) is body "name" */
#define POS_ID		3		/* one numeric id in the path */
#define POS_CUSTOM	4		/* the builder takes them */
	int		 min_pos;
	int		 max_pos;	/* -1: any number */
	struct ctl_option opts[CTL_MAX_OPTIONS];
	int		(*build)(const struct ctl_args *, struct ctl_request *);
	int		(*print)(const struct ctl_args *, json_t *);
	int		(*local)(const struct ctl_args *);	/* no request */
};

/* The parsed command line of one command. */
struct ctl_args {
	const struct ctl_command *cmd;
	char		**pos;		/* positional words (into argv) */
	int		  npos;
	const char	 *val[CTL_MAX_OPTIONS];	/* NULL: not given */
	char		 *joined;	/* the positional words joined */
	char		 *when;		/* an OPT_WHEN value spanning 2 words */
	int		  json;		/* --json */
	const char	 *zone;		/* -z / PRACTICED_TZ, or NULL */
};

/* One HTTP request. */
struct ctl_request {
	const char	*method;
	char		*target;	/* path and query, encoded */
	size_t		 targetlen;
	size_t		 targetsize;
	int		 has_query;
	json_t		*body;		/* NULL for GET */
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
void	 ctl_usage_error(const struct ctl_command *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* parse.c */
int	 parse_args(const struct ctl_command *, int, char **,
	    struct ctl_args *);
const char *parse_get(const struct ctl_args *, const char *);
char	*parse_join(char **, int, const char *);
void	 parse_free(struct ctl_args *);

/* commands.c */
extern const struct ctl_command commands[];
const struct ctl_command *commands_find(int, char **, int *);
int	 commands_is_group(const char *);
void	 commands_print_usage(const struct ctl_command *, FILE *);
void	 commands_print_list(FILE *);
void	 commands_print_group(const char *, FILE *);
void	 commands_print_help(const struct ctl_command *);
int	 commands_help(const char *, const char *);

/* request.c */
void	 request_init(struct ctl_request *, const char *);
void	 request_path(struct ctl_request *, const char *);
void	 request_path_ref(struct ctl_request *, const char *);
void	 request_query(struct ctl_request *, const char *, const char *);
void	 request_field(struct ctl_request *, const char *, json_t *);
void	 request_zone(struct ctl_request *, const char *);
void	 request_free(struct ctl_request *);

/* client.c */
int	 client_exchange(const char *, const struct ctl_request *,
	    struct ctl_answer *);
void	 client_answer_free(struct ctl_answer *);

/* print.c */
int	 print_status(const struct ctl_args *, json_t *);
int	 print_clinicians(const struct ctl_args *, json_t *);
int	 print_clients(const struct ctl_args *, json_t *);
int	 print_services(const struct ctl_args *, json_t *);
int	 print_rooms(const struct ctl_args *, json_t *);
int	 print_object(const struct ctl_args *, json_t *);
int	 print_changed(const struct ctl_args *, json_t *);
int	 print_hours_set(const struct ctl_args *, json_t *);
int	 print_appointments(const struct ctl_args *, json_t *);
int	 print_appointment(const struct ctl_args *, json_t *);
int	 print_appointment_done(const struct ctl_args *, json_t *);
int	 print_audit(const struct ctl_args *, json_t *);
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
int	 print_rows(json_t *, const char *, const char *, struct table *,
	    void (*)(struct table *, json_t *));
char	*print_date(const char *);
char	*print_time(const char *);
char	*print_times(json_t *);
char	*print_span(json_t *);
const char *print_where(json_t *);
void	 print_appt_table(json_t *, const char *);
const char *print_plural(json_int_t);

/* print_series.c */
int	 print_booked(const struct ctl_args *, json_t *);
int	 print_moved(const struct ctl_args *, json_t *);
int	 print_cancelled(const struct ctl_args *, json_t *);
int	 print_series_list(const struct ctl_args *, json_t *);
int	 print_series(const struct ctl_args *, json_t *);

/* print_closure.c */
int	 print_closure_added(const struct ctl_args *, json_t *);
int	 print_closure_removed(const struct ctl_args *, json_t *);
int	 print_closures(const struct ctl_args *, json_t *);
int	 print_slots(const struct ctl_args *, json_t *);

/* print_report.c */
int	 print_history(const struct ctl_args *, json_t *);
int	 print_attendance(const struct ctl_args *, json_t *);

/* output.c */
struct table;
struct table *table_new(int, ...);
void	 table_cell(struct table *, const char *);
void	 table_cellf(struct table *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 table_print(struct table *, FILE *);
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
