"""
practicectl import: iCalendar files in the styles Google, Outlook and
Apple export, read into the schedule and checked with practicectl list;
imported again (nothing changes), newer (what changed changes), dry runs,
files refused whole, bad events skipped, clashes kept and flagged, new
clients, a large file while others are served, and an export of one
practice imported into another.
"""

import datetime as dt
import json
import os
import pty
import re
import sqlite3
import subprocess
import threading
import time

import pytest

import shutil

from remind_util import rows
from conftest import (PRACTICECTL, PRACTICED, TZ, USER_RO, USER_STAFF, UTC,
                      read_http_response, read_pty, refused, seed_practice)

HERE = os.path.dirname(os.path.abspath(__file__))
ICAL = os.path.join(HERE, "ical")
WINDOW = ("--from", "2027-01-01", "--to", "2027-03-31")


def fixture(name):
    return os.path.join(ICAL, name)


def imp(p, path, *extra, check=True):
    """practicectl import --json ...: (rc, answer, stderr)."""
    return p.ctl("import", path, *extra, check=check)


def counts(out):
    return out["import"]["counts"]


def sessions(p, *window):
    return p.ctl("list", *(window or WINDOW))[1]["appointments"]


def utc(a):
    return a["start"], a["end"]


def z(text):
    """"2027-01-11T15:00:00Z" for a compact "20270111T150000Z"."""
    t = dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def refused_booking(p, clinician, when, minutes_service="check"):
    rc, out, err = p.ctl("book", "--client", "jordan", "--clinician",
                         clinician, "--service", minutes_service, "--at",
                         when, check=False)
    return rc != 0, err


def db_state(p):
    """What an import may change, read from the database itself."""
    con = sqlite3.connect("file:%s?mode=ro" % p.db, uri=True)
    try:
        out = {}
        for table in ("appointments", "clients", "services", "import_map",
                      "busy_blocks", "series", "audit"):
            out[table] = con.execute("SELECT * FROM %s ORDER BY 1" % table).fetchall()
        return out
    finally:
        con.close()


@pytest.fixture
def clinic(practice):
    return seed_practice(practice)


# ------------------------------------------------------------ the styles

def test_google_style(clinic):
    p = clinic.p
    rc, out, err = imp(p, fixture("google.ics"))
    c = counts(out)
    assert out["import"]["state"] == "done"
    # One session, three of a weekly four (one EXDATE), two busy blocks.
    assert (c["added"], c["skipped"], c["clashes"]) == (6, 0, 0), out
    got = sessions(p)
    assert [utc(a) for a in got] == [
        (z("20270111T150000Z"), z("20270111T155000Z")),
        (z("20270112T140000Z"), z("20270112T143000Z")),
        (z("20270119T140000Z"), z("20270119T143000Z")),
        (z("20270202T140000Z"), z("20270202T143000Z"))]
    assert {a["client"]["name"] for a in got} == {"Jordan Lee"}
    assert {a["clinician"]["name"] for a in got} == {"Ana Ruiz"}
    assert all(a["state"] == "booked" for a in got)
    # The dentist (no client) and the all-day conference block her time.
    busy, err = refused_booking(p, "ana", "2027-01-13 15:15")
    assert busy and "busy" in err, err
    busy, err = refused_booking(p, "ana", "2027-01-15 10:00")
    assert busy and "busy" in err, err
    assert not refused_booking(p, "ana", "2027-01-14 10:00")[0]


def test_outlook_style(clinic):
    p = clinic.p
    # The organizer is the front desk, no clinician: --clinician says.
    rc, out, err = imp(p, fixture("outlook.ics"))
    c = counts(out)
    assert c["added"] == 0 and c["skipped"] == 2, out
    reasons = [i.get("reason", "") for i in out["import"]["items"]]
    assert any("frontdesk@clinic.example" in r and "--clinician" in r
               for r in reasons), reasons
    assert sessions(p) == []
    rc, out, err = imp(p, fixture("outlook.ics"), "--clinician", "ben")
    c = counts(out)
    # Jordan's intake (Windows zone name, its VTIMEZONE); Riley is no
    # client: her three weekly check-ins block Ben's time.
    assert (c["added"], c["skipped"]) == (4, 0), out
    got = sessions(p)
    assert [utc(a) for a in got] == [(z("20270118T160000Z"), z("20270118T165000Z"))]
    assert got[0]["clinician"]["name"] == "Ben Okafor"
    busy, err = refused_booking(p, "ben", "2027-01-27 14:10")
    assert busy and "busy" in err, err


