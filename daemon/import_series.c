/*
 * A recurring event as a series (import_series.c): the series model's
 * rule from the event's, the series booked through series_book, and
 * its sessions taken into the import's map.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appt.h"
#include "ctx.h"
#include "db.h"
#include "ical_read.h"
#include "import_int.h"
#include "practiced.h"
#include "recur.h"
#include "series.h"

static const char *series_of_uid_sql =
    "SELECT a.series_id FROM import_map m JOIN appointments a"
    "  ON a.id = m.appointment_id WHERE m.uid = ?1"
    "  AND a.series_id IS NOT NULL LIMIT 1";
static const char *uid_known_sql =
    "SELECT 1 FROM import_map WHERE uid = ?1 LIMIT 1";
/* A series' sessions the map does not hold yet (just booked, or added
 * since by the series' extension). */
static const char *series_unmapped_sql =
    "SELECT a.id, a.recurrence_utc, a.end_utc - a.start_utc, a.overlap"
    "  FROM appointments a WHERE a.series_id = ?1"
    "  AND a.recurrence_utc IS NOT NULL AND NOT EXISTS (SELECT 1"
    "  FROM import_map m WHERE m.appointment_id = a.id)";

/* The rule without its end (UNTIL or COUNT), for series_book. */
static int
rule_open(const char *rrule, char *out, size_t len)
{
	const char	*p = rrule, *e;
	size_t		 n, used = 0;

	out[0] = '\0';
	while (*p != '\0') {
		e = p + strcspn(p, ";");
		n = (size_t)(e - p);
		if (strncmp(p, "UNTIL=", 6) != 0 &&
		    strncmp(p, "COUNT=", 6) != 0) {
			if (used + n + 2 > len)
				return -1;
			if (used > 0)
				out[used++] = ';';
			memcpy(out + used, p, n);
			used += n;
			out[used] = '\0';
		}
		p = *e == ';' ? e + 1 : e;
	}
	return 0;
}

/* A rule part's value ("COUNT" of "FREQ=WEEKLY;COUNT=4": "4"), or NULL. */
static const char *
rule_part(const char *rrule, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = rrule;

	while (*p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return p + n + 1;
		p += strcspn(p, ";");
		if (*p == ';')
			p++;
	}
	return NULL;
}

/* How many occurrences the rule has, as a COUNT: 0 for one without an
 * end, -1 when it cannot be a series' (over RECUR_MAX_COUNT). */
static long
rule_count(const struct ical_event *ev)
{
	struct ical_event	 bare = *ev;
	struct ical_occurrence	*occ = NULL;
	size_t			 n = 0;
	const char		*count;
	char			 err[ICAL_READ_REASON_MAX], *end;
	long			 c;

	/* COUNT counts the rule's own instances, EXDATEs or not: no need
	 * to expand it (series_book refuses a rule that makes none). */
	if ((count = rule_part(ev->rrule, "COUNT")) != NULL) {
		c = strtol(count, &end, 10);
		return end == count || c <= 0 || c > RECUR_MAX_COUNT ? -1 : c;
	}
	if (rule_part(ev->rrule, "UNTIL") == NULL)
		return 0;
	bare.nexdates = bare.nrdates = bare.noverrides = 0;
	bare.overrides = NULL;
	if (ical_read_expand(&bare, ev->start.utc, ev->start.utc +
	    ICAL_EXPAND_MAX_WINDOW, &occ, &n, err, sizeof(err)) == -1)
		return -1;
	free(occ);
	return n == 0 || n > RECUR_MAX_COUNT ? -1 : (long)n;
}

/* Whether the series model holds the event: a rule in the clinician's
 * own zone, no RDATEs, a client's, not cancelled as a whole; why not in
 * w->single. */
static int
series_fits(struct whose *w, const struct ical_event *ev)
{
	const char	*why = NULL;

	if (w->busy || ev->rrule[0] == '\0' || ev->start.is_date)
		why = "it is no client's session";
	else if (ev->nrdates > 0)
		why = "it has RDATEs, which a series does not hold";
	else if (ev->status == ICS_STATUS_CANCELLED)
		why = "it is cancelled whole";
	else if (strcmp(ev->start.zone, w->zone) != 0) {
		snprintf(w->single, sizeof(w->single), "its rule runs in %s, "
		    "not in the clinician's zone (%s)", ev->start.zone[0] !=
		    '\0' ? ev->start.zone : "floating time", w->zone);
		return 0;
	}
	if (why != NULL)
		snprintf(w->single, sizeof(w->single), "%s", why);
	return why == NULL;
}

