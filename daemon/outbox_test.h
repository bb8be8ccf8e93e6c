/*
 * Test messages: one sent now to a client, by email or SMS, so the
 * practice sees its set-up reach a real inbox or phone.  A test has no
 * session, so it stays out of the ledger: the last OUTBOX_TESTS are kept
 * in memory for practicectl to follow, and each is audited.
 */
#ifndef PRACTICED_OUTBOX_TEST_H
#define PRACTICED_OUTBOX_TEST_H

#include <time.h>

#include "notice.h"

struct ctx;
struct outbox;
struct practiced;
struct outbox_tests;
struct send_job;
struct send_result;

#define OUTBOX_TESTS	16
#define OUTBOX_TEST_ID_MAX	1000000000	/* ids fit an int */

/* What became of a test, as its GET shows it. */
struct outbox_test {
	int		 id;		/* from 1; 0: the slot is free */
	long long	 client_id;
	enum channel	 channel;
	time_t		 started;
	char		 state[16];	/* sending, sent, failed */
	long		 code;		/* the server's, 0: none */
	char		 detail[320];
};

struct outbox_tests *outbox_tests_new(struct practiced *);
/* Frees the jobs never handed over (their transaction rolled back). */
void		 outbox_tests_free(struct outbox_tests *);

/*
 * Plans a test to the client by channel inside the caller's transaction
 * (audited); it leaves once that commits.  Refused (error set, -1) when
 * the client is archived, lacks the address, or (SMS) has no consent
 * recorded.  *out: the test as it starts.
 */
int		 outbox_test_send(struct ctx *, long long client_id,
		    enum channel, struct outbox_test *out);
/* The test of that id, still kept; -1 (not found) otherwise. */
int		 outbox_test_get(struct ctx *, int id, struct outbox_test *out);
/* A result of the sender for a test (its job id is -id). */
void		 outbox_test_done(struct outbox_tests *,
		    const struct send_result *);

#endif
