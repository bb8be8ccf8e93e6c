/*
 * practiced.conf's [agenda]: when each clinician is mailed the day's
 * agenda (send_at, in the practice's zone), off unless set.
 */
#include <string.h>

#include "config.h"
#include "config_parse.h"
#include "tz.h"

static int
set_send_at(struct config_ctx *ctx, const char *v)
{
	struct config_agenda	*a = &ctx->conf->agenda;
	int			 m;

	if (strcmp(v, "off") == 0) {
		a->on = 0;
		return 0;
	}
	if (strlen(v) != 5 || (m = tz_parse_hhmm(v, 5)) == -1)
		return config_fail(ctx, "send_at \"%s\": write HH:MM (as in "
		    "07:00), or off", v);
	a->on = 1;
	a->send_at = m;
	return 0;
}

const struct config_key config_agenda_keys[] = {
	{ "agenda", "send_at",	set_send_at },
	{ NULL, NULL, NULL }
};
