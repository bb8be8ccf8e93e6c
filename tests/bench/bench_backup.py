#!/usr/bin/python3
"""
bench_backup: how long does practicectl backup take on a large database,
and how long does another caller wait meanwhile?

  /usr/bin/python3 tests/bench/bench_backup.py --build /abs/build [--mb 150]

1. Starts practiced on a temporary folder (the e2e tests' Practice), stops
   it, adds MB megabytes of 4000-byte blobs in a table of its own to the
   database, and starts it again.
2. A prober thread sends GET /v1/status back to back, each on a fresh
   connection, and records how long each waited.
3. practicectl backup runs; the script prints its pages, its time, and
   the probes' count, median, 99th percentile and worst wait, against the
   target of 100 ms that no request may hold the loop for.

It prints figures and asserts nothing about timing: on a machine that
others keep busy, every wait stretches.  The folder is removed at the end.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET_MS = 100.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--mb", type=int, default=150)
    args = ap.parse_args()
    os.environ["PRACTICED_BUILD"] = os.path.abspath(args.build)
    sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
    import conftest

    root = tempfile.mkdtemp(prefix="pdbench-")
    try:
        p = conftest.Practice(root, socket_group=None, access={})
        p.start()
        p.stop()
        con = sqlite3.connect(p.db)
        con.execute("CREATE TABLE bench_filler (b BLOB)")
        con.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
                    "i + 1 FROM n WHERE i < ?) INSERT INTO bench_filler "
                    "SELECT randomblob(4000) FROM n", (args.mb * 256,))
        con.commit()
        con.close()
        p.start()
        waits, stop = [], threading.Event()

        def probe():
            while not stop.is_set():
                t = time.monotonic()
                status, _ = p.api("GET", "/v1/status")
                assert status == 200
                waits.append((time.monotonic() - t) * 1000)

        th = threading.Thread(target=probe)
        th.start()
        time.sleep(0.3)
        n0 = len(waits)
        t = time.monotonic()
        _, out, _ = p.ctl("backup", "bench.db")
        took = time.monotonic() - t
        stop.set()
        th.join()
        during = sorted(waits[n0:])
        b = out["backup"]
        print("backup of %d MB: %d pages, %.2f s" % (b["bytes"] >> 20,
                                                   b["pages"], took))
        print("status during it: %d probes, median %.1f ms, p99 %.1f ms, "
              "worst %.1f ms (target %.0f ms)" % (
                  len(during), statistics.median(during),
                  during[int(len(during) * 0.99)], during[-1], TARGET_MS))
        p.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
