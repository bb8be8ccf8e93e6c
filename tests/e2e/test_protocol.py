"""Raw HTTP over the Unix socket: malformed and hostile clients.  After each
one the daemon must still answer promptly."""

import random
import socket
import threading
import time

import pytest

from conftest import TZ, read_http_response

PROMPT = 2.0        # seconds: "promptly"


def status_promptly(p, within=PROMPT):
    assert p.alive(), "practiced died; log:\n%s" % p.log()
    t0 = time.monotonic()
    rc, out, err = p.ctl("status", timeout=within + 10)
    took = time.monotonic() - t0
    assert out["practice"]["name"] == "Test Practice"
    assert took < within, "status took %.2f s" % took
    return out


def assert_json_error(resp, status, code=None):
    assert resp.status == status, resp
    assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers
    body = resp.json()
    err = body["error"]
    assert isinstance(err["message"], str) and err["message"].strip(), body
    if code:
        assert err["code"] == code, body
    return err


def answer(p, data, timeout=5.0, close_write=False):
    """send_and_read that fails on a hang: the daemon must answer or close."""
    try:
        return send_and_read(p, data, timeout=timeout, close_write=close_write)
    except socket.timeout:
        pytest.fail("practiced neither answered nor closed within %.0f s" % timeout)


def assert_too_large(r):
    """practiced(8) LIMITS: 413, whether an HTML page or a JSON error."""
    assert r is not None, "closed without the promised 413"
    assert r.status == 413, r
    if r.headers.get("content-type", "").startswith("application/json"):
        assert r.json()["error"]["code"] == "too_large", r


def assert_bad_request(r, status=400):
    assert r is not None, "closed without the promised %d" % status
    assert r.status == status, r
    if r.headers.get("content-type", "").startswith("application/json"):
        code = "too_large" if status == 413 else "bad_request"
        assert r.json()["error"]["code"] == code, r


def assert_still_open(s):
    """Nothing to read and no end of file on socket s."""
    s.setblocking(False)
    try:
        s.recv(1)
        raise AssertionError("the daemon closed an idle connection early")
    except BlockingIOError:
        pass
    finally:
        s.setblocking(True)


def send_and_read(p, data, timeout=5.0, close_write=False):
    """Send raw bytes, return the response or None if the daemon closed
    without one.  A reset counts as closed."""
    s = p.connect(timeout)
    try:
        try:
            s.sendall(data)
            if close_write:
                s.shutdown(socket.SHUT_WR)
        except (ConnectionResetError, BrokenPipeError):
            # The daemon answered and closed before we finished sending
            # (a refused body): its answer is still queued to be read.
            pass
        try:
            return read_http_response(s, timeout)
        except (ConnectionResetError, BrokenPipeError):
            return None
    finally:
        s.close()


@pytest.fixture
def daemon(module_practice):
    """The module's shared daemon: these tests leave no data behind."""
    return module_practice


def clients(p):
    return p.ctl("client", "list", "--all")[1]["clients"]


# ------------------------------------------------------------ well-formed

def test_status_over_raw_http(daemon):
    p = daemon
    r = p.http("GET", "/v1/status")
    assert r.status == 200, r
    assert r.headers.get("content-type", "").startswith("application/json")
    st = r.json()
    assert st["version"] == "0.1.0" and st["api"] == 1
    assert st["practice"] == {"name": "Test Practice", "timezone": TZ, "late_cancel_hours": 24}
    assert st["database"] == p.db
    assert st["you"] == {"uid": 0, "user": "root", "role": "admin"}
    assert isinstance(st["uptime_seconds"], int) and st["uptime_seconds"] >= 0
    assert st["started"].endswith("Z")
    assert set(st["counts"]) >= {"clinicians", "clients", "services", "rooms",
                                 "appointments", "upcoming"}


def test_keep_alive_serves_several_requests(daemon):
    p = daemon
    s = p.connect()
    try:
        for _ in range(3):
            s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
            r = read_http_response(s)
            assert r is not None and r.status == 200, r
    finally:
        s.close()


def test_slow_but_valid_client_is_served(daemon):
    p = daemon
    s = p.connect()
    try:
        for b in b"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n":
            s.send(bytes([b]))
            time.sleep(0.01)
        r = read_http_response(s)
        assert r.status == 200, r
    finally:
        s.close()


