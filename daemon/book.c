/*
 * Booking, moving, cancelling, restoring and marking one appointment:
 * the rules (appt_rules.c), the row (appt.c) and the audit, in the
 * caller's transaction.  A scope of following or all hands over to the series.
 */
#include <stdio.h>
#include <string.h>

#include "appt.h"
#include "audit.h"
#include "book.h"
#include "config.h"
#include "ctx.h"
#include "lookup.h"
#include "practiced.h"
#include "series.h"
#include "tz.h"

int
book_plan(struct ctx *ctx, const struct appt_booking *b,
    struct appt_plan *p)
{
	p->slot.clinician_id = b->clinician_id;
	p->slot.room_id = b->room_id;
	p->slot.client_id = b->client_id;
	p->slot.start = b->start;
	p->force = b->force;
	p->overlap = b->overlap;
	if (lookup_require_active(ctx, KIND_CLIENT, b->client_id) == -1 ||
	    lookup_require_active(ctx, KIND_SERVICE, b->service_id) == -1)
		return -1;
	if (appt_service_length(ctx, b->service_id, p) == -1)
		return ctx_internal(ctx);
	return 0;
}

static void
book_row(const struct appt_plan *p, const char *video, struct appt_new *a)
{
	memset(a, 0, sizeof(*a));
	a->clinician_id = p->slot.clinician_id;
	a->room_id = p->slot.room_id;
	a->video = video;
	a->start = p->slot.start;
	a->end = p->slot.end;
	a->block_end = p->slot.block_end;
	a->zone = p->zone;
	a->forced = p->forced;
	a->overlap = p->overlapped;
}

int
book_new(struct ctx *ctx, const struct appt_booking *b,
    struct appt_result *res)
{
	struct appt_plan	 p;
	struct appt_new		 a;
	char			 when[TZ_BUFLEN];
	long long		 id;

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	if (book_plan(ctx, b, &p) == -1 || appt_check(ctx, &p) == -1)
		goto fail;
	book_row(&p, b->video, &a);
	a.client_id = b->client_id;
	a.service_id = b->service_id;
	if (appt_insert(ctx, &a, &id) == -1)
		goto fail;
	tz_format_local(p.zone, p.slot.start, when);
	if (audit_record(ctx, "appointment.book", "appointment", id,
	    "client %lld, clinician %lld, %s %s%s", b->client_id,
	    p.slot.clinician_id, when, p.zone, appt_flags_note(&p)) == -1)
		goto fail;
	res->appt_id = id;
	res->count = 1;
	res->overlap = p.overlapped;
	res->warnings = p.warnings;
	return 0;
fail:
	json_decref(p.warnings);
	return -1;
}

/* Where the session goes: what the change names, else where it was. */
static void
book_move_where(const struct appt_row *row, const struct appt_change *ch,
    struct appt_plan *p, const char **video)
{
	*video = row->has_video ? row->video : NULL;
	p->slot.clinician_id = ch->clinician_id != 0 ? ch->clinician_id :
	    row->clinician_id;
	p->slot.room_id = row->room_id;
	p->slot.client_id = row->client_id;
	if (ch->room_id < 0)
		p->slot.room_id = 0;
	else if (ch->room_id > 0) {
		p->slot.room_id = ch->room_id;
		*video = NULL;
	}
	if (ch->video_given) {
		*video = ch->video;
		if (ch->video != NULL)
			p->slot.room_id = 0;
	}
}

/* A room id for the audit: "3", or "none". */
static const char *
book_room_text(long long id, char *buf, size_t len)
{
	if (id == 0)
		return "none";
	snprintf(buf, len, "%lld", id);
	return buf;
}

/*
 * What a move changed, for the audit: the time, the clinician, and the
 * room or video link when they changed (a link is named, never copied).
 */
