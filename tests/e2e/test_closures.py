"""Closures end to end (api-spec-3.md "Closures"): practice-wide and
clinician closures refuse bookings with "closed", --force overrides, the
affected appointments are listed and left alone, list/remove, roles, slots
skip closed days, series crossing a closure."""

import datetime as dt
import itertools

import pytest

from conftest import TZ, USER_RO, USER_STAFF, at, audit_entries, future_monday, today
from series_util import (LONDON, api_refusal, book_one, book_series, list_appts, new_client,
                         new_clinician, ok, refusal, series_ids, series_show, show,
                         utc_text)

D = dt.timedelta
_weeks = itertools.count(0)


@pytest.fixture
def c(module_clinic):
    """The module's clinic with four weeks of its own: practice-wide
    closures touch every clinician, so each test closes its own days."""
    module_clinic.mon = future_monday() + D(days=28 * next(_weeks))
    yield module_clinic
    assert module_clinic.p.alive(), "practiced died; log:\n%s" % module_clinic.p.log()


def add_closure(p, spec, *reason, clinician=None, user=None):
    args = ["closure", "add", spec] + list(reason)
    if clinician is not None:
        args += ["--clinician", clinician]
    return p.ctl(*args, user=user)[1]


def closure_ids(p, *args, user=None):
    return sorted(x["id"] for x in p.ctl("closure", "list", *args, user=user)[1]["closures"])


def test_practice_closure_refuses_bookings_on_that_day(c):
    p, mon = c.p, c.mon
    wed = mon + D(days=2)
    clin, cli = new_clinician(p, hours="mon-fri 09:00-17:00"), new_client(p)
    out = add_closure(p, wed.isoformat(), "Office", "closed")
    cl = out["closure"]
    assert isinstance(cl["id"], int)
    assert (cl["from"], cl["to"], cl["reason"]) == (wed.isoformat(), wed.isoformat(),
                                                    "Office closed")
    assert cl["clinician"] is None and cl["zone"] == TZ
    assert cl["start"] == utc_text(wed, "00:00", TZ)
    assert cl["end"] == utc_text(wed + D(days=1), "00:00", TZ)
    assert out["affected"] == []
    e = audit_entries(p)[-1]
    assert (e["action"], e["object_id"]) == ("closure.add", cl["id"])

    body = {"client": cli, "clinician": clin, "service": c.svc, "at": at(wed, "10:00")}
    err = api_refusal(p, "POST", "/v1/appointments", body, 409, "closed")
    assert "Office closed" in err["message"], err
    msg = refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
                  "--at", at(wed, "10:00"))
    assert "Office closed" in msg, msg
    # --overlap is about clashes, not closures
    refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
            "--at", at(wed, "10:00"), "--overlap")
    assert list_appts(p, clin, wed, wed) == []
    # --force books anyway, recorded
    a = book_one(p, cli, clin, c.svc, at(wed, "10:00"), "--force")
    assert a["forced"] is True
    # the days around are open; the last minute of the day before too
    book_one(p, cli, clin, c.svc, at(wed - D(days=1), "16:00"))
    book_one(p, cli, clin, c.svc, at(wed + D(days=1), "09:00"))
    pat = new_clinician(p)                              # 00:00-23:59 daily
    book_one(p, cli, pat, c.short, at(wed - D(days=1), "23:29"))
    refusal(p, "book", "--client", cli, "--clinician", pat, "--service", c.short,
            "--at", at(wed, "00:00"))
    # moving onto a closed day is refused as well
    b = book_one(p, cli, clin, c.svc, at(mon, "10:00"))
    err = api_refusal(p, "POST", "/v1/appointments/%d/move" % b["id"],
                      {"at": at(wed, "14:00")}, 409, "closed")
    assert show(p, b["id"]) == b


