"""
Calendar feeds: practicectl feed add | list | rotate | revoke, and the
optional TCP listener ([feeds] listen) that serves GET /feed/TOKEN.ics
to calendar apps, read back with urllib, python3-icalendar and khal.
"""

import ctypes
import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from calendar_util import khal_view, strict_problems
from conftest import (TZ, UTC, USER_RO, USER_STAFF, Practice, at,
                      future_monday, refused, seed_practice)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
UTC_FMT = "%Y-%m-%dT%H:%M:%SZ"
TOKEN_URL = re.compile(r"^(https?://[^/]+(?:/[^/]+)*)/feed/([A-Za-z0-9_-]{43})\.ics$")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def fetch(url, method="GET", headers=None):
    """(status, headers, body) for url; errors are answers too."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def feed_add(p, *args, user=None):
    """practicectl feed add (table output): the URL, alone on its last line."""
    rc, out, err = p.ctl("feed", "add", *args, json=False, user=user)
    lines = out.strip().splitlines()
    assert TOKEN_URL.match(lines[-1]), out
    return lines[-1], lines[0]


class Scene:
    pass


@pytest.fixture(scope="module")
def scene():
    root = tempfile.mkdtemp(prefix="pdtest-")
    os.chmod(root, 0o755)       # the test users must reach the socket
    port = free_port()
    p = Practice(root, sections={"feeds": [("listen", "127.0.0.1:%d" % port)]})
    try:
        p.start()
        s = Scene()
        s.p, s.port = p, port
        s.seed = seed_practice(p)
        s.monday = future_monday()
        book = ("book", "--service", "individual", "--clinician", "ana")
        s.one = p.ctl(*book, "--client", "jordan", "--at",
                      at(s.monday, "10:00"), "--room", "Room 1")[1]
        s.weekly = p.ctl(*book, "--client", "sam", "--at",
                         at(s.monday, "14:00"), "--repeat", "weekly",
                         "--count", "6")[1]
        p.ctl("book", "--service", "individual", "--clinician", "ben",
              "--client", "sam", "--at", at(s.monday, "11:00"))
        s.url, s.said = feed_add(p, "--clinician", "ana")
        yield s
        p.stop()
    finally:
        p.kill()
        shutil.rmtree(root, ignore_errors=True)


def listed(s, clinician="ana"):
    frm = s.monday - dt.timedelta(days=1)
    to = s.monday + dt.timedelta(days=60)
    out = s.p.ctl("list", "--from", frm.isoformat(), "--to", to.isoformat(),
                  "--clinician", clinician)[1]
    return sorted((dt.datetime.strptime(a["start"], UTC_FMT).replace(tzinfo=UTC),
                   dt.datetime.strptime(a["end"], UTC_FMT).replace(tzinfo=UTC))
                  for a in out["appointments"] if a["state"] != "cancelled")


def expanded(text, s):
    assert strict_problems(text) == []
    cal = icalendar.Calendar.from_ical(text)
    start = dt.datetime.combine(s.monday - dt.timedelta(days=1), dt.time(),
                                ZoneInfo(TZ))
    end = dt.datetime.combine(s.monday + dt.timedelta(days=61), dt.time(),
                              ZoneInfo(TZ))
    return sorted((e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
                  for e in recurring_ical_events.of(cal).between(start, end)
                  if str(e.get("STATUS")) != "CANCELLED")


# ------------------------------------------------------------ the calendar

def test_add_prints_a_url_that_serves_the_clinicians_calendar(scene):
    s = scene
    assert "Ana Ruiz" in s.said and "initials" in s.said
    assert s.url.startswith("http://127.0.0.1:%d/feed/" % s.port)
    status, headers, body = fetch(s.url)
    assert status == 200
    assert headers["Content-Type"].startswith("text/calendar")
    assert "private" in headers["Cache-Control"]
    assert headers.get("Set-Cookie") is None
    text = body.decode()
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["REFRESH-INTERVAL"].to_ical().decode()) == "PT15M"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT15M" in text
    assert "X-PUBLISHED-TTL:PT15M" in text
    # The events are Ana's, session for session (not Ben's at 11:00).
    assert expanded(text, s) == listed(s)
    assert len(listed(s)) == 7


def test_initials_by_default_no_name_no_service_no_place(scene):
    text = fetch(scene.url)[2].decode()
    summaries = sorted(str(e["SUMMARY"]) for e in
                       icalendar.Calendar.from_ical(text).walk("VEVENT"))
    assert summaries == ["J.L.", "S.P."]
    for word in ("Jordan", "Sam Park", "Individual", "session", "Check-in",
                 "Room 1", "jordan@example.org", "\nLOCATION"):
        assert word not in text, word


def test_busy_and_full_detail(scene):
    s = scene
    busy = fetch(feed_add(s.p, "--clinician", "ana", "--detail", "busy")[0])[2]
    assert b"SUMMARY:Busy" in busy and b"J.L." not in busy
    full = fetch(feed_add(s.p, "--clinician", "ana", "--detail", "full")[0])[2]
    assert b"Jordan Lee" in full and b"Room 1" in full
    assert b"Individual" not in full
    assert b"jordan@example.org" not in full    # emails: an export's only


def test_etag_and_last_modified_give_304(scene):
    s = scene
    status, h, body = fetch(s.url)
    etag, modified = h["ETag"], h["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{64}"', etag)
    assert fetch(s.url)[1]["ETag"] == etag          # the same text, the same tag
    status, h2, body2 = fetch(s.url, headers={"If-None-Match": etag})
    assert status == 304 and body2 == b"" and h2["ETag"] == etag
    status, _, _ = fetch(s.url, headers={"If-None-Match": 'W/"x", ' + etag})
    assert status == 304
    status, _, body3 = fetch(s.url, headers={"If-None-Match": '"other"'})
    assert status == 200 and body3 == body
    status, _, _ = fetch(s.url, headers={"If-Modified-Since": modified})
    assert status == 304
    status, _, _ = fetch(s.url, headers={
        "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert status == 200


def test_a_booking_changes_the_etag(scene):
    s = scene
    status, h, before = fetch(s.url)
    out = s.p.ctl("book", "--service", "individual", "--clinician", "ana",
                  "--client", "jordan", "--at",
                  at(s.monday + dt.timedelta(days=1), "09:00"))[1]
    try:
        status, h2, after = fetch(s.url, headers={"If-None-Match": h["ETag"]})
        assert status == 200 and h2["ETag"] != h["ETag"] and after != before
        assert expanded(after.decode(), s) == listed(s)
    finally:
        s.p.ctl("cancel", out["appointment"]["id"], "--by", "practice")


def test_head_answers_headers_only(scene):
    status, h, body = fetch(scene.url, method="HEAD")
    assert status == 200 and body == b""
    assert h["ETag"] and h["Content-Type"].startswith("text/calendar")


def test_other_methods_are_405(scene):
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        status, h, _ = fetch(scene.url, method=method)
        assert status == 405, method
        assert "GET" in h["Allow"]


# -------------------------------------------------------------- the token

def test_unknown_tokens_get_404_without_a_hint(scene):
    s = scene
    base = "http://127.0.0.1:%d" % s.port
    token = TOKEN_URL.match(s.url).group(2)
    flipped = token[:-2] + ("B" if token[-2] != "B" else "C") + token[-1]
    answers = set()
    for path in ("/feed/%s.ics" % flipped, "/feed/%s.ics" % ("A" * 43),
                 "/feed/%s" % token, "/feed/%s.ics/x" % token, "/",
                 "/v1/status", "/feed/%s.ICS" % token, "/feed/short.ics"):
        status, _, body = fetch(base + path)
        assert status == 404, path
        answers.add(body)
    assert len(answers) == 1            # one answer, whatever was wrong


def test_the_compare_is_constant_time_and_tokens_are_not_stored():
    src = open(os.path.join(ROOT, "daemon", "feed_token.c")).read()
    assert "CRYPTO_memcmp" in src and "getrandom" in src
    feed = open(os.path.join(ROOT, "daemon", "feed.c")).read()
    assert "feed_hash_equal" in feed


def test_database_holds_no_token(scene):
    s = scene
    token = TOKEN_URL.match(s.url).group(2)
    for name in os.listdir(os.path.dirname(s.p.db)):
        if name.startswith(os.path.basename(s.p.db)):
            with open(os.path.join(os.path.dirname(s.p.db), name), "rb") as f:
                assert token.encode() not in f.read(), name


def test_rotate_and_revoke(scene):
    s = scene
    url, _ = feed_add(s.p, "--clinician", "ana")
    fid = s.p.ctl("feed", "list")[1]["feeds"]
    fid = max(f["id"] for f in fid)
    assert fetch(url)[0] == 200
    rc, out, _ = s.p.ctl("feed", "rotate", fid, json=False)
    new = out.strip().splitlines()[-1]
    assert TOKEN_URL.match(new) and new != url
    assert fetch(url)[0] == 404
    assert fetch(new)[0] == 200
    rc, out, _ = s.p.ctl("feed", "revoke", fid, json=False)
    assert "revoked feed %d" % fid in out
    assert fetch(new)[0] == 404
    listed_feed = [f for f in s.p.ctl("feed", "list")[1]["feeds"]
                   if f["id"] == fid][0]
    assert listed_feed["state"] == "revoked" and listed_feed["revoked"]
    assert "revoked" in refused(s.p, "feed", "rotate", fid)
    assert "revoked" in refused(s.p, "feed", "revoke", fid)
    assert "no feed" in refused(s.p, "feed", "revoke", 99999)


def test_list_shows_fetches_never_tokens(scene):
    s = scene
    fetch(s.url, headers={"User-Agent": "TestCal/1.0"})
    rc, out, _ = s.p.ctl("feed", "list")
    text = str(out)
    assert "/feed/" not in text and "token" not in text
    first = [f for f in out["feeds"] if f["clinician"]["name"] == "Ana Ruiz"][0]
    assert first["fetches"] >= 1
    assert first["last_fetch"]["address"] == "127.0.0.1"
    assert first["last_fetch"]["agent"] == "TestCal/1.0"
    rc, table, _ = s.p.ctl("feed", "list", json=False)
    assert "TestCal/1.0" in table and "Ana Ruiz" in table
    # The last fetch at the practice's wall clock, as practicectl shows
    # every time, not in UTC.
    when = dt.datetime.fromisoformat(first["last_fetch"]["at"].replace("Z", "+00:00"))
    local = when.astimezone(ZoneInfo(TZ)).strftime("%Y-%m-%d %H:%M")
    assert first["last_fetch"]["at_local"] == local, first
    assert local in table, table
    assert TOKEN_URL.match(s.url).group(2) not in table


def test_roles_and_audit(scene):
    s = scene
    refused(s.p, "feed", "add", "--clinician", "ana", user=USER_STAFF)
    refused(s.p, "feed", "list", user=USER_RO)
    s.p.ctl("feed", "list", user=USER_STAFF)
    url, _ = feed_add(s.p, "--clinician", "ben")
    fid = max(f["id"] for f in s.p.ctl("feed", "list")[1]["feeds"])
    refused(s.p, "feed", "rotate", fid, user=USER_STAFF)
    s.p.ctl("feed", "revoke", fid, user=USER_STAFF)      # staff may stop one
    actions = [(e["action"], e.get("object_id")) for e in
               s.p.ctl("audit", "--limit", "1000")[1]["audit"]]
    assert ("feed.add", fid) in actions and ("feed.revoke", fid) in actions


def test_the_token_never_reaches_the_log(make_practice):
    """Not even with -v, which logs each request: the feed's id only."""
    port = free_port()
    p = make_practice(start=False,
                      sections={"feeds": [("listen", "127.0.0.1:%d" % port)]})
    p.start(args=("-v",))
    seed_practice(p)
    url, _ = feed_add(p, "--clinician", "ana")
    fetch(url)
    fetch(url + "x")
    fid = p.ctl("feed", "list")[1]["feeds"][0]["id"]
    rc, out, _ = p.ctl("feed", "rotate", fid, json=False)
    new = out.strip().splitlines()[-1]
    fetch(new, method="HEAD")
    p.ctl("feed", "revoke", fid)
    fetch(new)
    p.stop()
    log = p.log()
    assert "feed %d: sent" % fid in log
    for u in (url, new):
        token = TOKEN_URL.match(u).group(2)
        assert token not in log and token[:12] not in log