static void
book_move_note(const struct appt_row *row, const struct appt_plan *p,
    const char *video, char *buf, size_t len)
{
	char	 was[TZ_BUFLEN], now[TZ_BUFLEN], r1[24], r2[24];
	size_t	 off;

	tz_format_local(p->zone, row->start, was);
	tz_format_local(p->zone, p->slot.start, now);
	if (row->start != p->slot.start)
		snprintf(buf, len, "from %s to %s %s", was, now, p->zone);
	else
		snprintf(buf, len, "at %s %s (time unchanged)", was, p->zone);
	off = strlen(buf);
	if (row->clinician_id != p->slot.clinician_id)
		snprintf(buf + off, len - off, ", clinician %lld -> %lld",
		    row->clinician_id, p->slot.clinician_id);
	else
		snprintf(buf + off, len - off, ", clinician %lld",
		    p->slot.clinician_id);
	off = strlen(buf);
	if (row->room_id != p->slot.room_id)
		snprintf(buf + off, len - off, ", room %s -> %s",
		    book_room_text(row->room_id, r1, sizeof(r1)),
		    book_room_text(p->slot.room_id, r2, sizeof(r2)));
	off = strlen(buf);
	if (!row->has_video != (video == NULL) ||
	    (video != NULL && strcmp(video, row->video) != 0))
		snprintf(buf + off, len - off, ", video link %s",
		    video == NULL ? "removed" : row->has_video ? "changed" :
		    "added");
}

static int
book_move_one(struct ctx *ctx, const struct appt_row *row,
    const struct appt_change *ch, struct appt_result *res)
{
	struct appt_plan	 p;
	struct appt_new		 a;
	const char		*video;
	char			 note[400];

	memset(&p, 0, sizeof(p));
	p.force = ch->force;
	p.overlap = ch->overlap;
	book_move_where(row, ch, &p, &video);
	p.slot.id = row->id;
	p.slot.start = ch->same_time ? row->start : ch->start;
	p.slot.end = p.slot.start + (row->end - row->start);
	p.slot.block_end = p.slot.end + (row->block_end - row->end);
	if (appt_check(ctx, &p) == -1)
		goto fail;
	book_row(&p, video, &a);
	a.series_id = row->series_id;
	a.recurrence = row->recurrence;
	/* Off its rule's time, a session of a series is an override. */
	if (appt_move(ctx, row->id, &a, row->series_id != 0) == -1)
		goto fail;
	book_move_note(row, &p, video, note, sizeof(note));
	if (audit_record(ctx, "appointment.move", "appointment", row->id,
	    "%s%s", note, appt_flags_note(&p)) == -1)
		goto fail;
	res->appt_id = row->id;
	res->series_id = row->series_id;
	res->count = 1;
	res->warnings = p.warnings != NULL ? p.warnings : json_array();
	return 0;
fail:
	json_decref(p.warnings);
	return -1;
}

static int
book_in_series(struct ctx *ctx, const struct appt_row *row)
{
	if (row->series_id != 0)
		return 0;
	return ctx_error(ctx, PROTO_EBADREQUEST, "appointment %lld is not "
	    "part of a series; following and all apply to series", row->id);
}

int
book_move(struct ctx *ctx, long long id, const struct appt_change *ch,
    struct appt_result *res)
{
	struct appt_row	 row;

	memset(res, 0, sizeof(*res));
	if (appt_load_open(ctx, id, &row, "moved") == -1)
		return -1;
	if (ch->scope == APPT_THIS)
		return book_move_one(ctx, &row, ch, res);
	if (book_in_series(ctx, &row) == -1)
		return -1;
	return series_move(ctx, &row, ch, res);
}

int
book_cancel(struct ctx *ctx, long long id, enum appt_scope scope,
    const char *by, const char *reason, struct appt_result *res)
{
	struct appt_row	 row;
	int		 late;

	memset(res, 0, sizeof(*res));
	if (appt_load_open(ctx, id, &row, "cancelled") == -1)
		return -1;
	/* Inside the late window who cancels decides the fee: no default. */
	if (by == NULL && row.start < appt_late_before(ctx))
		return ctx_error(ctx, PROTO_EBADREQUEST, "appointment %lld "
		    "starts within the %d-hour late-cancel window: say who "
		    "cancels, --by client (a late cancellation) or --by "
		    "practice", id, ctx->pd->conf->late_cancel_hours);
	if (by == NULL)
		by = "practice";
	if (scope != APPT_THIS) {
		if (book_in_series(ctx, &row) == -1)
			return -1;
		return series_cancel(ctx, &row, scope, by, reason, res);
	}
	if (appt_cancel(ctx, id, by, reason, &late) == -1 ||
	    audit_record(ctx, "appointment.cancel", "appointment", id,
	    "by %s%s", by, late ? ", late" : "") == -1)
		return -1;
	res->appt_id = id;
	res->series_id = row.series_id;
	res->count = 1;
	return 0;
}

