#!/usr/bin/python3
"""
bench_feed: how fast does the feeds' listener answer a calendar app
that subscribed to a full-time clinician's year?

  /usr/bin/python3 tests/bench/bench_feed.py --build /abs/build [--fetches N]

1. Starts practiced with its feeds' listener ([feeds] listen) on a
   temporary folder, and books one clinician a year of full-time work
   from next Monday: 8 sessions a day, Monday to Friday (2,080), 15 of
   the 40 weekly hours as weekly series of 52, the rest one-offs;
   beside her, 19 colleagues' years (one-offs written straight into the
   database), since a feed is one clinician's of a practice;
   practicectl feed add gives the feed's URL.
2. A plain HTTP client (http.client, a connection a request, as a
   calendar app polls) fetches it: full answers (no validator), answers
   made again after a write elsewhere in the database (so the feed
   cannot be known unchanged), and 304s (If-None-Match with its ETag).
3. References measured in the same run, by the same client: the same
   bytes as a static file from python's http.server (the full answer's),
   and the listener's 404 for a token it does not know (the floor of any
   answer of the listener, the 304's).

Prints the median and worst time of each, and the daemon's CPU time an
answer; targets: a full answer under 20 ms, a 304 under 1 ms.  Asserts
nothing about timing: on a machine that others keep busy, every time
stretches.  The folder is removed at the end.
"""

import argparse
import datetime as dt
import http.client
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
FULL_MS, NOT_MODIFIED_MS = 20.0, 1.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """The process's user and system CPU time so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(port, path, headers=None):
    """(seconds, status, headers, body) of one GET on a new connection:
    from the request's first byte to the answer's last."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.connect()
    t = time.perf_counter()
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    took = time.perf_counter() - t
    c.close()
    return took, r.status, r.headers, body


def fetches(n, port, path, status, headers=None, before=None, pid=None):
    """n GETs that must answer status: (times, daemon CPU an answer)."""
    times = []
    cpu0 = cpu_seconds(pid) if pid else 0
    for _ in range(n):
        if before:
            before()
        took, st, _, body = get(port, path, headers)
        assert st == status, (path, st, body[:200])
        times.append(took * 1000)
    cpu = (cpu_seconds(pid) - cpu0) / n * 1000 if pid else None
    return times, cpu


def line(what, times, cpu=None, target=None):
    s = "  %-44s median %6.2f ms, worst %6.2f ms" % (
        what + ":", statistics.median(times), max(times))
    if cpu is not None:
        s += ", daemon CPU %.2f ms an answer" % cpu
    if target is not None:
        s += " (target: under %g ms)" % target
    print(s)


def book_year(p, monday):
    """A full-time year: 8 sessions a day Monday to Friday, 15 weekly
    hours as series of 52, the others one-offs."""
    def add(kind, body):
        st, out = p.api("POST", "/v1/%ss" % kind, body)
        assert st == 201, (kind, body, out)
        return out[kind]["id"]

    ana = add("clinician", {"name": "Ana Ruiz", "email": "ana@example.org"})
    st, out = p.api("PUT", "/v1/clinicians/%d/hours" % ana,
                    {"hours": "mon-fri 08:00-18:00"})
    assert st == 200, out
    svc = add("service", {"name": "Individual session", "minutes": 50,
                          "buffer": 10})
    clients = [add("client", {"name": "Client %s %d" % (chr(65 + k % 26), k),
                              "email": "client%d@example.org" % k})
               for k in range(60)]
    series = {(d, h) for d in range(5) for h in range(9, 17)
              if (d * 8 + h) % 8 < 3}           # 15 of the 40 hours
    booked = 0
    for d, h in sorted(series):
        at = "%s %02d:00" % (monday + dt.timedelta(days=d), h)
        st, out = p.api("POST", "/v1/appointments", {
            "client": clients[booked % 60], "clinician": ana,
            "service": svc, "at": at, "repeat": "FREQ=WEEKLY",
            "count": 52})
        assert st == 201, (at, out)
        booked += 52
    for w in range(52):
        for d in range(5):
            day = monday + dt.timedelta(days=7 * w + d)
            for h in range(9, 17):
                if (d, h) in series:
                    continue
                st, out = p.api("POST", "/v1/appointments", {
                    "client": clients[(w * 40 + d * 8 + h) % 60],
                    "clinician": ana, "service": svc,
                    "at": "%s %02d:00" % (day, h)})
                assert st == 201, (day, h, out)
                booked += 1
    return booked


COLLEAGUES = 19


