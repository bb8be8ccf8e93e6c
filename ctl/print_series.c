/*
 * Printing series: booking one, moving and cancelling with a scope, the
 * list of series and one series with its sessions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "practicectl.h"

/* "skipped 2027-01-18 09:00: clash (appointment 17)", one per line. */
static void
print_skipped(json_t *o)
{
	json_t		*sk;
	const char	*detail;
	size_t		 i;

	json_array_foreach(json_member(o, "skipped", JSON_ARRAY), i, sk) {
		detail = json_text(sk, "detail");
		if (detail != NULL && *detail != '\0')
			print_line(stdout, "skipped %s: %s (%s)",
			    print_dash(json_text(sk, "local_start")),
			    print_dash(json_text(sk, "reason")), detail);
		else
			print_line(stdout, "skipped %s: %s",
			    print_dash(json_text(sk, "local_start")),
			    print_dash(json_text(sk, "reason")));
	}
}

/* The id of series, else the series of appointment a. */
static char *
series_id(json_t *series, json_t *a)
{
	if (series != NULL)
		return json_scalar(json_object_get(series, "id"));
	return json_scalar(json_object_get(a, "series"));
}

/* ", 12 sessions" from the count at key, or "" if it is missing. */
static char *
sessions_text(json_t *answer, const char *key)
{
	json_int_t	n;

	if (json_int_get(answer, key, &n) == -1)
		return xstrdup("");
	return xasprintf(", %lld session%s", (long long)n, print_plural(n));
}

/*
 * book --repeat:
 * "booked series 4: weekly on Monday at 09:00 from 2027-01-04,
 *  12 sessions (Jordan Lee with Ana Ruiz)", then the skipped ones.
 */
int
print_booked(const struct ctl_view *view, json_t *answer)
{
	json_t		*s, *a;
	const char	*zone, *tz, *client, *clinician;
	char		*id, *first, *n, *at;

	if ((s = json_member(answer, "series", JSON_OBJECT)) == NULL)
		return print_appointment_done(view, answer);
	a = json_member(answer, "appointment", JSON_OBJECT);
	id = json_scalar(json_object_get(s, "id"));
	first = print_date(json_text(s, "first_local"));
	n = sessions_text(answer, "booked");
	zone = json_text(s, "zone");
	tz = json_text(a, "tz") != NULL ? json_text(a, "tz") :
	    json_text(answer, "tz");
	/* The series' time is a wall time in its (the clinician's) zone. */
	if (zone != NULL && tz != NULL && strcmp(zone, tz) != 0)
		at = xasprintf("%s %s", print_dash(json_text(s, "time")),
		    zone);
	else
		at = xstrdup(print_dash(json_text(s, "time")));
	client = print_name(s, "client") != NULL ? print_name(s, "client") :
	    print_name(a, "client");
	clinician = print_name(s, "clinician") != NULL ?
	    print_name(s, "clinician") : print_name(a, "clinician");
	print_line(stdout, "booked series %s: %s at %s from %s%s (%s with %s)",
	    id, print_dash(json_text(s, "repeat")), at, first, n,
	    print_dash(client), print_dash(clinician));
	print_skipped(answer);
	free(at);
	free(n);
	free(first);
	free(id);
	return CTL_EXIT_OK;
}

/*
 * move --following|--all:
 * "moved 3 sessions of series 4 to 10:00 (from 2027-01-11)", and for
 * --following ", now series 5" when the split made a new one.
 */
int
print_moved(const struct ctl_view *view, json_t *answer)
{
	json_t		*s, *a, *next;
	json_int_t	 n, sid, parent;
	const char	*from;
	char		*id, *date, *time, *now;

	if (!view->following && !view->all)
		return print_appointment_done(view, answer);
	if ((a = answer_object(answer, "appointment")) == NULL)
		return CTL_EXIT_REFUSED;
	s = json_member(answer, "series", JSON_OBJECT);
	from = json_text(a, "local_start");
	next = json_member(s, "next", JSON_OBJECT);
	if (view->all &&
	    json_text(next, "local_start") != NULL)
		from = json_text(next, "local_start");
	date = print_date(from);
	time = print_time(json_text(a, "local_start"));
	if (view->following &&
	    json_int_get(s, "parent", &parent) == 0 &&
	    json_int_get(s, "id", &sid) == 0 && sid != parent) {
		id = xasprintf("%lld", (long long)parent);
		now = xasprintf(", now series %lld", (long long)sid);
	} else {
		id = series_id(s, a);
		now = xstrdup("");
	}
	if (json_int_get(answer, "moved", &n) == -1)
		n = 0;
	print_line(stdout, "moved %lld session%s of series %s to %s "
	    "(from %s)%s", (long long)n, print_plural(n), id, time, date,
	    now);
	print_changed_sessions(answer);
	print_skipped(answer);
	free(now);
	free(id);
	free(time);
	free(date);
	return CTL_EXIT_OK;
}

