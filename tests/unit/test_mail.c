/* Composing email: headers, encoded words, quoted-printable. */
#include <stdlib.h>
#include <string.h>

#include "mail.h"

#include "unit.h"

static int
has(const char *msg, const char *want)
{
	if (msg != NULL && strstr(msg, want) != NULL)
		return 1;
	fprintf(stderr, "wanted \"%s\" in:\n%s\n", want, msg ? msg : "(null)");
	return 0;
}

/* Every line ends CRLF and no line passes RFC 5322's 78 characters. */
int
unit_mail_well_formed(const char *msg)
{
	const char	*s, *line = msg;

	for (s = msg; *s != '\0'; s++) {
		if (*s == '\n') {
			if (s == msg || s[-1] != '\r' || s - line > 79)
				return 0;
			line = s + 1;
		}
	}
	return s > msg && s[-1] == '\n';
}

static void
test_plain(void)
{
	struct mail_message	 m = {
		.from = "Riverside <noreply@example.org>",
		.to = "jordan@example.org",
		.subject = "Your appointment",
		.body = "Hello Jordan,\n\nSee you at 10:00.\n",
		.message_id = "reminder.7.2@example.org",
		.date = 1764633600,	/* 2025-12-02 00:00:00 UTC */
	};
	char	*msg = mail_compose(&m);

	CHECK(has(msg, "Date: Tue, 02 Dec 2025 00:00:00 +0000\r\n"));
	CHECK(has(msg, "From: Riverside <noreply@example.org>\r\n"));
	CHECK(has(msg, "To: jordan@example.org\r\n"));
	CHECK(has(msg, "Subject: Your appointment\r\n"));
	CHECK(has(msg, "Message-ID: <reminder.7.2@example.org>\r\n"));
	CHECK(has(msg, "Content-Type: text/plain; charset=UTF-8\r\n"));
	CHECK(has(msg, "\r\n\r\nHello Jordan,\r\n\r\nSee you at 10:00.\r\n"));
	CHECK(msg != NULL && unit_mail_well_formed(msg));
	free(msg);
}

static void
test_encoded(void)
{
	struct mail_message	 m = {
		.from = "Soci\xc3\xa9t\xc3\xa9 \xc3\x91\xc3\xba\xc3\xb1" "ez "
		    "<a@example.org>",
		.to = "b@example.org",
		.subject = "Rappel : rendez-vous \xc3\xa0 10:30",
		.body = "caf\xc3\xa9 a=b\n. alone\ntrailing \n",
		.message_id = "x@example.org",
	};
	char	*msg = mail_compose(&m), *s;
	int	 i;

	CHECK(has(msg, "From: =?UTF-8?B?U29jacOpdMOpIMORw7rDsWV6?= "
	    "<a@example.org>\r\n"));
	CHECK(has(msg, "Subject: =?UTF-8?B?"
	    "UmFwcGVsIDogcmVuZGV6LXZvdXMgw6AgMTA6MzA=?=\r\n"));
	CHECK(has(msg, "caf=C3=A9 a=3Db\r\n=2E alone\r\ntrailing=20\r\n"));
	free(msg);

	/* a long subject: several words on continuation lines */
	m.subject = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
	m.from = "\"Smith, Jo\" <a@example.org>";
	/* a line of 200 characters folds with soft breaks */
	if ((s = malloc(202)) == NULL)
		return;
	for (i = 0; i < 200; i++)
		s[i] = 'a' + i % 26;
	strcpy(s + 200, "\n");
	m.body = s;
	msg = mail_compose(&m);
	CHECK(has(msg, "?=\r\n =?UTF-8?B?"));
	CHECK(has(msg, "From: \"Smith, Jo\" <a@example.org>\r\n"));
	CHECK(has(msg, "=\r\n"));
	CHECK(msg != NULL && unit_mail_well_formed(msg));
	free(msg);
	free(s);
}

static void
test_addresses(void)
{
	char	 buf[128];

	CHECK(mail_address("Riverside Counselling <noreply@example.org>",
	    buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "noreply@example.org");
	CHECK(mail_address("plain@example.org", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "plain@example.org");
	CHECK(mail_address("No Address <>", buf, sizeof(buf)) == -1);
	CHECK(mail_address("Name <open@example.org", buf, sizeof(buf)) == -1);
	CHECK(mail_address("nobody", buf, sizeof(buf)) == -1);
	CHECK(mail_address("a@example.org", buf, 5) == -1);
	CHECK(mail_message_id(buf, sizeof(buf), "reminder", 42, 3,
	    "R <noreply@example.org>") == 0);
	CHECK_STR(buf, "reminder.42.3@example.org");
	CHECK(mail_message_id(buf, sizeof(buf), "reminder", 42, 3,
	    "nobody") == -1);
}

void
test_mail(void)
{
	test_plain();
	test_encoded();
	test_addresses();
}
