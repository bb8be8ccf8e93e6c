"""Series and DST end to end (api-spec-3.md): wall times kept across
transitions in three zones (one with a 30-minute shift), a first session in
a gap refused, later occurrences in a gap placed by RFC 5545 (one gap later
on the clock), and ambiguous (fall-back) times taking the earlier instant.
The daemon runs on a fixed clock (NOW), so every test runs on every day
of the year; the dates come from the zones' transitions after NOW, found
with zoneinfo."""

import datetime as dt
from zoneinfo import ZoneInfo

import os
import shutil
import tempfile

import pytest

from conftest import Practice, at
from series_util import (LONDON, LORD_HOWE, book_one, book_series, fmt_utc, list_appts,
                         local_text, new_client, new_clinician, next_transition, parse_utc,
                         refusal, series_ids, series_show, transitions, wall, api_refusal)

NEW_YORK = "America/New_York"
ZONES = [NEW_YORK, LONDON, LORD_HOWE]
UTC = dt.timezone.utc
D = dt.timedelta


# The daemon's frozen clock: early January, before every zone's next change
# (New York 2027-03-14, London 2027-03-28, Lord Howe's fold 2027-04-04 and
# gap 2027-10-03, and the folds of New York and London in the autumn), all
# inside the one-year series horizon.
NOW = dt.datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
HORIZON = D(days=365)


def today(zone):
    return NOW.astimezone(ZoneInfo(zone)).date()


class Clinic:
    pass


@pytest.fixture(scope="module")
def dst_clinic():
    d = tempfile.mkdtemp(prefix="pdtest-")
    os.chmod(d, 0o755)
    p = Practice(d, clock_at=NOW)
    try:
        p.start()
        c = Clinic()
        c.p = p
        c.svc = add_service(p, "Individual session", 50, 10)
        c.short = add_service(p, "Check-in", 30, 0)
        yield c
        p.stop()
    finally:
        p.kill()
        shutil.rmtree(d, ignore_errors=True)


def add_service(p, name, minutes, buffer):
    status, out = p.api("POST", "/v1/services", {"name": name, "minutes": minutes,
                                                 "buffer": buffer})
    assert status == 201, out
    return out["service"]["id"]


@pytest.fixture
def c(dst_clinic):
    yield dst_clinic
    assert dst_clinic.p.alive(), "practiced died; log:\n%s" % dst_clinic.p.log()


def within_horizon(zone, day):
    """The fixed NOW keeps every date used inside the series horizon."""
    assert day <= today(zone) + HORIZON - D(days=5), (zone, day)


def hhmm(t):
    return t.strftime("%H:%M")


def naive_utc(day, clock, offset):
    """The UTC text of the wall time day+clock read at a fixed offset."""
    t = dt.datetime.combine(day, clock) - offset
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def gap_of(zone, min_days_ahead=2):
    """(day, wall clock in the middle of the gap, offset before, after)."""
    day, u, before, after = next_transition(zone, "gap", min_days_ahead, now=NOW)
    start = (u + before).replace(tzinfo=None)          # the clock when it jumps
    mid = start + (after - before) / 2
    assert mid.date() == day
    return day, mid.time(), before, after


def fold_of(zone, min_days_ahead=2):
    """(day, wall clock in the middle of the repeated interval, before, after)."""
    day, u, before, after = next_transition(zone, "fold", min_days_ahead, now=NOW)
    start = (u + after).replace(tzinfo=None)           # the clock after falling back
    mid = start + (before - after) / 2
    assert mid.date() == day
    return day, mid.time(), before, after


@pytest.mark.parametrize("zone", ZONES)
def test_weekly_0900_keeps_its_wall_time_across_transitions(c, zone):
    p = c.p
    clin, cli = new_clinician(p, zone=zone), new_client(p)
    first = today(zone) + D(days=2)
    out = book_series(p, cli, clin, c.svc, at(first, "09:00"), "weekly", zone=zone)
    s, appts = series_show(p, out["series"]["id"], zone=zone)
    assert s["zone"] == zone and s["time"] == "09:00"
    assert len(appts) >= 50
    for a in appts:
        assert a["zone"] == zone
        assert local_text(a["start"], zone)[11:] == "09:00", a
        assert a["local_start"] == local_text(a["start"], zone)
    # the UTC instant moves by exactly the zone's offset change, once per
    # transition, and nowhere else
    z = ZoneInfo(zone)
    seen = []
    for a, b in zip(appts, appts[1:]):
        ta, tb = parse_utc(a["start"]), parse_utc(b["start"])
        change = tb.astimezone(z).utcoffset() - ta.astimezone(z).utcoffset()
        assert tb - ta == D(days=7) - change, (a["start"], b["start"])
        if change:
            seen.append(change)
    lo, hi = parse_utc(appts[0]["start"]), parse_utc(appts[-1]["start"])
    span = (hi - lo).days + 2
    expected = [after - before for u, before, after in transitions(zone, first, span)
                if lo <= u <= hi]
    assert expected, "the series should cross at least one transition of %s" % zone
    assert seen == expected
    if zone == LORD_HOWE:
        assert {abs(x) for x in seen} == {D(minutes=30)}
    else:
        assert {abs(x) for x in seen} == {D(hours=1)}
    # read in the practice's zone, the same instants
    _, plain = series_show(p, s["id"])
    assert [a["start"] for a in plain] == [a["start"] for a in appts]


