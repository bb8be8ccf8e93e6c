/* The daemon's helper threads. */
#ifndef PRACTICED_THREAD_H
#define PRACTICED_THREAD_H

#include <pthread.h>

/*
 * A thread running fn(arg), started with every signal blocked: signals
 * are the loop's (libevent's handlers), none reach a helper.  0, or
 * pthread_create's error number.
 */
int	thread_start(pthread_t *, void *(*fn)(void *), void *arg);

#endif