static int
book_mark_allowed(struct ctx *ctx, const struct appt_row *row,
    const char *state)
{
	int	 outcome = strcmp(state, "attended") == 0 ||
		    strcmp(state, "no-show") == 0;
	char	 when[TZ_BUFLEN];

	if (strcmp(row->state, "cancelled") == 0 && outcome)
		return ctx_error(ctx, PROTO_ESTATE, "appointment %lld is "
		    "cancelled and cannot be marked %s", row->id, state);
	/* Booking it again is a restore: every rule checked anew. */
	if (strcmp(row->state, "cancelled") == 0)
		return ctx_error(ctx, PROTO_ESTATE, "appointment %lld is "
		    "cancelled and cannot be marked %s; to book it again, "
		    "restore it (practicectl restore %lld)", row->id, state,
		    row->id);
	if (outcome && row->start > ctx->now) {
		tz_format_local(ctx->tz, row->start, when);
		return ctx_error(ctx, PROTO_ESTATE, "appointment %lld has "
		    "not started yet (it starts %s %s)", row->id, when,
		    ctx->tz);
	}
	if (!outcome && !appt_is_open(row))
		return ctx_error(ctx, PROTO_ESTATE, "appointment %lld is "
		    "already marked %s", row->id, row->state);
	return 0;
}

int
book_mark(struct ctx *ctx, long long id, const char *state,
    struct appt_result *res)
{
	struct appt_row	 row;

	memset(res, 0, sizeof(*res));
	if (appt_load(ctx, id, &row) == -1 ||
	    book_mark_allowed(ctx, &row, state) == -1)
		return -1;
	if (strcmp(row.state, state) != 0 &&
	    (appt_mark(ctx, id, state) == -1 ||
	    audit_record(ctx, "appointment.mark", "appointment", id,
	    "%s -> %s", row.state, state) == -1))
		return -1;
	res->appt_id = id;
	return 0;
}

/* Only a cancelled session still ahead (or forced) is booked again. */
static int
book_restore_allowed(struct ctx *ctx, const struct appt_row *row,
    int force)
{
	char	 when[TZ_BUFLEN];

	if (strcmp(row->state, "cancelled") != 0)
		return ctx_error(ctx, PROTO_ESTATE, "appointment %lld is %s, "
		    "not cancelled: only a cancelled session can be restored",
		    row->id, row->state);
	if (row->start < ctx->now && !force) {
		tz_format_local(ctx->tz, row->start, when);
		return ctx_error(ctx, PROTO_EPAST, "appointment %lld started "
		    "%s (%s), in the past: a session is restored while it is "
		    "still ahead; use --force to record a past one", row->id,
		    when, ctx->tz);
	}
	return 0;
}

int
book_restore(struct ctx *ctx, long long id, int force, int overlap,
    struct appt_result *res)
{
	struct appt_row		 row;
	struct appt_plan	 p;
	char			 when[TZ_BUFLEN];

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	if (appt_load(ctx, id, &row) == -1 ||
	    book_restore_allowed(ctx, &row, force) == -1)
		return -1;
	p.slot.id = row.id;
	p.slot.clinician_id = row.clinician_id;
	p.slot.room_id = row.room_id;
	p.slot.client_id = row.client_id;
	p.slot.start = row.start;
	p.slot.end = row.end;
	p.slot.block_end = row.block_end;
	p.force = force;
	p.overlap = overlap;
	if (lookup_require_active(ctx, KIND_CLIENT, row.client_id) == -1 ||
	    lookup_require_active(ctx, KIND_SERVICE, row.service_id) == -1 ||
	    appt_check(ctx, &p) == -1 ||
	    appt_restore(ctx, id, p.forced, p.overlapped) == -1)
		goto fail;
	tz_format_local(p.zone, row.start, when);
	if (audit_record(ctx, "appointment.restore", "appointment", id,
	    "cancelled -> booked, %s %s, client %lld, clinician %lld%s", when,
	    p.zone, row.client_id, row.clinician_id,
	    appt_flags_note(&p)) == -1)
		goto fail;
	res->appt_id = id;
	res->series_id = row.series_id;
	res->count = 1;
	res->warnings = p.warnings;
	return 0;
fail:
	json_decref(p.warnings);
	return -1;
}
