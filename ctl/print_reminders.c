/*
 * Printing the outbox: the reminders in due order, what became of each
 * reminder of one session, a retry, and the reminders cell of the
 * appointments table.  Times are in the zone the answer names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

/* The order states are told in, the worst first. */
static const char *const remind_order[] = {
	"failed", "sending", "pending", "sent", "expired", "skipped", NULL
};

/* "48h" for a reminder, the notice's name for a notice. */
static const char *
remind_rule(json_t *r)
{
	const char	*notice = json_text(r, "notice");

	if (notice != NULL && strcmp(notice, "reminder") != 0)
		return notice;
	return print_dash(json_text(r, "rule"));
}

/* "failed", or "sent?" when it may have gone out twice. */
static char *
remind_state(json_t *r)
{
	return xasprintf("%s%s", print_dash(json_text(r, "state")),
	    json_bool_get(r, "in_doubt") ? "?" : "");
}

static void
row_reminder(struct table *t, json_t *r)
{
	char	*s;

	print_cell(t, r, "id");
	table_cell(t, json_text(r, "local_due"));
	print_cell(t, r, "appointment");
	table_cell(t, print_name(r, "client"));
	table_cell(t, json_text(r, "channel"));
	table_cell(t, remind_rule(r));
	s = remind_state(r);
	table_cell(t, s);
	free(s);
	print_cell(t, r, "attempts");
	table_cell(t, print_dash(json_text(r, "reason")));
}

static int
remind_any_doubt(json_t *list)
{
	json_t	*r;
	size_t	 i;

	json_array_foreach(list, i, r)
		if (json_bool_get(r, "in_doubt"))
			return 1;
	return 0;
}

int
print_reminders(const struct ctl_view *view, json_t *answer)
{
	json_t		*list;
	const char	*next, *tz = json_text(answer, "tz");
	int		 doubt, any;

	list = answer_list(answer, "reminders");
	doubt = remind_any_doubt(list);
	any = json_array_size(list) > 0;
	json_decref(list);
	print_rows(view, answer, "reminders", "no reminders",
	    table_new(9, "ID", "DUE", "SESSION", "CLIENT", "CHANNEL", "RULE",
	    "STATE", "TRIES", "WHY"), row_reminder);
	if (any && tz != NULL)
		print_line(stdout, "times in %s%s", tz, doubt ? "; ? may have "
		    "gone out twice (in flight at a crash)" : "");
	/* The same command with the cursor gives the next page. */
	if ((next = json_text(answer, PROTO_PAGE_NEXT)) != NULL)
		print_line(stdout, "more: add --after %s", next);
	return CTL_EXIT_OK;
}

static void
row_explained(struct table *t, json_t *r)
{
	char	*s;

	print_cell(t, r, "id");
	print_cell(t, r, "version");
	table_cell(t, json_text(r, "channel"));
	table_cell(t, remind_rule(r));
	table_cell(t, json_text(r, "local_due"));
	s = remind_state(r);
	table_cell(t, s);
	free(s);
	print_cell(t, r, "attempts");
	table_cell(t, print_dash(json_text(r, "reason")));
}

/* Each attempt of each reminder: when, what came of it, the answer. */
static void
remind_attempts(const struct ctl_view *view, json_t *list)
{
	struct table	*t = NULL;
	json_t		*r, *d;
	size_t		 i, j;

	json_array_foreach(list, i, r) {
		json_array_foreach(json_object_get(r, "deliveries"), j, d) {
			if (t == NULL)
				t = table_new(6, "REMINDER", "TRY", "STARTED",
				    "OUTCOME", "CODE", "DETAIL");
			print_cell(t, r, "id");
			print_cell(t, d, "attempt");
			table_cell(t, json_text(d, "local_started"));
			table_cell(t, print_dash(json_text(d, "outcome")));
			print_cell(t, d, "code");
			table_cell(t, print_dash(json_text(d, "detail")));
		}
	}
	if (t == NULL) {
		print_line(stdout, "no delivery attempts");
		return;
	}
	table_print(t, view->width, stdout);
	table_free(t);
}

/* reminders explain: the session, its reminders, their attempts. */
int
print_reminders_explain(const struct ctl_view *view, json_t *answer)
{
	json_t		*a, *list;
	const char	*tz = json_text(answer, "tz");
	char		*span;

	if ((a = answer_object(answer, "appointment")) == NULL)
		return CTL_EXIT_REFUSED;
	span = print_span(a);
	print_line(stdout, "appointment %lld: %s %s with %s (%s, version "
	    "%lld)", (long long)json_integer_value(json_object_get(a, "id")),
	    span, print_dash(print_name(a, "client")),
	    print_dash(print_name(a, "clinician")),
	    print_dash(json_text(a, "state")),
	    (long long)json_integer_value(json_object_get(a, "version")));
	free(span);
	list = answer_list(answer, "reminders");
	if (json_array_size(list) == 0) {
		print_line(stdout, "no reminders were planned for it");
		json_decref(list);
		return CTL_EXIT_OK;
	}
	print_rows(view, answer, "reminders", "", table_new(8, "ID",
	    "VERSION", "CHANNEL", "RULE", "DUE", "STATE", "TRIES", "WHY"),
	    row_explained);
	remind_attempts(view, list);
	json_decref(list);
	if (tz != NULL)
		print_line(stdout, "times in %s", tz);
	return CTL_EXIT_OK;
}

int
print_reminder_retried(const struct ctl_view *view, json_t *answer)
{
	json_t	*r;

	if ((r = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	print_line(stdout, "%s reminder %lld (%s %s of appointment %lld), due "
	    "%s", view->verb, (long long)json_integer_value(json_object_get(r,
	    "id")), print_dash(json_text(r, "channel")), remind_rule(r),
	    (long long)json_integer_value(json_object_get(r, "appointment")),
	    print_dash(json_text(r, "local_due")));
	return CTL_EXIT_OK;
}

/* A test message's outcome; a refusal by the server exits 1. */
int
print_reminder_test(const struct ctl_view *view, json_t *answer)
{
	json_t		*t;
	const char	*state;

	if ((t = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	state = print_dash(json_text(t, "state"));
	print_line(strcmp(state, "sent") == 0 ? stdout : stderr,
	    "test %lld by %s to client %lld %s: %s",
	    (long long)json_integer_value(json_object_get(t, "id")),
	    print_dash(json_text(t, PROTO_TEST_CHANNEL)),
	    (long long)json_integer_value(json_object_get(t,
	    PROTO_TEST_CLIENT)), state, print_dash(json_text(t, "detail")));
	return strcmp(state, "sent") == 0 ? CTL_EXIT_OK : CTL_EXIT_REFUSED;
}

/* Whether the appointments carry their reminders (a list does). */
int
print_remind_column(json_t *list)
{
	json_t	*a;
	size_t	 i;

	json_array_foreach(list, i, a)
		if (json_is_object(json_object_get(a, "reminders")))
			return 1;
	return 0;
}

/* "1 sent, 1 pending", worst first; "-" when none. */
char *
print_remind_cell(json_t *a)
{
	json_t		*counts = json_object_get(a, "reminders");
	json_int_t	 n;
	char		*s = NULL, *t;
	size_t		 i;

	for (i = 0; remind_order[i] != NULL; i++) {
		if (json_int_get(counts, remind_order[i], &n) == -1 || n <= 0)
			continue;
		t = xasprintf("%s%s%lld %s", s != NULL ? s : "",
		    s != NULL ? ", " : "", (long long)n, remind_order[i]);
		free(s);
		s = t;
	}
	return s != NULL ? s : xstrdup("-");
}