def test_closure_range_and_clinician_closure_in_its_zone(c):
    p, mon = c.p, c.mon
    cli = new_client(p)
    ny = new_clinician(p)
    out = add_closure(p, "%s..%s" % (mon.isoformat(), (mon + D(days=2)).isoformat()),
                      "Team", "retreat")
    cl = out["closure"]
    assert (cl["from"], cl["to"]) == (mon.isoformat(), (mon + D(days=2)).isoformat())
    assert cl["end"] == utc_text(mon + D(days=3), "00:00", TZ)
    for d in range(3):
        refusal(p, "book", "--client", cli, "--clinician", ny, "--service", c.svc,
                "--at", at(mon + D(days=d), "12:00"))
    book_one(p, cli, ny, c.svc, at(mon + D(days=3), "12:00"))

    lon = new_clinician(p, zone=LONDON)
    fri = mon + D(days=4)
    out = add_closure(p, fri.isoformat(), "Training", clinician=lon)
    cl = out["closure"]
    assert cl["clinician"]["id"] == lon and cl["zone"] == LONDON
    assert cl["start"] == utc_text(fri, "00:00", LONDON)
    assert cl["end"] == utc_text(fri + D(days=1), "00:00", LONDON)
    msg = refusal(p, "book", "--client", cli, "--clinician", lon, "--service", c.svc,
                  "--at", at(fri, "10:00"), zone=LONDON)
    assert "Training" in msg
    # Thursday 20:00 in New York is already Friday in London: closed for her
    refusal(p, "book", "--client", cli, "--clinician", lon, "--service", c.short,
            "--at", at(fri - D(days=1), "20:00"))
    # Friday 20:00 in New York is Saturday in London: open
    book_one(p, cli, lon, c.short, at(fri, "20:00"))
    # others work that Friday
    book_one(p, cli, ny, c.svc, at(fri, "10:00"))


def test_closure_lists_affected_and_leaves_them_booked(c):
    p, mon = c.p, c.mon
    tue = mon + D(days=1)
    c1, c2, cli = new_clinician(p), new_clinician(p), new_client(p)
    a1 = book_one(p, cli, c1, c.svc, at(tue, "10:00"))
    a2 = book_one(p, cli, c2, c.svc, at(tue, "11:00"))
    a3 = book_one(p, cli, c1, c.svc, at(tue, "14:00"))
    ok(p, "cancel", a3["id"])
    a3 = show(p, a3["id"])
    a4 = book_one(p, cli, c1, c.svc, at(tue + D(days=1), "10:00"))
    ok(p, "mark", a2["id"], "confirmed")
    a2 = show(p, a2["id"])

    out = add_closure(p, tue.isoformat(), "Sick", "day", clinician=c1)
    assert [x["id"] for x in out["affected"]] == [a1["id"]]
    out = add_closure(p, tue.isoformat(), "Power", "cut")
    assert sorted(x["id"] for x in out["affected"]) == sorted([a1["id"], a2["id"]])
    # left booked as they were, flagged for the front desk (the
    # cancelled one and the next day's are not)
    for a, codes in ((a1, ["closure"]), (a2, ["closure"]), (a3, []), (a4, [])):
        now = show(p, a["id"])
        assert now["attention"] == codes, now
        assert dict(now, attention=[]) == a


def test_closure_list_and_remove(c):
    p, mon = c.p, c.mon
    c1, c2, cli = new_clinician(p), new_clinician(p), new_client(p)
    x = mon + D(days=1)
    P = add_closure(p, x.isoformat(), "Inspection")["closure"]["id"]
    C1 = add_closure(p, (x + D(days=1)).isoformat(), "Course", clinician=c1)["closure"]["id"]
    C2 = add_closure(p, (x + D(days=2)).isoformat(), "Leave", clinician=c2)["closure"]["id"]
    R = add_closure(p, "%s..%s" % ((x + D(days=7)).isoformat(), (x + D(days=9)).isoformat()),
                    "Works")["closure"]["id"]
    week = ("--from", mon.isoformat(), "--to", (mon + D(days=6)).isoformat())
    assert closure_ids(p, *week) == sorted([P, C1, C2])
    assert closure_ids(p, *week, "--clinician", c1) == sorted([P, C1])
    assert closure_ids(p, *week, "--clinician", c2) == sorted([P, C2])
    one = (x + D(days=1)).isoformat()
    assert closure_ids(p, "--from", one, "--to", one) == [C1]
    # a range is listed by any day it covers
    mid = (x + D(days=8)).isoformat()
    assert closure_ids(p, "--from", mid, "--to", mid) == [R]
    # default: from today on
    assert {P, C1, C2, R} <= set(closure_ids(p))
    listed = {x["id"]: x for x in ok(p, "closure", "list", *week)["closures"]}
    assert listed[C1]["clinician"]["id"] == c1 and listed[P]["clinician"] is None
    assert listed[C1]["reason"] == "Course"

    refusal(p, "book", "--client", cli, "--clinician", c1, "--service", c.svc,
            "--at", at(x + D(days=1), "10:00"))
    out = ok(p, "closure", "remove", C1)
    assert out["closure"]["id"] == C1 and out["closure"]["reason"] == "Course"
    e = audit_entries(p)[-1]
    assert (e["action"], e["object_id"]) == ("closure.remove", C1)
    assert closure_ids(p, *week) == sorted([P, C2])
    book_one(p, cli, c1, c.svc, at(x + D(days=1), "10:00"))
    refusal(p, "closure", "remove", C1)
    st, body = p.api("DELETE", "/v1/closures/%d" % C1)
    assert st == 404 and body["error"]["code"] == "not_found", body


