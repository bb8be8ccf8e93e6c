/*
 * -q: only the ids of the records an answer is about, one a line, for a
 * shell to act on what it just made (id=$(practicectl book ... -q)), in
 * the manner of docker run -d and docker ps -q.
 */
#include <stdlib.h>
#include <string.h>

#include "practicectl.h"

/* The member at path ("series.appointments") of answer, or NULL. */
static json_t *
ids_member(json_t *answer, char *path)
{
	json_t	*v = answer;
	char	*word, *last;

	for (word = strtok_r(path, ".", &last); word != NULL && v != NULL;
	    word = strtok_r(NULL, ".", &last))
		v = json_object_get(v, word);
	if (json_is_null(v))
		return NULL;
	return v;
}

/* The id of a record, if it has one. */
static void
ids_print_one(json_t *record)
{
	json_int_t	id;

	if (json_int_get(record, "id", &id) == 0)
		print_line(stdout, "%lld", (long long)id);
}

/*
 * The ids of view->ids: the first of its "|" alternatives present in the
 * answer, a record (its id) or a list (the id of each, in order).  An
 * answer without one prints nothing: -q status says only by its exit.
 */
int
print_ids(const struct ctl_view *view, json_t *answer)
{
	json_t	*v = NULL, *record;
	char	*paths, *alt, *last, *path;
	size_t	 i;

	if (view->ids == NULL)
		return CTL_EXIT_OK;
	paths = xstrdup(view->ids);
	for (alt = strtok_r(paths, "|", &last); alt != NULL && v == NULL;
	    alt = strtok_r(NULL, "|", &last)) {
		path = xstrdup(alt);
		v = ids_member(answer, path);
		free(path);
	}
	free(paths);
	if (json_is_array(v))
		json_array_foreach(v, i, record)
			ids_print_one(record);
	else if (json_is_object(v))
		ids_print_one(v);
	return CTL_EXIT_OK;
}
