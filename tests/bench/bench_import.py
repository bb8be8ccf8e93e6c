#!/usr/bin/python3
"""
bench_import: practicectl import of a generated 50,000-event file (a tenth
of them weekly series with an EXDATE and a moved occurrence, in one zone
with its VTIMEZONE, spread over 10 clinicians), while a prober thread
asks GET /v1/status back to back.

  /usr/bin/python3 tests/bench/bench_import.py --build /abs/build [--events N]

Prints the import's own time (database writes included) against two
references measured on the same file in the same run, before the
import: libical's bare parse (build/bench_libical_parse, the floor of any importer on libical;
target: the import within 3x of it) and python3-icalendar's parse
(target: the import 10x faster); the worst wait of a status call during
the import, and the loop's longest slice as the daemon measured it.
Then the floor of its writes: build/bench_write_floor writes the same
number of sessions and reminder rows, each event in a savepoint with the
daemon's statements and no other work, into a copy of the practice taken
before the import.  Then practicectl export of the same sessions, the
whole practice and one clinician (it asks in pages), against the
import's time (target: no slower), with the daemon's CPU time.  Asserts
nothing about timing.
"""

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VTIMEZONE = """BEGIN:VTIMEZONE\r
TZID:America/New_York\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:-0500\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
DTSTART:20070311T020000\r
TZNAME:EDT\r
TZOFFSETTO:-0400\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:-0400\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
DTSTART:20071104T020000\r
TZNAME:EST\r
TZOFFSETTO:-0500\r
END:STANDARD\r
END:VTIMEZONE\r
"""


