"""Appointments end to end: book, list, show, move, cancel, mark, and every
refusal (clashes incl. buffer, rooms, hours, past, DST gap, bad input)."""

import copy
import datetime as dt
import itertools
import re
import threading

import pytest

from conftest import (TZ, at, audit_entries, book, dst_fold_day, dst_gap_day,
                      local_from_now, local_in, refused, seed_practice, today,
                      utc_of)

UTC_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
LONDON = "Europe/London"


def appt(p, aid):
    return p.ctl("show", aid)[1]["appointment"]


def listed(p, *args):
    out = p.ctl("list", *args)[1]
    starts = [a["start"] for a in out["appointments"]]
    assert starts == sorted(starts), "list not ordered by start: %r" % starts
    return out


def ids(p, *args):
    return [a["id"] for a in listed(p, *args)["appointments"]]


def week(p, day, *args):
    return set(ids(p, "--week", day.isoformat(), *args))


_fortnights = itertools.count(1)


@pytest.fixture
def wclinic(module_clinic):
    """The module's shared clinic, with a fortnight of its own (its Monday
    and the week after are used by no other test)."""
    s = copy.copy(module_clinic)
    s.monday = module_clinic.monday + dt.timedelta(days=14 * next(_fortnights))
    s.tuesday = s.monday + dt.timedelta(days=1)
    s.saturday = s.monday + dt.timedelta(days=5)
    yield s
    assert s.p.alive(), "practiced died; log:\n%s" % s.p.log()


def booked(p, *a, **kw):
    rc, out, err = book(p, *a, **kw)
    return out["appointment"]


# ------------------------------------------------------------------ booking

def test_book_and_show(wclinic):
    s, p = wclinic, wclinic.p
    c0 = p.ctl("status")[1]["counts"]
    rc, out, _ = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    a = out["appointment"]
    d = s.monday.isoformat()
    assert isinstance(a["id"], int)
    assert a["start"] == utc_of(s.monday, "10:00")
    assert a["end"] == utc_of(s.monday, "10:50")
    assert (a["local_start"], a["local_end"]) == (d + " 10:00", d + " 10:50")
    assert a["tz"] == TZ and a["zone"] == TZ
    assert (a["minutes"], a["buffer"]) == (50, 10)
    assert a["clinician"] == {"id": s.ana, "name": "Ana Ruiz"}
    assert a["client"]["id"] == s.jordan and a["client"]["name"] == "Jordan Lee"
    assert a["client"]["initials"] == "JL"
    assert a["service"] == {"id": s.svc, "name": "Individual session"}
    assert a["room"] == {"id": s.room1, "name": "Room 1"}
    assert a["video_url"] is None
    assert a["state"] == "booked"
    assert a["cancelled_by"] is None and a["late"] is False and a["cancel_reason"] is None
    assert a["forced"] is False and a["overlap"] is False
    assert a["version"] == 1
    assert UTC_RE.match(a["created"]) and UTC_RE.match(a["updated"])
    assert out.get("warnings", []) == []
    assert appt(p, a["id"]) == a
    e = audit_entries(p)[-1]
    assert (e["action"], e["object"], e["object_id"]) == ("appointment.book", "appointment", a["id"])
    c = p.ctl("status")[1]["counts"]
    assert c["appointments"] == c0["appointments"] + 1
    assert c["upcoming"] == c0["upcoming"] + 1


def test_book_by_names_and_video(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, "jordan", "ruiz", "indiv", at(s.monday, "11:00"),
               "--video", "https://meet.example.org/abc-def")
    assert a["clinician"]["id"] == s.ana and a["client"]["id"] == s.jordan
    assert a["service"]["id"] == s.svc
    assert a["video_url"] == "https://meet.example.org/abc-def"
    assert a["room"] is None


def test_book_answers_201(wclinic):
    s, p = wclinic, wclinic.p
    status, out = p.api("POST", "/v1/appointments", {
        "client": s.jordan, "clinician": s.ana, "service": s.svc,
        "at": at(s.monday, "10:00"), "room": s.room1})
    assert status == 201, out
    assert out["appointment"]["start"] == utc_of(s.monday, "10:00")


def test_book_iso_t_and_relative_forms(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, "%sT09:00" % s.monday.isoformat())
    assert a["local_start"] == s.monday.isoformat() + " 09:00"
    tomorrow = today() + dt.timedelta(days=1)
    b = booked(p, s.sam, s.pat, s.short, "tomorrow 12:00", "--force")
    assert b["local_start"] == tomorrow.isoformat() + " 12:00"


