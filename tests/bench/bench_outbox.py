#!/usr/bin/python3
"""
bench_outbox: how fast the outbox empties, and what the loop feels of it.

  /usr/bin/python3 tests/bench/bench_outbox.py --build /abs/build [--messages 10000]

1. Postfix's smtp-sink and smtp-source come from Debian's postfix package,
   downloaded with apt-get and unpacked with dpkg -x (no mail system runs).
2. The reference: smtp-source sends the messages to smtp-sink on loopback
   with 8 sessions at once (-s 8), timed.
3. practiced, with [smtp] pointing at the same sink, starts on a practice
   whose N reminders (N clients, N sessions two hours ahead, one rule) are
   all due: bulk-inserted while it was stopped.  Timed from READY=1 until
   the database says every one is sent, results committed.  Meanwhile a
   client runs practicectl list back to back: its latencies, p50 and p99.
4. Idle: 100,000 reminders due over the next weeks, the daemon left alone
   for 10 s; its voluntary context switches over that time count its
   wake-ups (target: none between due times; the five-minute sweep does
   not fall in the window).

Prints figures and ratios against the reference measured in the same run;
asserts nothing about timing.  Everything lives in a temporary folder.
"""

import argparse
import glob
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_list  # noqa: E402
from bench_list import Daemon, guard  # noqa: E402

SESSIONS = 8


def die(msg):
    print("bench_outbox: " + msg, file=sys.stderr)
    sys.exit(1)


bench_list.die = die