def test_past_closure_only_listed_when_asked(c):
    p = c.p
    y = today() - D(days=3)
    cid = add_closure(p, y.isoformat(), "Flood")["closure"]["id"]
    assert cid not in closure_ids(p)
    assert cid in closure_ids(p, "--from", (y - D(days=1)).isoformat(), "--to",
                              today().isoformat())


def test_closure_roles(c):
    p, mon = c.p, c.mon
    d = (mon + D(days=3)).isoformat()
    cid = add_closure(p, d, "Staff", "party", user=USER_STAFF)["closure"]["id"]
    assert cid in closure_ids(p, "--from", d, "--to", d, user=USER_RO)
    rc, out, err = p.ctl("closure", "add", d, "Nope", user=USER_RO, check=False)
    assert rc == 1 and "permission" in err.lower(), (rc, err)
    rc, out, err = p.ctl("closure", "remove", cid, user=USER_RO, check=False)
    assert rc == 1, (rc, err)
    assert cid in closure_ids(p, "--from", d, "--to", d)
    ok_out = p.ctl("closure", "remove", cid, user=USER_STAFF)[1]
    assert ok_out["closure"]["id"] == cid
    st, body = p.api("POST", "/v1/closures", {"from": d, "reason": "x"})
    assert st == 201, body                  # the test runs as root: admin


def test_closure_bad_input_refused(c):
    p, mon = c.p, c.mon
    d = mon + D(days=4)
    before = closure_ids(p, "--from", mon.isoformat(), "--to", (mon + D(days=13)).isoformat())
    for body in ({"from": d.isoformat(), "to": (d - D(days=1)).isoformat(), "reason": "x"},
                 {"from": d.isoformat(), "reason": ""},
                 {"from": d.isoformat(), "reason": "r" * 201},
                 {"from": d.isoformat()},
                 {"from": "2027-02-30", "reason": "x"},
                 {"reason": "x"},
                 {"from": "soon", "reason": "x"}):
        api_refusal(p, "POST", "/v1/closures", body, 400, "bad_request")
    api_refusal(p, "POST", "/v1/closures",
                {"from": d.isoformat(), "reason": "x", "clinician": "nobody at all"},
                404, "not_found")
    refusal(p, "closure", "add", "%s..%s" % (d.isoformat(), (d - D(days=2)).isoformat()),
            "Backwards", codes=(1, 2))
    refusal(p, "closure", "add", d.isoformat(), codes=(1, 2))        # no reason
    refusal(p, "closure", "remove", "99999")
    assert closure_ids(p, "--from", mon.isoformat(),
                       "--to", (mon + D(days=13)).isoformat()) == before
    # exactly 200 characters is fine
    cid = add_closure(p, d.isoformat(), "r" * 200)["closure"]["id"]
    ok(p, "closure", "remove", cid)


def test_slots_skip_closed_days(c):
    p, mon = c.p, c.mon
    c1 = new_clinician(p, hours="mon-fri 09:00-12:00")
    c2 = new_clinician(p, hours="mon-fri 09:00-12:00")
    add_closure(p, (mon + D(days=1)).isoformat(), "Holiday")
    add_closure(p, (mon + D(days=2)).isoformat(), "Course", clinician=c1)

    def days_with_slots(clin):
        out = ok(p, "slots", "--clinician", clin, "--service", c.svc,
                 "--from", mon.isoformat(), "--days", "7")
        got = {}
        for sl in out["slots"]:
            got.setdefault(sl["local_start"][:10], []).append(sl["local_start"][11:])
        return got

    want = ["09:00", "10:00", "11:00"]
    d = lambda k: (mon + D(days=k)).isoformat()
    assert days_with_slots(c1) == {d(0): want, d(3): want, d(4): want}
    assert days_with_slots(c2) == {d(0): want, d(2): want, d(3): want, d(4): want}


