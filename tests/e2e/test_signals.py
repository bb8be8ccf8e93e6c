"""Signals and restarts: SIGHUP reload (good and bad files), SIGTERM, and
data that survives a restart or a crash."""

import os
import signal
import sqlite3
import subprocess
import threading
import time

from conftest import PRACTICED, at, audit_entries, book


def wait_for(pred, timeout=5.0, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            return v
        time.sleep(step)


def accepted(p):
    """Wait until the connections opened so far are accepted: the listener
    accepts its backlog in order, so once a later connection has been
    served, the earlier ones are the daemon's."""
    assert p.ctl("status")[1]["practice"]["name"]


def practice_name(p):
    return p.ctl("status")[1]["practice"]["name"]


def test_sighup_reloads_config(practice):
    p = practice
    assert practice_name(p) == "Test Practice"
    p.write_config(name="Renamed Practice", late_cancel_hours=12)
    p.signal(signal.SIGHUP)
    assert wait_for(lambda: practice_name(p) == "Renamed Practice"), (
        "name not reloaded; log:\n%s" % p.log())
    st = p.ctl("status")[1]
    assert st["practice"]["late_cancel_hours"] == 12
    assert p.alive()


def test_sighup_with_broken_file_keeps_old_config(practice):
    p = practice
    good = p.config_text()
    lines = p.config_text(name="Half Applied").splitlines()
    lines.insert(lines.index("[practice]") + 2, "this line has no equals sign")
    bad_line = lines.index("this line has no equals sign") + 1
    p.write_config(text="\n".join(lines) + "\n")
    p.signal(signal.SIGHUP)
    where = "practiced.conf:%d" % bad_line
    assert wait_for(lambda: where in p.log()), (
        "the refused reload should be logged with %s; log:\n%s" % (where, p.log()))
    assert p.alive()
    st = p.ctl("status")[1]
    assert st["practice"]["name"] == "Test Practice"
    assert st["practice"]["late_cancel_hours"] == 24

    # a later good file is still taken
    p.write_config(text=good.replace("name = Test Practice", "name = Fixed Practice"))
    p.signal(signal.SIGHUP)
    assert wait_for(lambda: practice_name(p) == "Fixed Practice"), p.log()


def test_sighup_with_unknown_timezone_keeps_old_config(practice):
    p = practice
    p.write_config(text=p.config_text(name="Elsewhere", timezone="Nowhere/Nothing"))
    p.signal(signal.SIGHUP)
    assert wait_for(lambda: "Nowhere/Nothing" in p.log()), p.log()
    st = p.ctl("status")[1]
    assert st["practice"]["name"] == "Test Practice"
    assert st["practice"]["timezone"] == "America/New_York"


def test_sigterm_exits_0_and_removes_socket(practice):
    p = practice
    assert os.path.exists(p.sock)
    assert p.stop() == 0
    assert not os.path.exists(p.sock), "the socket file was left behind"


def test_sigterm_under_load(clinic):
    s, p = clinic, clinic.p
    stop = threading.Event()
    results = [[] for _ in range(4)]

    def worker(i, args):
        while not stop.is_set():
            rc, out, err = p.ctl(*args, check=False, timeout=15)
            results[i].append((rc, err))
            if rc != 0:
                return

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate((
        ("status",), ("list", "--week", s.monday.isoformat()),
        ("clinician", "list"), ("client", "list")))]
    for t in threads:
        t.start()
    try:
        # under load: every worker has been served twice
        assert wait_for(lambda: all(len([r for r in rs if r[0] == 0]) >= 2
                                    for rs in results), timeout=30), results
        assert p.stop() == 0
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    for rs in results:
        # each worker: served until the socket is gone, then "cannot
        # connect" (exit 3, naming the socket); no refusal, no crash
        codes = [rc for rc, _ in rs]
        assert codes[:2] == [0, 0], rs[:3]
        served = codes.index(3) if 3 in codes else len(codes)
        assert codes[:served] == [0] * served and codes[served:] in ([], [3]), rs
        for rc, err in rs[served:]:
            assert err.startswith("practicectl: ") and p.sock in err, err
    assert not os.path.exists(p.sock)


def snapshot(p, s):
    return {
        "clinicians": p.ctl("clinician", "list", "--all")[1],
        "clients": p.ctl("client", "list", "--all")[1],
        "services": p.ctl("service", "list")[1],
        "rooms": p.ctl("room", "list")[1],
        "week": p.ctl("list", "--week", s.monday.isoformat())[1],
        "audit": audit_entries(p),
        "counts": p.ctl("status")[1]["counts"],
    }


def test_restart_keeps_all_data(clinic):
    s, p = clinic, clinic.p
    a1 = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)[1]["appointment"]
    a2 = book(p, s.sam, s.ben, s.svc, at(s.tuesday, "11:00"))[1]["appointment"]
    p.ctl("cancel", a2["id"], "--by", "client", "--reason", "flu")
    p.ctl("move", a1["id"], "--at", at(s.monday, "14:00"))
    before = snapshot(p, s)
    assert p.stop() == 0
    p.start()
    after = snapshot(p, s)
    assert after == before
    a = p.ctl("show", a1["id"])[1]["appointment"]
    assert a["local_start"] == s.monday.isoformat() + " 14:00" and a["version"] == 2
    b = p.ctl("show", a2["id"])[1]["appointment"]
    assert (b["state"], b["cancelled_by"], b["cancel_reason"]) == ("cancelled", "client", "flu")


