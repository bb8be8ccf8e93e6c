/*
 * The sender thread.  Jobs wait in a queue; the thread runs at most max
 * of them at once in one curl multi handle (which keeps connections for
 * the next job to the same server) and queues each result for the loop,
 * waking it through a pipe.  Nothing here touches SQLite, libical or
 * jansson: those belong to the loop's thread.
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "log.h"
#include "protocol.h"
#include "send.h"

#define RESPONSE_MAX	(16 * 1024)
#define CONNECT_TIMEOUT	10L
#define POLL_MS		1000	/* at most, with transfers under way */
#define IDLE_MS		3600000	/* with none: submit and stop wake it */

struct transfer {
	TAILQ_ENTRY(transfer)	 entry;
	struct send_job		*job;
	CURL			*easy;
	size_t			 sent;		/* of job->body, uploading */
	struct curl_slist	*rcpt;
	struct curl_slist	*headers;
	char			*response;
	size_t			 rlen;
	int			 truncated;
	int			 too_large;	/* GET: over max_body */
	int			 off_host;	/* GET: http elsewhere */
	char			*etag;		/* GET: the last answer's */
	char			*modified;
	char			 errbuf[CURL_ERROR_SIZE];
	struct send_result	 result;
};

TAILQ_HEAD(transfers, transfer);

struct sender {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	struct transfers	 queued;	/* under lock */
	struct transfers	 done;		/* under lock */
	struct transfers	 active;	/* the thread's */
	int			 nactive;
	int			 max;
	int			 stopping;	/* under lock */
	time_t			 stop_by;
	CURLM			*multi;
	int			 fds[2];	/* the thread writes, loop reads */
	struct event		*ev;
	send_done_cb		 done_cb;
	void			*arg;
	int			 outstanding;	/* the loop's: given, not back */
	struct event		*gather;	/* results wait for company */
};

void
send_job_free(struct send_job *job)
{
	if (job == NULL)
		return;
	free(job->url);
	free(job->username);
	if (job->password != NULL)
		explicit_bzero(job->password, strlen(job->password));
	free(job->password);
	free(job->ca_file);
	free(job->mail_from);
	free(job->rcpt);
	free(job->body);
	free(job->content_type);
	free(job->header);
	free(job->etag);
	free(job->modified);
	if (job->bearer != NULL)
		explicit_bzero(job->bearer, strlen(job->bearer));
	free(job->bearer);
	free(job);
}

static void
transfer_free(struct transfer *t)
{
	if (t == NULL)
		return;
	if (t->easy != NULL)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->rcpt);
	curl_slist_free_all(t->headers);
	free(t->response);
	free(t->etag);
	free(t->modified);
	send_job_free(t->job);
	free(t);
}

/* SMTP's upload: the message, in pieces as curl asks. */
static size_t
transfer_read(char *buf, size_t size, size_t n, void *arg)
{
	struct transfer	*t = arg;
	size_t		 left = t->job->len - t->sent;
	size_t		 want = size * n < left ? size * n : left;

	memcpy(buf, t->job->body + t->sent, want);
	t->sent += want;
	return want;
}

/* An HTTP answer, kept up to RESPONSE_MAX bytes (a GET's: max_body,
 * and past it the transfer fails). */
static size_t
transfer_write(char *data, size_t size, size_t n, void *arg)
{
	struct transfer	*t = arg;
	size_t		 len = size * n, keep, max = RESPONSE_MAX;
	char		*grown;

	if (t->job->kind == SEND_GET) {
		max = t->job->max_body;
		if (t->rlen + len > max) {
			t->too_large = 1;
			return 0;
		}
	}
	keep = t->rlen + len > max ? max - t->rlen : len;
	if (keep < len)
		t->truncated = 1;
	if (keep == 0)
		return len;
	if ((grown = realloc(t->response, t->rlen + keep + 1)) == NULL)
		return 0;	/* curl ends the transfer: a retry */
	t->response = grown;
	memcpy(t->response + t->rlen, data, keep);
	t->rlen += keep;
	t->response[t->rlen] = '\0';
	return len;
}

