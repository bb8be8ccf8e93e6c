/*
 * The schedule as an iCalendar text: the window and its bounds, the
 * calendar around the events, one-off sessions, and what an event shows
 * at each detail level.  Series are ical_series.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "config.h"
#include "ctx.h"
#include "db.h"
#include "ical_export.h"
#include "ical_int.h"
#include "practiced.h"
#include "strbuf.h"
#include "tz.h"

static const char *practice_uid_sql =
    "SELECT uid FROM practice WHERE id = 1";
static const char *clinician_name_sql =
    "SELECT name FROM clinicians WHERE id = ?1";
/*
 * A clinician's calendar and the whole practice's are two statements:
 * "?3 = 0 OR clinician_id = ?3" keeps SQLite from the clinician's index,
 * and a feed of one clinician of twenty read every session of the
 * window (47 ms, where the target is 20).
 */
#define SINGLES_SQL(who)						\
    "SELECT " EXPORT_ROW_COLUMNS EXPORT_ROW_FROM			\
    " WHERE a.series_id IS NULL AND a.start_utc >= ?1 AND a.start_utc < ?2"\
    who									\
    "  AND (a.start_utc > ?4 OR (a.start_utc = ?4 AND a.id > ?5))"	\
    " ORDER BY a.start_utc, a.id"
static const char *singles_sql = SINGLES_SQL(" AND ?3 = 0");
static const char *singles_of_sql = SINGLES_SQL(" AND a.clinician_id = ?3");
/* Every zone a page of the export may name, for the first page's
 * VTIMEZONEs: the sessions' and the series' (a few more is no harm). */
#define ZONES_SQL(who)							\
    "SELECT zone, min(start_utc) FROM appointments WHERE start_utc >= ?1"\
    "  AND start_utc < ?2" who " GROUP BY zone"				\
    " UNION ALL SELECT zone, min(first_utc) FROM series"		\
    " WHERE state <> 'cancelled'" who " GROUP BY zone"
static const char *zones_sql = ZONES_SQL(" AND ?3 = 0");
static const char *zones_of_sql = ZONES_SQL(" AND clinician_id = ?3");

static const char *export_details[] = {
	[EXPORT_BUSY] = "busy",
	[EXPORT_INITIALS] = "initials",
	[EXPORT_FULL] = "full"
};

int
export_detail_parse(const char *s, enum export_detail *d)
{
	size_t	 i;

	for (i = 0; i < sizeof(export_details) / sizeof(export_details[0]);
	    i++) {
		if (s != NULL && strcmp(s, export_details[i]) == 0) {
			*d = (enum export_detail)i;
			return 0;
		}
	}
	return -1;
}

const char *
export_detail_name(enum export_detail d)
{
	return export_details[d];
}

/* The window */

static long
export_days(const struct tz_wall *a, const struct tz_wall *b)
{
	return (long)((tz_day_start("UTC", b->year, b->month, b->day) -
	    tz_day_start("UTC", a->year, a->month, a->day)) / 86400);
}

static int
export_date(struct ctx *ctx, const char *key, const char *v,
    struct tz_wall *w)
{
	char	 err[160];

	if (tz_parse_date(v, ctx->tz, ctx->now, w, err, sizeof(err)) == -1)
		return ctx_error(ctx, PROTO_EBADREQUEST, "%s: %s", key, err);
	return 0;
}

int
export_window(struct ctx *ctx, const char *from, const char *to,
    struct export_query *q)
{
	struct tz_wall	 f, t, end;
	char		 a[TZ_BUFLEN], b[TZ_BUFLEN];
	long		 days;

