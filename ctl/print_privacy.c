/*
 * Printing a client's export, its records gathered by table into one
 * JSON document, and an erasure: what went, in counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

#include "practicectl.h"

int
print_erased(const struct ctl_view *view, json_t *answer)
{
	json_t		*e;
	struct table	*kv;
	json_int_t	 id;

	if ((e = answer_object(answer, view->object)) == NULL)
		return CTL_EXIT_REFUSED;
	if (json_int_get(e, "id", &id) == 0)
		print_line(stdout, "client %lld erased", (long long)id);
	kv = kv_new();
	kv_add(kv, "now named", print_dash(json_text(e, "name")));
	print_kv_field(kv, "sessions ahead cancelled", e, "cancelled");
	print_kv_field(kv, "series ended", e, "series_ended");
	print_kv_field(kv, "reminders removed", e, "reminders_removed");
	print_kv_field(kv, "audit details rewritten", e, "audit_rewritten");
	print_kv_field(kv, "outbox files removed", e, "files");
	print_kv(kv);
	return CTL_EXIT_OK;
}

/* {"client": {...}, "appointments": [...], ...}: one member a table, in
 * the daemon's order, the client's record an object of its own. */
int
print_client_export(const struct ctl_view *view, json_t *answer)
{
	static const char *const keep[] = { "exported", "tz", "note", NULL };
	json_t		*doc, *records, *r, *t;
	const char	*table;
	char		*text;
	size_t		 i;
	int		 rc = CTL_EXIT_OK;

	(void)view;
	doc = json_object();
	for (i = 0; keep[i] != NULL; i++)
		if (json_object_get(answer, keep[i]) != NULL)
			json_object_set(doc, keep[i],
			    json_object_get(answer, keep[i]));
	json_array_foreach(json_object_get(answer, "tables"), i, t)
		if (json_is_string(t) && strcmp(json_string_value(t),
		    "client") != 0)
			json_object_set_new(doc, json_string_value(t),
			    json_array());
	records = json_object_get(answer, PROTO_EXPORT_RECORDS);
	json_array_foreach(records, i, r) {
		if ((table = json_text(r, "table")) == NULL)
			continue;
		if (strcmp(table, "client") == 0)
			json_object_set(doc, table, json_object_get(r, "row"));
		else if (json_is_array(json_object_get(doc, table)))
			json_array_append(json_object_get(doc, table),
			    json_object_get(r, "row"));
	}
	if ((text = json_dumps(doc, JSON_INDENT(2))) == NULL ||
	    fputs(text, stdout) == EOF || putchar('\n') == EOF)
		rc = CTL_EXIT_REFUSED;
	free(text);
	json_decref(doc);
	return rc;
}
