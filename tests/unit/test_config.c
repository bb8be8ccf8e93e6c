/* practiced.conf: good files load, bad ones say file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static char	 path[] = "/tmp/practiced-unit-XXXXXX";

/* The file text as practiced.conf (in /tmp); NULL with err set. */

struct config *
unit_config_load(const char *text, char *err, size_t len)
{
	FILE	*fp = fopen(path, "w");

	if (fp == NULL)
		return NULL;
	fputs(text, fp);
	fclose(fp);
	err[0] = '\0';
	return config_load(path, err, len);
}

int
unit_config_refused_at(const char *text, int line, const char *words)
{
	char		 err[512], want[64];
	struct config	*conf = unit_config_load(text, err, sizeof(err));

	if (conf != NULL) {
		config_free(conf);
		return 0;
	}
	snprintf(want, sizeof(want), ":%d: ", line);
	if (strstr(err, want) == NULL || strstr(err, words) == NULL) {
		fprintf(stderr, "unexpected error: %s\n", err);
		return 0;
	}
	return 1;
}

/* A file with bytes fputs cannot write (a NUL). */
static int
refused_bytes(const char *bytes, size_t len, const char *words)
{
	char		 err[512];
	struct config	*conf;
	FILE		*fp = fopen(path, "w");

	if (fp == NULL || fwrite(bytes, 1, len, fp) != len) {
		if (fp != NULL)
			fclose(fp);
		return 0;
	}
	fclose(fp);
	if ((conf = config_load(path, err, sizeof(err))) != NULL) {
		config_free(conf);
		return 0;
	}
	return strstr(err, words) != NULL;
}

/* What a SIGHUP may not take away. */
static void
test_reload_check(void)
{
	static const char full[] = "[practice]\ntimezone = Europe/London\n"
	    "[access]\nstaff = alice\n";
	struct config	*old, *new;
	char		 err[512];

	if ((old = unit_config_load(full, err, sizeof(err))) == NULL) {
		CHECK(!"the full file loads");
		return;
	}
	CHECK(old->timezone_set);
	if ((new = unit_config_load("", err, sizeof(err))) != NULL) {
		CHECK(!new->timezone_set);
		CHECK(config_check_reload(old, new, err, sizeof(err)) == -1);
		CHECK(strstr(err, "sets no timezone") != NULL);
		CHECK(strstr(err, "Europe/London") != NULL);
		config_free(new);
	}
	if ((new = unit_config_load("[practice]\ntimezone = Asia/Tokyo\n", err,
	    sizeof(err))) != NULL) {
		CHECK(config_check_reload(old, new, err, sizeof(err)) == -1);
		CHECK(strstr(err, "no role in [access]") != NULL);
		config_free(new);
	}
	if ((new = unit_config_load("[practice]\ntimezone = Asia/Tokyo\n[access]\n"
	    "readonly = bob\n", err, sizeof(err))) != NULL) {
		CHECK(config_check_reload(old, new, err, sizeof(err)) == 0);
		config_free(new);
	}
	config_free(old);
	/* A file that never named a zone or a role may go on not to. */
	if ((old = unit_config_load("[practice]\nname = x\n", err, sizeof(err))) != NULL &&
	    (new = unit_config_load("", err, sizeof(err))) != NULL) {
		CHECK(config_check_reload(old, new, err, sizeof(err)) == 0);
		config_free(new);
	}
	config_free(old);
}

void
test_config(void)
{
	static const char nul_inside[] = "[practice]\nname = a\0b\n";
	static const char nul_last[] = "[practice]\n\0";
	struct config	*conf;
	char		 err[512];
	int		 fd;

	if ((fd = mkstemp(path)) == -1) {
		CHECK(!"mkstemp");
		return;
	}
	close(fd);
	conf = unit_config_load("# comment\n[practice]\nname = Calm Minds # here\n"
	    "timezone = Europe/London\nlate_cancel_hours = 48\n"
	    "[daemon]\ndatabase = /var/db/p.db\nsocket = rel.sock\n"
	    "[access]\nstaff = alice, bob frontdesk\n", err, sizeof(err));
	CHECK(conf != NULL);
	if (conf != NULL) {
		CHECK_STR(conf->practice_name, "Calm Minds");
		CHECK_STR(conf->timezone, "Europe/London");
		CHECK(conf->late_cancel_hours == 48);
		CHECK_STR(conf->database, "/var/db/p.db");
		CHECK_STR(conf->socket_path, "/tmp/rel.sock");
		CHECK(conf->staff.count == 3);
		CHECK_STR(conf->staff.names[2], "frontdesk");
		CHECK(conf->admin.count == 0);
		CHECK(conf->max_connections == 64);
		config_free(conf);
	}
	CHECK(unit_config_refused_at("[practice]\nnmae = x\n", 2, "unknown key"));
	CHECK(unit_config_refused_at("[practice]\n\ntimezone = Mars/Base\n", 3,
	    "unknown time zone"));
	CHECK(unit_config_refused_at("[practise]\n", 1, "unknown section"));
	CHECK(unit_config_refused_at("[practice]\nlate_cancel_hours = soon\n", 2,
	    "not a number"));
	CHECK(unit_config_refused_at("[practice]\nlate_cancel_hours = -1\n", 2,
	    "out of range"));
	CHECK(unit_config_refused_at("name = x\n", 1, "outside any"));
	CHECK(unit_config_refused_at("[daemon]\ndemo = maybe\n", 2, "yes or no"));
	CHECK(unit_config_refused_at("[daemon]\njust words\n", 2, "key = value"));
	CHECK(unit_config_refused_at("[daemon\n", 1, "section header"));
	CHECK(unit_config_refused_at("[practice]\nname =\n", 2, "empty"));
	CHECK(refused_bytes(nul_inside, sizeof(nul_inside) - 1,
	    ":2: NUL byte"));
	CHECK(refused_bytes(nul_last, sizeof(nul_last) - 1, ":2: NUL byte"));
	{
		char	 line[1200];

		memset(line, 'x', sizeof(line));
		memcpy(line, "# ", 2);
		line[sizeof(line) - 1] = '\n';
		CHECK(refused_bytes(line, sizeof(line), ":1: line too long"));
		/* 1024 bytes and a newline still fit. */
		line[1024] = '\n';
		CHECK(!refused_bytes(line, 1025, "line too long"));
	}
	test_reload_check();
	test_config_notify();
	test_config_backup();
	unlink(path);
	CHECK(config_load("/nonexistent/practiced.conf", err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "No such file") != NULL);
}
