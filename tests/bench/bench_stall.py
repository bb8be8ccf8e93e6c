#!/usr/bin/python3
"""
bench_stall: how long can one request hold practiced's loop?  Every route,
with the worst parameters it accepts, on the practice of 100,000
appointments, while a second client measures how long GET /v1/status
waits.

  /usr/bin/python3 tests/bench/bench_stall.py --build /abs/build [--repeat 3]

1. Builds the practice as bench_list.py does (the daemon makes its schema,
   then 20 clinicians, ~2000 clients and 100,000 appointments over two
   years are bulk-inserted), adds 20,000 audit entries the same way, then
   through the API what the bulk data lacks: open-ended series, closures;
   then, the daemon stopped, the series are cloned in bulk to 2000, each
   given some of the bulk sessions.
2. A prober thread sends GET /v1/status back to back, each on a fresh
   connection, and records when each was sent and how long it waited.
3. The main thread calls each route in turn (reads, then writes) with the
   widest parameters the daemon accepts: the longest ranges, the largest
   limits, the busiest clinician and client, daily series to the horizon.
   A route's stall is the longest status wait that overlapped its calls.
   A list comes in pages: each list route asks for the largest page, and
   a walk through every page of the 10-year list, of the series list and
   of the whole window's attendance report (raw, and through practicectl,
   which follows the pages itself) shows
   that the daemon serves others between pages: its stall is the worst
   wait in the whole walk, its own time that of all its pages.
4. Prints, per route, the HTTP status it got, its own time, the worst
   stall, and the daemon's CPU time in its longest request (from
   /proc/PID/schedstat; for a read, measured once more alone after the
   prober stopped, so that the probes served around it are not counted;
   for a write or a walk, with the probes), against the target of
   100 ms, and the routes over it.  On a machine that others keep busy the wall-clock figures
   stretch (even an idle status probe waits), while the CPU time is what
   the request itself held the loop for.

The daemon is single-threaded, so a request's own time is about the time it
holds the loop; the prober shows what another caller sees.  It prints
figures and asserts nothing about timing.  Everything lives in a temporary
directory that is removed at the end.
"""

import argparse
import datetime as dt
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_list  # noqa: E402  (the builder and the daemon wrapper)
from bench_list import TZ, Daemon  # noqa: E402

TARGET_MS = 100.0
LIST_PAGE_MAX = 500         # daemon/protocol.h PROTO_PAGE_MAX
SERIES_PAGE_MAX = 200       # PROTO_SERIES_PAGE_MAX
SERIES = 2000               # series in the practice


def die(msg):
    print("bench_stall: " + msg, file=sys.stderr)
    sys.exit(1)


bench_list.die = die


# ------------------------------------------------------------- raw HTTP

def http(sock_path, method, path, body=None, timeout=120.0):
    """One request on a fresh connection: (status, parsed body or None)."""
    data = b"" if body is None else json.dumps(body).encode()
    head = "%s %s HTTP/1.1\r\nHost: practiced\r\nConnection: close\r\n" % (method, path)
    if body is not None:
        head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        s.sendall(head.encode() + b"\r\n" + data)
        parts = []
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            parts.append(chunk)
    finally:
        s.close()
    buf = b"".join(parts)
    if not buf:
        return None, None
    headers, _, payload = buf.partition(b"\r\n\r\n")
    status = int(headers.split(b" ", 2)[1])
    try:
        return status, json.loads(payload) if payload else None
    except ValueError:
        return status, None


class Prober(threading.Thread):
    """GET /v1/status back to back; keeps (sent, waited) pairs."""

    def __init__(self, sock_path):
        super().__init__(daemon=True)
        self.sock_path = sock_path
        self.samples = []
        self.failures = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                status, _ = http(self.sock_path, "GET", "/v1/status", timeout=60)
            except OSError:
                status = None
            t1 = time.monotonic()
            if status != 200:
                self.failures += 1
            self.samples.append((t0, t1 - t0))
            time.sleep(0.002)

    def worst(self, start, end):
        """The longest wait of a probe that overlapped [start, end]."""
        waits = [w for (t0, w) in list(self.samples) if t0 <= end and t0 + w >= start]
        return max(waits) if waits else 0.0


