"""
Busy calendars: practicectl busy add | list | refresh | remove, against a
real python http.server on loopback serving .ics files in the style Google
exports (X-WR-TIMEZONE, a VTIMEZONE, RRULE, EXDATE, all-day, transparent
and cancelled events).  Busy times are skipped by slots and refused by
book; a failing fetch keeps the last good copy; titles and attendees never
reach the database.
"""

import datetime as dt
import glob
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from conftest import (TZ, USER_RO, USER_STAFF, at, audit_entries, book,
                      now_local, refused, seed_practice)

SECRETS = ("SECRETTITLE", "secret.person@example.com", "Secret Person",
           "Secret Place", "Private notes")
URL_SECRET = "private-0123456789abcdef"


class Served:
    """What the server answers, by path: (status, headers, body)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.files = {}
        self.hits = []          # (path, If-None-Match, If-Modified-Since)

    def put(self, path, body, status=200, etag=None, headers=None):
        with self.lock:
            self.files[path] = (status, etag, dict(headers or {}), body)

    def count(self, path):
        with self.lock:
            return sum(1 for h in self.hits if h[0] == path)

    def last(self, path):
        with self.lock:
            return [h for h in self.hits if h[0] == path][-1]


def make_handler(served):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            with served.lock:
                served.hits.append((path, inm, ims))
                entry = served.files.get(path)
            if entry is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, etag, headers, body = entry
            if etag is not None and inm == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            if callable(body):
                body = body()
            self.send_response(status)
            if etag is not None:
                self.send_header("ETag", etag)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", "text/calendar; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def server():
    served = Served()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(served))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    served.base = "http://127.0.0.1:%d" % httpd.server_address[1]
    yield served
    httpd.shutdown()
    httpd.server_close()


def ics_date(d):
    return d.strftime("%Y%m%d")


def google_ics(events):
    """A calendar as Google exports one: CRLF, X-WR-TIMEZONE and the
    zone's VTIMEZONE, floating times read in X-WR-TIMEZONE."""
    head = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:ana.private@example.org",
        "X-WR-TIMEZONE:%s" % TZ,
        "BEGIN:VTIMEZONE",
        "TZID:America/New_York",
        "X-LIC-LOCATION:America/New_York",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "TZNAME:EDT",
        "DTSTART:19700308T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "TZNAME:EST",
        "DTSTART:19701101T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    lines = head[:]
    for i, ev in enumerate(events):
        lines += ["BEGIN:VEVENT"] + ev + [
            "DTSTAMP:20261101T120000Z",
            "UID:%d-busy-test@google.com" % i,
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
            "CN=Secret Person;X-NUM-GUESTS=0:mailto:secret.person@example.com",
            "DESCRIPTION:Private notes",
            "LOCATION:Secret Place",
            "SUMMARY:SECRETTITLE %d" % i,
            "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def t(day, hhmm):
    return "%sT%s00" % (ics_date(day), hhmm.replace(":", ""))


def first_calendar(mon):
    """Ana's private calendar over the week of mon (and the next)."""
    tue, wed, thu, fri = (mon + dt.timedelta(days=n) for n in (1, 2, 3, 4))
    return google_ics([
        # Weekly on Monday 10:00-11:00, the second week excluded.
        ["DTSTART;TZID=America/New_York:%s" % t(mon, "10:00"),
         "DTEND;TZID=America/New_York:%s" % t(mon, "11:00"),
         "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4",
         "EXDATE;TZID=America/New_York:%s" % t(mon + dt.timedelta(days=7), "10:00"),
         "STATUS:CONFIRMED", "TRANSP:OPAQUE"],
        # Floating: read in X-WR-TIMEZONE.
        ["DTSTART:%s" % t(tue, "14:00"), "DTEND:%s" % t(tue, "15:00"),
         "TRANSP:OPAQUE"],
        # Free time and cancelled events are not busy.
        ["DTSTART;TZID=America/New_York:%s" % t(wed, "10:00"),
         "DTEND;TZID=America/New_York:%s" % t(wed, "11:00"),
         "TRANSP:TRANSPARENT"],
        ["DTSTART;TZID=America/New_York:%s" % t(wed, "14:00"),
         "DTEND;TZID=America/New_York:%s" % t(wed, "15:00"),
         "STATUS:CANCELLED"],
        # All day on Thursday: the whole day, in Ana's zone.
        ["DTSTART;VALUE=DATE:%s" % ics_date(thu),
         "DTEND;VALUE=DATE:%s" % ics_date(fri), "TRANSP:OPAQUE"],
        # In UTC, Friday 15:00Z.
        ["DTSTART:%sT150000Z" % ics_date(fri), "DTEND:%sT160000Z" % ics_date(fri)],
    ])


def slot_times(p, day, days=1):
    _, out, _ = p.ctl("slots", "--clinician", "ana", "--service", "individual",
                      "--from", day.isoformat(), "--days", str(days),
                      "--step", "30")
    return [s["local_start"] for s in out["slots"]]


def book_refused(p, when, code="busy"):
    rc, out, err = book(p, "jordan", "ana", "individual", when, check=False)
    assert rc == 1, (when, out, err)
    assert out["error"]["code"] == code, out
    return out["error"]


def add_calendar(p, url, *extra, user=None):
    rc, out, err = p.ctl("busy", "add", "--clinician", "ana", url, *extra,
                         user=user)
    return out


def wall(instant):
    """An instant ("...Z") as the practice's wall clock, as practicectl
    prints it."""
    t = dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return t.astimezone(ZoneInfo(TZ)).strftime("%Y-%m-%d %H:%M")


def busy_list(p, user=None):
    return p.ctl("busy", "list", user=user)[1]["busy"]


def database_bytes(p):
    data = b""
    for f in glob.glob(os.path.join(p.root, "**", "*.db*"), recursive=True):
        with open(f, "rb") as fh:
            data += fh.read()
    assert data, "no database file under %s" % p.root
    return data


def test_busy_calendar_blocks_slots_and_booking(clinic, server):
    p, mon = clinic.p, clinic.monday
    path = "/calendar/ical/%s/basic.ics" % URL_SECRET
    server.put(path, first_calendar(mon), etag='"v1"')
    out = add_calendar(p, server.base + path, "--every", "15m")
    cal = out["busy"]
    assert out["fetch"]["ok"], out
    assert cal["url"] == server.base + "/\u2026", cal
    assert cal["every"] == 900 and cal["blocks"] == 6, cal
    assert cal["last_ok"] is not None and cal["last_error"] is None

    # Monday 10:00-11:00 is busy: no slot runs into it, booking is refused.
    times = slot_times(p, mon)
    day = mon.isoformat()
    assert day + " 09:00" in times          # ends 10:00 with its buffer
    for hm in ("09:30", "10:00", "10:30"):
        assert "%s %s" % (day, hm) not in times, times
    assert day + " 11:00" in times
    err = book_refused(p, at(mon, "10:15"))
    assert "busy block" in err["message"] and "--force" in err["message"], err
    assert err["details"]["busy"][0]["source"] == "calendar"
    # --force books it all the same, and says so.
    _, forced, _ = book(p, "jordan", "ana", "individual", at(mon, "10:00"), "--force")
    assert forced["appointment"]["forced"]

    tue, wed, thu, fri = (mon + dt.timedelta(days=n) for n in (1, 2, 3, 4))
    # The floating event is in X-WR-TIMEZONE.
    book_refused(p, at(tue, "14:30"))
    # Transparent and cancelled events leave the time free.
    book(p, "jordan", "ana", "individual", at(wed, "10:00"))
    book(p, "jordan", "ana", "individual", at(wed, "14:00"))
    # The all-day event takes Thursday whole.
    assert slot_times(p, thu) == []
    book_refused(p, at(thu, "16:00"))
    # The UTC event is 15:00Z, 10:00 in New York.
    book_refused(p, at(fri, "10:00"))
    # The excluded Monday is free, the next one busy.
    book(p, "jordan", "ana", "individual", at(mon + dt.timedelta(days=7), "10:00"))
    book_refused(p, at(mon + dt.timedelta(days=14), "10:00"))
    # Another clinician is not Ana.
    book(p, "jordan", "ben", "individual", at(fri, "10:00"))
    # A series over the weekly busy time is refused whole, and --force
    # books it all the same, as it does a single session.
    later = mon + dt.timedelta(days=14)
    rc, out, err = book(p, "sam", "ana", "individual", at(later, "10:00"),
                        "--repeat", "weekly", "--count", "2", check=False)
    assert rc == 1 and "busy" in err, (out, err)
    _, out, _ = book(p, "sam", "ana", "individual", at(later, "10:00"),
                     "--repeat", "weekly", "--count", "2", "--force")
    made = p.ctl("list", "--client", "sam", "--from", later.isoformat(),
                 "--to", (later + dt.timedelta(days=7)).isoformat())[1]["appointments"]
    assert len(made) == 2 and all(a["forced"] for a in made), made

    # Neither titles nor guests nor the address's secret are kept.
    data = database_bytes(p)
    for s in SECRETS:
        assert s.encode() not in data, s
    log = p.log()
    assert URL_SECRET not in log
    for s in SECRETS:
        assert s not in log
    acts = [e for e in audit_entries(p) if e["action"].startswith("busy.")]
    assert [e["action"] for e in acts] == ["busy.add"], acts
    assert URL_SECRET not in str(acts) and "127.0.0.1" in str(acts)


def test_refresh_replaces_and_a_failure_keeps_the_last_good_copy(clinic, server):
    p, mon = clinic.p, clinic.monday
    tue = mon + dt.timedelta(days=1)
    path = "/cal/%s.ics" % URL_SECRET
    one = google_ics([["DTSTART;TZID=America/New_York:%s" % t(mon, "10:00"),
                       "DTEND;TZID=America/New_York:%s" % t(mon, "11:00")]])
    server.put(path, one, etag='"a"')
    cal = add_calendar(p, server.base + path)["busy"]
    cid = str(cal["id"])
    # A session booked now, before the calendar takes its time.
    _, out, _ = book(p, "jordan", "ana", "individual", at(tue, "09:00"))
    booked = out["appointment"]["id"]
    assert "busy" not in out["appointment"]["attention"]
    book_refused(p, at(mon, "10:00"))

    # Unchanged: the server answers 304 to the conditional fetch.
    _, out, _ = p.ctl("busy", "refresh", cid)
    assert out["fetch"]["ok"] and "304" in out["fetch"]["detail"], out
    assert server.last(path)[1] == '"a"'
    assert out["busy"]["blocks"] == 1

    # Changed: Monday is free, Tuesday 09:00-10:00 is busy.
    two = google_ics([["DTSTART;TZID=America/New_York:%s" % t(tue, "09:00"),
                       "DTEND;TZID=America/New_York:%s" % t(tue, "10:00")]])
    server.put(path, two, etag='"b"')
    _, out, _ = p.ctl("busy", "refresh", cid)
    assert out["fetch"]["ok"] and out["fetch"]["blocks"] == 1, out
    book(p, "jordan", "ana", "individual", at(mon, "10:00"))
    book_refused(p, at(tue, "09:30"))
    # The session booked before is flagged for the front desk.
    _, shown, _ = p.ctl("show", str(booked))
    assert "busy" in shown["appointment"]["attention"], shown

    # A server error: refused, said in the list, the last copy kept.
    server.put(path, b"oops", status=500)
    rc, out, err = p.ctl("busy", "refresh", cid, check=False, json=False)
    assert rc == 1 and "500" in err and "kept" in err, (rc, out, err)
    _, out, _ = p.ctl("busy", "refresh", cid)      # --json: exit 0, "ok" says
    assert not out["fetch"]["ok"] and "500" in out["fetch"]["detail"], out
    [row] = [b for b in busy_list(p) if b["id"] == cal["id"]]
    assert "500" in row["last_error"] and row["blocks"] == 1, row
    assert row["last_ok"] is not None
    book_refused(p, at(tue, "09:30"))
    rc, text, _ = p.ctl("busy", "list", json=False)
    assert "500" in text and URL_SECRET not in text, text
    # Its times as the rest of practicectl shows them: the practice's wall
    # clock, not UTC.
    assert row["last_ok_local"] == wall(row["last_ok"]), row
    assert row["last_fetch_local"] == wall(row["last_fetch"]), row
    assert wall(row["last_ok"]) in text and "Z " not in text, text

    # A file that is not a calendar: the same.
    server.put(path, b"<html>not a calendar</html>", etag='"c"')
    rc, out, err = p.ctl("busy", "refresh", cid, check=False, json=False)
    assert rc == 1 and "not a calendar" in err, err
    [row] = [b for b in busy_list(p) if b["id"] == cal["id"]]
    assert "not a calendar" in row["last_error"] and row["blocks"] == 1
    book_refused(p, at(tue, "09:30"))

    # Good again: the error is gone.
    server.put(path, two, etag='"d"')
    _, out, _ = p.ctl("busy", "refresh", cid)
    assert out["fetch"]["ok"] and out["busy"]["last_error"] is None

    # Removed: the time is free again.
    _, out, _ = p.ctl("busy", "remove", cid)
    assert out["busy"]["id"] == cal["id"]
    book(p, "sam", "ana", "individual", at(tue, "09:00"), "--overlap")
    assert not [b for b in busy_list(p) if b["id"] == cal["id"]]
    acts = [e["action"] for e in audit_entries(p) if e["action"].startswith("busy.")]
    assert acts.count("busy.refresh") == 6 and acts[-1] == "busy.remove", acts


def test_bounds_size_redirects_and_addresses(clinic, server):
    p, mon = clinic.p, clinic.monday
    # Over 10 MB: refused, nothing kept.
    big = google_ics([]) + b"X" * (10 * 1024 * 1024 + 10)
    server.put("/big.ics", big)
    out = add_calendar(p, server.base + "/big.ics")
    assert not out["fetch"]["ok"] and "larger than 10 MB" in out["fetch"]["detail"], out
    assert out["busy"]["blocks"] == 0

    # A redirect loop stops after 3 redirects.
    server.put("/loop.ics", b"", status=302,
               headers={"Location": server.base + "/loop.ics"})
    out = add_calendar(p, server.base + "/loop.ics")
    assert not out["fetch"]["ok"] and "redirects" in out["fetch"]["detail"], out
    assert server.count("/loop.ics") == 4, server.count("/loop.ics")

    # A redirect to a good calendar is followed.
    server.put("/good.ics", first_calendar(mon))
    server.put("/moved.ics", b"", status=301,
               headers={"Location": server.base + "/good.ics"})
    out = add_calendar(p, server.base + "/moved.ics")
    assert out["fetch"]["ok"] and out["busy"]["blocks"] == 6, out

    # Plain http only to this machine; nothing else but https.
    err = refused(p, "busy", "add", "--clinician", "ana",
                  "http://calendar.example.org/x.ics")
    assert "https" in err
    refused(p, "busy", "add", "--clinician", "ana", "ftp://127.0.0.1/x.ics")
    refused(p, "busy", "add", "--clinician", "ana", server.base + "/x", "--every", "1m")
    refused(p, "busy", "add", "--clinician", "ana", server.base + "/x", "--every", "25h")
    # A read-only user sees the list, and adds nothing.
    assert busy_list(p, user=USER_RO)
    refused(p, "busy", "add", "--clinician", "ana", server.base + "/good.ics",
            user=USER_RO)
    out = add_calendar(p, server.base + "/good.ics", user=USER_STAFF)
    assert out["fetch"]["ok"]


def test_archived_clinician_is_not_fetched(clinic, server):
    p = clinic.p
    server.put("/a.ics", google_ics([]))
    cid = str(add_calendar(p, server.base + "/a.ics")["busy"]["id"])
    hits = server.count("/a.ics")
    p.ctl("clinician", "edit", "Ana Ruiz", "--active", "no", "--force")
    err = refused(p, "busy", "refresh", cid)
    assert "archived" in err
    assert server.count("/a.ics") == hits
    rc, text, _ = p.ctl("busy", "list", json=False)
    assert "archived" in text


def wait_for(cond, what, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def test_fetched_at_start_when_its_interval_ended(practice_at, server):
    p = practice_at(now_local().strftime("%Y-%m-%d %H:%M"), running=True)
    s = seed_practice(p)
    mon, tue = s.monday, s.monday + dt.timedelta(days=1)
    path = "/restart.ics"
    server.put(path, google_ics([
        ["DTSTART;TZID=America/New_York:%s" % t(mon, "10:00"),
         "DTEND;TZID=America/New_York:%s" % t(mon, "11:00")]]))
    add_calendar(p, server.base + path, "--every", "15m")
    book_refused(p, at(mon, "10:00"))
    server.put(path, google_ics([
        ["DTSTART;TZID=America/New_York:%s" % t(tue, "10:00"),
         "DTEND;TZID=America/New_York:%s" % t(tue, "11:00")]]))
    hits = server.count(path)
    fetched = busy_list(p)[0]["last_fetch"]

    # Back within its interval: not fetched at start.
    p.stop()
    p.clock.advance(minutes=5)
    p.start()
    time.sleep(1)
    assert server.count(path) == hits
    book_refused(p, at(mon, "10:00"))

    # Back after it: fetched at once.
    p.stop()
    p.clock.advance(minutes=11)
    p.start()
    wait_for(lambda: server.count(path) > hits, "the fetch at start")
    wait_for(lambda: busy_list(p)[0]["last_ok"] != fetched, "its record")
    book_refused(p, at(tue, "10:00"))
    book(p, "jordan", "ana", "individual", at(mon, "10:00"))


def outside_address():
    """This machine's address on its network (not loopback), or None."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.254", 9))       # nothing is sent
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


def test_plain_http_is_never_followed_off_this_machine(clinic, server):
    """A loopback calendar that redirects to plain http elsewhere is
    refused before anything is asked there."""
    p = clinic.p
    ip = outside_address()
    other = Served()
    httpd = ThreadingHTTPServer(("0.0.0.0", 0), make_handler(other))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        other.put("/x.ics", google_ics([]))
        target = "http://%s:%d/x.ics" % (ip or "10.255.255.1",
                                         httpd.server_address[1])
        server.put("/away.ics", b"", status=302, headers={"Location": target})
        out = add_calendar(p, server.base + "/away.ics")
        assert not out["fetch"]["ok"], out
        assert other.count("/x.ics") == 0
        if ip is not None:
            assert "this machine only" in out["fetch"]["detail"], out
    finally:
        httpd.shutdown()
        httpd.server_close()