	tz_parse_date("today", ctx->tz, ctx->now, &f, NULL, 0);
	t = f;
	if (from != NULL && export_date(ctx, "from", from, &f) == -1)
		return -1;
	if (to != NULL && export_date(ctx, "to", to, &t) == -1)
		return -1;
	if (from == NULL)
		tz_add_days(&f, -EXPORT_PAST_DAYS);
	if (to == NULL) {
		t = from != NULL ? f : t;
		tz_add_days(&t, EXPORT_AHEAD_DAYS);
	}
	tz_format_date(&f, a);
	tz_format_date(&t, b);
	if ((days = export_days(&f, &t)) < 0)
		return ctx_error(ctx, PROTO_EBADREQUEST, "the window ends "
		    "(to %s) before it starts (from %s)", b, a);
	if (days + 1 > EXPORT_MAX_DAYS)
		return ctx_error(ctx, PROTO_EBADREQUEST, "the window from %s "
		    "to %s is %ld days; an export covers at most %d days "
		    "(three years)", a, b, days + 1, EXPORT_MAX_DAYS);
	end = t;
	tz_add_days(&end, 1);
	q->from = tz_day_start(ctx->tz, f.year, f.month, f.day);
	q->to = tz_day_start(ctx->tz, end.year, end.month, end.day);
	return 0;
}

/* What an event shows */

