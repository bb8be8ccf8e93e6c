#!/usr/bin/python3
"""
bench_list: how fast is `practicectl list --day D --clinician C` against the
same query run by the sqlite3 shell, on a practice with 100,000 appointments?

  /usr/bin/python3 tests/bench/bench_list.py --build /abs/build [--runs 50]

1. Starts practiced once on an empty database so that it makes its schema,
   then stops it.
2. Bulk-inserts with Python's sqlite3 module: 20 clinicians (with hours),
   ~2000 clients, a service, rooms, and 100,000 appointments over two years.
   Column names come from the live schema (PRAGMA table_info), so the
   generator follows daemon/db.c.
3. Starts the daemon again and times, whole process, alternating:
     practicectl -s SOCK --json list --day D --clinician C
     sqlite3 DB "<the equivalent SELECT with joins>"
   and prints medians, the ratio ctl/sqlite3 (target <= 1.0) and the
   daemon's VmRSS afterwards (target < 10 MiB).

It prints figures and asserts nothing about timing.  Everything lives in a
temporary directory that is removed at the end.
"""

import argparse
import datetime as dt
import json
import os
import random
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

TZ = "America/New_York"
UTC = dt.timezone.utc

FIRST = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Femi", "Gita", "Hugo", "Ines", "Jonas",
         "Kira", "Luis", "Maya", "Nils", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara",
         "Uma", "Viktor", "Wen", "Xena", "Yusuf", "Zoe", "Alex", "Blair", "Casey", "Drew"]
LAST = ["Ruiz", "Okafor", "Smith", "Patel", "Nguyen", "Kowalski", "Haddad", "Silva",
        "Jensen", "Murphy", "Tanaka", "Moreau", "Schmidt", "Rossi", "Khan", "Lee",
        "Garcia", "Novak", "Ibrahim", "Fischer", "Costa", "Berg", "Dubois", "Sato"]


def die(msg):
    print("bench_list: " + msg, file=sys.stderr)
    sys.exit(1)


