/* Recurrence rules through libical: parse, describe, expand. */
#ifndef PRACTICED_RECUR_H
#define PRACTICED_RECUR_H

#include <stddef.h>
#include <time.h>

#include "tz.h"

#define RECUR_RULE_MAX		256
#define RECUR_MAX_COUNT		500
/* recur_expand stops after this many occurrences (rules that never end). */
#define RECUR_MAX_STEPS		20000

struct recur_rule {
	char	 rrule[RECUR_RULE_MAX];	/* normalized, without UNTIL */
	int	 count;			/* 0: none */
	int	 has_until;		/* an UNTIL came inside the rule */
	struct tz_wall until;		/* its last day, local */
};

/*
 * "weekly", "biweekly", "monthly" (same weekday position as first) or
 * an RRULE.  -1 with a reason when it is not one we book.
 */
int	recur_parse(const char *repeat, const struct tz_wall *first,
	    struct recur_rule *, char *err, size_t errlen);
/* "weekly on Monday", "every 2 weeks on Monday", ... */
void	recur_describe(const char *rrule, const struct tz_wall *first,
	    char *buf, size_t len);

/*
 * Each occurrence from first on, as a wall time in zone and an instant,
 * until the callback returns non-zero, the instant reaches end, or the
 * rule ends.  Returns the callback's value, or -1 if the rule is bad.
 */
typedef int (*recur_cb)(void *arg, const struct tz_wall *, time_t);
int	recur_expand(const char *rrule, const char *zone,
	    const struct tz_wall *first, time_t end, recur_cb, void *arg);



/*
 * The rule for a series whose days move by delta_days (to new_wday):
 * a single BYDAY follows; several weekly days all move when multi is
 * set; a rule tied to dates cannot move.
 */
int	recur_shift(const char *rrule, int delta_days, int new_wday,
	    int multi, char *out, size_t outlen, char *err, size_t errlen);
/* The rule with COUNT set to count (0 removes it). */
int	recur_set_count(const char *rrule, int count, char *out,
	    size_t outlen);
#endif