/* The series' sessions the map lacks, mapped as the rule placed them. */
static int
series_adopt(struct import_job *job, const struct whose *w,
    const struct ical_event *ev)
{
	struct ctx	*ctx = &job->ctx;
	sqlite3_stmt	*stmt;
	struct want	 o;
	struct {
		long long	 id;
		time_t		 rec, len;
		int		 overlap;
	}		*v = NULL, *grown;
	size_t		 n = 0, i;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, series_unmapped_sql)) == NULL)
		return ctx_internal(ctx);
	sqlite3_bind_int64(stmt, 1, w->series_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((grown = reallocarray(v, n + 1, sizeof(*v))) == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = grown;
		v[n].id = sqlite3_column_int64(stmt, 0);
		v[n].rec = (time_t)sqlite3_column_int64(stmt, 1);
		v[n].len = (time_t)sqlite3_column_int64(stmt, 2);
		v[n].overlap = sqlite3_column_int(stmt, 3);
		n++;
	}
	sqlite3_reset(stmt);
	for (i = 0; rc == SQLITE_DONE && i < n; i++) {
		memset(&o, 0, sizeof(o));
		o.start = v[i].rec;
		o.end = v[i].rec + v[i].len;
		import_want_hash(w, &o);
		if (import_map_put(ctx, ev->uid, v[i].rec, w->clinician_id,
		    v[i].id, 0, ev->sequence, o.hash, v[i].overlap) == -1)
			rc = SQLITE_ERROR;
	}
	free(v);
	return rc == SQLITE_DONE ? 0 : ctx_internal(ctx);
}

static int
series_make(struct import_job *job, struct whose *w,
    const struct ical_event *ev)
{
	struct series_booking	 b;
	struct appt_result	 res;
	char			 rule[ICAL_READ_RRULE_MAX];
	long			 count;
	int			 rc;

	if ((count = rule_count(ev)) == -1 ||
	    rule_open(ev->rrule, rule, sizeof(rule)) == -1) {
		snprintf(w->single, sizeof(w->single), "a series holds at "
		    "most %d sessions", RECUR_MAX_COUNT);
		return 1;
	}
	memset(&b, 0, sizeof(b));
	b.appt.client_id = w->client_id;
	b.appt.clinician_id = w->clinician_id;
	b.appt.start = ev->start.utc;
	b.appt.force = b.appt.overlap = 1;
	b.repeat = rule;
	b.count = count;
	if (import_service_for(job, (int)((ev->end.utc - ev->start.utc) / 60),
	    &b.appt.service_id) == -1)
		return -1;
	/* A rule series_book refuses is imported occurrence by
	 * occurrence instead: undone alone. */
	if (db_savepoint(job->pd->db, "import_series") == -1)
		return ctx_internal(&job->ctx);
	rc = series_book(&job->ctx, &b, &res);
	if (rc == -1) {
		appt_result_clear(&res);
		(void)db_rollback_to(job->pd->db, "import_series");
		snprintf(w->single, sizeof(w->single), "its rule (%.60s) "
		    "makes no series here: %.100s", ev->rrule, job->ctx.msg);
		ctx_clear(&job->ctx);
		return 1;
	}
	w->series_id = res.series_id;
	w->fresh = 1;
	appt_result_clear(&res);
	if (db_release(job->pd->db, "import_series") == -1)
		return ctx_internal(&job->ctx);
	import_note(job, IMPORT_NOUTCOMES, ev->uid, ev->line, 0, "series",
	    w->series_id, 0, "booked as series %lld", w->series_id);
	return 0;
}

/* The series the event was imported as before, or makes one: 0 with
 * w->series_id set, 1 when it is not one, -1 on error. */
int
import_series_of(struct import_job *job, struct whose *w,
    const struct ical_event *ev)
{
	long long	 known;
	int		 rc;

	if (import_id_by_text(&job->ctx, series_of_uid_sql, ev->uid,
	    &w->series_id) == -1)
		return -1;
	if (w->series_id != 0)
		return series_adopt(job, w, ev);
	if (!series_fits(w, ev))
		return 1;
	if (import_id_by_text(&job->ctx, uid_known_sql, ev->uid, &known) == -1)
		return -1;
	if (known) {
		snprintf(w->single, sizeof(w->single), "it was imported "
		    "before without one");
		return 1;
	}
	if ((rc = series_make(job, w, ev)) != 0)
		return rc;
	return series_adopt(job, w, ev);
}
