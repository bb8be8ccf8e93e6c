"""Recurring series end to end (api-spec-3.md "Series"): the repeat forms,
the stored occurrences against an independent RRULE expansion
(icalendar + recurring_ical_events), list/show, restarts, the horizon,
clashes (refused, --skip, --overlap) and refusals."""

import datetime as dt
import re

import pytest

from conftest import TZ, at, future_monday, seed_practice, today
from series_util import (LONDON, SYDNEY, add, api_refusal, book_one, book_series,
                         expand, list_appts, local_text, months_after, new_client,
                         new_clinician, next_weekday, nth_weekday, ok, parse_utc,
                         refusal, rule_parts, series_ids, series_list, series_show,
                         starts, utc_text)

UTC = dt.timezone.utc


@pytest.fixture
def c(module_clinic):
    yield module_clinic
    assert module_clinic.p.alive(), "practiced died; log:\n%s" % module_clinic.p.log()


def nothing_stored(p, clin, first, last):
    assert series_ids(p, "--clinician", clin, "--all") == []
    assert list_appts(p, clin, first, last) == []


# ------------------------------------------------------------ the forms

def test_weekly_series_booked_and_shown(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    out = book_series(p, cli, clin, c.svc, at(mon, "10:00"), "weekly", "--count", "6",
                      "--room", c.room1)
    s, first = out["series"], out["appointment"]
    assert out["booked"] == 6
    assert out.get("skipped", []) == []
    expected = [utc_text(mon + dt.timedelta(days=7 * k), "10:00", TZ) for k in range(6)]

    parts = rule_parts(s["rrule"])
    assert parts["FREQ"] == "WEEKLY", s
    assert parts.get("INTERVAL", "1") == "1", s
    assert parts.get("COUNT", "6") == "6" and parts.get("BYDAY", "MO") == "MO", s
    assert "week" in s["repeat"].lower() and "monday" in s["repeat"].lower(), s
    assert (s["count"], s["until"]) == (6, None)
    assert s["zone"] == TZ and s["time"] == "10:00"
    assert s["first_start"] == expected[0]
    assert s["first_local"] == at(mon, "10:00")
    assert (s["minutes"], s["buffer"]) == (50, 10)
    assert s["clinician"]["id"] == clin and s["client"]["id"] == cli
    assert s["service"]["id"] == c.svc and s["room"]["id"] == c.room1
    assert s["video_url"] is None
    assert s["state"] == "active" and s["parent"] is None
    assert s["upcoming"] == 6
    assert s["next"]["id"] == first["id"] and s["next"]["local_start"] == at(mon, "10:00")
    assert s.get("skipped", []) == []

    assert first["start"] == expected[0] and first["series"] == s["id"]
    assert first["recurrence"] == expected[0] and first["override"] is False

    s2, appts = series_show(p, s["id"])
    assert s2["id"] == s["id"] and s2["rrule"] == s["rrule"]
    assert starts(appts) == expected
    assert appts[0]["id"] == first["id"]
    for a in appts:
        assert a["series"] == s["id"] and a["override"] is False
        assert a["recurrence"] == a["start"] and a["recurrence_local"] == a["local_start"]
        assert a["state"] == "booked"
        assert a["client"]["id"] == cli and a["clinician"]["id"] == clin
        assert a["room"]["id"] == c.room1 and (a["minutes"], a["buffer"]) == (50, 10)
    # the occurrences are ordinary appointments too
    assert [a["id"] for a in list_appts(p, clin, mon, mon + dt.timedelta(days=40))] == \
        [a["id"] for a in appts]
    assert ok(p, "show", appts[3]["id"])["appointment"]["series"] == s["id"]
    # last, the instants of the series object
    for k in ("materialized_until", "first_start", "created", "updated"):
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", s.get(k) or ""), (
            "series.%s: %r" % (k, s.get(k)))


