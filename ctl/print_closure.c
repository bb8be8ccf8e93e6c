/*
 * Printing when the practice is closed and when a clinician is free:
 * closures, and the free slots for a session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

#define SLOTS_WIDTH	80	/* wrap the slots of a day before this (or
				   a narrower terminal's width) */

/* "2026-12-24 to 2026-12-26", or "2026-12-24" for one day. */
static char *
closure_days(json_t *c)
{
	const char	*from = print_dash(json_text(c, "from"));
	const char	*to = json_text(c, "to");

	if (to == NULL || strcmp(from, to) == 0)
		return xstrdup(from);
	return xasprintf("%s to %s", from, to);
}

/* "added closure 2: 2026-12-24 to 2026-12-26 Office closed
 * (practice-wide)", or without a verb when it is NULL. */
static void
closure_line(const char *verb, json_t *c)
{
	const char	*who = print_name(c, "clinician");
	char		*id, *days, *scope;

	id = json_scalar(json_object_get(c, "id"));
	days = closure_days(c);
	scope = who != NULL ? xasprintf("for %s", who) :
	    xstrdup("practice-wide");
	print_line(stdout, "%s%sclosure %s: %s %s (%s)", verb != NULL ?
	    verb : "", verb != NULL ? " " : "", id, days,
	    print_dash(json_text(c, "reason")), scope);
	free(scope);
	free(days);
	free(id);
}

/* The sessions a closure's --cancel cancelled, if it was asked to. */
static void
closure_cancelled(json_t *answer)
{
	size_t	 n;

	if (json_object_get(answer, PROTO_CHANGED) == NULL)
		return;
	if ((n = json_array_size(json_object_get(answer, PROTO_CHANGED))) == 0)
		print_line(stdout, "no session inside it to cancel");
	else
		print_line(stdout, "cancelled %zu session%s by the practice "
		    "(%s the cancellation notice):", n, n == 1 ? "" : "s",
		    n == 1 ? "the client gets" : "the clients get");
	print_changed_sessions(answer);
}

/* The sessions still booked inside a closure, after what heads them. */
static void
closure_inside(const struct ctl_view *view, json_t *answer)
{
	json_t		*affected;
	const char	*tz, *what;
	size_t		 n;
	json_int_t	 total;

	affected = json_member(answer, "affected", JSON_ARRAY);
	if ((n = json_array_size(affected)) == 0)
		return;
	/* After the cancellations, only the sessions begun are left. */
	what = json_object_get(answer, PROTO_CHANGED) == NULL ? "" :
	    n == 1 ? " and has begun" : " and have begun";
	total = json_integer_value(json_object_get(answer, "affected_total"));
	if (total > (json_int_t)n)
		print_line(stdout, "%lld appointments fall inside it%s; the "
		    "first %zu (list shows them all):", (long long)total, what,
		    n);
	else
		print_line(stdout, "%zu appointment%s fall%s inside it%s:", n,
		    n == 1 ? "" : "s", n == 1 ? "s" : "", what);
	tz = json_text(answer, "tz") != NULL ? json_text(answer, "tz") :
	    json_text(json_array_get(affected, 0), "tz");
	print_appt_table(view, affected, tz);
}

/* The closure, the sessions cancelled if any were to be, then those
 * still booked inside it. */
