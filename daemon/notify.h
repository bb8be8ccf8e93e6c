/*
 * The service manager's notify protocol (sd_notify(3)): ready, reloading,
 * stopping, and the watchdog, answered from the event loop itself so that
 * a loop that stalls stops answering and systemd restarts the daemon.
 * Without NOTIFY_SOCKET (a terminal, make run) each is a no-op.
 */
#ifndef PRACTICED_NOTIFY_H
#define PRACTICED_NOTIFY_H

struct event_base;
struct notify;

/* Sends one state datagram ("READY=1", "STOPPING=1"); 0 or -1. */
int		 notify_send(const char *state);
/* "RELOADING=1" with MONOTONIC_USEC, as systemd >= 253 wants it. */
int		 notify_reloading(void);

/*
 * The watchdog: when systemd set WATCHDOG_USEC (for this pid), a timer
 * on base sends WATCHDOG=1 every half of it.  NULL when there is none
 * (or on failure, logged): the caller need not tell the two apart.
 */
struct notify	*notify_watchdog_start(struct event_base *);
void		 notify_watchdog_stop(struct notify *);

#endif
