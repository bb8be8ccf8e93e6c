/*
 * Printing calendar feeds: the address to subscribe to (alone on its
 * last line, for a script), and the list with each feed's last fetch.
 */
#include <stdio.h>
#include <stdlib.h>

#include "practicectl.h"

/* "feed 3 for Ana Ruiz (initials)" */
static void
feed_line(const char *verb, json_t *f)
{
	char	*id;

	id = json_scalar(json_object_get(f, "id"));
	print_line(stdout, "%s feed %s for %s (%s)", verb, id,
	    print_dash(print_name(f, "clinician")),
	    print_dash(json_text(f, "detail")));
	free(id);
}

/* feed add, feed rotate: what was done, then the address. */
int
print_feed_url(const struct ctl_view *view, json_t *answer)
{
	json_t		*f;
	const char	*url = json_text(answer, "url");

	if ((f = answer_object(answer, view->object)) == NULL || url == NULL)
		return CTL_EXIT_REFUSED;
	feed_line(view->verb, f);
	if (!json_is_true(json_object_get(answer, "listening")))
		fprintf(stderr, "note: [feeds] listen is not set in the "
		    "daemon's configuration; the address answers once it "
		    "is\n");
	print_line(stdout, "%s", url);
	return CTL_EXIT_OK;
}

int
print_feed_revoked(const struct ctl_view *view, json_t *answer)
{
	json_t	*f;

	if ((f = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	feed_line(view->verb, f);
	return CTL_EXIT_OK;
}

static void
row_feed(struct table *t, json_t *f)
{
	json_t	*last = json_object_get(f, "last_fetch");
	char	*made, *at;

	made = print_date(json_text(f, "created"));
	at = json_is_object(last) ? xstrdup(print_dash(json_text(last,
	    "at_local"))) : xstrdup("never");
	print_cell(t, f, "id");
	table_cell(t, print_dash(print_name(f, "clinician")));
	print_cell(t, f, "detail");
	print_cell(t, f, "state");
	table_cell(t, made);
	print_cell(t, f, "fetches");
	table_cell(t, at);
	table_cell(t, print_dash(json_is_object(last) ?
	    json_text(last, "address") : NULL));
	table_cell(t, print_dash(json_is_object(last) ?
	    json_text(last, "agent") : NULL));
	free(made);
	free(at);
}

int
print_feeds(const struct ctl_view *view, json_t *answer)
{
	return print_rows(view, answer, "feeds", "no feeds",
	    table_new(9, "ID", "CLINICIAN", "DETAIL", "STATE", "MADE",
	    "FETCHES", "LAST FETCH", "FROM", "BY"), row_feed);
}
