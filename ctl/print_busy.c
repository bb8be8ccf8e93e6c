/*
 * Printing busy calendars: how a fetch went (add, refresh), and the
 * list with each one's last fetch.  The address comes redacted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

/* A wall time in the answer's zone ("2026-12-02 08:15"), or "never". */
static char *
busy_when(json_t *b, const char *key)
{
	const char	*s = json_text(b, key);

	return xstrdup(s != NULL ? s : "never");
}

static char *
busy_every(json_int_t s)
{
	if (s % 3600 == 0)
		return xasprintf("%lldh", (long long)(s / 3600));
	if (s % 60 == 0)
		return xasprintf("%lldm", (long long)(s / 60));
	return xasprintf("%llds", (long long)s);
}

/* "busy calendar 3 for Ana Ruiz (https://calendar.google.com/…)" */
static void
busy_line(const char *verb, json_t *b)
{
	char	*id;

	id = json_scalar(json_object_get(b, "id"));
	print_line(stdout, "%s busy calendar %s for %s (%s)", verb, id,
	    print_dash(print_name(b, "clinician")),
	    print_dash(json_text(b, PROTO_BUSY_URL)));
	free(id);
}

/* busy add, busy refresh: the calendar, then how its fetch went. */
int
print_busy_fetched(const struct ctl_view *view, json_t *answer)
{
	json_t	*b, *fetch;
	int	 ok;

	if ((b = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	fetch = json_member(answer, PROTO_BUSY_FETCH, JSON_OBJECT);
	ok = fetch == NULL || json_bool_get(fetch, "ok");
	/* A refresh that failed refreshed nothing. */
	busy_line(ok || strcmp(view->verb, "added") == 0 ? view->verb :
	    "could not refresh", b);
	if (fetch == NULL)
		return CTL_EXIT_OK;
	print_line(ok ? stdout : stderr, "%s: %s", ok ? "fetched" :
	    "the fetch failed", print_dash(json_text(fetch, "detail")));
	if (!ok && json_text(b, "last_ok") != NULL)
		print_line(stderr, "the busy times of the last good fetch "
		    "are kept");
	/* A calendar added stays added; a refresh that failed did not. */
	return ok || strcmp(view->verb, "added") == 0 ? CTL_EXIT_OK :
	    CTL_EXIT_REFUSED;
}

int
print_busy_removed(const struct ctl_view *view, json_t *answer)
{
	json_t	*b;

	if ((b = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	busy_line(view->verb, b);
	return CTL_EXIT_OK;
}

static void
row_busy(struct table *t, json_t *b)
{
	json_int_t	 every = 0;
	char		*e, *last, *ok;

	json_int_get(b, PROTO_BUSY_EVERY, &every);
	e = busy_every(every);
	last = busy_when(b, "last_fetch_local");
	ok = busy_when(b, "last_ok_local");
	print_cell(t, b, "id");
	table_cell(t, print_dash(print_name(b, "clinician")));
	print_cell(t, b, PROTO_BUSY_URL);
	table_cell(t, e);
	print_cell(t, b, "blocks");
	table_cell(t, last);
	table_cell(t, ok);
	table_cell(t, !json_bool_get(b, "clinician_active") ?
	    "clinician archived: not fetched" :
	    print_dash(json_text(b, "last_error")));
	free(e);
	free(last);
	free(ok);
}

int
print_busy_list(const struct ctl_view *view, json_t *answer)
{
	return print_rows(view, answer, PROTO_BUSY, "no busy calendars",
	    table_new(8, "ID", "CLINICIAN", "ADDRESS", "EVERY", "BUSY",
	    "LAST FETCH", "LAST OK", "LAST ERROR"), row_busy);
}