# ------------------------------------------------------------ the practice

def add(d, path, body):
    status, out = http(d.sock, "POST", path, body)
    if status not in (200, 201):
        die("POST %s %r -> %s %r" % (path, body, status, out))
    return out


def add_audit(db, n):
    """A year of audit entries, so that the largest audit page is full."""
    con = sqlite3.connect(db)
    now = int(time.time())
    with con:
        bench_list.insert(con, "audit", [
            {"at": now - 365 * 86400 + i * (365 * 86400 // n), "uid": 0,
             "user": "root", "role": "admin", "action": "book",
             "object": "appointment", "object_id": i + 1,
             "detail": "bench entry %d" % i} for i in range(n)])
    con.close()


def busiest(con, column):
    return con.execute("SELECT %s, count(*) AS n FROM appointments GROUP BY %s "
                       "ORDER BY n DESC LIMIT 1" % (column, column)).fetchone()[0]


def prepare(d, con):
    """Ids for the calls, and what the bulk data lacks."""
    ids = {}
    ids["clinician"] = busiest(con, "clinician_id")
    ids["client"] = busiest(con, "client_id")
    ids["service"] = con.execute("SELECT id FROM services").fetchone()[0]
    ids["room"] = con.execute("SELECT id FROM rooms ORDER BY id").fetchone()[0]
    ids["appointment"] = con.execute(
        "SELECT id FROM appointments WHERE state = 'booked' AND clinician_id = ? "
        "ORDER BY start_utc DESC LIMIT 1", (ids["clinician"],)).fetchone()[0]
    # A clinician of our own, free all week, for series and bookings.
    c = add(d, "/v1/clinicians", {"name": "Stall Bench"})["clinician"]["id"]
    ids["free"] = c
    status, out = http(d.sock, "PUT", "/v1/clinicians/%d/hours" % c,
                       {"hours": "daily 00:00-23:59"})
    if status != 200:
        die("hours: %s %r" % (status, out))
    # Open-ended weekly series for twenty clients at different hours;
    # the bulk data gives those clients sessions of their own, which a
    # series may meet (allowed: the bench is about time, not rules).
    start = dt.datetime.now(ZoneInfo(TZ)).date() + dt.timedelta(days=2)
    for k in range(20):
        add(d, "/v1/appointments", {
            "client": str(k + 1), "clinician": str(c), "service": str(ids["service"]),
            "at": "%s %02d:00" % (start.isoformat(), k + 1), "repeat": "weekly",
            "overlap": True})
    ids["series"] = con.execute("SELECT max(id) FROM series").fetchone()[0]
    for k in range(50):
        day = start + dt.timedelta(days=400 + 3 * k)
        add(d, "/v1/closures", {"from": day.isoformat(), "reason": "Bench %d" % k})
    return ids


def add_series(db, n):
    """Series up to n, cloned in bulk from the weekly ones the API made,
    each given some of the bulk sessions: what series list reads.  Their
    horizon is far, so that the daemon extends none of them at start."""
    con = sqlite3.connect(db)
    with con:
        have, top = con.execute("SELECT count(*), max(id) FROM series").fetchone()
        cols = [r[1] for r in con.execute("PRAGMA table_info(series)")]
        base = con.execute("SELECT * FROM series ORDER BY id LIMIT 1").fetchone()
        clients = [r[0] for r in con.execute("SELECT id FROM clients ORDER BY id")]
        far = int(time.time()) + 30 * 365 * 86400
        rows = []
        for k in range(n - have):
            r = list(base)
            r[cols.index("id")] = top + 1 + k
            r[cols.index("client_id")] = clients[k % len(clients)]
            r[cols.index("materialized_until")] = far
            rows.append(r)
        con.executemany("INSERT INTO series VALUES (%s)" % ", ".join("?" * len(cols)), rows)
        # Sessions with one start are ids apart by less than n - have.
        con.execute("UPDATE appointments SET series_id = ?1 + id % ?2,"
                    " recurrence_utc = start_utc WHERE series_id IS NULL",
                    (top + 1, n - have))
    con.close()


def window(today):
    """The widest dates the daemon takes."""
    return "1970-01-01", "%d-12-31" % (today.year + 20)


def reads(ids, today):
    first, last = window(today)
    wide_from = (today - dt.timedelta(days=3660 // 2)).isoformat()
    wide_to = (today + dt.timedelta(days=3660 // 2)).isoformat()
    c, k = ids["clinician"], ids["client"]
    return [
        ("status", "GET", "/v1/status", None),
        ("clinician list", "GET", "/v1/clinicians?all=1", None),
        ("clinician show", "GET", "/v1/clinicians/%d" % c, None),
        ("client list", "GET", "/v1/clients?all=1", None),
        ("client search", "GET", "/v1/clients?all=1&q=a", None),
        ("client show", "GET", "/v1/clients/%d" % k, None),
        ("client history", "GET", "/v1/clients/%d/history" % k, None),
        ("service list", "GET", "/v1/services?all=1", None),
        ("service show", "GET", "/v1/services/%d" % ids["service"], None),
        ("room list", "GET", "/v1/rooms?all=1", None),
        ("room show", "GET", "/v1/rooms/%d" % ids["room"], None),
        # A list is served in pages: the largest page the daemon gives.
        ("list (10 y, a page)", "GET", "/v1/appointments?from=%s&to=%s&limit=%d"
         % (wide_from, wide_to, LIST_PAGE_MAX), None),
        ("list clinician (10 y)", "GET", "/v1/appointments?from=%s&to=%s&clinician=%d"
         "&limit=%d" % (wide_from, wide_to, c, LIST_PAGE_MAX), None),
        ("list no-show (10 y)", "GET", "/v1/appointments?from=%s&to=%s&state=no-show"
         "&limit=%d" % (wide_from, wide_to, LIST_PAGE_MAX), None),
        ("list day", "GET", "/v1/appointments?day=%s" % today.isoformat(), None),
        ("show", "GET", "/v1/appointments/%d" % ids["appointment"], None),
        ("series list (a page)", "GET", "/v1/series?all=1&limit=%d" % SERIES_PAGE_MAX,
         None),
        ("series show", "GET", "/v1/series/%d" % ids["series"], None),
        ("slots (62 d, step 5)", "GET", "/v1/slots?clinician=%d&service=%d&days=62&step=5"
         % (c, ids["service"]), None),
        ("slots free (62 d)", "GET", "/v1/slots?clinician=%d&service=%d&days=62&step=5"
         % (ids["free"], ids["service"]), None),
        ("slots at the window end", "GET", "/v1/slots?clinician=%d&service=%d&days=62"
         "&step=5&from=%s" % (ids["free"], ids["service"],
                              "%d-11-01" % (today.year + 20)), None),
        ("closure list", "GET", "/v1/closures?from=%s&to=%s" % (first, last), None),
        ("report (whole window)", "GET", "/v1/reports/attendance?from=%s&to=%s"
         % (first, last), None),
        ("audit (10000)", "GET", "/v1/audit?limit=10000&since=%s" % first, None),
        # Two clinicians a page, the busiest first.
        ("agenda (a page)", "GET", "/v1/agenda", None),
        ("agenda busiest", "GET", "/v1/agenda?clinician=%d" % c, None),
    ]


class Writes:
    """Writes that each leave the next one something to act on."""

    def __init__(self, d, ids, today):
        self.d, self.ids, self.today = d, ids, today
        self.n = 0

    def fresh(self):
        self.n += 1
        return self.n

    def calls(self):
        ids, today = self.ids, self.today
        last = "%d-12-31" % (today.year + 20)
        c, svc = ids["free"], str(ids["service"])
        yield ("client add", "POST", "/v1/clients",
               {"name": "Bench Client %d" % self.fresh(), "email": "b@example.org"})
        yield ("client edit", "PATCH", "/v1/clients/%d" % ids["client"],
               {"phone": "+15555550%03d" % self.fresh()})
        yield ("clinician add", "POST", "/v1/clinicians",
               {"name": "Bench Clinician %d" % self.fresh()})
        yield ("clinician edit", "PATCH", "/v1/clinicians/%d" % ids["clinician"],
               {"email": "c%d@example.org" % self.fresh()})
        yield ("clinician hours", "PUT", "/v1/clinicians/%d/hours" % ids["clinician"],
               {"hours": "mon-fri 08:00-18:00"})
        yield ("service add", "POST", "/v1/services",
               {"name": "Bench Service %d" % self.fresh(), "minutes": 5})
        yield ("service edit", "PATCH", "/v1/services/%d" % ids["service"], {"buffer": 10})
        yield ("room add", "POST", "/v1/rooms", {"name": "Bench Room %d" % self.fresh()})
        yield ("room edit", "PATCH", "/v1/rooms/%d" % ids["room"], {"active": True})
        # A daily series to the end of the window: the horizon's worth.
        n = self.fresh()
        day = self.today + dt.timedelta(days=3 + n % 7)
        out = yield ("book daily series", "POST", "/v1/appointments", {
            "client": str(ids["client"]), "clinician": str(c), "service": svc,
            "at": "%s 23:%02d" % (day.isoformat(), n % 50), "repeat": "FREQ=DAILY",
            "until": last, "overlap": True})
        a = (out or {}).get("appointment", {}).get("id") or ids["appointment"]
        leap = next(y for y in range(today.year + 1, today.year + 9)
                    if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0))
        yield ("book yearly count 500", "POST", "/v1/appointments", {
            "client": str(ids["client"]), "clinician": str(c), "service": svc,
            "at": "%d-02-29 22:%02d" % (leap, n % 50),
            "repeat": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "count": 500,
            "overlap": True})
        yield ("book one", "POST", "/v1/appointments", {
            "client": str(ids["client"]), "clinician": str(c), "service": svc,
            "at": "%s 21:%02d" % (day.isoformat(), n % 50), "overlap": True})
        yield ("move series (all)", "POST", "/v1/appointments/%d/move" % a, {
            "at": "%s 20:%02d" % ((day + dt.timedelta(days=1)).isoformat(), n % 50),
            "scope": "all", "overlap": True})
        yield ("mark", "POST", "/v1/appointments/%d/mark" % ids["appointment"],
               {"state": "confirmed"})
        yield ("cancel series (all)", "POST", "/v1/appointments/%d/cancel" % a,
               {"scope": "all", "by": "practice", "reason": "bench"})
        out = yield ("closure add (400 d)", "POST", "/v1/closures", {
            "from": (self.today + dt.timedelta(days=30)).isoformat(),
            "to": (self.today + dt.timedelta(days=30 + 399)).isoformat(),
            "reason": "Bench long", "clinician": str(ids["clinician"])})
        cid = (out or {}).get("closure", {}).get("id")
        if cid:
            # The first batch of its sessions (closure add --cancel).
            yield ("closure cancel (a batch)", "POST",
                   "/v1/closures/%d/cancel" % cid, None)
            yield ("closure remove", "DELETE", "/v1/closures/%d" % cid, None)


# ----------------------------------------------------------------- main

def cpu(d):
    """The daemon's time on a CPU so far (s), from the scheduler: unlike
    the wall clock, not stretched when other work shares the machine."""
    with open("/proc/%d/schedstat" % d.proc.pid) as f:
        return int(f.read().split()[0]) / 1e9


def measure(d, prober, name, method, path, body, results):
    c0, t0 = cpu(d), time.monotonic()
    status, out = http(d.sock, method, path, body)
    t1, c1 = time.monotonic(), cpu(d)
    # A probe sent just before the end may still be waiting: let it land.
    time.sleep(0.02)
    record(results, name, t0, t1, prober.worst(t0, t1), c1 - c0, status, out)
    return out


def record(results, name, t0, t1, stall, held, status, out):
    r = results.setdefault(name, {"status": set(), "own": [], "stall": [],
                                  "cpu": [], "error": None})
    r["status"].add(status)
    r["own"].append(t1 - t0)
    r["stall"].append(stall)
    if held is not None:
        r["cpu"].append(held)
    if status is None or status >= 400:
        r["error"] = (out or {}).get("error", {}).get("message") if out else "no answer"


def measure_pages(d, prober, name, path, results):
    """Every page of a list, each its own request, as practicectl reads
    them; the stall is the worst wait of a probe in the whole walk, the
    CPU time that of the longest page."""
    t0 = time.monotonic()
    after, pages, status, out, held = None, 0, None, None, 0.0
    while True:
        sep = "&" if "?" in path else "?"
        page = path if after is None else path + sep + "after=" + after
        c0 = cpu(d)
        status, out = http(d.sock, "GET", page)
        held = max(held, cpu(d) - c0)
        pages += 1
        if status != 200 or not out or out.get("next") is None:
            break
        after = out["next"]
    t1 = time.monotonic()
    time.sleep(0.02)
    record(results, "%s (%d pages)" % (name, pages), t0, t1,
           prober.worst(t0, t1), held, status, out)


def measure_ctl(d, prober, name, args, results):
    """The real practicectl, which follows the pages itself (its pages
    are not told apart: no CPU time of one)."""
    t0 = time.monotonic()
    r = subprocess.run([d.ctl, "-s", d.sock, "--json"] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t1 = time.monotonic()
    time.sleep(0.02)
    status = 200 if r.returncode == 0 else 400
    out = None if r.returncode == 0 else {"error": {"message": r.stderr.decode().strip()}}
    record(results, name, t0, t1, prober.worst(t0, t1), None, status, out)


def walks(ids, today):
    wide_from = (today - dt.timedelta(days=3660 // 2)).isoformat()
    wide_to = (today + dt.timedelta(days=3660 // 2)).isoformat()
    return wide_from, wide_to, [
        ("list 10 y, every page", "/v1/appointments?from=%s&to=%s&limit=%d"
         % (wide_from, wide_to, LIST_PAGE_MAX)),
        ("series list, every page", "/v1/series?all=1&limit=%d" % SERIES_PAGE_MAX),
        ("report (whole window), every page", "/v1/reports/attendance?from=%s&to=%s"
         % window(today)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="directory holding practiced and practicectl")
    ap.add_argument("--repeat", type=int, default=3, help="calls of each route")
    ap.add_argument("--appointments", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--clinicians", type=int, default=20)
    ap.add_argument("--audit", type=int, default=20000, help="audit entries to add")
    ap.add_argument("--series", type=int, default=SERIES, help="series in the practice")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    root = tempfile.mkdtemp(prefix="practiced-bench-stall-")
    d = Daemon(build, root)
    cleanup = bench_list.guard('bench_stall', d, root, args.keep)

    try:
        bench_list.build_practice("bench_stall", d, root, args)
        add_audit(d.db, args.audit)
        d.start()
        con = sqlite3.connect(d.db)
        ids = prepare(d, con)
        con.close()
        if d.stop() != 0:
            die("practiced did not stop cleanly before the bulk series")
        add_series(d.db, args.series)
        d.start()
        today = dt.datetime.now(ZoneInfo(TZ)).date()

        prober = Prober(d.sock)
        prober.start()
        time.sleep(0.5)
        idle = [w for (_, w) in prober.samples]
        results = {}
        for _ in range(args.repeat):
            for name, method, path, body in reads(ids, today):
                measure(d, prober, name, method, path, body, results)
        wide_from, wide_to, paged = walks(ids, today)
        for name, path in paged:
            measure_pages(d, prober, name, path, results)
        measure_ctl(d, prober, "practicectl list 10 y", [
            "list", "--from", wide_from, "--to", wide_to], results)
        measure_ctl(d, prober, "practicectl series list", ["series", "list", "--all"],
                    results)
        first, last = window(today)
        measure_ctl(d, prober, "practicectl report (whole window)", [
            "report", "attendance", "--from", first, "--to", last], results)
        for _ in range(args.repeat):
            w = Writes(d, ids, today)
            w.n = 1000 * _
            gen = w.calls()
            out = None
            try:
                call = next(gen)
                while True:
                    out = measure(d, prober, *call, results)
                    call = gen.send(out)
            except StopIteration:
                pass
        prober.stop.set()
        prober.join(120)
        # The reads again, alone: the CPU time of the request itself,
        # without the probes the daemon served around it.
        for name, method, path, body in reads(ids, today):
            c0 = cpu(d)
            http(d.sock, method, path, body)
            results[name]["alone"] = cpu(d) - c0

        print()
        print("status probes: %d (%d failed); idle median %.2f ms"
              % (len(prober.samples), prober.failures,
                 statistics.median(idle) * 1e3 if idle else float("nan")))
        print("%-34s %-8s %9s %9s %9s" % ("route", "status", "own ms", "stall ms",
                                          "cpu ms"))
        over, over_cpu = [], []
        for name, r in results.items():
            own, stall = max(r["own"]) * 1e3, max(r["stall"]) * 1e3
            held = max(r["cpu"]) * 1e3 if r["cpu"] else None
            if "alone" in r:
                held = r["alone"] * 1e3
            codes = "/".join(str(s) for s in sorted(r["status"], key=str))
            mark = ("" if stall < TARGET_MS else "  OVER") + (
                "" if held is None or held < TARGET_MS else "  CPU OVER")
            print("%-34s %-8s %9.1f %9.1f %9s%s" % (name, codes, own, stall,
                  "-" if held is None else "%.1f" % held, mark))
            if r["error"]:
                print("%-34s   refused: %s" % ("", r["error"]))
            if stall >= TARGET_MS:
                over.append(name)
            if held is not None and held >= TARGET_MS:
                over_cpu.append(name)
        worst = max(results.items(), key=lambda kv: max(kv[1]["stall"]))
        def held_of(r):
            return r["alone"] if "alone" in r else max(r["cpu"])
        worst_cpu = max((kv for kv in results.items() if kv[1]["cpu"]),
                        key=lambda kv: held_of(kv[1]))
        print()
        print("worst stall: %.1f ms (%s); target < %.0f ms: %s"
              % (max(worst[1]["stall"]) * 1e3, worst[0], TARGET_MS,
                 "met" if not over else "NOT met (%s)" % ", ".join(over)))
        print("worst CPU time of one request: %.1f ms (%s); target < %.0f ms: %s"
              % (held_of(worst_cpu[1]) * 1e3, worst_cpu[0], TARGET_MS,
                 "met" if not over_cpu else "NOT met (%s)" % ", ".join(over_cpu)))
        if idle and statistics.median(idle) * 1e3 > 5:
            print("(the machine is busy: an idle status probe waited %.1f ms; "
                  "the CPU time is the fairer figure)" % (statistics.median(idle) * 1e3))
        rc = d.stop()
        if rc != 0:
            print("bench_stall: practiced exited %s after SIGTERM" % rc, file=sys.stderr)
            return 1
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
