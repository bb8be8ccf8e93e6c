/*
 * Printing attendance: one client's history, and the attendance report
 * by clinician and by client with those falling out of care.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "practicectl.h"

/* The integer member key of o as text, "-" if missing. */
static char *
count_text(json_t *o, const char *key)
{
	return json_scalar(json_object_get(o, key));
}

/* "2026-11-20 15:00 (10 days ago)", or "never". */
static char *
last_text(json_t *o, const char *key)
{
	const char	*last = json_text(o, key);
	json_int_t	 days;

	if (last == NULL)
		return xstrdup("never");
	if (json_int_get(o, "days_since_last", &days) == -1)
		return xstrdup(last);
	if (days == 0)
		return xasprintf("%s (today)", last);
	if (days == 1)
		return xasprintf("%s (yesterday)", last);
	if (days == -1)
		return xasprintf("%s (tomorrow)", last);
	if (days < 0)
		return xasprintf("%s (in %lld days)", last, -(long long)days);
	return xasprintf("%s (%lld days ago)", last, (long long)days);
}

static void
history_summary(json_t *client, json_t *sum)
{
	struct table	*kv = kv_new();
	json_int_t	 id;
	char		*n, *late, *practice;

	if (json_int_get(client, "id", &id) == 0)
		kv_addf(kv, "client", "%s (%lld)",
		    print_dash(json_text(client, "name")), (long long)id);
	else
		kv_add(kv, "client", print_dash(json_text(client, "name")));
	print_kv_field(kv, "attended", sum, "attended");
	print_kv_field(kv, "no-shows", sum, "no_show");
	n = count_text(sum, "cancelled");
	late = count_text(sum, "late_cancelled");
	practice = count_text(sum, "cancelled_by_practice");
	kv_addf(kv, "cancelled", "%s (late %s, by practice %s)", n, late,
	    practice);
	free(practice);
	free(late);
	free(n);
	print_kv_field(kv, "upcoming", sum, "upcoming");
	print_kv_field(kv, "streak", sum, "streak");
	n = last_text(sum, "last_attended");
	kv_add(kv, "last attended", n);
	free(n);
	kv_add(kv, "next", print_dash(json_text(sum, "next")));
	print_kv(kv);
}

/* client history: the summary, then every appointment. */
int
print_history(const struct ctl_view *view, json_t *answer)
{
	json_t	*list;

	history_summary(json_object_get(answer, view->object),
	    json_object_get(answer, "summary"));
	print_line(stdout, "%s", "");
	list = answer_list(answer, "appointments");
	if (json_array_size(list) == 0)
		print_line(stdout, "no appointments");
	else
		print_appt_table(view, list, json_text(answer, "tz") != NULL ?
		    json_text(answer, "tz") :
		    json_text(json_array_get(list, 0), "tz"));
	json_decref(list);
	return CTL_EXIT_OK;
}

/* The date of the local time at key of o, "-" if none. */
static void
cell_date(struct table *t, json_t *o, const char *key)
{
	char	*date;

	date = json_text(o, key) != NULL ? print_date(json_text(o, key)) :
	    xstrdup("-");
	table_cell(t, date);
	free(date);
}

static void
row_by_clinician(struct table *t, json_t *r)
{
	table_cell(t, print_name(r, "clinician"));
	print_cell(t, r, "attended");
	print_cell(t, r, "no_show");
	print_cell(t, r, "cancelled");
	print_cell(t, r, "late_cancelled");
	print_cell(t, r, "cancelled_by_practice");
	print_cell(t, r, "unmarked");
}

static void
row_by_client(struct table *t, json_t *r)
{
	table_cell(t, print_name(r, "client"));
	print_cell(t, r, "attended");
	print_cell(t, r, "no_show");
	print_cell(t, r, "cancelled");
	print_cell(t, r, "late_cancelled");
	print_cell(t, r, "streak");
	cell_date(t, r, "last_attended");
	cell_date(t, r, "next");
}

static void
row_falling(struct table *t, json_t *r)
{
	table_cell(t, print_name(r, "client"));
	cell_date(t, r, "last_attended");
	print_cell(t, r, "days_since_last");
}

/*
 * report attendance: "By clinician", "By client", then who is falling
 * out of care.
 */
int
print_attendance(const struct ctl_view *view, json_t *answer)
{
	(void)view;
	print_line(stdout, "attendance from %s to %s",
	    print_dash(json_text(answer, "from")),
	    print_dash(json_text(answer, "to")));
	print_line(stdout, "%s", "");
	print_line(stdout, "By clinician");
	(void)print_rows(view, answer, "clinicians", "none", table_new(7,
	    "CLINICIAN", "ATTENDED", "NO-SHOW", "CANCELLED", "LATE",
	    "BY PRACTICE", "UNMARKED"), row_by_clinician);
	print_line(stdout, "%s", "");
	print_line(stdout, "By client");
	(void)print_rows(view, answer, "clients", "none", table_new(8, "CLIENT",
	    "ATTENDED", "NO-SHOW", "CANCELLED", "LATE", "STREAK",
	    "LAST SEEN", "NEXT"), row_by_client);
	print_line(stdout, "%s", "");
	print_line(stdout, "Falling out of care (no future session, seen "
	    "in the last 30 days):");
	(void)print_rows(view, answer, "falling_out_of_care", "none", table_new(3,
	    "CLIENT", "LAST SEEN", "DAYS"), row_falling);
	return CTL_EXIT_OK;
}