def test_create_clients(clinic):
    p = clinic.p
    before = db_state(p)
    rc, out, err = imp(p, fixture("outlook.ics"), "--clinician", "ben",
                       "--create-clients", "--dry-run")
    assert (counts(out)["added"], counts(out)["clients_added"]) == (4, 1), out
    assert db_state(p) == before
    rc, out, err = imp(p, fixture("outlook.ics"), "--clinician", "ben",
                       "--create-clients")
    c = counts(out)
    assert (c["added"], c["clients_added"]) == (4, 1), out
    clients = p.ctl("client", "list")[1]["clients"]
    riley = [x for x in clients if x["name"] == "Riley Stone"]
    assert len(riley) == 1 and riley[0]["email"] == "riley.stone@example.net"
    got = sessions(p)
    assert [a["client"]["name"] for a in got] == ["Jordan Lee"] + ["Riley Stone"] * 3
    assert [a["local_start"] for a in got[1:]] == [
        "2027-01-20 14:00", "2027-01-27 14:00", "2027-02-03 14:00"]


def test_apple_style(clinic):
    p = clinic.p
    rc, out, err = imp(p, fixture("apple.ics"))
    c = counts(out)
    assert c["skipped"] == 0, out
    got = sessions(p)
    # Weekly from Feb 1 (DTEND), the second moved (RECURRENCE-ID, with
    # DURATION), the third cancelled: kept, cancelled, as Apple held it.
    assert [(a["local_start"], a["minutes"], a["state"]) for a in got] == [
        ("2027-02-01 13:00", 50, "booked"),
        ("2027-02-09 15:00", 50, "booked"),
        ("2027-02-15 13:00", 50, "cancelled"),
        ("2027-02-22 13:00", 50, "booked")]
    # One series, as Apple held it: a weekly rule with its exceptions.
    assert len({a["series"] for a in got}) == 1 and got[0]["series"]
    series = p.ctl("series", "show", got[0]["series"])[1]["series"]
    assert "FREQ=WEEKLY" in series["rrule"], series
    assert [a["override"] for a in got] == [False, True, False, False]
    # Lunch (no attendee) is a busy hour.
    busy, err = refused_booking(p, "ana", "2027-02-03 12:15")
    assert busy and "busy" in err, err


# ------------------------------------------------------------ idempotent

def test_import_again_changes_nothing(clinic):
    p = clinic.p
    for name in ("google.ics", "apple.ics"):
        imp(p, fixture(name))
    before = db_state(p)
    for name in ("google.ics", "apple.ics"):
        rc, out, err = imp(p, fixture(name))
        c = counts(out)
        assert c["added"] == c["updated"] == c["cancelled"] == 0, out
        assert c["unchanged"] > 0
    after = db_state(p)
    before.pop("audit"), after.pop("audit")
    assert after == before


def test_newer_sequence_updates_and_cancels(clinic, tmp_path):
    p = clinic.p
    imp(p, fixture("google.ics"))
    text = open(fixture("google.ics")).read()
    # The first session an hour later; the check-ins cancelled from the
    # second on (an EXDATE more, and the whole event's third gone).
    newer = text.replace("DTSTART:20270111T150000Z\nDTEND:20270111T155000Z\n"
                         "DTSTAMP:20261120T101500Z\nORGANIZER;CN=Ana Ruiz:mailto:ana@example.org\n"
                         "UID:0a1b2c3d4e5f6g7h8i9j@google.com\n",
                         "DTSTART:20270111T160000Z\nDTEND:20270111T165000Z\n"
                         "DTSTAMP:20261120T101500Z\nORGANIZER;CN=Ana Ruiz:mailto:ana@example.org\n"
                         "UID:0a1b2c3d4e5f6g7h8i9j@google.com\n", 1)
    newer = newer.replace("SEQUENCE:0\nSTATUS:CONFIRMED\nSUMMARY:Session\\, first one",
                          "SEQUENCE:1\nSTATUS:CONFIRMED\nSUMMARY:Session\\, first one")
    newer = newer.replace("EXDATE:20270126T140000Z",
                          "EXDATE:20270119T140000Z,20270126T140000Z")
    newer = newer.replace("SEQUENCE:1\nSTATUS:CONFIRMED\nSUMMARY:Check-in",
                          "SEQUENCE:2\nSTATUS:CONFIRMED\nSUMMARY:Check-in")
    # The dentist is off.
    newer = newer.replace("UID:dentist-9@google.com\nCREATED:20261101T090000Z\n"
                          "SEQUENCE:0\nSTATUS:CONFIRMED",
                          "UID:dentist-9@google.com\nCREATED:20261101T090000Z\n"
                          "SEQUENCE:1\nSTATUS:CANCELLED")
    assert newer.count("SEQUENCE:1\nSTATUS:CONFIRMED\nSUMMARY:Session") == 1
    path = tmp_path / "newer.ics"
    path.write_text(newer)
    rc, out, err = imp(p, str(path))
    c = counts(out)
    assert (c["updated"], c["cancelled"], c["added"]) == (1, 2, 0), out
    got = sessions(p)
    assert [(a["start"], a["state"]) for a in got] == [
        (z("20270111T160000Z"), "booked"),
        (z("20270112T140000Z"), "booked"),
        (z("20270119T140000Z"), "cancelled"),
        (z("20270202T140000Z"), "booked")]
    assert not refused_booking(p, "ana", "2027-01-13 15:15")[0]
    # And the older file, imported after it, changes nothing back.
    rc, out, err = imp(p, fixture("google.ics"))
    reasons = " ".join(i.get("reason", "") for i in out["import"]["items"])
    assert "older" in reasons, out
    assert [(a["start"], a["state"]) for a in sessions(p)][0] == (
        z("20270111T160000Z"), "booked")


