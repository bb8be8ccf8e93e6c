"""Time-dependent rules at their edges, with the daemon on a clock the test
sets (libfaketime; see Clock in conftest.py): the late-cancellation window
to the second, "days since" near midnight, and the series extension as the
horizon moves.  All dates are fixed."""

import datetime as dt
import time

import pytest

from conftest import TZ
from series_util import (new_client, new_clinician, new_service, ok, series_show,
                         utc_text)

D = dt.timedelta


def wait_for(pred, timeout=5.0, step=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def people(p):
    """A clinician working every day, a client, a 50+10 service."""
    return new_clinician(p), new_client(p), new_service(p, 50, 10)


def book(p, cli, clin, svc, when, *extra):
    return ok(p, "book", "--client", cli, "--clinician", clin, "--service", svc,
              "--at", when, *extra)


# ------------------------------------------------------------- the clock

def test_the_daemon_runs_on_the_clock_set(practice_at):
    p = practice_at("2026-03-04 10:00:00")
    st = ok(p, "status")
    assert st["started"] == "2026-03-04T15:00:00Z", st
    assert st["uptime_seconds"] == 0
    clin, cli, svc = people(p)
    # "today" and "tomorrow" are resolved by the daemon, on its clock
    a = book(p, cli, clin, svc, "today 15:00")["appointment"]
    assert a["local_start"] == "2026-03-04 15:00"
    b = book(p, cli, clin, svc, "tomorrow 15:00")["appointment"]
    assert b["local_start"] == "2026-03-05 15:00"
    assert [x["id"] for x in ok(p, "list")["appointments"]] == [a["id"]]
    # the past is the clock's past
    rc, out, err = p.ctl("book", "--client", cli, "--clinician", clin, "--service", svc,
                         "--at", "2026-03-04 09:55", check=False)
    assert rc == 1 and out["error"]["code"] == "in_past", (rc, out, err)
    # set on: a day later, "today" is the 5th and the 4th is past
    p.clock.set("2026-03-05 09:00:00")
    assert ok(p, "status")["uptime_seconds"] == 23 * 3600
    assert [x["id"] for x in ok(p, "list")["appointments"]] == [b["id"]]
    assert ok(p, "list", "--day", "yesterday")["appointments"][0]["id"] == a["id"]


def test_the_clock_runs_and_jumps_with_the_monotonic_clock(practice_at):
    """A running clock: libevent's timers (monotonic) see the jump too; a
    request timeout still works on it."""
    p = practice_at("2026-03-04 10:00:00", running=True,
                    daemon_extra={"request_timeout": 1})
    t0 = ok(p, "status")["uptime_seconds"]
    assert 0 <= t0 < 5
    p.clock.set("2026-03-04 16:00:00")
    assert 6 * 3600 <= ok(p, "status")["uptime_seconds"] < 6 * 3600 + 5
    # a silent connection is still closed after request_timeout
    s = p.connect(timeout=10)
    try:
        t = time.monotonic()
        assert s.recv(1) == b""
        assert time.monotonic() - t < 5
    finally:
        s.close()


# ------------------------------------------ the late-cancellation window

# (hours, appointment start): 24 hours before the Sunday of the DST change
# (2026-03-08, a 23-hour day in New York) is 11:00 on Saturday by the
# clock, not 12:00: the window is elapsed time.
WINDOWS = [(24, "2026-03-08 12:00"), (3, "2026-03-10 15:00")]


@pytest.mark.parametrize("hours,start", WINDOWS)
def test_late_cancellation_exactly_at_the_window(practice_at, hours, start):
    p = practice_at("2026-03-02 09:00", late_cancel_hours=hours)
    clin, cli, svc = people(p)
    day, hhmm = start.split(" ")
    t0 = dt.datetime.fromisoformat(utc_text(dt.date.fromisoformat(day), hhmm, TZ)
                                   .replace("Z", "+00:00"))
    window = D(hours=hours)
    # seconds before the window's edge -> late?
    cases = [(-1, True), (0, False), (1, False)]
    ids = [book(p, cli, clin, svc, "%s %s" % (day, hhmm), "--overlap")["appointment"]["id"]
             for _ in cases]
    for aid, (delta, late) in zip(ids, cases):
        ahead = window + D(seconds=delta)
        p.clock.set(t0 - ahead)
        a = ok(p, "cancel", aid, "--by", "client")["appointment"]
        assert (a["cancelled_by"], a["late"]) == ("client", late), (
            "cancelled %s before the start with a %d-hour window" % (ahead, hours), a)
    # the practice is never late, even one second before the start
    aid = book(p, cli, clin, svc, "%s %s" % (day, hhmm), "--overlap")["appointment"]["id"]
    p.clock.set(t0 - D(seconds=1))
    a = ok(p, "cancel", aid, "--by", "practice")["appointment"]
    assert (a["cancelled_by"], a["late"]) == ("practice", False), a


def test_cancel_all_by_client_late_only_inside_the_window(practice_at):
    """practiced(8): whatever the scope, a session is late exactly when it
    starts inside the window.  The next session is 3 hours away."""
    p = practice_at("2026-03-02 09:00")
    clin, cli, svc = people(p)
    out = book(p, cli, clin, svc, "2026-03-04 15:00", "--repeat", "weekly", "--count", "4")
    sid = out["series"]["id"]
    _, appts = series_show(p, sid)
    p.clock.set("2026-03-04 12:00")
    out = ok(p, "cancel", appts[0]["id"], "--all", "--by", "client")
    assert out["cancelled"] == 4, out
    _, after = series_show(p, sid)
    assert [(a["state"], a["cancelled_by"], a["late"]) for a in after] == (
        [("cancelled", "client", True)] + [("cancelled", "client", False)] * 3)


def test_cancel_following_by_client_at_the_window_edge(practice_at):
    """A daily series: from one second inside the window, the session
    24 hours later is one second outside it."""
    p = practice_at("2026-03-02 09:00")
    clin, cli, svc = people(p)
    out = book(p, cli, clin, svc, "2026-03-04 15:00", "--repeat", "FREQ=DAILY",
               "--count", "4")
    sid = out["series"]["id"]
    _, appts = series_show(p, sid)
    # one second after the first session began, the second is 23:59:59 away
    p.clock.set("2026-03-04 15:00:01")
    ok(p, "cancel", appts[1]["id"], "--following", "--by", "client")
    _, after = series_show(p, sid)
    assert [(a["state"], a["late"]) for a in after] == [
        ("booked", False), ("cancelled", True), ("cancelled", False), ("cancelled", False)]
    # and by the practice, with the same timing, none is late
    out = book(p, cli, clin, svc, "2026-03-10 15:00", "--repeat", "FREQ=DAILY",
               "--count", "2")
    _, appts = series_show(p, out["series"]["id"])
    p.clock.set("2026-03-10 14:59:59")
    ok(p, "cancel", appts[0]["id"], "--all", "--by", "practice")
    _, after = series_show(p, out["series"]["id"])
    assert [(a["cancelled_by"], a["late"]) for a in after] == [("practice", False)] * 2


def test_cancel_series_exactly_at_the_window_is_in_time(practice_at):
    p = practice_at("2026-03-02 09:00")
    clin, cli, svc = people(p)
    out = book(p, cli, clin, svc, "2026-03-04 15:00", "--repeat", "FREQ=DAILY",
               "--count", "3")
    sid = out["series"]["id"]
    _, appts = series_show(p, sid)
    p.clock.set("2026-03-03 15:00:00")           # exactly 24 h before the first
    ok(p, "cancel", appts[0]["id"], "--all", "--by", "client")
    _, after = series_show(p, sid)
    assert [a["late"] for a in after] == [False] * 3


# ------------------------------------------------ "days since" at midnight

def attended_session(p, start, now):
    """A session at start, attended, read back at the clock's now."""
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, start)["appointment"]
    p.clock.set(p.clock.instant(start) + D(minutes=50))
    ok(p, "mark", a["id"], "attended")
    p.clock.set(now)
    return cli