static int
transfer_setup_smtp(struct transfer *t)
{
	struct send_job	*j = t->job;
	char		 addr[512];

	snprintf(addr, sizeof(addr), "<%s>", j->rcpt);
	if ((t->rcpt = curl_slist_append(NULL, addr)) == NULL)
		return -1;
	snprintf(addr, sizeof(addr), "<%s>", j->mail_from);
	if (curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps") ||
	    curl_easy_setopt(t->easy, CURLOPT_MAIL_FROM, addr) ||
	    curl_easy_setopt(t->easy, CURLOPT_MAIL_RCPT, t->rcpt) ||
	    curl_easy_setopt(t->easy, CURLOPT_UPLOAD, 1L) ||
	    curl_easy_setopt(t->easy, CURLOPT_READFUNCTION, transfer_read) ||
	    curl_easy_setopt(t->easy, CURLOPT_READDATA, t) ||
	    curl_easy_setopt(t->easy, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)j->len) ||
	    curl_easy_setopt(t->easy, CURLOPT_USE_SSL, j->starttls ?
	    (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE))
		return -1;
	return 0;
}

static int
transfer_setup_http(struct transfer *t)
{
	struct send_job	*j = t->job;
	char		 ctype[160];

	snprintf(ctype, sizeof(ctype), "Content-Type: %s", j->content_type);
	if ((t->headers = curl_slist_append(NULL, ctype)) == NULL ||
	    (j->header != NULL &&
	    curl_slist_append(t->headers, j->header) == NULL) ||
	    (j->bearer != NULL &&
	    curl_slist_append(t->headers, j->bearer) == NULL))
		return -1;
	if (curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(t->easy, CURLOPT_POST, 1L) ||
	    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, j->body) ||
	    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)j->len) ||
	    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers) ||
	    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, transfer_write) ||
	    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t))
		return -1;
	return 0;
}

/* A GET's ETag and Last-Modified, of the last answer (redirects too). */
static size_t
transfer_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer	*t = arg;
	size_t		 len = size * n, name;
	char		**slot = NULL;

	if (len >= 5 && strncasecmp(data, "HTTP/", 5) == 0) {
		free(t->etag);
		free(t->modified);
		t->etag = t->modified = NULL;
		return len;
	}
	if (len > 5 && strncasecmp(data, "ETag:", 5) == 0) {
		slot = &t->etag;
		name = 5;
	} else if (len > 14 && strncasecmp(data, "Last-Modified:", 14) == 0) {
		slot = &t->modified;
		name = 14;
	}
	if (slot == NULL)
		return len;
	data += name;
	n = len - name;
	while (n > 0 && (*data == ' ' || *data == '\t')) {
		data++;
		n--;
	}
	while (n > 0 && (data[n - 1] == '\r' || data[n - 1] == '\n' ||
	    data[n - 1] == ' '))
		n--;
	free(*slot);
	*slot = NULL;
	/* A header too long to be a tag is not sent back. */
	if (n > 0 && n < 256)
		*slot = strndup(data, n);
	return len;
}

static int
transfer_is_loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
	    strncmp(ip, "::ffff:127.", 11) == 0;
}

/* Plain http reaches loopback addresses only, redirects included. */
static int
transfer_prereq(void *arg, char *ip, char *local, int port, int lport)
{
	struct transfer	*t = arg;
	char		*url = NULL;

	(void)local;
	(void)port;
	(void)lport;
	if (curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url) !=
	    CURLE_OK || url == NULL)
		return CURL_PREREQFUNC_ABORT;
	if (strncasecmp(url, "https:", 6) == 0 || transfer_is_loopback(ip))
		return CURL_PREREQFUNC_OK;
	t->off_host = 1;
	return CURL_PREREQFUNC_ABORT;
}

static int
transfer_setup_get(struct transfer *t)
{
	struct send_job	*j = t->job;
	const char	*protocols = j->allow_http ? "http,https" : "https";
	char		 h[300];

	if (j->etag != NULL) {
		snprintf(h, sizeof(h), "If-None-Match: %s", j->etag);
		if ((t->headers = curl_slist_append(t->headers, h)) == NULL)
			return -1;
	}
	if (j->modified != NULL) {
		snprintf(h, sizeof(h), "If-Modified-Since: %s", j->modified);
		if ((t->headers = curl_slist_append(t->headers, h)) == NULL)
			return -1;
	}
	/* https to http is refused by the protocols: an https calendar
	 * redirects to https only. */
	if (curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, protocols) ||
	    curl_easy_setopt(t->easy, CURLOPT_REDIR_PROTOCOLS_STR,
	    strncasecmp(j->url, "https:", 6) == 0 ? "https" : protocols) ||
	    curl_easy_setopt(t->easy, CURLOPT_HTTPGET, 1L) ||
	    curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 1L) ||
	    curl_easy_setopt(t->easy, CURLOPT_MAXREDIRS, j->max_redirs) ||
	    curl_easy_setopt(t->easy, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)j->max_body) ||
	    curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "") ||
	    curl_easy_setopt(t->easy, CURLOPT_USERAGENT,
	    "practiced/" PRACTICED_VERSION) ||
	    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers) ||
	    curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION,
	    transfer_header) ||
	    curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t) ||
	    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, transfer_write) ||
	    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t))
		return -1;
	if (j->allow_http &&
	    (curl_easy_setopt(t->easy, CURLOPT_PREREQFUNCTION,
	    transfer_prereq) ||
	    curl_easy_setopt(t->easy, CURLOPT_PREREQDATA, t)))
		return -1;
	return 0;
}