def test_concurrent_requests(daemon):
    p = daemon
    results = []

    def worker():
        for _ in range(15):
            results.append(p.http("GET", "/v1/status").status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [200] * 120


# ------------------------------------------------------------ bad requests

@pytest.mark.parametrize("body", [
    b'{"name": "Jo',            # truncated
    b'{name: "Jo"}',            # not JSON
    b'[1, 2]',                  # not an object
    b'"Jordan"',
    b'{"name": 5}',             # wrong type
    b'{}',                      # no name
    b'{"name": "A"} trailing',
    b'{"name": "\xff\xfe"}',    # invalid UTF-8
    b'{"name": "a\\u0000b"}',   # NUL inside a string
])
def test_malformed_body_400(daemon, body):
    p = daemon
    r = p.http("POST", "/v1/clients", body)
    assert_json_error(r, 400, "bad_request")
    assert clients(p) == []
    status_promptly(p)


def test_empty_body_400(daemon):
    r = daemon.http("POST", "/v1/clinicians", b"")
    assert_json_error(r, 400, "bad_request")


def test_unknown_path_404(daemon):
    p = daemon
    for path in ("/v1/nope", "/v2/status", "/", "/status", "/v1/clinicians/1/bogus"):
        r = p.http("GET", path)
        assert_json_error(r, 404, "not_found")


def test_wrong_method_405(daemon):
    p = daemon
    for method, path in (("DELETE", "/v1/status"), ("POST", "/v1/status"),
                         ("PUT", "/v1/clients"), ("DELETE", "/v1/clinicians"),
                         ("GET", "/v1/appointments/1/cancel")):
        r = p.http(method, path, b"{}" if method != "GET" else None)
        assert_json_error(r, 405, "method_not_allowed")


def test_oversized_body_refused(daemon):
    p = daemon
    body = b'{"name": "' + b"x" * (8 << 20) + b'"}'
    req = (b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)) + body
    r = answer(p, req, timeout=10)
    assert_too_large(r)
    assert clients(p) == []
    status_promptly(p)


