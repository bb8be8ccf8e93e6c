/*
 * A practice in an in-memory database for the domain's unit tests: a
 * fixed clock, a few people, rooms and services, some of them archived.
 */
#ifndef PRACTICED_TEST_PRACTICE_H
#define PRACTICED_TEST_PRACTICE_H

#include <time.h>

#include "config.h"
#include "ctx.h"
#include "practiced.h"

/* Monday 2030-01-07 08:00 UTC; the practice's zone is UTC. */
#define PRACTICE_NOW	((time_t)1894003200)
#define PRACTICE_DAY	((time_t)86400)
/* An instant on the fixture's week: day 0 is Monday, at HH:MM UTC. */
#define AT(day, hh, mm)	(PRACTICE_NOW - 8 * 3600 + (day) * PRACTICE_DAY + \
			    (hh) * 3600 + (mm) * 60)

/* Ids the fixture creates. */
enum {
	ANA = 1, SAM = 2, OLD_CLINICIAN = 3,		/* clinicians */
	JORDAN = 1, MARIA = 2, GONE_CLIENT = 3,		/* clients */
	SESSION = 1, INTAKE = 2, OLD_SERVICE = 3,	/* services */
	ROOM1 = 1, ROOM2 = 2, OLD_ROOM = 3		/* rooms */
};

struct practice {
	struct practiced	 pd;
	struct config		 conf;
	struct ctx		 ctx;	/* a staff caller, at PRACTICE_NOW */
};

/* -1 when the database cannot be made (the test reports it). */
int	 practice_open(struct practice *);
void	 practice_close(struct practice *);
/* SQL for set-up and for checking outcomes; -1 on an error. */
int	 practice_exec(struct practice *, const char *sql);
long long practice_int(struct practice *, const char *sql);
/* A fresh error and clock for the next case. */
void	 practice_reset(struct practice *, time_t now);
/* SQLite's virtual machine steps of every statement since the last
 * call: what a piece of work read, whatever the machine's speed. */
long long practice_vm_steps(struct practice *);

#endif
