"""The HTTP layer under the control socket: its refusals in JSON, request
framing, query parameters, slow clients, running out of descriptors, the
listen queue, and a socket removed while the daemon runs."""

import errno
import grp
import os
import pwd
import resource
import shutil
import signal
import socket
import stat
import threading
import time

import pytest

from conftest import GROUP, read_http_response


def wait_for(cond, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(interval)


def raw(p, data, timeout=10.0):
    """Send raw bytes; the response, or None if closed without one."""
    s = p.connect(timeout)
    try:
        try:
            s.sendall(data)
            return read_http_response(s, timeout)
        except (ConnectionResetError, BrokenPipeError):
            return None
    finally:
        s.close()


def json_error(resp, status, code):
    assert resp is not None, "closed without an answer"
    assert resp.status == status, resp
    assert resp.headers.get("content-type", "").startswith("application/json"), resp
    err = resp.json()["error"]
    assert err["code"] == code, err
    assert err["message"].strip(), err
    return err


def status_ok(p, within=10.0):
    t0 = time.monotonic()
    rc, out, err = p.ctl("status", check=False, timeout=within + 20)
    took = time.monotonic() - t0
    assert rc == 0, "status failed (%d): %s\nlog:\n%s" % (rc, err, p.log()[-3000:])
    assert took < within, "status took %.1f s" % took
    return out


def clients(p):
    return p.ctl("client", "list", "--all")[1]["clients"]


@pytest.fixture
def daemon(module_practice):
    return module_practice


# ------------------------------------------------ evhttp's refusals, in JSON

def test_body_over_the_limit_is_a_json_413(daemon):
    p = daemon
    req = (b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n{\"name\": \"x" % (1 << 20))
    err = json_error(raw(p, req), 413, "too_large")
    assert "65536" in err["message"], err
    assert clients(p) == []
    status_ok(p)


@pytest.mark.parametrize("req", [
    b"GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 10000 + b"\r\n\r\n",
    b"GET /v1/status HTTP/1.1\r\nNoColonHere\r\n\r\n",
    b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"GARBAGE\r\n\r\n",
], ids=["long-header", "no-colon", "negative-length", "garbage"])
def test_malformed_http_is_a_json_400(daemon, req):
    p = daemon
    json_error(raw(p, req), 400, "bad_request")
    status_ok(p)


def test_unhandled_method_is_a_json_405(daemon):
    r = raw(daemon, b"TRACE /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    json_error(r, 405, "method_not_allowed")


def test_head_answer_has_no_body(daemon):
    r = raw(daemon, b"HEAD /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert r is not None and r.status == 405, r
    assert r.body == b"", "a body after a HEAD's headers: %r" % r.body


# ------------------------------------------------------------ framing

@pytest.mark.parametrize("lengths", [(14, 2), (2, 14), (14, 14)])
def test_two_content_lengths_refused(daemon, lengths):
    p = daemon
    body = b'{"name":"Sam"}'
    head = b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    for n in lengths:
        head += b"Content-Length: %d\r\n" % n
    err = json_error(raw(p, head + b"\r\n" + body), 400, "bad_request")
    assert "Content-Length" in err["message"], err
    assert clients(p) == []


def test_content_length_with_chunked_refused(daemon):
    p = daemon
    req = (b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\n"
           b"Transfer-Encoding: chunked\r\n\r\ne\r\n{\"name\":\"Sam\"}\r\n0\r\n\r\n")
    json_error(raw(p, req), 400, "bad_request")
    assert clients(p) == []


# ------------------------------------------------------------ the query

@pytest.mark.parametrize("path,name", [
    ("/v1/clients?bogus=1", "bogus"),
    ("/v1/clients?all=1&q=jo&limt=5", "limt"),
    ("/v1/status?all=1", "all"),
    ("/v1/appointments?week=today&clinican=ana", "clinican"),
    ("/v1/clinicians/1?all=1", "all"),
])
def test_unknown_query_parameter_refused(daemon, path, name):
    st, out = daemon.api("GET", path)
    assert st == 400 and out["error"]["code"] == "bad_request", (st, out)
    assert '"%s"' % name in out["error"]["message"], out


def test_query_on_a_change_refused(daemon):
    p = daemon
    st, out = p.api("POST", "/v1/clients?tz=UTC", {"name": "Query Person"})
    assert st == 400 and out["error"]["code"] == "bad_request", (st, out)
    assert '"tz"' in out["error"]["message"], out
    assert clients(p) == []


def test_known_query_parameters_still_work(daemon):
    p = daemon
    for path in ("/v1/clients?all=1&q=jo&tz=UTC", "/v1/status?tz=Europe/Paris",
                 "/v1/clients?q=%C3%A9l%F0%9F%99%82+x",
                 "/v1/appointments?day=today&state=booked", "/v1/audit?limit=5"):
        st, out = p.api("GET", path)
        assert st == 200, (path, st, out)


@pytest.mark.parametrize("query", [
    "tz=UTC%00x",           # a NUL cut the value to "UTC"
    "tz=UTC%0Ax",
    "tz=%zzUTC",            # a broken escape
    "tz=UTC%",
    "tz=%ff%fe",            # not UTF-8
    "tz=%c0%af",            # overlong
    "tz=%ed%a0%80",         # a surrogate
    "tz=%e2%82",            # cut short
    "tz",                   # no value
    "tz=UTC&tz=Europe/Paris",
])
def test_undecodable_query_refused(daemon, query):
    st, out = daemon.api("GET", "/v1/status?" + query)
    assert st == 400 and out["error"]["code"] == "bad_request", (query, st, out)


# --------------------------------------------------------- slow clients

def _fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def _sockets(pid):
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            n += os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:")
        except FileNotFoundError:
            pass
    return n


def test_slow_clients_do_not_shut_others_out(make_practice):
    """max_connections clients sending a byte a second held every slot
    for as long as they liked; each request now has request_timeout
    seconds to arrive whole."""
    p = make_practice(daemon_extra={"max_connections": 2, "request_timeout": 3})
    stop = threading.Event()
    closed = {}

    def trickle(i, s):
        data = b"GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
        t0 = time.monotonic()
        for b in data:
            if stop.is_set():
                return
            try:
                s.send(bytes([b]))
            except OSError:
                closed[i] = time.monotonic() - t0
                return
            stop.wait(1.0)

    socks = [p.connect() for _ in range(2)]
    threads = [threading.Thread(target=trickle, args=(i, s)) for i, s in enumerate(socks)]
    for t in threads:
        t.start()
    try:
        # the listening socket and the two slow clients
        wait_for(lambda: _sockets(p.pid) >= 3, 5, "the slow clients to be accepted")
        status_ok(p, within=10)
        for s in socks:
            s.settimeout(10)
            try:
                got = s.recv(100)
            except ConnectionResetError:    # closed with its bytes unread
                got = b""
            assert got == b"", "a slow client got an answer: %r" % got
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        for s in socks:
            s.close()
    status_ok(p)


# ------------------------------------------------- running out of descriptors

def _cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _connect_many(p, n):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        rc = s.connect_ex(p.sock)
        if rc != 0:
            s.close()
            break
        socks.append(s)
    return socks


def _calm(p, what):
    """The daemon idles (no busy loop) and has logged at most one line
    about it."""
    c0 = _cpu_seconds(p.pid)
    time.sleep(1.0)                     # a measurement window, not a wait
    used = _cpu_seconds(p.pid) - c0
    assert used < 0.3, "practiced used %.2f s of CPU in 1 s %s" % (used, what)
    lines = [l for l in p.log().splitlines() if "Too many open files" in l]
    assert len(lines) <= 1, "%d log lines about EMFILE %s, first: %r" % (
        len(lines), what, lines[:2])
    return lines


def test_descriptor_limit_at_start_caps_connections(make_practice):
    p = make_practice(start=False)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (48, hard))
    try:
        p.start()           # inherits the low limit
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    socks = _connect_many(p, 100)
    try:
        assert len(socks) == 100
        _calm(p, "with 100 connections and 48 descriptors")
    finally:
        for s in socks:
            s.close()
    status_ok(p)
    assert "max_connections 64 lowered to" in p.log()


def test_accept_out_of_descriptors_backs_off(make_practice):
    """The limit drops below what the cap assumed (prlimit on the running
    daemon): accept() fails with EMFILE; the daemon pauses, logs once,
    and serves again once descriptors are free."""
    p = make_practice()
    limits = resource.prlimit(p.pid, resource.RLIMIT_NOFILE)
    resource.prlimit(p.pid, resource.RLIMIT_NOFILE, (_fds(p.pid) + 2, limits[1]))
    socks = _connect_many(p, 20)
    try:
        assert len(socks) == 20
        wait_for(lambda: "Too many open files" in p.log(), 5, "accept() to fail")
        lines = _calm(p, "while accept() fails with EMFILE")
        assert len(lines) == 1
    finally:
        for s in socks:
            s.close()
        resource.prlimit(p.pid, resource.RLIMIT_NOFILE, limits)
    status_ok(p)
    assert p.alive()


# ----------------------------------------------------------- the listen queue

def test_burst_of_128_connects_is_not_refused(make_practice):
    p = make_practice(daemon_extra={"max_connections": 8})
    socks = []
    try:
        for i in range(128):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            rc = s.connect_ex(p.sock)
            socks.append(s)
            assert rc == 0, "connect %d of 128 refused: %s" % (i + 1, errno.errorcode.get(rc, rc))
        for s in socks:
            s.setblocking(True)
            s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        for s in socks:
            r = read_http_response(s, timeout=20)
            assert r is not None and r.status == 200, r
            s.close()
    finally:
        for s in socks:
            s.close()


# -------------------------------------------------- the socket taken away

def _socket_ok(p):
    try:
        st = os.lstat(p.sock)
    except FileNotFoundError:
        return False
    return stat.S_ISSOCK(st.st_mode)


def _check_socket(p):
    st = os.lstat(p.sock)
    assert stat.S_IMODE(st.st_mode) == 0o660, oct(st.st_mode)
    assert st.st_gid == grp.getgrnam(GROUP).gr_gid
    status_ok(p)


def test_socket_removed_is_made_again(practice):
    p = practice
    os.unlink(p.sock)
    wait_for(lambda: _socket_ok(p), 10, "the socket to be made again")
    _check_socket(p)
    assert "was removed" in p.log()


def test_socket_folder_removed_is_made_again(make_practice):
    p = make_practice(start=False)
    run = os.path.join(p.root, "run")
    os.mkdir(run)
    os.chmod(run, 0o755)
    p.sock = os.path.join(run, "practiced.sock")
    p.write_config()
    p.start()
    shutil.rmtree(run)
    wait_for(lambda: _socket_ok(p), 10, "the socket and its folder to be made again")
    st = os.stat(run)       # as the shipped units make it
    assert stat.S_IMODE(st.st_mode) == 0o750, oct(st.st_mode)
    assert st.st_gid == grp.getgrnam(GROUP).gr_gid
    _check_socket(p)
    # and a user with a role still reaches it
    rc, out, err = p.ctl("status", user="pdtest-ro")
    assert out["you"]["role"] == "readonly"
    # the folder made again is watched again: a second removal is seen too
    shutil.rmtree(run)
    wait_for(lambda: _socket_ok(p), 10, "the socket to be made a second time")
    _check_socket(p)
    assert p.log().count("was removed: making the socket again") == 2, p.log()
    assert "inotify is not available" not in p.log()


# ------------------------------------------- who is asking, looked up once

CACHE_USER = "pdtest-cache"
CACHE_GROUP = "pdtest-cacheg"


def _cache_user():
    from conftest import _run_admin
    try:
        grp.getgrnam(CACHE_GROUP)
    except KeyError:
        _run_admin(["groupadd", "--system", CACHE_GROUP])
    try:
        pwd.getpwnam(CACHE_USER)
    except KeyError:
        # its primary group opens the socket; CACHE_GROUP will make it staff
        _run_admin(["useradd", "--system", "--no-create-home", "--shell",
                    "/usr/sbin/nologin", "-g", GROUP, CACHE_USER])
    _run_admin(["usermod", "-G", "", CACHE_USER])


def test_groups_are_looked_up_once_until_sighup(make_practice):
    """The user and group databases are read once a uid, not on every
    request: a new group membership counts from the next reload."""
    if os.geteuid() != 0:
        pytest.fail("this test adds a user and a group: run it as root")
    _cache_user()
    p = make_practice(access={"admin": "pdtest-admin", "staff": CACHE_GROUP})
    try:
        rc, _, err = p.ctl("status", user=CACHE_USER, check=False)
        assert rc == 1 and "permission denied" in err, err
        from conftest import _run_admin
        _run_admin(["usermod", "-a", "-G", CACHE_GROUP, CACHE_USER])
        rc, _, err = p.ctl("status", user=CACHE_USER, check=False)
        assert rc == 1 and "permission denied" in err, (
            "the role was looked up again before any reload: %r" % err)
        p.signal(signal.SIGHUP)

        def staff():
            rc, out, _ = p.ctl("status", user=CACHE_USER, check=False)
            return rc == 0 and out["you"]["role"] == "staff"
        wait_for(staff, 10, "the reload to give the new group's role")
    finally:
        _cache_user()


def _exits(p, timeout=10):
    try:
        rc = p.proc.wait(timeout=timeout)
    except Exception:
        raise AssertionError("practiced kept running; log:\n%s" % p.log())
    p.stop(check=False)     # collect it
    p.assert_clean_log()
    return rc


def test_socket_replaced_by_a_file_exits_loudly(practice):
    p = practice
    os.unlink(p.sock)
    with open(p.sock, "w") as f:
        f.write("not a socket\n")
    assert _exits(p) == 1
    assert "was replaced" in p.log(), p.log()
    with open(p.sock) as f:
        assert f.read() == "not a socket\n"     # left alone


def test_socket_that_cannot_be_made_again_exits_loudly(make_practice):
    p = make_practice(start=False)
    top = os.path.join(p.root, "run")
    os.makedirs(os.path.join(top, "sub"))
    p.sock = os.path.join(top, "sub", "practiced.sock")
    p.write_config()
    p.start()
    shutil.rmtree(top)      # the folder's parent too: not made again
    assert _exits(p) == 1
    assert "no one can reach this daemon" in p.log(), p.log()
