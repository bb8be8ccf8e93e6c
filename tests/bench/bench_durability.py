#!/usr/bin/python3
"""
bench_durability: the three figures that must keep holding (issue 6),
measured on the real daemon with real clients over its Unix socket.

  /usr/bin/python3 tests/bench/bench_durability.py --build /abs/build \
      [--asan-build /abs/build-asan] [--kills 20] [--writers 16] [--clients 128]

1. kill -9: WRITERS threads book distinct, non-clashing slots (one
   clinician and one client each) through POST /v1/appointments; a booking
   whose 2xx answer arrived is confirmed.  The daemon is SIGKILLed KILLS
   times and restarted on the same database each time (the lock beside the
   database must have died with it).  Then every confirmed booking is
   looked up in the database: "confirmed N, lost M" (M must be 0).
2. Contention: CLIENTS threads, released together, book overlapping times
   of one clinician and one room.  An SQL self-join over the database
   counts double bookings (must be 0).
3. Malformed requests: a barrage of distinct bad requests (junk, truncated
   request lines, bad headers, bad JSON, wrong types, huge numbers, bad
   UTF-8, seeded random bytes, slow partial requests, abrupt closes)
   against the plain build and, when present, the ASan build.  After each
   batch the daemon must be alive and answer GET /v1/status 200; the ASan
   daemon's stderr must carry no sanitizer report.

Exits 1 when a figure is violated.  Runs in a temporary directory.
"""

import argparse
import datetime as dt
import json
import os
import random
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
UTC = dt.timezone.utc

conftest = None         # tests/e2e/conftest.py, imported once the build is known


def load_conftest(build):
    """The e2e helpers (Practice, raw HTTP) for this build."""
    global conftest
    os.environ["PRACTICED_BUILD"] = build
    sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
    sys.modules.pop("conftest", None)
    import conftest as c
    conftest = c
    return c


def practice(root, build):
    """A Practice (conftest) for build in root, without the test users:
    root runs the benchmark and is admin by its uid."""
    c = load_conftest(build)
    c.PRACTICED = os.path.join(build, "practiced")
    c.PRACTICECTL = os.path.join(build, "practicectl")
    os.makedirs(root, exist_ok=True)
    return c.Practice(root, access={}, socket_group=None,
                      daemon_extra={"max_connections": 256})


def must(cond, msg):
    if not cond:
        raise AssertionError(msg)


def add(p, kind, body):
    status, out = p.api("POST", "/v1/%ss" % kind, body)
    must(status == 201, "adding %s %r: %s %r" % (kind, body, status, out))
    return out[kind]["id"]


def hours_all_day(p, cid):
    status, out = p.api("PUT", "/v1/clinicians/%d/hours" % cid,
                        {"hours": "daily 00:00-23:59"})
    must(status == 200, "hours: %s %r" % (status, out))


def first_day():
    """A day two weeks ahead (UTC); times are sent with tz UTC."""
    return (dt.datetime.now(UTC) + dt.timedelta(days=14)).date()


