/*
 * Calendars: export writes the schedule as iCalendar to stdout, exactly
 * as the daemon made it, for a file or another program.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "practicectl.h"

static const char *const export_details[] = {
	"busy", "initials", "full", NULL
};

/* A page's text, appended to the calendar so far; -1 if it has none. */
static int
export_take(struct ctl_answer *page, char **cal, size_t *len, char **next)
{
	json_t		*c = json_object_get(page->json, PROTO_CALENDAR);
	json_t		*t = json_object_get(c, PROTO_CALENDAR_TEXT);
	const char	*n = json_text(c, PROTO_CALENDAR_NEXT);
	size_t		 tlen = json_string_length(t);

	if (!json_is_string(t))
		return -1;
	*cal = xreallocarray(*cal, *len + tlen + 1, 1);
	memcpy(*cal + *len, json_string_value(t), tlen + 1);
	*len += tlen;
	free(*next);
	*next = n != NULL ? xstrdup(n) : NULL;
	return 0;
}

/*
 * The calendar a page at a time (a practice's may be far larger than
 * one answer), gathered whole before any of it is written: a failure
 * half way leaves no half calendar.  The answer is the whole calendar.
 */
static int
export_exchange(const struct ctl_parse *p, const struct ctl_request *req,
    struct ctl_answer *ans, struct ctl_error *err)
{
	struct ctl_request	 page;
	char			*cal = NULL, *next = xstrdup(PROTO_EXPORT_FIRST);
	size_t			 len = 0;
	int			 rc = 0;

	memset(ans, 0, sizeof(*ans));
	while (next != NULL) {
		request_again(req, PROTO_EXPORT_PAGE, next, &page);
		client_answer_free(ans);
		rc = client_exchange(p->socket, &page, ans, err);
		request_free(&page);
		if (rc == -1 || ans->status < 200 || ans->status > 299)
			break;
		if (export_take(ans, &cal, &len, &next) == -1) {
			rc = error_set(err, CTL_EXIT_REFUSED, "bad_answer",
			    "practiced gave a page of the calendar without "
			    "its text");
			break;
		}
	}
	if (next == NULL && rc == 0) {
		free(ans->text);
		ans->text = cal != NULL ? cal : xstrdup("");
		ans->textlen = len;
		cal = NULL;
	}
	free(cal);
	free(next);
	return rc;
}

const struct ctl_command cmd_export = {
	.words = "export",
	.usage = "[--clinician X] [--from D] [--to D] "
	    "[--detail busy|initials|full]",
	.summary = "write the schedule as iCalendar",
	.help =
	    "Writes the sessions of one clinician (default: the whole\n"
	    "practice) from one day to another, both included, as an\n"
	    "iCalendar file on stdout: a series is one event with its rule\n"
	    "and its exceptions.  Without --from, from 31 days ago; without\n"
	    "--to, 366 days on from --from (or today); at most three years.\n"
	    "--detail says what an event shows besides its time: busy\n"
	    "(\"Busy\" only), initials (the client's, the default) or full\n"
	    "(the client's name, the room or video link, the clinician, and\n"
	    "the clinician's and the client's emails, for an import).\n"
	    "No level shows the service.  --json and -q change nothing.\n",
	.options = {
	    { .name = "clinician", .kind = OPT_TEXT, .field = "clinician" },
	    { .name = "from", .kind = OPT_TEXT, .field = "from" },
	    { .name = "to", .kind = OPT_TEXT, .field = "to" },
	    { .name = "detail", .kind = OPT_CHOICE, .field = "detail",
	      .choices = export_details } },
	.request = { .method = "GET", .path = PROTO_PATH_EXPORT },
	.raw = 1,
	.exchange = export_exchange,
};