def test_newer_apple_series(clinic, tmp_path):
    p = clinic.p
    imp(p, fixture("apple.ics"))
    series = {a["series"] for a in sessions(p)}
    text = open(fixture("apple.ics")).read()
    # The fourth moved to the Tuesday, the moved second dropped (an
    # EXDATE), the cancelled third booked again (its override gone).
    newer = text.replace("RRULE:FREQ=WEEKLY;COUNT=4\n",
                         "RRULE:FREQ=WEEKLY;COUNT=4\n"
                         "EXDATE;TZID=America/New_York:20270208T130000\n")
    start = newer.index("BEGIN:VEVENT\nCREATED:20261110T150000Z\n"
                        "UID:5E1A9C3B-7D2F-4E8A-9B6C-1F0D2E3A4B5C\n"
                        "DTSTART;TZID=America/New_York:20270209T150000")
    end = newer.index("END:VEVENT\n", start) + len("END:VEVENT\n")
    newer = newer[:start] + newer[end:]
    newer = newer.replace("DTSTART;TZID=America/New_York:20270215T130000\n"
                          "DURATION:PT50M\n"
                          "RECURRENCE-ID;TZID=America/New_York:20270215T130000\n"
                          "STATUS:CANCELLED\n",
                          "DTSTART;TZID=America/New_York:20270223T130000\n"
                          "DURATION:PT50M\n"
                          "RECURRENCE-ID;TZID=America/New_York:20270222T130000\n")
    newer = newer.replace("SEQUENCE:0\nORGANIZER;CN=\"Ana Ruiz\";EMAIL",
                          "SEQUENCE:2\nORGANIZER;CN=\"Ana Ruiz\";EMAIL")
    path = tmp_path / "newer.ics"
    path.write_text(newer)
    rc, out, err = imp(p, str(path))
    c = counts(out)
    assert (c["updated"], c["cancelled"], c["added"], c["skipped"]) == (
        2, 1, 0, 0), out
    got = sessions(p)
    assert {a["series"] for a in got} == series
    assert [(a["local_start"], a["state"]) for a in got] == [
        ("2027-02-01 13:00", "booked"),
        ("2027-02-09 15:00", "cancelled"),
        ("2027-02-15 13:00", "booked"),
        ("2027-02-23 13:00", "booked")]


def test_dry_run_changes_nothing(clinic):
    p = clinic.p
    before = db_state(p)
    rc, out, err = imp(p, fixture("google.ics"), "--dry-run")
    assert out["import"]["dry_run"] is True
    assert counts(out)["added"] == 6
    assert [i["outcome"] for i in out["import"]["items"]].count("added") == 6
    assert db_state(p) == before
    # Each line says what the event would be, when and whose, as the
    # schedule shows it: a UID means nothing at the front desk.
    first = [i for i in out["import"]["items"]
             if i["uid"] == "0a1b2c3d4e5f6g7h8i9j@google.com"][0]
    assert (first["local_start"], first["local_end"]) == (
        "2027-01-11 10:00", "2027-01-11 10:50"), first
    assert first["client"]["name"] == "Jordan Lee", first
    assert first["clinician"]["name"] == "Ana Ruiz", first
    # Its table says what would be done, and that nothing was.
    rc, text, err = p.ctl("import", fixture("google.ics"), "--dry-run", json=False)
    assert "dry run" in text and "added:" in text, text
    lines = text.splitlines()
    assert "added: line 9, 2027-01-11 10:00-10:50 Jordan Lee with Ana Ruiz " \
        "(UID 0a1b2c3d4e5f6g7h8i9j@google.com)" in lines, text
    assert "added: line 45, busy 2027-01-15 (all day) for Ana Ruiz " \
        "(UID day-off-3@google.com)" in lines, text
    assert "added: line 58, busy 2027-01-13 15:00-16:00 for Ana Ruiz " \
        "(UID dentist-9@google.com)" in lines, text
    # A rule in UTC keeps its UTC times: no series, and the line says why.
    assert "note: line 28, UID weekly-check-in-77@google.com: a recurring " \
        "event: 3 sessions of their own up to 2027-02-02, no series: its " \
        "rule runs in UTC, not in the clinician's zone (%s)" % TZ in lines, text
    assert db_state(p) == before