static int
transfer_setup(struct transfer *t)
{
	struct send_job	*j = t->job;

	if ((t->easy = curl_easy_init()) == NULL)
		return -1;
	if (curl_easy_setopt(t->easy, CURLOPT_URL, j->url) ||
	    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t) ||
	    curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->errbuf) ||
	    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT,
	    CONNECT_TIMEOUT) ||
	    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT, (long)j->timeout))
		return -1;
	if (j->username != NULL &&
	    (curl_easy_setopt(t->easy, CURLOPT_USERNAME, j->username) ||
	    curl_easy_setopt(t->easy, CURLOPT_PASSWORD, j->password)))
		return -1;
	if (j->ca_file != NULL &&
	    curl_easy_setopt(t->easy, CURLOPT_CAINFO, j->ca_file))
		return -1;
	if (j->kind == SEND_GET)
		return transfer_setup_get(t);
	return j->kind == SEND_SMTP ? transfer_setup_smtp(t) :
	    transfer_setup_http(t);
}

static void
result_set(struct transfer *t, enum send_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
result_set(struct transfer *t, enum send_outcome o, const char *fmt, ...)
{
	va_list	 ap;

	t->result.outcome = o;
	va_start(ap, fmt);
	vsnprintf(t->result.detail, sizeof(t->result.detail), fmt, ap);
	va_end(ap);
}

static const char *
transfer_why(struct transfer *t, CURLcode rc)
{
	return t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(rc);
}

/* A connection lost after the whole message went out may have delivered
 * it: the retry is marked as a possible duplicate. */
static int
transfer_in_doubt(struct transfer *t, CURLcode rc)
{
	curl_off_t	 up = 0;

	if (rc != CURLE_OPERATION_TIMEDOUT && rc != CURLE_RECV_ERROR &&
	    rc != CURLE_GOT_NOTHING && rc != CURLE_SEND_ERROR &&
	    rc != CURLE_WEIRD_SERVER_REPLY)
		return 0;
	if (t->job->kind == SEND_SMTP)
		return t->sent == t->job->len;
	curl_easy_getinfo(t->easy, CURLINFO_SIZE_UPLOAD_T, &up);
	return up >= (curl_off_t)t->job->len;
}

static void
classify_smtp(struct transfer *t, CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		result_set(t, SEND_SENT, "accepted by the mail server");
	else if (code >= 500)
		result_set(t, SEND_FAILED, "refused by the mail server (%ld): "
		    "%s", code, transfer_why(t, rc));
	else if (rc == CURLE_USE_SSL_FAILED)
		result_set(t, SEND_RETRY, "the mail server offers no STARTTLS, "
		    "which [smtp] starttls = required asks for");
	else if (code >= 400)
		result_set(t, SEND_RETRY, "deferred by the mail server (%ld): "
		    "%s", code, transfer_why(t, rc));
	else
		result_set(t, SEND_RETRY, "%s", transfer_why(t, rc));
}

static void
classify_http(struct transfer *t, CURLcode rc, long code)
{
	if (rc != CURLE_OK)
		result_set(t, SEND_RETRY, "%s", transfer_why(t, rc));
	else if (code >= 200 && code < 300)
		result_set(t, SEND_SENT, "accepted by the SMS provider (%ld)",
		    code);
	else if (code == 408 || code == 429 || code >= 500)
		result_set(t, SEND_RETRY, "the SMS provider answered %ld",
		    code);
	else
		result_set(t, SEND_FAILED, "refused by the SMS provider (%ld)",
		    code);
}

static void
classify_get(struct transfer *t, CURLcode rc, long code)
{
	if (t->too_large || rc == CURLE_FILESIZE_EXCEEDED)
		result_set(t, SEND_FAILED, "larger than %zu MB",
		    t->job->max_body / (1024 * 1024));
	else if (rc == CURLE_TOO_MANY_REDIRECTS)
		result_set(t, SEND_FAILED, "more than %ld redirects",
		    t->job->max_redirs);
	else if (t->off_host)
		result_set(t, SEND_FAILED, "plain http is allowed to this "
		    "machine only");
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		result_set(t, SEND_FAILED, "a redirect to another protocol "
		    "than https%s", t->job->allow_http ? " or http" : "");
	else if (rc != CURLE_OK)
		result_set(t, SEND_RETRY, "%s", transfer_why(t, rc));
	else if ((code >= 200 && code < 300) || code == 304)
		result_set(t, SEND_SENT, "the server answered %ld", code);
	else
		result_set(t, code == 429 || code >= 500 ? SEND_RETRY :
		    SEND_FAILED, "the server answered %ld", code);
}

static void
transfer_finish(struct transfer *t, CURLcode rc)
{
	long	 code = 0;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	t->result.id = t->job->id;
	t->result.code = code;
	t->result.in_doubt = transfer_in_doubt(t, rc);
	if (t->job->kind == SEND_SMTP)
		classify_smtp(t, rc, code);
	else if (t->job->kind == SEND_GET)
		classify_get(t, rc, code);
	else
		classify_http(t, rc, code);
	t->result.response = t->response;
	t->result.response_len = t->rlen;
	t->response = NULL;
	t->result.etag = t->etag;
	t->result.modified = t->modified;
	t->etag = t->modified = NULL;
}

static void
sender_wake_loop(struct sender *s)
{
	ssize_t	 n;

	/* A full pipe already holds a wake-up. */
	do
		n = write(s->fds[1], "x", 1);
	while (n == -1 && errno == EINTR);
}

/* The thread's part: start what the limit allows. */
static void
sender_start_queued(struct sender *s)
{
	struct transfer	*t;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping && s->nactive < s->max &&
	    (t = TAILQ_FIRST(&s->queued)) != NULL) {
		TAILQ_REMOVE(&s->queued, t, entry);
		pthread_mutex_unlock(&s->lock);
		if (transfer_setup(t) == -1 ||
		    curl_multi_add_handle(s->multi, t->easy) != CURLM_OK) {
			t->result.id = t->job->id;
			result_set(t, SEND_RETRY, "could not set up the transfer");
			pthread_mutex_lock(&s->lock);
			TAILQ_INSERT_TAIL(&s->done, t, entry);
			sender_wake_loop(s);
			continue;
		}
		pthread_mutex_lock(&s->lock);
		TAILQ_INSERT_TAIL(&s->active, t, entry);
		s->nactive++;
	}
	pthread_mutex_unlock(&s->lock);
}

