/*
 * libFuzzer target for the iCalendar reader: any bytes are read in
 * slices, every event is taken, and each is expanded over a year.
 * Seeds: tests/unit/ical.  Build and run: make fuzz
 */
#include <stdint.h>
#include <stdlib.h>

#include "ical_read.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ical_read_opts	 opts = { "Europe/Berlin", 1796083200 };
	struct ical_reader	*r;
	struct ical_event	*ev;
	struct ical_read_error	 err;
	struct ical_occurrence	*occ;
	size_t			 n;
	int			 rc;

	if ((r = ical_read_begin((const char *)data, len, &opts, &err)) ==
	    NULL)
		return 0;
	while ((rc = ical_read_scan(r, 512, &err)) == 1)
		;
	while (rc == 0 && (rc = ical_read_next(r, &ev, &err)) != 0 &&
	    rc != -2) {
		if (rc == -1) {		/* a skipped event */
			rc = 0;
			continue;
		}
		if (ical_read_expand(ev, 1798761600, 1830297600, &occ, &n,
		    err.reason, sizeof(err.reason)) == 0)
			free(occ);
		ical_event_free(ev);
		rc = 0;
	}
	ical_read_close(r);
	return 0;
}