def test_dry_run_names_days_off_as_days(clinic, tmp_path):
    p = clinic.p
    ics = tmp_path / "leave.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:leave-1\r\nDTSTAMP:20261201T000000Z\r\n"
        "DTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270304\r\n"
        "SUMMARY:Leave\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    rc, text, err = p.ctl("import", str(ics), "--clinician", "ana",
                          "--dry-run", json=False)
    assert "added: line 4, busy 2027-03-01 to 2027-03-03 (all day) for " \
        "Ana Ruiz (UID leave-1)" in text.splitlines(), text


def test_an_erased_client_leaves_the_reports(clinic):
    """The reports kept in memory forget an erased client's name, as
    the database does."""
    p = clinic.p
    rc, out, err = imp(p, fixture("google.ics"), "--dry-run")
    n = out["import"]["id"]
    named = [i for i in out["import"]["items"] if "client" in i]
    assert named and all(i["client"]["name"] == "Jordan Lee" for i in named)
    p.ctl("client", "erase", "jordan", "--force")
    status, got = p.api("GET", "/v1/imports/%d" % n)
    assert status == 200, got
    got = got["import"]
    assert "Jordan" not in json.dumps(got), got
    assert all(i["client"]["name"].startswith("erased client ")
               for i in got["items"] if "client" in i), got


def test_dry_run_names_a_moved_occurrence(clinic):
    p = clinic.p
    rc, text, err = p.ctl("import", fixture("apple.ics"), "--dry-run",
                          json=False)
    uid = "5E1A9C3B-7D2F-4E8A-9B6C-1F0D2E3A4B5C"
    lines = text.splitlines()
    assert "note: line 22, UID %s: booked as series 1" % uid in lines, text
    assert "added: line 38, 2027-02-09 15:00-15:50 Jordan Lee with Ana Ruiz " \
        "(UID %s, moved from 2027-02-08 13:00)" % uid in lines, text
    assert "added: line 52, 2027-02-15 13:00-13:50 Jordan Lee with Ana Ruiz " \
        "(UID %s): cancelled in the calendar" % uid in lines, text
    # In the importer's zone (-z), as every time practicectl shows.
    rc, text, err = p.ctl("-z", "Europe/London", "import", fixture("apple.ics"),
                          "--dry-run", json=False)
    assert "(UID %s, moved from 2027-02-08 18:00)" % uid in text, text


# ------------------------------------------------------------ bad input

def test_unreadable_file_is_refused_whole(clinic, tmp_path):
    p = clinic.p
    junk = tmp_path / "junk.ics"
    good = open(fixture("google.ics"), "rb").read()
    junk.write_bytes(good[:400] + bytes(range(256)) * 8 + good[400:])
    before = db_state(p)
    rc, out, err = imp(p, str(junk), check=False)
    assert rc == 1 and "line" in err and "nothing was imported" in err, err
    assert db_state(p) == before
    long = tmp_path / "long.ics"
    long.write_bytes(good[:400] + b"X-LONG:" + b"a" * (5 * 1024 * 1024) +
                     b"\r\n" + good[400:])
    rc, out, err = imp(p, str(long), check=False)
    assert rc == 1 and "line" in err, err
    assert db_state(p) == before
    rc, out, err = imp(p, str(tmp_path / "missing.ics"), check=False)
    assert rc == 2 and "missing.ics" in err


def test_bad_events_are_skipped_the_rest_imported(clinic):
    p = clinic.p
    t0 = time.monotonic()
    rc, out, err = imp(p, fixture("runaway.ics"))
    assert time.monotonic() - t0 < 10
    c = counts(out)
    assert (c["added"], c["skipped"]) == (1, 3), out
    items = {i["uid"]: i for i in out["import"]["items"]}
    assert items["runaway-1@example.org"]["line"] == 9     # its RRULE
    assert "runaway-1@example.org" in items and "nowhere-2@example.org" in items
    assert "someone@elsewhere.example" in items["stranger-3@example.org"]["reason"]
    got = sessions(p)
    assert [a["start"] for a in got] == [z("20270304T150000Z")]
    # The table names each skipped event by its line and UID.
    rc, text, err = p.ctl("import", fixture("runaway.ics"), json=False)
    assert "line 9, UID runaway-1@example.org" in text, text


