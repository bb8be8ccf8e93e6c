/*
 * practiced: the practice's schedule behind a Unix socket.  One process,
 * one libevent loop.  It does not detach: a service manager (systemd,
 * Type=notify) or a terminal (-d) runs it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "busy_fetch.h"
#include "backup.h"
#include "agenda.h"
#include "config.h"
#include "control.h"
#include "db.h"
#include "feed.h"
#include "import.h"
#include "log.h"
#include "notify.h"
#include "outbox.h"
#include "practiced.h"
#include "protocol.h"
#include "series.h"
#include "tz.h"
#include "verify.h"

#define DAEMON_TRIM_THRESHOLD	(4 << 20)	/* bytes */
#define DAEMON_MMAP_THRESHOLD	(4 << 20)

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: practiced [-dnv] [-f file]\n");
	exit(2);
}

#define EXTEND_EVERY	(6 * 3600)	/* series reach the horizon */

static void
on_extend(evutil_socket_t fd, short what, void *arg)
{
	struct practiced	*pd = arg;
	struct timeval		 tv = { EXTEND_EVERY, 0 };

	(void)fd;
	/*
	 * At start (called, what 0) all at once; from the timer (fd is -1
	 * there too) in turns that let others in.
	 */
	if (series_extend_all(pd, what == 0))
		tv.tv_sec = 0;
	evtimer_add(pd->extend, &tv);
}

#define OPTIMIZE_EVERY	(6 * 3600)	/* the practice has grown since */

static void
on_optimize(evutil_socket_t fd, short what, void *arg)
{
	struct practiced	*pd = arg;

	(void)fd;
	(void)what;
	db_optimize(pd->db);
}

static void
stop_done(void *arg)
{
	struct practiced	*pd = arg;

	event_base_loopbreak(pd->base);
}

static void
on_terminate(evutil_socket_t sig, short what, void *arg)
{
	struct practiced	*pd = arg;

	(void)what;
	log_info("%s: finishing requests and exiting",
	    sig == SIGINT ? "SIGINT" : "SIGTERM");
	(void)notify_send("STOPPING=1");
	control_stop(pd->control, stop_done, pd);
}

/* Settings that live in open files and sockets need a restart. */
static void
reload_warn_fixed(const struct config *old, const struct config *new)
{
	if (strcmp(old->database, new->database) != 0)
		log_warnx("reload: database path change needs a restart");
	if (strcmp(old->socket_path, new->socket_path) != 0)
		log_warnx("reload: socket path change needs a restart");
	if ((old->socket_group == NULL) != (new->socket_group == NULL) ||
	    (old->socket_group != NULL &&
	    strcmp(old->socket_group, new->socket_group) != 0))
		log_warnx("reload: socket_group change needs a restart");
}

static void
on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct practiced	*pd = arg;
	struct config		*conf;
	char			 err[512];

	(void)sig;
	(void)what;
	(void)notify_reloading();
	if ((conf = config_load(pd->conf->path, err, sizeof(err))) == NULL) {
		log_warnx("reload refused, keeping the running "
		    "configuration: %s", err);
		(void)notify_send("READY=1");
		return;
	}
	if (config_check_reload(pd->conf, conf, err, sizeof(err)) == -1) {
		log_warnx("reload refused, keeping the running "
		    "configuration: %s", err);
		config_free(conf);
		(void)notify_send("READY=1");
		return;
	}
	reload_warn_fixed(pd->conf, conf);
	/* Keep what cannot change without a restart. */
	free(conf->database);
	free(conf->socket_path);
	free(conf->socket_group);
	conf->database = pd->conf->database;
	conf->socket_path = pd->conf->socket_path;
	conf->socket_group = pd->conf->socket_group;
	pd->conf->database = pd->conf->socket_path = NULL;
	pd->conf->socket_group = NULL;
	config_free(pd->conf);
	pd->conf = conf;
	control_reconfigure(pd->control);
	feeds_reconfigure(pd);
	log_info("configuration reloaded from %s", conf->path);
	(void)notify_send("READY=1");
}

