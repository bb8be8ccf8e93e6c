/*
 * What the feeds' listener (feed_serve.c) and its answers
 * (feed_answer.c) share: the listener's state and what it remembers of
 * each feed between fetches.
 */
#ifndef PRACTICED_FEED_INT_H
#define PRACTICED_FEED_INT_H

#include <time.h>

#include <event2/util.h>

#include "feed.h"

struct event;
struct http_request;
struct http_server;
struct practiced;

#define FEEDS_CACHE		256	/* feeds remembered */
/* Texts kept for answers without making them again: a year of a
 * full-time clinician is some 0.5 MB, 20 ms to make. */
#define FEEDS_TEXT_BUDGET	(32 * 1024 * 1024)
#define FEEDS_FLUSH_SECONDS	30	/* fetches stored this often */

/*
 * What the listener knows of a feed between fetches: its text's tag
 * and what the text was made from (the database as it stood, the
 * window's first day, the configuration), so that a calendar app
 * asking whether anything changed is answered without making the text
 * again (and one asking for the text gets the one kept, while the
 * texts fit FEEDS_TEXT_BUDGET); and the fetches not yet stored, so that
 * a fetch costs no write to disk.
 */
struct feeds_entry {
	long long	 id;
	int		 known;		/* the tag fits the state below */
	long long	 changes;	/* sqlite3_total_changes64 */
	long long	 data_version;	/* other connections' commits */
	time_t		 from;
	unsigned int	 generation;	/* reloads */
	char		 etag[FEED_ETAG_LEN + 1];
	char		*text;		/* of the tag, or NULL */
	size_t		 len;
	time_t		 changed;
	int		 pending;	/* fetches not yet stored */
	time_t		 at;
	char		 address[64];
	char		 agent[FEED_AGENT_MAX + 1];
};

struct feeds {
	struct practiced	*pd;
	struct http_server	*server;
	char			*listen;	/* what the socket is bound to */
	struct event		*flush;		/* armed while fetches wait */
	unsigned int		 generation;
	size_t			 text_bytes;	/* of the entries' texts */
	struct feeds_entry	 cache[FEEDS_CACHE];
	size_t			 ncache;
};

/* feed_answer.c: the handler of every request, and storing the fetches
 * that wait (the timer's callback takes the struct feeds). */
void	 feeds_request(struct http_request *, void *);
void	 feeds_flush(struct feeds *);
void	 feeds_flush_cb(evutil_socket_t, short, void *);
/* The text an entry keeps let go (before the entry is dropped). */
void	 feeds_forget_text(struct feeds *, struct feeds_entry *);

#endif