def test_book_in_another_zone(wclinic):
    s, p = wclinic, wclinic.p
    # via the ctl's -z: the time is read in London, shown in London
    _, out, _ = p.ctl("book", "--client", s.jordan, "--clinician", s.ana,
                      "--service", s.svc, "--at", at(s.monday, "15:00"),
                      zone=LONDON)
    a = out["appointment"]
    assert a["start"] == utc_of(s.monday, "15:00", LONDON)
    assert a["tz"] == LONDON and a["zone"] == TZ
    assert a["local_start"] == s.monday.isoformat() + " 15:00"
    # the API body field "tz" does the same
    status, out = p.api("POST", "/v1/appointments", {
        "client": s.sam, "clinician": s.ben, "service": s.svc,
        "at": at(s.monday, "15:00"), "tz": LONDON})
    assert status == 201, out
    assert out["appointment"]["start"] == utc_of(s.monday, "15:00", LONDON)


# -------------------------------------------------------------------- list

def test_list_filters(wclinic):
    s, p = wclinic, wclinic.p
    nextmon = s.monday + dt.timedelta(days=7)
    a1 = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)["id"]
    a2 = booked(p, s.sam, s.ben, s.svc, at(s.monday, "10:00"), "--room", s.room2)["id"]
    a3 = booked(p, s.sam, s.ana, s.svc, at(s.tuesday, "09:00"))["id"]
    a4 = booked(p, s.jordan, s.ana, s.svc, at(nextmon, "10:00"))["id"]
    D = s.monday.isoformat()

    out = listed(p, "--day", D)
    assert (out["from"], out["to"], out["tz"]) == (D, D, TZ)
    assert set(a["id"] for a in out["appointments"]) == {a1, a2}
    assert ids(p, "--day", s.tuesday.isoformat()) == [a3]
    assert ids(p, "--day", s.saturday.isoformat()) == []

    wed = s.monday + dt.timedelta(days=2)
    out = listed(p, "--week", wed.isoformat())
    assert out["from"] == D
    assert out["to"] == (s.monday + dt.timedelta(days=6)).isoformat()
    assert set(a["id"] for a in out["appointments"]) == {a1, a2, a3}

    assert set(ids(p, "--from", D, "--to", s.tuesday.isoformat())) == {a1, a2, a3}
    # both ends inclusive
    assert set(ids(p, "--from", s.tuesday.isoformat(), "--to", nextmon.isoformat())) == {a3, a4}

    assert week(p, s.monday, "--clinician", "ana") == {a1, a3}
    assert week(p, s.monday, "--clinician", str(s.ben)) == {a2}
    assert week(p, s.monday, "--client", "sam") == {a2, a3}
    assert set(ids(p, "--from", D, "--to", nextmon.isoformat(), "--client", "jordan",
                   "--clinician", "ana")) == {a1, a4}
    assert week(p, s.monday, "--state", "booked") == {a1, a2, a3}

    p.ctl("cancel", a2)
    assert week(p, s.monday, "--state", "cancelled") == {a2}
    assert week(p, s.monday, "--state", "booked") == {a1, a3}


def test_list_defaults_to_today_and_knows_tomorrow(wclinic):
    p = wclinic.p
    out = listed(p)
    t = today()
    assert out["from"] == out["to"] == t.isoformat()
    out = listed(p, "--day", "tomorrow")
    assert out["from"] == (t + dt.timedelta(days=1)).isoformat()


def test_list_in_another_zone(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    _, out, _ = p.ctl("list", "--day", s.monday.isoformat(), zone=LONDON)
    assert out["tz"] == LONDON
    (b,) = out["appointments"]
    assert b["id"] == a["id"] and b["start"] == a["start"]
    assert b["local_start"] == local_in(a["start"], LONDON)
    _, out, _ = p.ctl("show", a["id"], zone=LONDON)
    assert out["appointment"]["local_start"] == local_in(a["start"], LONDON)


@pytest.mark.parametrize("args", [
    ["--day", "2027-02-30"], ["--day", "someday"], ["--week", "13/01/2027"],
    ["--from", "2027-01-01", "--to", "2027-01-32"],
])
def test_list_bad_dates_refused(module_clinic, args):
    refused(module_clinic.p, "list", *args, codes=(1, 2))


# ------------------------------------------------------------------ clashes

def test_clash_same_clinician_including_buffer(wclinic):
    s, p = wclinic, wclinic.p
    a1 = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))["id"]   # busy to 11:00
    for t in ("10:00", "10:30", "10:55", "09:30"):
        msg = refused(p, "book", "--client", s.sam, "--clinician", s.ana,
                      "--service", s.svc, "--at", at(s.monday, t))
        assert str(a1) in msg, msg
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.sam, "clinician": s.ana, "service": s.svc,
        "at": at(s.monday, "10:55")})
    assert status == 409 and body["error"]["code"] == "conflict", body
    clashes = body["error"]["details"]["clashes"]
    assert [c["id"] for c in clashes] == [a1]
    assert clashes[0]["kind"] == "clinician"
    assert ids(p, "--day", s.monday.isoformat()) == [a1]
    # exactly at the end of the buffer is free
    a2 = booked(p, s.sam, s.ana, s.svc, at(s.monday, "11:00"))["id"]
    assert ids(p, "--day", s.monday.isoformat()) == [a1, a2]
    # another clinician at the same time is fine
    booked(p, s.sam, s.ben, s.svc, at(s.monday, "10:00"))