#ifdef PRACTICED_TEST
/*
 * A test build only: SIGUSR2 stalls the loop for PRACTICED_TEST_STALL_MS
 * (default 3000), as a request stuck in a loop would, so that a test can
 * see the watchdog go silent.
 */
static void
on_test_stall(evutil_socket_t sig, short what, void *arg)
{
	const char	*s = getenv("PRACTICED_TEST_STALL_MS");
	long		 ms = s != NULL ? strtol(s, NULL, 10) : 3000;
	struct timespec	 ts;

	(void)sig;
	(void)what;
	(void)arg;
	if (ms <= 0 || ms > 60000)
		ms = 3000;
	log_info("test: stalling the loop for %ld ms", ms);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	log_info("test: the loop runs again");
}
#endif

static struct config *
load_or_exit(const char *path)
{
	struct config	*conf;
	char		 err[512];

	if ((conf = config_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "practiced: %s\n", err);
		exit(1);
	}
	return conf;
}

static int
open_database(struct practiced *pd)
{
	char	 err[512];

	if ((pd->db = db_open(pd->conf->database, err, sizeof(err))) == NULL) {
		log_warnx("database: %s", err);
		return -1;
	}
	if (db_checkpoint_thread(pd->db, err, sizeof(err)) == -1) {
		log_warnx("database: %s", err);
		return -1;
	}
	if (pd->conf->demo && demo_seed(pd) == -1) {
		log_warnx("demo: cannot seed the database");
		return -1;
	}
	return 0;
}

/*
 * Already exiting: freeing the signal events restores the default
 * action, and a second SIGTERM would then kill us half-way through.
 */
static void
block_stop_signals(void)
{
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		log_warn("sigprocmask");
}

static void
run(struct practiced *pd)
{
	struct event	*ev_term, *ev_int, *ev_hup, *optimize;
	struct timeval	 optimize_every = { OPTIMIZE_EVERY, 0 };
	struct notify	*watchdog;
#ifdef PRACTICED_TEST
	struct event	*ev_stall;
#endif

	/*
	 * Three priorities: events are made at the middle one; the outbox's
	 * take the last, so that a dispatch never keeps a caller waiting.
	 */
	if ((pd->base = event_base_new()) == NULL ||
	    event_base_priority_init(pd->base, 3) == -1)
		fatalx("event_base_new");
	ev_term = evsignal_new(pd->base, SIGTERM, on_terminate, pd);
	ev_int = evsignal_new(pd->base, SIGINT, on_terminate, pd);
	ev_hup = evsignal_new(pd->base, SIGHUP, on_reload, pd);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL ||
	    evsignal_add(ev_term, NULL) == -1 ||
	    evsignal_add(ev_int, NULL) == -1 ||
	    evsignal_add(ev_hup, NULL) == -1)
		fatalx("cannot install signal handlers");
#ifdef PRACTICED_TEST
	if ((ev_stall = evsignal_new(pd->base, SIGUSR2, on_test_stall,
	    pd)) == NULL || evsignal_add(ev_stall, NULL) == -1)
		fatalx("cannot install the test's SIGUSR2 handler");