def utc_text(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def post_booking(p, body, timeout=10.0):
    """(status, start) or (None, None) when no answer came (daemon killed)."""
    try:
        r = p.http("POST", "/v1/appointments", body, timeout=timeout)
    except (OSError, AssertionError):
        return None, None
    if 200 <= r.status < 300:
        try:
            return r.status, r.json()["appointment"]["start"]
        except (ValueError, KeyError, TypeError):
            return r.status, None
    return r.status, None


# ----------------------------------------------------------------- 1. kill -9

def figure_kills(build, root, n_kills, n_writers):
    p = practice(os.path.join(root, "kills"), build)
    p.start()
    svc = add(p, "service", {"name": "Kill session", "minutes": 25, "buffer": 5})
    writers = []
    for w in range(n_writers):
        cid = add(p, "clinician", {"name": "Writer Clinician %d" % w})
        hours_all_day(p, cid)
        kid = add(p, "client", {"name": "Writer Client %d" % w})
        writers.append((cid, kid))

    confirmed = [[] for _ in range(n_writers)]     # (clinician, start text)
    answered = [0] * n_writers
    unanswered = [0] * n_writers
    stop = threading.Event()
    day0 = first_day()

    def writer(w):
        cid, kid = writers[w]
        k = 0
        while not stop.is_set():
            # 48 half-hour slots a day, day after day: never a clash.
            t = dt.datetime(day0.year, day0.month, day0.day, tzinfo=UTC) + \
                dt.timedelta(minutes=30 * k)
            k += 1
            status, start = post_booking(p, {
                "client": kid, "clinician": cid, "service": svc,
                "at": t.strftime("%Y-%m-%d %H:%M"), "tz": "UTC"})
            if status is None:
                unanswered[w] += 1
                time.sleep(0.01)    # the daemon is down: pace the retries
                continue
            answered[w] += 1
            if 200 <= status < 300:
                must(start == utc_text(t), "booked %s, answered %r" % (utc_text(t), start))
                confirmed[w].append((cid, start))

    def total():
        return sum(len(c) for c in confirmed)

    threads = [threading.Thread(target=writer, args=(w,), daemon=True)
               for w in range(n_writers)]
    for t in threads:
        t.start()
    rnd = random.Random(6)
    restarts = 0
    t0 = time.monotonic()
    try:
        for i in range(n_kills):
            # Wait for fresh confirmations since the (re)start, then let
            # the writers run a random while so that kills land anywhere.
            base = total()
            deadline = time.monotonic() + 30
            while total() < base + n_writers:
                must(time.monotonic() < deadline,
                     "no bookings confirmed within 30 s of a restart; log:\n%s"
                     % p.log()[-3000:])
                time.sleep(0.01)
            time.sleep(rnd.uniform(0.05, 0.6))
            p.kill()
            p.start()       # asserts READY=1: the lock died with the process
            restarts += 1
        base = total()
        while total() < base + n_writers:
            time.sleep(0.01)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    elapsed = time.monotonic() - t0
    rc = p.stop(check=False)

    con = sqlite3.connect("file:%s?mode=ro" % p.db, uri=True)
    have = set()
    for cid, start in con.execute(
            "SELECT clinician_id, start_utc FROM appointments WHERE state != 'cancelled'"):
        have.add((cid, utc_text(dt.datetime.fromtimestamp(start, UTC))))
    con.close()
    all_conf = [c for cs in confirmed for c in cs]
    lost = [c for c in all_conf if c not in have]
    print("kill -9: %d kills and restarts under %d writers in %.0f s: "
          "%d answers, %d requests cut by a kill"
          % (restarts, n_writers, elapsed, sum(answered), sum(unanswered)))
    print("kill -9: confirmed %d, lost %d (must be 0)" % (len(all_conf), len(lost)))
    for c in lost[:10]:
        print("  lost: clinician %d at %s" % c)
    ok = not lost and restarts == n_kills and rc == 0
    if rc != 0:
        print("kill -9: practiced exited %s after SIGTERM at the end" % rc)
    return ok


# ------------------------------------------------------------ 2. contention

DOUBLES_SQL = """
SELECT count(*) FROM appointments a JOIN appointments b
  ON a.id < b.id
 AND (a.clinician_id = b.clinician_id OR a.room_id = b.room_id)
 AND a.start_utc < b.end_utc AND b.start_utc < a.end_utc
WHERE a.state != 'cancelled' AND b.state != 'cancelled'
"""


def figure_contention(build, root, n_clients, rounds=4):
    p = practice(os.path.join(root, "contend"), build)
    p.start()
    svc = add(p, "service", {"name": "Contended", "minutes": 50, "buffer": 10})
    cid = add(p, "clinician", {"name": "Busy Clinician"})
    hours_all_day(p, cid)
    room = add(p, "room", {"name": "Only Room"})
    clients = [add(p, "client", {"name": "Contender %d" % i}) for i in range(n_clients)]
    day0 = first_day()
    counts = {"accepted": 0, "refused": 0, "other": 0}
    lock = threading.Lock()
    for r in range(rounds):
        # 12 start times 10 minutes apart over two hours: a 50-minute
        # session overlaps its neighbours, so at most 2-3 can be accepted.
        base = dt.datetime(day0.year, day0.month, day0.day, 9, 0, tzinfo=UTC) + \
            dt.timedelta(days=r)
        barrier = threading.Barrier(n_clients)

        def client(i):
            t = base + dt.timedelta(minutes=10 * (i % 12))
            body = json.dumps({"client": clients[i], "clinician": cid, "service": svc,
                               "room": room, "at": t.strftime("%Y-%m-%d %H:%M"),
                               "tz": "UTC"}).encode()
            barrier.wait()
            try:
                r_ = p.http("POST", "/v1/appointments", body, timeout=30)
                st = r_.status
            except (OSError, AssertionError):
                st = None
            with lock:
                if st is not None and 200 <= st < 300:
                    counts["accepted"] += 1
                elif st == 409:
                    counts["refused"] += 1
                else:
                    counts["other"] += 1
        threads = [threading.Thread(target=client, args=(i,)) for i in range(n_clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    alive = p.alive()
    rc = p.stop(check=False)
    con = sqlite3.connect("file:%s?mode=ro" % p.db, uri=True)
    doubles = con.execute(DOUBLES_SQL).fetchone()[0]
    stored = con.execute("SELECT count(*) FROM appointments WHERE state != 'cancelled'"
                         ).fetchone()[0]
    con.close()
    print("contention: %d rounds of %d concurrent clients on one clinician and room: "
          "accepted %d, refused 409 %d, other %d; stored %d"
          % (rounds, n_clients, counts["accepted"], counts["refused"], counts["other"],
             stored))
    print("contention: double bookings %d (must be 0)" % doubles)
    ok = (doubles == 0 and counts["other"] == 0 and stored == counts["accepted"]
          and alive and rc == 0)
    if counts["other"] or stored != counts["accepted"]:
        print("contention: %d answers neither 2xx nor 409, stored %d vs accepted %d"
              % (counts["other"], stored, counts["accepted"]))
    return ok


# ------------------------------------------------------------- 3. malformed

def malformed_cases():
    """(name, bytes to send, how) with how in "send", "slow", "close"."""
    cases = []

    def req(method, path, body=b"", headers=None, extra=b""):
        h = {"Host": "practiced", "Connection": "close"}
        if body:
            h["Content-Type"] = "application/json"
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        head = "%s %s HTTP/1.1\r\n" % (method, path)
        head += "".join("%s: %s\r\n" % kv for kv in h.items() if kv[1] is not None)
        return head.encode("latin-1") + b"\r\n" + extra + body

    good = req("POST", "/v1/appointments", json.dumps(
        {"client": 1, "clinician": 1, "service": 1, "at": "2030-01-07 10:00"}).encode())
    # junk and truncated request lines
    for j in (b"", b"\r\n", b"\r\n\r\n", b"GET", b"GET ", b"GET /", b"GET / HTTP",
              b"GET / HTTP/1.1", b"GET / HTTP/1.1\r\n", b"GET /v1/status HTTP/9.9\r\n\r\n",
              b"GET /v1/status HTTP/1.1 extra\r\n\r\n", b"GET  /v1/status  HTTP/1.1\r\n\r\n",
              b"\x00\x00\x00\x00", b"\xff" * 64, b"FOO /v1/status HTTP/1.1\r\n\r\n",
              b"get /v1/status http/1.1\r\n\r\n", b"GET v1/status HTTP/1.1\r\n\r\n",
              b"GET /v1/status\r\n\r\n", b"GET /v1/status HTTP/1.1\n\n",
              b"GET /v1/status HTTP/1.1\r\r\r\r", b"GET /%00 HTTP/1.1\r\n\r\n",
              b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
              b"GET /v1/" + b"%" * 500 + b" HTTP/1.1\r\n\r\n",
              b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
              b"CONNECT practiced:80 HTTP/1.1\r\n\r\n", b"TRACE / HTTP/1.1\r\n\r\n",
              b"OPTIONS * HTTP/1.1\r\n\r\n", b"GET http://x/v1/status HTTP/1.1\r\n\r\n"):
        cases.append(("line %r" % j[:30], j, "send"))
    for n in range(5, len(good), max(1, len(good) // 40)):
        cases.append(("truncated at %d" % n, good[:n], "send"))
    # bad headers
    for hdrs in ({"Content-Length": "-1"}, {"Content-Length": "abc"},
                 {"Content-Length": "99999999999999999999"}, {"Content-Length": "1e3"},
                 {"Content-Length": "4294967301"}, {"Content-Length": " 5"},
                 {"Content-Length": "100"}, {"Transfer-Encoding": "chunked"},
                 {"Transfer-Encoding": "gzip"}, {"Transfer-Encoding": "chunked, chunked"},
                 {"Host": None}, {"Host": "a" * 9000}, {"X-" + "a" * 9000: "b"},
                 {"Content-Type": "text/plain"}, {"Content-Type": "\x00"},
                 {"Expect": "100-continue"}, {"Connection": "keep-alive, upgrade"},
                 {"Upgrade": "websocket"}):
        cases.append(("header %r" % list(hdrs)[0][:20],
                      req("POST", "/v1/clients", b'{"name":"x"}', hdrs), "send"))
    for raw in (b"NoColon\r\n", b": empty-name\r\n", b"Bad Name: x\r\n", b"X: \x00\r\n",
                b"X: a\r\n continued\r\n", b"X: \xff\xfe\r\n", b"X:" + b"y" * 100000 + b"\r\n",
                b"Content-Length: 5\r\nContent-Length: 6\r\n",
                b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                b"".join(b"X%d: y\r\n" % i for i in range(2000))):
        cases.append(("raw header %r" % raw[:20],
                      b"POST /v1/clients HTTP/1.1\r\nHost: p\r\n" + raw + b"\r\n{\"nam",
                      "send"))
    for chunk in (b"zz\r\nab\r\n0\r\n\r\n", b"ffffffffffffffff\r\n", b"5\r\nab",
                  b"-5\r\nabcde\r\n0\r\n\r\n", b"5;ext=" + b"x" * 5000 + b"\r\nabcde\r\n0\r\n\r\n"):
        cases.append(("chunk %r" % chunk[:20],
                      b"POST /v1/clients HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked"
                      b"\r\n\r\n" + chunk, "send"))
    # bad JSON bodies and wrong types on every writing route
    bodies = [b"{", b"}", b"[]", b"null", b"1", b'"x"', b"{\"a\":}", b"{'a':1}",
              b'{"name":"x",}', b'{"name":"x"}{"name":"y"}', b"\xef\xbb\xbf{}",
              b'{"name":"\xff\xfe"}', b'{"name":"\xc0\xaf"}', b'{"name":"\xed\xa0\x80"}',
              b'{"name":"\\ud800"}', b'{"name":"a\\u0000b"}', b'[' * 10000 + b']' * 10000,
              b'{"a":' * 5000 + b"1" + b"}" * 5000, b'{"name":' + b'"' + b"x" * 200000 + b'"}',
              b'{"name":1e999}', b'{"name":-0}', b'{"name":NaN}', b'{"name":Infinity}']
    routes = [("POST", "/v1/clients"), ("POST", "/v1/clinicians"), ("POST", "/v1/services"),
              ("POST", "/v1/rooms"), ("POST", "/v1/appointments"),
              ("PATCH", "/v1/clients/1"), ("PUT", "/v1/clinicians/1/hours")]
    for m, path in routes:
        for b in bodies:
            cases.append(("%s %s body %r" % (m, path, b[:20]), req(m, path, b), "send"))
    wrong = [{"client": "1"}, {"client": 1.5}, {"client": [1]}, {"client": {"id": 1}},
             {"client": True}, {"client": None}, {"client": 2 ** 63}, {"client": -2 ** 63 - 1},
             {"client": 10 ** 30}, {"client": -1}, {"client": 0},
             {"at": 12}, {"at": ""}, {"at": "9999-99-99 99:99"}, {"at": "2999-12-25 10:00"},
             {"at": "1000-01-01 00:00"}, {"at": "2030-02-30 10:00"}, {"at": "2030-01-07 24:00"},
             {"at": "2030-01-07T10:00:00+99:00"}, {"at": "tomorrow 99:00"},
             {"tz": "../../../../etc/passwd"}, {"tz": "UTC\u0000x"}, {"tz": 5},
             {"tz": "x" * 5000}, {"service": 4294967301}, {"room": "nowhere"},
             {"minutes": 10 ** 20}, {"repeat": "weekly", "count": 10 ** 9},
             {"repeat": "bogus"}, {"count": -5}, {"until": "never"}, {"video": "\u202e"},
             {"force": "yes"}, {"unknown_field": 1}]
    base = {"client": 1, "clinician": 1, "service": 1, "at": "2030-01-07 10:00"}
    for w in wrong:
        b = dict(base)
        b.update(w)
        cases.append(("appointment %r" % (list(w.items())[0],),
                      req("POST", "/v1/appointments", json.dumps(b).encode()), "send"))
    for b in ({"name": 5}, {"name": ""}, {"name": " "}, {"name": "x" * 100000},
              {"minutes": "50", "name": "s"}, {"minutes": 0, "name": "s"},
              {"minutes": 10 ** 12, "name": "s"}, {"minutes": -50, "name": "s"},
              {"buffer": 2 ** 64, "name": "s", "minutes": 50}):
        cases.append(("service %r" % b, req("POST", "/v1/services", json.dumps(b).encode()),
                      "send"))
    # query strings
    for q in ("/v1/slots?step=4294967301", "/v1/slots?tz=UTC%00x", "/v1/slots?tz=../../etc",
              "/v1/slots?from=2999-12-25", "/v1/slots?from=%ff%fe", "/v1/appointments?day=x",
              "/v1/appointments?limit=-1", "/v1/appointments?limit=99999999999999999999",
              "/v1/audit?limit=abc", "/v1/clients/%2e%2e%2f", "/v1/clients/" + "9" * 40,
              "/v1/appointments?&&&==&", "/v1/appointments?a=" + "b" * 60000,
              "/v1/../v1/status", "/v1//status", "/v1/status?x=1", "/v2/status", "/",
              "/v1/appointments/-1", "/v1/appointments/0x10"):
        cases.append(("query %r" % q[:30], req("GET", q), "send"))
    for m in ("DELETE", "PUT", "PATCH", "HEAD"):
        cases.append(("method %s status" % m, req(m, "/v1/status"), "send"))
    # seeded random bytes, random mutations of a good request
    rnd = random.Random(282)
    for i in range(40):
        cases.append(("random %d" % i, bytes(rnd.randrange(256)
                                             for _ in range(rnd.randrange(1, 2000))), "send"))
    for i in range(40):
        b = bytearray(good)
        for _ in range(rnd.randrange(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        cases.append(("mutation %d" % i, bytes(b), "send"))
    # slow partial requests and abrupt closes
    for n in (1, 10, 30, len(good) - 1):
        cases.append(("slow partial %d" % n, good[:n], "slow"))
    for n in (0, 5, 40, len(good) // 2, len(good)):
        cases.append(("abrupt close after %d" % n, good[:n], "close"))
    return cases


def send_case(p, data, how):
    """Send one case on its own connection; read what comes back."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(p.sock)
        s.settimeout(5)
        if how == "slow":
            for i in range(len(data)):
                s.send(data[i:i + 1])
                if i < 3:
                    time.sleep(0.02)
            s.close()
            return
        try:
            s.sendall(data)
        except OSError:
            return          # the daemon closed first: an answer of its kind
        if how == "close":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
            return
        try:
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
        except OSError:
            pass
    finally:
        s.close()


def figure_malformed(build, root, label):
    p = practice(os.path.join(root, "malformed-" + label), build)
    p.start(timeout=30)
    add(p, "clinician", {"name": "Target Clinician"})
    add(p, "client", {"name": "Target Client"})
    add(p, "service", {"name": "Target", "minutes": 50})
    cases = malformed_cases()
    distinct = len({c[1] + c[2].encode() for c in cases})
    batches = 0
    ok = True
    for i in range(0, len(cases), 25):
        for name, data, how in cases[i:i + 25]:
            send_case(p, data, how)
        batches += 1
        if not p.alive():
            print("malformed %s: practiced died in batch %d (cases %d-%d)"
                  % (label, batches, i, i + 24))
            ok = False
            break
        try:
            status, _ = p.api("GET", "/v1/status")
        except (OSError, AssertionError) as e:
            status = "no answer (%s)" % e
        if status != 200:
            print("malformed %s: status after batch %d: %s" % (label, batches, status))
            ok = False
            break
    rc = p.stop(check=False) if p.alive() else "dead"
    text = p.log()
    marks = [m for m in conftest.SANITIZER_MARKS if m in text]
    print("malformed %s: sent %d cases (%d distinct) in %d batches; alive and status 200 "
          "after every batch: %s; sanitizer reports: %s; exit after SIGTERM: %s"
          % (label, len(cases), distinct, batches, "yes" if ok else "NO",
             ", ".join(marks) or "none", rc))
    if marks:
        print(text[-5000:])
    return ok and not marks and rc == 0 and distinct >= 282


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--asan-build", default=os.path.join(REPO, "build-asan"),
                    help="an ASan build for the malformed barrage (used when present)")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--writers", type=int, default=16)
    ap.add_argument("--clients", type=int, default=128)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench_durability: run as root (the daemon admits root as admin "
              "without test users)", file=sys.stderr)
        return 2
    build = os.path.abspath(args.build)
    root = tempfile.mkdtemp(prefix="practiced-durability-")
    results = {}
    try:
        results["kill -9"] = figure_kills(build, root, args.kills, args.writers)
        results["contention"] = figure_contention(build, root, args.clients)
        results["malformed (plain)"] = figure_malformed(build, root, "plain")
        asan = os.path.abspath(args.asan_build)
        if os.access(os.path.join(asan, "practiced"), os.X_OK):
            results["malformed (asan)"] = figure_malformed(asan, root, "asan")
        else:
            print("malformed asan: no ASan build in %s (make check builds it)" % asan)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    bad = [k for k, v in results.items() if not v]
    print("bench_durability: %s" % ("all figures hold" if not bad
                                     else "VIOLATED: " + ", ".join(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