def book_colleagues(p, monday):
    """Her colleagues' years, one-offs written straight into the
    database (the daemon's writes are not what is timed): a feed is one
    clinician's of a practice, and reads hers alone."""
    ids = []
    for k in range(COLLEAGUES):
        st, out = p.api("POST", "/v1/clinicians",
                        {"name": "Colleague %d" % k})
        assert st == 201, out
        ids.append(out["clinician"]["id"])
    con = sqlite3.connect(p.db, timeout=30)
    client, svc, zone = con.execute(
        "SELECT client_id, service_id, zone FROM appointments LIMIT 1"
        ).fetchone()
    t0 = int(dt.datetime.combine(monday, dt.time(14, 0)).replace(
        tzinfo=dt.timezone.utc).timestamp())
    rows = [(c, client, svc, t0 + (w * 7 + d) * 86400 + h * 3600,
             t0 + (w * 7 + d) * 86400 + h * 3600 + 3000,
             t0 + (w * 7 + d) * 86400 + h * 3600 + 3600, zone)
            for c in ids for w in range(52) for d in range(5)
            for h in range(8)]
    with con:
        con.executemany(
            "INSERT INTO appointments (clinician_id, client_id, service_id,"
            " start_utc, end_utc, block_end_utc, zone, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)", rows)
    con.close()
    return len(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--fetches", type=int, default=200)
    args = ap.parse_args()
    os.environ["PRACTICED_BUILD"] = os.path.abspath(args.build)
    sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
    import conftest

    root = tempfile.mkdtemp(prefix="pdbench-")
    os.chmod(root, 0o755)
    port, static_port = free_port(), free_port()
    static = None
    p = conftest.Practice(root, socket_group=None, access={},
                          sections={"feeds": [("listen", "127.0.0.1:%d"
                                               % port)]})
    try:
        p.start()
        today = dt.date.today()
        monday = today + dt.timedelta(days=7 - today.weekday())
        booked = book_year(p, monday)
        others = book_colleagues(p, monday)
        _, out, _ = p.ctl("feed", "add", "--clinician", "Ana Ruiz",
                          json=False)
        url = out.strip().splitlines()[-1]
        path = urllib.parse.urlsplit(url).path
        _, st, headers, body = get(port, path)
        assert st == 200, st
        etag = headers["ETag"]
        print("bench_feed: a year of a full-time clinician from %s: %d "
              "sessions, %d VEVENTs, %.0f KB; %d colleagues' years beside "
              "it (%d sessions)" % (
                  monday, booked, body.count(b"BEGIN:VEVENT"),
                  len(body) / 1024, COLLEAGUES, others))

        # The reference: the same bytes, served by python's http.server.
        sdir = os.path.join(root, "static")
        os.mkdir(sdir)
        with open(os.path.join(sdir, "feed.ics"), "wb") as f:
            f.write(body)
        static = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
             "--directory", sdir, str(static_port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                get(static_port, "/feed.ics")
                break
            except OSError:
                time.sleep(0.05)

        n = args.fetches
        unknown = "/feed/" + "A" * 43 + ".ics"
        full, full_cpu = fetches(n, port, path, 200, pid=p.pid)
        k = [0]

        def write():
            # A write elsewhere: the feed cannot be known unchanged.
            k[0] += 1
            st, _ = p.api("POST", "/v1/clients",
                          {"name": "Walk-in %d" % k[0]})
            assert st == 201

        m = max(n // 4, 10)
        cpu0 = cpu_seconds(p.pid)
        for _ in range(m):
            write()
        writes_cpu = cpu_seconds(p.pid) - cpu0
        again, again_cpu = fetches(m, port, path, 200, before=write,
                                   pid=p.pid)
        again_cpu -= writes_cpu / m * 1000
        not_mod, nm_cpu = fetches(n, port, path, 304,
                                  {"If-None-Match": etag}, pid=p.pid)
        ref_full, _ = fetches(n, static_port, "/feed.ics", 200)
        ref_404, r404_cpu = fetches(n, port, unknown, 404, pid=p.pid)
        line("full answer", full, full_cpu, FULL_MS)
        line("full answer made again after a write", again, again_cpu,
             FULL_MS)
        line("304 (If-None-Match)", not_mod, nm_cpu, NOT_MODIFIED_MS)
        line("reference: the same file from http.server", ref_full)
        line("reference: the listener's 404", ref_404, r404_cpu)
        print("  full answer / http.server's: %.2f; 304 / 404: %.2f" % (
            statistics.median(full) / statistics.median(ref_full),
            statistics.median(not_mod) / statistics.median(ref_404)))
    finally:
        if static is not None:
            static.terminate()
            static.wait()
        p.stop(check=False)
        p.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
