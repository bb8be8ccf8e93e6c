/* Unit tests of the daemon's pure logic; prints "N passed, N failed". */
#include "tz.h"

#include "unit.h"

int unit_passed, unit_failed;

int
main(void)
{
	test_config();
	test_tz();
	test_hours();
	test_recur();
	test_booking();
	test_lookup();
	test_series_domain();
	test_resource();
	test_api();
	test_db();
	test_template();
	test_mail();
	test_remind();
	test_remind_query();
	test_remind_cost();
	test_send();
	test_paging();
	test_export();
	test_ical_read();
	test_feed();
	test_invite();
	test_busy();
	test_privacy();
	test_import();
	tz_free();
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed != 0;
}
