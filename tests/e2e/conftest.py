"""
End-to-end fixtures for practiced: a real daemon, the real practicectl,
real users for the roles.  Nothing is mocked.

Run:  cd tests/e2e && PRACTICED_BUILD=/abs/build /usr/bin/python3 -m pytest -q -p no:cacheprovider
"""

import datetime as dt
import fcntl
import grp
import json as jsonmod
import os
import pwd
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from zoneinfo import ZoneInfo

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.path.abspath(os.environ.get("PRACTICED_BUILD")
                        or os.path.join(REPO, "build"))
PRACTICED = os.path.join(BUILD, "practiced")
PRACTICECTL = os.path.join(BUILD, "practicectl")

TZ = "America/New_York"
UTC = dt.timezone.utc

GROUP = "pdtest"
USER_ADMIN = "pdtest-admin"
USER_STAFF = "pdtest-staff"
USER_RO = "pdtest-ro"
USER_NONE = "pdtest-none"
USERS = (USER_ADMIN, USER_STAFF, USER_RO, USER_NONE)

# Text that means a sanitizer fired, in the daemon's or the ctl's stderr.
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer",
                   "UndefinedBehaviorSanitizer", "runtime error")

READY_TIMEOUT = 10.0
STOP_TIMEOUT = 15.0
CTL_TIMEOUT = 20.0


# --------------------------------------------------------------------------
# Dates, computed from now so that the suite runs on any day.

def now_local(tz=TZ):
    return dt.datetime.now(ZoneInfo(tz))


def today(tz=TZ):
    return now_local(tz).date()


def future_monday(tz=TZ, weeks=2):
    """A Monday between 14 and 20 days ahead (in the zone's calendar)."""
    d = today(tz) + dt.timedelta(days=7 * weeks)
    return d + dt.timedelta(days=(7 - d.weekday()) % 7)


def at(day, hhmm):
    """The ctl's --at text for a date and "HH:MM"."""
    return "%s %s" % (day.isoformat(), hhmm)


def utc_of(day, hhmm, tz=TZ):
    """The API's UTC text for a local wall time (fold=0: the earlier one)."""
    h, m = map(int, hhmm.split(":"))
    local = dt.datetime(day.year, day.month, day.day, h, m, tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_in(utc_text, tz):
    """"YYYY-MM-DD HH:MM" in zone tz for an API UTC instant."""
    t = dt.datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return t.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def local_from_now(delta, tz=TZ):
    """A wall time (date, "HH:MM") at now+delta, rounded up to 5 minutes.
    Derived from a UTC instant, so it always exists in the zone."""
    t = dt.datetime.now(UTC) + delta
    t = t.replace(second=0, microsecond=0)
    t += dt.timedelta(minutes=(5 - t.minute % 5) % 5)
    loc = t.astimezone(ZoneInfo(tz))
    return loc.date(), loc.strftime("%H:%M")


def dst_gap_day(tz=TZ, after=None):
    """The next spring-forward day (second Sunday of March for US zones)
    that is at least two days after `after` (default today)."""
    after = after or today(tz)
    for year in range(after.year, after.year + 3):
        d = dt.date(year, 3, 1)
        d += dt.timedelta(days=(6 - d.weekday()) % 7)   # first Sunday
        d += dt.timedelta(days=7)                         # second Sunday
        if d > after + dt.timedelta(days=1):
            return d
    raise AssertionError("no DST gap found")


def dst_fold_day(tz=TZ, after=None):
    """The next fall-back day (first Sunday of November for US zones)."""
    after = after or today(tz)
    for year in range(after.year, after.year + 3):
        d = dt.date(year, 11, 1)
        d += dt.timedelta(days=(6 - d.weekday()) % 7)
        if d > after + dt.timedelta(days=1):
            return d
    raise AssertionError("no DST fold found")


# --------------------------------------------------------------------------
# Test users and group (session scoped, idempotent).

def _run_admin(cmd):
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    cmd = [shutil.which(cmd[0], path=path) or cmd[0]] + cmd[1:]
    r = subprocess.run(cmd, capture_output=True, text=True)
    # 9: name already in use (a parallel run made it first): fine.
    if r.returncode not in (0, 9):
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode,
                                                   r.stderr.strip()))


