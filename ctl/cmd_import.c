/*
 * import: an iCalendar file into the schedule.  The file is read here
 * and sent in parts (a request body is small), then the daemon reads it
 * on its own; progress goes to stderr on a terminal, the report to
 * stdout.  The daemon never opens the caller's path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "practicectl.h"

#define IMPORT_FILE_MAX		(32u * 1024 * 1024)
#define IMPORT_WAIT_MAX		3600	/* seconds of following */
#define IMPORT_WAIT_FIRST_MS	10	/* the shortest pause in following */

/* The file, whole: "-" is stdin. */
static int
import_read(const char *path, char **buf, size_t *len, struct ctl_error *err)
{
	FILE	*fp;
	size_t	 cap = 64 * 1024, n;

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (fp == NULL)
		return error_set(err, CTL_EXIT_USAGE, "usage", "%s: %s", path,
		    strerror(errno));
	*buf = xmalloc(cap);
	*len = 0;
	while ((n = fread(*buf + *len, 1, cap - *len, fp)) > 0) {
		*len += n;
		if (*len > IMPORT_FILE_MAX)
			break;
		if (*len == cap) {
			cap *= 2;
			*buf = xreallocarray(*buf, cap, 1);
		}
	}
	if (ferror(fp) || *len > IMPORT_FILE_MAX) {
		if (fp != stdin)
			fclose(fp);
		free(*buf);
		*buf = NULL;
		return error_set(err, CTL_EXIT_USAGE, "usage", *len >
		    IMPORT_FILE_MAX ? "%s: over %u MB" : "%s: cannot be read",
		    path, IMPORT_FILE_MAX / (1024 * 1024));
	}
	if (fp != stdin)
		fclose(fp);
	return 0;
}

static int
import_ok(const struct ctl_answer *ans)
{
	return ans->status >= 200 && ans->status <= 299 &&
	    json_is_object(ans->json);
}

/* A POST to /imports/ID/WHAT with len bytes of the file, or nothing. */
static int
import_post(const struct ctl_parse *p, long long id, const char *what,
    const char *data, size_t len, struct ctl_answer *ans,
    struct ctl_error *err)
{
	struct ctl_request	 req;
	char			*path;
	int			 rc;

	path = xasprintf(PROTO_PATH_IMPORTS "/%lld%s", id, what);
	request_post(&req, path);
	free(path);
	if (data != NULL)
		request_raw(&req, PROTO_IMPORT_PART_TYPE, data, len);
	rc = client_send(p->socket, &req, ans, err);
	request_free(&req);
	return rc;
}

static int
import_parts(const struct ctl_parse *p, long long id, size_t part,
    const char *buf, size_t len, struct ctl_answer *ans,
    struct ctl_error *err)
{
	size_t	 off, n;
	int	 rc, tty = isatty(STDERR_FILENO);

	for (off = 0; off < len; off += n) {
		n = len - off < part ? len - off : part;
		client_answer_free(ans);
		rc = import_post(p, id, PROTO_PATH_PARTS, buf + off, n, ans,
		    err);
		if (rc == -1 || !import_ok(ans))
			return rc;
		if (tty)
			fprintf(stderr, "\rimport: sent %zu of %zu KB", (off +
			    n) / 1024, len / 1024);
	}
	return 0;
}

static void
import_progress(json_t *imp)
{
	json_int_t	 done = 0, total = 0;

	json_int_get(imp, "events_done", &done);
	json_int_get(imp, "events_total", &total);
	if (total > 0)
		fprintf(stderr, "\r\033[Kimport: %lld of %lld events read",
		    (long long)done, (long long)total);
	else
		fprintf(stderr, "\r\033[Kimport: %s the file",
		    print_dash(json_text(imp, "state")));
}

/* The pause before asking again: an eighth of the time followed so
 * far, from IMPORT_WAIT_FIRST_MS up to PROTO_WAIT_MS.  A small file is
 * done in milliseconds, and a whole PROTO_WAIT_MS was most of its
 * import's time; a long import is not asked much more often. */
