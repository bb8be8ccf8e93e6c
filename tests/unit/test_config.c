/* practiced.conf: good files load, bad ones say file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static char	 path[] = "/tmp/practiced-unit-XXXXXX";

static struct config *
load(const char *text, char *err, size_t len)
{
	FILE	*fp = fopen(path, "w");

	if (fp == NULL)
		return NULL;
	fputs(text, fp);
	fclose(fp);
	err[0] = '\0';
	return config_load(path, err, len);
}

static int
refused_at(const char *text, int line, const char *words)
{
	char		 err[512], want[64];
	struct config	*conf = load(text, err, sizeof(err));

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

void
test_config(void)
{
	struct config	*conf;
	char		 err[512];
	int		 fd;

	if ((fd = mkstemp(path)) == -1) {
		CHECK(!"mkstemp");
		return;
	}
	close(fd);
	conf = load("# comment\n[practice]\nname = Calm Minds # here\n"
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
	CHECK(refused_at("[practice]\nnmae = x\n", 2, "unknown key"));
	CHECK(refused_at("[practice]\n\ntimezone = Mars/Base\n", 3,
	    "unknown time zone"));
	CHECK(refused_at("[practise]\n", 1, "unknown section"));
	CHECK(refused_at("[practice]\nlate_cancel_hours = soon\n", 2,
	    "not a number"));
	CHECK(refused_at("[practice]\nlate_cancel_hours = -1\n", 2,
	    "out of range"));
	CHECK(refused_at("name = x\n", 1, "outside any"));
	CHECK(refused_at("[daemon]\ndemo = maybe\n", 2, "yes or no"));
	CHECK(refused_at("[daemon]\njust words\n", 2, "key = value"));
	CHECK(refused_at("[daemon\n", 1, "section header"));
	CHECK(refused_at("[practice]\nname =\n", 2, "empty"));
	unlink(path);
	CHECK(config_load("/nonexistent/practiced.conf", err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "No such file") != NULL);
}