void
ical_initials(const char *name, char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)name;
	size_t			 off = 0, n;
	int			 count = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	while (p != NULL && *p != '\0' && count < 4) {
		while (*p == ' ' || *p == '\t')
			p++;
		/* Quotes, brackets and the like are not initials. */
		while (*p != '\0' && *p < 0x80 && *p != ' ' &&
		    !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			p++;
		if (*p == '\0')
			break;
		n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		if (*p != ' ') {
			if (strnlen((const char *)p, n) < n || off + n + 2 > len)
				break;
			memcpy(buf + off, p, n);
			if (n == 1 && buf[off] >= 'a' && buf[off] <= 'z')
				buf[off] -= 'a' - 'A';
			/* U+00E0-U+00FE (not U+00F7): Latin-1 capitals. */
			if (n == 2 && p[0] == 0xc3 && p[1] >= 0xa0 &&
			    p[1] <= 0xbe && p[1] != 0xb7)
				buf[off + 1] = (char)(p[1] - 0x20);
			off += n;
			buf[off++] = '.';
			buf[off] = '\0';
			count++;
		}
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	if (count == 0)
		snprintf(buf, len, "?");
}

static void
export_add_text(icalcomponent *ev, icalproperty *p)
{
	if (p != NULL)
		icalcomponent_add_property(ev, p);
}

/* A time in zone: floating with a TZID, or in UTC for the UTC zones. */
void
export_add_wall(icalcomponent *ev, icalproperty *(*make)(struct icaltimetype),
    const char *zone, const struct tz_wall *w)
{
	struct icaltimetype	 tt = icaltime_null_time();
	icalproperty		*p;

	tt.year = w->year;
	tt.month = w->month;
	tt.day = w->day;
	tt.hour = w->hour;
	tt.minute = w->minute;
	if (export_zone_is_utc(zone))
		tt.zone = icaltimezone_get_utc_timezone();
	if ((p = make(tt)) == NULL)
		return;
	if (!export_zone_is_utc(zone))
		icalproperty_add_parameter(p, icalparameter_new_tzid(zone));
	icalcomponent_add_property(ev, p);
}

void
export_add_time(icalcomponent *ev, icalproperty *(*make)(struct icaltimetype),
    const char *zone, time_t t)
{
	struct tz_wall	 w;

	tz_to_wall(zone, t, &w);
	export_add_wall(ev, make, zone, &w);
}

static struct icaltimetype
export_utc(time_t t)
{
	return icaltime_from_timet_with_zone(t, 0,
	    icaltimezone_get_utc_timezone());
}

int
export_zone_is_utc(const char *zone)
{
	return strcmp(zone, "UTC") == 0 || strcmp(zone, "Etc/UTC") == 0 ||
	    strcmp(zone, "GMT") == 0 || strcmp(zone, "Etc/GMT") == 0;
}

/* ORGANIZER or ATTENDEE: "mailto:" the email, named by CN. */
static void
export_add_person(icalcomponent *ev, icalproperty *(*make)(const char *),
    const char *email, const char *name)
{
	icalproperty	*p;
	icalparameter	*cn;
	char		 to[320];

	if (email == NULL || *email == '\0' ||
	    (size_t)snprintf(to, sizeof(to), "mailto:%s", email) >= sizeof(to))
		return;
	if ((p = make(to)) == NULL)
		return;
	if (name != NULL && (cn = icalparameter_new_cn(name)) != NULL)
		icalproperty_add_parameter(p, cn);
	icalcomponent_add_property(ev, p);
}

/*
 * An event with what every one carries: its UID (the row's kind and id
 * and the practice's random id, never a client detail), SEQUENCE, the
 * times of its last change (DTSTAMP too: a calendar without METHOD
 * gives the last revision there, and the text stays the same from
 * fetch to fetch), and what the detail level shows of it.
 */
icalcomponent *
export_event(struct export *x, char kind, long long id,
    const struct export_what *what)
{
	icalcomponent	*ev;
	char		 uid[128], initials[24], desc[256];
	const char	*summary, *place;

	if ((ev = icalcomponent_new_vevent()) == NULL)
		return NULL;
	snprintf(uid, sizeof(uid), "%c%lld-%s@practiced", kind, id, x->uid);
	export_add_text(ev, icalproperty_new_uid(uid));
	export_add_text(ev, icalproperty_new_dtstamp(export_utc(
	    what->modified)));
	export_add_text(ev, icalproperty_new_created(export_utc(
	    what->created)));
	export_add_text(ev, icalproperty_new_lastmodified(export_utc(
	    what->modified)));
	export_add_text(ev, icalproperty_new_sequence(what->version > 0 ?
	    (int)(what->version - 1) : 0));
	switch (x->q->detail) {
	case EXPORT_BUSY:
		summary = "Busy";
		break;
	case EXPORT_INITIALS:
		ical_initials(what->client, initials, sizeof(initials));
		summary = initials;
		break;
	default:
		summary = what->client;
		break;
	}
	export_add_text(ev, icalproperty_new_summary(summary));
	export_add_text(ev, icalproperty_new_class(ICAL_CLASS_PRIVATE));
	if (what->cancelled) {
		export_add_text(ev, icalproperty_new_status(
		    ICAL_STATUS_CANCELLED));
		export_add_text(ev, icalproperty_new_transp(
		    ICAL_TRANSP_TRANSPARENT));
	} else {
		export_add_text(ev, icalproperty_new_status(
		    ICAL_STATUS_CONFIRMED));
		export_add_text(ev, icalproperty_new_transp(
		    ICAL_TRANSP_OPAQUE));
	}
	if (x->q->detail != EXPORT_FULL)
		return ev;
	/* The practice's own use: who, where, and with whom on staff. */
	place = what->room != NULL ? what->room : what->video;
	if (place != NULL)
		export_add_text(ev, icalproperty_new_location(place));
	if (what->video != NULL)
		export_add_text(ev, icalproperty_new_url(what->video));
	snprintf(desc, sizeof(desc), "Clinician: %s", what->clinician);
	export_add_text(ev, icalproperty_new_description(desc));
	if (x->q->emails) {
		export_add_person(ev, icalproperty_new_organizer,
		    what->clinician_email, what->clinician);
		export_add_person(ev, icalproperty_new_attendee,
		    what->client_email, what->client);
	}
	return ev;
}

/* The zone, for its VTIMEZONE; -1 with the error set if too many. */
int
export_use_zone(struct export *x, const char *zone, time_t when)
{
	size_t	 i;

	if (export_zone_is_utc(zone))
		return 0;
	for (i = 0; i < x->nzones; i++)
		if (strcmp(x->zones[i], zone) == 0) {
			if (when < x->zone_since[i])
				x->zone_since[i] = when;
			return 0;
		}
	if (x->nzones == EXPORT_MAX_ZONES || strlen(zone) >=
	    sizeof(x->zones[0]))
		return ctx_error(x->ctx, PROTO_ETOOLARGE, "the calendar uses "
		    "more than %d time zones", EXPORT_MAX_ZONES);
	x->zone_since[x->nzones] = when;
	snprintf(x->zones[x->nzones++], sizeof(x->zones[0]), "%s", zone);
	return 0;
}

/*
 * The text of a property that most events carry alike (CLASS, STATUS,
 * TRANSP): libical writes each value once a process, and later events
 * copy it.  NULL for the others, and when out of memory.
 */
static const char *
export_common_text(icalproperty *p)
{
	static struct {
		icalproperty_kind	 kind;
		int			 value;
		char			*text;
	}			 memo[8];
	static size_t		 n;
	icalproperty_kind	 kind = icalproperty_isa(p);
	int			 value;
	size_t			 i;

	switch (kind) {
	case ICAL_CLASS_PROPERTY:
		value = (int)icalproperty_get_class(p);
		break;
	case ICAL_STATUS_PROPERTY:
		value = (int)icalproperty_get_status(p);
		break;
	case ICAL_TRANSP_PROPERTY:
		value = (int)icalproperty_get_transp(p);
		break;
	default:
		return NULL;
	}
	if (icalproperty_count_parameters(p) != 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (memo[i].kind == kind && memo[i].value == value)
			return memo[i].text;
	if (n == sizeof(memo) / sizeof(memo[0]) ||
	    (memo[n].text = icalproperty_as_ical_string_r(p)) == NULL)
		return NULL;
	memo[n].kind = kind;
	memo[n].value = value;
	return memo[n++].text;
}

/* Whether a zone name goes into a TZID parameter as it is: nothing
 * libical would quote or escape. */
static int
export_plain_tzid(const char *zone)
{
	return zone[0] != '\0' && strlen(zone) < 48 &&
	    strspn(zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_+-") == strlen(zone);
}

/* ":YYYYMMDDTHHMMSS[Z]\r\n", without printf's cost (most of a feed). */
static void
export_datetime_digits(const struct icaltimetype *tt, int utc, char *out)
{
	const int	 v[] = { tt->year / 100, tt->year % 100, tt->month,
			    tt->day, -1, tt->hour, tt->minute, tt->second };
	size_t		 i, n = 0;

	out[n++] = ':';
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i] < 0) {
			out[n++] = 'T';
			continue;
		}
		out[n++] = (char)('0' + v[i] / 10);
		out[n++] = (char)('0' + v[i] % 10);
	}
	if (utc)
		out[n++] = 'Z';
	memcpy(out + n, "\r\n", 3);
}

