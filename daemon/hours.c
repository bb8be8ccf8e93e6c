/*
 * The hours grammar: day groups (mon, mon-thu, mon,wed, daily,
 * weekdays, weekends), each followed by one or more HH:MM-HH:MM ranges
 * separated by blanks or commas.  "none" or nothing clears the week.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hours.h"
#include "tz.h"

static int
day_index(const char *s, size_t len)
{
	static const char *names[7] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun"
	};
	static const char *long_names[7] = {
		"monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday"
	};
	int	 i;

	for (i = 0; i < 7; i++)
		if ((len == 3 && strncasecmp(s, names[i], 3) == 0) ||
		    (strlen(long_names[i]) == len &&
		    strncasecmp(s, long_names[i], len) == 0))
			return i;
	return -1;
}

/* One comma item of a day group: "mon" or "mon-thu" (may wrap). */
static int
day_item(const char *s, size_t len, unsigned *mask)
{
	const char	*dash = memchr(s, '-', len);
	int		 from, to;

	if (dash == NULL) {
		if ((from = day_index(s, len)) == -1)
			return -1;
		*mask |= 1u << from;
		return 0;
	}
	if ((from = day_index(s, dash - s)) == -1 ||
	    (to = day_index(dash + 1, len - (dash - s) - 1)) == -1)
		return -1;
	for (;;) {
		*mask |= 1u << from;
		if (from == to)
			break;
		from = (from + 1) % 7;
	}
	return 0;
}

static int
day_group(const char *tok, unsigned *mask)
{
	const char	*p = tok, *comma;
	size_t		 len;

	*mask = 0;
	if (strcasecmp(tok, "daily") == 0) {
		*mask = 0x7f;
		return 0;
	}
	if (strcasecmp(tok, "weekdays") == 0) {
		*mask = 0x1f;
		return 0;
	}
	if (strcasecmp(tok, "weekends") == 0) {
		*mask = 0x60;
		return 0;
	}
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || day_item(p, len, mask) == -1)
			return -1;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

static int
range_parse(const char *s, size_t len, int *start, int *end)
{
	const char	*dash = memchr(s, '-', len);

	if (dash == NULL)
		return -1;
	*start = tz_parse_hhmm(s, dash - s);
	*end = tz_parse_hhmm(dash + 1, len - (dash - s) - 1);
	if (*start == -1 || *end == -1 || *start >= *end || *start >= 1440)
		return -1;
	return 0;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct hours_range *x = a, *y = b;

	if (x->wday != y->wday)
		return x->wday - y->wday;
	return x->start - y->start;
}

static int
hours_add(struct hours_range *out, size_t *n, unsigned mask, int start,
    int end)
{
	int	 d;

	for (d = 0; d < 7; d++) {
		if (!(mask & (1u << d)))
			continue;
		if (*n == HOURS_MAX)
			return -1;
		out[*n].wday = d;
		out[*n].start = start;
		out[*n].end = end;
		(*n)++;
	}
	return 0;
}

static int
hours_check_overlap(const struct hours_range *r, size_t n, char *err,
    size_t errlen)
{
	size_t	 i;

	for (i = 1; i < n; i++) {
		if (r[i].wday == r[i - 1].wday && r[i].start < r[i - 1].end) {
			snprintf(err, errlen, "hours overlap on %s",
			    tz_day_name(r[i].wday));
			return -1;
		}
	}
	return 0;
}

/* Add each comma-separated range of one token to the current days. */
static int
hours_token_ranges(const char *tok, unsigned days, struct hours_range *out,
    size_t *n, char *err, size_t errlen)
{
	const char	*p = tok, *comma;
	size_t		 len;
	int		 start, end;

	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len > 0) {
			if (range_parse(p, len, &start, &end) == -1) {
				snprintf(err, errlen, "\"%.*s\" is not a time "
				    "range like 09:00-17:00", (int)len, p);
				return -1;
			}
			if (hours_add(out, n, days, start, end) == -1) {
				snprintf(err, errlen, "too many ranges (at "
				    "most %d a week)", HOURS_MAX);
				return -1;
			}
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

int
hours_parse(const char *spec, struct hours_range *out, size_t *n,
    char *err, size_t errlen)
{
	char		*copy, *tok, *save = NULL;
	unsigned	 days = 0;
	int		 ranges_for_days = 1, rc = -1;

	*n = 0;
	if ((copy = strdup(spec)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (strcasecmp(tok, "none") == 0 && *n == 0 && days == 0)
			continue;
		if (isalpha((unsigned char)tok[0])) {
			if (!ranges_for_days) {
				snprintf(err, errlen, "no time range after "
				    "the days before \"%.20s\"", tok);
				goto done;
			}
			if (day_group(tok, &days) == -1) {
				snprintf(err, errlen, "\"%.20s\" is not a day "
				    "or days (like mon, mon-thu, mon,wed)", tok);
				goto done;
			}
			ranges_for_days = 0;
			continue;
		}
		if (days == 0) {
			snprintf(err, errlen, "\"%.20s\" has no day before it "
			    "(like mon-fri 09:00-17:00)", tok);
			goto done;
		}
		if (hours_token_ranges(tok, days, out, n, err, errlen) == -1)
			goto done;
		ranges_for_days = 1;
	}
	if (!ranges_for_days) {
		snprintf(err, errlen, "no time range after the last days");
		goto done;
	}
	qsort(out, *n, sizeof(*out), range_cmp);
	rc = hours_check_overlap(out, *n, err, errlen);
done:
	free(copy);
	return rc;
}

size_t
hours_join(struct hours_range *r, size_t n)
{
	size_t	 i, out = 0;

	for (i = 0; i < n; i++) {
		if (out > 0 && r[out - 1].wday == r[i].wday &&
		    r[i].start <= r[out - 1].end) {
			if (r[i].end > r[out - 1].end)
				r[out - 1].end = r[i].end;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

void
hours_format_min(int min, char *buf)
{
	if (min < 0 || min > 1440)
		min = 0;
	buf[0] = (char)('0' + min / 600);
	buf[1] = (char)('0' + min / 60 % 10);
	buf[2] = ':';
	buf[3] = (char)('0' + min % 60 / 10);
	buf[4] = (char)('0' + min % 10);
	buf[5] = '\0';
}

int
hours_cover(const struct hours_range *r, size_t n, const char *zone,
    time_t start, time_t end)
{
	struct tz_wall	 ws, we;
	int		 start_min, end_min;
	size_t		 i;

	tz_to_wall(zone, start, &ws);
	tz_to_wall(zone, end, &we);
	start_min = ws.hour * 60 + ws.minute;
	end_min = we.hour * 60 + we.minute;
	if (we.year != ws.year || we.month != ws.month || we.day != ws.day) {
		/* Ending at midnight is the end of the same day. */
		end_min = end_min == 0 && end - start < 86400 ? 1440 : 1441;
	}
	for (i = 0; i < n; i++)
		if (r[i].wday == ws.wday && r[i].start <= start_min &&
		    end_min <= r[i].end)
			return 1;
	return 0;
}
