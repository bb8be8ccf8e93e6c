#!/usr/bin/python3
"""
bench_slots: how fast is `practicectl slots` for two weeks against
`practicectl list --day D` on the same practice of 100,000 appointments?

  /usr/bin/python3 tests/bench/bench_slots.py --build /abs/build [--runs 30]

1. Builds the practice exactly as bench_list.py does (imported from this
   folder): the daemon makes its schema, then 20 clinicians with hours
   (Mon-Fri 08:00-18:00), ~2000 clients, a 50+10 service and 100,000
   appointments over two years are bulk-inserted.
2. Starts the daemon again and times, whole process, alternating:
     practicectl -s SOCK --json slots --clinician C --service S --from D --days 14
     practicectl -s SOCK --json list --day D
   and prints medians, the ratio slots/list (target: within 2x) and the
   daemon's VmRSS afterwards.

It prints figures and asserts nothing about timing.  The daemon is stopped
(killed if it will not stop) and the temporary directory removed at the end,
also on SIGTERM/SIGHUP/SIGINT.
"""

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_list  # noqa: E402  (the builder and the daemon wrapper)
from bench_list import Daemon, timed  # noqa: E402


def die(msg):
    print("bench_slots: " + msg, file=sys.stderr)
    sys.exit(1)


bench_list.die = die          # its helpers report under our name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="directory holding practiced and practicectl")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--days", type=int, default=14, help="days of slots (1..62)")
    ap.add_argument("--appointments", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--clinicians", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    root = tempfile.mkdtemp(prefix="practiced-bench-slots-")
    d = Daemon(build, root)
    cleanup = bench_list.guard('bench_slots', d, root, args.keep)

    try:
        clinicians, c_start, c_end, ttype, n, days = bench_list.build_practice(
            "bench_slots", d, root, args)

        # The same busy weekday and clinician as bench_list.
        target = bench_list.busy_weekday()
        con = sqlite3.connect(d.db)
        cid, cname = con.execute("SELECT id, name FROM clinicians ORDER BY id LIMIT 1 OFFSET 7"
                                 ).fetchone()
        sid, sname = con.execute("SELECT id, name FROM services ORDER BY id LIMIT 1").fetchone()
        con.close()

        d.start()
        slots_cmd = [d.ctl, "-s", d.sock, "--json", "slots", "--clinician", str(cid),
                     "--service", str(sid), "--from", target.isoformat(),
                     "--days", str(args.days)]
        list_cmd = [d.ctl, "-s", d.sock, "--json", "list", "--day", target.isoformat()]

        # warm up, and check that both answer
        _, r = timed(slots_cmd)
        if r.returncode != 0:
            die("practicectl slots failed (%d): %s" % (r.returncode, r.stderr.decode().strip()))
        nslots = len(json.loads(r.stdout)["slots"])
        _, r = timed(list_cmd)
        if r.returncode != 0:
            die("practicectl list failed (%d): %s" % (r.returncode, r.stderr.decode().strip()))
        nlist = len(json.loads(r.stdout)["appointments"])

        slots_t, list_t = [], []
        for i in range(args.runs):
            for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                cmd, acc = (slots_cmd, slots_t) if which == 0 else (list_cmd, list_t)
                t, r = timed(cmd)
                if r.returncode != 0:
                    die("practicectl failed during the runs: %s" % r.stderr.decode().strip())
                acc.append(t)
        rss = d.rss_kib()

        ms, ml = statistics.median(slots_t), statistics.median(list_t)
        print()
        print("practice: %d appointments; clinician %s (%s), service %s (%s)"
              % (n, cid, cname, sid, sname))
        print("slots --from %s --days %d: %d free slots;  list --day %s: %d appointments"
              % (target, args.days, nslots, target, nlist))
        print("runs: %d each, alternating" % args.runs)
        print("practicectl slots  median %7.2f ms   (min %.2f, max %.2f)"
              % (ms * 1e3, min(slots_t) * 1e3, max(slots_t) * 1e3))
        print("practicectl list   median %7.2f ms   (min %.2f, max %.2f)"
              % (ml * 1e3, min(list_t) * 1e3, max(list_t) * 1e3))
        print("ratio slots/list   %.2f   (target <= 2.0: %s)"
              % (ms / ml, "met" if ms / ml <= 2.0 else "NOT met"))
        if rss is not None:
            print("practiced VmRSS    %.1f MiB" % (rss / 1024))
        rc = d.stop()
        if rc != 0:
            print("bench_slots: practiced exited %s after SIGTERM" % rc, file=sys.stderr)
            return 1
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
