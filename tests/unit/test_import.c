/*
 * What one imported event becomes (import_event.c), against an
 * in-memory practice: whose it is, a session, a series or a busy block,
 * a client made, and the refusals; then the same events again (nothing
 * changes) and a newer SEQUENCE.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "ical_read.h"
#include "import_int.h"
#include "practice.h"
#include "unit.h"

#define HEAD	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
#define TAIL	"END:VCALENDAR\r\n"
#define EV(body) "BEGIN:VEVENT\r\nDTSTAMP:20291201T000000Z\r\n" body \
		"END:VEVENT\r\n"
#define ANA_ORG	"ORGANIZER:mailto:ana@example.org\r\n"
#define JORDAN	"ATTENDEE;CN=Jordan Lee:mailto:jordan@example.org\r\n"
#define RILEY	"ATTENDEE;CN=Riley Stone:mailto:Riley@Example.net\r\n"
#define AT_TUE	"DTSTART:20300108T100000Z\r\nDTEND:20300108T105000Z\r\n"

struct import_case {
	const char	*name;
	const char	*ics;
	long long	 clinician;	/* --clinician */
	int		 create;	/* --create-clients */
	size_t		 added, skipped;
	long long	 appts, series, busy, clients;
	const char	*reason;	/* in the first item, or NULL */
};

static const struct import_case import_cases[] = {
	{ "a client's session, the organizer's", HEAD EV("UID:a\r\n" ANA_ORG
	    JORDAN AT_TUE) TAIL, 0, 0, 1, 0, 1, 0, 0, 3, NULL },
	{ "--clinician names her", HEAD EV("UID:a\r\n" JORDAN AT_TUE) TAIL,
	    ANA, 0, 1, 0, 1, 0, 0, 3, NULL },
	{ "no organizer, no --clinician", HEAD EV("UID:a\r\n" JORDAN AT_TUE)
	    TAIL, 0, 0, 0, 1, 0, 0, 0, 3, "give --clinician" },
	{ "an organizer who is no clinician", HEAD EV("UID:a\r\n"
	    "ORGANIZER:mailto:desk@x.org\r\n" JORDAN AT_TUE) TAIL, 0, 0, 0, 1,
	    0, 0, 0, 3, "desk@x.org" },
	{ "no client: a busy block", HEAD EV("UID:a\r\n" ANA_ORG AT_TUE) TAIL,
	    0, 0, 1, 0, 0, 0, 1, 3, NULL },
	{ "an attendee who is no client", HEAD EV("UID:a\r\n" ANA_ORG RILEY
	    AT_TUE) TAIL, 0, 0, 1, 0, 0, 0, 1, 3, NULL },
	{ "made a client", HEAD EV("UID:a\r\n" ANA_ORG RILEY AT_TUE) TAIL, 0,
	    1, 1, 0, 1, 0, 0, 4, NULL },
	{ "all day: a block", HEAD EV("UID:a\r\n" ANA_ORG JORDAN
	    "DTSTART;VALUE=DATE:20300108\r\n") TAIL, 0, 0, 1, 0, 0, 0, 1, 3,
	    NULL },
	{ "free, with no client", HEAD EV("UID:a\r\n" ANA_ORG AT_TUE
	    "TRANSP:TRANSPARENT\r\n") TAIL, 0, 0, 0, 1, 0, 0, 0, 3,
	    "TRANSPARENT" },
	{ "cancelled: kept cancelled", HEAD EV("UID:a\r\n" ANA_ORG JORDAN
	    AT_TUE "STATUS:CANCELLED\r\n") TAIL, 0, 0, 1, 0, 1, 0, 0, 3, NULL },
	{ "in the past, over hours", HEAD EV("UID:a\r\n" ANA_ORG JORDAN
	    "DTSTART:20290101T230000Z\r\nDTEND:20290101T235000Z\r\n") TAIL, 0,
	    0, 1, 0, 1, 0, 0, 3, NULL },
	{ "weekly in her zone: a series", HEAD EV("UID:a\r\n" ANA_ORG JORDAN
	    AT_TUE "RRULE:FREQ=WEEKLY;COUNT=3\r\n") TAIL, 0, 0, 3, 0, 3, 1, 0,
	    3, NULL },
	{ "a series less an EXDATE", HEAD EV("UID:a\r\n" ANA_ORG JORDAN AT_TUE
	    "RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE:20300115T100000Z\r\n") TAIL,
	    0, 0, 2, 0, 3, 1, 0, 3, NULL },
	{ "a length no service has", HEAD EV("UID:a\r\n" ANA_ORG JORDAN
	    "DTSTART:20300108T100000Z\r\nDTEND:20300108T102000Z\r\n") TAIL, 0,
	    0, 1, 0, 1, 0, 0, 3, NULL },
	{ "too long for a session", HEAD EV("UID:a\r\n" ANA_ORG JORDAN
	    "DTSTART:20300108T100000Z\r\nDTEND:20300108T190000Z\r\n") TAIL, 0,
	    0, 0, 1, 0, 0, 0, 3, "480" },
	{ "every second", HEAD EV("UID:a\r\n" ANA_ORG JORDAN AT_TUE
	    "RRULE:FREQ=SECONDLY\r\n") TAIL, 0, 0, 0, 1, 0, 0, 0, 3, NULL },
};