def test_clash_is_imported_and_flagged(clinic):
    p = clinic.p
    p.ctl("book", "--client", "sam", "--clinician", "ana", "--service",
          "individual", "--at", "2027-01-11 10:00", "--force")
    rc, out, err = imp(p, fixture("google.ics"))
    c = counts(out)
    assert c["clashes"] == 1 and c["added"] == 6, out
    clash = [i for i in out["import"]["items"] if i.get("clash")]
    assert len(clash) == 1 and clash[0]["uid"] == "0a1b2c3d4e5f6g7h8i9j@google.com"
    got = [a for a in sessions(p) if a["client"]["name"] == "Jordan Lee"
           and a["start"] == z("20270111T150000Z")]
    assert len(got) == 1 and got[0]["overlap"]
    assert "imported_clash" in got[0]["attention"], got[0]
    rc, text, err = p.ctl("import", fixture("google.ics"), json=False)
    assert "clashes:" in text


def test_audit_names_the_importer(clinic):
    p = clinic.p
    imp(p, fixture("apple.ics"))
    entries = p.ctl("audit", "--limit", "1000")[1]["audit"]
    made = [e for e in entries if e["action"].startswith(("appointment.",
                                                          "series."))]
    assert {e["action"] for e in made} >= {"series.book", "appointment.move",
                                           "appointment.cancel"}, made
    assert all(e["user"] == "import" for e in made), made
    done = [e for e in entries if e["action"] == "import"]
    assert len(done) == 1 and "started by" in done[0]["detail"]


# ------------------------------------------------------------ the parts

def begin(p, **fields):
    """POST /v1/imports: (id, part_max)."""
    status, out = p.api("POST", "/v1/imports", fields)
    assert status == 201, out
    return out["import"]["id"], out["part_max"]