class Daemon:
    def __init__(self, build, root):
        self.practiced = os.path.join(build, "practiced")
        self.ctl = os.path.join(build, "practicectl")
        for f in (self.practiced, self.ctl):
            if not os.access(f, os.X_OK):
                die("%s is missing: run make first" % f)
        self.root = root
        self.conf = os.path.join(root, "practiced.conf")
        self.db = os.path.join(root, "practice.db")
        self.sock = os.path.join(root, "practiced.sock")
        self.log = os.path.join(root, "practiced.log")
        self.proc = None
        with open(self.conf, "w") as f:
            f.write("[practice]\nname = Bench Practice\ntimezone = %s\nphone = +1 555 010 0100\n"
                    "late_cancel_hours = 24\n\n[daemon]\ndatabase = %s\nsocket = %s\n"
                    % (TZ, self.db, self.sock))

    def start(self, timeout=30):
        npath = os.path.join(self.root, "notify.sock")
        if os.path.exists(npath):
            os.unlink(npath)
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ns.bind(npath)
        env = dict(os.environ, NOTIFY_SOCKET=npath)
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([self.practiced, "-d", "-f", self.conf],
                                     stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                     env=env)
        logf.close()
        deadline = time.monotonic() + timeout
        try:
            while True:
                if time.monotonic() > deadline:
                    self.stop()
                    die("practiced sent no READY=1 within %d s" % timeout)
                r, _, _ = select.select([ns], [], [], 0.05)
                if r and b"READY=1" in ns.recv(4096).split(b"\n"):
                    return
                if self.proc.poll() is not None:
                    rc = self.proc.returncode
                    self.proc = None
                    die("practiced exited %d at start:\n%s" % (rc, open(self.log).read()))
        finally:
            ns.close()

    def stop(self):
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def rss_kib(self):
        return self.status_kib("VmRSS")

    def status_kib(self, field):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return None

    def pss_kib(self):
        """Proportional set size: shared library pages divided among users."""
        with open("/proc/%d/smaps_rollup" % self.proc.pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        return None


# ------------------------------------------------------------ the data

def columns(con, table):
    """name -> (type, notnull, default, pk) from the live schema."""
    rows = con.execute("PRAGMA table_info(%s)" % table).fetchall()
    if not rows:
        die("the daemon's schema has no table %s" % table)
    return {r[1]: (r[2].upper(), r[3], r[4], r[5]) for r in rows}


def pick(cols, *names):
    for n in names:
        if n in cols:
            return n
    return None


def filler(cols, given):
    """Values for NOT NULL columns without a default that we do not know."""
    extra = {}
    for name, (typ, notnull, default, pk) in cols.items():
        if name in given or pk or not notnull or default is not None:
            continue
        extra[name] = 0 if "INT" in typ else ""
    return extra


def insert(con, table, rows):
    """rows: list of dicts with the same keys."""
    if not rows:
        return
    cols = columns(con, table)
    keys = list(rows[0])
    extra = filler(cols, set(keys))
    unknown = [k for k in keys if k not in cols]
    if unknown:
        die("table %s has no column(s) %s" % (table, ", ".join(unknown)))
    allkeys = keys + list(extra)
    sql = "INSERT INTO %s (%s) VALUES (%s)" % (
        table, ", ".join('"%s"' % k for k in allkeys), ", ".join("?" * len(allkeys)))
    con.executemany(sql, ([r[k] for k in keys] + list(extra.values()) for r in rows))


def time_value(typ, t):
    """A UTC datetime as the schema stores it: epoch seconds or ISO text."""
    if "INT" in typ or "REAL" in typ or "NUM" in typ:
        return int(t.timestamp())
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def populate(db, n_clinicians, n_clients, n_appointments, seed=42):
    rnd = random.Random(seed)
    tz = ZoneInfo(TZ)
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = OFF")
    now = dt.datetime.now(UTC).replace(microsecond=0)
    created = time_value(columns(con, "clinicians").get("created", ("INTEGER",))[0], now)

    with con:
        ccols = columns(con, "clinicians")
        rows = []
        names = set()
        while len(rows) < n_clinicians:
            name = "%s %s" % (rnd.choice(FIRST), rnd.choice(LAST))
            if name.lower() in names:
                continue
            names.add(name.lower())
            r = {"name": name, "zone": TZ}
            if "email" in ccols:
                r["email"] = "%s@example.org" % name.lower().replace(" ", ".")
            if "active" in ccols:
                r["active"] = 1
            if "created" in ccols:
                r["created"] = created
            rows.append(r)
        insert(con, "clinicians", rows)
        clinicians = [r[0] for r in con.execute("SELECT id FROM clinicians ORDER BY id")]

        # working hours, Mon-Fri 08:00-18:00, if the table is there
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "working_hours" in tables:
            hcols = columns(con, "working_hours")
            day = pick(hcols, "weekday", "day")
            start = pick(hcols, "start_min", "start")
            end = pick(hcols, "end_min", "end")
            if day and start and end:
                insert(con, "working_hours", [
                    {"clinician_id": c, day: wd, start: 8 * 60, end: 18 * 60}
                    for c in clinicians for wd in range(0, 5)])   # 0 = Monday

        kcols = columns(con, "clients")
        rows = []
        for i in range(n_clients):
            name = "%s %s %d" % (rnd.choice(FIRST), rnd.choice(LAST), i)
            r = {"name": name}
            if "email" in kcols:
                r["email"] = "client%d@example.org" % i
            if "phone" in kcols:
                r["phone"] = "+1555%07d" % i
            if "remind_email" in kcols:
                r["remind_email"] = 1
            if "active" in kcols:
                r["active"] = 1
            if "created" in kcols:
                r["created"] = created
            rows.append(r)
        insert(con, "clients", rows)
        clients = [r[0] for r in con.execute("SELECT id FROM clients ORDER BY id")]

        insert(con, "services", [{"name": "Individual session", "minutes": 50, "buffer": 10}])
        service = con.execute("SELECT id FROM services").fetchone()[0]
        insert(con, "rooms", [{"name": "Room %d" % i} for i in range(1, 11)])
        rooms = [r[0] for r in con.execute("SELECT id FROM rooms ORDER BY id")]

        acols = columns(con, "appointments")
        c_start = pick(acols, "start_utc", "start", "starts_at", "start_at")
        c_end = pick(acols, "end_utc", "end", "ends_at", "end_at")
        c_block = pick(acols, "block_end_utc", "block_end")
        if not (c_start and c_end):
            die("cannot find the start/end columns of appointments: %s" % sorted(acols))
        ttype = acols[c_start][0]

        # Two years of weekdays, from about a year ago; each clinician gets
        # ten hourly slots a day from 08:00, filled until n_appointments.
        first = (now.astimezone(tz).date() - dt.timedelta(days=365))
        first -= dt.timedelta(days=first.weekday())
        days = [first + dt.timedelta(days=i) for i in range(2 * 365 + 7)]
        days = [d for d in days if d.weekday() < 5]
        slots_per_day = -(-n_appointments // (len(days) * len(clinicians)))
        if slots_per_day > 10:
            die("too many appointments for the calendar")
        rows = []
        for d in days:
            for c in clinicians:
                for k in range(slots_per_day):
                    if len(rows) >= n_appointments:
                        break
                    local = dt.datetime(d.year, d.month, d.day, 8 + k, 0, tzinfo=tz)
                    s = local.astimezone(UTC)
                    e = s + dt.timedelta(minutes=50)
                    past = s < now
                    state = ("cancelled" if rnd.random() < 0.05 else
                             ("attended" if past else "booked"))
                    r = {"clinician_id": c, "client_id": rnd.choice(clients),
                         "service_id": service, c_start: time_value(ttype, s),
                         c_end: time_value(ttype, e), "state": state}
                    if "room_id" in acols:
                        r["room_id"] = rnd.choice(rooms)
                    if c_block:
                        r[c_block] = time_value(ttype, e + dt.timedelta(minutes=10))
                    if "zone" in acols:
                        r["zone"] = TZ
                    if "cancelled_by" in acols:
                        r["cancelled_by"] = "client" if state == "cancelled" else None
                    for col in ("created", "updated"):
                        if col in acols:
                            r[col] = time_value(acols[col][0], now)
                    if "version" in acols:
                        r["version"] = 1
                    rows.append(r)
        insert(con, "appointments", rows)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    n = con.execute("SELECT count(*) FROM appointments").fetchone()[0]
    con.close()
    return clinicians, c_start, c_end, ttype, n, days


# ---------------------------------------------------------------- timing

def timed(cmd, env=None):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    t1 = time.perf_counter()
    return t1 - t0, r



def guard(name, d, root, keep):
    """The cleanup every benchmark needs: stop the daemon, remove (or keep)
    its folder, also on SIGTERM, SIGHUP and SIGINT.  Returns it."""
    done = []

    def cleanup():
        if done:
            return
        done.append(True)
        try:
            if d.proc is not None:
                try:
                    d.stop()
                finally:
                    if d.proc is not None and d.proc.poll() is None:
                        d.proc.kill()
                        d.proc.wait()
                    d.proc = None
        finally:
            if keep:
                print("%s: kept %s" % (name, root))
            else:
                shutil.rmtree(root, ignore_errors=True)

    def on_signal(signum, frame):
        cleanup()
        sys.exit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    return cleanup


def build_practice(name, d, root, args):
    """The schema from the daemon itself, then the bulk data."""
    print("%s: temporary practice in %s" % (name, root))
    d.start()
    rc = d.stop()
    if rc != 0:
        die("practiced exited %s after SIGTERM on the empty database" % rc)
    t0 = time.monotonic()
    made = populate(d.db, args.clinicians, args.clients, args.appointments)
    print("%s: inserted %d appointments, %d clients, %d clinicians in %.1f s"
          % (name, made[4], args.clients, len(made[0]), time.monotonic() - t0))
    return made


def busy_weekday():
    """A weekday about a month ahead, in the practice's zone."""
    target = dt.datetime.now(ZoneInfo(TZ)).date() + dt.timedelta(days=30)
    while target.weekday() >= 5:
        target += dt.timedelta(days=1)
    return target

def rss_floor(build):
    """(VmRSS, RssAnon) in KiB of build/bench_rss_floor, a program that
    only starts the daemon's libraries; None if it was not built."""
    prog = os.path.join(build, "bench_rss_floor")
    if not os.access(prog, os.X_OK):
        return None
    r = subprocess.run([prog], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    vm, anon = r.stdout.split()
    return int(vm), int(anon)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="directory holding practiced and practicectl")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--appointments", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--clinicians", type=int, default=20)
    ap.add_argument("--by-name", action="store_true",
                    help="give the ctl the clinician's name instead of the id")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    if not shutil.which("sqlite3"):
        die("the sqlite3 shell is not installed")
    build = os.path.abspath(args.build)
    root = tempfile.mkdtemp(prefix="practiced-bench-")
    d = Daemon(build, root)

    cleanup = guard("bench_list", d, root, args.keep)
    try:
        clinicians, c_start, c_end, ttype, n, days = build_practice(
            "bench_list", d, root, args)
        print("bench_list: database %.1f MiB" % (os.path.getsize(d.db) / 1048576))

        tz = ZoneInfo(TZ)
        target = busy_weekday()
        con = sqlite3.connect(d.db)
        cid, cname = con.execute("SELECT id, name FROM clinicians ORDER BY id LIMIT 1 OFFSET 7"
                                 ).fetchone()
        con.close()
        lo = dt.datetime(target.year, target.month, target.day, tzinfo=tz).astimezone(UTC)
        # up to the next local midnight (a DST day is 23 or 25 hours)
        nxt = target + dt.timedelta(days=1)
        hi = dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
        lo_v, hi_v = time_value(ttype, lo), time_value(ttype, hi)
        q = lambda v: str(v) if isinstance(v, int) else "'%s'" % v
        sql = ('SELECT a.id, a."{s}", a."{e}", a.state, cl.name, c.name, c.email, s.name, '
               's.minutes, s.buffer, r.name, a.video_url '
               'FROM appointments a '
               'JOIN clinicians cl ON cl.id = a.clinician_id '
               'JOIN clients c ON c.id = a.client_id '
               'JOIN services s ON s.id = a.service_id '
               'LEFT JOIN rooms r ON r.id = a.room_id '
               'WHERE a.clinician_id = {cid} AND a."{s}" >= {lo} AND a."{s}" < {hi} '
               'ORDER BY a."{s}";').format(s=c_start, e=c_end, cid=cid, lo=q(lo_v), hi=q(hi_v))

        d.start()
        who = cname if args.by_name else str(cid)
        ctl_cmd = [d.ctl, "-s", d.sock, "--json", "list", "--day", target.isoformat(),
                   "--clinician", who]
        sql_cmd = ["sqlite3", d.db, sql]

        # warm up and check that both find the same appointments
        _, r = timed(ctl_cmd)
        if r.returncode != 0:
            die("practicectl failed (%d): %s" % (r.returncode, r.stderr.decode().strip()))
        ctl_ids = sorted(a["id"] for a in json.loads(r.stdout)["appointments"])
        _, r = timed(sql_cmd)
        if r.returncode != 0:
            die("sqlite3 failed: %s" % r.stderr.decode().strip())
        sql_ids = sorted(int(line.split("|")[0]) for line in r.stdout.decode().splitlines()
                         if line)
        agree = "yes" if ctl_ids == sql_ids else "NO (ctl %d, sqlite3 %d rows)" % (
            len(ctl_ids), len(sql_ids))

        ctl_t, sql_t = [], []
        for i in range(args.runs):
            for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                if which == 0:
                    t, r = timed(ctl_cmd)
                    if r.returncode != 0:
                        die("practicectl failed during the runs: %s" % r.stderr.decode())
                    ctl_t.append(t)
                else:
                    t, r = timed(sql_cmd)
                    sql_t.append(t)
        rss = d.rss_kib()
        anon = d.status_kib("RssAnon")
        pss = d.pss_kib()

        mc, ms = statistics.median(ctl_t), statistics.median(sql_t)
        print()
        print("query: list --day %s --clinician %s (%s): %d appointments; same rows as "
              "sqlite3: %s" % (target, who, cname, len(ctl_ids), agree))
        print("runs: %d each, alternating" % args.runs)
        print("practicectl list   median %7.2f ms   (min %.2f, max %.2f)"
              % (mc * 1e3, min(ctl_t) * 1e3, max(ctl_t) * 1e3))
        print("sqlite3 shell      median %7.2f ms   (min %.2f, max %.2f)"
              % (ms * 1e3, min(sql_t) * 1e3, max(sql_t) * 1e3))
        print("ratio ctl/sqlite3  %.2f   (target <= 1.0: %s)"
              % (mc / ms, "met" if mc / ms <= 1.0 else "NOT met"))
        if rss is not None:
            print("practiced VmRSS    %.1f MiB (target < 10 MiB: %s)"
                  % (rss / 1024, "met" if rss < 10 * 1024 else "NOT met"))
            # Most of VmRSS is shared, clean library text; libical alone
            # brings ICU and libstdc++ (about 3.5 MiB resident at load).
            print("  of which private (RssAnon) %.1f MiB; PSS %.1f MiB"
                  % (anon / 1024, pss / 1024))
            floor = rss_floor(build)
            if floor is not None:
                print("  the same libraries started by a bare program "
                      "(bench_rss_floor): VmRSS %.1f MiB, RssAnon %.1f MiB; "
                      "practiced above them: %.1f MiB"
                      % (floor[0] / 1024, floor[1] / 1024,
                         (rss - floor[0]) / 1024))
        rc = d.stop()
        if rc != 0:
            print("bench_list: practiced exited %s after SIGTERM" % rc, file=sys.stderr)
            return 1
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
