/*
 * Facts a job may remember about the practice's records while it alone
 * writes: an import books thousands of sessions with the same few
 * clinicians, clients and services, and would otherwise read each one's
 * state again for every session.  The job owns the table, hangs it on
 * its context (ctx->facts) and clears it whenever someone else may have
 * written, or when what it wrote was rolled back; the domain functions
 * that read these facts look here first.  Without a table (every
 * request) nothing changes.
 */
#ifndef PRACTICED_FACTS_H
#define PRACTICED_FACTS_H

enum fact_kind {
	FACT_ACTIVE_CLINICIAN,	/* lookup_require_active, by kind */
	FACT_ACTIVE_CLIENT,
	FACT_ACTIVE_SERVICE,
	FACT_ACTIVE_ROOM,
	FACT_SERVICE_LENGTH,	/* a: minutes, b: buffer */
	FACT_CLINICIAN_ZONE	/* text */
};

#define FACT_TEXT_MAX	72	/* a zone name */

struct fact {
	long long	 a, b;
	char		 text[FACT_TEXT_MAX];
};

struct facts;

struct facts	*facts_new(void);
void		 facts_free(struct facts *);
/* Forget everything (someone else wrote, or a rollback). */
void		 facts_clear(struct facts *);
/* 1 with *f when remembered, else 0; a NULL table remembers nothing. */
int		 facts_get(const struct facts *, enum fact_kind, long long id,
		    struct fact *);
/* Remember; a full table starts again empty (merely slower). */
void		 facts_put(struct facts *, enum fact_kind, long long id,
		    const struct fact *);

#endif