def summary(p, cli):
    return ok(p, "client", "history", cli)["summary"]


def history_text(p, cli):
    return p.ctl("client", "history", cli, json=False)[1]


def test_days_since_late_the_next_evening(practice_at):
    p = practice_at("2026-11-29 10:00")
    cli = attended_session(p, "2026-11-30 09:00", "2026-12-01 23:30")
    sm = summary(p, cli)
    assert (sm["last_attended"], sm["days_since_last"]) == ("2026-11-30 09:00", 1), sm
    assert "(today)" not in history_text(p, cli)


def test_days_since_just_after_midnight_is_yesterday(practice_at):
    p = practice_at("2026-11-29 10:00")
    cli = attended_session(p, "2026-11-30 09:00", "2026-12-01 00:30")
    sm = summary(p, cli)
    assert sm["days_since_last"] == 1, sm
    assert "(today)" not in history_text(p, cli)


def test_days_since_counts_calendar_days(practice_at):
    p = practice_at("2026-11-25 10:00")
    cli = attended_session(p, "2026-11-27 09:00", "2026-12-01 08:00")
    assert summary(p, cli)["days_since_last"] == 4


def test_days_since_same_evening_is_today(practice_at):
    p = practice_at("2026-11-29 10:00")
    cli = attended_session(p, "2026-11-30 09:00", "2026-11-30 23:59:59")
    sm = summary(p, cli)
    assert sm["days_since_last"] == 0, sm
    assert "(today)" in history_text(p, cli)


