"""The daemon as a process: one daemon a database, a database it cannot
write, the modes of its files, dates it will not compute, reloads that
would lock everyone out, and configuration bytes it must see."""

import grp
import os
import pwd
import select
import signal
import socket
import stat
import subprocess
import time

import pytest

from conftest import (GROUP, PRACTICED, USER_ADMIN, Practice, at, book,
                      practiced_for_others,
                      refused, today)


def wait_for(pred, timeout=10.0, step=0.02):
    """Poll a condition (the daemon's state is only seen from outside)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def last_year():
    return today().year + 20


# --------------------------------------------------------------------------
# Far dates: a window from 1970 to 20 years ahead, said in the refusal.

def test_far_dates_are_refused_with_the_window(clinic):
    s, p = clinic, clinic.p
    window = "1970-01-01 to %d-12-31" % last_year()
    far = "2999-12-25"
    cases = [
        ("slots", "--clinician", s.pat, "--service", s.svc, "--from", far,
         "--days", "31"),
        ("list", "--day", far),
        ("list", "--from", "2026-01-01", "--to", far),
        ("list", "--day", "1969-12-31"),
        ("book", "--client", s.jordan, "--clinician", s.pat, "--service", s.svc,
         "--at", far + " 10:00", "--force"),
        ("closure", "add", far, "Far", "away"),
        ("report", "attendance", "--from", "2026-01-01", "--to", far),
        ("audit", "--since", far),
    ]
    # Refused where the date is parsed: before this bound, slots from 2999
    # held the loop past the ctl's read timeout (no timing asserted here;
    # bench_stall measures it).
    for args in cases:
        err = refused(p, *args)
        assert window in err, (args, err)
    # the edges of the window are taken
    edge = "%d-12-31" % last_year()
    assert p.ctl("list", "--day", edge)[1]["appointments"] == []
    assert p.ctl("list", "--day", "1970-01-01")[1]["appointments"] == []
    out = p.ctl("slots", "--clinician", s.pat, "--service", s.svc, "--from",
                edge, "--days", "1")[1]
    assert out["slots"], out
    status, out = p.api("GET", "/v1/status")
    assert status == 200


def test_far_date_in_a_body_is_refused(clinic):
    s, p = clinic, clinic.p
    status, out = p.api("POST", "/v1/appointments", {
        "client": str(s.jordan), "clinician": str(s.pat), "service": str(s.svc),
        "at": "2999-12-25 10:00", "force": True})
    assert status == 400 and out["error"]["code"] == "bad_request", out
    assert "%d-12-31" % last_year() in out["error"]["message"], out
    a = book(clinic.p, s.jordan, s.pat, s.svc, at(s.monday, "10:00"))[1]["appointment"]
    status, out = p.api("POST", "/v1/appointments/%d/move" % a["id"],
                        {"at": "2999-12-25 10:00", "force": True})
    assert status == 400 and out["error"]["code"] == "bad_request", out


# --------------------------------------------------------------------------
# One daemon a database.

def stale_socket(path):
    """A socket file nobody listens on, as a crash leaves it."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()