/*
 * The text of a property whose value has one fixed form: UID (ours,
 * plain ASCII), SEQUENCE, and a date-time in UTC or with a plain TZID
 * alone, as libical writes them; 0 for any other, left to libical.
 * libical's writer costs a handful of allocations a property, and
 * these are most of an event's (a feed of a clinician's year is made
 * again after each change).
 */
static int
export_fixed_text(icalproperty *p, struct strbuf *out)
{
	struct icaltimetype	 tt;
	icalparameter		*tzid;
	const char		*name, *zone = NULL, *uid;
	char			 text[24];
	int			 nparams = icalproperty_count_parameters(p);

	switch (icalproperty_isa(p)) {
	case ICAL_UID_PROPERTY:
		uid = icalproperty_get_uid(p);
		if (nparams != 0 || uid == NULL || strlen(uid) > 64 ||
		    strpbrk(uid, ",;\\\r\n") != NULL)
			return 0;
		strbuf_addf(out, "UID:%s\r\n", uid);
		return 1;
	case ICAL_SEQUENCE_PROPERTY:
		if (nparams != 0)
			return 0;
		strbuf_addf(out, "SEQUENCE:%d\r\n",
		    icalproperty_get_sequence(p));
		return 1;
	case ICAL_DTSTAMP_PROPERTY:
	case ICAL_CREATED_PROPERTY:
	case ICAL_LASTMODIFIED_PROPERTY:
	case ICAL_DTSTART_PROPERTY:
	case ICAL_DTEND_PROPERTY:
	case ICAL_RECURRENCEID_PROPERTY:
		break;
	default:
		return 0;
	}
	if (nparams > 1 || (nparams == 1 && ((tzid =
	    icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) == NULL ||
	    (zone = icalparameter_get_tzid(tzid)) == NULL ||
	    !export_plain_tzid(zone))))
		return 0;
	tt = icalvalue_get_datetime(icalproperty_get_value(p));
	if (icaltime_is_null_time(tt) || tt.is_date ||
	    icaltime_is_utc(tt) == (zone != NULL) || tt.year < 1000 ||
	    tt.year > 9999)
		return 0;
	name = icalproperty_kind_to_string(icalproperty_isa(p));
	strbuf_adds(out, name);
	if (zone != NULL) {
		strbuf_adds(out, ";TZID=");
		strbuf_adds(out, zone);
	}
	export_datetime_digits(&tt, zone == NULL, text);
	strbuf_adds(out, text);
	return 1;
}

