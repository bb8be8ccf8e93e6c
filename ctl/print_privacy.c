/* Printing an erasure: what went, in counts. */
#include <stdio.h>

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