#endif
	pd->control = control_start(pd);
	if (open_database(pd) == -1) {
		control_free(pd->control);
		exit(1);
	}
	if ((pd->extend = evtimer_new(pd->base, on_extend, pd)) == NULL ||
	    (optimize = event_new(pd->base, -1, EV_PERSIST, on_optimize,
	    pd)) == NULL || event_priority_set(optimize,
	    event_base_get_npriorities(pd->base) - 1) == -1 ||
	    event_add(optimize, &optimize_every) == -1)
		fatalx("cannot make the daemon's timers");
	on_extend(-1, 0, pd);
	if ((pd->outbox = outbox_start(pd)) == NULL) {
		log_warnx("outbox: cannot start");
		control_free(pd->control);
		exit(1);
	}
	pd->feeds = feeds_start(pd);
	if ((pd->busy = busy_fetch_start(pd)) == NULL)
		log_warnx("busy calendars: cannot start their fetches");
	if ((pd->backups = backup_start(pd)) == NULL ||
	    (pd->verify = verify_start(pd)) == NULL)
		fatalx("backup: cannot start");
	pd->agenda_mail = agenda_mail_start(pd);
	if ((pd->imports = imports_new(pd)) == NULL)
		fatalx("imports: out of memory");
	if (pd->conf->practice_phone == NULL && pd->conf->reminders.nrules > 0)
		log_warnx("[practice] phone is not set: reminders cannot tell "
		    "clients the number to call");
	(void)notify_send("READY=1");
	watchdog = notify_watchdog_start(pd->base);
	log_info("ready: %s, database %s", pd->conf->practice_name,
	    pd->conf->database);
	if (event_base_dispatch(pd->base) == -1)
		log_warnx("event loop failed");
	block_stop_signals();
	notify_watchdog_stop(watchdog);
#ifdef PRACTICED_TEST
	event_free(ev_stall);
#endif
	agenda_mail_stop(pd->agenda_mail);
	pd->agenda_mail = NULL;
	outbox_stop(pd->outbox);
	pd->outbox = NULL;
	busy_fetch_stop(pd->busy);
	pd->busy = NULL;
	feeds_free(pd->feeds);
	verify_stop(pd->verify);
	backup_stop(pd->backups);
	imports_free(pd->imports);
	pd->imports = NULL;
	control_free(pd->control);
	event_free(pd->extend);
	event_free(optimize);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_base_free(pd->base);
}

/*
 * One daemon a database, decided before anything else is touched: a
 * second daemon must not unlink the first one's socket as stale, nor
 * open the database.  Held until exit.
 */
static int
lock_or_exit(const char *database)
{
	char	 err[512];
	int	 fd;

	if ((fd = db_lock(database, err, sizeof(err))) == -1) {
		log_warnx("not starting: %s", err);
		exit(1);
	}
	return fd;
}

int
main(int argc, char *argv[])
{
	struct practiced	 pd;
	const char		*path = PROTO_DEFAULT_CONFIG;
	int			 ch, foreground = 0, check = 0, verbose = 0;
	int			 lockfd;

	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	/*
	 * SQLite frees a statement journal after each statement; at the top
	 * of the heap, glibc gives it back to the system and takes it again
	 * at the next one.  With the sender's thread, each give-back flushes
	 * every CPU's TLB: half the loop's time in a dispatch, on a virtual
	 * machine.  Kept instead (a few MB at most are ever at stake).
	 * Setting it fixes glibc's mmap threshold too, so blocks of a few
	 * MB (a report's rows) are taken from the heap as well, not mapped
	 * and unmapped, with the same flush, each time.  Another allocator
	 * (ASan's) refuses; nothing is lost but speed.
	 */
	(void)mallopt(M_TRIM_THRESHOLD, DAEMON_TRIM_THRESHOLD);
	(void)mallopt(M_MMAP_THRESHOLD, DAEMON_MMAP_THRESHOLD);
	memset(&pd, 0, sizeof(pd));
	pd.conf = load_or_exit(path);
	if (check) {
		printf("%s: configuration OK\n", path);
		config_free(pd.conf);
		return 0;
	}
	log_init(foreground, verbose);
	/* Client data is health data: the database and its WAL are ours only. */
	umask(S_IRWXG | S_IRWXO);
	signal(SIGPIPE, SIG_IGN);
	pd.uid = geteuid();
	pd.started = time(NULL);
	lockfd = lock_or_exit(pd.conf->database);
	run(&pd);
	db_close(pd.db);
	close(lockfd);
	config_free(pd.conf);
	tz_free();
	log_info("exited");
	return 0;
}
