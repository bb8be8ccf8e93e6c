"""Free slots end to end (api-spec-3.md "Slots"): working hours (touching
ranges join), appointments and their buffers, closures, rooms, the
clinician's zone, never in the past, greedy packing and --step, refusals."""

import datetime as dt

import pytest

from conftest import TZ, at, future_monday, today
from series_util import (LONDON, add, api_refusal, book_one, local_text, new_client,
                         new_clinician, new_service, ok, parse_utc, refusal, utc_text)

D = dt.timedelta
UTC = dt.timezone.utc


@pytest.fixture
def c(module_clinic):
    module_clinic.mon = future_monday()
    yield module_clinic
    assert module_clinic.p.alive(), "practiced died; log:\n%s" % module_clinic.p.log()


def slots(p, clin, svc, day=None, days=1, *extra, zone=None):
    args = ["slots", "--clinician", clin, "--service", svc]
    if day is not None:
        args += ["--from", day.isoformat()]
    if days is not None:
        args += ["--days", str(days)]
    return ok(p, *args, *extra, zone=zone)


def times(out):
    return [s["local_start"][11:] for s in out["slots"]]


def test_greedy_packing_and_the_answer(c):
    p, mon = c.p, c.mon
    clin = new_clinician(p, hours="mon 09:00-12:00")
    out = slots(p, clin, c.svc, mon)
    assert times(out) == ["09:00", "10:00", "11:00"]
    assert [s["start"] for s in out["slots"]] == [utc_text(mon, t, TZ)
                                                  for t in ("09:00", "10:00", "11:00")]
    assert [s["local_end"] for s in out["slots"]] == [at(mon, t)
                                                      for t in ("09:50", "10:50", "11:50")]
    assert all(s["local_start"][:10] == mon.isoformat() for s in out["slots"])
    assert out["clinician"]["id"] == clin
    assert out["service"]["id"] == c.svc
    assert (out["service"]["minutes"], out["service"]["buffer"]) == (50, 10)
    assert out["room"] is None
    assert out["zone"] == TZ and out["tz"] == TZ
    assert out["from"] == mon.isoformat() and out["to"] == mon.isoformat()
    # a booking at 10:00 (50 + 10): 09:00, then 11:00
    a = book_one(p, new_client(p), clin, c.svc, at(mon, "10:00"))
    assert times(slots(p, clin, c.svc, mon)) == ["09:00", "11:00"]
    # cancelled appointments free their time again
    ok(p, "cancel", a["id"])
    assert times(slots(p, clin, c.svc, mon)) == ["09:00", "10:00", "11:00"]


def test_greedy_jumps_past_what_blocks(c):
    p, mon = c.p, c.mon
    clin = new_clinician(p, hours="mon 09:00-13:00")
    book_one(p, new_client(p), clin, c.svc, at(mon, "10:30"))        # blocks 10:30-11:30
    assert times(slots(p, clin, c.svc, mon)) == ["09:00", "11:30"]
    assert times(slots(p, clin, c.svc, mon, 1, "--step", "30")) == [
        "09:00", "09:30", "11:30", "12:00"]
    assert times(slots(p, clin, c.short, mon)) == [
        "09:00", "09:30", "10:00", "11:30", "12:00", "12:30"]


def test_buffers_of_existing_appointments_and_the_sessions_own(c):
    p, mon = c.p, c.mon
    clin = new_clinician(p, hours="mon 09:00-12:00")
    # forced before the hours: the session ends 09:20, its buffer 09:30
    book_one(p, new_client(p), clin, c.svc, at(mon, "08:30"), "--force")
    assert times(slots(p, clin, c.svc, mon)) == ["09:30", "10:30"]
    # the new session must fit the hours; its own buffer may run past them
    clin2 = new_clinician(p, hours="mon 09:00-11:50")
    assert times(slots(p, clin2, c.svc, mon)) == ["09:00", "10:00", "11:00"]
    clin3 = new_clinician(p, hours="mon 09:00-11:45")
    assert times(slots(p, clin3, c.svc, mon)) == ["09:00", "10:00"]
    # a buffer-free service packs back to back; an existing buffer pushes it
    clin4 = new_clinician(p, hours="mon 09:00-11:00")
    assert times(slots(p, clin4, c.short, mon)) == ["09:00", "09:30", "10:00", "10:30"]
    book_one(p, new_client(p), clin4, c.svc, at(mon, "09:00"))     # to 10:00 incl. buffer
    assert times(slots(p, clin4, c.short, mon)) == ["10:00", "10:30"]