def test_crash_keeps_committed_data_and_restarts_over_stale_socket(clinic):
    s, p = clinic, clinic.p
    a = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))[1]["appointment"]
    p.kill()                                    # SIGKILL: no cleanup at all
    p.start()
    assert p.ctl("show", a["id"])[1]["appointment"] == a
    assert [c["name"] for c in p.ctl("client", "list")[1]["clients"]] == ["Jordan Lee", "Sam Park"]


def test_second_daemon_on_same_socket_refused(practice):
    p = practice
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    second = subprocess.Popen([PRACTICED, "-d", "-f", p.conf], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = second.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        second.kill()
        second.communicate()
        raise AssertionError("a second practiced on the same socket kept running")
    assert second.returncode != 0
    assert err.strip(), "the second daemon should say why it refused"
    # the first one still owns the socket
    assert os.path.exists(p.sock)
    assert p.ctl("status")[1]["practice"]["name"] == "Test Practice"


def test_sighup_reloads_access_and_timezone(practice):
    p = practice
    rc, _, err = p.ctl("status", user="pdtest-none", check=False)
    assert rc == 1 and "permission denied" in err
    p.write_config(access={"admin": "pdtest-admin", "staff": "pdtest-staff",
                           "readonly": "pdtest-ro,pdtest-none"},
                   timezone="Europe/London")
    p.signal(signal.SIGHUP)

    def reloaded():
        rc, out, _ = p.ctl("status", user="pdtest-none", check=False)
        return rc == 0 and out["you"]["role"] == "readonly"
    assert wait_for(reloaded), p.log()
    st = p.ctl("status")[1]
    assert st["practice"]["timezone"] == "Europe/London"
    assert p.ctl("list")[1]["tz"] == "Europe/London"


def test_sigterm_finishes_a_request_in_flight(practice):
    """A request half received when SIGTERM arrives is still answered."""
    from conftest import read_http_response
    p = practice
    c = p.connect()
    try:
        c.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")
        accepted(p)
        p.signal(signal.SIGTERM)
        assert wait_for(lambda: not os.path.exists(p.sock)), (
            "SIGTERM did not remove the socket; log:\n%s" % p.log())
        c.sendall(b"Connection: close\r\n\r\n")
        r = read_http_response(c, timeout=10)
        assert r is not None, "the request in flight got no answer"
        assert r.status == 200, r
    finally:
        c.close()
    assert p.stop() == 0


def test_sigterm_with_idle_client_still_exits(practice):
    p = practice
    c = p.connect()
    try:
        accepted(p)
        t0 = time.monotonic()
        assert p.stop() == 0
        assert time.monotonic() - t0 < 12, "an idle client held up the exit"
    finally:
        c.close()


# --------------------------------------------------------- systemd, paths

STATES = ("READY=1", "RELOADING=1", "STOPPING=1")


def states(p, got):
    """Collect sd_notify states (one per datagram line) into got."""
    for msg in p.notifications():
        got += [l for l in msg.split("\n") if l in STATES]
    return got


def test_systemd_told_of_reloads_and_stop(practice):
    """Type=notify: RELOADING=1 then READY=1 around each SIGHUP, refused or
    not, and STOPPING=1 on SIGTERM (READY=1 at start is checked by
    Practice.start)."""
    p = practice
    assert states(p, []) == []
    p.write_config(name="Renamed Practice")
    p.signal(signal.SIGHUP)
    got = []
    assert wait_for(lambda: len(states(p, got)) >= 2), (got, p.log())
    assert got == ["RELOADING=1", "READY=1"]
    assert practice_name(p) == "Renamed Practice"
    # a refused reload: the daemon is ready again with the old file
    p.write_config(text=p.config_text() + "no equals here\n")
    p.signal(signal.SIGHUP)
    got = []
    assert wait_for(lambda: len(states(p, got)) >= 2), (got, p.log())
    assert got == ["RELOADING=1", "READY=1"]
    p.signal(signal.SIGTERM)
    p.proc.wait(timeout=15)
    assert states(p, []) == ["STOPPING=1"]
    assert p.stop() == 0


def test_sighup_path_changes_logged_as_needing_a_restart(practice):
    p = practice
    before = p.log()
    text = p.config_text(name="Moved Practice")
    text = text.replace("database = %s" % p.db, "database = %s" % p.db + ".other")
    text = text.replace("socket = %s" % p.sock, "socket = %s" % p.sock + ".other")
    p.write_config(text=text)
    p.signal(signal.SIGHUP)
    assert wait_for(lambda: practice_name(p) == "Moved Practice"), p.log()
    new = p.log()[len(before):]
    lines = [l for l in new.splitlines() if "restart" in l]
    assert any("database" in l for l in lines), new
    assert any("socket" in l and "socket_group" not in l for l in lines), new
    # the running paths stay
    st = p.ctl("status")[1]
    assert st["database"] == p.db
    assert os.path.exists(p.sock) and not os.path.exists(p.sock + ".other")
    assert not os.path.exists(p.db + ".other")


def test_database_with_a_newer_schema_refused(practice):
    p = practice
    p.ctl("client", "add", "Schema Check")
    assert p.stop() == 0
    con = sqlite3.connect(p.db)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    r = subprocess.run([PRACTICED, "-d", "-f", p.conf], capture_output=True, text=True,
                       timeout=10, stdin=subprocess.DEVNULL, env=env)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "99" in r.stderr and "newer" in r.stderr, r.stderr
    assert not os.path.exists(p.sock)
    con = sqlite3.connect(p.db)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 99
        assert con.execute("SELECT count(*) FROM clients").fetchone()[0] == 1
    finally:
        con.close()