def ensure_test_users():
    # One at a time: parallel runs (pytest -n) would race on /etc/group.
    with open(os.path.join(tempfile.gettempdir(), "pdtest-users.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _ensure_test_users()


def _ensure_test_users():
    try:
        grp.getgrnam(GROUP)
    except KeyError:
        _run_admin(["groupadd", "--system", GROUP])
    for user in USERS:
        try:
            pwd.getpwnam(user)
        except KeyError:
            _run_admin(["useradd", "--system", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", "-G", GROUP, user])
        if user not in grp.getgrnam(GROUP).gr_mem:
            _run_admin(["usermod", "-a", "-G", GROUP, user])


@pytest.fixture(scope="session", autouse=True)
def test_users():
    if not (os.path.exists(PRACTICED) and os.path.exists(PRACTICECTL)):
        pytest.exit("practiced/practicectl not built in %s (set PRACTICED_BUILD)"
                    % BUILD, returncode=2)
    if os.geteuid() != 0:
        missing = [u for u in USERS if not _user_exists(u)]
        if missing or not _group_exists(GROUP):
            pytest.exit("the e2e tests create users %s and group %s: run them as "
                        "root" % (", ".join(USERS), GROUP), returncode=2)
    else:
        ensure_test_users()
    # The checkout may sit in a folder other users cannot enter (a 0700
    # mktemp dir, a home): they run copies of the programs from /tmp.
    global _CTL_FOR_OTHERS, _DAEMON_FOR_OTHERS
    shared = tempfile.mkdtemp(prefix="pdtest-ctl-")
    os.chmod(shared, 0o755)
    _CTL_FOR_OTHERS = os.path.join(shared, "practicectl")
    _DAEMON_FOR_OTHERS = os.path.join(shared, "practiced")
    for src, dst in ((PRACTICECTL, _CTL_FOR_OTHERS),
                     (PRACTICED, _DAEMON_FOR_OTHERS)):
        shutil.copy2(src, dst)
        os.chmod(dst, 0o755)
    yield USERS
    shutil.rmtree(shared, ignore_errors=True)


_CTL_FOR_OTHERS = None
_DAEMON_FOR_OTHERS = None


def practiced_for_others():
    """practiced as another user can run it (see test_users)."""
    assert _DAEMON_FOR_OTHERS is not None, "needs the test_users fixture"
    return _DAEMON_FOR_OTHERS


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def uid_of(user):
    return pwd.getpwnam(user).pw_uid


# --------------------------------------------------------------------------
# Raw HTTP over the Unix socket.

class HttpResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers          # lower-case name -> value
        self.body = body                # bytes

    def json(self):
        return jsonmod.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<HTTP %s %s %r>" % (self.status, self.reason, self.body[:300])


def read_http_response(sock, timeout=10.0):
    """Read one HTTP/1.1 response (Content-Length or close delimited)."""
    sock.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            if not buf:
                return None
            raise AssertionError("connection closed inside headers: %r" % buf)
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(rest) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError("connection closed inside body")
            rest += chunk
        body = rest[:n]
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                chunk = sock.recv(65536)
                if not chunk:
                    raise AssertionError("closed inside chunked body")
                rest += chunk
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                chunk = sock.recv(65536)
                if not chunk:
                    raise AssertionError("closed inside chunk")
                rest += chunk
            body += rest[:size]
            rest = rest[size + 2:]
            if size == 0:
                break
    else:
        body = rest
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return HttpResponse(status, reason, headers, body)


# --------------------------------------------------------------------------
# A clock tests can set: libfaketime preloaded into the daemon.  The fake
# time is a file the library reads on every call (FAKETIME_NO_CACHE), in
# epoch seconds (FAKETIME_FMT=%s, so the daemon's TZ plays no part).
#
# Frozen (the default): the daemon's wall clock stands still at exactly the
# instant set, to the second, and moves only when a test sets it; the
# monotonic clock is left real, so libevent's timers (request timeouts, the
# shutdown sweep) behave as in production.
#
# Running: the wall clock starts at the instant set and runs; the monotonic
# clock is faked too, so setting the clock later jumps both, and libevent's
# timers that fall due in the jump (the series extension every 6 hours) fire
# at the loop's next wake-up (any request).  A speed factor (FAKETIME "x")
# also works, but it scales every timeout (request_timeout included), so the
# tests jump instead.
#
# Only the daemon runs on the fake clock: practicectl sends "today",
# "tomorrow" and "yesterday" as words, and the daemon resolves them.

# The build that serializes its clock reads: libfaketime.so.1 parses the
# clock's file again on every read (FAKETIME_NO_CACHE) into globals that
# the daemon's other threads read meanwhile, and a thread saw its
# monotonic clock jump by the fake clock's offset now and then (a curl
# transfer "timed out after 428614615 ms", a request past its deadline).
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"


# What each migration added, to take a database back to an older schema
# (an upgrade test); a new migration adds its undo here.
SCHEMA_UNDO = {
    3: ["DROP INDEX series_parent"],
    4: ["DROP INDEX reminders_due_all", "DROP INDEX reminders_state_due",
        "DROP TABLE deliveries", "DROP TABLE reminders",
        "ALTER TABLE clients DROP COLUMN sms_consent_by",
        "ALTER TABLE clients DROP COLUMN sms_consent_at"],
    5: ["DROP INDEX feeds_token", "DROP TABLE feeds",
        "DROP TRIGGER series_session_left", "DROP TRIGGER series_skip_removed",
        "DROP TRIGGER series_skip_added", "DROP TRIGGER series_version",
        "ALTER TABLE series DROP COLUMN modified",
        "ALTER TABLE series DROP COLUMN version", "DROP TABLE practice",
        "DROP INDEX appointments_care",
        "ALTER TABLE reminders DROP COLUMN told_place",
        "ALTER TABLE reminders DROP COLUMN told_start",
        "ALTER TABLE reminders DROP COLUMN retry_from"],
    6: ["DROP INDEX busy_blocks_piece", "DROP INDEX busy_blocks_calendar",
        "DROP INDEX busy_blocks_start", "DROP TABLE busy_blocks",
        "DROP INDEX busy_calendars_clinician", "DROP TABLE busy_calendars"],
    7: ["DROP INDEX import_map_appointment", "DROP TABLE import_map"],
    8: ["CREATE INDEX appointments_client ON appointments(client_id, start_utc)",
        "CREATE INDEX reminders_appointment ON reminders(appointment_id)",
        "CREATE INDEX reminders_due ON reminders(due_utc)"
        " WHERE state = 'pending'"],
    9: ["DROP INDEX appointments_start",
        "CREATE INDEX appointments_start ON appointments(start_utc)",
        "DROP INDEX appointments_clinician",
        "CREATE INDEX appointments_clinician"
        " ON appointments(clinician_id, start_utc)",
        "DROP INDEX appointments_room",
        "CREATE INDEX appointments_room ON appointments(room_id, start_utc)"
        " WHERE room_id IS NOT NULL",
        "DROP INDEX reminders_told_by",
        "ALTER TABLE reminders DROP COLUMN told_by"],
}


def rewind_schema(con, version):
    """Undo the migrations above version on an open sqlite3 connection."""
    now = con.execute("PRAGMA user_version").fetchone()[0]
    assert now >= version and max(SCHEMA_UNDO) == now, (
        "SCHEMA_UNDO in conftest.py lacks the migration to %d" % now)
    for v in range(now, version, -1):
        for sql in SCHEMA_UNDO[v]:
            con.execute(sql)
    con.execute("PRAGMA user_version = %d" % version)


class Clock:
    def __init__(self, path, when, tz=TZ, running=False):
        self.path = path
        self.tz = tz
        self.running = running
        self.set(when)

    def instant(self, when, tz=None):
        """An aware datetime for "YYYY-MM-DD HH:MM[:SS]" in zone tz (the
        clock's zone by default), or for an aware datetime."""
        if isinstance(when, dt.datetime):
            assert when.tzinfo is not None, "a naive datetime is ambiguous"
            return when
        fmt = "%Y-%m-%d %H:%M:%S" if when.count(":") == 2 else "%Y-%m-%d %H:%M"
        t = dt.datetime.strptime(when, fmt)
        return t.replace(tzinfo=ZoneInfo(tz or self.tz))

    def set(self, when, tz=None):
        """Set the daemon's clock (takes effect at its next clock read)."""
        self.now = self.instant(when, tz)
        text = "%s%d\n" % ("@" if self.running else "", int(self.now.timestamp()))
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.path)      # never a half-written file
        return self.now

    def advance(self, **delta):
        """Move the clock on by dt.timedelta(**delta)."""
        return self.set(self.now + dt.timedelta(**delta))

    def env(self):
        assert os.path.exists(FAKETIME_LIB), (
            "libfaketime is missing (%s): the Makefile's DEPS install the "
            "faketime package" % FAKETIME_LIB)
        e = {"LD_PRELOAD": FAKETIME_LIB,
             "FAKETIME_TIMESTAMP_FILE": self.path,
             "FAKETIME_FMT": "%s",
             "FAKETIME_NO_CACHE": "1",
             # ASan wants to come first among the libraries; libfaketime
             # preloaded before it is fine (tested with the ASan build).
             "ASAN_OPTIONS": ":".join(filter(None, (
                 os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0")))}
        if not self.running:
            e["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        return e


# --------------------------------------------------------------------------
# The practice: config, daemon, ctl.

DEFAULT_ACCESS = {"admin": USER_ADMIN, "staff": USER_STAFF, "readonly": USER_RO}


class Practice:
    def __init__(self, root, name="Test Practice", timezone=TZ,
                 late_cancel_hours=24, access=None, socket_group=GROUP,
                 daemon_extra=None, practice_extra=None, clock_at=None,
                 clock_tz=None, clock_running=False, sections=None):
        self.root = root
        self.conf = os.path.join(root, "practiced.conf")
        self.db = os.path.join(root, "practice.db")
        self.sock = os.path.join(root, "practiced.sock")
        self.notify_path = os.path.join(root, "notify.sock")
        self.logpath = os.path.join(root, "practiced.log")
        self.settings = dict(name=name, timezone=timezone,
                             late_cancel_hours=late_cancel_hours,
                             access=dict(DEFAULT_ACCESS if access is None else access),
                             socket_group=socket_group,
                             daemon_extra=dict(daemon_extra or {}),
                             practice_extra=dict(practice_extra or {}),
                             sections=dict(sections or {}))
        # The daemon's clock, when a test sets it (see Clock).
        self.clock = None
        if clock_at is not None:
            self.clock = Clock(os.path.join(root, "faketime"), clock_at,
                               clock_tz or timezone, clock_running)
        self.proc = None
        self._log = None
        self.notify = None
        self.write_config()

    # -- configuration
    def config_text(self, **over):
        s = dict(self.settings)
        s.update(over)
        lines = [
            "# written by the e2e tests",
            "[practice]",
            "name = %s" % s["name"],
            "timezone = %s" % s["timezone"],
            "late_cancel_hours = %s" % s["late_cancel_hours"],
        ]
        for k, v in s["practice_extra"].items():
            lines.append("%s = %s" % (k, v))
        lines += [
            "",
            "[daemon]",
            "database = %s" % self.db,
            "socket = %s" % self.sock,
        ]
        if s["socket_group"]:
            lines.append("socket_group = %s" % s["socket_group"])
        for k, v in s["daemon_extra"].items():
            lines.append("%s = %s" % (k, v))
        if s["access"]:
            lines += ["", "[access]"]
            for role in ("admin", "staff", "readonly"):
                if s["access"].get(role):
                    lines.append("%s = %s" % (role, s["access"][role]))
        # More sections ([reminders], [smtp], ...): {name: [(key, value)]}
        for name, pairs in s["sections"].items():
            lines += ["", "[%s]" % name]
            lines += ["%s = %s" % kv for kv in pairs]
        return "\n".join(lines) + "\n"

    def write_config(self, text=None, **over):
        if text is None:
            self.settings.update(over)
            text = self.config_text()
        with open(self.conf, "w") as f:
            f.write(text)

    # -- daemon lifecycle
    def start(self, timeout=READY_TIMEOUT, extra_env=None, args=()):
        assert self.proc is None, "daemon already running"
        if os.path.exists(self.notify_path):
            os.unlink(self.notify_path)
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ns.bind(self.notify_path)
        env = dict(os.environ)
        env.pop("PRACTICED_SOCKET", None)
        env.pop("PRACTICED_TZ", None)
        env["NOTIFY_SOCKET"] = self.notify_path
        if self.clock is not None:
            env.update(self.clock.env())
        if extra_env:
            env.update(extra_env)
        self._log = open(self.logpath, "ab")
        self.proc = subprocess.Popen([PRACTICED, "-d", *args, "-f", self.conf],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log,
                                     env=env, cwd=self.root)
        try:
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("practiced sent no READY=1 within %.0f s; "
                                         "log:\n%s" % (timeout, self.log()))
                r, _, _ = select.select([ns], [], [], min(left, 0.05))
                if r:
                    msg = ns.recv(4096)
                    if b"READY=1" in msg.split(b"\n"):
                        break
                    continue
                if self.proc.poll() is not None:
                    rc = self.proc.returncode
                    self.proc = None
                    raise AssertionError("practiced exited %d before READY=1; log:\n%s"
                                         % (rc, self.log()))
        except BaseException:
            ns.close()
            if self.proc is not None:
                self.proc.kill()
                self.proc.wait()
                self.proc = None
            raise
        # Keep listening: the daemon also reports STOPPING=1 and reloads.
        ns.setblocking(False)
        self.notify = ns
        assert os.path.exists(self.sock), "READY=1 but no socket at %s" % self.sock
        return self

    def notifications(self):
        """The sd_notify datagrams received since the last call."""
        got = []
        while self.notify is not None:
            try:
                got.append(self.notify.recv(4096).decode("utf-8", "replace"))
            except BlockingIOError:
                break
        return got

    def _close_notify(self):
        if self.notify is not None:
            self.notify.close()
            self.notify = None

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=STOP_TIMEOUT, check=True):
        """SIGTERM and wait. Returns the exit code. With check, asserts 0 and a
        clean sanitizer log."""
        if self.proc is None:
            return None
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self.proc = None
            self._close_notify()
            raise AssertionError("practiced did not exit within %.0f s of SIGTERM; "
                                 "log:\n%s" % (timeout, self.log()))
        self.proc = None
        self._close_notify()
        if self._log:
            self._log.close()
            self._log = None
        if check:
            self.assert_clean_log()
            assert rc == 0, "practiced exited %d after SIGTERM; log:\n%s" % (
                rc, self.log())
        return rc

    def kill(self):
        """SIGKILL (a crash)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        self._close_notify()
        if self._log:
            self._log.close()
            self._log = None

    def log(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def assert_clean_log(self):
        text = self.log()
        for mark in SANITIZER_MARKS:
            assert mark not in text, "sanitizer report in practiced's log:\n%s" % text

    # -- the ctl
    def ctl(self, *args, user=None, json=True, check=True, env=None,
            sock=None, zone=None, timeout=CTL_TIMEOUT, raw_args=False):
        """Run practicectl. Returns (rc, out, err): out is the parsed JSON when
        json and rc == 0 (and whatever parses otherwise), else stdout text."""
        if raw_args:
            cmd = [PRACTICECTL] + [str(a) for a in args]
        else:
            cmd = [PRACTICECTL, "-s", sock or self.sock]
            if json:
                cmd.append("--json")
            if zone:
                cmd += ["-z", zone]
            cmd += [str(a) for a in args]
        return run_ctl(cmd, user=user, env=env, check=check, json=json,
                       timeout=timeout, cwd=self.root)

    # -- raw HTTP
    def connect(self, timeout=10.0):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(self.sock)
        return s

    def http(self, method, path, body=None, headers=None, timeout=10.0):
        """One request on a fresh connection; returns HttpResponse."""
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = jsonmod.dumps(body).encode()
        h = {"Host": "practiced", "Connection": "close"}
        if body is not None:
            h["Content-Type"] = "application/json"
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        req = "%s %s HTTP/1.1\r\n" % (method, path)
        req += "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
        resp = self._exchange(req.encode() + (body or b""), timeout)
        # On a running fake clock, libfaketime's monotonic clock was seen
        # to jump (see FAKETIME_LIB), firing the request's deadline: the
        # daemon closes without an answer, or answers 503 that the request
        # outlived it, and by design commits nothing (http_request_alive),
        # so the request is sent once more.  Twice is a real failure.
        if self.clock is not None and self.clock.running and (
                resp is None or (resp.status == 503 and
                                 b"outlived its connection" in resp.body)):
            resp = self._exchange(req.encode() + (body or b""), timeout)
        assert resp is not None, "%s %s: connection closed with no answer; " \
            "the daemon's log ends:\n%s" % (method, path, self.log()[-3000:])
        return resp

    def _exchange(self, data, timeout):
        s = self.connect(timeout)
        try:
            s.sendall(data)
            return read_http_response(s, timeout)
        finally:
            s.close()

    def api(self, method, path, body=None, **kw):
        """(status, parsed JSON body) for a /v1 request."""
        r = self.http(method, path, body, **kw)
        try:
            return r.status, r.json()
        except ValueError:
            raise AssertionError("%s %s: answer is not JSON: %r" % (method, path, r))


def run_ctl(cmd, user=None, env=None, check=True, json=True,
            timeout=CTL_TIMEOUT, cwd=None):
    e = dict(os.environ)
    e.pop("PRACTICED_SOCKET", None)
    e.pop("PRACTICED_TZ", None)
    if env:
        e.update(env)
    kw = {}
    if user is not None:
        if cmd and cmd[0] == PRACTICECTL and _CTL_FOR_OTHERS is not None:
            cmd = [_CTL_FOR_OTHERS] + list(cmd[1:])
        pw = pwd.getpwnam(user)
        kw = dict(user=pw.pw_uid, group=pw.pw_gid,
                  extra_groups=os.getgrouplist(user, pw.pw_gid))
        e["HOME"] = "/"
        e["USER"] = e["LOGNAME"] = user
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=e,
                           timeout=timeout, cwd=cwd or "/", **kw)
    except subprocess.TimeoutExpired:
        raise AssertionError("practicectl timed out after %.0f s: %s"
                             % (timeout, " ".join(cmd)))
    for mark in SANITIZER_MARKS:
        assert mark not in r.stderr, "sanitizer report from practicectl %s:\n%s" % (
            " ".join(cmd[1:]), r.stderr)
    if check:
        assert r.returncode == 0, "practicectl %s -> exit %d\nstderr: %s\nstdout: %s" % (
            " ".join(cmd[1:]), r.returncode, r.stderr.strip(), r.stdout[:2000])
    out = r.stdout
    if json:
        try:
            out = jsonmod.loads(r.stdout)
        except ValueError:
            if r.returncode == 0:
                raise AssertionError("practicectl --json %s printed no JSON: %r"
                                     % (" ".join(cmd[1:]), r.stdout[:2000]))
    return r.returncode, out, r.stderr


# --------------------------------------------------------------------------
# Fixtures.

@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="pdtest-")
    os.chmod(d, 0o755)      # the test users must reach the socket
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def make_practice(workdir):
    """Factory: make_practice(**settings) -> a started Practice in its own
    directory.  All are stopped (SIGTERM, exit 0 asserted) at teardown."""
    made = []

    def make(start=True, **kw):
        root = os.path.join(workdir, "p%d" % len(made))
        os.mkdir(root)
        os.chmod(root, 0o755)
        p = Practice(root, **kw)
        made.append(p)
        if start:
            p.start()
        return p

    yield make
    errors = []
    for p in made:
        try:
            p.stop()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


@pytest.fixture
def practice(make_practice):
    return make_practice()


@pytest.fixture
def practice_at(make_practice):
    """Factory: practice_at("2026-03-07 14:00[:SS]", tz=TZ, running=False,
    **settings) -> a started Practice whose daemon runs on a clock the test
    sets: p.clock.set("2026-03-07 23:59:59"), p.clock.advance(hours=6).
    The time is read in tz (default: the practice's zone)."""
    def make(when, tz=None, running=False, **kw):
        return make_practice(clock_at=when, clock_tz=tz, clock_running=running,
                             **kw)
    return make


def _module_dir():
    d = tempfile.mkdtemp(prefix="pdtest-")
    os.chmod(d, 0o755)
    return d


@pytest.fixture(scope="module")
def module_practice():
    """One daemon shared by the tests of a module that do not need a fresh
    database (they compare before and after instead)."""
    d = _module_dir()
    p = Practice(d)
    try:
        p.start()
        yield p
        p.stop()
    finally:
        p.kill()
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def module_clinic():
    """A seeded practice shared by the tests of a module."""
    d = _module_dir()
    p = Practice(d)
    try:
        p.start()
        yield seed_practice(p)
        p.stop()
    finally:
        p.kill()
        shutil.rmtree(d, ignore_errors=True)


class Seed:
    """Ids and dates of a seeded practice."""


def seed_practice(p):
    """Two clinicians (Mon-Fri 09:00-17:00), one with daily hours, two
    clients, a 50+10 service, a 30+0 service, two rooms.  Made through the
    HTTP API (fast); the tests themselves go through practicectl."""
    s = Seed()
    s.p = p
    s.monday = future_monday()
    s.tuesday = s.monday + dt.timedelta(days=1)
    s.saturday = s.monday + dt.timedelta(days=5)

    def add(kind, body):
        status, out = p.api("POST", "/v1/%ss" % kind, body)
        assert status == 201, (kind, body, status, out)
        return out[kind]["id"]

    def hours(cid, spec):
        status, out = p.api("PUT", "/v1/clinicians/%d/hours" % cid, {"hours": spec})
        assert status == 200, (spec, status, out)

    s.ana = add("clinician", {"name": "Ana Ruiz", "email": "ana@example.org"})
    s.ben = add("clinician", {"name": "Ben Okafor"})
    s.pat = add("clinician", {"name": "Pat Quinn"})
    hours(s.ana, "mon-fri 09:00-17:00")
    hours(s.ben, "mon-fri 09:00-17:00")
    hours(s.pat, "daily 00:00-23:59")
    s.jordan = add("client", {"name": "Jordan Lee", "email": "jordan@example.org"})
    s.sam = add("client", {"name": "Sam Park", "phone": "+15555550123"})
    s.svc = add("service", {"name": "Individual session", "minutes": 50, "buffer": 10})
    s.short = add("service", {"name": "Check-in", "minutes": 30})
    s.room1 = add("room", {"name": "Room 1"})
    s.room2 = add("room", {"name": "Room 2"})
    return s


@pytest.fixture
def clinic(practice):
    return seed_practice(practice)


def read_pty(master):
    """All a child writes to the pty whose master this is, until it closes
    its side (the master is closed here)."""
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:         # EIO: the child closed its side
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    return got


def book(p, client, clinician, service, when, *extra, user=None, check=True):
    """practicectl book ...; returns (rc, out, err)."""
    return p.ctl("book", "--client", client, "--clinician", clinician,
                 "--service", service, "--at", when, *extra, user=user, check=check)


def audit_entries(p, user=None):
    _, out, _ = p.ctl("audit", "--limit", "1000", user=user)
    return out["audit"]


def refused(p, *args, user=None, codes=(1,), zone=None):
    """Run a ctl command that the daemon must refuse: exit 1 and one line
    "practicectl: MESSAGE" on stderr.  Returns the stderr text."""
    rc, out, err = p.ctl(*args, check=False, user=user, zone=zone)
    assert rc in codes, "expected a refusal (exit %s) for %r, got %d: %r %r" % (
        "/".join(map(str, codes)), args, rc, out, err)
    if rc == 1:
        lines = [l for l in err.splitlines() if l.strip()]
        assert len(lines) == 1 and lines[0].startswith("practicectl: "), (
            "a refusal should be one line 'practicectl: MESSAGE' on stderr: %r" % err)
    return err


# --------------------------------------------------------------------------
# No silent skips: a skipped test fails the run, and the count is printed.

_SKIPPED = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        where = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        _SKIPPED.append("%s: %s" % (report.nodeid, where))


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line("e2e: %d skipped (must be 0)" % len(_SKIPPED))
    for line in _SKIPPED:
        terminalreporter.write_line("  skipped: " + line)


def pytest_sessionfinish(session, exitstatus):
    if _SKIPPED and session.exitstatus == 0:
        session.exitstatus = 1
