/*
 * A series as one VEVENT: its rule from its first session, an EXDATE
 * for each occurrence it does not hold (skipped, left as a one-off, or
 * given to another clinician), and a RECURRENCE-ID override for each
 * one it holds otherwise than the rule says (moved, another room or
 * link, cancelled).  The keys are the rows' own RECURRENCE-IDs, so an
 * export read back gives the same sessions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "ctx.h"
#include "db.h"
#include "ical_export.h"
#include "ical_int.h"
#include "log.h"
#include "practiced.h"
#include "recur.h"
#include "series.h"
#include "tz.h"

/*
 * A series a session of which starts in the window, or whose rule goes
 * on past its booked sessions into the window.
 */
#define SERIES_RULE_GOES_ON						\
    " x.state <> 'cancelled' AND x.first_utc < ?2"			\
    "  AND x.materialized_until < ?2 AND (x.until_utc IS NULL"		\
    "  OR x.until_utc > max(x.materialized_until, ?1))"
static const char *series_in_window_sql =
    "SELECT x.id FROM series x WHERE x.id > ?4 AND ?3 = 0 AND (EXISTS"
    "  (SELECT 1 FROM appointments a WHERE a.series_id = x.id"
    "  AND a.start_utc >= ?1 AND a.start_utc < ?2) OR"
    SERIES_RULE_GOES_ON ")"
    " ORDER BY x.id";
/* One clinician's: her sessions in the window by her index, not every
 * series of the practice probed for one of hers. */
static const char *series_in_window_of_sql =
    "SELECT x.id FROM series x WHERE x.id > ?4 AND (x.id IN (SELECT"
    "  a.series_id FROM appointments a WHERE a.clinician_id = ?3"
    "  AND a.start_utc >= ?1 AND a.start_utc < ?2"
    "  AND a.series_id IS NOT NULL) OR (x.clinician_id = ?3 AND"
    SERIES_RULE_GOES_ON "))"
    " ORDER BY x.id";
/* modified is NULL until the series' VEVENT first changes (db.c). */
static const char *series_extra_sql =
    "SELECT x.version, coalesce(x.modified, x.created), cl.name, c.name,"
    "  r.name, cl.email, c.email FROM series x JOIN clients cl ON cl.id = x.client_id"
    "  JOIN clinicians c ON c.id = x.clinician_id"
    "  LEFT JOIN rooms r ON r.id = x.room_id WHERE x.id = ?1";
static const char *occurrences_sql =
    "SELECT " EXPORT_ROW_COLUMNS EXPORT_ROW_FROM
    " WHERE a.series_id = ?1 AND a.recurrence_utc IS NOT NULL"
    " ORDER BY a.recurrence_utc, a.id";

/* An occurrence of the rule, and whether a session of it is its own. */
struct occ {
	struct tz_wall	 wall;
	time_t		 t;
	int		 held;
};

struct series_export {
	struct series_def	 def;
	struct export_what	 what;
	char			 client[512], clinician[512], room[512];
	char			 client_email[320], clinician_email[320];
	struct occ		*occ;
	size_t			 nocc, cap;
	int			 too_many;
	int			 master;	/* its VEVENT is exported */
	/*
	 * Its client's view (an invitation, invite.c): a session at an
	 * occurrence is the series' whoever its clinician, and one
	 * cancelled is an EXDATE (iTIP's REQUEST carries no cancelled
	 * instance, RFC 5546 3.2.2).
	 */
	int			 client_view;
	time_t			 until;		/* UNTIL; 0: the rule's end */
	/* Where the expansion stops: an instant, a COUNT (0: none), and
	 * the first occurrence left out. */
	time_t			 end;
	long			 count;
	time_t			 next;
	int			 has_next;
};

static int
series_occ_add(void *arg, const struct tz_wall *w, time_t t)
{
	struct series_export	*se = arg;
	struct occ		*grown;
	size_t			 cap;

	if (t >= se->end || (se->count != 0 && se->nocc == (size_t)se->count)) {
		se->next = t;
		se->has_next = 1;
		return 1;
	}
	if (se->nocc == EXPORT_MAX_OCCURRENCES) {
		se->too_many = 1;
		return 1;
	}
	if (se->nocc == se->cap) {
		cap = se->cap == 0 ? 64 : se->cap * 2;
		if ((grown = reallocarray(se->occ, cap, sizeof(*grown))) ==
		    NULL)
			return -1;
		se->occ = grown;
		se->cap = cap;
	}
	se->occ[se->nocc].wall = *w;
	se->occ[se->nocc].t = t;
	se->occ[se->nocc].held = 0;
	se->nocc++;
	return 0;
}

