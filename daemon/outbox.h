/*
 * The outbox: one timer armed at the next due reminder; when it fires,
 * the due ones are claimed in one transaction and handed to the sender
 * (or, with no [smtp] or [sms] configured, written as files into the
 * outbox folder beside the database); each result is recorded as it
 * comes back.  Rows found "sending" at start were in flight at a crash:
 * they are sent again and marked as possibly sent twice.
 */
#ifndef PRACTICED_OUTBOX_H
#define PRACTICED_OUTBOX_H

struct practiced;
struct outbox;

/* Claimed at most this many at a time, so the loop is never held long. */
#define OUTBOX_BATCH		50
/* No claim while this many are with the sender: it always has work, and
 * a crash finds no more than these "sending". */
#define OUTBOX_AHEAD		(4 * OUTBOX_BATCH)
/* Tries of one reminder before it is failed. */
#define OUTBOX_MAX_ATTEMPTS	8
/* The timer never sleeps longer, against the wall clock jumping. */
#define OUTBOX_SWEEP		300

struct outbox	*outbox_start(struct practiced *);
/* Waits a few seconds for transfers under way, records them, stops. */
void		 outbox_stop(struct outbox *);
/* The next due time may have changed: re-arm once the transaction that
 * changed it commits (now, outside one). */
void		 outbox_kick(struct practiced *);
/* The folder messages are written to without a provider. */
const char	*outbox_folder(const struct outbox *);

/* For test messages (outbox_test.c): their registry; a job handed to
 * the sender (its id the test's, negated; -1 when stopping); a text
 * written as the file name of the folder. */
struct outbox_tests *outbox_tests(struct outbox *);
struct send_job;
int		 outbox_submit(struct outbox *, struct send_job *);
int		 outbox_write(struct outbox *, const char *name,
		    const char *text);

#endif
