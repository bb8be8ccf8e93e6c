/*
 * Series rules.  libical expands the RRULE in floating wall time from
 * the first occurrence; each wall time is then placed in the series' zone,
 * so a 09:00 session stays at 09:00 across daylight saving changes.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include <libical/ical.h>

#include "recur.h"

static const char *weekday_codes[8] = {
	"", "SU", "MO", "TU", "WE", "TH", "FR", "SA"
};
static const char *weekday_names[8] = {
	"", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};

/* Our Monday-first weekday to libical's Sunday-first enum. */
static int
ical_weekday(int wday)
{
	return (wday + 1) % 7 + 1;
}

static int
recur_keyword(const char *repeat, const struct tz_wall *first, char *buf,
    size_t len)
{
	int	 pos;

	if (strcasecmp(repeat, "weekly") == 0)
		snprintf(buf, len, "FREQ=WEEKLY");
	else if (strcasecmp(repeat, "biweekly") == 0)
		snprintf(buf, len, "FREQ=WEEKLY;INTERVAL=2");
	else if (strcasecmp(repeat, "monthly") == 0) {
		/* The 5th weekday of a month is its last one. */
		pos = (first->day - 1) / 7 + 1;
		snprintf(buf, len, "FREQ=MONTHLY;BYDAY=%d%s",
		    pos == 5 ? -1 : pos,
		    weekday_codes[ical_weekday(first->wday)]);
	} else
		return -1;
	return 0;
}

static int
recur_check(struct icalrecurrencetype *r, char *err, size_t errlen)
{
	if (r->freq != ICAL_DAILY_RECURRENCE &&
	    r->freq != ICAL_WEEKLY_RECURRENCE &&
	    r->freq != ICAL_MONTHLY_RECURRENCE &&
	    r->freq != ICAL_YEARLY_RECURRENCE) {
		snprintf(err, errlen, "a series repeats daily, weekly, "
		    "monthly or yearly");
		return -1;
	}
	if (r->interval < 1 || r->interval > 52) {
		snprintf(err, errlen, "INTERVAL must be 1 to 52");
		return -1;
	}
	if (r->count < 0 || r->count > RECUR_MAX_COUNT) {
		snprintf(err, errlen, "COUNT must be 1 to %d",
		    RECUR_MAX_COUNT);
		return -1;
	}
	if (r->by_second[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		snprintf(err, errlen, "BYHOUR, BYMINUTE and BYSECOND are not "
		    "used: a series keeps the time of its first session");
		return -1;
	}
	return 0;
}

static void
recur_take_until(struct icalrecurrencetype *r, struct recur_rule *out)
{
	if (icaltime_is_null_time(r->until))
		return;
	out->has_until = 1;
	memset(&out->until, 0, sizeof(out->until));
	out->until.year = r->until.year;
	out->until.month = r->until.month;
	out->until.day = r->until.day;
	r->until = icaltime_null_time();
}

int
recur_parse(const char *repeat, const struct tz_wall *first,
    struct recur_rule *out, char *err, size_t errlen)
{
	struct icalrecurrencetype	 r;
	char				 text[RECUR_RULE_MAX], *norm;

	memset(out, 0, sizeof(*out));
	if (strncasecmp(repeat, "RRULE:", 6) == 0)
		repeat += 6;
	if (recur_keyword(repeat, first, text, sizeof(text)) == -1) {
		if (strlen(repeat) >= sizeof(text) ||
		    strncasecmp(repeat, "FREQ=", 5) != 0) {
			snprintf(err, errlen, "repeat must be weekly, biweekly, "
			    "monthly or an RRULE such as FREQ=WEEKLY;BYDAY=MO");
			return -1;
		}
		snprintf(text, sizeof(text), "%s", repeat);
	}
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(text);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		snprintf(err, errlen, "\"%.60s\" is not a valid RRULE", repeat);
		return -1;
	}
	if (recur_check(&r, err, errlen) == -1)
		return -1;
	recur_take_until(&r, out);
	out->count = r.count;
	if ((norm = icalrecurrencetype_as_string_r(&r)) == NULL) {
		snprintf(err, errlen, "cannot write the rule");
		return -1;
	}
	snprintf(out->rrule, sizeof(out->rrule), "%s", norm);
	icalmemory_free_buffer(norm);
	return 0;
}