def generate(path, n, clinicians):
    start = dt.datetime(2026, 1, 5, 8, 0)
    fmt = "%Y%m%dT%H%M%S"
    with open(path, "w", newline="") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//import//EN\r\n")
        f.write(VTIMEZONE)
        for i in range(n):
            who = clinicians[i % len(clinicians)]
            slot = i // len(clinicians)
            t = start + dt.timedelta(days=slot // 8, hours=slot % 8)
            head = ("BEGIN:VEVENT\r\nUID:bench-%d@example.org\r\n"
                    "DTSTAMP:20251201T000000Z\r\nSEQUENCE:0\r\n"
                    "ORGANIZER:mailto:%s\r\n"
                    "ATTENDEE;CN=Client %d:mailto:client%d@example.org\r\n"
                    "SUMMARY:Session\r\n" % (i, who, i % 500, i % 500))
            times = ("DTSTART;TZID=America/New_York:%s\r\n"
                     "DTEND;TZID=America/New_York:%s\r\n"
                     % (t.strftime(fmt), (t + dt.timedelta(minutes=50)).strftime(fmt)))
            if i % 10:
                f.write(head + times + "END:VEVENT\r\n")
                continue
            # A weekly series of 4: the second skipped, the third moved.
            f.write(head + times + "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
                    "EXDATE;TZID=America/New_York:%s\r\nEND:VEVENT\r\n"
                    % (t + dt.timedelta(days=7)).strftime(fmt))
            moved = t + dt.timedelta(days=14)
            f.write(head + "RECURRENCE-ID;TZID=America/New_York:%s\r\n"
                    "DTSTART;TZID=America/New_York:%s\r\n"
                    "DTEND;TZID=America/New_York:%s\r\nEND:VEVENT\r\n"
                    % (moved.strftime(fmt), (moved + dt.timedelta(minutes=30)).strftime(fmt),
                       (moved + dt.timedelta(minutes=80)).strftime(fmt)))
        f.write("END:VCALENDAR\r\n")


def references(build, path):
    """libical's bare parse (the median of five runs: one run varies
    by half on a shared machine) and python3-icalendar's (one run), in
    seconds; None where one cannot run.  Measured before the import,
    on a quiet machine."""
    floor = os.path.join(build, "bench_libical_parse")
    bare = py = None
    if os.access(floor, os.X_OK):
        runs = sorted(float(subprocess.run(
            [floor, path], check=True, capture_output=True,
            text=True).stdout) for _ in range(5))
        bare = runs[2]
    try:
        import icalendar
    except ImportError:
        icalendar = None
    if icalendar is not None:
        t0 = time.monotonic()
        with open(path, "rb") as f:
            icalendar.Calendar.from_ical(f.read())
        py = time.monotonic() - t0
    return bare, py


def print_references(build, bare, py, took):
    floor = os.path.join(build, "bench_libical_parse")
    if bare is None:
        print("  %s is not built (make %s): no libical reference"
              % (floor, floor))
    else:
        print("  libical's bare parse of it (%s, median of 5): %.2f s; "
              "import/libical %.1fx (target: within 3x)"
              % (os.path.basename(floor), bare, took / bare))
    if py is None:
        print("  python3-icalendar is not installed: no python reference")
    else:
        print("  python3-icalendar parsing it alone: %.2f s; python/import "
              "%.1fx (target: 10x)" % (py, py / took))


def copy_db(src, dst):
    """A consistent copy of the live database (SQLite's backup API)."""
    with sqlite3.connect("file:%s?mode=ro" % src, uri=True) as a, \
            sqlite3.connect(dst) as b:
        a.backup(b)


def rows_written(path):
    """The sessions and reminder rows in the database (all the import's:
    the practice had none before it)."""
    with sqlite3.connect("file:%s?mode=ro" % path, uri=True) as c:
        return tuple(c.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                     for t in ("appointments", "reminders"))


def write_floor(build, before, sessions, reminders, took):
    """bench_write_floor on the copy of the practice taken before the
    import: the rows the import wrote, written alone."""
    prog = os.path.join(build, "bench_write_floor")
    if not os.access(prog, os.X_OK):
        print("  %s is not built (make %s): no floor of the writes"
              % (prog, prog))
        return
    r = subprocess.run([prog, before, str(sessions), str(reminders)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("  the floor of the writes: failed: %s" % r.stderr.strip())
        return
    secs = float(r.stdout)
    print("  the rows it wrote, written alone (%s: %d sessions, each an "
          "event in a savepoint with its appointment, import_map and audit "
          "rows, and %d reminder rows): %.2f s of CPU, %.0f us a session; "
          "import/floor %.1fx" % (os.path.basename(prog), sessions,
                                  reminders, secs, secs * 1e6 / sessions,
                                  took / secs))


def cpu_seconds(pid):
    """The process's user and system CPU time so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def export(p, root, *args):
    """practicectl export ARGS into a file: (seconds, daemon CPU, bytes,
    VEVENTs), or the refusal's message."""
    out = os.path.join(root, "export.ics")
    cmd = [os.path.join(os.environ["PRACTICED_BUILD"], "practicectl"),
           "-s", p.sock, "export", "--detail", "full"] + list(args)
    cpu0 = cpu_seconds(p.pid)
    t0 = time.monotonic()
    with open(out, "wb") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, text=True)
    took = time.monotonic() - t0
    cpu = cpu_seconds(p.pid) - cpu0
    if r.returncode != 0:
        return r.stderr.strip()
    with open(out, "rb") as f:
        text = f.read()
    return took, cpu, len(text), text.count(b"BEGIN:VEVENT")


def exports(p, root, took, events):
    """The imported sessions exported back with --detail full in one
    practicectl export (in pages, each within the loop's bound), the
    whole practice and one clinician (Clinician 1: the generator gives
    every series to Clinician 0)."""
    days = (events // 10 + 7) // 8 + 21          # a series runs 3 weeks
    first = dt.date(2026, 1, 1)
    last = dt.date(2026, 1, 5) + dt.timedelta(days=days)
    for what, who in (("the whole practice", ()),
                      ("one clinician", ("--clinician", "Clinician 1"))):
        r = export(p, root, "--from", first.isoformat(), "--to",
                   last.isoformat(), *who)
        if isinstance(r, str):
            print("  export of %s: refused: %s" % (what, r))
            return
        secs, cpu, size, n = r
        print("  export of %s (--detail full, one practicectl export): "
              "%.2f s (%.2f s of the daemon's CPU), %.1f MB, %d VEVENTs; "
              "export/import %.2f (target: 1 or less)" % (
                  what, secs, cpu, size / 1e6, n, secs / took))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--events", type=int, default=50000)
    args = ap.parse_args()
    os.environ["PRACTICED_BUILD"] = args.build
    sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
    from conftest import Practice  # noqa: E402

    root = tempfile.mkdtemp(prefix="pdbench-")
    os.chmod(root, 0o755)
    # No test users: root runs the benchmark and is admin by its uid.
    p = Practice(root, socket_group=None, access={})
    try:
        p.start()
        clinicians = []
        for k in range(10):
            email = "clin%d@example.org" % k
            p.api("POST", "/v1/clinicians", {"name": "Clinician %d" % k,
                                             "email": email})
            clinicians.append(email)
        for k in range(500):
            p.api("POST", "/v1/clients", {"name": "Client %d" % k,
                                          "email": "client%d@example.org" % k})
        path = os.path.join(root, "big.ics")
        generate(path, args.events, clinicians)
        size = os.path.getsize(path)
        bare, py = references(args.build, path)
        before = os.path.join(root, "before.db")
        copy_db(p.db, before)

        waits = []
        done = threading.Event()

        def probe():
            while not done.is_set():
                t0 = time.monotonic()
                p.api("GET", "/v1/status")
                waits.append(time.monotonic() - t0)
                time.sleep(0.01)

        th = threading.Thread(target=probe)
        th.start()
        t0 = time.monotonic()
        rc, out, err = p.ctl("import", path, timeout=3600)
        took = time.monotonic() - t0
        done.set()
        th.join()
        imp = out["import"]
        print("bench_import: %d events, %.1f MB" % (args.events, size / 1e6))
        print("  import (database writes included): %.2f s, %s" % (took, imp["counts"]))
        print("  status calls during it: %d, worst wait %.0f ms, median %.1f ms"
              % (len(waits), max(waits) * 1000,
                 sorted(waits)[len(waits) // 2] * 1000))
        print("  the loop's longest slice: %d ms (%d ms of CPU)"
              % (imp["longest_slice_ms"], imp["longest_slice_cpu_ms"]))
        t0 = time.monotonic()
        rc, out, err = p.ctl("import", path, timeout=3600)
        print("  again (all unchanged): %.2f s, %s" % (time.monotonic() - t0,
                                                       out["import"]["counts"]))
        print_references(args.build, bare, py, took)
        write_floor(args.build, before, *rows_written(p.db), took)
        exports(p, root, took, args.events)
    finally:
        p.stop(check=False)
        p.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