def test_series_crossing_a_closure(c):
    p, mon = c.p, c.mon
    cli = new_client(p)
    c1 = new_clinician(p)
    wk3 = mon + D(days=14)
    cid = add_closure(p, wk3.isoformat(), "Holiday")["closure"]["id"]
    body = {"client": cli, "clinician": c1, "service": c.svc, "at": at(mon, "10:00"),
            "repeat": "weekly", "count": 4}
    err = api_refusal(p, "POST", "/v1/appointments", body, 409, "closed")
    assert at(wk3, "10:00") in err["message"] and "Holiday" in err["message"], err
    (k,) = err["details"]["clashes"]
    assert (k["kind"], k["with"], k["id"], k["local_start"]) == (
        "closure", "Holiday", cid, at(wk3, "10:00"))
    msg = refusal(p, "book", "--client", cli, "--clinician", c1, "--service", c.svc,
                  "--at", at(mon, "10:00"), "--repeat", "weekly", "--count", "4")
    assert "Holiday" in msg and at(wk3, "10:00") in msg, msg
    assert series_ids(p, "--clinician", c1, "--all") == []
    assert list_appts(p, c1, mon, mon + D(days=30)) == []

    # --overlap is not refused, but never books onto the closure
    c0, cli0 = new_clinician(p), new_client(p)
    out = book_series(p, cli0, c0, c.svc, at(mon, "10:00"), "weekly", "--count", "4",
                      "--overlap")
    assert out["booked"] == 3
    assert [(k["reason"], k["local_start"]) for k in out["skipped"]] == [
        ("closure", at(wk3, "10:00"))]
    assert [a["local_start"] for a in list_appts(p, c0, mon, mon + D(days=30))] == [
        at(mon + D(days=7 * k), "10:00") for k in (0, 1, 3)]

    out = book_series(p, cli, c1, c.svc, at(mon, "10:00"), "weekly", "--count", "4", "--skip")
    assert out["booked"] == 3
    (sk,) = out["skipped"]
    assert (sk["reason"], sk["local_start"]) == ("closure", at(wk3, "10:00"))
    assert sk["start"] == utc_text(wk3, "10:00", TZ)
    _, appts = series_show(p, out["series"]["id"])
    assert [a["local_start"] for a in appts] == [at(mon + D(days=7 * k), "10:00")
                                                for k in (0, 1, 3)]

    c2 = new_clinician(p)
    out = book_series(p, new_client(p), c2, c.svc, at(mon, "10:00"), "weekly", "--count",
                      "4", "--force")
    assert out["booked"] == 4


def test_series_with_clash_and_closure(c):
    p, mon = c.p, c.mon
    cli = new_client(p)
    c1 = new_clinician(p)
    wk2, wk3 = mon + D(days=7), mon + D(days=14)
    x = book_one(p, new_client(p), c1, c.svc, at(wk2, "10:00"))
    add_closure(p, wk3.isoformat(), "Closed", "for", "works")
    body = {"client": cli, "clinician": c1, "service": c.svc, "at": at(mon, "10:00"),
            "repeat": "weekly", "count": 4}
    err = api_refusal(p, "POST", "/v1/appointments", body, 409, "conflict")
    assert sorted((k["kind"], k["local_start"]) for k in err["details"]["clashes"]) == [
        ("clinician", at(wk2, "10:00")), ("closure", at(wk3, "10:00"))]
    assert at(wk2, "10:00") in err["message"] and at(wk3, "10:00") in err["message"], err
    out = book_series(p, cli, c1, c.svc, at(mon, "10:00"), "weekly", "--count", "4", "--skip")
    assert out["booked"] == 2
    assert sorted((k["reason"], k["local_start"]) for k in out["skipped"]) == [
        ("clash", at(wk2, "10:00")), ("closure", at(wk3, "10:00"))]
    assert [a["id"] for a in list_appts(p, c1, mon, mon + D(days=30))
            if a["series"] is None] == [x["id"]]
    # --overlap books the clash (flagged) but still not the closed day
    c2, cli2 = new_clinician(p), new_client(p)
    book_one(p, new_client(p), c2, c.svc, at(wk2, "10:00"))
    out = book_series(p, cli2, c2, c.svc, at(mon, "10:00"), "weekly", "--count", "4",
                      "--overlap")
    assert out["booked"] == 3
    assert [(k["reason"], k["local_start"]) for k in out["skipped"]] == [
        ("closure", at(wk3, "10:00"))]
    _, appts = series_show(p, out["series"]["id"])
    assert [(a["local_start"], a["overlap"]) for a in appts] == [
        (at(mon, "10:00"), False), (at(wk2, "10:00"), True),
        (at(mon + D(days=21), "10:00"), False)]