static const char *setup_sql =
    "UPDATE clinicians SET email = 'ana@example.org' WHERE id = 1;"
    "UPDATE clients SET email = 'jordan@example.org' WHERE id = 1;";

/* Every event of the text through import_event, each in a savepoint. */
static int
run_import(struct practice *p, struct import_job *job, const char *ics)
{
	struct ical_read_opts	 o = { "UTC", PRACTICE_NOW };
	struct ical_read_error	 err;
	struct ical_reader	*r;
	struct ical_event	*ev;
	int			 rc;

	memset(&err, 0, sizeof(err));
	if ((r = ical_read_open(ics, strlen(ics), &o, &err)) == NULL)
		return -1;
	if (db_begin(p->pd.db) == -1) {
		ical_read_close(r);
		return -1;
	}
	while ((rc = ical_read_next(r, &ev, &err)) != 0) {
		if (rc != 1) {
			import_note(job, IMPORT_SKIPPED, err.uid, err.line, 0,
			    NULL, 0, 0, "%s", err.reason);
			continue;
		}
		db_savepoint(p->pd.db, "t");
		if (import_event(job, ev) == -1) {
			db_rollback_to(p->pd.db, "t");
			import_note(job, IMPORT_SKIPPED, ev->uid, ev->line, 0,
			    NULL, 0, 0, "%s", job->ctx.msg);
			ctx_clear(&job->ctx);
		} else
			db_release(p->pd.db, "t");
		ical_event_free(ev);
	}
	ical_read_close(r);
	return db_commit(p->pd.db);
}

static void
job_init(struct practice *p, struct import_job *job, long long clinician,
    int create)
{
	memset(job, 0, sizeof(*job));
	job->pd = &p->pd;
	job->opts.clinician_id = clinician;
	job->opts.create_clients = create;
	job->items = json_array();
	ctx_init_internal(&job->ctx, &p->pd, PRACTICE_NOW, "import");
	ctx_set_zone(&job->ctx, "UTC");
}

static void
job_done(struct import_job *job)
{
	json_decref(job->items);
	json_decref(job->dry_clients);
	import_memo_drop(job);
	ctx_clear(&job->ctx);
}

static const char *
first_reason(struct import_job *job)
{
	json_t	*it;
	size_t	 i;

	json_array_foreach(job->items, i, it)
		if (json_string_value(json_object_get(it, "reason")) != NULL &&
		    strcmp(json_string_value(json_object_get(it, "outcome")),
		    "skipped") == 0)
			return json_string_value(json_object_get(it, "reason"));
	return "";
}

static void
import_case(const struct import_case *c)
{
	struct practice		 p;
	struct import_job	 job;

	if (practice_open(&p) == -1 || practice_exec(&p, setup_sql) == -1) {
		CHECK(!"practice");
		return;
	}
	job_init(&p, &job, c->clinician, c->create);
	CHECK(run_import(&p, &job, c->ics) == 0);
	if (job.count[IMPORT_ADDED] != c->added ||
	    job.count[IMPORT_SKIPPED] != c->skipped)
		fprintf(stderr, "%s: added %zu skipped %zu (%s)\n", c->name,
		    job.count[IMPORT_ADDED], job.count[IMPORT_SKIPPED],
		    first_reason(&job));
	CHECK(job.count[IMPORT_ADDED] == c->added);
	CHECK(job.count[IMPORT_SKIPPED] == c->skipped);
	CHECK(practice_int(&p, "SELECT count(*) FROM appointments") ==
	    c->appts);
	CHECK(practice_int(&p, "SELECT count(*) FROM series") == c->series);
	CHECK(practice_int(&p, "SELECT count(*) FROM busy_blocks") == c->busy);
	CHECK(practice_int(&p, "SELECT count(*) FROM clients") == c->clients);
	if (c->reason != NULL)
		CHECK(strstr(first_reason(&job), c->reason) != NULL);
	job_done(&job);

	/* The same again changes nothing. */
	job_init(&p, &job, c->clinician, c->create);
	CHECK(run_import(&p, &job, c->ics) == 0);
	CHECK(job.count[IMPORT_ADDED] == 0);
	CHECK(job.count[IMPORT_UPDATED] == 0);
	CHECK(job.count[IMPORT_CANCELLED] == 0);
	CHECK(job.count[IMPORT_UNCHANGED] == c->added);
	job_done(&job);
	practice_close(&p);
}