static int
closure_print(const struct ctl_view *view, json_t *answer, const char *verb)
{
	json_t	*c;

	if ((c = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	closure_line(verb, c);
	closure_cancelled(answer);
	closure_inside(view, answer);
	return CTL_EXIT_OK;
}

/* closure add (and --cancel). */
int
print_closure_added(const struct ctl_view *view, json_t *answer)
{
	return closure_print(view, answer, "added");
}

/* closure cancel. */
int
print_closure_cancelled(const struct ctl_view *view, json_t *answer)
{
	return closure_print(view, answer, NULL);
}

int
print_closure_removed(const struct ctl_view *view, json_t *answer)
{
	json_t	*c;

	json_t	*skipped, *k;
	size_t	 i;
	long long restored;

	if ((c = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	closure_line("removed", c);
	/* Series sessions the closure had skipped are booked again. */
	restored = json_integer_value(json_object_get(answer, "restored"));
	if (restored > 0)
		print_line(stdout, "%lld series session%s booked again:",
		    restored, restored == 1 ? "" : "s");
	print_changed_sessions(answer);
	skipped = json_object_get(answer, "skipped");
	json_array_foreach(skipped, i, k)
		print_line(stdout, "still skipped %s: %s (%s)",
		    json_text(k, "local_start"), json_text(k, "reason"),
		    json_text(k, "detail"));
	return CTL_EXIT_OK;
}

static void
row_closure(struct table *t, json_t *c)
{
	const char	*who = print_name(c, "clinician");

	print_cell(t, c, "id");
	print_cell(t, c, "from");
	print_cell(t, c, "to");
	table_cell(t, who != NULL ? who : "practice");
	print_cell(t, c, "reason");
}

int
print_closures(const struct ctl_view *view, json_t *answer)
{
	(void)view;
	return print_rows(view, answer, "closures", "no closures",
	    table_new(5, "ID", "FROM", "TO", "WHO", "REASON"), row_closure);
}

/* "Mon" for "2027-01-04", or NULL if it is not a date. */
static const char *
slots_weekday(const char *date)
{
	static const char *const names[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const int	 t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	int			 y, m, d;

	if (strlen(date) != 10 || strspn(date, "0123456789-") != 10 ||
	    sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return NULL;
	if (m < 3)	/* Sakamoto: January and February end the year */
		y--;
	return names[(y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7];
}

/* The line of slots being filled, printed when full or at a new day. */
struct slots_line {
	char	*text;
	size_t	 width;
	size_t	 max;		/* wrap before this */
};

static void
slots_flush(struct slots_line *l)
{
	if (l->text != NULL)
		print_line(stdout, "%s", l->text);
	free(l->text);
	l->text = NULL;
	l->width = 0;
}

static void
slots_add(struct slots_line *l, const char *slot)
{
	char	*t;

	if (l->text != NULL && l->width + 2 + strlen(slot) >= l->max)
		slots_flush(l);
	t = xasprintf("%s  %s", l->text != NULL ? l->text : "", slot);
	free(l->text);
	l->text = t;
	l->width = strlen(t);
}

/* "times in America/New_York (Ana Ruiz's zone)" */
static void
slots_footer(json_t *answer)
{
	const char	*tz = json_text(answer, "tz");
	const char	*zone = json_text(answer, "zone");
	const char	*who = print_name(answer, "clinician");

	if (tz == NULL)
		return;
	if (who == NULL)
		print_line(stdout, "times in %s", tz);
	else if (zone == NULL || strcmp(zone, tz) == 0)
		print_line(stdout, "times in %s (%s's zone)", tz, who);
	else
		print_line(stdout, "times in %s; %s works in %s", tz, who,
		    zone);
}

/*
 * slots: a line per day with free slots ("Mon 2027-01-04"), then its
 * slots, "09:00-09:50  10:00-10:50 ...", wrapped.
 */
int
print_slots(const struct ctl_view *view, json_t *answer)
{
	struct slots_line	 line = { NULL, 0, SLOTS_WIDTH };
	json_t			*list, *slot;
	const char		*wday;
	char			*day = NULL, *date, *times;
	size_t			 i;

	if (view->width > 0 && view->width < SLOTS_WIDTH)
		line.max = view->width;
	list = answer_list(answer, "slots");
	if (json_array_size(list) == 0) {
		print_line(stdout, "no free slots from %s to %s",
		    print_dash(json_text(answer, "from")),
		    print_dash(json_text(answer, "to")));
		json_decref(list);
		return CTL_EXIT_OK;
	}
	json_array_foreach(list, i, slot) {
		date = print_date(json_text(slot, "local_start"));
		if (day == NULL || strcmp(day, date) != 0) {
			slots_flush(&line);
			if ((wday = slots_weekday(date)) != NULL)
				print_line(stdout, "%s %s", wday, date);
			else
				print_line(stdout, "%s", date);
			free(day);
			day = date;
		} else
			free(date);
		times = print_times(slot);
		slots_add(&line, times);
		free(times);
	}
	slots_flush(&line);
	free(day);
	json_decref(list);
	slots_footer(answer);
	return CTL_EXIT_OK;
}