@pytest.mark.parametrize("zone", ZONES)
def test_first_session_in_a_gap_refused(c, zone):
    p = c.p
    clin, cli = new_clinician(p, zone=zone), new_client(p)
    day, clock, before, after = gap_of(zone)
    when = "%s %s" % (day.isoformat(), hhmm(clock))
    for extra in ((), ("--force",)):
        msg = refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.short,
                      "--at", when, "--repeat", "weekly", "--count", "3", *extra, zone=zone)
        assert hhmm(clock) in msg, msg
    err = api_refusal(p, "POST", "/v1/appointments",
                      {"client": cli, "clinician": clin, "service": c.short, "at": when,
                       "repeat": "weekly", "count": 3, "tz": zone, "force": True},
                      400, "bad_request")
    assert hhmm(clock) in err["message"], err
    assert series_ids(p, "--clinician", clin, "--all") == []
    assert list_appts(p, clin, day - D(days=1), day + D(days=30)) == []


@pytest.mark.parametrize("zone", ZONES)
def test_occurrence_in_a_gap_moves_one_gap_later(c, zone):
    p = c.p
    clin, cli = new_clinician(p, zone=zone), new_client(p)
    day, clock, before, after = gap_of(zone, min_days_ahead=9)
    within_horizon(zone, day + D(days=7))
    first = day - D(days=7)
    out = book_series(p, cli, clin, c.short, at(first, hhmm(clock)), "weekly", "--count", "3",
                      zone=zone)
    assert out["booked"] == 3
    _, appts = series_show(p, out["series"]["id"], zone=zone)
    shifted = (dt.datetime.combine(day, clock) + (after - before)).time()
    assert [a["local_start"] for a in appts] == [
        at(first, hhmm(clock)), at(day, hhmm(shifted)), at(day + D(days=7), hhmm(clock))]
    assert [a["start"] for a in appts] == [
        naive_utc(first, clock, before),
        naive_utc(day, clock, before),          # RFC 5545: the offset before the gap
        naive_utc(day + D(days=7), clock, after)]
    # the gap one is still the series' occurrence, not an override
    assert all(a["override"] is False for a in appts)
    assert [local_text(a["start"], zone) for a in appts] == [a["local_start"] for a in appts]


@pytest.mark.parametrize("zone", ZONES)
def test_ambiguous_time_takes_the_earlier_instant(c, zone):
    p = c.p
    clin, cli = new_clinician(p, zone=zone), new_client(p)
    day, clock, before, after = fold_of(zone, min_days_ahead=9)
    when = "%s %s" % (day.isoformat(), hhmm(clock))
    a = book_one(p, cli, clin, c.short, when, zone=zone)
    assert a["start"] == naive_utc(day, clock, before)
    assert a["start"] == fmt_utc(wall(day, hhmm(clock), zone))      # fold=0
    assert a["local_start"] == when
    # a weekly series through the fold day: the occurrence there is the
    # earlier instant too
    within_horizon(zone, day + D(days=7))
    clin2, cli2 = new_clinician(p, zone=zone), new_client(p)   # cli is busy then
    first = day - D(days=7)
    out = book_series(p, cli2, clin2, c.short, at(first, hhmm(clock)), "weekly", "--count",
                      "3", zone=zone)
    _, appts = series_show(p, out["series"]["id"], zone=zone)
    assert [a["start"] for a in appts] == [
        naive_utc(first, clock, before), naive_utc(day, clock, before),
        naive_utc(day + D(days=7), clock, after)]
    assert {a["local_start"][11:] for a in appts} == {hhmm(clock)}