def test_clash_with_the_new_sessions_own_buffer(wclinic):
    """The buffer after the new session is its own: 50+10 at 10:05 runs to
    11:05 and clashes with an 11:00 session, booked or moved there."""
    s, p = wclinic, wclinic.p
    a1 = booked(p, s.jordan, s.ana, s.short, at(s.monday, "11:00"))["id"]
    msg = refused(p, "book", "--client", s.sam, "--clinician", s.ana,
                  "--service", s.svc, "--at", at(s.monday, "10:05"))
    assert str(a1) in msg, msg
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.sam, "clinician": s.ana, "service": s.svc,
        "at": at(s.monday, "10:05")})
    assert status == 409 and body["error"]["code"] == "conflict", body
    assert [c["id"] for c in body["error"]["details"]["clashes"]] == [a1]
    # moved there from elsewhere: the same
    a2 = booked(p, s.sam, s.ana, s.svc, at(s.monday, "14:00"))["id"]
    refused(p, "move", a2, "--at", at(s.monday, "10:05"))
    assert appt(p, a2)["local_start"] == at(s.monday, "14:00")
    # ending with its buffer exactly at 11:00 is free
    a3 = booked(p, s.sam, s.ana, s.svc, at(s.monday, "10:00"))["id"]
    assert ids(p, "--day", s.monday.isoformat()) == [a3, a1, a2]


ARCHIVABLE = ("clinician", "client", "service", "room")


@pytest.mark.parametrize("kind", ARCHIVABLE)
def test_archived_records_cannot_be_booked(clinic, kind):
    s, p = clinic, clinic.p
    ref = {"clinician": s.ana, "client": s.jordan, "service": s.svc,
           "room": s.room1}[kind]
    body = {"client": s.jordan, "clinician": s.ana, "service": s.svc,
            "room": s.room1, "at": at(s.monday, "10:00")}
    p.ctl(kind, "edit", ref, "--active", "no")
    status, out = p.api("POST", "/v1/appointments", body)
    assert status == 409 and out["error"]["code"] == "invalid_state", (kind, out)
    assert "archived" in out["error"]["message"], out
    refused(p, "book", "--client", s.jordan, "--clinician", s.ana, "--service", s.svc,
            "--room", s.room1, "--at", at(s.monday, "10:00"))
    assert ids(p, "--week", s.monday.isoformat()) == []
    # active again, the same booking goes through
    p.ctl(kind, "edit", ref, "--active", "yes")
    status, out = p.api("POST", "/v1/appointments", body)
    assert status == 201, out


@pytest.mark.parametrize("kind", ("clinician", "room"))
def test_archived_clinician_or_room_cannot_be_moved_onto(clinic, kind):
    s, p = clinic, clinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    target = {"clinician": s.ben, "room": s.room2}[kind]
    p.ctl(kind, "edit", target, "--active", "no")
    status, out = p.api("POST", "/v1/appointments/%d/move" % a["id"],
                        {"at": at(s.monday, "11:00"), kind: target})
    assert status == 409 and out["error"]["code"] == "invalid_state", out
    assert appt(p, a["id"]) == a
    p.ctl(kind, "edit", target, "--active", "yes")
    status, out = p.api("POST", "/v1/appointments/%d/move" % a["id"],
                        {"at": at(s.monday, "11:00"), kind: target})
    assert status == 200, out


