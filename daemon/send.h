/*
 * The sender: a thread of its own that carries messages out with
 * libcurl's multi interface, so that no transfer (libcurl's SMTP blocks
 * in its last phase even in multi mode, curl issue #8555) ever holds the
 * event loop.  A job carries a copy of all it needs, since a reload may
 * free the configuration it came from while it is on the way; results
 * come back to the loop through a pipe.
 */
#ifndef PRACTICED_SEND_H
#define PRACTICED_SEND_H

#include <stddef.h>

struct event_base;
struct sender;

/* Results are handed back together, at most this long after the first. */
#define SEND_GATHER_MS	25

enum send_kind {
	SEND_SMTP,		/* a message to one recipient */
	SEND_HTTP,		/* a POST (an SMS provider) */
	SEND_GET		/* a GET of a file (a busy calendar) */
};

struct send_job {
	long long	 id;		/* the caller's, given back */
	enum send_kind	 kind;
	char		*url;		/* smtp(s):// or http(s):// */
	char		*username;	/* NULL: none */
	char		*password;
	int		 starttls;	/* SMTP: TLS or nothing */
	char		*ca_file;	/* NULL: the system's authorities */
	char		*mail_from;	/* SMTP envelope */
	char		*rcpt;
	char		*body;		/* the message, or the POST's body */
	size_t		 len;
	char		*content_type;	/* HTTP */
	char		*header;	/* HTTP: one more header, or NULL */
	char		*bearer;	/* HTTP: "Authorization: Bearer ..." */
	int		 timeout;	/* seconds for the whole transfer */
	/*
	 * GET: https only, and plain http to a loopback address when
	 * allow_http; at most max_redirs redirects, never from https to
	 * http; a body over max_body bytes fails the transfer.  etag and
	 * modified (or NULL) make it conditional: a 304 brings no body.
	 */
	int		 allow_http;
	long		 max_redirs;
	size_t		 max_body;
	char		*etag;
	char		*modified;
};

enum send_outcome {
	SEND_SENT,
	SEND_RETRY,		/* transient: try again later */
	SEND_FAILED		/* permanent: trying again will not help */
};

struct send_result {
	long long	 id;
	enum send_outcome outcome;
	int		 in_doubt;	/* may have arrived all the same */
	long		 code;		/* the SMTP or HTTP status, 0: none */
	char		 detail[256];	/* why, for the ledger */
	char		*response;	/* HTTP: the body (bounded), or NULL */
	size_t		 response_len;
	char		*etag;		/* GET: the answer's, or NULL */
	char		*modified;	/* GET: its Last-Modified, or NULL */
};

/* The results that came back together, so that the caller can record
 * them in one transaction. */
typedef void (*send_done_cb)(struct send_result *, size_t n, void *);

/* At most max transfers at once; done runs on base's thread with the
 * results, which it must not keep (they are freed after). */
struct sender	*sender_start(struct event_base *base, int max,
		    send_done_cb done, void *arg);
/* The job is the sender's from now on, whatever the answer; -1 when it
 * is stopping. */
int		 sender_submit(struct sender *, struct send_job *);
/* Jobs submitted whose results have not come back (the loop's count). */
int		 sender_outstanding(const struct sender *);
/* Waits up to grace seconds for transfers under way, then stops. */
void		 sender_stop(struct sender *, int grace);
void		 send_job_free(struct send_job *);

#endif