def test_biweekly_series(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    wed = future_monday() + dt.timedelta(days=2)
    out = book_series(p, cli, clin, c.short, at(wed, "14:00"), "biweekly", "--count", "4")
    s = out["series"]
    assert out["booked"] == 4
    assert rule_parts(s["rrule"]).get("INTERVAL") == "2", s
    assert "2" in s["repeat"] and "wednesday" in s["repeat"].lower(), s
    _, appts = series_show(p, s["id"])
    assert starts(appts) == [utc_text(wed + dt.timedelta(days=14 * k), "14:00", TZ)
                             for k in range(4)]


def test_monthly_keeps_the_weekday_position(c):
    """"monthly" from a 2nd Tuesday repeats on 2nd Tuesdays (not on the same
    day of the month)."""
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    y, m = months_after(today(), 1)
    first = nth_weekday(y, m, 1, 2)
    out = book_series(p, cli, clin, c.svc, at(first, "11:00"), "monthly", "--count", "5")
    s = out["series"]
    assert out["booked"] == 5
    assert rule_parts(s["rrule"])["FREQ"] == "MONTHLY", s
    _, appts = series_show(p, s["id"])
    want = [utc_text(nth_weekday(*months_after(first, k), 1, 2), "11:00", TZ) for k in range(5)]
    assert starts(appts) == want
    days = {local_text(a["start"], TZ)[8:10] for a in appts}
    assert len(days) > 1, "2nd Tuesdays fall on different days of the month"
    assert set(want) == expand("FREQ=MONTHLY;BYDAY=2TU;COUNT=5", first, "11:00", TZ,
                               parse_utc(want[-1]))


# ------------------------------------------- against an independent expander

def _first_monday(z):
    return next_weekday(today(z) + dt.timedelta(days=10), 0)


def _last_friday(z):
    d = today(z) + dt.timedelta(days=10)
    f = nth_weekday(d.year, d.month, 4, -1)
    if f < d:
        f = nth_weekday(*months_after(d, 1), 4, -1)
    return f


def _day15(z):
    d = today(z) + dt.timedelta(days=10)
    return dt.date(d.year, d.month, 15) if d.day <= 15 else dt.date(*months_after(d, 1), 15)


def _first_monday_of_month(z):
    d = today(z) + dt.timedelta(days=10)
    return nth_weekday(*months_after(d, 1), 0, 1)


def _day31(z):
    d = today(z) + dt.timedelta(days=10)
    while True:
        try:
            x = dt.date(d.year, d.month, 31)
        except ValueError:
            x = None
        if x and x >= d:
            return x
        d = dt.date(*months_after(d, 1), 1)


def _last_weekday_of_month(z):
    d = today(z) + dt.timedelta(days=10)
    y, m = months_after(d, 1)
    x = dt.date(*months_after(dt.date(y, m, 1), 1), 1) - dt.timedelta(days=1)
    while x.weekday() >= 5:
        x -= dt.timedelta(days=1)
    return x


RULES = [
    # id, repeat text, first date, extra ctl args, count (if all fit the horizon)
    ("byday-mo-th", "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10", _first_monday, (), 10),
    ("last-friday", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6", _last_friday, (), 6),
    ("interval-3", "FREQ=WEEKLY;INTERVAL=3;COUNT=8",
     lambda z: today(z) + dt.timedelta(days=9), (), 8),
    ("daily-2", "FREQ=DAILY;INTERVAL=2;COUNT=20",
     lambda z: today(z) + dt.timedelta(days=3), (), 20),
    ("monthday-15", "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6", _day15, (), 6),
    ("1st-3rd-monday", "FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=8", _first_monday_of_month, (), 8),
    ("open-biweekly-tu", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
     lambda z: next_weekday(today(z) + dt.timedelta(days=5), 1), (), None),
    ("until-friday", "FREQ=WEEKLY;BYDAY=FR",
     lambda z: next_weekday(today(z) + dt.timedelta(days=5), 4), ("until",), None),
    ("yearly", "FREQ=YEARLY;COUNT=3", lambda z: today(z) + dt.timedelta(days=12), (), None),
    ("monthday-31", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", _day31, (), 4),
    ("bysetpos-last-weekday", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=5",
     _last_weekday_of_month, (), 5),
    ("wkst-mo", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO;COUNT=8",
     lambda z: next_weekday(today(z) + dt.timedelta(days=5), 1), (), 8),
    ("wkst-su", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=8",
     lambda z: next_weekday(today(z) + dt.timedelta(days=5), 1), (), 8),
    ("daily-byday", "FREQ=DAILY;BYDAY=MO,WE,FR;COUNT=9",
     lambda z: next_weekday(today(z) + dt.timedelta(days=5), 2), (), 9),
]


@pytest.mark.parametrize("zone", [TZ, LONDON, SYDNEY])
@pytest.mark.parametrize("rid,rule,first_of,extra,count", RULES, ids=[r[0] for r in RULES])
def test_occurrences_match_independent_expansion(c, zone, rid, rule, first_of, extra, count):
    p = c.p
    clin, cli = new_clinician(p, zone=zone), new_client(p)
    first = first_of(zone)
    args = []
    until = None
    if "until" in extra:
        until = first + dt.timedelta(days=120)
        args = ["--until", until.isoformat()]
    out = book_series(p, cli, clin, c.svc, at(first, "09:30"), rule, *args, zone=zone)
    s = out["series"]
    assert s["zone"] == zone and s["time"] == "09:30"
    sid = s["id"]
    _, appts = series_show(p, sid, zone=zone)
    got = starts(appts)
    assert len(got) == len(set(got)), "duplicate occurrences: %r" % got
    assert out["booked"] == len(got)
    assert got[0] == utc_text(first, "09:30", zone) == s["first_start"]
    horizon = parse_utc(s["materialized_until"])
    want = expand(rule, first, "09:30", zone, horizon, until_day=until)
    assert set(got) == want, (
        "rule %s in %s: daemon-only %s, expander-only %s" % (
            rule, zone, sorted(set(got) - want), sorted(want - set(got))))
    for a in appts:
        assert local_text(a["start"], zone)[11:] == "09:30"
        assert a["zone"] == zone and a["series"] == sid
    if count is not None:
        assert len(got) == count and s["count"] == count
    if until is not None:
        assert s["until"] == until.isoformat() and s["count"] is None
        assert local_text(got[-1], zone)[:10] <= until.isoformat()
        assert until - dt.date.fromisoformat(local_text(got[-1], zone)[:10]) < dt.timedelta(days=7)
    if rid.startswith("open"):
        assert s["count"] is None and s["until"] is None
        # materialized about a year ahead (the default horizon, 365 days)
        assert horizon >= dt.datetime.now(UTC) + dt.timedelta(days=350), s
        assert len(got) >= 24
    if rid == "yearly":
        # the next one is a year after the first: past the default horizon
        assert len(got) == 1 and s["count"] == 3


def test_wkst_changes_the_result(c):
    """The two WKST rules above differ (RFC 5545's own example): the
    expander and the daemon must both see it."""
    first = next_weekday(today() + dt.timedelta(days=5), 1)
    far = dt.datetime.now(UTC) + dt.timedelta(days=200)
    assert (expand("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO;COUNT=8", first, "09:30", TZ, far)
            != expand("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=8", first, "09:30",
                      TZ, far))


def test_until_is_inclusive_and_count_and_interval_bounds(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    last = mon + dt.timedelta(days=21)
    out = book_series(p, cli, clin, c.svc, at(mon, "10:00"), "weekly",
                      "--until", last.isoformat())
    assert out["booked"] == 4
    _, appts = series_show(p, out["series"]["id"])
    assert appts[-1]["local_start"] == at(last, "10:00")
    # the largest count and interval are accepted
    out = book_series(p, cli, clin, c.svc, at(mon, "12:00"), "weekly", "--count", "500")
    assert out["series"]["count"] == 500
    assert 48 <= out["booked"] <= 53                   # up to the 365-day horizon
    out = book_series(p, cli, clin, c.svc, at(mon, "14:00"), "FREQ=WEEKLY;INTERVAL=52",
                      "--count", "3")
    assert out["series"]["count"] == 3 and out["booked"] == 1
    # a series by video
    out = book_series(p, cli, clin, c.svc, at(mon, "16:00"), "weekly", "--count", "2",
                      "--video", "https://meet.example.org/series")
    assert out["series"]["video_url"] == "https://meet.example.org/series"
    _, appts = series_show(p, out["series"]["id"])
    assert {a["video_url"] for a in appts} == {"https://meet.example.org/series"}


# ------------------------------------------------------------ list and show

def test_series_list_filters_and_all(c):
    p = c.p
    clin, cli, cli2 = new_clinician(p), new_client(p), new_client(p)
    mon = future_monday()
    s1 = book_series(p, cli, clin, c.svc, at(mon, "09:00"), "weekly", "--count", "3")["series"]
    s2 = book_series(p, cli, clin, c.svc, at(mon, "13:00"), "weekly")["series"]
    s3 = book_series(p, cli2, clin, c.svc, at(mon, "15:00"), "biweekly",
                     "--until", (mon + dt.timedelta(days=60)).isoformat())["series"]
    assert series_ids(p, "--client", cli) == sorted([s1["id"], s2["id"]])
    assert series_ids(p, "--client", cli2) == [s3["id"]]
    assert series_ids(p, "--clinician", clin) == sorted([s1["id"], s2["id"], s3["id"]])
    assert series_ids(p, "--client", cli, "--clinician", clin) == sorted([s1["id"], s2["id"]])
    every = {s["id"] for s in series_list(p)}
    assert {s1["id"], s2["id"], s3["id"]} <= every
    listed = {s["id"]: s for s in series_list(p, "--clinician", clin)}
    assert listed[s1["id"]]["count"] == 3 and listed[s2["id"]]["count"] is None
    assert listed[s3["id"]]["until"] == (mon + dt.timedelta(days=60)).isoformat()
    assert listed[s2["id"]]["upcoming"] >= 40

    # a cancelled series leaves the default list, --all keeps it
    first2 = series_show(p, s2["id"])[1][0]
    out = ok(p, "cancel", first2["id"], "--all")
    assert out["series"]["state"] == "cancelled"
    assert series_ids(p, "--client", cli) == [s1["id"]]
    allof = {s["id"]: s for s in series_list(p, "--client", cli, "--all")}
    assert set(allof) == {s1["id"], s2["id"]}
    assert allof[s2["id"]]["state"] == "cancelled" and allof[s2["id"]]["upcoming"] == 0


def test_series_show_unknown_refused(c):
    refusal(c.p, "series", "show", "987654")
    st, out = c.p.api("GET", "/v1/series/987654")
    assert st == 404 and out["error"]["code"] == "not_found", out


# ------------------------------------------------------ restart and horizon

def test_restart_keeps_occurrences_without_duplicates(make_practice):
    p = make_practice()
    sd = seed_practice(p)
    mon = future_monday()
    sids = [
        book_series(p, sd.jordan, sd.pat, sd.svc, at(mon, "10:00"), "weekly")["series"]["id"],
        book_series(p, sd.sam, sd.pat, sd.svc, at(mon, "12:00"), "FREQ=DAILY;COUNT=30")
        ["series"]["id"],
        book_series(p, sd.jordan, sd.ana, sd.svc, at(mon, "15:00"), "monthly")["series"]["id"],
    ]

    def snapshot():
        return ({sid: [(a["id"], a["start"], a["state"]) for a in series_show(p, sid)[1]]
                 for sid in sids},
                ok(p, "status")["counts"]["appointments"])

    before = snapshot()
    assert len(before[0][sids[0]]) >= 50 and len(before[0][sids[1]]) == 30
    assert before[1] == sum(len(v) for v in before[0].values())
    for _ in range(2):
        p.stop()
        p.start()
        assert snapshot() == before
    assert series_ids(p) == sorted(sids)


def test_horizon_limits_open_ended_series(make_practice):
    p = make_practice(start=False)
    text = p.config_text().replace("[practice]\n", "[practice]\nseries_horizon_days = 60\n", 1)
    assert "series_horizon_days = 60" in text
    p.write_config(text=text)
    p.start()
    sd = seed_practice(p)
    now = dt.datetime.now(UTC)
    mon = future_monday()
    w = book_series(p, sd.jordan, sd.pat, sd.svc, at(mon, "10:00"), "weekly")["series"]
    tomorrow = today() + dt.timedelta(days=1)
    d = book_series(p, sd.sam, sd.pat, sd.short, at(tomorrow, "12:00"),
                    "FREQ=DAILY")["series"]
    for s, day, hhmm, rule in ((w, mon, "10:00", "FREQ=WEEKLY"),
                               (d, tomorrow, "12:00", "FREQ=DAILY")):
        _, appts = series_show(p, s["id"])
        got = set(starts(appts))
        assert len(got) == len(appts)
        lo = expand(rule, day, hhmm, TZ, now + dt.timedelta(days=59))
        hi = expand(rule, day, hhmm, TZ, now + dt.timedelta(days=61))
        assert lo <= got <= hi, "%s: %d occurrences, want %d..%d" % (rule, len(got),
                                                                    len(lo), len(hi))
        mu = parse_utc(s["materialized_until"])
        assert now + dt.timedelta(days=58) <= mu <= now + dt.timedelta(days=62), s
    # a restart with the same horizon adds nothing
    n = ok(p, "status")["counts"]["appointments"]
    p.stop()
    p.start()
    assert ok(p, "status")["counts"]["appointments"] == n


# ------------------------------------------------------------------ clashes

def test_series_clash_refused_then_skip_then_overlap(c):
    p = c.p
    clin, cli, other = new_clinician(p), new_client(p), new_client(p)
    mon = future_monday()
    week3 = mon + dt.timedelta(days=14)
    x = book_one(p, other, clin, c.svc, at(week3, "10:30"))
    end = mon + dt.timedelta(days=40)

    body = {"client": cli, "clinician": clin, "service": c.svc, "at": at(mon, "10:00"),
            "repeat": "weekly", "count": 6}
    err = api_refusal(p, "POST", "/v1/appointments", body, 409, "conflict")
    assert at(week3, "10:00") in err["message"], err
    assert str(x["id"]) in err["message"], err
    (cl,) = err["details"]["clashes"]
    assert cl["local_start"] == at(week3, "10:00")
    assert cl["start"] == utc_text(week3, "10:00", TZ)
    assert cl["kind"] == "clinician" and cl["id"] == x["id"]
    msg = refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
                  "--at", at(mon, "10:00"), "--repeat", "weekly", "--count", "6")
    assert at(week3, "10:00") in msg and "--skip" in msg, msg
    assert series_ids(p, "--clinician", clin, "--all") == []
    assert [a["id"] for a in list_appts(p, clin, mon, end)] == [x["id"]]

    out = book_series(p, cli, clin, c.svc, at(mon, "10:00"), "weekly", "--count", "6", "--skip")
    assert out["booked"] == 5
    (sk,) = out["skipped"]
    assert sk["local_start"] == at(week3, "10:00") and sk["reason"] == "clash"
    assert sk["start"] == utc_text(week3, "10:00", TZ)
    assert str(x["id"]) in sk["detail"], sk
    s, appts = series_show(p, out["series"]["id"])
    assert [a["local_start"] for a in appts] == [
        at(mon + dt.timedelta(days=7 * k), "10:00") for k in range(6) if k != 2]
    assert [k["local_start"] for k in s["skipped"]] == [at(week3, "10:00")]
    assert ok(p, "show", x["id"])["appointment"] == x

    # --overlap books every one, the clashing one flagged
    clin2, cli2 = new_clinician(p), new_client(p)
    book_one(p, other, clin2, c.svc, at(mon + dt.timedelta(days=7), "10:00"))
    out = book_series(p, cli2, clin2, c.svc, at(mon, "10:00"), "weekly", "--count", "4",
                      "--overlap")
    assert out["booked"] == 4 and out.get("skipped", []) == []
    _, appts = series_show(p, out["series"]["id"])
    assert [a["overlap"] for a in appts] == [False, True, False, False]
    assert len(list_appts(p, clin2, mon, end)) == 5


def test_skip_the_first_session(c):
    """With --skip a clashing first session is left out; the answer's
    appointment is the first one booked, and the series' next is it."""
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    book_one(p, new_client(p), clin, c.svc, at(mon, "10:00"))
    out = book_series(p, cli, clin, c.svc, at(mon, "10:00"), "weekly", "--count", "3", "--skip")
    assert out["booked"] == 2
    assert [k["local_start"] for k in out["skipped"]] == [at(mon, "10:00")]
    wk2 = mon + dt.timedelta(days=7)
    assert out["appointment"]["local_start"] == at(wk2, "10:00")
    assert out["series"]["next"]["id"] == out["appointment"]["id"]
    # every session taken: refused, nothing stored
    clin2 = new_clinician(p)
    for k in range(2):
        book_one(p, new_client(p), clin2, c.svc, at(mon + dt.timedelta(days=7 * k), "10:00"))
    refusal(p, "book", "--client", cli, "--clinician", clin2, "--service", c.svc,
            "--at", at(mon, "10:00"), "--repeat", "weekly", "--count", "2", "--skip")
    assert series_ids(p, "--clinician", clin2, "--all") == []


def test_series_room_clash(c):
    p = c.p
    clin, clin2, cli = new_clinician(p), new_clinician(p), new_client(p)
    room = add(p, "room", {"name": "Room %d" % clin})
    mon = future_monday()
    x = book_one(p, new_client(p), clin2, c.svc, at(mon + dt.timedelta(days=21), "09:30"),
                 "--room", room)
    body = {"client": cli, "clinician": clin, "service": c.svc, "at": at(mon, "09:00"),
            "repeat": "weekly", "count": 5, "room": room}
    err = api_refusal(p, "POST", "/v1/appointments", body, 409, "conflict")
    assert [(k["kind"], k["id"]) for k in err["details"]["clashes"]] == [("room", x["id"])]
    assert series_ids(p, "--clinician", clin, "--all") == []
    # the same series in no room clashes with nothing
    out = book_series(p, cli, clin, c.svc, at(mon, "09:00"), "weekly", "--count", "5")
    assert out["booked"] == 5


# ----------------------------------------------------------------- refusals

BAD_RULES = [
    "FREQ=WEEKLY;BYDAY=XX", "FREQ=FORTNIGHTLY", "garbage", "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=WEEKLY;INTERVAL=53", "FREQ=HOURLY", "FREQ=MINUTELY;COUNT=3",
    "FREQ=SECONDLY", "every week", "FREQ=WEEKLY;COUNT=2;UNTIL=20270101T000000Z;BOGUS=1",
]


@pytest.mark.parametrize("rule", BAD_RULES)
def test_bad_rule_refused(c, rule):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
            "--at", at(mon, "10:00"), "--repeat", rule, codes=(1, 2))
    api_refusal(p, "POST", "/v1/appointments",
                {"client": cli, "clinician": clin, "service": c.svc,
                 "at": at(mon, "10:00"), "repeat": rule}, 400, "bad_request")
    nothing_stored(p, clin, mon, mon + dt.timedelta(days=400))


def test_hourly_message_names_the_frequency(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    msg = refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
                  "--at", at(mon, "10:00"), "--repeat", "FREQ=HOURLY;COUNT=3")
    assert "HOURLY" in msg.upper() or "weekly" in msg.lower(), msg


def test_first_date_must_match_byday(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    tue = future_monday() + dt.timedelta(days=1)
    refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
            "--at", at(tue, "10:00"), "--repeat", "FREQ=WEEKLY;BYDAY=MO,TH", "--count", "4")
    api_refusal(p, "POST", "/v1/appointments",
                {"client": cli, "clinician": clin, "service": c.svc, "at": at(tue, "10:00"),
                 "repeat": "FREQ=WEEKLY;BYDAY=MO,TH", "count": 4}, 400, "bad_request")
    nothing_stored(p, clin, tue, tue + dt.timedelta(days=60))


def test_count_and_until_together_refused(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    rc, out, err = p.ctl("book", "--client", cli, "--clinician", clin, "--service", c.svc,
                         "--at", at(mon, "10:00"), "--repeat", "weekly", "--count", "3",
                         "--until", (mon + dt.timedelta(days=30)).isoformat(), check=False)
    assert rc == 2, (rc, out, err)
    assert err.strip()
    api_refusal(p, "POST", "/v1/appointments",
                {"client": cli, "clinician": clin, "service": c.svc, "at": at(mon, "10:00"),
                 "repeat": "weekly", "count": 3,
                 "until": (mon + dt.timedelta(days=30)).isoformat()}, 400, "bad_request")
    nothing_stored(p, clin, mon, mon + dt.timedelta(days=60))


@pytest.mark.parametrize("count", [0, 501, -1])
def test_count_out_of_range_refused(c, count):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
            "--at", at(mon, "10:00"), "--repeat", "weekly", "--count", str(count), codes=(1, 2))
    api_refusal(p, "POST", "/v1/appointments",
                {"client": cli, "clinician": clin, "service": c.svc, "at": at(mon, "10:00"),
                 "repeat": "weekly", "count": count}, 400, "bad_request")
    nothing_stored(p, clin, mon, mon + dt.timedelta(days=400))


def test_until_before_first_refused(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
            "--at", at(mon, "10:00"), "--repeat", "weekly",
            "--until", (mon - dt.timedelta(days=1)).isoformat())
    nothing_stored(p, clin, mon - dt.timedelta(days=7), mon + dt.timedelta(days=60))


def test_series_in_the_past_needs_force(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    first = today() - dt.timedelta(days=6)
    api_refusal(p, "POST", "/v1/appointments",
                {"client": cli, "clinician": clin, "service": c.svc, "at": at(first, "10:00"),
                 "repeat": "weekly", "count": 3}, 422, "in_past")
    refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
            "--at", at(first, "10:00"), "--repeat", "weekly", "--count", "3")
    nothing_stored(p, clin, first, first + dt.timedelta(days=30))
    out = book_series(p, cli, clin, c.svc, at(first, "10:00"), "weekly", "--count", "3",
                      "--force")
    assert out["booked"] == 3
    _, appts = series_show(p, out["series"]["id"])
    assert starts(appts) == [utc_text(first + dt.timedelta(days=7 * k), "10:00", TZ)
                             for k in range(3)]
    assert out["series"]["upcoming"] == 2


def test_series_outside_hours_refused_naming_the_date(c):
    p = c.p
    clin = new_clinician(p, hours="mon-fri 09:00-17:00")
    cli = new_client(p)
    mon = future_monday()
    sat = mon + dt.timedelta(days=5)
    err = api_refusal(p, "POST", "/v1/appointments",
                      {"client": cli, "clinician": clin, "service": c.svc,
                       "at": at(mon, "10:00"), "repeat": "FREQ=DAILY;COUNT=7"},
                      422, "outside_hours")
    assert sat.isoformat() in err["message"], err
    assert "09:00-17:00" in err["message"] or "Sat" in err["message"], err
    msg = refusal(p, "book", "--client", cli, "--clinician", clin, "--service", c.svc,
                  "--at", at(mon, "10:00"), "--repeat", "FREQ=DAILY;COUNT=7")
    assert sat.isoformat() in msg, msg
    nothing_stored(p, clin, mon, mon + dt.timedelta(days=10))
    # weekdays only: inside
    out = book_series(p, cli, clin, c.svc, at(mon, "10:00"),
                      "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=7")
    assert out["booked"] == 7
    # and the daily one with --force, with a warning
    clin2, cli2 = new_clinician(p, hours="mon-fri 09:00-17:00"), new_client(p)
    out = book_series(p, cli2, clin2, c.svc, at(mon, "10:00"), "FREQ=DAILY;COUNT=7", "--force")
    assert out["booked"] == 7 and out.get("warnings"), out


# ----------------------------------------------------------- zones, roles

def test_series_lives_in_the_clinicians_zone_not_the_readers(c):
    """Booked with the times read in New York for a London clinician: the
    series keeps London's wall time, so New York's clock moves when the two
    countries change their clocks on different dates."""
    p = c.p
    lon, cli = new_clinician(p, zone=LONDON), new_client(p)
    first = today(LONDON) + dt.timedelta(days=3)
    start = utc_text(first, "10:00", LONDON)
    out = book_series(p, cli, lon, c.svc, local_text(start, TZ), "weekly")
    s = out["series"]
    assert s["zone"] == LONDON and s["time"] == "10:00"
    assert s["first_start"] == start
    _, appts = series_show(p, s["id"])
    assert {local_text(a["start"], LONDON)[11:] for a in appts} == {"10:00"}
    ny = {a["local_start"][11:] for a in appts}
    assert ny == {"05:00", "06:00"}, ny               # the weeks of March and Oct/Nov
    assert all(a["local_start"] == local_text(a["start"], TZ) for a in appts)
    assert set(starts(appts)) == expand("FREQ=WEEKLY", first, "10:00", LONDON,
                                        parse_utc(s["materialized_until"]))


def test_until_date_is_read_in_the_request_zone(c):
    """until is inclusive "in tz": a London 02:00 session is the evening
    before in New York, so it is inside a New York until date that London
    would count as the day before."""
    p = c.p
    lon, cli = new_clinician(p, zone=LONDON), new_client(p)
    first = today(LONDON) + dt.timedelta(days=3)
    occ = [utc_text(first + dt.timedelta(days=7 * k), "02:00", LONDON) for k in range(5)]
    until_ny = local_text(occ[2], TZ)[:10]            # New York's date of the 3rd
    assert local_text(occ[2], LONDON)[:10] != until_ny
    out = book_series(p, cli, lon, c.short, local_text(occ[0], TZ), "weekly",
                      "--until", until_ny)
    _, appts = series_show(p, out["series"]["id"])
    assert starts(appts) == occ[:3]
    # read in London, the same date ends a session earlier
    lon2, cli2 = new_clinician(p, zone=LONDON), new_client(p)
    out = book_series(p, cli2, lon2, c.short, local_text(occ[0], LONDON), "weekly",
                      "--until", until_ny, zone=LONDON)
    _, appts = series_show(p, out["series"]["id"])
    assert starts(appts) == occ[:2]


def test_roles_for_series_and_the_new_reads(c):
    from conftest import USER_RO, USER_STAFF
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    rc, out, err = p.ctl("book", "--client", cli, "--clinician", clin, "--service", c.svc,
                         "--at", at(mon, "10:00"), "--repeat", "weekly", "--count", "2",
                         user=USER_RO, check=False)
    assert rc == 1 and "permission" in err.lower(), (rc, err)
    out = p.ctl("book", "--client", cli, "--clinician", clin, "--service", c.svc,
                "--at", at(mon, "10:00"), "--repeat", "weekly", "--count", "2",
                user=USER_STAFF)[1]
    sid = out["series"]["id"]
    first = out["appointment"]["id"]
    assert sid in [s["id"] for s in p.ctl("series", "list", "--clinician", clin,
                                          user=USER_RO)[1]["series"]]
    assert p.ctl("series", "show", sid, user=USER_RO)[1]["series"]["id"] == sid
    p.ctl("slots", "--clinician", clin, "--service", c.svc, user=USER_RO)
    p.ctl("client", "history", cli, user=USER_RO)
    p.ctl("report", "attendance", user=USER_RO)
    p.ctl("closure", "list", user=USER_RO)
    for args in (("move", first, "--at", at(mon, "12:00"), "--all"),
                 ("cancel", first, "--all")):
        rc, out, err = p.ctl(*args, user=USER_RO, check=False)
        assert rc == 1 and "permission" in err.lower(), (args, rc, err)
    assert p.ctl("cancel", first, "--all", user=USER_STAFF)[1]["cancelled"] == 2