def test_bad_requests_are_refused(scene):
    s = scene
    refused(s.p, "feed", "add", "--clinician", "nobody")
    refused(s.p, "feed", "add", "--clinician", "ana", "--detail", "secret",
            codes=(2,))
    status, out = s.p.api("POST", "/v1/feeds", {"clinician": "ana",
                                                "token": "x"})
    assert status == 400


# ------------------------------------------------------------- the listener

def test_khal_reads_the_feed(scene, tmp_path):
    s = scene
    rows = khal_view(fetch(s.url)[2].decode(), tmp_path,
                     s.monday - dt.timedelta(days=1),
                     s.monday + dt.timedelta(days=60))
    fmt = "%Y-%m-%d %H:%M"
    got = sorted(a for a, _, c in rows if c != "CANCELLED")
    want = sorted(a.astimezone(ZoneInfo(TZ)).strftime(fmt) for a, _ in listed(s))
    assert got == want


def socket_fds(pid):
    """{inode: fd} of the sockets process pid holds."""
    out = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except FileNotFoundError:       # closed since the listing
            continue
        if link.startswith("socket:["):
            out[link[8:-1]] = int(fd)
    return out


def tcp_listening():
    """{inode: port} of every TCP socket listening, IPv4 and IPv6."""
    out = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(name) as f:
            for l in f.readlines()[1:]:
                w = l.split()
                if w[3] == "0A":
                    out[w[9]] = int(w[1].rsplit(":", 1)[1], 16)
    return out