def test_clash_same_room_different_clinicians(wclinic):
    s, p = wclinic, wclinic.p
    a1 = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)["id"]
    msg = refused(p, "book", "--client", s.sam, "--clinician", s.ben, "--service", s.svc,
                  "--at", at(s.monday, "10:30"), "--room", "room 1")
    assert str(a1) in msg
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.sam, "clinician": s.ben, "service": s.svc,
        "at": at(s.monday, "10:30"), "room": s.room1})
    assert status == 409 and body["error"]["code"] == "conflict", body
    assert [(c["id"], c["kind"]) for c in body["error"]["details"]["clashes"]] == [(a1, "room")]
    assert ids(p, "--day", s.monday.isoformat()) == [a1]
    a2 = booked(p, s.sam, s.ben, s.svc, at(s.monday, "10:30"), "--room", s.room2)["id"]
    assert ids(p, "--day", s.monday.isoformat()) == [a1, a2]


def test_overlap_accepted_and_audited(wclinic):
    s, p = wclinic, wclinic.p
    booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    # force does not override a clash
    refused(p, "book", "--client", s.sam, "--clinician", s.ana, "--service", s.svc,
            "--at", at(s.monday, "10:30"), "--force")
    rc, out, _ = book(p, s.sam, s.ana, s.svc, at(s.monday, "10:30"), "--overlap")
    a = out["appointment"]
    assert a["overlap"] is True and a["forced"] is False
    assert appt(p, a["id"])["overlap"] is True
    e = audit_entries(p)[-1]
    assert e["action"] == "appointment.book" and e["object_id"] == a["id"]
    assert "overlap" in (e["detail"] or "").lower(), e


def test_a_refusal_lists_the_first_clashes(wclinic):
    """Many sessions in the way: the refusal names the first 20 by start,
    not all of them (bounded, whatever the schedule holds)."""
    s, p = wclinic, wclinic.p
    made = []
    for k in range(22):
        status, body = p.api("POST", "/v1/appointments", {
            "client": s.jordan, "clinician": s.ana, "service": s.svc,
            "at": at(s.monday, "10:%02d" % k), "overlap": True})
        assert status == 201, body
        made.append(body["appointment"]["id"])
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.sam, "clinician": s.ana, "service": s.svc,
        "at": at(s.monday, "10:30")})
    assert status == 409, body
    clashes = body["error"]["details"]["clashes"]
    assert [c["id"] for c in clashes] == made[:20], clashes


# ---------------------------------------------------------- hours and past

def test_outside_hours_refused_naming_the_hours(wclinic):
    s, p = wclinic, wclinic.p
    for day, t in ((s.monday, "08:00"), (s.monday, "16:30"), (s.monday, "17:00")):
        msg = refused(p, "book", "--client", s.jordan, "--clinician", s.ana,
                      "--service", s.svc, "--at", at(day, t))
        assert "09:00-17:00" in msg, msg
    # a day off: the message names the hours or the day
    msg = refused(p, "book", "--client", s.jordan, "--clinician", s.ana,
                  "--service", s.svc, "--at", at(s.saturday, "10:00"))
    assert "09:00-17:00" in msg or "Sat" in msg, msg
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.jordan, "clinician": s.ana, "service": s.svc,
        "at": at(s.monday, "08:00")})
    assert status == 422 and body["error"]["code"] == "outside_hours", body
    assert body["error"].get("details", {}).get("hours"), body
    assert week(p, s.monday) == set()
    # the edges are inside: 09:00 start, and a 30-minute session ending 17:00
    booked(p, s.jordan, s.ana, s.svc, at(s.monday, "09:00"))
    booked(p, s.jordan, s.ana, s.short, at(s.monday, "16:30"))


def test_outside_hours_in_clinicians_zone(clinic):
    s, p = clinic, clinic.p
    lou = p.ctl("clinician", "add", "Lou Smith", "--zone", LONDON)[1]["clinician"]["id"]
    p.ctl("clinician", "hours", lou, "mon-fri", "09:00-17:00")
    # 09:00 New York is 13:00 or 14:00 in London: inside
    a = booked(p, s.jordan, lou, s.svc, at(s.monday, "09:00"))
    assert a["zone"] == LONDON and a["tz"] == TZ
    # 13:00 New York is 17:00 or 18:00 in London: outside
    msg = refused(p, "book", "--client", s.sam, "--clinician", lou, "--service", s.svc,
                  "--at", at(s.monday, "13:00"))
    assert LONDON in msg and "09:00-17:00" in msg, msg


def test_in_past_refused(clinic):
    s, p = clinic, clinic.p
    yesterday = today() - dt.timedelta(days=1)
    refused(p, "book", "--client", s.jordan, "--clinician", s.pat, "--service", s.svc,
            "--at", at(yesterday, "10:00"))
    d, t = local_from_now(dt.timedelta(hours=-2))
    refused(p, "book", "--client", s.jordan, "--clinician", s.pat, "--service", s.short,
            "--at", at(d, t))
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.jordan, "clinician": s.pat, "service": s.svc,
        "at": at(yesterday, "10:00")})
    assert status == 422 and body["error"]["code"] == "in_past", body
    assert ids(p, "--from", yesterday.isoformat(), "--to", today().isoformat()) == []