/*
 * The event's text, appended; -1 with the error set past the bound.
 * Written as icalcomponent_as_ical_string_r() writes it, a property at
 * a time, straight into the events' text (no copy of the whole).
 */
int
export_emit(struct export *x, icalcomponent *ev)
{
	icalproperty	*p;
	const char	*common;
	char		*text;

	if (ev == NULL)
		return ctx_internal(x->ctx);
	strbuf_adds(&x->events, "BEGIN:VEVENT\r\n");
	for (p = icalcomponent_get_first_property(ev, ICAL_ANY_PROPERTY);
	    p != NULL && !x->events.failed;
	    p = icalcomponent_get_next_property(ev, ICAL_ANY_PROPERTY)) {
		if ((common = export_common_text(p)) != NULL) {
			strbuf_adds(&x->events, common);
			continue;
		}
		if (export_fixed_text(p, &x->events))
			continue;
		if ((text = icalproperty_as_ical_string_r(p)) == NULL) {
			x->events.failed = 1;
			break;
		}
		strbuf_adds(&x->events, text);
		icalmemory_free_buffer(text);
	}
	strbuf_adds(&x->events, "END:VEVENT\r\n");
	icalcomponent_free(ev);
	if (x->events.failed)
		return ctx_internal(x->ctx);
	if (x->events.len > x->max && x->max >= 1024 * 1024)
		return ctx_error(x->ctx, PROTO_ETOOLARGE, "the calendar would "
		    "be larger than %zu MB: ask for it in pages (%s=%s), or "
		    "for a shorter window or one clinician",
		    x->max / (1024 * 1024), PROTO_EXPORT_PAGE,
		    PROTO_EXPORT_FIRST);
	if (x->events.len > x->max)
		return ctx_error(x->ctx, PROTO_ETOOLARGE, "the calendar would "
		    "be larger than %zu bytes: give a shorter window or one "
		    "clinician", x->max);
	return 0;
}

/* The columns of EXPORT_ROW_COLUMNS, read. */
void
export_row_read(sqlite3_stmt *stmt, struct export_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(stmt, 0);
	r->start = (time_t)sqlite3_column_int64(stmt, 1);
	r->end = (time_t)sqlite3_column_int64(stmt, 2);
	r->zone = db_column_text(stmt, 3);
	r->what.cancelled = strcmp(db_column_text(stmt, 4), "cancelled") == 0;
	r->what.version = sqlite3_column_int64(stmt, 5);
	r->what.created = (time_t)sqlite3_column_int64(stmt, 6);
	r->what.modified = (time_t)sqlite3_column_int64(stmt, 7);
	r->what.video = db_column_text(stmt, 8);
	r->what.client = db_column_text(stmt, 9);
	r->what.room = db_column_text(stmt, 10);
	r->what.clinician = db_column_text(stmt, 11);
	r->clinician_id = sqlite3_column_int64(stmt, 12);
	r->room_id = sqlite3_column_int64(stmt, 13);
	r->recurrence = (time_t)sqlite3_column_int64(stmt, 14);
	r->what.client_email = db_column_text(stmt, 15);
	r->what.clinician_email = db_column_text(stmt, 16);
}