/* The transfers that ended, to the loop; how many. */
static int
sender_collect(struct sender *s)
{
	CURLMsg		*msg;
	struct transfer	*t;
	int		 left, n = 0;

	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&t);
		transfer_finish(t, msg->data.result);
		curl_multi_remove_handle(s->multi, t->easy);
		pthread_mutex_lock(&s->lock);
		TAILQ_REMOVE(&s->active, t, entry);
		s->nactive--;
		TAILQ_INSERT_TAIL(&s->done, t, entry);
		pthread_mutex_unlock(&s->lock);
		sender_wake_loop(s);
		n++;
	}
	return n;
}

static int
sender_should_stop(struct sender *s)
{
	int	 stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stopping && (s->nactive == 0 || time(NULL) >= s->stop_by);
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* Nothing under way and nothing waiting to start. */
static int
sender_idle(struct sender *s, int running)
{
	int	 idle;

	pthread_mutex_lock(&s->lock);
	idle = running == 0 && TAILQ_EMPTY(&s->queued);
	pthread_mutex_unlock(&s->lock);
	return idle;
}

static void *
sender_main(void *arg)
{
	struct sender	*s = arg;
	struct transfer	*t;
	int		 running;

	while (!sender_should_stop(s)) {
		sender_start_queued(s);
		if (curl_multi_perform(s->multi, &running) != CURLM_OK)
			log_warnx("sender: curl_multi_perform failed");
		/* What ended frees its place: the next starts now, not
		 * when another transfer's socket next stirs. */
		if (sender_collect(s) > 0)
			continue;
		/* Idle, the thread sleeps until a job or the stop wakes it. */
		curl_multi_poll(s->multi, NULL, 0, sender_idle(s, running) ?
		    IDLE_MS : POLL_MS, NULL);
	}
	/* Past the grace: what is still under way is given up; the outbox
	 * finds it "sending" at the next start and tries again. */
	while ((t = TAILQ_FIRST(&s->active)) != NULL) {
		TAILQ_REMOVE(&s->active, t, entry);
		curl_multi_remove_handle(s->multi, t->easy);
		transfer_free(t);
	}
	return NULL;
}

/* The loop's part: hand the results to the caller, all at once. */
static void
sender_deliver(struct sender *s)
{
	struct transfers done = TAILQ_HEAD_INITIALIZER(done);
	struct transfer	*t;
	struct send_result *results;
	size_t		 n = 0, i;

	pthread_mutex_lock(&s->lock);
	TAILQ_CONCAT(&done, &s->done, entry);
	pthread_mutex_unlock(&s->lock);
	TAILQ_FOREACH(t, &done, entry)
		n++;
	if (n == 0)
		return;
	s->outstanding -= (int)n;
	if ((results = calloc(n, sizeof(*results))) != NULL) {
		i = 0;
		TAILQ_FOREACH(t, &done, entry)
			results[i++] = t->result;
		s->done_cb(results, n, s->arg);
		free(results);
	} else
		log_warnx("sender: out of memory: %zu results lost; they "
		    "will be sent again", n);
	while ((t = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, t, entry);
		free(t->result.response);
		free(t->result.etag);
		free(t->result.modified);
		transfer_free(t);
	}
}

static void
sender_on_pipe(evutil_socket_t fd, short what, void *arg)
{
	char	 buf[256];

	struct sender	*s = arg;
	struct timeval	 tv = { 0, SEND_GATHER_MS * 1000 };

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	/* Results come one by one; recorded together they cost one commit
	 * (one fsync) between them. */
	if (!evtimer_pending(s->gather, NULL))
		evtimer_add(s->gather, &tv);
}

static void
sender_on_gather(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sender_deliver(arg);
}

static int
sender_pipe(struct sender *s)
{
	if (pipe(s->fds) == -1)
		return -1;
	if (fcntl(s->fds[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(s->fds[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(s->fds[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(s->fds[1], F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

struct sender *
sender_start(struct event_base *base, int max, send_done_cb done, void *arg)
{
	static int	 curl_ready;
	struct sender	*s;

	/* Once, on the loop's thread, before any other thread uses curl. */
	if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return NULL;
	curl_ready = 1;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->fds[0] = s->fds[1] = -1;
	s->max = max;
	s->done_cb = done;
	s->arg = arg;
	TAILQ_INIT(&s->queued);
	TAILQ_INIT(&s->done);
	TAILQ_INIT(&s->active);
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	/* Results wait behind anything else ready, a caller's request first. */
	if ((s->multi = curl_multi_init()) == NULL || sender_pipe(s) == -1 ||
	    (s->ev = event_new(base, s->fds[0], EV_READ | EV_PERSIST,
	    sender_on_pipe, s)) == NULL ||
	    event_priority_set(s->ev, event_base_get_npriorities(base) - 1) ==
	    -1 || event_add(s->ev, NULL) == -1 ||
	    (s->gather = evtimer_new(base, sender_on_gather, s)) == NULL ||
	    event_priority_set(s->gather, event_base_get_npriorities(base) -
	    1) == -1 ||
	    curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)max) != CURLM_OK ||
	    pthread_create(&s->thread, NULL, sender_main, s) != 0) {
		if (s->ev != NULL)
			event_free(s->ev);
		if (s->gather != NULL)
			event_free(s->gather);
		if (s->multi != NULL)
			curl_multi_cleanup(s->multi);
		if (s->fds[0] != -1)
			close(s->fds[0]);
		if (s->fds[1] != -1)
			close(s->fds[1]);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

int
sender_submit(struct sender *s, struct send_job *job)
{
	struct transfer	*t;
	int		 stopping;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		send_job_free(job);
		return -1;
	}
	t->job = job;
	pthread_mutex_lock(&s->lock);
	if (!(stopping = s->stopping))
		TAILQ_INSERT_TAIL(&s->queued, t, entry);
	pthread_mutex_unlock(&s->lock);
	if (stopping) {
		transfer_free(t);
		return -1;
	}
	s->outstanding++;
	curl_multi_wakeup(s->multi);
	return 0;
}

int
sender_outstanding(const struct sender *s)
{
	return s->outstanding;
}

void
sender_stop(struct sender *s, int grace)
{
	struct transfer	*t;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	s->stop_by = time(NULL) + grace;
	pthread_mutex_unlock(&s->lock);
	curl_multi_wakeup(s->multi);
	pthread_join(s->thread, NULL);
	/* What finished in the grace is recorded; what never started is
	 * still due in the outbox. */
	sender_deliver(s);
	while ((t = TAILQ_FIRST(&s->queued)) != NULL) {
		TAILQ_REMOVE(&s->queued, t, entry);
		transfer_free(t);
	}
	event_free(s->ev);
	event_free(s->gather);
	curl_multi_cleanup(s->multi);
	close(s->fds[0]);
	close(s->fds[1]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