def test_force_accepted_and_audited(clinic):
    s, p = clinic, clinic.p
    rc, out, _ = book(p, s.jordan, s.ana, s.svc, at(s.saturday, "10:00"), "--force")
    a = out["appointment"]
    assert a["forced"] is True and a["overlap"] is False
    assert out.get("warnings"), "a forced booking outside hours should warn: %r" % out
    assert appt(p, a["id"])["forced"] is True
    e = audit_entries(p)[-1]
    assert e["action"] == "appointment.book" and e["object_id"] == a["id"]
    assert "force" in (e["detail"] or "").lower(), e
    # force also books in the past
    yesterday = today() - dt.timedelta(days=1)
    b = booked(p, s.sam, s.pat, s.svc, at(yesterday, "10:00"), "--force")
    assert b["forced"] is True and b["local_start"] == yesterday.isoformat() + " 10:00"


# ---------------------------------------------------------------------- DST

def test_dst_gap_refused(clinic):
    s, p = clinic, clinic.p
    gap = dst_gap_day()
    for extra in ((), ("--force",)):
        msg = refused(p, "book", "--client", s.jordan, "--clinician", s.pat,
                      "--service", s.short, "--at", at(gap, "02:30"), *extra)
        assert "02:30" in msg, msg
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.jordan, "clinician": s.pat, "service": s.short,
        "at": at(gap, "02:30"), "force": True})
    assert status == 400 and body["error"]["code"] == "bad_request", body
    assert ids(p, "--day", gap.isoformat()) == []
    # just after the gap exists, in daylight time
    a = booked(p, s.jordan, s.pat, s.short, at(gap, "03:30"))
    assert a["start"] == utc_of(gap, "03:30")
    assert a["start"].endswith("T07:30:00Z")


def test_dst_fold_takes_earlier_instant(clinic):
    s, p = clinic, clinic.p
    fold = dst_fold_day()
    a = booked(p, s.jordan, s.pat, s.short, at(fold, "01:30"))
    assert a["start"] == utc_of(fold, "01:30")          # fold=0: the earlier one
    assert a["start"].endswith("T05:30:00Z")
    assert a["local_start"] == fold.isoformat() + " 01:30"


# -------------------------------------------------------------- bad input

@pytest.mark.parametrize("when", [
    "2027-13-45 10:00", "tomorrow 25:00", "{mon} 10:00:00", "next tuesday",
    "{mon}", "10:00", "{mon} 10:0", "{mon} 1000", "{mon}X10:00", "",
])
def test_malformed_date_refused(module_clinic, when):
    s, p = module_clinic, module_clinic.p
    when = when.format(mon=s.monday.isoformat())
    before = p.ctl("status")[1]["counts"]["appointments"]
    refused(p, "book", "--client", s.jordan, "--clinician", s.ana, "--service", s.svc,
            "--at", when, codes=(1, 2))
    assert p.ctl("status")[1]["counts"]["appointments"] == before


def test_malformed_at_is_400(module_clinic):
    s, p = module_clinic, module_clinic.p
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.jordan, "clinician": s.ana, "service": s.svc, "at": "garbage"})
    assert status == 400 and body["error"]["code"] == "bad_request", body
    status, body = p.api("POST", "/v1/appointments", {
        "client": s.jordan, "clinician": s.ana, "service": s.svc})
    assert status == 400, body


