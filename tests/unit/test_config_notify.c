/* practiced.conf's [reminders], [smtp] and [sms]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "template.h"

#include "unit.h"

static void
test_defaults(void)
{
	struct config	*conf;
	char		 err[512];

	if ((conf = unit_config_load("[practice]\nname = x\n", err,
	    sizeof(err))) == NULL) {
		CHECK(!"a file without [reminders] loads");
		return;
	}
	CHECK(conf->reminders.nrules == 2);
	CHECK(conf->reminders.rules[0].channel == CHANNEL_EMAIL &&
	    conf->reminders.rules[0].minutes == 48 * 60);
	CHECK(conf->reminders.rules[1].channel == CHANNEL_SMS &&
	    conf->reminders.rules[1].minutes == 24 * 60);
	CHECK(conf->reminders.quiet_from == 21 * 60 &&
	    conf->reminders.quiet_to == 8 * 60);
	CHECK(conf->reminders.grace_seconds == 180);
	CHECK(conf->reminders.notices == 1);
	CHECK(conf->reminders.templates != NULL);
	CHECK(conf->smtp.url == NULL && conf->smtp.starttls == 1);
	CHECK(conf->sms.provider == SMS_NONE);
	config_free(conf);
}

/* A secret file beside the configuration, with the given mode. */
static void
write_secret(const char *name, const char *text, mode_t mode)
{
	FILE	*fp = fopen(name, "w");

	if (fp == NULL)
		return;
	fputs(text, fp);
	fclose(fp);
	chmod(name, mode);
}

static void
test_full(void)
{
	struct config	*conf;
	char		 err[512];

	write_secret("/tmp/pd-unit-smtp.secret", "s3cret\n", 0600);
	write_secret("/tmp/pd-unit-sms.secret", "tok\n", 0640);
	conf = unit_config_load("[practice]\nphone = +1 555 010 1234\n"
	    "[reminders]\nrule = email 1m\n"
	    "rule = sms 2h\nrule = email 3d\nquiet_hours = 22:30-07:15\n"
	    "notice_grace = 0\nnotices = no\n"
	    "[smtp]\nurl = smtp://127.0.0.1:2525\nstarttls = no\n"
	    "from = \"Calm, Minds\" <noreply@example.org>\n"
	    "username = practice\npassword_file = pd-unit-smtp.secret\n"
	    "[sms]\nprovider = twilio\nurl = http://127.0.0.1:8080\n"
	    "account = AC123\ntoken_file = /tmp/pd-unit-sms.secret\n"
	    "from = +15555550100\n", err, sizeof(err));
	CHECK_STR(conf == NULL ? err : "", "");
	if (conf != NULL) {
		CHECK(conf->reminders.nrules == 3);
		CHECK(conf->reminders.rules[0].minutes == 1);
		CHECK(conf->reminders.rules[1].channel == CHANNEL_SMS &&
		    conf->reminders.rules[1].minutes == 120);
		CHECK(conf->reminders.rules[2].minutes == 3 * 1440);
		CHECK(conf->reminders.quiet_from == 22 * 60 + 30);
		CHECK(conf->reminders.quiet_to == 7 * 60 + 15);
		CHECK(conf->reminders.grace_seconds == 0);
		CHECK(conf->reminders.notices == 0);
		CHECK_STR(conf->smtp.url, "smtp://127.0.0.1:2525");
		CHECK(conf->smtp.starttls == 0);
		CHECK_STR(conf->smtp.password, "s3cret");
		CHECK(conf->sms.provider == SMS_TWILIO);
		CHECK_STR(conf->sms.token, "tok");
		CHECK_STR(conf->sms.from, "+15555550100");
		config_free(conf);
	}
	conf = unit_config_load("[reminders]\nrule = none\nquiet_hours = none\n",
	    err, sizeof(err));
	CHECK(conf != NULL && conf->reminders.nrules == 0 &&
	    conf->reminders.quiet_from == conf->reminders.quiet_to);
	config_free(conf);
}

static int
refused_whole(const char *text, const char *words)
{
	struct config	*conf;
	char		 err[512];

	if ((conf = unit_config_load(text, err, sizeof(err))) != NULL) {
		config_free(conf);
		return 0;
	}
	if (strstr(err, words) == NULL) {
		fprintf(stderr, "unexpected error: %s\n", err);
		return 0;
	}
	return 1;
}

