/*
 * Printing answers for people: tables for lists, "key: value" blocks for
 * one record, one line to confirm a change.  Every field is read
 * defensively: a missing one prints "-", an unknown one is ignored.
 * The helpers here are shared with print_series.c, print_closure.c and
 * print_report.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

/* Prints one line built from fmt, cleaned of control characters. */
void
print_line(FILE *fp, const char *fmt, ...)
{
	va_list	 ap;
	char	*raw, *clean;

	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	clean = output_clean(raw);
	fprintf(fp, "%s\n", clean);
	free(clean);
	free(raw);
}

const char *
print_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/* The "name" of the object member key of o ("clinician": {"name": ..}). */
const char *
print_name(json_t *o, const char *key)
{
	return json_text(json_object_get(o, key), "name");
}

void
print_cell(struct table *t, json_t *o, const char *key)
{
	char	*s;

	s = json_scalar(json_object_get(o, key));
	table_cell(t, s);
	free(s);
}

void
print_kv_field(struct table *kv, const char *label, json_t *o, const char *key)
{
	char	*s;

	s = json_scalar(json_object_get(o, key));
	kv_add(kv, label, s);
	free(s);
}

void
print_kv(struct table *kv)
{
	table_print(kv, 0, stdout);
	table_free(kv);
}

/* The records in member key of the answer; an empty array if none. */
json_t *
answer_list(json_t *answer, const char *key)
{
	json_t	*a;

	if ((a = json_member(answer, key, JSON_ARRAY)) == NULL)
		a = json_array();
	else
		json_incref(a);
	return a;
}

/* The record in member key of the answer, or NULL after saying so. */
json_t *
answer_object(json_t *answer, const char *key)
{
	json_t	*o;

	if ((o = json_member(answer, key, JSON_OBJECT)) == NULL)
		fprintf(stderr, "%s: the answer from practiced has no "
		    "\"%s\"\n", ctl_progname, key);
	return o;
}