static long
import_pause_ms(const struct timespec *t0)
{
	struct timespec	 t;
	long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = ((t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000) / 8;
	if (ms < IMPORT_WAIT_FIRST_MS)
		return IMPORT_WAIT_FIRST_MS;
	return ms > PROTO_WAIT_MS ? PROTO_WAIT_MS : ms;
}

/* Following the import until its answer comes without "wait". */
static int
import_follow(const struct ctl_parse *p, struct ctl_answer *ans,
    struct ctl_error *err)
{
	struct timespec		 t0, pause = { 0, 0 };
	struct ctl_request	 req;
	const char		*wait;
	time_t			 until = time(NULL) + IMPORT_WAIT_MAX;
	long			 ms;
	int			 rc, tty = isatty(STDERR_FILENO);

	clock_gettime(CLOCK_MONOTONIC, &t0);

	while (import_ok(ans) &&
	    (wait = json_text(ans->json, PROTO_WAIT)) != NULL) {
		if (tty)
			import_progress(json_object_get(ans->json,
			    PROTO_IMPORT));
		if (time(NULL) > until)
			return error_set(err, CTL_EXIT_REFUSED, "timeout",
			    "the import is still running after %d seconds; "
			    "see GET %s%s", IMPORT_WAIT_MAX, PROTO_PREFIX,
			    wait);
		if (request_get(&req, wait) == -1)
			return error_set(err, CTL_EXIT_REFUSED, "bad_answer",
			    "practiced said to wait on a bad path");
		ms = import_pause_ms(&t0);
		pause.tv_sec = ms / 1000;
		pause.tv_nsec = ms % 1000 * 1000000L;
		nanosleep(&pause, NULL);
		client_answer_free(ans);
		rc = client_send(p->socket, &req, ans, err);
		request_free(&req);
		if (rc == -1)
			return -1;
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	return 0;
}

/* A file refused whole becomes a refusal, with its line. */
static void
import_refusal(const char *path, struct ctl_answer *ans)
{
	json_t		*imp, *why, *error;
	json_int_t	 line = 0;
	char		*msg;

	imp = json_object_get(ans->json, PROTO_IMPORT);
	if ((why = json_object_get(imp, "refused")) == NULL)
		return;
	json_int_get(why, "line", &line);
	msg = line > 0 ? xasprintf("%s: line %lld: %s; nothing was imported",
	    path, (long long)line, print_dash(json_text(why, "reason"))) :
	    xasprintf("%s: %s", path, print_dash(json_text(why, "reason")));
	error = json_pack("{s:{s:s,s:s,s:O}}", PROTO_ERROR, PROTO_ERROR_CODE,
	    proto_errors[PROTO_EBADREQUEST].code, PROTO_ERROR_MESSAGE, msg,
	    PROTO_ERROR_DETAILS, imp);
	free(msg);
	if (error == NULL)
		return;
	json_decref(ans->json);
	ans->json = error;
	ans->status = proto_errors[PROTO_EBADREQUEST].status;
}

static int
import_exchange(const struct ctl_parse *p, const struct ctl_request *req,
    struct ctl_answer *ans, struct ctl_error *err)
{
	const char	*path = p->args.pos[0];
	json_int_t	 id = 0, part = 0;
	json_t		*imp;
	char		*buf = NULL;
	size_t		 len = 0;

	memset(ans, 0, sizeof(*ans));
	if (import_read(path, &buf, &len, err) == -1)
		return -1;
	if (client_send(p->socket, req, ans, err) == -1)
		goto fail;
	if (!import_ok(ans))
		goto done;
	imp = json_object_get(ans->json, PROTO_IMPORT);
	if (json_int_get(imp, "id", &id) == -1 || json_int_get(ans->json,
	    PROTO_IMPORT_PART_MAX, &part) == -1 || id <= 0 || part <= 0) {
		error_set(err, CTL_EXIT_REFUSED, "bad_answer", "practiced "
		    "gave no import to send the file to");
		goto fail;
	}
	if (import_parts(p, id, (size_t)part, buf, len, ans, err) == -1)
		goto fail;
	if (!import_ok(ans))
		goto done;
	client_answer_free(ans);
	if (import_post(p, id, PROTO_PATH_START, NULL, 0, ans, err) == -1 ||
	    import_follow(p, ans, err) == -1)
		goto fail;
	if (import_ok(ans))
		import_refusal(path, ans);
done:
	free(buf);
	return 0;
fail:
	free(buf);
	client_answer_free(ans);
	return -1;
}

/* The day before a "YYYY-MM-DD", or a copy of it if it is none. */
static char *
day_before(const char *date)
{
	struct tm	 tm;
	time_t		 t;
	char		 buf[16];

	memset(&tm, 0, sizeof(tm));
	if (strptime(date, "%Y-%m-%d", &tm) == NULL)
		return xstrdup(date);
	tm.tm_mday--;
	t = timegm(&tm);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d", &tm) == 0)
		return xstrdup(date);
	return xstrdup(buf);
}

/* "2027-01-15 (all day)", "2027-01-15 to 2027-01-17 (all day)", or
 * NULL when start and end are not both midnight. */
static char *
all_day_span(const char *d1, const char *t1, const char *d2,
    const char *t2)
{
	char	*last, *s;

	if (strcmp(t1, "00:00") != 0 || strcmp(t2, "00:00") != 0 ||
	    strcmp(d1, d2) >= 0)
		return NULL;
	last = day_before(d2);
	if (strcmp(last, d1) == 0)
		s = xasprintf("%s (all day)", d1);
	else
		s = xasprintf("%s to %s (all day)", d1, last);
	free(last);
	return s;
}

/*
 * When and whose a line of the report is: "2027-01-11 10:00-10:50 Jordan
 * Lee with Ana Ruiz", "busy 2027-01-15 (all day) for Ana Ruiz"; NULL
 * when the daemon placed it nowhere (an event refused before it was
 * read whole).
 */
static char *
item_place(json_t *it)
{
	const char	*ls = json_text(it, "local_start");
	const char	*le = json_text(it, "local_end");
	char		*span, *d1, *d2, *t1, *t2, *s;

	if (ls == NULL || le == NULL)
		return NULL;
	d1 = print_date(ls);
	d2 = print_date(le);
	t1 = print_time(ls);
	t2 = print_time(le);
	span = all_day_span(d1, t1, d2, t2);
	if (span == NULL && strcmp(d1, d2) == 0)
		span = print_span(it);
	else if (span == NULL)
		span = xasprintf("%s %s to %s %s", d1, t1, d2, t2);
	if (print_name(it, "client") != NULL)
		s = xasprintf("%s %s with %s", span, print_name(it, "client"),
		    print_dash(print_name(it, "clinician")));
	else
		s = xasprintf("busy %s for %s", span,
		    print_dash(print_name(it, "clinician")));
	free(span);
	free(t1);
	free(t2);
	free(d1);
	free(d2);
	return s;
}

/* "added: line 9, 2027-01-11 10:00-10:50 Jordan Lee with Ana Ruiz (UID
 * x)", or with the line's UID alone; then why. */
static void
print_import_item(json_t *it)
{
	const char	*uid = json_text(it, "uid");
	const char	*occ = json_text(it, "occurrence");
	const char	*why = json_text(it, "reason");
	const char	*from = json_text(it, "local_occurrence");
	char		*place = item_place(it), *what;

	if (uid == NULL || *uid == '\0')
		uid = "?";
	if (place != NULL)
		what = xasprintf("%s (UID %s%s%s)", place, uid,
		    from != NULL ? ", moved from " : "", from != NULL ? from :
		    "");
	else
		what = xasprintf("UID %s%s%s", uid, occ != NULL ? " at " : "",
		    occ != NULL ? occ : "");
	print_line(stdout, "%s%s: line %lld, %s%s%s",
	    print_dash(json_text(it, "outcome")),
	    json_is_true(json_object_get(it, "clash")) ? " (clash)" : "",
	    (long long)json_integer_value(json_object_get(it, "line")), what,
	    why != NULL ? ": " : "", why != NULL ? why : "");
	free(what);
	free(place);
}

/* The report: counts, then each line worth reading. */
int
print_import(const struct ctl_view *view, json_t *answer)
{
	json_t		*imp, *counts, *items, *it;
	struct table	*kv;
	const char	*k;
	json_t		*v;
	size_t		 i;
	char		*id;

	(void)view;
	if ((imp = answer_object(answer, PROTO_IMPORT)) == NULL)
		return CTL_EXIT_REFUSED;
	id = json_scalar(json_object_get(imp, "id"));
	print_line(stdout, "import %s: %s%s", id, print_dash(json_text(imp,
	    "state")), json_bool_get(imp, "dry_run") ?
	    " (a dry run: nothing was changed)" : "");
	free(id);
	counts = json_object_get(imp, "counts");
	kv = kv_new();
	json_object_foreach(counts, k, v)
		kv_addf(kv, k, "%lld", (long long)json_integer_value(v));
	table_print(kv, view->width, stdout);
	table_free(kv);
	items = json_object_get(imp, "items");
	json_array_foreach(items, i, it)
		print_import_item(it);
	if (json_object_get(imp, "items_dropped") != NULL)
		print_line(stdout, "(%lld more lines not shown)", (long long)
		    json_integer_value(json_object_get(imp, "items_dropped")));
	return CTL_EXIT_OK;
}

const struct ctl_command cmd_import = {
	.words = "import",
	.usage = "FILE [--clinician X] [--dry-run] [--create-clients]",
	.summary = "read an iCalendar file into the schedule",
	.help =
	    "Reads FILE (\"-\": stdin), an .ics export of another calendar,\n"
	    "into the schedule.  An event with an ATTENDEE who is a client\n"
	    "becomes that client's session; all-day events and events with\n"
	    "no client become busy blocks of the clinician.  The clinician\n"
	    "is --clinician, else the one whose email is the event's\n"
	    "ORGANIZER.  --create-clients makes an attendee who is not yet a\n"
	    "client one (named from CN).  Clashes, closures, hours and the\n"
	    "past do not stop an event (history is kept as it was); a clash\n"
	    "is flagged for attention.  Importing the same file again\n"
	    "changes nothing; a newer one changes what changed.  --dry-run\n"
	    "shows what would be done and changes nothing.  A file that\n"
	    "cannot be read is refused with its line, and nothing imported;\n"
	    "a bad event is reported and skipped.\n",
	.pos = POS_CUSTOM, .min_pos = 1, .max_pos = 1,
	.options = {
	    { .name = "clinician", .kind = OPT_TEXT, .field = "clinician" },
	    { .name = "dry-run", .kind = OPT_FLAG, .field = "dry_run" },
	    { .name = "create-clients", .kind = OPT_FLAG,
	      .field = "create_clients" } },
	.request = { .method = "POST", .path = PROTO_PATH_IMPORTS },
	.object = PROTO_IMPORT,
	.verb = "imported",
	.print = print_import,
	.exchange = import_exchange,
};