void
recur_describe(const char *rrule, const struct tz_wall *first, char *buf,
    size_t len)
{
	struct icalrecurrencetype	 r;
	const char			*day = weekday_names[
					    ical_weekday(first->wday)];
	int				 simple;

	r = icalrecurrencetype_from_string(rrule);
	icalerror_clear_errno();
	simple = r.by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r.by_month[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r.by_year_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r.by_set_pos[0] == ICAL_RECURRENCE_ARRAY_MAX;
	if (r.freq == ICAL_WEEKLY_RECURRENCE && simple &&
	    (r.by_day[0] == ICAL_RECURRENCE_ARRAY_MAX ||
	    (r.by_day[1] == ICAL_RECURRENCE_ARRAY_MAX &&
	    icalrecurrencetype_day_position(r.by_day[0]) == 0 &&
	    (int)icalrecurrencetype_day_day_of_week(r.by_day[0]) ==
	    ical_weekday(first->wday)))) {
		if (r.interval == 1)
			snprintf(buf, len, "weekly on %s", day);
		else
			snprintf(buf, len, "every %d weeks on %s",
			    r.interval, day);
	} else if (r.freq == ICAL_MONTHLY_RECURRENCE && simple &&
	    r.interval == 1 && r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    r.by_day[1] == ICAL_RECURRENCE_ARRAY_MAX) {
		int	 pos = icalrecurrencetype_day_position(r.by_day[0]);
		static const char *nth[] = { "", "1st", "2nd", "3rd", "4th" };

		snprintf(buf, len, "monthly on the %s %s",
		    pos == -1 ? "last" : pos >= 1 && pos <= 4 ? nth[pos] : "?",
		    weekday_names[icalrecurrencetype_day_day_of_week(
		    r.by_day[0])]);
	} else if (r.freq == ICAL_DAILY_RECURRENCE && simple &&
	    r.by_day[0] == ICAL_RECURRENCE_ARRAY_MAX)
		snprintf(buf, len, r.interval == 1 ? "daily" :
		    "every %d days", r.interval);
	else
		snprintf(buf, len, "%s", rrule);
}

int
recur_expand(const char *rrule, const char *zone,
    const struct tz_wall *first, time_t end, recur_cb cb, void *arg)
{
	struct icalrecurrencetype	 r;
	struct icaltimetype		 start, next;
	icalrecur_iterator		*it;
	struct tz_wall			 w;
	time_t				 t;
	int				 steps, rc = 0;

	r = icalrecurrencetype_from_string(rrule);
	if (r.freq == ICAL_NO_RECURRENCE) {
		icalerror_clear_errno();
		return -1;
	}
	start = icaltime_null_time();
	start.year = first->year;
	start.month = first->month;
	start.day = first->day;
	start.hour = first->hour;
	start.minute = first->minute;
	if ((it = icalrecur_iterator_new(r, start)) == NULL) {
		icalerror_clear_errno();
		return -1;
	}
	for (steps = 0; steps < RECUR_MAX_STEPS; steps++) {
		next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next))
			break;
		memset(&w, 0, sizeof(w));
		w.year = next.year;
		w.month = next.month;
		w.day = next.day;
		w.hour = next.hour;
		w.minute = next.minute;
		w.wday = (icaltime_day_of_week(next) + 5) % 7;
		t = tz_from_wall_rfc(zone, &w);
		if (t >= end || (rc = cb(arg, &w, t)) != 0)
			break;
	}
	icalrecur_iterator_free(it);
	return rc;
}

/* Every weekly BYDAY moved by delta days; -1 if one has a position. */
static int
recur_shift_days(struct icalrecurrencetype *r, int delta)
{
	int	 i, dow, shift = ((delta % 7) + 7) % 7;

	for (i = 0; i < ICAL_BY_DAY_SIZE &&
	    r->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		if (icalrecurrencetype_day_position(r->by_day[i]) != 0)
			return -1;
		dow = (int)icalrecurrencetype_day_day_of_week(r->by_day[i]);
		r->by_day[i] = (short)((dow - 1 + shift) % 7 + 1);
	}
	return 0;
}

int
recur_shift(const char *rrule, int delta_days, int new_wday, int multi,
    char *out, size_t outlen, char *err, size_t errlen)
{
	struct icalrecurrencetype	 r;
	char				*text;
	int				 pos, sign, several;

	r = icalrecurrencetype_from_string(rrule);
	icalerror_clear_errno();
	if (r.freq == ICAL_NO_RECURRENCE) {
		snprintf(err, errlen, "the series has a bad rule");
		return -1;
	}
	several = r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    r.by_day[1] != ICAL_RECURRENCE_ARRAY_MAX;
	if (delta_days != 0 &&
	    (r.by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    (several && (!multi || recur_shift_days(&r, delta_days) == -1)))) {
		snprintf(err, errlen, "this series' rule (%s) ties it to its "
		    "days; only its time can change%s", rrule, several &&
		    !multi ? " from one session on (move all of them "
		    "instead)" : "");
		return -1;
	}
	if (delta_days % 7 != 0 && r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    !several) {
		pos = icalrecurrencetype_day_position(r.by_day[0]);
		sign = pos < 0 ? -1 : 1;
		r.by_day[0] = (short)(sign * (abs(pos) * 8 +
		    ical_weekday(new_wday)));
	}
	if ((text = icalrecurrencetype_as_string_r(&r)) == NULL) {
		snprintf(err, errlen, "cannot write the rule");
		return -1;
	}
	snprintf(out, outlen, "%s", text);
	icalmemory_free_buffer(text);
	return 0;
}

int
recur_set_count(const char *rrule, int count, char *out, size_t outlen)
{
	struct icalrecurrencetype	 r;
	char				*text;

	r = icalrecurrencetype_from_string(rrule);
	icalerror_clear_errno();
	if (r.freq == ICAL_NO_RECURRENCE)
		return -1;
	r.count = count;
	if ((text = icalrecurrencetype_as_string_r(&r)) == NULL)
		return -1;
	snprintf(out, outlen, "%s", text);
	icalmemory_free_buffer(text);
	return 0;
}
