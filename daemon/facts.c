/*
 * A small open-addressing table of facts by (kind, id); see facts.h.
 */
#include <stdlib.h>
#include <string.h>

#include "facts.h"

#define FACTS_SLOTS	1024	/* a power of two; full at three quarters */

struct fact_slot {
	int		 used;
	enum fact_kind	 kind;
	long long	 id;
	struct fact	 f;
};

struct facts {
	struct fact_slot	 slot[FACTS_SLOTS];
	size_t			 used;
};

struct facts *
facts_new(void)
{
	return calloc(1, sizeof(struct facts));
}

void
facts_free(struct facts *t)
{
	free(t);
}

void
facts_clear(struct facts *t)
{
	if (t != NULL && t->used > 0) {
		memset(t->slot, 0, sizeof(t->slot));
		t->used = 0;
	}
}

static size_t
facts_hash(enum fact_kind kind, long long id)
{
	unsigned long long	 h = (unsigned long long)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)((h >> 32) ^ (unsigned)kind) & (FACTS_SLOTS - 1);
}

/* The slot of (kind, id), or the empty one where it would go. */
static struct fact_slot *
facts_find(const struct facts *t, enum fact_kind kind, long long id)
{
	size_t	 i = facts_hash(kind, id);

	while (t->slot[i].used &&
	    (t->slot[i].kind != kind || t->slot[i].id != id))
		i = (i + 1) & (FACTS_SLOTS - 1);
	return (struct fact_slot *)&t->slot[i];
}

int
facts_get(const struct facts *t, enum fact_kind kind, long long id,
    struct fact *f)
{
	const struct fact_slot	*s;

	if (t == NULL)
		return 0;
	s = facts_find(t, kind, id);
	if (!s->used)
		return 0;
	*f = s->f;
	return 1;
}

void
facts_put(struct facts *t, enum fact_kind kind, long long id,
    const struct fact *f)
{
	struct fact_slot	*s;

	if (t == NULL)
		return;
	if (t->used >= FACTS_SLOTS / 4 * 3)
		facts_clear(t);
	s = facts_find(t, kind, id);
	if (!s->used) {
		s->used = 1;
		s->kind = kind;
		s->id = id;
		t->used++;
	}
	s->f = *f;
}
