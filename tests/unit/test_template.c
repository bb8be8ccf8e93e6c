/* Templates: the defaults in etc/templates, the checks at load, rendering
 * and SMS segments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "template.h"

#include "unit.h"

static const struct template_values values = { {
	"Jordan", "Ana Ruiz", "Monday 7 December", "10:00", "Room 1",
	"Riverside", "+1 555 010 1234"
} };

/* Words a reminder must never carry: a message is read by whoever holds
 * the phone. */
static const char *clinical[] = { "therap", "counsel", "psych", "diagnos",
    "treatment", "session type", "clinic", NULL };

static void
check_default(const struct templates *ts, int n, int c)
{
	const struct template	*t = &ts->t[n][c];
	char			*body, *subject = NULL;
	int			 i;

	CHECK((body = template_render(t->body, &values)) != NULL);
	if (c == CHANNEL_EMAIL)
		CHECK((subject = template_render(t->subject, &values)) != NULL);
	CHECK(body != NULL && strchr(body, '{') == NULL);
	CHECK(body != NULL && strstr(body, "Ana Ruiz") != NULL);
	CHECK(body != NULL && strstr(body, "10:00") != NULL);
	for (i = 0; clinical[i] != NULL; i++) {
		CHECK(body != NULL && strcasestr(body, clinical[i]) == NULL);
		CHECK(subject == NULL ||
		    strcasestr(subject, clinical[i]) == NULL);
	}
	if (c == CHANNEL_SMS)
		CHECK(body != NULL && template_sms_segments(body) <= 2);
	free(body);
	free(subject);
}

/* The built-in texts are etc/templates' files. */
static void
test_defaults(void)
{
	struct templates	*ts, *files;
	char			 err[512] = "";
	int			 n, c;

	ts = templates_load(NULL, err, sizeof(err));
	files = templates_load("etc/templates", err, sizeof(err));
	CHECK_STR(err, "");
	CHECK(ts != NULL && files != NULL);
	if (ts == NULL || files == NULL)
		return;
	for (n = 0; n < NOTICE_COUNT; n++)
		for (c = 0; c < CHANNEL_COUNT; c++) {
			check_default(ts, n, c);
			CHECK_STR(ts->t[n][c].body, files->t[n][c].body);
		}
	templates_free(files);
	CHECK_STR(ts->t[NOTICE_REMINDER][CHANNEL_EMAIL].subject,
	    "Reminder: your appointment on {date} at {time}");
	CHECK(ts->t[NOTICE_REMINDER][CHANNEL_SMS].subject == NULL);
	templates_free(ts);
}

/* A folder of good templates, with one file replaced by text. */
static void
write_folder(const char *dir, const char *name, const char *text, size_t len)
{
	char	 path[512];
	FILE	*fp;
	int	 n, c;

	mkdir(dir, 0700);
	for (n = 0; n < NOTICE_COUNT; n++)
		for (c = 0; c < CHANNEL_COUNT; c++) {
			snprintf(path, sizeof(path), "%s/%s.%s", dir,
			    template_notice_name(n), template_channel_name(c));
			if ((fp = fopen(path, "w")) == NULL)
				continue;
			fputs(c == CHANNEL_EMAIL ?
			    "Subject: At {time}\n\nHello {first_name}.\n" :
			    "At {time}, {place}.\n", fp);
			fclose(fp);
		}
	if (name == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (text == NULL) {
		unlink(path);
		return;
	}
	if ((fp = fopen(path, "w")) != NULL) {
		fwrite(text, 1, len, fp);
		fclose(fp);
	}
}

static void
remove_folder(const char *dir)
{
	char	 path[512];
	int	 n, c;

	for (n = 0; n < NOTICE_COUNT; n++)
		for (c = 0; c < CHANNEL_COUNT; c++) {
			snprintf(path, sizeof(path), "%s/%s.%s", dir,
			    template_notice_name(n), template_channel_name(c));
			unlink(path);
		}
	rmdir(dir);
}

/* Loading dir with name holding text fails with an error containing want. */
static void
refused(const char *name, const char *text, size_t len, const char *want)
{
	char			 dir[] = "/tmp/pdtemplXXXXXX", err[512] = "";
	struct templates	*ts;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	write_folder(dir, name, text, len);
	ts = templates_load(dir, err, sizeof(err));
	CHECK(ts == NULL);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "wanted \"%s\" in \"%s\"\n", want, err);
	CHECK(strstr(err, want) != NULL);
	templates_free(ts);
	remove_folder(dir);
}

