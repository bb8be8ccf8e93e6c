"""A write is committed only while its answer can still be sent: a caller
that has gone before the daemon reached its request changes nothing."""

import json
import signal

from conftest import audit_entries, read_http_response


def post(path, body):
    data = json.dumps(body).encode()
    return (b"POST /v1%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            b"\r\nContent-Length: %d\r\n\r\n%s" % (path.encode(), len(data), data))


def clients(p):
    return [c["name"] for c in p.ctl("clients", "--all")[1]["clients"]]


def test_caller_gone_before_its_answer_changes_nothing(practice):
    p = practice
    # Stopped, the daemon cannot read: the whole request, then the
    # caller's close, are in the socket when it wakes up.
    p.signal(signal.SIGSTOP)
    try:
        gone = p.connect()
        gone.sendall(post("/clients", {"name": "Left Early"}))
        gone.close()
        stays = p.connect()
        stays.sendall(post("/clients", {"name": "Stayed On"}))
    finally:
        p.signal(signal.SIGCONT)
    r = read_http_response(stays, 10.0)
    stays.close()
    assert r is not None and r.status == 201, r
    names = clients(p)
    assert "Stayed On" in names, names
    assert "Left Early" not in names, names
    assert "caller gone before the answer" in p.log()
    # one client added, one audited
    adds = [e for e in audit_entries(p) if e["object"] == "client"]
    assert len(adds) == 1, adds
