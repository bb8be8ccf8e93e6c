/*
 * sd_notify(3) spoken directly: the protocol is one datagram on the
 * socket NOTIFY_SOCKET names, and this is all of it practiced needs, so
 * libsystemd stays out of the daemon.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "notify.h"

/* systemd >= 8 ms; shorter would only be a busy loop. */
#define NOTIFY_WATCHDOG_MIN_USEC	20000LL

struct notify {
	struct event	*timer;
	struct timeval	 every;
};

int
notify_send(const char *state)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd, rc = 0;

	if (path == NULL || *path == '\0')
		return 0;
	if (strlen(path) >= sizeof(sun.sun_path) ||
	    (path[0] != '/' && path[0] != '@')) {
		log_warnx("NOTIFY_SOCKET: unusable address %s", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';		/* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("notify socket");
		return -1;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1) {
		log_warn("notify %s", path);
		rc = -1;
	}
	close(fd);
	return rc;
}

/*
 * systemd 253's Type=notify-reload matches the reload to its own
 * request by the monotonic clock; older versions ignore the field.
 */
int
notify_reloading(void)
{
	struct timespec	 ts;
	char		 msg[64];

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		log_warn("clock_gettime");
		return notify_send("RELOADING=1");
	}
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	return notify_send(msg);
}

/* Each turn of the loop that reaches this timer proves the loop runs. */
static void
notify_on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct notify	*n = arg;

	(void)fd;
	(void)what;
	(void)notify_send("WATCHDOG=1");
	evtimer_add(n->timer, &n->every);
}

/* WATCHDOG_USEC in microseconds, or 0 when it is not ours or absent. */
static long long
notify_watchdog_usec(void)
{
	const char	*s = getenv("WATCHDOG_USEC"), *p;
	char		*end;
	long long	 usec, pid;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	usec = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || usec <= 0) {
		log_warnx("WATCHDOG_USEC: not a number of microseconds: %.32s",
		    s);
		return 0;
	}
	/* Set for a parent (ExecStartPre, a wrapper): not ours to answer. */
	if ((p = getenv("WATCHDOG_PID")) != NULL && *p != '\0') {
		pid = strtoll(p, &end, 10);
		if (*end != '\0' || pid != (long long)getpid())
			return 0;
	}
	return usec < NOTIFY_WATCHDOG_MIN_USEC ? NOTIFY_WATCHDOG_MIN_USEC :
	    usec;
}

struct notify *
notify_watchdog_start(struct event_base *base)
{
	struct notify	*n;
	long long	 usec, half;

	if ((usec = notify_watchdog_usec()) == 0)
		return NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		log_warn("watchdog");
		return NULL;
	}
	half = usec / 2;
	n->every.tv_sec = half / 1000000;
	n->every.tv_usec = half % 1000000;
	if ((n->timer = evtimer_new(base, notify_on_watchdog, n)) == NULL) {
		log_warnx("watchdog: evtimer_new");
		free(n);
		return NULL;
	}
	/* The first at once: systemd counts from the start. */
	(void)notify_send("WATCHDOG=1");
	if (evtimer_add(n->timer, &n->every) == -1) {
		log_warnx("watchdog: evtimer_add");
		notify_watchdog_stop(n);
		return NULL;
	}
	log_debug("watchdog: every %lld ms", half / 1000);
	return n;
}

void
notify_watchdog_stop(struct notify *n)
{
	if (n == NULL)
		return;
	event_free(n->timer);
	free(n);
}