def daemon_socket(pid, port):
    """A duplicate of the daemon's socket listening on TCP port, taken
    with pidfd_getfd(2) (Linux 5.6; root may)."""
    listening = tcp_listening()
    for inode, fd in socket_fds(pid).items():
        if listening.get(inode) == port:
            pidfd = os.pidfd_open(pid)
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                got = libc.syscall(438, pidfd, fd, 0)  # pidfd_getfd
                assert got >= 0, os.strerror(ctypes.get_errno())
            finally:
                os.close(pidfd)
            return socket.socket(fileno=got)
    raise AssertionError("no socket of practiced listens on %d" % port)


def test_answers_go_out_at_once(scene):
    """The listener has TCP_NODELAY, which Linux gives the connections
    it accepts: without it, about one answer in a hundred waited 40 ms
    for the client's delayed ACK before its last small segment went
    (Nagle)."""
    sock = daemon_socket(scene.p.pid, scene.port)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()


def test_off_by_default(make_practice):
    p = make_practice()
    seed_practice(p)
    rc, out, err = p.ctl("feed", "add", "--clinician", "ana", json=False)
    assert TOKEN_URL.match(out.strip().splitlines()[-1])
    assert "listen is not set" in err
    assert "feeds: listening" not in p.log()
    # No TCP socket at all: the daemon listens on its Unix socket only.
    assert not set(socket_fds(p.pid)) & set(tcp_listening())