def spawn(p, tag):
    """A daemon on p's config with its own notify socket; returns
    (proc, notify socket)."""
    npath = os.path.join(p.root, "notify-%s.sock" % tag)
    if os.path.exists(npath):
        os.unlink(npath)
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(npath)
    env = dict(os.environ, NOTIFY_SOCKET=npath)
    proc = subprocess.Popen([PRACTICED, "-d", "-f", p.conf], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return proc, ns


def wait_ready_or_exit(procs, timeout=15.0):
    """For each (proc, ns): "ready" once READY=1 came, "exited" once it
    exited without it.  Waits until every one is one or the other."""
    state = {}
    deadline = time.monotonic() + timeout
    while len(state) < len(procs) and time.monotonic() < deadline:
        for i, (proc, ns) in enumerate(procs):
            if i in state:
                continue
            r, _, _ = select.select([ns], [], [], 0.01)
            if r and b"READY=1" in ns.recv(4096).split(b"\n"):
                state[i] = "ready"
            elif proc.poll() is not None:
                state[i] = "exited"
    return [state.get(i, "neither") for i in range(len(procs))]


def test_two_daemons_started_together_one_wins(make_practice):
    p = make_practice(start=False)
    for trial in range(20):
        if not os.path.exists(p.sock):
            stale_socket(p.sock)
        pair = [spawn(p, "a"), spawn(p, "b")]
        try:
            states = wait_ready_or_exit(pair)
            assert sorted(states) == ["exited", "ready"], (trial, states)
            win, lose = (pair[0][0], pair[1][0]) if states[0] == "ready" else (
                pair[1][0], pair[0][0])
            _, err = lose.communicate(timeout=10)
            assert lose.returncode == 1, (trial, lose.returncode, err)
            err = err.decode()
            assert "another practiced (pid %d) is using %s" % (win.pid, p.db) in err, (
                trial, err)
            # the loser touched nothing: the winner's socket answers
            assert os.path.exists(p.sock), trial
            status, out = p.api("GET", "/v1/status", timeout=5)
            assert status == 200, (trial, status, out)
            win.send_signal(signal.SIGTERM)
            assert win.wait(timeout=15) == 0, trial
            assert not os.path.exists(p.sock), trial
        finally:
            for proc, ns in pair:
                if proc.poll() is None:
                    proc.kill()
                proc.communicate()
                ns.close()


def test_stopping_a_refused_daemon_leaves_the_first_alone(practice):
    """The lock is taken before the socket: a refused second daemon never
    unlinks (or even looks at) the running one's socket."""
    p = practice
    proc, ns = spawn(p, "second")
    try:
        _, err = proc.communicate(timeout=10)
    finally:
        ns.close()
    assert proc.returncode == 1
    assert "another practiced (pid %d)" % p.pid in err.decode(), err
    assert os.path.exists(p.sock)
    assert p.ctl("status")[1]["practice"]["name"] == "Test Practice"
    # the lock stays with the first daemon for its life
    with open(p.db + ".lock") as f:
        assert f.read().strip() == str(p.pid)


# --------------------------------------------------------------------------
# A database that cannot be written.

def start_as(p, user, timeout=15.0):
    """Run the daemon as `user` (not root: root writes a 0400 file).
    Returns (proc, state, notify socket): state "ready" or "exited"."""
    pw = pwd.getpwnam(user)
    os.chown(p.root, pw.pw_uid, pw.pw_gid)
    npath = os.path.join(p.root, "notify-user.sock")
    if os.path.exists(npath):
        os.unlink(npath)
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(npath)
    os.chmod(npath, 0o666)
    env = dict(os.environ, NOTIFY_SOCKET=npath, HOME="/")
    proc = subprocess.Popen([practiced_for_others(), "-d", "-f", p.conf],
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd="/", user=pw.pw_uid, group=pw.pw_gid,
                            extra_groups=[grp.getgrnam(GROUP).gr_gid])
    state = wait_ready_or_exit([(proc, ns)], timeout)[0]
    return proc, state, ns


def stop_proc(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    return proc.returncode, err.decode()


def test_read_only_database_refuses_to_start(make_practice):
    p = make_practice(start=False)
    proc, state, ns = start_as(p, USER_ADMIN)          # makes the database
    ns.close()
    assert state == "ready", stop_proc(proc)
    rc, err = stop_proc(proc)
    assert rc == 0, err
    os.chmod(p.db, 0o400)
    proc, state, ns = start_as(p, USER_ADMIN)
    ns.close()
    rc, err = stop_proc(proc)
    assert state == "exited" and rc == 1, (state, rc, err)
    assert "%s is read-only to practiced" % p.db in err, err
    assert not os.path.exists(p.sock), "a refused daemon leaves no socket"


def test_immutable_database_refuses_to_start(make_practice):
    """chattr +i binds root too."""
    p = make_practice()
    p.stop()
    r = subprocess.run(["chattr", "+i", p.db], capture_output=True, text=True)
    assert r.returncode == 0, "chattr +i %s: %s" % (p.db, r.stderr)
    try:
        with pytest.raises(AssertionError) as e:
            p.start()
        assert "exited 1 before READY=1" in str(e.value), e.value
        assert "%s is read-only to practiced (uid 0)" % p.db in p.log(), p.log()
    finally:
        subprocess.run(["chattr", "-i", p.db])


def test_status_says_whether_the_database_is_writable(make_practice):
    p = make_practice(start=False)
    proc, state, ns = start_as(p, USER_ADMIN)
    ns.close()
    try:
        assert state == "ready", stop_proc(proc)
        assert p.ctl("status")[1]["database_writable"] is True
        rc, out, _ = p.ctl("status", json=False)
        assert "READ-ONLY" not in out
        os.chmod(p.db, 0o400)
        assert p.ctl("status")[1]["database_writable"] is False
        rc, out, _ = p.ctl("status", json=False)
        assert "%s (READ-ONLY" % p.db in out, out
        os.chmod(p.db, 0o600)
        assert p.ctl("status")[1]["database_writable"] is True
    finally:
        rc, err = stop_proc(proc)
    assert rc == 0, err


# --------------------------------------------------------------------------
# Modes: the database and its -wal and -shm are the owner's only.

def test_database_files_are_0600_even_if_restored_0644(make_practice):
    p = make_practice()
    p.ctl("client", "add", "Jordan Lee")
    p.stop()
    os.chmod(p.db, 0o644)               # as `cp` with umask 022 leaves it
    p.start()
    p.ctl("client", "add", "Sam Park")  # the WAL is written
    for f in (p.db, p.db + "-wal", p.db + "-shm"):
        mode = stat.S_IMODE(os.stat(f).st_mode)
        assert mode == 0o600, "%s is %04o" % (f, mode)
    assert len(p.ctl("client", "list")[1]["clients"]) == 2


# --------------------------------------------------------------------------
# Reloads that would lock everyone out are refused, with the reason logged.

def test_sighup_with_an_empty_file_keeps_zone_and_access(practice):
    p = practice
    good = p.config_text()
    p.write_config(text="")                     # truncated mid-edit
    p.signal(signal.SIGHUP)
    assert wait_for(lambda: "sets no timezone" in p.log()), p.log()
    assert "reload refused, keeping the running configuration" in p.log()
    assert p.alive()
    st = p.ctl("status", user=USER_ADMIN)[1]       # access still holds
    assert st["practice"]["timezone"] == "America/New_York"
    assert st["you"]["role"] == "admin"
    assert p.ctl("status", user="pdtest-ro")[1]["you"]["role"] == "readonly"

    # a file that keeps the zone but drops every access rule
    p.write_config(text=good.split("[access]")[0].replace(
        "name = Test Practice", "name = No Access"))
    p.signal(signal.SIGHUP)
    assert wait_for(lambda: "grants no role in [access]" in p.log()), p.log()
    st = p.ctl("status", user=USER_ADMIN)[1]
    assert st["practice"]["name"] == "Test Practice"

    # a whole file is taken again
    p.write_config(text=good.replace("name = Test Practice", "name = Whole"))
    p.signal(signal.SIGHUP)
    assert wait_for(lambda: p.ctl("status")[1]["practice"]["name"] == "Whole"), p.log()


# --------------------------------------------------------------------------
# A NUL byte in the configuration is seen, with its line.

def test_nul_byte_in_config_is_refused(workdir):
    p = Practice(workdir)
    text = p.config_text().replace("name = Test Practice", "name = Test\0Practice")
    with open(p.conf, "w") as f:
        f.write(text)
    r = subprocess.run([PRACTICED, "-n", "-f", p.conf], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode != 0, r.stdout
    assert "practiced.conf:3: NUL byte in line" in r.stderr, r.stderr