def test_touching_ranges_join(c):
    p, mon = c.p, c.mon
    joined = new_clinician(p, hours="mon 09:00-10:30 10:30-12:00")
    assert times(slots(p, joined, c.svc, mon)) == ["09:00", "10:00", "11:00"]
    apart = new_clinician(p, hours="mon 09:00-10:30 10:40-12:00")
    assert times(slots(p, apart, c.svc, mon)) == ["09:00", "10:40"]
    assert times(slots(p, apart, c.svc, mon, 1, "--step", "20")) == [
        "09:00", "09:20", "09:40", "10:40", "11:00"]


def test_step_gives_the_grid(c):
    p, mon = c.p, c.mon
    clin = new_clinician(p, hours="mon 09:00-12:00")
    assert times(slots(p, clin, c.svc, mon, 1, "--step", "30")) == [
        "09:00", "09:30", "10:00", "10:30", "11:00"]
    assert times(slots(p, clin, c.svc, mon, 1, "--step", "45")) == ["09:00", "09:45", "10:30"]
    book_one(p, new_client(p), clin, c.svc, at(mon, "10:00"))
    # free when the block [t, t+60) misses [10:00, 11:00)
    assert times(slots(p, clin, c.svc, mon, 1, "--step", "30")) == ["09:00", "11:00"]
    assert times(slots(p, clin, c.svc, mon, 1, "--step", "15")) == [
        "09:00", "11:00"]
    assert times(slots(p, clin, c.short, mon, 1, "--step", "15")) == [
        "09:00", "09:15", "09:30", "11:00", "11:15", "11:30"]


def test_several_days_and_days_off(c):
    p, mon = c.p, c.mon
    clin = new_clinician(p, hours="mon-fri 09:00-12:00")
    out = slots(p, clin, c.svc, mon, 7)
    assert out["from"] == mon.isoformat() and out["to"] == (mon + D(days=6)).isoformat()
    days = [s["local_start"][:10] for s in out["slots"]]
    assert days == [(mon + D(days=k)).isoformat() for k in range(5) for _ in range(3)]
    starts = [s["start"] for s in out["slots"]]
    assert starts == sorted(starts)


def test_room_is_respected_when_given(c):
    p, mon = c.p, c.mon
    clin, other = new_clinician(p, hours="mon 09:00-12:00"), new_clinician(p)
    room = add(p, "room", {"name": "Slot room %d" % clin})
    spare = add(p, "room", {"name": "Slot spare %d" % clin})
    book_one(p, new_client(p), other, c.svc, at(mon, "10:00"), "--room", room)
    out = slots(p, clin, c.svc, mon, 1, "--room", room)
    assert times(out) == ["09:00", "11:00"]
    assert out["room"]["id"] == room
    assert times(slots(p, clin, c.svc, mon)) == ["09:00", "10:00", "11:00"]
    assert times(slots(p, clin, c.svc, mon, 1, "--room", spare)) == ["09:00", "10:00", "11:00"]


def test_in_the_clinicians_zone(c):
    p, mon = c.p, c.mon
    lon = new_clinician(p, zone=LONDON, hours="mon 09:00-12:00")
    out = slots(p, lon, c.svc, mon)
    assert out["zone"] == LONDON and out["tz"] == LONDON
    assert times(out) == ["09:00", "10:00", "11:00"]
    assert [s["start"] for s in out["slots"]] == [utc_text(mon, t, LONDON)
                                                  for t in ("09:00", "10:00", "11:00")]
    # -z names the output zone: the same instants, New York's clock
    ny = slots(p, lon, c.svc, mon, zone=TZ)
    assert ny["tz"] == TZ and ny["zone"] == LONDON
    assert [s["start"] for s in ny["slots"]] == [s["start"] for s in out["slots"]]
    assert [s["local_start"] for s in ny["slots"]] == [local_text(s["start"], TZ)
                                                      for s in out["slots"]]