@pytest.mark.parametrize("listen", ["localhost:8470", "127.0.0.1", "127.0.0.1:0",
                                    "127.0.0.1:70000", "1.2.3.4.5:80",
                                    "[::1:8470", "127.0.0.1:http"])
def test_a_bad_listen_address_is_refused_at_start(make_practice, listen):
    p = make_practice(start=False, sections={"feeds": [("listen", listen)]})
    r = subprocess.run([os.path.join(os.environ["PRACTICED_BUILD"], "practiced"),
                        "-n", "-f", p.conf], capture_output=True, text=True)
    assert r.returncode == 1
    assert "listen" in r.stderr and "practiced.conf:" in r.stderr


def test_a_taken_port_stops_the_start(make_practice):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        p = make_practice(start=False, sections={
            "feeds": [("listen", "127.0.0.1:%d" % port)]})
        with pytest.raises(AssertionError, match="Address already in use"):
            p.start()


def test_url_setting_and_sighup_rebinds(make_practice):
    a, b = free_port(), free_port()
    p = make_practice(sections={"feeds": [
        ("listen", "127.0.0.1:%d" % a),
        ("url", "https://calendar.example.org/")]})
    seed_practice(p)
    url, _ = feed_add(p, "--clinician", "ana")
    assert url.startswith("https://calendar.example.org/feed/")
    local = "http://127.0.0.1:%d/feed/" % a + url.rsplit("/", 1)[1]
    assert fetch(local)[0] == 200
    p.write_config(sections={"feeds": [("listen", "127.0.0.1:%d" % b)]})
    p.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while not port_open(b) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert port_open(b) and not port_open(a)
    assert fetch(local.replace(str(a), str(b)))[0] == 200
    # Dropped from the file: no listener.
    p.write_config(sections={})
    p.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while port_open(b) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not port_open(b)