/* "3d 4h", "4h 12m", "12m 5s", "5s" */
static char *
duration_text(json_int_t s)
{
	if (s >= 86400)
		return xasprintf("%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	if (s >= 3600)
		return xasprintf("%lldh %lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	if (s >= 60)
		return xasprintf("%lldm %llds", (long long)(s / 60),
		    (long long)(s % 60));
	return xasprintf("%llds", (long long)s);
}

/* The outbox: what waits, what failed, and where messages go. */
static void
print_status_outbox(struct table *kv, json_t *o)
{
	json_int_t	 pending, failed;

	if (o == NULL || json_int_get(o, "pending", &pending) == -1 ||
	    json_int_get(o, "failed_ahead", &failed) == -1)
		return;
	if (pending > 0)
		kv_addf(kv, "reminders", "%lld waiting, the next due %s; %lld "
		    "failed for sessions ahead", (long long)pending,
		    print_dash(json_text(o, "next_due")), (long long)failed);
	else
		kv_addf(kv, "reminders", "none waiting; %lld failed for "
		    "sessions ahead", (long long)failed);
	kv_add(kv, "email goes to", print_dash(json_text(o, "email")));
	kv_add(kv, "sms goes to", print_dash(json_text(o, "sms")));
}

int
print_status(const struct ctl_view *view, json_t *answer)
{
	struct table	*kv = kv_new();
	json_t		*practice, *counts, *you, *v;
	json_int_t	 n, api, uid;
	const char	*key;
	char		*up;

	(void)view;
	practice = json_object_get(answer, "practice");
	kv_add(kv, "practice", print_dash(json_text(practice, "name")));
	kv_add(kv, "timezone", print_dash(json_text(practice, "timezone")));
	if (json_int_get(practice, "late_cancel_hours", &n) == 0)
		kv_addf(kv, "late cancel", "less than %lld hours before",
		    (long long)n);
	if (json_int_get(answer, "api", &api) == 0 &&
	    api != PROTO_API_VERSION)
		kv_addf(kv, "version", "%s (api %lld; practicectl %s speaks "
		    "api %d)", print_dash(json_text(answer, "version")),
		    (long long)api, PRACTICED_VERSION, PROTO_API_VERSION);
	else
		kv_add(kv, "version", print_dash(json_text(answer, "version")));
	if (json_int_get(answer, "uptime_seconds", &n) == 0) {
		up = duration_text(n);
		kv_addf(kv, "started", "%s (up %s)",
		    print_dash(json_text(answer, "started")), up);
		free(up);
	} else
		kv_add(kv, "started", print_dash(json_text(answer, "started")));
	if (json_is_false(json_object_get(answer, "database_writable")))
		kv_addf(kv, "database", "%s (READ-ONLY: every change fails)",
		    print_dash(json_text(answer, "database")));
	else
		kv_add(kv, "database", print_dash(json_text(answer, "database")));
	counts = json_member(answer, "counts", JSON_OBJECT);
	json_object_foreach(counts, key, v) {
		if (strcmp(key, "upcoming") == 0)
			continue;
		if (strcmp(key, "appointments") == 0 &&
		    json_int_get(counts, "upcoming", &n) == 0)
			kv_addf(kv, key, "%lld (%lld upcoming)",
			    (long long)json_integer_value(v), (long long)n);
		else {
			up = json_scalar(v);
			kv_add(kv, key, up);
			free(up);
		}
	}
	print_status_outbox(kv, json_member(answer, "reminders", JSON_OBJECT));
	you = json_object_get(answer, "you");
	if (json_int_get(you, "uid", &uid) == 0)
		kv_addf(kv, "you", "%s (uid %lld), %s",
		    print_dash(json_text(you, "user")), (long long)uid,
		    print_dash(json_text(you, "role")));
	else
		kv_addf(kv, "you", "%s, %s", print_dash(json_text(you, "user")),
		    print_dash(json_text(you, "role")));
	print_kv(kv);
	return CTL_EXIT_OK;
}

static int
day_index(const char *day)
{
	static const char *const days[] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun"
	};
	int	i;

	for (i = 0; i < 7; i++)
		if (strcmp(day, days[i]) == 0)
			return i;
	return -1;
}

struct hours_day {
	const char	*day;
	int		 idx;
	char		*ranges;	/* "09:00-12:00 13:00-17:00" */
};

/*
 * Working hours as the "clinician hours" grammar writes them, days in a
 * row with the same ranges folded into a span:
 * "mon-thu 09:00-17:00, fri 09:00-13:00", or "none".
 */
static char *
hours_text(json_t *hours)
{
	struct hours_day	*d;
	json_t			*h;
	size_t			 i, n = 0, j, k;
	const char		*day;
	char			*s, *t;

	d = xreallocarray(NULL, json_array_size(hours) + 1, sizeof(*d));
	json_array_foreach(hours, i, h) {
		day = print_dash(json_text(h, "day"));
		if (n > 0 && strcmp(d[n - 1].day, day) == 0) {
			t = xasprintf("%s %s-%s", d[n - 1].ranges,
			    print_dash(json_text(h, "start")),
			    print_dash(json_text(h, "end")));
			free(d[n - 1].ranges);
			d[n - 1].ranges = t;
			continue;
		}
		d[n].day = day;
		d[n].idx = day_index(day);
		d[n].ranges = xasprintf("%s-%s", print_dash(json_text(h, "start")),
		    print_dash(json_text(h, "end")));
		n++;
	}
	s = xstrdup(n == 0 ? "none" : "");
	for (i = 0; i < n; i = k) {
		/* d[i..k-1]: consecutive days with the same ranges */
		for (k = i + 1; k < n; k++) {
			if (d[i].idx == -1 || d[k].idx != d[k - 1].idx + 1 ||
			    strcmp(d[k].ranges, d[i].ranges) != 0)
				break;
		}
		j = k - 1;
		if (j > i)
			t = xasprintf("%s%s%s-%s %s", s, i > 0 ? ", " : "",
			    d[i].day, d[j].day, d[i].ranges);
		else
			t = xasprintf("%s%s%s %s", s, i > 0 ? ", " : "",
			    d[i].day, d[i].ranges);
		free(s);
		s = t;
	}
	for (i = 0; i < n; i++)
		free(d[i].ranges);
	free(d);
	return s;
}

/* "email,sms" or "none" from an array (or a string, as given). */
static char *
remind_text(json_t *r)
{
	json_t	*v;
	size_t	 i;
	char	*s = NULL, *t;

	if (json_is_string(r))
		return xstrdup(json_string_value(r));
	json_array_foreach(r, i, v) {
		if (!json_is_string(v))
			continue;
		t = xasprintf("%s%s%s", s != NULL ? s : "", s != NULL ?
		    "," : "", json_string_value(v));
		free(s);
		s = t;
	}
	if (s == NULL)
		s = xstrdup(json_is_array(r) ? "none" : "-");
	return s;
}

static void
show_clinician(json_t *c)
{
	struct table	*kv = kv_new();
	char		*hours;

	print_kv_field(kv, "id", c, "id");
	print_kv_field(kv, "name", c, "name");
	print_kv_field(kv, "email", c, "email");
	print_kv_field(kv, "phone", c, "phone");
	print_kv_field(kv, "zone", c, "zone");
	print_kv_field(kv, "active", c, "active");
	hours = hours_text(json_member(c, "hours", JSON_ARRAY));
	if (json_text(c, "zone") != NULL && strcmp(hours, "none") != 0)
		kv_addf(kv, "hours", "%s (%s)", hours, json_text(c, "zone"));
	else
		kv_add(kv, "hours", hours);
	free(hours);
	print_kv(kv);
}

static void
show_client(json_t *c)
{
	struct table	*kv = kv_new();
	json_t		*consent;
	char		*remind, *text;

	print_kv_field(kv, "id", c, "id");
	print_kv_field(kv, "name", c, "name");
	print_kv_field(kv, "email", c, "email");
	print_kv_field(kv, "phone", c, "phone");
	remind = remind_text(json_object_get(c, "remind"));
	kv_add(kv, "remind", remind);
	free(remind);
	consent = json_object_get(c, "sms_consent");
	if (json_is_object(consent)) {
		text = xasprintf("yes, %s by %s", print_dash(json_text(consent,
		    "at")), print_dash(json_text(consent, "by")));
		kv_add(kv, "sms consent", text);
		free(text);
	} else
		kv_add(kv, "sms consent", "- (none recorded)");
	if (json_text(c, "zone") != NULL)
		print_kv_field(kv, "zone", c, "zone");
	else
		kv_add(kv, "zone", "- (the practice's)");
	print_kv_field(kv, "active", c, "active");
	print_kv_field(kv, "created", c, "created");
	print_kv(kv);
}

static void
show_service(json_t *s)
{
	struct table	*kv = kv_new();

	print_kv_field(kv, "id", s, "id");
	print_kv_field(kv, "name", s, "name");
	print_kv_field(kv, "minutes", s, "minutes");
	print_kv_field(kv, "buffer", s, "buffer");
	print_kv_field(kv, "active", s, "active");
	print_kv(kv);
}

static void
show_room(json_t *r)
{
	struct table	*kv = kv_new();

	print_kv_field(kv, "id", r, "id");
	print_kv_field(kv, "name", r, "name");
	print_kv_field(kv, "active", r, "active");
	print_kv(kv);
}

/* "clinician show", "client show", ...: one record. */
int
print_object(const struct ctl_view *view, json_t *answer)
{
	const char	*object = view->object;
	json_t		*o;

	if ((o = answer_object(answer, object)) == NULL)
		return CTL_EXIT_REFUSED;
	if (strcmp(object, "clinician") == 0)
		show_clinician(o);
	else if (strcmp(object, "client") == 0)
		show_client(o);
	else if (strcmp(object, "service") == 0)
		show_service(o);
	else
		show_room(o);
	return CTL_EXIT_OK;
}

/* "added clinician 3: Ana Ruiz", "updated client 7: Jordan Lee" */
int
print_changed(const struct ctl_view *view, json_t *answer)
{
	const char	*object = view->object;
	json_t		*o;
	char		*id;

	if ((o = answer_object(answer, object)) == NULL)
		return CTL_EXIT_REFUSED;
	id = json_scalar(json_object_get(o, "id"));
	print_line(stdout, "%s %s %s: %s", print_dash(view->verb), object, id,
	    print_dash(json_text(o, "name")));
	free(id);
	return CTL_EXIT_OK;
}

/* "hours of clinician 3 (Ana Ruiz): mon 09:00-17:00 (America/New_York)" */
int
print_hours_set(const struct ctl_view *view, json_t *answer)
{
	json_t	*c;
	char	*id, *hours;

	if ((c = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	id = json_scalar(json_object_get(c, "id"));
	hours = hours_text(json_member(c, "hours", JSON_ARRAY));
	if (strcmp(hours, "none") != 0 && json_text(c, "zone") != NULL)
		print_line(stdout, "hours of clinician %s (%s): %s (%s)", id,
		    print_dash(json_text(c, "name")), hours, json_text(c, "zone"));
	else
		print_line(stdout, "hours of clinician %s (%s): %s", id,
		    print_dash(json_text(c, "name")), hours);
	free(hours);
	free(id);
	return CTL_EXIT_OK;
}

/*
 * The records in member key of the answer as table t, one row() each,
 * or the line empty if there are none; frees t.
 */
int
print_rows(const struct ctl_view *view, json_t *answer, const char *key,
    const char *empty,
    struct table *t, void (*row)(struct table *, json_t *))
{
	json_t	*list, *o;
	size_t	 i;

	list = answer_list(answer, key);
	if (json_array_size(list) == 0)
		print_line(stdout, "%s", empty);
	else {
		json_array_foreach(list, i, o)
			row(t, o);
		table_print(t, view->width, stdout);
	}
	json_decref(list);
	table_free(t);
	return CTL_EXIT_OK;
}

static void
row_clinician(struct table *t, json_t *c)
{
	print_cell(t, c, "id");
	print_cell(t, c, "name");
	print_cell(t, c, "email");
	print_cell(t, c, "phone");
	print_cell(t, c, "zone");
	print_cell(t, c, "active");
}

int
print_clinicians(const struct ctl_view *view, json_t *answer)
{
	(void)view;
	return print_rows(view, answer, "clinicians", "no clinicians",
	    table_new(6, "ID", "NAME", "EMAIL", "PHONE", "ZONE", "ACTIVE"),
	    row_clinician);
}

static void
row_client(struct table *t, json_t *c)
{
	char	*remind;

	print_cell(t, c, "id");
	print_cell(t, c, "name");
	print_cell(t, c, "email");
	print_cell(t, c, "phone");
	remind = remind_text(json_object_get(c, "remind"));
	table_cell(t, remind);
	free(remind);
	print_cell(t, c, "zone");
	print_cell(t, c, "active");
}

int
print_clients(const struct ctl_view *view, json_t *answer)
{
	const char	*search = view->search;
	char		*empty;
	int		 rc;

	empty = search != NULL ? xasprintf("no clients matching \"%s\"",
	    search) : xstrdup("no clients");
	rc = print_rows(view, answer, "clients", empty, table_new(7, "ID", "NAME",
	    "EMAIL", "PHONE", "REMIND", "ZONE", "ACTIVE"), row_client);
	free(empty);
	return rc;
}

static void
row_service(struct table *t, json_t *s)
{
	print_cell(t, s, "id");
	print_cell(t, s, "name");
	print_cell(t, s, "minutes");
	print_cell(t, s, "buffer");
	print_cell(t, s, "active");
}

int
print_services(const struct ctl_view *view, json_t *answer)
{
	(void)view;
	return print_rows(view, answer, "services", "no services",
	    table_new(5, "ID", "NAME", "MINUTES", "BUFFER", "ACTIVE"),
	    row_service);
}

static void
row_room(struct table *t, json_t *r)
{
	print_cell(t, r, "id");
	print_cell(t, r, "name");
	print_cell(t, r, "active");
}

int
print_rooms(const struct ctl_view *view, json_t *answer)
{
	(void)view;
	return print_rows(view, answer, "rooms", "no rooms",
	    table_new(3, "ID", "NAME", "ACTIVE"), row_room);
}

/*
 * Appointments.  "local_start" is "YYYY-MM-DD HH:MM" in the answer's zone;
 * these take its date or its time.
 */
char *
print_date(const char *local)
{
	size_t	n;

	if (local == NULL)
		return xstrdup("-");
	n = strcspn(local, " T");
	return xasprintf("%.*s", (int)n, local);
}

char *
print_time(const char *local)
{
	size_t	n;

	if (local == NULL)
		return xstrdup("-");
	n = strcspn(local, " T");
	return xstrdup(local[n] != '\0' ? local + n + 1 : "-");
}

/* Minutes from the instant "utc" (...Z) to its wall time "local"; -1 on error. */
static int
print_offset(const char *utc, const char *local, long *minutes)
{
	int	u[5], l[5];

	if (utc == NULL || local == NULL ||
	    sscanf(utc, "%d-%d-%dT%d:%d", &u[0], &u[1], &u[2], &u[3],
	    &u[4]) != 5 ||
	    sscanf(local, "%d-%d-%d %d:%d", &l[0], &l[1], &l[2], &l[3],
	    &l[4]) != 5)
		return -1;
	/* Offsets are under a day: the dates differ by at most one. */
	*minutes = (l[2] != u[2] ? (l[2] > u[2] && l[2] - u[2] == 1) ||
	    (l[2] < u[2] && u[2] - l[2] > 1) ? 1440 : -1440 : 0) +
	    (l[3] - u[3]) * 60 + (l[4] - u[4]);
	return 0;
}

static char *
print_utc_offset(long m)
{
	long	a = m < 0 ? -m : m;

	if (a % 60 == 0)
		return xasprintf("UTC%c%ld", m < 0 ? '-' : '+', a / 60);
	return xasprintf("UTC%c%ld:%02ld", m < 0 ? '-' : '+', a / 60, a % 60);
}

/*
 * "15:00-15:50"; across a change of the clocks each end says its offset,
 * "01:30 (UTC-4)-01:20 (UTC-5)", or the times would read backwards.
 */
char *
print_times(json_t *a)
{
	char	*start, *end, *s, *os, *oe;
	long	 ms, me;

	start = print_time(json_text(a, "local_start"));
	end = print_time(json_text(a, "local_end"));
	if (print_offset(json_text(a, "start"), json_text(a, "local_start"),
	    &ms) == 0 && print_offset(json_text(a, "end"),
	    json_text(a, "local_end"), &me) == 0 && ms != me) {
		os = print_utc_offset(ms);
		oe = print_utc_offset(me);
		s = xasprintf("%s (%s)-%s (%s)", start, os, end, oe);
		free(os);
		free(oe);
	} else
		s = xasprintf("%s-%s", start, end);
	free(start);
	free(end);
	return s;
}

/* "2026-12-01 15:00-15:50" */
char *
print_span(json_t *a)
{
	char	*date, *times, *s;

	date = print_date(json_text(a, "local_start"));
	times = print_times(a);
	s = xasprintf("%s %s", date, times);
	free(date);
	free(times);
	return s;
}

/* Room name, "video" or "-". */
const char *
print_where(json_t *a)
{
	const char	*room;

	if ((room = print_name(a, "room")) != NULL)
		return room;
	if (json_text(a, "video_url") != NULL)
		return "video";
	return "-";
}

/* "booked", "cancelled (client, late)", "cancelled (practice)" */
static char *
appt_state(json_t *a)
{
	const char	*state = print_dash(json_text(a, "state"));
	const char	*by = json_text(a, "cancelled_by");

	if (strcmp(state, "cancelled") != 0 || by == NULL)
		return xstrdup(state);
	return xasprintf("%s (%s%s)", state, by,
	    json_bool_get(a, "late") ? ", late" : "");
}

static int
appt_marked(json_t *a)
{
	return json_bool_get(a, "forced") || json_bool_get(a, "overlap");
}

/* What a session needs (its "attention" codes), in a table and in show. */
static const struct {
	const char	*code;
	const char	*word;		/* a table cell */
	const char	*sentence;	/* a line of show */
} attention_words[] = {
	{ PROTO_ATTN_HOURS, "outside hours",
	    "outside the clinician's working hours" },
	{ PROTO_ATTN_CLOSURE, "closure", "on a closure" },
	{ PROTO_ATTN_CLINICIAN, "clinician archived",
	    "the clinician is archived" },
	{ PROTO_ATTN_CLIENT, "client archived", "the client is archived" },
	{ PROTO_ATTN_ROOM, "room archived", "the room is archived" },
	{ PROTO_ATTN_BUSY, "busy", "the clinician is busy then (a busy "
	    "block came over it)" },
	{ PROTO_ATTN_IMPORTED_CLASH, "imported clash", "imported over "
	    "another session (practicectl import)" },
};

/* The word (or sentence) of a code; a code this ctl does not know is
 * shown as it came. */
static const char *
attention_text(const char *code, int sentence)
{
	size_t	 i;

	for (i = 0; i < sizeof(attention_words) / sizeof(attention_words[0]);
	    i++)
		if (strcmp(attention_words[i].code, code) == 0)
			return sentence ? attention_words[i].sentence :
			    attention_words[i].word;
	return code;
}

static json_t *
appt_attention(json_t *a)
{
	return json_member(a, "attention", JSON_ARRAY);
}

/* "outside hours, closure": the ATTENTION cell of a session. */
static char *
attention_cell(json_t *a)
{
	json_t		*code;
	size_t		 i;
	char		*cell = xstrdup(""), *grown;

	json_array_foreach(appt_attention(a), i, code) {
		if (!json_is_string(code))
			continue;
		grown = xasprintf("%s%s%s", cell, *cell ? ", " : "",
		    attention_text(json_string_value(code), 0));
		free(cell);
		cell = grown;
	}
	return cell;
}

static int
appt_list_attention(json_t *list)
{
	json_t	*a;
	size_t	 i;

	json_array_foreach(list, i, a)
		if (json_array_size(appt_attention(a)) > 0)
			return 1;
	return 0;
}

/*
 * The appointments table, shared by list, series show, closure add and
 * client history; tz names the zone of its times (NULL: say nothing).
 * A "*" after the time marks an occurrence moved from its series time,
 * a "!" after the state a booking made with --force or --overlap.  When
 * a session needs attention, an ATTENTION column says why.
 */
void
print_appt_table(const struct ctl_view *view, json_t *list, const char *tz)
{
	struct table	*t;
	json_t		*a;
	size_t		 i;
	char		*s;
	const char	*extra[2] = { NULL, NULL };
	int		 marked = 0, moved = 0, n = 0;
	int		 attention = appt_list_attention(list);
	int		 reminders = print_remind_column(list);

	/* The columns some lists have, after the nine all have. */
	if (reminders)
		extra[n++] = "REMINDERS";
	if (attention)
		extra[n++] = "ATTENTION";
	t = table_new(9 + n, "ID", "DATE", "TIME", "CLINICIAN", "CLIENT",
	    "SERVICE", "WHERE", "SERIES", "STATE", extra[0], extra[1]);
	json_array_foreach(list, i, a) {
		print_cell(t, a, "id");
		s = print_date(json_text(a, "local_start"));
		table_cell(t, s);
		free(s);
		s = print_times(a);
		table_cellf(t, "%s%s", s, json_bool_get(a, "override") ?
		    "*" : "");
		moved |= json_bool_get(a, "override");
		free(s);
		table_cell(t, print_name(a, "clinician"));
		table_cell(t, print_name(a, "client"));
		table_cell(t, print_name(a, "service"));
		table_cell(t, print_where(a));
		print_cell(t, a, "series");
		s = appt_state(a);
		table_cellf(t, "%s%s", s, appt_marked(a) ? "!" : "");
		marked |= appt_marked(a);
		free(s);
		if (reminders) {
			s = print_remind_cell(a);
			table_cell(t, s);
			free(s);
		}
		if (attention) {
			s = attention_cell(a);
			table_cell(t, s);
			free(s);
		}
	}
	table_print(t, view->width, stdout);
	table_free(t);
	if (tz != NULL)
		print_line(stdout, "times in %s%s", tz,
		    marked ? "; ! booked with --force or --overlap" : "");
	else if (marked)
		print_line(stdout, "! booked with --force or --overlap");
	if (moved)
		print_line(stdout, "* moved from its series time");
	if (attention)
		print_line(stdout, "ATTENTION: hours, a closure or an archive "
		    "changed under a booked session; move or cancel it, or "
		    "keep it");
}

int
print_appointments(const struct ctl_view *view, json_t *answer)
{
	json_t	*list;

	(void)view;
	list = answer_list(answer, "appointments");
	if (json_array_size(list) == 0)
		print_line(stdout, "no appointments from %s to %s",
		    print_dash(json_text(answer, "from")),
		    print_dash(json_text(answer, "to")));
	else
		print_appt_table(view, list, json_text(answer, "tz"));
	json_decref(list);
	return CTL_EXIT_OK;
}

/* "4", or "4 (moved from 2027-01-11 09:00)" for an override. */
static void
kv_series(struct table *kv, json_t *a)
{
	json_int_t	 id;
	const char	*from;

	if (json_int_get(a, "series", &id) == -1)
		return;
	from = json_text(a, "recurrence_local");
	if (json_bool_get(a, "override") && from != NULL)
		kv_addf(kv, "series", "%lld (moved from %s)", (long long)id,
		    from);
	else if (json_bool_get(a, "override"))
		kv_addf(kv, "series", "%lld (moved from its series time)",
		    (long long)id);
	else
		kv_addf(kv, "series", "%lld", (long long)id);
}

int
print_appointment(const struct ctl_view *view, json_t *answer)
{
	struct table	*kv;
	json_t		*a, *o;
	const char	*tz, *zone, *video;
	json_int_t	 id;
	size_t		 i;
	char		*s;

	if ((a = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	kv = kv_new();
	print_kv_field(kv, "id", a, "id");
	s = print_span(a);
	tz = json_text(a, "tz") != NULL ? json_text(a, "tz") :
	    json_text(answer, "tz");
	if (tz != NULL)
		kv_addf(kv, "when", "%s (%s)", s, tz);
	else
		kv_add(kv, "when", s);
	free(s);
	zone = json_text(a, "zone");
	if (zone != NULL && (tz == NULL || strcmp(zone, tz) != 0))
		kv_add(kv, "clinician zone", zone);
	o = json_object_get(a, "clinician");
	if (json_int_get(o, "id", &id) == 0)
		kv_addf(kv, "clinician", "%s (%lld)",
		    print_dash(json_text(o, "name")), (long long)id);
	else
		kv_add(kv, "clinician", print_dash(json_text(o, "name")));
	o = json_object_get(a, "client");
	if (json_int_get(o, "id", &id) == 0)
		kv_addf(kv, "client", "%s (%lld)",
		    print_dash(json_text(o, "name")), (long long)id);
	else
		kv_add(kv, "client", print_dash(json_text(o, "name")));
	o = json_object_get(a, "service");
	s = json_scalar(json_object_get(a, "minutes"));
	if (json_int_get(a, "buffer", &id) == 0 && id > 0)
		kv_addf(kv, "service", "%s, %s minutes + %lld buffer",
		    print_dash(json_text(o, "name")), s, (long long)id);
	else
		kv_addf(kv, "service", "%s, %s minutes",
		    print_dash(json_text(o, "name")), s);
	free(s);
	if ((video = json_text(a, "video_url")) != NULL)
		kv_addf(kv, "where", "video %s", video);
	else
		kv_add(kv, "where", print_where(a));
	kv_series(kv, a);
	s = appt_state(a);
	kv_add(kv, "state", s);
	free(s);
	if (json_text(a, "cancel_reason") != NULL)
		print_kv_field(kv, "reason", a, "cancel_reason");
	json_array_foreach(appt_attention(a), i, o)
		if (json_is_string(o))
			kv_add(kv, "attention", attention_text(
			    json_string_value(o), 1));
	if (appt_marked(a))
		kv_addf(kv, "booked with", "%s%s%s",
		    json_bool_get(a, "forced") ? "--force" : "",
		    json_bool_get(a, "forced") && json_bool_get(a, "overlap") ?
		    " " : "", json_bool_get(a, "overlap") ? "--overlap" : "");
	print_kv_field(kv, "version", a, "version");
	print_kv_field(kv, "created", a, "created");
	print_kv_field(kv, "updated", a, "updated");
	print_kv(kv);
	return CTL_EXIT_OK;
}

/* " (by client, late)" for a cancelled session, else " (Room 2)" or "". */
static char *
appt_tail(json_t *a)
{
	const char	*where = print_where(a), *by;

	if (strcmp(print_dash(json_text(a, "state")), "cancelled") == 0) {
		by = json_text(a, "cancelled_by");
		return by != NULL ? xasprintf(" (by %s%s)", by,
		    json_bool_get(a, "late") ? ", late" : "") : xstrdup("");
	}
	return strcmp(where, "-") != 0 ? xasprintf(" (%s)", where) :
	    xstrdup("");
}

/* "HEAD: 2026-12-01 15:00-15:50 Jordan Lee with Ana Ruiz (Room 2)" */
static void
appt_line(const char *head, json_t *a)
{
	char	*span, *tail;

	span = print_span(a);
	tail = appt_tail(a);
	print_line(stdout, "%s: %s %s with %s%s", head, span,
	    print_dash(print_name(a, "client")),
	    print_dash(print_name(a, "clinician")), tail);
	free(tail);
	free(span);
}

/*
 * book, move, cancel, restore, mark:
 * "booked 12: 2026-12-01 15:00-15:50 Jordan Lee with Ana Ruiz (Room 2)"
 */
int
print_appointment_done(const struct ctl_view *view, json_t *answer)
{
	const char	*done = print_dash(view->verb);
	json_t		*a;
	char		*id, *verb;

	if ((a = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	id = json_scalar(json_object_get(a, "id"));
	if (strcmp(done, "marked") == 0)
		verb = xasprintf("marked %s %s", id,
		    print_dash(json_text(a, "state")));
	else
		verb = xasprintf("%s %s", done, id);
	appt_line(verb, a);
	free(verb);
	free(id);
	return CTL_EXIT_OK;
}

#define CHANGED_SHOWN	12	/* more, and the last lines are a count */

/*
 * Under the line that sums up a change of several sessions, each one
 * it changed (member "changed"), as it is now, one a line:
 * "  12: 2026-12-08 10:00-10:50 Jordan Lee with Ana Ruiz (Room 2)"
 */
void
print_changed_sessions(json_t *answer)
{
	json_t	*list = json_member(answer, PROTO_CHANGED, JSON_ARRAY), *a;
	size_t	 i, n = json_array_size(list);
	char	*id, *head;

	json_array_foreach(list, i, a) {
		/* A year of a series is no list to read: its first ones
		 * and how many more (-q and --json give them all). */
		if (n > CHANGED_SHOWN && i == CHANGED_SHOWN - 1) {
			print_line(stdout, "  ... and %zu more, to %s (-q or "
			    "--json lists them all)", n - i, print_dash(
			    json_text(json_array_get(list, n - 1),
			    "local_start")));
			break;
		}
		id = json_scalar(json_object_get(a, "id"));
		head = xasprintf("  %s", id);
		appt_line(head, a);
		free(head);
		free(id);
	}
}

static void
row_audit(struct table *t, json_t *e)
{
	char	*id;

	print_cell(t, e, "id");
	if (json_text(e, "local_at") != NULL)
		print_cell(t, e, "local_at");
	else
		print_cell(t, e, "at");
	print_cell(t, e, "user");
	print_cell(t, e, "role");
	print_cell(t, e, "action");
	id = json_scalar(json_object_get(e, "object_id"));
	if (json_text(e, "object") != NULL)
		table_cellf(t, "%s#%s", json_text(e, "object"), id);
	else
		table_cell(t, "-");
	free(id);
	print_cell(t, e, "detail");
}

int
print_audit(const struct ctl_view *view, json_t *answer)
{
	const char	*since = view->since;
	char		*empty;
	int		 rc;

	empty = since != NULL ? xasprintf("no audit entries since %s",
	    since) : xstrdup("no audit entries");
	rc = print_rows(view, answer, "audit", empty, table_new(7, "ID", "WHEN",
	    "USER", "ROLE", "ACTION", "OBJECT", "DETAIL"), row_audit);
	free(empty);
	if (rc == CTL_EXIT_OK && json_text(answer, "tz") != NULL &&
	    json_array_size(json_object_get(answer, "audit")) > 0)
		print_line(stdout, "times in %s", json_text(answer, "tz"));
	return rc;
}

/* "s" unless n is 1: "3 sessions", "1 session". */
const char *
print_plural(json_int_t n)
{
	return n == 1 ? "" : "s";
}

/* "warning: booked outside working hours (forced)", to stderr. */
void
print_warnings(json_t *answer)
{
	json_t	*w;
	size_t	 i;

	json_array_foreach(json_member(answer, "warnings", JSON_ARRAY), i, w)
		if (json_is_string(w))
			print_line(stderr, "warning: %s",
			    json_string_value(w));
}