def post_part(p, iid, data, ctype="text/calendar"):
    """POST /v1/imports/ID/parts with data as the body (ctype None: no
    Content-Type); (status, answer).  A daemon that refuses a body over
    the limit may close before it has all been sent."""
    head = "POST /v1/imports/%d/parts HTTP/1.1\r\nHost: x\r\n" % iid
    if ctype is not None:
        head += "Content-Type: %s\r\n" % ctype
    head += "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(data)
    s = p.connect()
    try:
        try:
            s.sendall(head.encode() + data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = read_http_response(s)
    finally:
        s.close()
    assert r is not None, "no answer to a part"
    return r.status, r.json()


def received(p, iid):
    status, out = p.api("GET", "/v1/imports/%d" % iid)
    assert status == 200, out
    return out["import"]["bytes"]


def finish(p, iid):
    """POST .../start, then GET until it has run: the import."""
    status, out = p.api("POST", "/v1/imports/%d/start" % iid, {})
    assert status == 202, out
    deadline = time.monotonic() + 30
    while out["import"]["state"] in ("reading", "importing"):
        assert time.monotonic() < deadline, out
        time.sleep(0.02)
        status, out = p.api("GET", "/v1/imports/%d" % iid)
        assert status == 200, out
    return out["import"]


def test_parts_are_the_files_bytes(clinic):
    p = clinic.p
    iid, part_max = begin(p)
    # No base64 or JSON round a part: it is nearly the whole body.
    assert 60 * 1024 < part_max < 64 * 1024, part_max
    data = open(fixture("google.ics"), "rb").read()
    cut = len(data) // 3            # mid-line: parts are joined as bytes
    for chunk, ctype in ((data[:cut], "text/calendar"),
                         (data[cut:], "Text/Calendar; charset=utf-8")):
        status, out = post_part(p, iid, chunk, ctype)
        assert status == 200 and out["import"]["received"] == len(chunk), out
    assert received(p, iid) == len(data)
    got = finish(p, iid)
    assert got["state"] == "done" and got["counts"]["added"] == 6, got
    assert len(sessions(p)) == 4


def test_progress_leaves_the_report_out_until_asked(clinic):
    """A poll of a running import answers its progress without the
    report's lines (up to a thousand, dumped at every poll); ?items=1
    asks for them, and the answer once it has ended has them."""
    p = clinic.p
    iid, part_max = begin(p)
    head = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//clash//EN\r\n")
    # Every one after the first clashes with it: a line each.
    ev = ("BEGIN:VEVENT\r\nUID:same-%d@example.org\r\n"
          "DTSTAMP:20261101T000000Z\r\nDTSTART:20270104T150000Z\r\n"
          "DTEND:20270104T155000Z\r\nORGANIZER:mailto:ana@example.org\r\n"
          "ATTENDEE;CN=Jordan Lee:mailto:jordan@example.org\r\n"
          "SUMMARY:Session\r\nEND:VEVENT\r\n")
    data = (head + "".join(ev % i for i in range(2000)) +
            "END:VCALENDAR\r\n").encode()
    for at in range(0, len(data), part_max):
        status, out = post_part(p, iid, data[at:at + part_max])
        assert status == 200, out
    status, out = p.api("POST", "/v1/imports/%d/start" % iid, {})
    assert status == 202, out
    seen_without = seen_with = False
    deadline = time.monotonic() + 60
    while out["import"]["state"] in ("reading", "importing"):
        assert time.monotonic() < deadline, out
        status, out = p.api("GET", "/v1/imports/%d" % iid)
        assert status == 200, out
        if out["import"]["state"] == "importing" and \
                out["import"]["counts"]["clashes"] > 0:
            assert "items" not in out["import"] and "wait" in out, out
            seen_without = True
            status, asked = p.api("GET", "/v1/imports/%d?items=1" % iid)
            assert status == 200, asked
            if asked["import"]["state"] == "importing":
                assert asked["import"]["items"], asked
                seen_with = True
    assert seen_without and seen_with, "the import ended before a poll"
    imp_ = out["import"]
    assert imp_["state"] == "done" and "wait" not in out, out
    assert imp_["counts"]["clashes"] == 1999, imp_["counts"]
    assert len(imp_["items"]) == 1000 and imp_["items_dropped"] > 0, (
        len(imp_["items"]))


def test_a_part_of_another_type_is_refused(clinic):
    p = clinic.p
    iid, part_max = begin(p)
    before = db_state(p)
    data = open(fixture("google.ics"), "rb").read()
    for body, ctype in ((b'{"data": "QkVHSU46VkNBTEVOREFS"}', "application/json"),
                        (data, "text/plain"),
                        (data, "text/calendarx"),
                        (data, None)):
        status, out = post_part(p, iid, body, ctype)
        assert status == 415, (ctype, out)
        assert out["error"]["code"] == "unsupported_media_type", out
        msg = out["error"]["message"]
        assert "Content-Type text/calendar" in msg, msg
        assert ('"%s"' % ctype if ctype else "none") in msg, msg
    # A type that cannot be quoted back is not.
    status, out = post_part(p, iid, data, "x/\x01\x7f")
    assert status == 415 and "not another" in out["error"]["message"], out
    assert received(p, iid) == 0
    assert db_state(p) == before
    status, out = p.api("POST", "/v1/imports/%d/start" % iid, {})
    assert status == 400 and "no file" in out["error"]["message"], out


def test_a_part_over_the_limit_is_refused(clinic):
    p = clinic.p
    iid, part_max = begin(p)
    head = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//pad//EN\r\n"
    pad = head + b"X-PAD:" + b"a" * (part_max + 1 - len(head) - 8) + b"\r\n"
    assert len(pad) == part_max + 1
    status, out = post_part(p, iid, pad)
    assert status == 413 and out["error"]["code"] == "too_large", out
    assert "part_max" in out["error"]["message"], out
    # Over max_body_kib: refused before it reaches the import.
    status, out = post_part(p, iid, pad + b"a" * 4096)
    assert status == 413 and out["error"]["code"] == "too_large", out
    assert received(p, iid) == 0
    # part_max bytes exactly are a part.
    status, out = post_part(p, iid, pad[:-3] + b"\r\n")
    assert status == 200 and out["import"]["received"] == part_max, out
    assert received(p, iid) == part_max
    status, out = p.api("GET", "/v1/imports/999")
    assert status == 404


def test_an_empty_part_is_refused(clinic):
    p = clinic.p
    iid, part_max = begin(p)
    status, out = post_part(p, iid, b"")
    assert status == 400 and "empty" in out["error"]["message"], out
    assert received(p, iid) == 0
    # Of an import not the caller's, or none: not found, as for any part.
    status, out = post_part(p, 999, b"BEGIN:VCALENDAR\r\n")
    assert status == 404, out


def test_bytes_not_utf8_in_a_part(clinic):
    """The upload takes any bytes, a character cut between two parts or
    no character at all; the reader reports what is not UTF-8."""
    p = clinic.p
    data = open(fixture("google.ics"), "rb").read().split(b"\n")
    line = next(i for i, l in enumerate(data) if l.startswith(b"SUMMARY"))
    data[line] = b"SUMMARY:caf\xe9 \xff\xfe"
    data = b"\n".join(data)
    iid, part_max = begin(p)
    cut = data.index(b"\xff") + 1
    for chunk in (data[:cut], data[cut:]):
        status, out = post_part(p, iid, chunk)
        assert status == 200 and out["import"]["received"] == len(chunk), out
    got = finish(p, iid)
    assert got["state"] == "refused", got
    assert got["refused"]["line"] == line + 1, got
    assert "UTF-8" in got["refused"]["reason"], got
    assert sessions(p) == []


def split_file(part_max, name):
    """A file in which the character after "Jos" in CN=name is cut in two
    by the boundary of the first part (part_max bytes)."""
    head = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//split//EN\r\n"
    event = ("BEGIN:VEVENT\r\nUID:split-1@example.org\r\n"
             "DTSTAMP:20261101T000000Z\r\nDTSTART:20270111T150000Z\r\n"
             "DTEND:20270111T155000Z\r\nORGANIZER:mailto:ana@example.org\r\n"
             "ATTENDEE;CN=%s:mailto:jose@example.org\r\nSUMMARY:Session\r\n"
             "END:VEVENT\r\nEND:VCALENDAR\r\n" % name).encode()
    at = event.index(b"Jos") + 3
    pad = b""
    need = part_max - 1 - len(head) - at   # the pad's bytes
    while need > 0:
        n = min(need, 1000)
        if need - n and need - n < 8:       # each line holds X-P:\r\n
            n -= 8
        pad += b"X-P:" + b"a" * (n - 6) + b"\r\n"
        need -= n
    data = head + pad + event
    assert data[part_max - 1:part_max + 1] == name[3].encode(), data[part_max - 5:]
    return data


def test_a_character_cut_between_parts(clinic, tmp_path):
    p = clinic.p
    iid, part_max = begin(p)
    path = tmp_path / "split.ics"
    path.write_bytes(split_file(part_max, "José Núñez"))
    rc, out, err = imp(p, str(path), "--create-clients")
    assert counts(out)["added"] == 1 and counts(out)["clients_added"] == 1, out
    got = sessions(p)
    assert [a["client"]["name"] for a in got] == ["José Núñez"], got


def test_roles_and_owners(clinic, workdir):
    p = clinic.p
    path = os.path.join(workdir, "apple.ics")       # readable by the users
    shutil.copy(fixture("apple.ics"), path)
    os.chmod(path, 0o644)
    err = refused(p, "import", path, user=USER_RO)
    assert "may not import calendars" in err, err
    rc, out, err = p.ctl("import", path, user=USER_STAFF)
    assert counts(out)["added"] == 5        # 4 sessions, a busy lunch
    # An import is its maker's: another user does not see it.
    iid = out["import"]["id"]
    status, out = p.api("GET", "/v1/imports/%d" % iid)
    assert status == 404, out


def test_progress_on_a_terminal(clinic, tmp_path):
    """On a terminal the upload shows on stderr, part by part."""
    p = clinic.p
    path = tmp_path / "big.ics"
    big_file(str(path), 600)
    size = os.path.getsize(path)
    iid, part_max = begin(p)
    assert size > 2 * part_max
    master, slave = pty.openpty()
    proc = subprocess.Popen([PRACTICECTL, "-s", p.sock, "--json", "import",
                             str(path)], stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    err = read_pty(master)
    out = json.loads(proc.stdout.read())
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0, err
    assert counts(out)["added"] == 600, out
    sent = re.findall(rb"import: sent (\d+) of (\d+) KB", err)
    assert [int(n) for n, total in sent] == [
        min((k + 1) * part_max, size) // 1024
        for k in range((size + part_max - 1) // part_max)], err
    assert {int(total) for n, total in sent} == {size // 1024}, err


# ------------------------------------------------------------ a large file

def big_file(path, n, clinician="ana@example.org"):
    """n one-off sessions of Jordan's, 30 minutes apart from 2027-01-04."""
    start = dt.datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
    with open(path, "w") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//big//EN\r\n")
        for i in range(n):
            t = start + dt.timedelta(minutes=30 * i)
            f.write("BEGIN:VEVENT\r\nUID:big-%d@example.org\r\nDTSTAMP:20261101T000000Z\r\n"
                    "DTSTART:%s\r\nDTEND:%s\r\nORGANIZER:mailto:%s\r\n"
                    "ATTENDEE;CN=Jordan Lee:mailto:jordan@example.org\r\n"
                    "SUMMARY:Session %d\r\nEND:VEVENT\r\n"
                    % (i, t.strftime("%Y%m%dT%H%M%SZ"),
                       (t + dt.timedelta(minutes=30)).strftime("%Y%m%dT%H%M%SZ"),
                       clinician, i))
        f.write("END:VCALENDAR\r\n")


N_BIG = int(os.environ.get("IMPORT_TEST_EVENTS", "5000"))


def sanitized():
    """Whether practiced is the ASan build (some three times slower)."""
    with open(PRACTICED, "rb") as f:
        return b"AddressSanitizer" in f.read()


def test_large_import_leaves_others_served(clinic, tmp_path):
    p = clinic.p
    path = tmp_path / "big.ics"
    big_file(str(path), N_BIG)
    result = {}

    def run():
        result["out"] = imp(p, str(path))

    th = threading.Thread(target=run)
    th.start()
    worst = 0.0
    asked = 0
    while th.is_alive():
        t0 = time.monotonic()
        p.ctl("status")
        worst = max(worst, time.monotonic() - t0)
        asked += 1
        time.sleep(0.05)
    th.join()
    rc, out, err = result["out"]
    c = counts(out)
    assert c["added"] == N_BIG and c["skipped"] == 0, c
    assert out["import"]["events_done"] == N_BIG
    print("import of %d events: %d status calls answered, the slowest in "
          "%.0f ms; the loop's longest slice %d ms (%d ms of CPU)" % (
              N_BIG, asked, worst * 1000, out["import"]["longest_slice_ms"],
              out["import"]["longest_slice_cpu_ms"]))
    # The CPU a slice held the loop for: the wall clock also counts the
    # turns of whatever else runs on a busy machine.
    slow = 3 if sanitized() else 1
    assert worst < 1.0 * slow, worst
    assert out["import"]["longest_slice_cpu_ms"] < 100 * slow
    rc, out, err = imp(p, str(path))
    assert counts(out)["unchanged"] == N_BIG


# ------------------------------------------------------------ a round trip

def shape(p, frm, to):
    got = p.ctl("list", "--from", frm, "--to", to)[1]["appointments"]
    series = {}
    for a in got:
        if a["series"] is not None:
            series.setdefault(a["series"], []).append(a["start"])
    return ([(a["start"], a["end"], a["clinician"]["name"], a["client"]["name"],
              a["state"], a["series"] is not None, a["override"]) for a in got],
            sorted(sorted(v) for v in series.values()))


def test_export_then_import_gives_the_same_schedule(make_practice, tmp_path):
    a, b = make_practice(), make_practice()
    for p in (a, b):
        s = seed_practice(p)
        p.ctl("clinician", "edit", "ben", "--email", "ben@example.org")
    monday = s.monday
    at = lambda d, hm: "%s %s" % ((monday + dt.timedelta(days=d)).isoformat(), hm)
    book = ("book", "--client", "jordan", "--service", "individual")
    out = a.ctl(*book, "--clinician", "ana", "--at", at(0, "10:00"),
                "--repeat", "weekly", "--count", "6")[1]
    occ = [x["id"] for x in a.ctl("series", "show", out["series"]["id"])[1]
           ["series"]["appointments"]]
    a.ctl("move", occ[1], "--at", at(7, "11:00"))
    a.ctl("cancel", occ[3], "--by", "practice")
    a.ctl(*book, "--clinician", "ben", "--at", at(1, "09:00"))
    one = a.ctl(*book, "--clinician", "ana", "--at", at(2, "15:00"))[1]
    a.ctl("cancel", one["appointment"]["id"], "--by", "practice")
    a.ctl(*book, "--clinician", "ana", "--at", at(3, "09:00"), "--repeat",
          "weekly")                                   # open-ended
    path = tmp_path / "a.ics"
    path.write_text(a.ctl("export", "--detail", "full", json=False)[1])
    rc, out, err = imp(b, str(path))
    c = counts(out)
    assert c["skipped"] == 0 and c["clashes"] == 0, out
    frm, to = monday.isoformat(), (monday + dt.timedelta(days=120)).isoformat()
    want, got = shape(a, frm, to), shape(b, frm, to)
    assert len(want[0]) > 20 and len(want[1]) == 2, want
    assert got[0] == want[0]
    assert got[1] == want[1]
    assert len(b.ctl("series", "list", "--all")[1]["series"]) == 2
    # And once more: nothing changes.
    rc, out, err = imp(b, str(path))
    c = counts(out)
    assert c["added"] == c["updated"] == c["cancelled"] == 0, out
    assert shape(b, frm, to) == got
    # Into the practice it came from: every event is its own already, and
    # is skipped, saying so; nothing is copied (a dry run says the same).
    for extra in (("--dry-run",), ()):
        rc, out, err = imp(a, str(path), *extra)
        c = counts(out)
        assert c["added"] == c["clashes"] == 0 and c["skipped"] > 0, out
        assert all("exported from this practice" in i["reason"]
                   for i in out["import"]["items"]), out["import"]["items"][:3]
    assert shape(a, frm, to) == want


def test_an_import_reminds_but_announces_nothing(make_practice):
    """Sessions the other system booked were told to their clients there:
    the import plans their reminders and sends no confirmation; a change
    made here afterwards is told as usual."""
    p = make_practice(sections={"reminders": [
        ("rule", "email 48h"), ("notices", "yes")]},
        practice_extra={"phone": "+1 555 010 1234"})
    seed_practice(p)
    p.ctl("client", "edit", "jordan", "--remind", "email")
    imp(p, fixture("google.ics"))
    kinds = [r["notice"] for r in rows(p)]
    assert kinds and set(kinds) == {"reminder"}, kinds
    first = sessions(p)[0]
    p.ctl("move", str(first["id"]), "--at", "2027-01-11 11:00")
    kinds = [r["notice"] for r in rows(p, first["id"])]
    assert "reschedule" in kinds, kinds