/*
 * cancel --following|--all: "cancelled 7 sessions of series 4", and
 * "(from 2027-01-11)" for --following.
 */
int
print_cancelled(const struct ctl_view *view, json_t *answer)
{
	json_t		*a;
	json_int_t	 n;
	char		*id, *date;

	if (!view->following && !view->all)
		return print_appointment_done(view, answer);
	if ((a = answer_object(answer, "appointment")) == NULL)
		return CTL_EXIT_REFUSED;
	id = series_id(json_member(answer, "series", JSON_OBJECT), a);
	if (json_int_get(answer, "cancelled", &n) == -1)
		n = 0;
	if (view->following) {
		date = print_date(json_text(a, "local_start"));
		print_line(stdout, "cancelled %lld session%s of series %s "
		    "(from %s)", (long long)n, print_plural(n), id, date);
		free(date);
	} else
		print_line(stdout, "cancelled %lld session%s of series %s",
		    (long long)n, print_plural(n), id);
	print_changed_sessions(answer);
	free(id);
	return CTL_EXIT_OK;
}

/* When a series ends: "2027-06-30", "10 sessions" or "open". */
static char *
series_end(json_t *s)
{
	json_int_t	n;

	if (json_text(s, "until") != NULL)
		return xstrdup(json_text(s, "until"));
	if (json_int_get(s, "count", &n) == 0)
		return xasprintf("%lld session%s", (long long)n,
		    print_plural(n));
	return xstrdup("open");
}

/* Whether every series of the list has its time in zone tz. */
static int
series_all_in(json_t *list, const char *tz)
{
	json_t		*s;
	const char	*zone;
	size_t		 i;

	json_array_foreach(list, i, s) {
		zone = json_text(s, "zone");
		if (zone != NULL && strcmp(zone, tz) != 0)
			return 0;
	}
	return 1;
}

/* "active, continues as series 7", "active, continued from series 4". */
static char *
series_state(json_t *s)
{
	json_int_t	 next, parent;
	const char	*state = print_dash(json_text(s, "state"));

	if (json_int_get(s, "continues_as", &next) == 0)
		return xasprintf("%s, continues as series %lld", state,
		    (long long)next);
	if (json_int_get(s, "parent", &parent) == 0)
		return xasprintf("%s, continued from series %lld", state,
		    (long long)parent);
	return xstrdup(state);
}

static void
row_series(struct table *t, json_t *s)
{
	char	*v;

	print_cell(t, s, "id");
	table_cell(t, print_name(s, "client"));
	table_cell(t, print_name(s, "clinician"));
	print_cell(t, s, "repeat");
	print_cell(t, s, "time");
	v = print_date(json_text(s, "first_local"));
	table_cell(t, v);
	free(v);
	v = series_end(s);
	table_cell(t, v);
	free(v);
	table_cell(t, json_text(json_object_get(s, "next"), "local_start"));
	print_cell(t, s, "upcoming");
	v = series_state(s);
	table_cell(t, v);
	free(v);
}

int
print_series_list(const struct ctl_view *view, json_t *answer)
{
	json_t		*list;
	const char	*tz = json_text(answer, "tz");
	int		 rc;

	rc = print_rows(view, answer, "series", view->all ?
	    "no series" : "no active series", table_new(10, "ID", "CLIENT",
	    "CLINICIAN", "REPEAT", "TIME", "FROM", "UNTIL", "NEXT",
	    "UPCOMING", "STATE"), row_series);
	list = json_member(answer, "series", JSON_ARRAY);
	if (rc != CTL_EXIT_OK || tz == NULL || json_array_size(list) == 0)
		return rc;
	if (series_all_in(list, tz))
		print_line(stdout, "times in %s", tz);
	else
		print_line(stdout, "TIME in the clinician's zone, NEXT in %s",
		    tz);
	return rc;
}