static void
test_refusals(void)
{
	char	 big[TEMPLATE_MAX_BYTES + 10], *sms;
	size_t	 i;

	refused("reminder.sms", "Hi {first_name}, at {tme}.\n", 26,
	    "reminder.sms:1: unknown placeholder {tme}");
	refused("reminder.email", "Subject: x\n\nHi\n{frist_name}\n", 27,
	    "reminder.email:4: unknown placeholder {frist_name}");
	refused("reminder.sms", "Hi {first_name\n", 15,
	    "reminder.sms:1: \"{\" without its \"}\"");
	refused("cancellation.email", "Hello\n\nNo subject\n", 18,
	    "cancellation.email:1: an email template starts with");
	refused("cancellation.email", "Subject: x\nno gap\n", 18,
	    "an empty line must follow the subject");
	refused("confirmation.sms", "caf\xc3 ok\n", 8,
	    "confirmation.sms:1: not UTF-8");
	refused("confirmation.sms", "line\r\n", 6, "carriage return");
	refused("confirmation.sms", "\n\n", 2, "empty message");
	memset(big, 'a', sizeof(big));
	refused("reminder.sms", big, sizeof(big), "longer than 8192 bytes");
	/* 2 segments hold 306 GSM characters; typical values go past them. */
	if ((sms = malloc(400)) == NULL)
		return;
	for (i = 0; i < 290; i++)
		sms[i] = 'x';
	strcpy(sms + 290, " {clinician}\n");
	refused("reminder.sms", sms, strlen(sms), "3 SMS segments");
	free(sms);
}

/* A folder may replace some texts; the others stay built in. */
static void
test_partial_folder(void)
{
	char			 dir[] = "/tmp/pdtemplXXXXXX", err[512] = "";
	struct templates	*ts;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	write_folder(dir, "reschedule.sms", NULL, 0);
	ts = templates_load(dir, err, sizeof(err));
	CHECK(ts != NULL);
	if (ts != NULL) {
		CHECK_STR(ts->t[NOTICE_CONFIRMATION][CHANNEL_SMS].body,
		    "At {time}, {place}.");
		CHECK(strstr(ts->t[NOTICE_RESCHEDULE][CHANNEL_SMS].body,
		    "has moved to {date}") != NULL);
	}
	templates_free(ts);
	remove_folder(dir);
	CHECK(templates_load(dir, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "No such file or directory") != NULL);
}

static void
test_render(void)
{
	struct template_values	 v = { { "Jo\r\nBcc: x@example.org", "Ana" } };
	char			*s;

	s = template_render("{{first_name}} is {first_name}; {clinician}}}", &v);
	CHECK_STR(s, "{first_name} is Jo  Bcc: x@example.org; Ana}");
	free(s);
	s = template_render("{date} at {place}!", &v);
	CHECK_STR(s, " at !");
	free(s);
}

static void
test_segments(void)
{
	char	 s[400];

	memset(s, 'a', 160);
	s[160] = '\0';
	CHECK(template_sms_segments(s) == 1);
	memset(s, 'a', 161);
	s[161] = '\0';
	CHECK(template_sms_segments(s) == 2);
	memset(s, 'a', 306);
	s[306] = '\0';
	CHECK(template_sms_segments(s) == 2);
	memset(s, 'a', 307);
	s[307] = '\0';
	CHECK(template_sms_segments(s) == 3);
	/* the euro sign takes two septets: 80 of them fill one segment */
	s[0] = '\0';
	for (int i = 0; i < 80; i++)
		strcat(s, "\xe2\x82\xac");
	CHECK(template_sms_segments(s) == 1);
	strcat(s, "a");
	CHECK(template_sms_segments(s) == 2);
	/* é is in GSM-7; ł is not, and makes the whole text UCS-2 */
	CHECK(template_sms_segments("caf\xc3\xa9") == 1);
	memset(s, 'a', 69);
	strcpy(s + 69, "\xc5\x82");
	CHECK(template_sms_segments(s) == 1);
	strcat(s, "a");
	CHECK(template_sms_segments(s) == 2);
	CHECK(template_sms_segments("bad \xff") == -1);
}

void
test_template(void)
{
	test_defaults();
	test_refusals();
	test_partial_folder();
	test_render();
	test_segments();
}
