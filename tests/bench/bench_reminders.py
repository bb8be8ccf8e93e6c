#!/usr/bin/python3
"""
bench_reminders: how long do the outbox's readers hold the loop on a
practice with 100,000 appointments and two reminders each?

  /usr/bin/python3 tests/bench/bench_reminders.py --build /abs/build [--runs 20]

Builds the practice as bench_list does, adds to each appointment an email
reminder 48 h and 2 h before (past sessions' sent, some failed or
expired; a tenth moved once, so their first version is superseded;
future ones pending), then times, whole process, practicectl reminders
with each state at the largest page (500), --next 48h, reminders explain,
and list --day (which counts each session's reminders).  Targets: every
request under 100 ms of the daemon's loop; the whole process's time is
an upper bound of it.  Prints figures and asserts nothing.
"""

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_list import Daemon, build_practice, busy_weekday, die, guard, timed  # noqa: E402


def add_reminders(db, now):
    con = sqlite3.connect(db)
    rng = random.Random(7)
    rows = []
    for aid, start, version, state in con.execute(
            "SELECT id, start_utc, version, state FROM appointments"):
        moved = rng.random() < 0.1
        for v in ((version, version + 1) if moved else (version,)):
            for minutes in (2880, 120):
                due = start - minutes * 60
                if moved and v == version:
                    st, why = "superseded", "the session changed"
                elif due > now:
                    st, why = "pending", None
                else:
                    x = rng.random()
                    st, why = (("sent", None) if x < 0.9 else
                               ("failed", "refused (550)") if x < 0.95 else
                               ("expired", "the session had begun"))
                rows.append((aid, minutes, v, due, st, "x@example.org",
                             0 if st in ("pending", "superseded") else 1,
                             why, now, now))
        if moved:
            con.execute("UPDATE appointments SET version = ? WHERE id = ?",
                        (version + 1, aid))
    con.executemany(
        "INSERT INTO reminders (appointment_id, notice, channel, rule_minutes,"
        " version, due_utc, state, recipient, attempts, reason, created, updated)"
        " VALUES (?, 'reminder', 'email', ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--appointments", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--clinicians", type=int, default=20)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    root = tempfile.mkdtemp(prefix="practiced-bench-")
    d = Daemon(build, root)
    cleanup = guard("bench_reminders", d, root, args.keep)
    try:
        build_practice("bench_reminders", d, root, args)
        n = add_reminders(d.db, int(time.time()))
        print("bench_reminders: %d reminders" % n)
        d.start()
        aid = sqlite3.connect(d.db).execute(
            "SELECT appointment_id FROM reminders WHERE state = 'superseded'"
            " LIMIT 1").fetchone()[0]
        base = [d.ctl, "-s", d.sock, "--json"]
        cases = [("reminders (all but superseded)", ["reminders", "--limit", "500"])]
        for st in ("pending", "sent", "failed", "expired", "superseded"):
            cases.append(("reminders --state %s" % st,
                          ["reminders", "--state", st, "--limit", "500"]))
        cases += [("reminders --next 48h", ["reminders", "--next", "48h", "--limit", "500"]),
                  ("reminders --failed --next 366d",
                   ["reminders", "--failed", "--next", "366d", "--limit", "500"]),
                  ("reminders explain", ["reminders", "explain", str(aid)]),
                  ("list --day (with counts)", ["list", "--day", busy_weekday().isoformat()])]
        print("runs: %d each, whole process of practicectl" % args.runs)
        for name, argv in cases:
            t = []
            for _ in range(args.runs):
                s, r = timed(base + argv)
                if r.returncode != 0:
                    die("%s failed: %s" % (name, r.stderr.decode()))
                t.append(s)
            print("%-34s median %6.1f ms  max %6.1f ms" % (
                name, statistics.median(t) * 1e3, max(t) * 1e3))
        d.stop()
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
