/*
 * The memory floor bench_list.py compares practiced's VmRSS with: a
 * program linked with the daemon's libraries that only starts each of
 * them (a libevent loop, a JSON object, a built-in zone, an SQLite
 * database, curl's global set-up and a SHA-256), then prints its own
 * VmRSS and RssAnon in KiB.  Most of a daemon's VmRSS is these
 * libraries' pages, shared with every process that maps them.
 *
 *	build/bench_rss_floor
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <libical/ical.h>
#include <openssl/evp.h>
#include <sqlite3.h>

static long
status_kib(const char *key)
{
	FILE	*f;
	char	 line[256];
	long	 kib = -1;
	size_t	 n = strlen(key);

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			kib = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kib;
}

int
main(void)
{
	struct event_base	*base;
	json_t			*obj;
	sqlite3			*db;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen;

	if ((base = event_base_new()) == NULL ||
	    (obj = json_pack("{s:i}", "n", 1)) == NULL ||
	    icaltimezone_get_builtin_timezone("America/New_York") == NULL ||
	    sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL) !=
	    SQLITE_OK || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    EVP_Digest("x", 1, md, &mdlen, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "bench_rss_floor: a library did not start\n");
		return 1;
	}
	printf("%ld %ld\n", status_kib("VmRSS"), status_kib("RssAnon"));
	sqlite3_close(db);
	json_decref(obj);
	event_base_free(base);
	curl_global_cleanup();
	return 0;
}