/* The occurrence at instant t (they come in order), or NULL. */
static struct occ *
series_occ_find(struct series_export *se, time_t t)
{
	size_t	 lo = 0, hi = se->nocc, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (se->occ[mid].t < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < se->nocc && se->occ[lo].t == t ? &se->occ[lo] : NULL;
}

static int
series_load_extra(struct export *x, struct series_export *se)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(x->ctx->pd->db, series_extra_sql)) == NULL)
		return ctx_internal(x->ctx);
	sqlite3_bind_int64(stmt, 1, se->def.id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		se->what.version = sqlite3_column_int64(stmt, 0);
		se->what.modified = (time_t)sqlite3_column_int64(stmt, 1);
		snprintf(se->client, sizeof(se->client), "%s",
		    db_column_text(stmt, 2));
		snprintf(se->clinician, sizeof(se->clinician), "%s",
		    db_column_text(stmt, 3));
		if (sqlite3_column_type(stmt, 4) != SQLITE_NULL) {
			snprintf(se->room, sizeof(se->room), "%s",
			    db_column_text(stmt, 4));
			se->what.room = se->room;
		}
		snprintf(se->client_email, sizeof(se->client_email), "%s",
		    db_column_text(stmt, 5) != NULL ? db_column_text(stmt, 5) :
		    "");
		snprintf(se->clinician_email, sizeof(se->clinician_email),
		    "%s", db_column_text(stmt, 6) != NULL ?
		    db_column_text(stmt, 6) : "");
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return ctx_internal(x->ctx);
	se->what.client = se->client;
	se->what.clinician = se->clinician;
	se->what.client_email = se->client_email;
	se->what.clinician_email = se->clinician_email;
	se->what.video = se->def.has_video ? se->def.video : NULL;
	se->what.created = se->def.created;
	return 0;
}

/*
 * The rule's occurrences that sessions were booked for (up to the
 * horizon, materialized_until), and where the exported rule ends.  A
 * series cancelled, or with a COUNT, ends where its next occurrence
 * would be: a COUNT is bounded (RECUR_MAX_COUNT), and calendars such as
 * calcurse count EXDATEs against it where RFC 5545 does not; an UNTIL
 * a second before the next occurrence says the same to all, and is not
 * lost to readers that shift an UTC UNTIL by a DST offset (as
 * python3-recurring-ical-events does).  A series cut by a day ends the
 * second before midnight (until_utc is exclusive).
 */
static int
series_expand(struct export *x, struct series_export *se)
{
	struct series_def	*d = &se->def;
	const char		*c;
	char			 rule[RECUR_RULE_MAX];
	int			 last = 0;

	se->end = d->materialized_until;
	if (d->until_utc != 0 && d->until_utc < se->end)
		se->end = d->until_utc;
	snprintf(rule, sizeof(rule), "%s", d->rrule);
	if ((c = strstr(d->rrule, "COUNT=")) != NULL) {
		se->count = strtol(c + 6, NULL, 10);
		if (d->until_utc != 0)
			se->end = d->until_utc;
		else if (strcmp(d->state, "cancelled") != 0)
			se->end = APPT_EVER_TO;
		if (se->count <= 0 || recur_set_count(d->rrule, 0, rule,
		    sizeof(rule)) == -1)
			return ctx_internal(x->ctx);
		last = 1;
	} else if (strcmp(d->state, "cancelled") == 0)
		last = 1;
	else if (d->until_utc != 0)
		se->until = d->until_utc - 1;
	if (recur_expand(rule, d->zone, &d->first, APPT_EVER_TO,
	    series_occ_add, se) == -1) {
		log_warnx("export: series %lld: its rule cannot be read",
		    d->id);
		return ctx_internal(x->ctx);
	}
	if (se->too_many)
		return ctx_error(x->ctx, PROTO_ETOOLARGE, "series %lld has "
		    "more than %d sessions to export", d->id,
		    EXPORT_MAX_OCCURRENCES);
	if (last && se->has_next)
		se->until = se->next - 1;
	else if (last && se->nocc > 0)
		se->until = se->occ[se->nocc - 1].t;
	if (last && se->nocc == 0)
		se->master = 0;		/* its sessions go out on their own */
	return 0;
}

static int
series_differs(const struct series_export *se, const struct export_row *r,
    time_t recurrence)
{
	const struct series_def	*d = &se->def;

	if (r->what.cancelled || r->start != recurrence ||
	    r->end - r->start != (time_t)d->minutes * 60 ||
	    r->room_id != d->room_id)
		return 1;
	/* The client's calendar names each session's clinician. */
	if (se->client_view && r->clinician_id != d->clinician_id)
		return 1;
	if ((r->what.video != NULL) != d->has_video)
		return 1;
	return r->what.video != NULL && strcmp(r->what.video, d->video) != 0;
}

static int
series_override(struct export *x, struct series_export *se,
    const struct export_row *r, const struct occ *o)
{
	icalcomponent	*ev;

	if ((ev = export_event(x, 's', se->def.id, &r->what)) == NULL)
		return ctx_internal(x->ctx);
	export_add_wall(ev, icalproperty_new_recurrenceid, se->def.zone,
	    &o->wall);
	export_add_time(ev, icalproperty_new_dtstart, se->def.zone, r->start);
	export_add_time(ev, icalproperty_new_dtend, se->def.zone, r->end);
	return export_emit(x, ev);
}

/*
 * A session of the series: its own (at an occurrence, with the series'
 * clinician) is held, and goes out as an override if it differs; any
 * other is a session on its own, in this export if its clinician and
 * start are.  With emit 0, only what is held is marked.
 */