def test_affected_in_the_clinicians_zone(c):
    p, mon = c.p, c.mon
    lon = new_clinician(p, zone=LONDON)
    cli = new_client(p)
    fri = mon + D(days=4)
    # Thursday 20:00 and Friday 20:00 in New York: Friday and Saturday in London
    thu_ny = book_one(p, cli, lon, c.short, at(fri - D(days=1), "20:00"))
    fri_ny = book_one(p, cli, lon, c.short, at(fri, "20:00"))
    out = add_closure(p, fri.isoformat(), "Conference", clinician=lon)
    assert [a["id"] for a in out["affected"]] == [thu_ny["id"]]
    # left as they were; the one on the closure now needs attention
    assert show(p, thu_ny["id"]) == dict(thu_ny, attention=["closure"])
    assert show(p, fri_ny["id"]) == fri_ny
    # the practice's closure of that Friday is New York's Friday
    out = add_closure(p, fri.isoformat(), "Practice", "day")
    assert [a["id"] for a in out["affected"]] == [fri_ny["id"]]


def test_removing_a_closure_books_its_skipped_sessions_again(c):
    p, mon = c.p, c.mon
    cli = new_client(p)
    c1 = new_clinician(p)
    wk2 = mon + D(days=7)
    cid = add_closure(p, wk2.isoformat(), "Leave", clinician=c1)["closure"]["id"]
    out = book_series(p, cli, c1, c.svc, at(mon, "15:00"), "weekly", "--count", "3", "--skip")
    assert out["booked"] == 2
    sid = out["series"]["id"]
    gone = ok(p, "closure", "remove", str(cid))
    assert gone["restored"] == 1 and gone["skipped"] == [], gone
    s, appts = series_show(p, sid)
    assert [a["local_start"] for a in appts] == [
        at(mon + D(days=7 * k), "15:00") for k in (0, 1, 2)]
    assert s["skipped"] == []

    # If the freed time was taken meanwhile, the session stays skipped, now
    # for the clash, and nothing is double-booked.
    c2 = new_clinician(p)
    cid = add_closure(p, wk2.isoformat(), "Leave", clinician=c2)["closure"]["id"]
    out = book_series(p, new_client(p), c2, c.svc, at(mon, "15:00"), "weekly", "--count",
                      "3", "--skip")
    other = book_one(p, new_client(p), c2, c.svc, at(wk2, "15:00"), "--force")
    gone = ok(p, "closure", "remove", str(cid))
    assert gone["restored"] == 0
    assert [(k["reason"], k["detail"]) for k in gone["skipped"]] == [
        ("clash", "appointment %d" % other["id"])]
    s, appts = series_show(p, out["series"]["id"])
    assert len(appts) == 2
    assert [(k["reason"], k["local_start"]) for k in s["skipped"]] == [
        ("clash", at(wk2, "15:00"))]


def test_a_closure_over_many_sessions_lists_the_first_and_counts_all(clinic):
    # a practice of its own: the module's has long practice-wide closures
    p, mon = clinic.p, clinic.monday
    clin, cli = new_clinician(p), new_client(p)
    book_series(p, cli, clin, clinic.svc, at(mon, "08:00"), "FREQ=DAILY", "--count", "230")
    last = mon + D(days=240)
    out = add_closure(p, "%s..%s" % (mon.isoformat(), last.isoformat()), "Leave",
                      clinician=clin)
    assert out["affected_total"] == 230 and len(out["affected"]) == 200, (
        out["affected_total"], len(out["affected"]))
    starts = [a["start"] for a in out["affected"]]
    assert starts == sorted(starts) and out["affected"][0]["local_start"] == at(mon, "08:00")
    ok(p, "closure", "rm", str(out["closure"]["id"]))
    rc, text, err = p.ctl("closure", "add", "%s..%s" % (mon.isoformat(), last.isoformat()),
                          "Leave", "--clinician", str(clin), json=False)
    assert "230 appointments fall inside it; the first 200" in text, text
