/*
 * The sender thread against real peers on loopback (tests/e2e/peers.py:
 * aiosmtpd and an HTTP server): what arrives, and how each failure is
 * classed.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "mail.h"
#include "send.h"
#include "sms.h"

#include "unit.h"

#define NJOBS	20

struct peers {
	pid_t	 pid;
	int	 in;		/* closing it stops them */
	int	 smtp, http;	/* ports */
	char	 dir[32];
};

struct outcome {
	int			 got;
	struct send_result	 r[NJOBS];
	int			 seen[NJOBS];
	struct event_base	*base;
	int			 want;
};

static int
peers_start(struct peers *p)
{
	int	 in[2], out[2];
	FILE	*fp;

	snprintf(p->dir, sizeof(p->dir), "/tmp/pdpeersXXXXXX");
	if (mkdtemp(p->dir) == NULL || pipe(in) == -1 || pipe(out) == -1)
		return -1;
	if ((p->pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl("/usr/bin/python3", "python3", "tests/e2e/peers.py",
		    p->dir, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->in = in[1];
	if ((fp = fdopen(out[0], "r")) == NULL)
		return -1;
	if (fscanf(fp, "PORTS %d %d", &p->smtp, &p->http) != 2) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

static void
peers_stop(struct peers *p)
{
	char	 cmd[96];

	close(p->in);
	kill(p->pid, SIGTERM);
	waitpid(p->pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", p->dir);
	if (system(cmd) != 0)
		CHECK(!"remove the peers' folder");
}

/* The text of what the peers recorded in name. */
static char *
peers_read(const struct peers *p, const char *name)
{
	char	 path[96], *text;
	FILE	*fp;
	long	 len;

	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return strdup("");
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	if ((text = calloc(1, (size_t)len + 1)) != NULL &&
	    fread(text, 1, (size_t)len, fp) != (size_t)len)
		text[0] = '\0';
	fclose(fp);
	return text;
}

static void
on_result(struct send_result *rs, size_t n, void *arg)
{
	struct outcome		*o = arg;
	struct send_result	*r;
	size_t			 i;

	for (i = 0; i < n; i++) {
		r = &rs[i];
		if (r->id >= 0 && r->id < NJOBS) {
			o->r[r->id] = *r;
			o->r[r->id].response = r->response ?
			    strdup(r->response) : NULL;
			o->seen[r->id] = 1;
		}
		if (++o->got == o->want)
			event_base_loopbreak(o->base);
	}
}

static struct send_job *
smtp_job(const struct peers *p, long long id, const char *rcpt)
{
	struct send_job	*j = calloc(1, sizeof(*j));
	char		 url[64];

	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", p->smtp);
	j->id = id;
	j->kind = SEND_SMTP;
	j->url = strdup(url);
	j->mail_from = strdup("noreply@example.org");
	j->rcpt = strdup(rcpt);
	j->body = strdup("Subject: hello\r\nMessage-ID: <t@example.org>\r\n"
	    "\r\nline one\r\n.dot line\r\n");
	j->len = strlen(j->body);
	j->timeout = 3;
	return j;
}

static struct send_job *
http_job(const struct peers *p, long long id, const char *path)
{
	struct send_job	*j = calloc(1, sizeof(*j));
	char		 url[96];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s", p->http, path);
	j->id = id;
	j->kind = SEND_HTTP;
	j->url = strdup(url);
	j->username = strdup("AC1");
	j->password = strdup("tok");
	j->body = strdup("To=%2B15555550123&Body=hi");
	j->len = strlen(j->body);
	j->content_type = strdup("application/x-www-form-urlencoded");
	j->header = strdup("X-Practiced-Id: sms.1.1");
	j->timeout = 3;
	return j;
}

static void
run_jobs(struct outcome *o, struct sender *s, struct send_job **jobs, int n)
{
	int	 i;

	o->want = o->got + n;
	for (i = 0; i < n; i++)
		CHECK(sender_submit(s, jobs[i]) == 0);
	event_base_dispatch(o->base);
}

/* The jobs mail.c and sms.c build, as the peers receive them. */
static void
test_builders(const struct peers *p, struct outcome *o, struct sender *s)
{
	struct config_sms	 twilio = { SMS_TWILIO, NULL, "AC9", "tok9",
				    "+15555550100", NULL };
	struct config_sms	 hook = { SMS_WEBHOOK, NULL, NULL, "bear",
				    "+15555550100", NULL };
	struct config_smtp	 smtp = { NULL, 1, "Practice <noreply@example.org>",
				    NULL, NULL, NULL };
	struct mail_message	 m = { "Practice <noreply@example.org>",
				    "ana@example.org", "Caf\xc3\xa9", "Hello\n",
				    "reminder.5.1@example.org", 0, NULL, NULL };
	struct send_job		*jobs[3];
	char			 url[64], *http, *smtptext, *id;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", p->http);
	twilio.url = url;
	jobs[0] = sms_job(&twilio, 10, "sms.5.1", "+15555550123",
	    "See you at 10:00 & bring 100%");
	snprintf(url + strlen(url), sizeof(url) - strlen(url), "/ok");
	hook.url = url;
	jobs[1] = sms_job(&hook, 11, "sms.6.1", "+15555550124", "\"hi\"");
	smtp.url = calloc(1, 64);
	snprintf(smtp.url, 64, "smtp://127.0.0.1:%d", p->smtp);
	/* plain SMTP on loopback: the test server offers no STARTTLS */
	smtp.starttls = 0;
	jobs[2] = mail_job(&smtp, 12, "ana@example.org", mail_compose(&m));
	CHECK(jobs[0] != NULL && jobs[1] != NULL && jobs[2] != NULL);
	run_jobs(o, s, jobs, 3);
	CHECK(o->r[10].outcome == SEND_SENT && o->r[11].outcome == SEND_SENT &&
	    o->r[12].outcome == SEND_SENT);
	id = sms_provider_id(o->r[10].response);
	CHECK(id != NULL && strncmp(id, "SM", 2) == 0);
	free(id);
	id = sms_provider_id("{\"id\": \"x1\"}");
	CHECK(id != NULL);
	free(id);
	CHECK(sms_provider_id("not json") == NULL);
	http = peers_read(p, "http.jsonl");
	CHECK(strstr(http, "\"path\": \"/2010-04-01/Accounts/AC9/Messages.json\"")
	    != NULL);
	CHECK(strstr(http, "To=%2B15555550123&From=%2B15555550100&Body="
	    "See%20you%20at%2010%3A00%20%26%20bring%20100%25") != NULL);
	CHECK(strstr(http, "\"auth\": \"AC9:tok9\"") != NULL);
	CHECK(strstr(http, "\"auth\": \"Bearer bear\"") != NULL);
	CHECK(strstr(http, "\"Idempotency-Key\": \"sms.6.1\"") != NULL);
	CHECK(strstr(http, "{\\\"id\\\":\\\"sms.6.1\\\",\\\"to\\\":"
	    "\\\"+15555550124\\\"") != NULL);
	smtptext = peers_read(p, "smtp.jsonl");
	CHECK(strstr(smtptext, "\"to\": [\"ana@example.org\"]") != NULL);
	CHECK(strstr(smtptext, "Message-ID: <reminder.5.1@example.org>") != NULL);
	CHECK(strstr(smtptext, "Subject: =?UTF-8?B?Q2Fmw6k=?=") != NULL);
	free(http);
	free(smtptext);
	free(smtp.url);
}

/*
 * A job waiting for its place starts when the one before ends, not when
 * the thread's poll next times out (a second): one place, four jobs,
 * each a few milliseconds on loopback, took over three seconds so.
 */
static void
test_queued_start_at_once(const struct peers *p, struct outcome *o)
{
	struct sender	*one;
	struct send_job	*jobs[4];
	struct timespec	 t0, t1;
	double		 took;
	int		 i;

	if ((one = sender_start(o->base, 1, on_result, o)) == NULL) {
		CHECK(!"a sender of one place starts");
		return;
	}
	for (i = 0; i < 4; i++)
		jobs[i] = http_job(p, 16 + i, "ok");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_jobs(o, one, jobs, 4);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (i = 16; i < 20; i++)
		CHECK(o->seen[i] && o->r[i].outcome == SEND_SENT);
	if (took >= 1.0)
		fprintf(stderr, "four jobs through one place took %.2f s\n",
		    took);
	CHECK(took < 1.0);
	sender_stop(one, 1);
}

void
test_send(void)
{
	struct peers	 p;
	struct outcome	 o;
	struct sender	*s;
	struct send_job	*jobs[NJOBS];
	char		*smtp, *http;
	int		 i;

	memset(&o, 0, sizeof(o));
	if (peers_start(&p) == -1) {
		CHECK(!"the peers start (python3-aiosmtpd)");
		return;
	}
	o.base = event_base_new();
	s = sender_start(o.base, 4, on_result, &o);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	jobs[0] = smtp_job(&p, 0, "jordan@example.org");
	jobs[1] = smtp_job(&p, 1, "reject@example.org");
	jobs[2] = smtp_job(&p, 2, "defer@example.org");
	jobs[3] = http_job(&p, 3, "ok");
	jobs[4] = http_job(&p, 4, "busy");
	jobs[5] = http_job(&p, 5, "fail");
	jobs[6] = http_job(&p, 6, "optout");
	jobs[7] = http_job(&p, 7, "hang");
	jobs[8] = smtp_job(&p, 8, "sam@example.org");
	run_jobs(&o, s, jobs, 9);
	CHECK(o.got == 9);
	CHECK(o.r[0].outcome == SEND_SENT && o.r[8].outcome == SEND_SENT);
	CHECK(o.r[1].outcome == SEND_FAILED && o.r[1].code == 550);
	CHECK(o.r[2].outcome == SEND_RETRY && o.r[2].code == 451);
	CHECK(o.r[3].outcome == SEND_SENT && o.r[3].code == 201);
	CHECK(o.r[3].response != NULL &&
	    strstr(o.r[3].response, "\"sid\": \"SM") != NULL);
	CHECK(o.r[4].outcome == SEND_RETRY && o.r[4].code == 429);
	CHECK(o.r[5].outcome == SEND_RETRY && o.r[5].code == 500);
	CHECK(o.r[6].outcome == SEND_FAILED && o.r[6].code == 400);
	CHECK(o.r[6].response != NULL && strstr(o.r[6].response, "21610"));
	/* a provider that takes the request and never answers: in doubt */
	CHECK(o.r[7].outcome == SEND_RETRY && o.r[7].in_doubt);
	CHECK(!o.r[4].in_doubt && !o.r[0].in_doubt);

	smtp = peers_read(&p, "smtp.jsonl");
	http = peers_read(&p, "http.jsonl");
	CHECK(strstr(smtp, "\"to\": [\"jordan@example.org\"]") != NULL);
	CHECK(strstr(smtp, "\"to\": [\"sam@example.org\"]") != NULL);
	CHECK(strstr(smtp, "reject@") == NULL && strstr(smtp, "defer@") == NULL);
	/* the dot-stuffing curl does came through as one dot */
	if (strstr(smtp, "line one\\r\\n.dot line") == NULL)
		fprintf(stderr, "smtp got: %s\n", smtp);
	CHECK(strstr(smtp, "line one\\r\\n.dot line") != NULL);
	CHECK(strstr(http, "\"auth\": \"AC1:tok\"") != NULL);
	CHECK(strstr(http, "To=%2B15555550123&Body=hi") != NULL);
	CHECK(strstr(http, "\"X-Practiced-Id\": \"sms.1.1\"") != NULL);
	free(smtp);
	free(http);

	test_builders(&p, &o, s);
	test_queued_start_at_once(&p, &o);

	/* nothing listens: a retry, not in doubt */
	peers_stop(&p);
	jobs[0] = smtp_job(&p, 9, "jordan@example.org");
	run_jobs(&o, s, jobs, 1);
	CHECK(o.r[9].outcome == SEND_RETRY && !o.r[9].in_doubt);
	sender_stop(s, 1);
	for (i = 0; i < NJOBS; i++)
		free(o.r[i].response);
	event_base_free(o.base);
}