/* A session on its own: a one-off, or one its series no longer holds. */
int
export_single(struct export *x, const struct export_row *r)
{
	icalcomponent	*ev;

	if (export_use_zone(x, r->zone, r->start) == -1)
		return -1;
	if ((ev = export_event(x, 'a', r->id, &r->what)) == NULL)
		return ctx_internal(x->ctx);
	export_add_time(ev, icalproperty_new_dtstart, r->zone, r->start);
	export_add_time(ev, icalproperty_new_dtend, r->zone, r->end);
	return export_emit(x, ev);
}

static int
export_singles(struct export *x)
{
	sqlite3_stmt		*stmt;
	struct export_row	 r;
	int			 rc;

	if ((stmt = db_stmt(x->ctx->pd->db, x->q->clinician_id != 0 ?
	    singles_of_sql : singles_sql)) == NULL)
		return ctx_internal(x->ctx);
	if (x->next[0] != '\0')		/* the page is full */
		return 0;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)x->q->from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)x->q->to);
	sqlite3_bind_int64(stmt, 3, x->q->clinician_id);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)(x->singles_only ?
	    x->after_start : x->q->from - 1));
	sqlite3_bind_int64(stmt, 5, x->after_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		export_row_read(stmt, &r);
		if (export_single(x, &r) == -1) {
			sqlite3_reset(stmt);
			return -1;
		}
		if (export_page_full(x)) {
			snprintf(x->next, sizeof(x->next), "a%lld.%lld",
			    (long long)r.start, r.id);
			break;
		}
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	    ctx_internal(x->ctx);
}

int
export_page_full(const struct export *x)
{
	return x->paged && x->events.len >= EXPORT_PAGE_BYTES;
}

/* The calendar around the events */

static int
export_text_of(struct export *x, const char *sql, long long id, char *buf,
    size_t len)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(x->ctx->pd->db, sql)) == NULL)
		return ctx_internal(x->ctx);
	if (id != 0)
		sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		snprintf(buf, len, "%s", db_column_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE && id != 0)
		return ctx_error(x->ctx, PROTO_ENOTFOUND, "no clinician "
		    "with id %lld", id);
	return ctx_internal(x->ctx);
}

int
ical_practice_uid(struct ctx *ctx, char *buf, size_t len)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(ctx->pd->db, practice_uid_sql)) == NULL)
		return ctx_internal(ctx);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		snprintf(buf, len, "%s", db_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : ctx_internal(ctx);
}

/* The inverse of export_event's "%c%lld-%s@practiced". */
int
ical_uid_is_ours(const char *uid, const char *practice_uid)
{
	size_t	 digits, n = strlen(practice_uid);

	if (uid[0] != 'a' && uid[0] != 's')
		return 0;
	digits = strspn(uid + 1, "0123456789");
	return digits > 0 && uid[1 + digits] == '-' && n > 0 &&
	    strncmp(uid + 2 + digits, practice_uid, n) == 0 &&
	    strcmp(uid + 2 + digits + n, "@practiced") == 0;
}

/*
 * libical's VTIMEZONE of a built-in zone, under its plain IANA name.
 * Its rules from a year before the calendar's first time on, not since
 * 1883 with a local mean time of -04:56:02: a tenth of the text, and
 * Outlook reads a short VTIMEZONE best.  The year covers a session
 * moved before its series' first.
 */
int
export_vtimezone(icalcomponent *cal, const char *zone, time_t since)
{
	icaltimezone	*z;
	icalcomponent	*c, *copy;
	icalproperty	*p;

	if ((z = tz_builtin(zone)) == NULL ||
	    (c = icaltimezone_get_component(z)) == NULL ||
	    (copy = icalcomponent_new_clone(c)) == NULL)
		return -1;
	icaltimezone_truncate_vtimezone(copy, icaltime_from_timet_with_zone(
	    since - 366 * 86400, 0, icaltimezone_get_utc_timezone()),
	    icaltime_null_time(), 1);
	/* Not "/freeassociation.sourceforge.net/...": calendars know IANA
	 * names, and the events name the zone so. */
	if ((p = icalcomponent_get_first_property(copy,
	    ICAL_TZID_PROPERTY)) != NULL)
		icalproperty_set_tzid(p, zone);
	icalcomponent_add_component(cal, copy);
	return 0;
}