# ------------------------------------------- the horizon moves with time

def extend_entries(p):
    return [e for e in ok(p, "audit", "--limit", "1000")["audit"]
            if e["action"] == "series.extend"]


def test_series_extension_timer_follows_the_horizon(practice_at):
    """Every 6 hours the daemon extends each series to now + the horizon
    (libevent's timer, on the faked monotonic clock)."""
    p = practice_at("2026-03-04 14:00", running=True,
                    practice_extra={"series_horizon_days": 7})
    clin, cli, svc = people(p)
    out = book(p, cli, clin, svc, "2026-03-05 18:00", "--repeat", "FREQ=DAILY")
    sid = out["series"]["id"]
    # stored up to 2026-03-11 14:00: the 5th to the 10th
    _, appts = series_show(p, sid)
    assert [a["local_start"][:10] for a in appts] == [
        "2026-03-%02d" % d for d in range(5, 11)]
    assert extend_entries(p) == []
    # 5 h 59 min on the timer is not due, though the horizon passed 18:00
    p.clock.set("2026-03-04 19:59")
    ok(p, "status")
    assert len(series_show(p, sid)[1]) == 6
    # 6 hours on, the timer fires at the loop's next wake-up
    p.clock.set("2026-03-04 20:00:05")

    def extended():
        ok(p, "status")
        return len(series_show(p, sid)[1]) == 7
    assert wait_for(extended), p.log()
    _, appts = series_show(p, sid)
    assert appts[-1]["local_start"] == "2026-03-11 18:00"
    (e,) = extend_entries(p)
    assert e["user"] == "practiced" and e["role"] == "admin", e
    assert "series: extended 1 to the horizon" in p.log()


def test_series_extended_at_start_after_a_day_down(practice_at):
    p = practice_at("2026-03-04 14:00", practice_extra={"series_horizon_days": 7})
    clin, cli, svc = people(p)
    sid = book(p, cli, clin, svc, "2026-03-05 18:00", "--repeat", "weekly")["series"]["id"]
    assert [a["local_start"] for a in series_show(p, sid)[1]] == ["2026-03-05 18:00"]
    p.stop()
    p.clock.set("2026-03-06 09:00")              # down for two days
    p.start()
    assert [a["local_start"] for a in series_show(p, sid)[1]] == [
        "2026-03-05 18:00", "2026-03-12 18:00"]
    assert len(extend_entries(p)) == 1