/* A newer SEQUENCE moves the session; an older one then changes nothing. */
static void
import_newer(void)
{
	static const char *v1 = HEAD EV("UID:n\r\nSEQUENCE:1\r\n" ANA_ORG
	    JORDAN AT_TUE) TAIL;
	static const char *v2 = HEAD EV("UID:n\r\nSEQUENCE:2\r\n" ANA_ORG
	    JORDAN "DTSTART:20300108T140000Z\r\nDTEND:20300108T145000Z\r\n")
	    TAIL;
	static const char *v3 = HEAD EV("UID:n\r\nSEQUENCE:2\r\n" ANA_ORG
	    JORDAN "DTSTART:20300108T140000Z\r\nDTEND:20300108T145000Z\r\n"
	    "STATUS:CANCELLED\r\n") TAIL;
	struct practice		 p;
	struct import_job	 job;

	if (practice_open(&p) == -1 || practice_exec(&p, setup_sql) == -1) {
		CHECK(!"practice");
		return;
	}
	job_init(&p, &job, 0, 0);
	CHECK(run_import(&p, &job, v1) == 0);
	job_done(&job);
	job_init(&p, &job, 0, 0);
	CHECK(run_import(&p, &job, v2) == 0);
	CHECK(job.count[IMPORT_UPDATED] == 1);
	job_done(&job);
	CHECK(practice_int(&p, "SELECT start_utc FROM appointments") ==
	    AT(1, 14, 0));
	job_init(&p, &job, 0, 0);
	CHECK(run_import(&p, &job, v1) == 0);
	CHECK(job.count[IMPORT_SKIPPED] == 1);
	job_done(&job);
	CHECK(practice_int(&p, "SELECT start_utc FROM appointments") ==
	    AT(1, 14, 0));
	job_init(&p, &job, 0, 0);
	CHECK(run_import(&p, &job, v3) == 0);
	CHECK(job.count[IMPORT_CANCELLED] == 1);
	job_done(&job);
	CHECK(practice_int(&p, "SELECT count(*) FROM appointments WHERE"
	    " state = 'cancelled'") == 1);
	practice_close(&p);
}

/*
 * The memo (import_memo.c) holds a client by email only while nothing
 * else wrote: a client deactivated between two slices is no client to
 * the next, whose event becomes a busy block, not her session.
 */
static void
import_memo_stale(void)
{
	static const char *one = HEAD EV("UID:m1\r\n" ANA_ORG JORDAN AT_TUE)
	    TAIL;
	static const char *two = HEAD EV("UID:m2\r\n" ANA_ORG JORDAN
	    "DTSTART:20300109T100000Z\r\nDTEND:20300109T105000Z\r\n") TAIL;
	struct practice		 p;
	struct import_job	 job;
	long long		 id;

	if (practice_open(&p) == -1 || practice_exec(&p, setup_sql) == -1) {
		CHECK(!"practice");
		return;
	}
	job_init(&p, &job, 0, 0);
	import_memo_enter(&job);
	CHECK(run_import(&p, &job, one) == 0);
	import_memo_leave(&job);
	CHECK(job.count[IMPORT_ADDED] == 1);
	CHECK(import_memo_get(&job, "client", "jordan@example.org", &id) &&
	    id == 1);
	/* Between slices, a caller deactivates her. */
	CHECK(practice_exec(&p, "UPDATE clients SET active = 0"
	    " WHERE id = 1") == 0);
	import_memo_enter(&job);
	CHECK(!import_memo_get(&job, "client", "jordan@example.org", &id));
	CHECK(run_import(&p, &job, two) == 0);
	import_memo_leave(&job);
	CHECK(practice_int(&p, "SELECT count(*) FROM appointments") == 1);
	CHECK(practice_int(&p, "SELECT count(*) FROM busy_blocks") == 1);
	/* Nothing written since: the memo stays. */
	import_memo_enter(&job);
	CHECK(import_memo_get(&job, "clinician", "ana@example.org", &id) &&
	    id == 1);
	job_done(&job);
	practice_close(&p);
}

void
test_import(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(import_cases) / sizeof(import_cases[0]); i++)
		import_case(&import_cases[i]);
	import_newer();
	import_memo_stale();
}
