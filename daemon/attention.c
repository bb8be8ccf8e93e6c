/*
 * What a booked session ahead needs: the rules a booking is checked
 * against (hours.c, closures, the archive), asked again of a session
 * already booked, since hours, closures and archives change after it.
 * Past and cancelled sessions need nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "attention.h"
#include "ctx.h"
#include "hours.h"
#include "schedule.h"

/* One clinician's hours, joined, as read for the answer under way. */
struct attention_hours {
	long long		 clinician_id;
	size_t			 n;
	struct hours_range	 r[HOURS_MAX];
};

/* The answer under way (begin to end); the loop is single-threaded. */
static struct {
	int			 on;
	struct attention_hours	*v;
	size_t			 n;
} cache;

void
attention_begin(void)
{
	cache.on = 1;
	cache.n = 0;
}

void
attention_end(void)
{
	free(cache.v);
	memset(&cache, 0, sizeof(cache));
}

/* The clinician's hours, from the cache when one is kept. */
static const struct attention_hours *
attention_hours(struct ctx *ctx, long long clinician_id,
    struct attention_hours *one)
{
	struct attention_hours	*grown;
	size_t			 i;

	for (i = 0; cache.on && i < cache.n; i++)
		if (cache.v[i].clinician_id == clinician_id)
			return &cache.v[i];
	one->clinician_id = clinician_id;
	if (schedule_hours(ctx, clinician_id, 1, one->r, &one->n) == -1)
		return NULL;
	if (!cache.on || (grown = reallocarray(cache.v, cache.n + 1,
	    sizeof(*cache.v))) == NULL)
		return one;
	cache.v = grown;
	cache.v[cache.n] = *one;
	return &cache.v[cache.n++];
}

json_t *
attention_codes(struct ctx *ctx, const struct attention_row *a)
{
	struct attention_hours		 one;
	const struct attention_hours	*h;
	json_t				*codes;

	if ((codes = json_array()) == NULL)
		return NULL;
	if (a->start <= ctx->now || (strcmp(a->state, "booked") != 0 &&
	    strcmp(a->state, "confirmed") != 0))
		return codes;
	if ((h = attention_hours(ctx, a->clinician_id, &one)) == NULL) {
		json_decref(codes);
		return NULL;
	}
	if (!hours_cover(h->r, h->n, a->zone, a->start, a->end))
		json_array_append_new(codes, json_string(PROTO_ATTN_HOURS));
	if (a->on_closure)
		json_array_append_new(codes, json_string(PROTO_ATTN_CLOSURE));
	if (!a->clinician_active)
		json_array_append_new(codes,
		    json_string(PROTO_ATTN_CLINICIAN));
	if (!a->client_active)
		json_array_append_new(codes, json_string(PROTO_ATTN_CLIENT));
	if (a->has_room && !a->room_active)
		json_array_append_new(codes, json_string(PROTO_ATTN_ROOM));
	return codes;
}