@pytest.mark.parametrize("zone", [NEW_YORK, LORD_HOWE])
def test_move_all_onto_a_gap_clock(c, zone):
    """Shifting a series to a wall time that the gap day lacks: that day's
    occurrence is placed by RFC 5545 (a UTC shift would put it elsewhere)."""
    p = c.p
    clin, cli = new_clinician(p, zone=zone), new_client(p)
    day, clock, before, after = gap_of(zone, min_days_ahead=9)
    within_horizon(zone, day + D(days=7))
    first = day - D(days=7)
    out = book_series(p, cli, clin, c.short, at(first, "10:00"), "weekly", "--count", "3",
                      zone=zone)
    _, appts = series_show(p, out["series"]["id"], zone=zone)
    ok_out = p.ctl("move", appts[0]["id"], "--at", at(first, hhmm(clock)), "--all",
                   zone=zone)[1]
    assert ok_out["moved"] == 3
    _, after_appts = series_show(p, out["series"]["id"], zone=zone)
    shifted = (dt.datetime.combine(day, clock) + (after - before)).time()
    assert [a["start"] for a in after_appts] == [
        naive_utc(first, clock, before), naive_utc(day, clock, before),
        naive_utc(day + D(days=7), clock, after)]
    assert [a["local_start"] for a in after_appts] == [
        at(first, hhmm(clock)), at(day, hhmm(shifted)), at(day + D(days=7), hhmm(clock))]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("kind", ["gap", "fold"])
def test_slots_on_transition_days(c, zone, kind):
    """Working hours are wall times: on a 23- or 25-hour day (23.5/24.5 on
    Lord Howe) 09:00-12:00 is still 09:00-12:00."""
    p = c.p
    clin = new_clinician(p, zone=zone, hours="daily 09:00-12:00")
    day = (gap_of if kind == "gap" else fold_of)(zone)[0]
    out = p.ctl("slots", "--clinician", clin, "--service", c.svc, "--from",
                (day - D(days=1)).isoformat(), "--days", "3", zone=zone)[1]
    got = [(s["local_start"], s["start"]) for s in out["slots"]]
    want = [(at(d, t), fmt_utc(wall(d, t, zone)))
            for d in (day - D(days=1), day, day + D(days=1))
            for t in ("09:00", "10:00", "11:00")]
    assert got == want


@pytest.mark.parametrize("zone", [NEW_YORK, LORD_HOWE])
@pytest.mark.parametrize("kind", ["gap", "fold"])
def test_closure_on_a_transition_day_is_that_local_day(c, zone, kind):
    p = c.p
    clin = new_clinician(p, zone=zone)
    day = (gap_of if kind == "gap" else fold_of)(zone)[0]
    cl = p.ctl("closure", "add", day.isoformat(), "Away", "--clinician", clin,
               zone=zone)[1]["closure"]
    z = ZoneInfo(zone)
    start = dt.datetime(day.year, day.month, day.day, tzinfo=z)
    nxt = day + D(days=1)
    end = dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=z)
    assert (cl["start"], cl["end"]) == (fmt_utc(start), fmt_utc(end))
    assert parse_utc(cl["end"]) - parse_utc(cl["start"]) != D(hours=24)
    cli = new_client(p)
    # the last minutes of the day are closed, the first of the next are open
    refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.short,
            "--at", at(day, "23:00"), zone=zone)
    book_one(p, cli, clin, c.short, at(nxt, "00:00"), zone=zone)
    p.ctl("closure", "remove", cl["id"])


def test_moves_into_a_gap_refused(c):
    """A move --this to a wall time in the gap is refused like a one-off;
    so is --following there (it would start the new series in the gap)."""
    p = c.p
    zone = NEW_YORK
    clin, cli = new_clinician(p, zone=zone), new_client(p)
    day, clock, before, after = gap_of(zone, min_days_ahead=9)
    within_horizon(zone, day + D(days=7))
    first = day - D(days=7)
    out = book_series(p, cli, clin, c.short, at(first, "10:00"), "weekly", "--count", "3",
                      zone=zone)
    sid = out["series"]["id"]
    _, appts = series_show(p, sid, zone=zone)
    target = appts[1]
    assert target["local_start"] == at(day, "10:00")
    for scope in ("this", "following"):
        err = api_refusal(p, "POST", "/v1/appointments/%d/move" % target["id"],
                          {"at": at(day, hhmm(clock)), "scope": scope, "tz": zone}, 400,
                          "bad_request")
        assert hhmm(clock) in err["message"], err
        refusal(p, "move", target["id"], "--at", at(day, hhmm(clock)), "--" + scope, zone=zone)
    assert series_show(p, sid, zone=zone)[1] == appts
    assert series_ids(p, "--clinician", clin, "--all") == [sid]