/*
 * How often a subscribed calendar should fetch again: RFC 7986's
 * REFRESH-INTERVAL, and X-PUBLISHED-TTL, which Outlook and Apple read.
 */
static void
export_refresh(icalcomponent *cal, int minutes)
{
	struct icaldurationtype	 d = icaldurationtype_null_duration();
	icalproperty		*p;
	char			 ttl[32];

	if (minutes <= 0)
		return;
	d.hours = (unsigned int)(minutes / 60);
	d.minutes = (unsigned int)(minutes % 60);
	if ((p = icalproperty_new_refreshinterval(d)) != NULL) {
		icalproperty_add_parameter(p,
		    icalparameter_new_value(ICAL_VALUE_DURATION));
		icalcomponent_add_property(cal, p);
	}
	snprintf(ttl, sizeof(ttl), "%s", icaldurationtype_as_ical_string(d));
	if ((p = icalproperty_new_x(ttl)) != NULL) {
		icalproperty_set_x_name(p, "X-PUBLISHED-TTL");
		icalcomponent_add_property(cal, p);
	}
}

/* A page after the first: its events, and the calendar's end after the
 * last. */
static int
export_calendar_rest(struct export *x, struct strbuf *out)
{
	strbuf_add(out, x->events.s != NULL ? x->events.s : "",
	    x->events.len);
	if (x->next[0] == '\0')
		strbuf_adds(out, "END:VCALENDAR\r\n");
	return out->failed ? ctx_internal(x->ctx) : 0;
}

/* VCALENDAR, its properties and VTIMEZONEs, then the events. */
static int
export_calendar(struct export *x, struct strbuf *out)
{
	icalcomponent	*cal;
	icalproperty	*calname;
	const char	*practice;
	char		 name[256], who[128], *text, *end;
	size_t		 i;
	int		 rc = 0;

	practice = x->ctx->pd->conf->practice_name;
	if (practice == NULL || *practice == '\0')
		practice = "practiced";
	snprintf(name, sizeof(name), "%s", practice);
	if (x->q->clinician_id != 0) {
		if (export_text_of(x, clinician_name_sql, x->q->clinician_id,
		    who, sizeof(who)) == -1)
			return -1;
		snprintf(name, sizeof(name), "%s: %s", practice, who);
	}
	if ((cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
	    icalproperty_new_version("2.0"),
	    icalproperty_new_prodid("-//practiced//practiced "
	    PRACTICED_VERSION "//EN"),
	    icalproperty_new_calscale("GREGORIAN"), (void *)0)) == NULL)
		return ctx_internal(x->ctx);
	if ((calname = icalproperty_new_x(name)) != NULL) {
		icalproperty_set_x_name(calname, "X-WR-CALNAME");
		icalcomponent_add_property(cal, calname);
	}
	export_refresh(cal, x->q->refresh_minutes);
	for (i = 0; i < x->nzones && rc == 0; i++)
		rc = export_vtimezone(cal, x->zones[i], x->zone_since[i]);
	text = rc == 0 ? icalcomponent_as_ical_string_r(cal) : NULL;
	icalcomponent_free(cal);
	if (text == NULL)
		return ctx_internal(x->ctx);
	/* The events go in before the calendar's last line. */
	if ((end = strstr(text, "END:VCALENDAR")) != NULL)
		*end = '\0';
	strbuf_adds(out, text);
	icalmemory_free_buffer(text);
	if (end == NULL)
		return ctx_internal(x->ctx);
	return export_calendar_rest(x, out);
}

