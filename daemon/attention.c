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

/*
 * The answer under way (begin to end); the loop is single-threaded.
 * Its sessions that need nothing share one empty array rather than
 * each allocate its own: a list of 50,000 sessions is built whole
 * before it is sent.
 */
static struct {
	int			 on;
	struct attention_hours	*v;
	size_t			 n;
	json_t			*none;
} cache;

void
attention_begin(void)
{
	cache.on = 1;
	cache.n = 0;
	cache.none = json_array();
}

void
attention_end(void)
{
	free(cache.v);
	json_decref(cache.none);
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

/* The codes as an array, the shared empty one when there are none. */
static json_t *
attention_array(const char **codes, size_t n)
{
	json_t	*array;
	size_t	 i;

	if (n == 0 && cache.none != NULL)
		return json_incref(cache.none);
	if ((array = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (json_array_append_new(array, json_string(codes[i])) == -1) {
			json_decref(array);
			return NULL;
		}
	return array;
}

json_t *
attention_codes(struct ctx *ctx, const struct attention_row *a)
{
	struct attention_hours		 one;
	const struct attention_hours	*h;
	const char			*codes[7];
	size_t				 n = 0;

	if (a->start <= ctx->now || (strcmp(a->state, "booked") != 0 &&
	    strcmp(a->state, "confirmed") != 0))
		return attention_array(codes, 0);
	if ((h = attention_hours(ctx, a->clinician_id, &one)) == NULL)
		return NULL;
	if (!hours_cover(h->r, h->n, a->zone, a->start, a->end))
		codes[n++] = PROTO_ATTN_HOURS;
	if (a->on_closure)
		codes[n++] = PROTO_ATTN_CLOSURE;
	if (!a->clinician_active)
		codes[n++] = PROTO_ATTN_CLINICIAN;
	if (!a->client_active)
		codes[n++] = PROTO_ATTN_CLIENT;
	if (a->has_room && !a->room_active)
		codes[n++] = PROTO_ATTN_ROOM;
	if (a->on_busy)
		codes[n++] = PROTO_ATTN_BUSY;
	if (a->imported_clash)
		codes[n++] = PROTO_ATTN_IMPORTED_CLASH;
	return attention_array(codes, n);
}