def postfix_tools(cache):
    """smtp-sink and smtp-source from Debian's postfix package."""
    tools = os.path.join(cache, "x", "usr", "sbin")
    if not os.path.exists(os.path.join(tools, "smtp-sink")):
        os.makedirs(cache, exist_ok=True)
        os.chmod(cache, 0o777)      # apt's _apt user writes the download
        subprocess.run(["apt-get", "download", "postfix"], cwd=cache, check=True,
                       capture_output=True)
        deb = glob.glob(os.path.join(cache, "postfix_*.deb"))
        if not deb:
            die("apt-get download postfix gave no package")
        subprocess.run(["dpkg", "-x", deb[0], os.path.join(cache, "x")], check=True)
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(cache, "x", "usr", "lib",
                                                        "postfix"))
    return os.path.join(tools, "smtp-sink"), os.path.join(tools, "smtp-source"), env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference(source, env, port, n):
    t0 = time.monotonic()
    subprocess.run([source, "-s", str(SESSIONS), "-m", str(n), "-f",
                    "noreply@example.org", "-t", "client@example.org",
                    "127.0.0.1:%d" % port], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t0


def configure(d, port):
    with open(d.conf, "a") as f:
        f.write("\n[reminders]\nrule = email 1h\nquiet_hours = none\n"
                "[smtp]\nurl = smtp://127.0.0.1:%d\nstarttls = no\n"
                "from = Bench Practice <noreply@example.org>\n" % port)


def bulk(db, n, due_from, spread, day_sessions=0):
    """n clients, each with a session and its reminder, due from due_from
    over spread seconds (0: all at once); and day_sessions more on the day
    20 days ahead, for the list."""
    con = sqlite3.connect(db)
    now = int(time.time())
    with con:
        con.execute("INSERT INTO clinicians (name, zone, created) VALUES"
                    " ('Bench Clinician %d', 'America/New_York', ?)" % now, (now,))
        clin = con.execute("SELECT max(id) FROM clinicians").fetchone()[0]
        con.execute("INSERT OR IGNORE INTO services (name, minutes) VALUES"
                    " ('Bench', 50)")
        svc = con.execute("SELECT id FROM services WHERE name = 'Bench'").fetchone()[0]
        base = con.execute("SELECT coalesce(max(id), 0) FROM clients").fetchone()[0]
        for i in range(n):
            due = due_from + (spread * i // max(n, 1))
            start = due + 3600
            cur = con.execute("INSERT INTO clients (name, email, remind_email, created)"
                              " VALUES (?, ?, 1, ?)",
                              ("Bench Client %d" % (base + i), "c%d@example.org" % (base + i),
                               now))
            cli = cur.lastrowid
            cur = con.execute("INSERT INTO appointments (clinician_id, client_id,"
                              " service_id, start_utc, end_utc, block_end_utc, zone,"
                              " created, updated) VALUES (?, ?, ?, ?, ?, ?,"
                              " 'America/New_York', ?, ?)",
                              (clin, cli, svc, start, start + 3000, start + 3000, now, now))
            con.execute("INSERT INTO reminders (appointment_id, notice, channel,"
                        " rule_minutes, version, due_utc, recipient, created, updated)"
                        " VALUES (?, 'reminder', 'email', 60, 1, ?, ?, ?, ?)",
                        (cur.lastrowid, due, "c%d@example.org" % (base + i), now, now))
        day = (now // 86400 + 20) * 86400 + 14 * 3600
        for i in range(day_sessions):
            con.execute("INSERT INTO appointments (clinician_id, client_id,"
                        " service_id, start_utc, end_utc, block_end_utc, zone,"
                        " created, updated) VALUES (?, ?, ?, ?, ?, ?,"
                        " 'America/New_York', ?, ?)",
                        (clin, base + 1 + i, svc, day + i * 3600, day + i * 3600 + 3000,
                         day + i * 3600 + 3000, now, now))
    con.close()


def states(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return dict(con.execute("SELECT state, count(*) FROM reminders GROUP BY state"))
    finally:
        con.close()


LIST_EVERY = 0.05     # a busy front desk or two: 20 lists a second


def list_latencies(d, stop, out):
    """A front desk's list of an ordinary day (not the bulk's) meanwhile,
    LIST_EVERY apart (back to back, the lists would be a load of their own
    on the loop and the two cores)."""
    day = time.strftime("%Y-%m-%d", time.localtime(time.time() + 20 * 86400))
    while not stop.is_set():
        t0 = time.monotonic()
        subprocess.run([d.ctl, "-s", d.sock, "--json", "list", "--day", day],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.monotonic() - t0)
        time.sleep(max(0.0, t0 + LIST_EVERY - time.monotonic()))


def loop_cpu(d):
    """CPU seconds of the daemon's main thread, the event loop's."""
    with open("/proc/%d/task/%d/stat" % (d.proc.pid, d.proc.pid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dispatch(d, n):
    """Seconds from READY=1 until every reminder is sent, the list
    latencies meanwhile, and the loop's CPU seconds for it."""
    lat, stop = [], threading.Event()
    d.start()
    cpu0 = loop_cpu(d)
    t0 = time.monotonic()
    th = threading.Thread(target=list_latencies, args=(d, stop, lat))
    th.start()
    try:
        while True:
            s = states(d.db)
            if s.get("sent", 0) >= n:
                break
            if s.get("failed") or s.get("expired"):
                die("reminders failed: %r; log:\n%s" % (s, open(d.log).read()[-2000:]))
            if time.monotonic() - t0 > 600:
                die("not sent within 10 minutes: %r" % s)
            time.sleep(0.02)
        took = time.monotonic() - t0
        cpu = loop_cpu(d) - cpu0
    finally:
        stop.set()
        th.join()
    return took, lat, cpu


def wakeups(d, seconds):
    """Voluntary context switches of all the daemon's threads: each is a
    sleep, so each ends with a wake-up."""
    def switches():
        total = 0
        for status in glob.glob("/proc/%d/task/*/status" % d.proc.pid):
            with open(status) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        total += int(line.split()[1])
        return total
    # Let the start settle: the daily backup takes its first look a
    # second after it (then hourly), which is no wake-up between due
    # times.
    time.sleep(3)
    a = switches()
    time.sleep(seconds)
    return switches() - a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(),
                                                    "practiced-bench-postfix"))
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    n = a.messages
    sink, source, env = postfix_tools(a.cache)
    port = free_port()
    # smtp-sink drops root for this user
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    sinkp = subprocess.Popen([sink, *user, "-m", "256", "127.0.0.1:%d" % port, "1024"],
                             env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    root = tempfile.mkdtemp(prefix="bench-outbox-")
    d = Daemon(a.build, root)
    cleanup = guard("bench_outbox", d, root, a.keep)
    try:
        time.sleep(0.3)
        ref = reference(source, env, port, n)
        configure(d, port)
        d.start()                   # the schema
        d.stop()
        bulk(d.db, n, int(time.time()) - 60, 0, day_sessions=8)
        took, lat, cpu = dispatch(d, n)
        d.stop()
        bulk(d.db, 100000, int(time.time()) + 3600, 30 * 86400)
        d.start()
        woke = wakeups(d, 10)
        d.stop()
        with open(d.conf, "a") as f:     # the same daemon with no rule
            f.write("\n[reminders]\nrule = none\n")
        d.start()
        woke_without = wakeups(d, 10)
    finally:
        cleanup()
        sinkp.terminate()
        sinkp.wait()
    lat_ms = sorted(x * 1000 for x in lat)
    p99 = lat_ms[min(len(lat_ms) - 1, int(len(lat_ms) * 0.99))] if lat_ms else 0
    print("bench_outbox: %d messages to smtp-sink, %d sessions at once" % (n, SESSIONS))
    print("  smtp-source (reference)   %7.2f s  %8.0f msg/s" % (ref, n / ref))
    print("  practiced outbox          %7.2f s  %8.0f msg/s  (committed)" % (took, n / took))
    print("  ratio practiced/reference %7.2f  (target >= 0.5)" % ((n / took) / (n / ref)))
    print("  the event loop's CPU: %.0f us a message (%.2f s in all; the rest is"
          " the sender thread's and waiting)" % (cpu * 1e6 / n, cpu))
    print("  practicectl list during the dispatch: %d calls, p50 %.1f ms, p99 %.1f ms "
          "(target p99 < 50 ms)" % (len(lat_ms), statistics.median(lat_ms) if lat_ms else 0,
                                     p99))
    print("  idle with 100,000 reminders ahead: %d wake-ups in 10 s (target 0); "
          "the same daemon with none planned: %d" % (woke, woke_without))


if __name__ == "__main__":
    main()