def test_huge_declared_length_refused_without_waiting(daemon):
    p = daemon
    req = (b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: 1073741824\r\n\r\n{\"name\": \"x")
    t0 = time.monotonic()
    r = answer(p, req, timeout=5)
    assert_too_large(r)
    assert time.monotonic() - t0 < 5
    status_promptly(p)


def test_over_long_header_refused(daemon):
    p = daemon
    req = (b"GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 200000 +
           b"\r\nConnection: close\r\n\r\n")
    r = answer(p, req, timeout=10)
    assert_bad_request(r)
    status_promptly(p)


@pytest.mark.parametrize("kib", [1, 3])
def test_max_body_kib(make_practice, kib):
    """A body of max_body_kib KiB is read; one byte more is 413, and so is a
    Content-Length announcing it, answered without waiting for the body."""
    p = make_practice(daemon_extra={"max_body_kib": kib})
    limit = kib * 1024

    def post(n, send_body=True):
        body = b'{"name": "Pad %d"}' % n
        body += b" " * (n - len(body))
        req = (b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\nConnection: close\r\n\r\n" % n)
        return answer(p, req + (body if send_body else b""))

    r = post(limit)
    assert r.status == 201 and r.json()["client"]["name"] == "Pad %d" % limit, r
    assert_too_large(post(limit + 1))
    assert_too_large(post(limit + 1, send_body=False))
    assert [c["name"] for c in clients(p)] == ["Pad %d" % limit]
    status_promptly(p)


def test_over_long_strings_refused(clinic):
    s, p = clinic, clinic.p
    long = "x" * 10000
    for args in (["client", "add", long],
                 ["client", "add", "Casey Doe", "--email", long + "@example.org"],
                 ["clinician", "add", long],
                 ["service", "add", long, "--minutes", "50"],
                 ["room", "add", long]):
        rc, out, err = p.ctl(*args, check=False)
        assert rc == 1, (args[:2], rc, err[:300])
        assert len(err) < 2000, "the refusal should not echo 10,000 characters back"
    assert [c["name"] for c in clients(p)] == ["Jordan Lee", "Sam Park"]
    assert len(p.ctl("clinician", "list", "--all")[1]["clinicians"]) == 3
    assert len(p.ctl("service", "list")[1]["services"]) == 2
    assert len(p.ctl("room", "list")[1]["rooms"]) == 2
    r = p.http("POST", "/v1/clients", {"name": long})
    assert_json_error(r, 400, "bad_request")
    # a long cancel reason is refused too, and the appointment stays booked
    a = p.ctl("book", "--client", s.jordan, "--clinician", s.ana, "--service", s.svc,
              "--at", "%s 10:00" % s.monday.isoformat())[1]["appointment"]
    rc, _, _ = p.ctl("cancel", a["id"], "--reason", long, check=False)
    assert rc == 1
    assert p.ctl("show", a["id"])[1]["appointment"]["state"] == "booked"
    status_promptly(p)


# --------------------------------------------------- clients that misbehave

def test_client_that_sends_nothing(daemon):
    p = daemon
    s = p.connect()
    try:
        # served after it: the silent connection was accepted first
        status_promptly(p)
        assert_still_open(s)
    finally:
        s.close()
    status_promptly(p)


def test_half_request_then_vanish(daemon):
    p = daemon
    for data in (b"GET /v1/sta",
                 b"GET /v1/status HTTP/1.1\r\nHost: x\r\n",
                 b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"na"):
        s = p.connect()
        s.sendall(data)
        status_promptly(p)          # s is accepted, its bytes on the way
        s.close()
        status_promptly(p)
    assert clients(p) == []


def test_half_request_with_write_side_shut(daemon):
    p = daemon
    r = answer(p, b"POST /v1/clients HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{",
               close_write=True)
    # practiced(8) LIMITS: a request left unfinished gets no answer
    assert r is None, r
    status_promptly(p)
    assert clients(p) == []


@pytest.mark.parametrize("junk,status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /\r\n", 400),                                 # HTTP/0.9
    (b"GET /v1/status HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    (b"GET /v1/status HTTP/1.1\r\nNoColonHere\r\n\r\n", 400),
    (b"POST /v1/clients HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400),
    # libevent 2.1 fails a corrupt chunk as too long, before any
    # callback of ours could tell the two apart: practiced(8) says 413
    (b"POST /v1/clients HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     413),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)), 400),  # TLS
    ("random", 400),
    # no line end at all: a request line left unfinished gets no answer
    (b"\x00" * 4096, None),
])
def test_junk_bytes(daemon, junk, status):
    p = daemon
    if junk == "random":
        junk = random.Random(1234).randbytes(16384)
    r = answer(p, junk, timeout=5, close_write=True)
    if status is None:
        assert r is None, r
    else:
        assert_bad_request(r, status)
    status_promptly(p)


def test_abandoned_requests(clinic):
    """Clients that send a whole request and leave before the answer
    (libevent issue #997): the daemon must not crash or leak."""
    s, p = clinic, clinic.p
    week = s.monday.isoformat()
    for i in range(40):
        c = p.connect()
        if i % 2:
            c.sendall(b"GET /v1/appointments?week=%s HTTP/1.1\r\nHost: x\r\n\r\n" % week.encode())
        else:
            c.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()
    # accepted in order: by the time this is served, the 40 were handled
    status_promptly(p)
    assert [a["id"] for a in p.ctl("list", "--week", week)[1]["appointments"]] == []
    p.assert_clean_log()


def test_many_idle_connections_then_normal_request(make_practice):
    # A small cap and timeout keep this quick: 3x the cap in idle clients.
    p = make_practice(daemon_extra={"max_connections": 8, "request_timeout": 1})
    conns = []
    try:
        for i in range(24):
            try:
                c = p.connect(timeout=2)
            except (ConnectionRefusedError, BlockingIOError, socket.timeout, OSError):
                break       # a full backlog is acceptable
            if i % 3 == 1:
                try:
                    c.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")
                except OSError:
                    pass
            conns.append(c)
        assert len(conns) >= 16, "could open only %d connections" % len(conns)
        deadline = time.monotonic() + 20
        while True:
            rc, out, err = p.ctl("status", check=False, timeout=25)
            if rc == 0:
                assert out["practice"]["name"] == "Test Practice"
                break
            assert p.alive(), "practiced died; log:\n%s" % p.log()
            assert time.monotonic() < deadline, (
                "no answer within 20 s while %d idle connections were open: %d %s"
                % (len(conns), rc, err))
            time.sleep(0.5)
    finally:
        for c in conns:
            c.close()
    status_promptly(p)


def test_bytes_that_are_not_utf8_in_a_path_get_a_json_error(daemon):
    """A refusal quotes what it was sent: bytes that are not UTF-8 become
    '?', so that the answer is still JSON (it was a 500 with no body)."""
    s = daemon.connect()
    try:
        s.sendall(b"GET /v1/clients/Jo\xff\xfe%C3 HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        r = read_http_response(s, 10.0)
    finally:
        s.close()
    assert r is not None and r.status == 404, r
    msg = r.json()["error"]["message"]
    assert "Jo??" in msg, msg
    assert "out of memory" not in daemon.log()