static void
test_refusals(void)
{
	write_secret("/tmp/pd-unit-open.secret", "s3cret\n", 0644);
	write_secret("/tmp/pd-unit-empty.secret", "\n", 0600);
	/* Sending for real, the default texts need the number to call. */
	CHECK(refused_whole("[smtp]\nurl = smtp://127.0.0.1:25\n"
	    "from = a@example.org\n", "[practice] phone is not set"));
	CHECK(refused_whole("[sms]\nprovider = webhook\n"
	    "url = http://127.0.0.1:1/\nfrom = +15555550100\n",
	    "give [reminders] templates without {phone}"));
	CHECK(unit_config_refused_at("[reminders]\nrule = fax 2h\n", 2,
	    "write the channel (email or sms)"));
	CHECK(unit_config_refused_at("[reminders]\nrule = email\n", 2,
	    "write the channel"));
	CHECK(unit_config_refused_at("[reminders]\nrule = email 2w\n", 2,
	    "\"2w\" is not a time from 1m to 60d"));
	CHECK(unit_config_refused_at("[reminders]\nrule = email 0m\n", 2,
	    "is not a time"));
	CHECK(unit_config_refused_at("[reminders]\nrule = sms 61d\n", 2,
	    "is not a time"));
	CHECK(unit_config_refused_at("[reminders]\nrule = sms 99999999999h\n",
	    2, "is not a time"));
	CHECK(unit_config_refused_at("[reminders]\nrule = sms 2h\n"
	    "rule = sms 120m\n", 3, "given twice"));
	CHECK(unit_config_refused_at("[reminders]\nrule = email 1m\n"
	    "rule = email 2m\nrule = email 3m\nrule = email 4m\n"
	    "rule = email 5m\nrule = email 6m\nrule = email 7m\n"
	    "rule = email 8m\nrule = email 9m\n", 10, "more than 8 rules"));
	CHECK(unit_config_refused_at("[reminders]\nquiet_hours = 9pm-8am\n",
	    2, "write HH:MM-HH:MM"));
	CHECK(unit_config_refused_at("[reminders]\nquiet_hours = 24:00-08:00\n",
	    2, "write HH:MM-HH:MM"));
	CHECK(unit_config_refused_at("[reminders]\nquiet_hours = 08:00-08:00\n",
	    2, "is empty"));
	CHECK(unit_config_refused_at("[reminders]\nnotice_grace = 2h\n", 2,
	    "from 0 to 60m"));
	CHECK(unit_config_refused_at("[smtp]\nurl = http://mail\n", 2,
	    "use smtps://HOST:465"));
	CHECK(unit_config_refused_at("[smtp]\nstarttls = maybe\n", 2,
	    "required or no"));
	CHECK(unit_config_refused_at("[smtp]\nfrom = nobody\n", 2,
	    "write an address"));
	CHECK(unit_config_refused_at("[smtp]\npassword_file = "
	    "/tmp/pd-unit-open.secret\n", 2, "can be read by every user"));
	CHECK(unit_config_refused_at("[smtp]\npassword_file = "
	    "/tmp/pd-unit-empty.secret\n", 2, "empty"));
	CHECK(unit_config_refused_at("[smtp]\npassword_file = /nonexistent\n",
	    2, "No such file"));
	CHECK(unit_config_refused_at("[sms]\nprovider = carrier-pigeon\n", 2,
	    "twilio or webhook"));
	CHECK(unit_config_refused_at("[sms]\nfrom = 5555550100\n", 2,
	    "E.164"));
	CHECK(unit_config_refused_at("[sms]\nurl = ftp://x\n", 2, "https://"));
	CHECK(refused_whole("[smtp]\nurl = smtps://mail:465\n",
	    "[smtp] url needs from"));
	CHECK(refused_whole("[smtp]\nusername = u\n", "go together"));
	CHECK(refused_whole("[sms]\nfrom = +15555550100\n",
	    "needs provider"));
	CHECK(unit_config_refused_at("[sms]\nheader = X Api\n", 2,
	    "a header name"));
	CHECK(unit_config_refused_at("[sms]\nheader = Content-Type\n", 2,
	    "set by practiced itself"));
	CHECK(refused_whole("[practice]\nphone = 1\n[sms]\nprovider = webhook\n"
	    "url = http://127.0.0.1:1/\nfrom = +15555550100\n"
	    "header = X-Api-Key\n", "needs provider = webhook and token_file"));
	CHECK(refused_whole("[sms]\nprovider = webhook\nfrom = +15555550100\n",
	    "webhook needs url"));
	CHECK(refused_whole("[sms]\nprovider = twilio\nfrom = +15555550100\n",
	    "needs account and token_file"));
	CHECK(refused_whole("[reminders]\ntemplates = /nonexistent\n",
	    "templates folder /nonexistent"));
	unlink("/tmp/pd-unit-open.secret");
	unlink("/tmp/pd-unit-empty.secret");
	unlink("/tmp/pd-unit-smtp.secret");
	unlink("/tmp/pd-unit-sms.secret");
}

void
test_config_notify(void)
{
	test_defaults();
	test_full();
	test_refusals();
}