def test_unknown_ids_and_refs(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    refused(p, "show", "99999")
    refused(p, "move", "99999", "--at", at(s.monday, "12:00"))
    refused(p, "cancel", "99999")
    refused(p, "mark", "99999", "confirmed")
    status, body = p.api("GET", "/v1/appointments/99999")
    assert status == 404 and body["error"]["code"] == "not_found", body
    for who in (("--client", "nobody"), ("--clinician", "nobody"), ("--service", "nothing")):
        args = {"--client": s.sam, "--clinician": s.ben, "--service": s.svc}
        args[who[0]] = who[1]
        refused(p, "book", *sum(args.items(), ()), "--at", at(s.monday, "12:00"))
    refused(p, "book", "--client", s.sam, "--clinician", s.ben, "--service", s.svc,
            "--at", at(s.monday, "12:00"), "--room", "nowhere")
    assert ids(p, "--week", s.monday.isoformat()) == [a["id"]]
    assert appt(p, a["id"]) == a


# ------------------------------------------------------------------- cancel

def test_cancel_frees_the_slot(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    c = p.ctl("cancel", a["id"])[1]["appointment"]
    assert c["state"] == "cancelled"
    assert c["cancelled_by"] == "practice" and c["late"] is False
    assert appt(p, a["id"])["state"] == "cancelled"
    e = audit_entries(p)[-1]
    assert (e["action"], e["object_id"]) == ("appointment.cancel", a["id"])
    b = booked(p, s.sam, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    assert b["id"] != a["id"]


def test_cancel_by_client_in_good_time(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    c = p.ctl("cancel", a["id"], "--by", "client", "--reason", "moving away")[1]["appointment"]
    assert (c["state"], c["cancelled_by"], c["late"], c["cancel_reason"]) == (
        "cancelled", "client", False, "moving away")


def test_cancel_by_client_late_and_by_practice_never_late(clinic):
    s, p = clinic, clinic.p
    d, t = local_from_now(dt.timedelta(hours=3))
    a = booked(p, s.jordan, s.pat, s.short, at(d, t), "--force")
    c = p.ctl("cancel", a["id"], "--by", "client")[1]["appointment"]
    assert (c["cancelled_by"], c["late"]) == ("client", True)
    d, t = local_from_now(dt.timedelta(hours=5))
    b = booked(p, s.sam, s.pat, s.short, at(d, t), "--force")
    c = p.ctl("cancel", b["id"], "--by", "practice", "--reason", "clinician ill")[1]["appointment"]
    assert (c["cancelled_by"], c["late"], c["cancel_reason"]) == ("practice", False, "clinician ill")


def test_late_cancel_hours_comes_from_config(make_practice):
    p = make_practice(late_cancel_hours=1)
    s = seed_practice(p)
    d, t = local_from_now(dt.timedelta(hours=3))
    a = booked(p, s.jordan, s.pat, s.short, at(d, t), "--force")
    c = p.ctl("cancel", a["id"], "--by", "client")[1]["appointment"]
    assert (c["cancelled_by"], c["late"]) == ("client", False)
    assert p.ctl("status")[1]["practice"]["late_cancel_hours"] == 1


def test_cancel_twice_refused(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    p.ctl("cancel", a["id"], "--by", "client")
    before = appt(p, a["id"])
    refused(p, "cancel", a["id"], "--by", "practice")
    status, body = p.api("POST", "/v1/appointments/%d/cancel" % a["id"], {"by": "practice"})
    assert status == 409 and body["error"]["code"] == "invalid_state", body
    assert appt(p, a["id"]) == before


# --------------------------------------------------------------------- mark

def test_mark_attended_and_no_show_only_after_start(clinic):
    s, p = clinic, clinic.p
    yesterday = today() - dt.timedelta(days=1)
    past1 = booked(p, s.jordan, s.pat, s.svc, at(yesterday, "10:00"), "--force")["id"]
    past2 = booked(p, s.sam, s.pat, s.svc, at(yesterday, "12:00"), "--force")["id"]
    future = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))["id"]

    assert p.ctl("mark", past1, "attended")[1]["appointment"]["state"] == "attended"
    assert appt(p, past1)["state"] == "attended"
    assert p.ctl("mark", past2, "no-show")[1]["appointment"]["state"] == "no-show"
    e = audit_entries(p)[-1]
    assert (e["action"], e["object_id"]) == ("appointment.mark", past2)

    refused(p, "mark", future, "attended")
    refused(p, "mark", future, "no-show")
    assert appt(p, future)["state"] == "booked"
    assert p.ctl("mark", future, "confirmed")[1]["appointment"]["state"] == "confirmed"
    assert p.ctl("mark", future, "booked")[1]["appointment"]["state"] == "booked"


def test_mark_never_on_cancelled(clinic):
    s, p = clinic, clinic.p
    yesterday = today() - dt.timedelta(days=1)
    a = booked(p, s.jordan, s.pat, s.svc, at(yesterday, "10:00"), "--force")["id"]
    p.ctl("cancel", a, "--by", "practice")
    refused(p, "mark", a, "attended")
    refused(p, "mark", a, "no-show")
    assert appt(p, a)["state"] == "cancelled"


def test_mark_bad_state_refused(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    refused(p, "mark", a["id"], "sideways", codes=(1, 2))
    assert appt(p, a["id"]) == a


# --------------------------------------------------------------------- move

def test_move(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    p.ctl("mark", a["id"], "confirmed")
    _, out, _ = p.ctl("move", a["id"], "--at", at(s.monday, "14:00"))
    m = out["appointment"]
    assert m["id"] == a["id"]
    assert m["start"] == utc_of(s.monday, "14:00")
    assert m["local_start"] == s.monday.isoformat() + " 14:00"
    assert m["state"] == "booked"                        # a move re-books
    assert m["version"] == a["version"] + 1
    assert m["room"] == a["room"]
    assert appt(p, a["id"]) == m
    e = audit_entries(p)[-1]
    assert (e["action"], e["object_id"]) == ("appointment.move", a["id"])

    m = p.ctl("move", a["id"], "--at", at(s.tuesday, "11:00"), "--clinician", "ben",
              "--room", s.room2)[1]["appointment"]
    assert m["clinician"]["id"] == s.ben and m["room"]["id"] == s.room2
    assert m["version"] == a["version"] + 2
    assert ids(p, "--day", s.monday.isoformat()) == []
    assert ids(p, "--day", s.tuesday.isoformat()) == [a["id"]]


def test_move_overlapping_itself_is_fine(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    m = p.ctl("move", a["id"], "--at", at(s.monday, "10:30"))[1]["appointment"]
    assert m["local_start"] == s.monday.isoformat() + " 10:30"
    assert m["overlap"] is False


def test_move_refusals_change_nothing(wclinic):
    s, p = wclinic, wclinic.p
    yesterday = today() - dt.timedelta(days=1)
    a1 = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    a2 = booked(p, s.sam, s.ana, s.svc, at(s.monday, "14:00"))
    a3 = booked(p, s.sam, s.ben, s.svc, at(s.monday, "15:00"), "--room", s.room2)
    before = {x["id"]: appt(p, x["id"]) for x in (a1, a2, a3)}
    audit_before = audit_entries(p)

    refused(p, "move", a2["id"], "--at", at(s.monday, "10:30"))              # clinician clash
    refused(p, "move", a2["id"], "--at", at(s.monday, "10:55"))              # inside buffer
    refused(p, "move", a3["id"], "--at", at(s.monday, "10:30"), "--room", s.room1)  # room clash
    refused(p, "move", a2["id"], "--at", at(s.saturday, "10:00"))            # outside hours
    refused(p, "move", a2["id"], "--at", at(yesterday, "10:00"))             # past
    refused(p, "move", a2["id"], "--at", at(s.monday, "10:30"), "--clinician", "nobody")
    status, body = p.api("POST", "/v1/appointments/%d/move" % a2["id"],
                         {"at": at(s.monday, "10:30")})
    assert status == 409 and body["error"]["code"] == "conflict", body
    assert body["error"]["details"]["clashes"][0]["id"] == a1["id"]

    assert {x: appt(p, x) for x in before} == before
    assert audit_entries(p) == audit_before

    # what force and overlap allow
    m = p.ctl("move", a2["id"], "--at", at(s.saturday, "10:00"), "--force")[1]["appointment"]
    assert m["forced"] is True and m["local_start"] == s.saturday.isoformat() + " 10:00"
    m = p.ctl("move", a3["id"], "--at", at(s.monday, "10:30"), "--room", s.room1,
              "--overlap")[1]["appointment"]
    assert m["overlap"] is True and m["room"]["id"] == s.room1


def test_move_cancelled_refused(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    p.ctl("cancel", a["id"])
    before = appt(p, a["id"])
    refused(p, "move", a["id"], "--at", at(s.monday, "12:00"))
    status, body = p.api("POST", "/v1/appointments/%d/move" % a["id"],
                         {"at": at(s.monday, "12:00")})
    assert status == 409 and body["error"]["code"] == "invalid_state", body
    assert appt(p, a["id"]) == before


def test_status_counts_upcoming(clinic):
    s, p = clinic, clinic.p
    yesterday = today() - dt.timedelta(days=1)
    booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    booked(p, s.sam, s.ana, s.svc, at(s.tuesday, "10:00"))
    booked(p, s.sam, s.pat, s.svc, at(yesterday, "10:00"), "--force")
    c = p.ctl("status")[1]["counts"]
    assert c["appointments"] == 3 and c["upcoming"] == 2
    assert (c["clinicians"], c["clients"], c["services"], c["rooms"]) == (3, 2, 2, 2)


# ------------------------------------------------------------- more cases

def test_room_and_video_together_refused(wclinic):
    s, p = wclinic, wclinic.p
    refused(p, "book", "--client", s.jordan, "--clinician", s.ana, "--service", s.svc,
            "--at", at(s.monday, "10:00"), "--room", s.room1,
            "--video", "https://meet.example.org/x", codes=(1, 2))
    assert ids(p, "--day", s.monday.isoformat()) == []


def test_session_must_fit_inside_one_range(clinic):
    s, p = clinic, clinic.p
    dee = p.ctl("clinician", "add", "Dee Ray")[1]["clinician"]["id"]
    p.ctl("clinician", "hours", dee, "mon", "09:00-12:00", "13:00-17:00")
    msg = refused(p, "book", "--client", s.jordan, "--clinician", dee, "--service", s.svc,
                  "--at", at(s.monday, "11:30"))            # runs into lunch
    assert "09:00-12:00" in msg and "13:00-17:00" in msg, msg
    refused(p, "book", "--client", s.jordan, "--clinician", dee, "--service", s.svc,
            "--at", at(s.monday, "12:30"))                  # starts at lunch
    booked(p, s.jordan, dee, s.svc, at(s.monday, "11:00"))   # ends 11:50
    booked(p, s.sam, dee, s.svc, at(s.monday, "13:00"))


def test_ambiguous_filter_refused(clinic):
    s, p = clinic, clinic.p
    p.ctl("client", "add", "Sam Parker")
    booked(p, s.sam, s.ana, s.svc, at(s.monday, "10:00"))
    msg = refused(p, "list", "--week", s.monday.isoformat(), "--client", "sam")
    assert "Sam Park" in msg and "Sam Parker" in msg, msg
    msg = refused(p, "book", "--client", "sam", "--clinician", s.ben, "--service", s.svc,
                  "--at", at(s.monday, "10:00"))
    assert "Sam Parker" in msg, msg
    assert len(ids(p, "--day", s.monday.isoformat())) == 1
    # the exact full name still resolves
    assert len(ids(p, "--week", s.monday.isoformat(), "--client", "Sam Park")) == 1


def test_concurrent_bookings_of_one_slot(clinic):
    """Eight practicectl processes race for one slot: exactly one wins."""
    s, p = clinic, clinic.p
    clients = [s.jordan, s.sam] + [
        p.ctl("client", "add", "Racer %d" % i)[1]["client"]["id"] for i in range(6)]
    results = []

    def go(c):
        results.append(book(p, c, s.ana, s.svc, at(s.monday, "10:00"), check=False)[0])

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [0] + [1] * 7, results
    assert len(ids(p, "--day", s.monday.isoformat())) == 1


def test_cancel_bad_by_refused(wclinic):
    s, p = wclinic, wclinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    refused(p, "cancel", a["id"], "--by", "clinician", codes=(1, 2))
    assert appt(p, a["id"]) == a


def test_week_ending_on_sunday(wclinic):
    s, p = wclinic, wclinic.p
    sunday = s.monday + dt.timedelta(days=6)
    a = booked(p, s.jordan, s.pat, s.svc, at(sunday, "10:00"))
    out = listed(p, "--week", sunday.isoformat())
    assert (out["from"], out["to"]) == (s.monday.isoformat(), sunday.isoformat())
    assert [x["id"] for x in out["appointments"]] == [a["id"]]
    nextmon = s.monday + dt.timedelta(days=7)
    assert ids(p, "--week", nextmon.isoformat()) == []


def test_audit_limit_and_since(clinic):
    s, p = clinic, clinic.p
    a = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    p.ctl("mark", a["id"], "confirmed")
    p.ctl("cancel", a["id"])
    full = audit_entries(p)
    assert len(full) >= 3
    last2 = p.ctl("audit", "--limit", "2")[1]["audit"]
    assert [e["action"] for e in last2] == ["appointment.mark", "appointment.cancel"]
    assert last2 == full[-2:]                       # newest last
    ids_ = [e["id"] for e in full]
    assert ids_ == sorted(ids_)
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    assert p.ctl("audit", "--since", tomorrow)[1]["audit"] == []
    assert p.ctl("audit", "--since", today().isoformat(), "--limit", "1000")[1]["audit"] == full
    for e in full:
        assert e["local_at"] == local_in(e["at"], TZ), e


def test_initials_of_a_long_name_never_cut_a_letter(wclinic):
    """Six accented initials: the sixth does not fit twelve bytes whole
    and is left out, never cut in half (which made client add fail)."""
    s, p = wclinic, wclinic.p
    name = "Zoë Ñúñez-Øster de la Fuente y Älvarez-Çelik Éva"
    cli = p.ctl("client", "add", name)[1]["client"]
    a = book(p, cli["id"], s.ana, s.svc, at(s.monday, "15:00"))[1]["appointment"]
    assert a["client"]["name"] == name
    # Z Ñ Ø D L F Y Ä take 11 bytes; Ç (2 more) does not fit
    assert a["client"]["initials"] == "ZÑØDLFYÄ", a["client"]
