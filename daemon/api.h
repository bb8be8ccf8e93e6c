/*
 * One API request as the handlers see it, and the helpers they use to
 * read input and to answer.  control.c fills it in (its struct ctx
 * too), and sends the answer that api_answer makes of it.  Handlers
 * read the request, call the domain with &req->ctx, and answer.
 */
#ifndef PRACTICED_API_H
#define PRACTICED_API_H

#include <sys/types.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "ctx.h"
#include "lookup.h"
#include "protocol.h"

struct evkeyvalq;
struct http_request;
struct practiced;

enum role {
	ROLE_NONE = 0,
	ROLE_READONLY,
	ROLE_STAFF,
	ROLE_ADMIN
};

struct caller {
	uid_t		 uid;
	pid_t		 pid;
	char		 user[64];
	enum role	 role;
};

enum api_method {
	API_GET,
	API_POST,
	API_PUT,
	API_PATCH,
	API_DELETE
};

#define API_MAXARGS	2

/*
 * The domain's context comes first: handlers pass &req->ctx down, and
 * an error left in it becomes the answer (api_answer).
 */
struct api_req {
	struct ctx		 ctx;
	struct http_request	*http;		/* http_request_alive() */
	enum api_method		 method;
	const char		*arg[API_MAXARGS];	/* the path's "*" parts */
	struct evkeyvalq	*query;
	json_t			*body;		/* object, or NULL for GET */
	const char		*raw;		/* or a raw route's body, */
	size_t			 rawlen;	/* as it came */
	const struct caller	*who;

	int			 status;	/* the answer */
	json_t			*reply;
	char			*text;		/* or a text (api_reply_text) */
	const char		*text_type;
};

typedef void (*api_handler)(struct api_req *);

const char	*role_name(enum role);

/* Answers: exactly one per request.  api_reply steals the reference. */
void	 api_reply(struct api_req *, int status, json_t *);
/* An answer that is not JSON (a calendar): text is taken, a string. */
void	 api_reply_text(struct api_req *, int status, const char *type,
	    char *text);
void	 api_error(struct api_req *, enum proto_error, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 api_error_details(struct api_req *, enum proto_error, json_t *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
void	 api_internal(struct api_req *);
int	 api_failed(const struct api_req *);
/* Turn the request's error, if any, into its answer; before sending. */
void	 api_answer(struct api_req *);

/* Input.  Each returns -1 with the error answer set on bad input. */
const char *api_query(struct api_req *, const char *key);
/*
 * A whole number from the query, range-checked as a long long before
 * any caller narrows it: 0 when absent, 1 when read, -1 with "why" as
 * the bad_request message when it is not a number in [min, max].
 */
int	 api_query_int(struct api_req *, const char *key, long long min,
	    long long max, long long *out, const char *why);
int	 api_fields(struct api_req *, const char *const *allowed);
/* Present at all, and present as null or "" (a request to clear). */
int	 api_has(struct api_req *, const char *field);
int	 api_clearing(struct api_req *, const char *field);
/* "name, email": the fields a request sets, for the audit log. */
void	 api_field_names(struct api_req *, char *buf, size_t len);
int	 api_string(struct api_req *, const char *field, size_t maxlen,
	    int required, const char **out);
int	 api_text(struct api_req *, const char *field, size_t maxlen,
	    int required, const char **out);
int	 api_int(struct api_req *, const char *field, long long min,
	    long long max, int required, long long *out);
int	 api_bool(struct api_req *, const char *field, int *out);
int	 api_id(struct api_req *, const char *s, long long *out);
/* A record named by a field (its id or name, see lookup_ref); 0 with
 * *id = 0 when the field is absent and not required. */
int	 api_ref(struct api_req *, enum kind, const char *field, int required,
	    long long *id);
/* Checked as check.h says. */
int	 api_zone(struct api_req *, const char *field, const char **out);
int	 api_url(struct api_req *, const char *field, const char **out);

/*
 * The page a list asks for (api_appointments.c): "limit" from 1 to max,
 * dflt when absent, and "after", a cursor (*after NULL when absent, else
 * buf).  api_page_next is the answer's "next": the cursor, or null.
 */
struct appt_cursor;
int	 api_page(struct api_req *, int dflt, int max, int *limit,
	    struct appt_cursor *buf, const struct appt_cursor **after);
json_t	*api_page_next(const struct appt_cursor *next, int more);

/* Writes in one transaction: begin, then commit or roll back. */
int	 api_begin(struct api_req *);
void	 api_finish(struct api_req *);	/* commit unless failed */

/* The handlers, one file a resource. */
void	api_status(struct api_req *);
void	api_clinician_add(struct api_req *);
void	api_clinician_list(struct api_req *);
void	api_clinician_show(struct api_req *);
void	api_clinician_edit(struct api_req *);
void	api_clinician_hours(struct api_req *);
void	api_client_add(struct api_req *);
void	api_client_list(struct api_req *);
void	api_client_show(struct api_req *);
void	api_client_edit(struct api_req *);
void	api_service_add(struct api_req *);
void	api_service_list(struct api_req *);
void	api_service_show(struct api_req *);
void	api_service_edit(struct api_req *);
void	api_room_add(struct api_req *);
void	api_room_list(struct api_req *);
void	api_room_show(struct api_req *);
void	api_room_edit(struct api_req *);
void	api_appointment_book(struct api_req *);
void	api_appointment_list(struct api_req *);
void	api_appointment_show(struct api_req *);
void	api_appointment_move(struct api_req *);
void	api_appointment_cancel(struct api_req *);
void	api_appointment_restore(struct api_req *);
void	api_appointment_mark(struct api_req *);
void	api_audit_list(struct api_req *);
void	api_series_list(struct api_req *);
void	api_series_show(struct api_req *);
void	api_closure_add(struct api_req *);
void	api_closure_list(struct api_req *);
void	api_closure_remove(struct api_req *);
void	api_closure_cancel(struct api_req *);
void	api_slots(struct api_req *);
void	api_client_history(struct api_req *);
void	api_report_attendance(struct api_req *);
void	api_reminder_list(struct api_req *);
void	api_reminder_retry(struct api_req *);
void	api_reminder_test(struct api_req *);
void	api_reminder_test_show(struct api_req *);
void	api_appointment_reminders(struct api_req *);
void	api_export(struct api_req *);
void	api_feed_add(struct api_req *);
void	api_feed_list(struct api_req *);
void	api_feed_rotate(struct api_req *);
void	api_feed_revoke(struct api_req *);
void	api_busy_add(struct api_req *);
void	api_busy_list(struct api_req *);
void	api_busy_show(struct api_req *);
void	api_busy_remove(struct api_req *);
void	api_busy_refresh(struct api_req *);
void	api_busy_fetch(struct api_req *);
void	api_backup(struct api_req *);
void	api_backup_show(struct api_req *);
void	api_verify(struct api_req *);
void	api_verify_show(struct api_req *);
void	api_client_export(struct api_req *);
void	api_client_erase(struct api_req *);
void	api_agenda(struct api_req *);
void	api_import_create(struct api_req *);
void	api_import_part(struct api_req *);
void	api_import_start(struct api_req *);
void	api_import_show(struct api_req *);

#endif
