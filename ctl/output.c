/*
 * Presentation helpers: aligned tables, "key: value" blocks, defensive
 * reading of JSON answers, and the allocation wrappers.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "practicectl.h"

#define TABLE_CELL_MAX	40	/* columns of a cell, but in the last column */
#define TABLE_CELL_MIN	12	/* a column narrowed for the terminal;
				   narrower ones (dates, times) stay whole */

struct table {
	int		  ncols;
	int		  header;	/* the first row is a header */
	int		  kv;		/* two columns printed "key: value" */
	char		**cells;
	size_t		  ncells;
	size_t		  size;
};

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", ctl_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(CTL_EXIT_REFUSED);
}

void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		fatalx("out of memory");
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	void	*q;

	if (size != 0 && n > SIZE_MAX / size)
		fatalx("out of memory");
	if ((q = realloc(p, n * size == 0 ? 1 : n * size)) == NULL)
		fatalx("out of memory");
	return q;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatalx("out of memory");
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("out of memory");
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/*
 * A copy of s that is safe to print on a terminal and keeps to one line:
 * tabs and line breaks become spaces, other control characters (C0, DEL
 * and the UTF-8 encoded C1 range) become '?'.  Text from the
 * daemon is data typed by people, not terminal commands.
 */
char *
output_clean(const char *s)
{
	const unsigned char	*u;
	char			*out, *o;

	out = o = xmalloc(strlen(s) + 1);
	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u == '\t' || *u == '\n' || *u == '\r')
			*o++ = ' ';
		else if (*u < 0x20 || *u == 0x7f)
			*o++ = '?';
		else if (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
			*o++ = '?';
			u++;
		} else
			*o++ = (char)*u;
	}
	*o = '\0';
	return out;
}

static struct table *
table_alloc(int ncols)
{
	struct table	*t;

	t = xmalloc(sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	return t;
}

/* A table of ncols columns; the headers follow as ncols strings. */
struct table *
table_new(int ncols, ...)
{
	struct table	*t;
	va_list		 ap;
	int		 i;

	t = table_alloc(ncols);
	t->header = 1;
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		table_cell(t, va_arg(ap, const char *));
	va_end(ap);
	return t;
}

/* Appends a cell to the current row; a row ends after ncols cells. */
void
table_cell(struct table *t, const char *s)
{
	if (t->ncells == t->size) {
		t->size = t->size == 0 ? 32 : t->size * 2;
		t->cells = xreallocarray(t->cells, t->size, sizeof(*t->cells));
	}
	t->cells[t->ncells++] = output_clean(s == NULL ? "-" : s);
}

void
table_cellf(struct table *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	table_cell(t, s);
	free(s);
}

struct table *
kv_new(void)
{
	struct table	*t;

	t = table_alloc(2);
	t->kv = 1;
	return t;
}

void
kv_add(struct table *t, const char *key, const char *value)
{
	table_cellf(t, "%s:", key);
	table_cell(t, value);
}

void
kv_addf(struct table *t, const char *key, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	kv_add(t, key, s);
	free(s);
}

/* Narrows the widest columns of w, down to floor, until they fit width. */
static void
table_fit(size_t *w, const size_t *floor, int ncols, size_t width)
{
	size_t	total;
	int	c, best;

	for (total = 2 * (ncols - 1), c = 0; c < ncols; c++)
		total += w[c];
	while (total > width) {
		for (best = -1, c = 0; c < ncols; c++)
			if (w[c] > floor[c] && (best == -1 || w[c] > w[best]))
				best = c;
		if (best == -1)
			return;		/* as narrow as it gets */
		w[best]--;
		total--;
	}
}

/*
 * The width of each column: its widest cell, cut to TABLE_CELL_MAX but in
 * the last column, then, for a terminal of width columns, narrowed widest
 * first until the table fits, or is as narrow as it gets: no column below
 * its header or TABLE_CELL_MIN.  A "key: value" block keeps its values
 * whole.
 */
static size_t *
table_widths(struct table *t, int width)
{
	size_t	*w, *floor, i, cw;
	int	 c;

	w = xreallocarray(NULL, t->ncols, sizeof(*w));
	floor = xreallocarray(NULL, t->ncols, sizeof(*floor));
	for (c = 0; c < t->ncols; c++)
		w[c] = 0;
	for (i = 0; i < t->ncells; i++)
		if ((cw = width_of(t->cells[i])) > w[i % t->ncols])
			w[i % t->ncols] = cw;
	for (c = 0; c < t->ncols; c++) {
		floor[c] = w[c] < TABLE_CELL_MIN ? w[c] : TABLE_CELL_MIN;
		if (t->header && (cw = width_of(t->cells[c])) > floor[c])
			floor[c] = cw;
	}
	if (!t->kv) {
		for (c = 0; c < t->ncols - 1; c++)
			if (w[c] > TABLE_CELL_MAX)
				w[c] = floor[c] > TABLE_CELL_MAX ? floor[c] :
				    TABLE_CELL_MAX;
		if (width > 0)
			table_fit(w, floor, t->ncols, width);
	}
	free(floor);
	return w;
}

/* Prints the table with columns aligned; the last column is not padded. */
void
table_print(struct table *t, int width, FILE *fp)
{
	size_t	*w, i, cw, nrows, r;
	char	*cut;
	int	 c;

	if (t->ncols <= 0)
		return;
	w = table_widths(t, width);
	nrows = (t->ncells + t->ncols - 1) / t->ncols;
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			i = r * t->ncols + c;
			if (i >= t->ncells)
				break;
			cut = width_cut(t->cells[i], w[c]);
			fputs(cut, fp);
			cw = width_of(cut);
			free(cut);
			if (c == t->ncols - 1)
				break;
			for (; cw < w[c] + (t->kv ? 1 : 2); cw++)
				fputc(' ', fp);
		}
		fputc('\n', fp);
	}
	free(w);
}

void
table_free(struct table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

/*
 * Defensive JSON reading: an answer from a newer or older daemon may lack
 * a field or carry one more; neither may break the printing.
 */

/* The string member key of obj, or NULL if absent or not a string. */
const char *
json_text(json_t *obj, const char *key)
{
	json_t	*v;

	if (!json_is_object(obj) || (v = json_object_get(obj, key)) == NULL)
		return NULL;
	return json_string_value(v);
}

/* The member key of obj if it has the type, else NULL. */
json_t *
json_member(json_t *obj, const char *key, json_type type)
{
	json_t	*v;

	if (!json_is_object(obj) || (v = json_object_get(obj, key)) == NULL)
		return NULL;
	return json_typeof(v) == type ? v : NULL;
}

/* 0 and the integer member key of obj in *out, or -1. */
int
json_int_get(json_t *obj, const char *key, json_int_t *out)
{
	json_t	*v;

	if ((v = json_member(obj, key, JSON_INTEGER)) == NULL)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* 1 if the member key of obj is true, 0 otherwise. */
int
json_bool_get(json_t *obj, const char *key)
{
	json_t	*v;

	if (!json_is_object(obj) || (v = json_object_get(obj, key)) == NULL)
		return 0;
	return json_is_true(v);
}

/* Any scalar as text to print (allocated); "-" for null or missing. */
char *
json_scalar(json_t *v)
{
	switch (v == NULL ? JSON_NULL : json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		return xasprintf("%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	case JSON_REAL:
		return xasprintf("%g", json_real_value(v));
	case JSON_TRUE:
		return xstrdup("yes");
	case JSON_FALSE:
		return xstrdup("no");
	default:
		return xstrdup("-");
	}
}