/* "Ana Ruiz (1)", or the name alone. */
static void
kv_ref(struct table *kv, const char *label, json_t *o)
{
	json_int_t	id;

	if (json_int_get(o, "id", &id) == 0)
		kv_addf(kv, label, "%s (%lld)", print_dash(json_text(o,
		    "name")), (long long)id);
	else
		kv_add(kv, label, print_dash(json_text(o, "name")));
}

static void
kv_series_service(struct table *kv, json_t *s)
{
	json_t		*svc = json_object_get(s, "service");
	json_int_t	 minutes, buffer;
	const char	*name = print_dash(json_text(svc, "name"));

	if (json_int_get(s, "minutes", &minutes) == -1)
		kv_add(kv, "service", name);
	else if (json_int_get(s, "buffer", &buffer) == 0 && buffer > 0)
		kv_addf(kv, "service", "%s, %lld minutes + %lld buffer", name,
		    (long long)minutes, (long long)buffer);
	else
		kv_addf(kv, "service", "%s, %lld minutes", name,
		    (long long)minutes);
}

static void
kv_series_next(struct table *kv, json_t *s)
{
	json_t	*next = json_member(s, "next", JSON_OBJECT);
	char	*id;

	if (next == NULL) {
		kv_add(kv, "next", "-");
		return;
	}
	id = json_scalar(json_object_get(next, "id"));
	kv_addf(kv, "next", "%s (appointment %s)",
	    print_dash(json_text(next, "local_start")), id);
	free(id);
}

static void
show_series(json_t *s)
{
	struct table	*kv = kv_new();
	json_int_t	 n;
	const char	*video;

	print_kv_field(kv, "id", s, "id");
	print_kv_field(kv, "rule", s, "rrule");
	print_kv_field(kv, "repeat", s, "repeat");
	print_kv_field(kv, "zone", s, "zone");
	print_kv_field(kv, "first", s, "first_local");
	if (json_text(s, "until") != NULL)
		print_kv_field(kv, "until", s, "until");
	else if (json_int_get(s, "count", &n) == 0)
		kv_addf(kv, "count", "%lld session%s", (long long)n,
		    print_plural(n));
	else
		kv_add(kv, "until", "open-ended");
	kv_ref(kv, "clinician", json_object_get(s, "clinician"));
	kv_ref(kv, "client", json_object_get(s, "client"));
	kv_series_service(kv, s);
	if ((video = json_text(s, "video_url")) != NULL)
		kv_addf(kv, "where", "video %s", video);
	else
		kv_add(kv, "where", print_dash(print_name(s, "room")));
	print_kv_field(kv, "state", s, "state");
	/* A move --following split the series: where it came from, where
	 * it went on. */
	if (json_int_get(s, "parent", &n) == 0)
		kv_addf(kv, "continued from", "series %lld (split from it)",
		    (long long)n);
	if (json_int_get(s, "continues_as", &n) == 0)
		kv_addf(kv, "continues as", "series %lld (split from here)",
		    (long long)n);
	print_kv_field(kv, "upcoming", s, "upcoming");
	kv_series_next(kv, s);
	print_kv_field(kv, "materialized until", s, "materialized_until");
	print_kv(kv);
}

/*
 * series show: the series, what was skipped, then every session as
 * "list" prints them.
 */
int
print_series(const struct ctl_view *view, json_t *answer)
{
	json_t		*s, *list, *first;
	const char	*tz;

	if ((s = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	show_series(s);
	if (json_array_size(json_member(s, "skipped", JSON_ARRAY)) > 0) {
		print_line(stdout, "%s", "");
		print_skipped(s);
	}
	if ((list = json_member(s, "appointments", JSON_ARRAY)) == NULL)
		list = json_member(answer, "appointments", JSON_ARRAY);
	print_line(stdout, "%s", "");
	if (json_array_size(list) == 0) {
		print_line(stdout, "no sessions");
		return CTL_EXIT_OK;
	}
	first = json_array_get(list, 0);
	tz = json_text(answer, "tz") != NULL ? json_text(answer, "tz") :
	    json_text(first, "tz");
	print_appt_table(view, list, tz);
	return CTL_EXIT_OK;
}