static int
series_row(struct export *x, struct series_export *se,
    const struct export_row *r, int emit)
{
	const struct export_query	*q = x->q;
	struct occ			*o;

	o = series_occ_find(se, r->recurrence);
	if (o != NULL && (se->client_view ||
	    r->clinician_id == se->def.clinician_id) && se->master) {
		if (se->client_view && r->what.cancelled)
			return 0;	/* an EXDATE */
		if (!emit)
			o->held = 1;
		else if (series_differs(se, r, o->t))
			return series_override(x, se, r, o);
		return 0;
	}
	if (!emit || (q->clinician_id != 0 &&
	    r->clinician_id != q->clinician_id) || r->start < q->from ||
	    r->start >= q->to)
		return 0;
	return export_single(x, r);
}

static int
series_rows(struct export *x, struct series_export *se, int emit)
{
	sqlite3_stmt		*stmt;
	struct export_row	 r;
	int			 rc;

	if ((stmt = db_stmt(x->ctx->pd->db, occurrences_sql)) == NULL)
		return ctx_internal(x->ctx);
	sqlite3_bind_int64(stmt, 1, se->def.id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		export_row_read(stmt, &r);
		if (series_row(x, se, &r, emit) == -1) {
			sqlite3_reset(stmt);
			return -1;
		}
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : ctx_internal(x->ctx);
}

static int
series_master(struct export *x, struct series_export *se)
{
	struct series_def		*d = &se->def;
	struct icalrecurrencetype	 rule;
	icalcomponent			*ev;
	icalproperty			*p;
	size_t				 i;

	rule = icalrecurrencetype_from_string(d->rrule);
	if (rule.freq == ICAL_NO_RECURRENCE) {
		icalerror_clear_errno();
		return ctx_internal(x->ctx);
	}
	if (se->until != 0) {
		rule.count = 0;
		rule.until = icaltime_from_timet_with_zone(se->until, 0,
		    icaltimezone_get_utc_timezone());
	}
	if ((ev = export_event(x, 's', d->id, &se->what)) == NULL)
		return ctx_internal(x->ctx);
	export_add_wall(ev, icalproperty_new_dtstart, d->zone, &d->first);
	export_add_time(ev, icalproperty_new_dtend, d->zone, d->first_utc +
	    (time_t)d->minutes * 60);
	if ((p = icalproperty_new_rrule(rule)) != NULL)
		icalcomponent_add_property(ev, p);
	for (i = 0; i < se->nocc; i++)
		if (!se->occ[i].held && se->occ[i].t < d->materialized_until)
			export_add_wall(ev, icalproperty_new_exdate, d->zone,
			    &se->occ[i].wall);
	return export_emit(x, ev);
}

static int
series_export_view(struct export *x, long long id, int client_view)
{
	struct series_export	*se;
	int			 rc = -1;

	if ((se = calloc(1, sizeof(*se))) == NULL)
		return ctx_internal(x->ctx);
	se->client_view = client_view;
	if (series_load(x->ctx, id, &se->def) == -1) {
		ctx_internal(x->ctx);
		goto out;
	}
	se->master = x->q->clinician_id == 0 ||
	    se->def.clinician_id == x->q->clinician_id;
	if (series_load_extra(x, se) == -1 ||
	    (se->master && series_expand(x, se) == -1) ||
	    series_rows(x, se, 0) == -1)
		goto out;
	if (se->master && (export_use_zone(x, se->def.zone,
	    se->def.first_utc) == -1 ||
	    series_master(x, se) == -1))
		goto out;
	rc = series_rows(x, se, 1);
out:
	free(se->occ);
	free(se);
	return rc;
}

static int
series_export_one(struct export *x, long long id)
{
	return series_export_view(x, id, 0);
}

int
export_series_client(struct export *x, long long id)
{
	return series_export_view(x, id, 1);
}

int
export_series_all(struct export *x)
{
	sqlite3_stmt	*stmt;
	long long	*ids = NULL, *grown;
	size_t		 n = 0, cap = 0, i;
	int		 rc;

	if (x->singles_only)
		return 0;
	if ((stmt = db_stmt(x->ctx->pd->db, x->q->clinician_id != 0 ?
	    series_in_window_of_sql : series_in_window_sql)) == NULL)
		return ctx_internal(x->ctx);
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)x->q->from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)x->q->to);
	sqlite3_bind_int64(stmt, 3, x->q->clinician_id);
	sqlite3_bind_int64(stmt, 4, x->after_series);
	/* Read whole first: each series runs statements of its own. */
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = reallocarray(ids, cap,
			    sizeof(*ids))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			ids = grown;
		}
		ids[n++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		free(ids);
		return ctx_internal(x->ctx);
	}
	for (i = 0, rc = 0; i < n && rc == 0; i++) {
		rc = series_export_one(x, ids[i]);
		if (rc == 0 && export_page_full(x)) {
			snprintf(x->next, sizeof(x->next), "s%lld", ids[i]);
			break;
		}
	}
	free(ids);
	return rc;
}