static int
export_check_window(struct ctx *ctx, const struct export_query *q)
{
	if (q->to <= q->from || q->to - q->from >
	    (time_t)(EXPORT_MAX_DAYS + 1) * 86400)
		return ctx_error(ctx, PROTO_EBADREQUEST, "an export covers "
		    "from 1 to %d days", EXPORT_MAX_DAYS);
	return 0;
}

/* The zones of every page, for the first page's VTIMEZONEs. */
static int
export_all_zones(struct export *x)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = db_stmt(x->ctx->pd->db, x->q->clinician_id != 0 ?
	    zones_of_sql : zones_sql)) == NULL)
		return ctx_internal(x->ctx);
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)x->q->from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)x->q->to);
	sqlite3_bind_int64(stmt, 3, x->q->clinician_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (export_use_zone(x, db_column_text(stmt, 0),
		    (time_t)sqlite3_column_int64(stmt, 1)) == -1)
			break;
	sqlite3_reset(stmt);
	if (ctx_failed(x->ctx))
		return -1;
	return rc == SQLITE_DONE ? 0 : ctx_internal(x->ctx);
}

/* A cursor of a page before: "s<series>" or "a<start>.<session>". */
static int
export_cursor(struct export *x, const char *page)
{
	long long	 a, b;
	int		 n = 0;

	if (page[0] == 's' && sscanf(page + 1, "%lld%n", &a, &n) == 1 &&
	    page[1 + n] == '\0' && a > 0) {
		x->after_series = a;
		return 0;
	}
	if (page[0] == 'a' && sscanf(page + 1, "%lld.%lld%n", &a, &b,
	    &n) == 2 && page[1 + n] == '\0' && b > 0) {
		x->singles_only = 1;
		x->after_start = (time_t)a;
		x->after_id = b;
		return 0;
	}
	return ctx_error(x->ctx, PROTO_EBADREQUEST, "page must be \"%s\" "
	    "or the \"%s\" of the page before", PROTO_EXPORT_FIRST,
	    PROTO_CALENDAR_NEXT);
}

static struct export *
export_new(struct ctx *ctx, const struct export_query *q)
{
	struct export	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		ctx_internal(ctx);
		return NULL;
	}
	x->ctx = ctx;
	x->q = q;
	x->max = q->max_bytes != 0 ? q->max_bytes : EXPORT_MAX_BYTES;
	if (ical_practice_uid(ctx, x->uid, sizeof(x->uid)) == -1) {
		free(x);
		return NULL;
	}
	return x;
}

static void
export_free(struct export *x)
{
	free(strbuf_finish(&x->events));
	free(x);
}

int
ical_export(struct ctx *ctx, const struct export_query *q,
    struct strbuf *out)
{
	struct export	*x;
	int		 rc = -1;

	if (export_check_window(ctx, q) == -1 ||
	    (x = export_new(ctx, q)) == NULL)
		return -1;
	if (export_series_all(x) == 0 && export_singles(x) == 0 &&
	    export_calendar(x, out) == 0)
		rc = 0;
	export_free(x);
	return rc;
}

int
ical_export_page(struct ctx *ctx, const struct export_query *q,
    struct strbuf *out, char *next, size_t nextlen)
{
	struct export	*x;
	int		 first = q->page == NULL || q->page[0] == '\0', rc = -1;

	if (export_check_window(ctx, q) == -1 ||
	    (x = export_new(ctx, q)) == NULL)
		return -1;
	x->paged = 1;
	/* A page's bound is the page's, past which it ends early. */
	if (x->max < EXPORT_PAGE_BYTES * 2)
		x->max = EXPORT_PAGE_BYTES * 2;
	if ((first || export_cursor(x, q->page) == 0) &&
	    (!first || export_all_zones(x) == 0) &&
	    export_series_all(x) == 0 && export_singles(x) == 0 &&
	    (first ? export_calendar(x, out) :
	    export_calendar_rest(x, out)) == 0) {
		snprintf(next, nextlen, "%s", x->next);
		rc = 0;
	}
	export_free(x);
	return rc;
}