def test_what_a_304_rests_on_changes_the_tag(make_practice):
    """The listener answers 304 without making the text again while
    nothing changed: a rename in the database (by the daemon, or by
    another program), or a reload that renames the practice, makes a new
    text and a new tag."""
    port = free_port()
    p = make_practice(sections={"feeds": [("listen", "127.0.0.1:%d" % port)]})
    seed_practice(p)
    url, _ = feed_add(p, "--clinician", "ana")
    tag = fetch(url)[1]["ETag"]
    assert fetch(url, headers={"If-None-Match": tag})[0] == 304

    p.ctl("clinician", "edit", "ana", "--name", "Ana Ruiz-Diaz")
    status, h, body = fetch(url, headers={"If-None-Match": tag})
    assert status == 200 and b"Ana Ruiz-Diaz" in body
    tag = h["ETag"]

    import sqlite3
    con = sqlite3.connect(p.db, timeout=10)
    con.execute("UPDATE clinicians SET name = 'Ana R.' WHERE name = 'Ana Ruiz-Diaz'")
    con.commit()
    con.close()
    status, h, body = fetch(url, headers={"If-None-Match": tag})
    assert status == 200 and b"Ana R." in body
    tag = h["ETag"]
    assert fetch(url, headers={"If-None-Match": tag})[0] == 304

    p.write_config(name="Renamed Practice")
    p.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while "configuration reloaded" not in p.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    status, h, body = fetch(url, headers={"If-None-Match": tag})
    assert status == 200 and b"Renamed Practice" in body


def test_a_kept_text_is_never_served_stale(make_practice):
    """The listener keeps the text it made and answers a fetch without
    validators from it while nothing changed; a booking, a change by
    another program and a rotation are seen by the next such fetch."""
    port = free_port()
    p = make_practice(sections={"feeds": [("listen", "127.0.0.1:%d" % port)]})
    s = seed_practice(p)
    url, _ = feed_add(p, "--clinician", "ana")
    first = fetch(url)
    assert first[0] == 200 and fetch(url)[2] == first[2]
    p.ctl("book", "--service", "individual", "--clinician", "ana",
          "--client", "jordan", "--at", at(s.monday, "10:00"))
    status, h, body = fetch(url)
    assert status == 200 and body.count(b"BEGIN:VEVENT") == 1
    assert h["ETag"] != first[1]["ETag"]
    assert fetch(url)[2] == body

    import sqlite3
    con = sqlite3.connect(p.db, timeout=10)
    con.execute("UPDATE clinicians SET name = 'Ana R.' WHERE name = 'Ana Ruiz'")
    con.commit()
    con.close()
    status, _, body = fetch(url)
    assert status == 200 and b"Ana R." in body

    out = p.ctl("feed", "rotate", "1", json=False)[1]
    assert fetch(url)[0] == 404
    new = out.strip().splitlines()[-1]
    assert fetch(new)[2] == body


def test_fetches_are_kept_across_a_restart(make_practice):
    port = free_port()
    p = make_practice(sections={"feeds": [("listen", "127.0.0.1:%d" % port)]})
    seed_practice(p)
    url, _ = feed_add(p, "--clinician", "ana")
    for _ in range(3):
        fetch(url, headers={"User-Agent": "PhoneCal/2"})
    p.stop()
    p.start()
    feed = p.ctl("feed", "list")[1]["feeds"][0]
    assert feed["fetches"] == 3
    assert feed["last_fetch"]["agent"] == "PhoneCal/2"
    assert feed["changed"] is not None