def test_never_in_the_past(c):
    p = c.p
    clin = new_clinician(p, hours="daily 00:00-23:59")
    t0 = dt.datetime.now(UTC)
    out = slots(p, clin, c.short, None, 2)
    assert out["from"] == today().isoformat()
    got = [parse_utc(s["start"]) for s in out["slots"]]
    assert got, out
    assert all(t >= t0 - D(minutes=1) for t in got), (t0, got[:3])
    assert got[0] - t0 < D(hours=1), "the first free slot is soon: %s" % got[0]
    # the whole of yesterday is in the past
    assert slots(p, clin, c.short, today() - D(days=1), 1)["slots"] == []
    # the defaults: from today, 14 days
    out = slots(p, clin, c.short, None, None)
    assert (out["from"], out["to"]) == (today().isoformat(), (today() + D(days=13)).isoformat())
    assert out["slots"][-1]["local_start"][:10] == (today() + D(days=13)).isoformat()


def test_closures_block_slots(c):
    p, mon = c.p, c.mon
    clin = new_clinician(p, hours="mon-fri 09:00-12:00")
    p.ctl("closure", "add", (mon + D(days=3)).isoformat(), "Away", "--clinician", clin)
    days = {s["local_start"][:10] for s in slots(p, clin, c.svc, mon, 5)["slots"]}
    assert days == {(mon + D(days=k)).isoformat() for k in (0, 1, 2, 4)}


def test_long_service(c):
    p, mon = c.p, c.mon
    clin = new_clinician(p, hours="mon 09:00-12:00 13:00-17:00")
    long = new_service(p, 180, 15)
    assert times(slots(p, clin, long, mon)) == ["09:00", "13:00"]
    longer = new_service(p, 200)
    assert times(slots(p, clin, longer, mon)) == ["13:00"]


@pytest.mark.parametrize("args", [
    ["--clinician", "nobody at all", "--service", "{svc}"],
    ["--clinician", "{clin}", "--service", "no such service"],
    ["--clinician", "{clin}", "--service", "{svc}", "--days", "0"],
    ["--clinician", "{clin}", "--service", "{svc}", "--days", "100"],
    ["--clinician", "{clin}", "--service", "{svc}", "--days", "63"],
    ["--clinician", "{clin}", "--service", "{svc}", "--step", "4"],
    ["--clinician", "{clin}", "--service", "{svc}", "--step", "241"],
    ["--clinician", "{clin}", "--service", "{svc}", "--from", "2027-02-30"],
    ["--clinician", "{clin}", "--service", "{svc}", "--room", "no such room"],
    ["--service", "{svc}"],
    ["--clinician", "{clin}"],
])
def test_bad_arguments_refused(c, args):
    p = c.p
    clin = new_clinician(p, hours="mon 09:00-12:00")
    args = [a.format(clin=clin, svc=c.svc) for a in args]
    refusal(p, "slots", *args, codes=(1, 2))


def test_bad_arguments_status_codes(c):
    p = c.p
    clin = new_clinician(p, hours="mon 09:00-12:00")
    base = "/v1/slots?clinician=%d&service=%d" % (clin, c.svc)
    for q in ("&days=0", "&days=100", "&step=4", "&step=241", "&from=junk"):
        api_refusal(p, "GET", base + q, None, 400, "bad_request")
    api_refusal(p, "GET", "/v1/slots?clinician=999999&service=%d" % c.svc, None, 404,
                "not_found")
    api_refusal(p, "GET", "/v1/slots?service=%d" % c.svc, None, 400, "bad_request")
    st, out = p.api("GET", base + "&days=62&from=%s" % c.mon.isoformat())
    assert st == 200, out
    assert out["to"] == (c.mon + D(days=61)).isoformat()
    assert len(out["slots"]) == 3 * 9                 # nine Mondays in 62 days
