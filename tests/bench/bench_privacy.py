#!/usr/bin/python3
"""
bench_privacy: what a client's export, their erasure and the agenda cost
the event loop on a large practice.

  /usr/bin/python3 tests/bench/bench_privacy.py --build /abs/build

1. A practice of 100,000 appointments (bench_list's data: 20 clinicians,
   2,000 clients), plus one client with ten years of weekly sessions (520,
   each with 4 reminders sent and their deliveries, 2,080 of each, and an
   audit entry), and 100,000 more audit entries: bulk-inserted while the
   daemon was stopped.
2. Each page of GET /v1/clients/ID/export (500 records), timed to the
   first byte of its answer with curl (the loop is held until then), and
   the whole export through practicectl.
3. GET /v1/agenda: a page (two clinicians) and one clinician.
4. POST /v1/clients/ID/erase: the one transaction, and the checkpoint
   after it.

Prints figures; asserts nothing about timing (the answers must be 200).
Everything lives in a temporary folder.
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_list  # noqa: E402
from bench_list import Daemon, build_practice, guard  # noqa: E402

WEEK = 7 * 86400


def die(msg):
    print("bench_privacy: " + msg, file=sys.stderr)
    sys.exit(1)


bench_list.die = die


def add_client(db):
    """The client of ten years, and the audit log's bulk; their id."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous = OFF")
    with con:
        cur = con.execute("INSERT INTO clients (name, email, phone, remind_email,"
                          " created) VALUES ('Decade Client', 'decade@example.org',"
                          " '+15555550111', 1, 0)")
        client = cur.lastrowid
        clin, svc = con.execute("SELECT (SELECT min(id) FROM clinicians),"
                                " (SELECT min(id) FROM services)").fetchone()
        start = int(time.time()) - 520 * WEEK
        for i in range(520):
            s = start + i * WEEK
            a = con.execute(
                "INSERT INTO appointments (clinician_id, client_id, service_id,"
                " start_utc, end_utc, block_end_utc, zone, state, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, 'UTC', 'attended', 0, 0)",
                (clin, client, svc, s, s + 3000, s + 3600)).lastrowid
            for rule in (2880, 1440, 120, 60):
                r = con.execute(
                    "INSERT INTO reminders (appointment_id, notice, channel,"
                    " rule_minutes, version, due_utc, state, recipient, created,"
                    " updated) VALUES (?, 'reminder', 'email', ?, 1, ?, 'sent',"
                    " 'decade@example.org', 0, 0)", (a, rule, s - rule * 60)).lastrowid
                con.execute("INSERT INTO deliveries (reminder_id, attempt, started,"
                            " finished, outcome, code, detail) VALUES (?, 1, ?, ?,"
                            " 'sent', 250, '250 2.0.0 queued')", (r, s, s))
            con.execute("INSERT INTO audit (at, uid, user, role, action, object,"
                        " object_id, detail) VALUES (?, 0, 'desk', 'staff',"
                        " 'appointment.book', 'appointment', ?, 'client %d')"
                        % client, (s, a))
        con.executemany("INSERT INTO audit (at, uid, user, role, action, object,"
                        " object_id, detail) VALUES (0, 0, 'desk', 'staff',"
                        " 'appointment.mark', 'appointment', ?, 'booked -> attended')",
                        [(i,) for i in range(1, 100001)])
    con.close()
    return client


def first_byte(sock, method, path, body=None):
    """Seconds to the first byte of the answer (the loop's hold), and it."""
    cmd = ["curl", "-s", "-X", method, "-w", "\n%{time_starttransfer}",
           "--unix-socket", sock, "http://practiced" + path]
    if body is not None:
        cmd += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    text, _, t = r.stdout.rpartition("\n")
    return float(t), json.loads(text)


def ms(s):
    return "%.1f ms" % (s * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="directory holding practiced and practicectl")
    ap.add_argument("--clinicians", type=int, default=20)
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--appointments", type=int, default=100000)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="bench-privacy-")
    d = Daemon(args.build, root)
    cleanup = guard("bench_privacy", d, root, args.keep)
    try:
        build_practice("bench_privacy", d, root, args)
        client = add_client(d.db)
        d.start()
        times, after, pages = [], None, 0
        while True:
            path = "/v1/clients/%d/export" % client
            if after:
                path += "?after=" + after
            t, page = first_byte(d.sock, "GET", path)
            if "records" not in page:
                die("export refused: %r" % page)
            times.append(t)
            pages += 1
            after = page.get("next")
            if not after:
                break
        print("export: %d pages of up to 500 records; a page %s to %s (median %s)"
              % (pages, ms(min(times)), ms(max(times)),
                 ms(sorted(times)[len(times) // 2])))
        t0 = time.perf_counter()
        r = subprocess.run([d.ctl, "-s", d.sock, "client", "export", str(client)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            die("practicectl client export: %s" % r.stderr)
        print("export: the whole, through practicectl: %s, %d bytes"
              % (ms(time.perf_counter() - t0), len(r.stdout)))
        # The first reading of a table is from the disk: the later ones
        # are what a running daemon sees.
        ts = [first_byte(d.sock, "GET", "/v1/agenda") for _ in range(3)]
        page = ts[0][1]
        print("agenda: a page of %d clinicians %s, then %s and %s"
              % (len(page["agenda"]), ms(ts[0][0]), ms(ts[1][0]), ms(ts[2][0])))
        clin = page["agenda"][0]["clinician"]["id"]
        ts = [first_byte(d.sock, "GET", "/v1/agenda?clinician=%d" % clin)[0]
              for _ in range(3)]
        print("agenda: one clinician %s, then %s and %s" % tuple(ms(t) for t in ts))
        t, out = first_byte(d.sock, "POST", "/v1/clients/%d/erase" % client,
                            {"force": True})
        if "erased" not in out:
            die("erase refused: %r" % out)
        print("erase: %s (%d reminders removed, the audit log of %d entries read once)"
              % (ms(t), out["erased"]["reminders_removed"], 100000 + 520))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
