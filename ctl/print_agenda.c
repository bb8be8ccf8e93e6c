/*
 * Printing the agenda: a block a clinician, the day's sessions first,
 * then what needs someone's attention.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "practicectl.h"

static void
row_session(struct table *t, json_t *a)
{
	const char	*state = print_dash(json_text(a, "state"));
	char		*s;

	s = print_times(a);
	table_cell(t, s);
	free(s);
	table_cell(t, print_name(a, "client"));
	table_cell(t, print_name(a, "service"));
	table_cell(t, print_where(a));
	table_cellf(t, "%s%s", state, strcmp(state, "booked") == 0 ?
	    " (unconfirmed)" : "");
}

static void
row_failed(struct table *t, json_t *r)
{
	char	*date;

	date = json_text(r, "local_start") != NULL ?
	    xstrdup(json_text(r, "local_start")) : xstrdup("-");
	table_cell(t, date);
	free(date);
	table_cell(t, print_name(r, "client"));
	table_cellf(t, "%s %s", print_dash(json_text(r, "notice")),
	    print_dash(json_text(r, "channel")));
	table_cell(t, print_dash(json_text(r, "reason")));
}

static void
row_unmarked(struct table *t, json_t *r)
{
	table_cell(t, print_dash(json_text(r, "local_start")));
	table_cell(t, print_name(r, "client"));
	print_cell(t, r, "appointment");
}

static void
row_ending(struct table *t, json_t *r)
{
	table_cell(t, print_name(r, "client"));
	print_cell(t, r, "series");
	table_cell(t, print_dash(json_text(r, "local_last")));
}

static void
row_falling(struct table *t, json_t *r)
{
	table_cell(t, print_name(r, "client"));
	table_cell(t, print_dash(json_text(r, "last_attended")));
	print_cell(t, r, "days_since_last");
}

static void
agenda_block(const struct ctl_view *view, json_t *c, const char *day)
{
	json_t	*open = json_object_get(c, "unconfirmed");

	print_line(stdout, "%s, %s", print_dash(print_name(c, "clinician")),
	    day);
	(void)print_rows(view, c, "sessions", "  no sessions", table_new(5,
	    "TIME", "CLIENT", "SERVICE", "WHERE", "STATE"), row_session);
	if (json_array_size(open) > 0)
		print_line(stdout, "%zu not yet confirmed",
		    json_array_size(open));
	if (json_array_size(json_object_get(c, "unmarked")) > 0) {
		print_line(stdout, "Not yet marked attended or no-show:");
		(void)print_rows(view, c, "unmarked", "", table_new(3,
		    "SESSION", "CLIENT", "ID"), row_unmarked);
	}
	if (json_array_size(json_object_get(c, "failed_deliveries")) > 0) {
		print_line(stdout, "Failed deliveries for sessions ahead:");
		(void)print_rows(view, c, "failed_deliveries", "", table_new(4,
		    "SESSION", "CLIENT", "MESSAGE", "REASON"), row_failed);
	}
	if (json_array_size(json_object_get(c, "series_ending")) > 0) {
		print_line(stdout, "Series ending this week:");
		(void)print_rows(view, c, "series_ending", "", table_new(3,
		    "CLIENT", "SERIES", "LAST SESSION"), row_ending);
	}
	if (json_array_size(json_object_get(c, "falling_out_of_care")) > 0) {
		print_line(stdout, "Falling out of care:");
		(void)print_rows(view, c, "falling_out_of_care", "",
		    table_new(3, "CLIENT", "LAST SEEN", "DAYS"), row_falling);
	}
	if (json_bool_get(c, "cut"))
		print_line(stdout, "(some lists were cut; see --json)");
}

int
print_agenda(const struct ctl_view *view, json_t *answer)
{
	json_t		*list, *c;
	const char	*day = print_dash(json_text(answer, "day"));
	size_t		 i;

	list = answer_list(answer, view->object);
	if (json_array_size(list) == 0)
		print_line(stdout, "no clinicians");
	json_array_foreach(list, i, c) {
		if (i > 0)
			print_line(stdout, "%s", "");
		agenda_block(view, c, day);
	}
	json_decref(list);
	return CTL_EXIT_OK;
}
