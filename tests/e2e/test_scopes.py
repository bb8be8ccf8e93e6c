"""Edit scopes on series end to end (api-spec-3.md "Edit scopes"):
move/cancel --this, --following, --all, and their refusals."""

import datetime as dt

import pytest

from conftest import TZ, at, future_monday, today
from series_util import (api_refusal, book_one, book_series, list_appts, live,
                         local_text, new_client, new_clinician, ok, refusal, rule_parts,
                         series_ids, series_show, show, starts, utc_text)

D = dt.timedelta


@pytest.fixture
def c(module_clinic):
    yield module_clinic
    assert module_clinic.p.alive(), "practiced died; log:\n%s" % module_clinic.p.log()


def make(c, first, hhmm="10:00", repeat="weekly", *extra):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    out = book_series(p, cli, clin, c.svc, at(first, hhmm), repeat, *extra)
    s, appts = series_show(p, out["series"]["id"])
    return clin, cli, s, appts


def by_id(appts):
    return {a["id"]: a for a in appts}


def day_of(a, zone=TZ):
    return dt.date.fromisoformat(local_text(a["start"], zone)[:10])


# -------------------------------------------------------------------- move

def test_move_this_makes_an_override(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "6")
    target = appts[2]
    out = ok(p, "move", target["id"], "--at", at(day_of(target), "15:00"), "--this")
    m = out["appointment"]
    assert m["id"] == target["id"]
    assert m["local_start"] == at(day_of(target), "15:00")
    assert m["start"] == utc_text(day_of(target), "15:00", TZ)
    assert m["override"] is True and m["series"] == s["id"]
    assert m["recurrence"] == target["recurrence"] == target["start"]
    assert m["recurrence_local"] == target["local_start"]
    assert m["version"] == target["version"] + 1
    assert out["series"]["id"] == s["id"]

    # the default scope is "this"; an override may go to another day
    other = appts[4]
    m2 = ok(p, "move", other["id"], "--at", at(day_of(other) + D(days=1), "10:00"))["appointment"]
    assert m2["override"] is True and m2["recurrence"] == other["start"]
    assert m2["local_start"] == at(day_of(other) + D(days=1), "10:00")

    s2, after = series_show(p, s["id"])
    assert (s2["state"], s2["rrule"], s2["time"]) == ("active", s["rrule"], "10:00")
    assert [a["id"] for a in after] == [a["id"] for a in appts]
    old = by_id(appts)
    for a in after:
        if a["id"] not in (target["id"], other["id"]):
            assert a == old[a["id"]], "an untouched occurrence changed"
    assert by_id(after)[target["id"]] == m
    assert show(p, target["id"]) == m


def test_move_following_splits_the_series(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "6")
    split = appts[2]
    out = ok(p, "move", split["id"], "--at", at(day_of(split), "14:00"), "--following")
    new = out["series"]
    assert new["id"] != s["id"] and new["parent"] == s["id"]
    assert new["count"] == 4, "COUNT reduced by the 2 sessions before the split: %r" % new
    assert new["time"] == "14:00" and new["first_local"] == at(day_of(split), "14:00")
    assert new["state"] == "active"
    assert out["appointment"]["local_start"] == at(day_of(split), "14:00")
    assert out["appointment"]["series"] == new["id"]
    assert out["moved"] == 4

    olds, oldappts = series_show(p, s["id"])
    # its two sessions are still ahead: active until the last of them
    assert olds["state"] == "active" and olds["continues_as"] == new["id"]
    old = by_id(appts)
    assert [a["id"] for a in live(oldappts)] == [appts[0]["id"], appts[1]["id"]]
    for a in live(oldappts):
        assert a == old[a["id"]], "an occurrence before the split changed"

    news, newappts = series_show(p, new["id"])
    assert news["parent"] == s["id"]
    assert [a["local_start"] for a in newappts] == [
        at(mon + D(days=7 * k), "14:00") for k in range(2, 6)]
    for a in newappts:
        assert a["series"] == new["id"] and a["override"] is False and a["state"] == "booked"

    # the clinician's diary: 6 live sessions, none left at 10:00 after the split
    diary = live(list_appts(p, clin, mon, mon + D(days=50)))
    assert [a["local_start"] for a in diary] == (
        [at(mon + D(days=7 * k), "10:00") for k in range(2)] +
        [at(mon + D(days=7 * k), "14:00") for k in range(2, 6)])
    # both are listed while they have sessions ahead
    assert series_ids(p, "--clinician", clin) == [s["id"], new["id"]]


def test_move_following_open_ended_and_multi_day(c):
    """An open-ended series splits into an open-ended one; a BYDAY=MO,TH
    series keeps its days when only the time changes."""
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "09:00", "FREQ=WEEKLY;BYDAY=MO,TH")
    split = appts[3]                                   # week 2, Thursday
    assert day_of(split).weekday() == 3
    out = ok(p, "move", split["id"], "--at", at(day_of(split), "16:00"), "--following")
    new = out["series"]
    assert new["parent"] == s["id"] and new["count"] is None and new["until"] is None
    assert rule_parts(new["rrule"])["BYDAY"] == "MO,TH"
    _, newappts = series_show(p, new["id"])
    assert len(newappts) >= 80
    assert {day_of(a).weekday() for a in newappts} == {0, 3}
    assert {local_text(a["start"], TZ)[11:] for a in newappts} == {"16:00"}
    assert newappts[0]["start"] == utc_text(day_of(split), "16:00", TZ)
    _, oldappts = series_show(p, s["id"])
    assert [a["id"] for a in live(oldappts)] == [a["id"] for a in appts[:3]]


@pytest.mark.parametrize("repeat", ["weekly", "FREQ=WEEKLY;BYDAY=MO"])
def test_move_following_to_another_weekday(c, repeat):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", repeat, "--count", "6")
    split = appts[2]
    wed = day_of(split) + D(days=2)
    out = ok(p, "move", split["id"], "--at", at(wed, "10:00"), "--following")
    new = out["series"]
    assert new["parent"] == s["id"] and new["count"] == 4
    assert rule_parts(new["rrule"]).get("BYDAY", "WE") == "WE", new
    assert "wednesday" in new["repeat"].lower(), new
    _, newappts = series_show(p, new["id"])
    assert [a["local_start"] for a in newappts] == [at(wed + D(days=7 * k), "10:00")
                                                   for k in range(4)]
    _, oldappts = series_show(p, s["id"])
    assert [a["id"] for a in live(oldappts)] == [appts[0]["id"], appts[1]["id"]]


def test_move_following_multi_day_weekday_change_refused(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "09:00", "FREQ=WEEKLY;BYDAY=MO,TH", "--count", "6")
    split = appts[2]                                   # week 2, Monday
    tue = day_of(split) + D(days=1)
    api_refusal(p, "POST", "/v1/appointments/%d/move" % split["id"],
                {"at": at(tue, "09:00"), "scope": "following"}, 400, "bad_request")
    refusal(p, "move", split["id"], "--at", at(tue, "09:00"), "--following")
    s2, after = series_show(p, s["id"])
    assert after == appts and s2["state"] == "active"
    assert series_ids(p, "--clinician", clin, "--all") == [s["id"]]
    # only the time: fine, and the count is what is left
    out = ok(p, "move", split["id"], "--at", at(day_of(split), "11:00"), "--following")
    assert out["series"]["count"] == 4
    assert rule_parts(out["series"]["rrule"])["BYDAY"] == "MO,TH"


def test_move_following_from_the_first_occurrence(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "4")
    out = ok(p, "move", appts[0]["id"], "--at", at(mon, "13:00"), "--following")
    new = out["series"]
    assert new["parent"] == s["id"] and new["count"] == 4 and out["moved"] == 4
    _, newappts = series_show(p, new["id"])
    assert [a["local_start"] for a in newappts] == [at(mon + D(days=7 * k), "13:00")
                                                   for k in range(4)]
    olds, oldappts = series_show(p, s["id"])
    assert live(oldappts) == [] and olds["state"] == "ended" and olds["upcoming"] == 0
    assert [a["local_start"] for a in live(list_appts(p, clin, mon, mon + D(days=30)))] == [
        at(mon + D(days=7 * k), "13:00") for k in range(4)]


def test_move_following_to_another_clinician_and_room(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "5", "--room", c.room1)
    other = new_clinician(p)
    out = ok(p, "move", appts[2]["id"], "--at", at(day_of(appts[2]), "10:00"), "--following",
             "--clinician", other, "--room", c.room2)
    new = out["series"]
    assert new["clinician"]["id"] == other and new["room"]["id"] == c.room2
    _, newappts = series_show(p, new["id"])
    assert len(newappts) == 3
    assert {(a["clinician"]["id"], a["room"]["id"]) for a in newappts} == {(other, c.room2)}
    assert [a["id"] for a in live(list_appts(p, clin, mon, mon + D(days=40)))] == [
        appts[0]["id"], appts[1]["id"]]
    assert len(live(list_appts(p, other, mon, mon + D(days=40)))) == 3


def test_move_all_shifts_the_days_of_a_multi_day_rule(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "09:00", "FREQ=WEEKLY;BYDAY=MO,TH", "--count", "6")
    out = ok(p, "move", appts[0]["id"], "--at", at(mon + D(days=1), "09:00"), "--all")
    assert out["moved"] == 6
    assert rule_parts(out["series"]["rrule"])["BYDAY"] in ("TU,FR", "FR,TU"), out["series"]
    _, after = series_show(p, s["id"])
    assert [a["local_start"] for a in after] == [
        at(mon + D(days=7 * w + d), "09:00") for w in range(3) for d in (1, 4)]


def test_cancel_following_from_the_first(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "3")
    out = ok(p, "cancel", appts[0]["id"], "--following")
    assert out["cancelled"] == 3
    s2, after = series_show(p, s["id"])
    assert {a["state"] for a in after} == {"cancelled"}
    assert s2["state"] in ("ended", "cancelled") and s2["upcoming"] == 0


def _past_series(c, days_back, count, hhmm="10:00"):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    first = today() - D(days=days_back)
    out = book_series(p, cli, clin, c.svc, at(first, hhmm), "weekly", "--count", str(count),
                      "--force")
    s, appts = series_show(p, out["series"]["id"])
    assert len(appts) == count
    return clin, cli, s, appts


def test_move_all_shifts_future_keeps_overrides_and_past(c):
    p = c.p
    # -20, -13, -6, +1, +8, +15, +22, +29 days at 10:00
    clin, cli, s, appts = _past_series(c, 20, 8)
    ok(p, "mark", appts[0]["id"], "attended")
    past = [show(p, a["id"]) for a in appts[:3]]
    ov = appts[5]
    ok(p, "move", ov["id"], "--at", at(day_of(ov), "16:00"), "--this")
    ovd = show(p, ov["id"])
    anchor = appts[3]
    out = ok(p, "move", anchor["id"], "--at", at(day_of(anchor), "11:30"), "--all")
    assert out["moved"] == 4
    assert out["series"]["id"] == s["id"] and out["series"]["time"] == "11:30"
    assert out["appointment"]["id"] == anchor["id"]
    assert out["appointment"]["local_start"] == at(day_of(anchor), "11:30")
    s2, after = series_show(p, s["id"])
    assert s2["state"] == "active" and s2["time"] == "11:30"
    a = by_id(after)
    for x in past:
        assert a[x["id"]] == x, "a past occurrence changed"
    # the override stays where it was moved to; its RECURRENCE-ID may follow
    # the series' shift (so that it still names an instance of the rule)
    got = dict(a[ov["id"]])
    assert got["recurrence"] in (ovd["recurrence"],
                                 utc_text(day_of(appts[5]), "11:30", TZ)), got
    for k in ("start", "end", "local_start", "state", "override", "series"):
        assert got[k] == ovd[k], ("an override changed with --all", k, got, ovd)
    assert got["override"] is True
    for x in (appts[3], appts[4], appts[6], appts[7]):
        assert a[x["id"]]["local_start"] == at(day_of(x), "11:30"), a[x["id"]]
        assert a[x["id"]]["override"] is False
    assert len(after) == 8


def test_move_all_to_another_day(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "5")
    out = ok(p, "move", appts[0]["id"], "--at", at(mon + D(days=1), "09:00"), "--all")
    assert out["moved"] == 5
    _, after = series_show(p, s["id"])
    assert [a["local_start"] for a in after] == [at(mon + D(days=7 * k + 1), "09:00")
                                                for k in range(5)]
    assert [a["id"] for a in after] == [a["id"] for a in appts]


def test_move_all_into_a_clash_changes_nothing(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "5")
    wk4 = mon + D(days=21)
    x = book_one(p, new_client(p), clin, c.svc, at(wk4, "14:20"))
    err = api_refusal(p, "POST", "/v1/appointments/%d/move" % appts[0]["id"],
                      {"at": at(mon, "14:00"), "scope": "all"}, 409, "conflict")
    assert at(wk4, "14:00") in err["message"], err
    assert [k["id"] for k in err["details"]["clashes"]] == [x["id"]]
    msg = refusal(p, "move", appts[0]["id"], "--at", at(mon, "14:00"), "--all")
    assert at(wk4, "14:00") in msg, msg
    s2, after = series_show(p, s["id"])
    assert after == appts and s2["time"] == "10:00"
    assert show(p, x["id"]) == x
    # --skip moves the others and reports the clash
    out = ok(p, "move", appts[0]["id"], "--at", at(mon, "14:00"), "--all", "--skip")
    assert out["moved"] == 4
    (sk,) = out["skipped"]
    assert sk["reason"] == "clash" and sk["local_start"].startswith(wk4.isoformat()), sk


# ------------------------------------------------------------------ cancel

def test_cancel_this_stays_in_the_series(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "4")
    out = ok(p, "cancel", appts[1]["id"], "--this", "--by", "client", "--reason", "away")
    a = out["appointment"]
    assert a["state"] == "cancelled" and a["series"] == s["id"]
    assert (a["cancelled_by"], a["cancel_reason"], a["late"]) == ("client", "away", False)
    assert out["cancelled"] == 1
    ok(p, "cancel", appts[2]["id"])                  # no flag: this one
    s2, after = series_show(p, s["id"])
    assert [x["id"] for x in after] == [x["id"] for x in appts]
    assert [x["state"] for x in after] == ["booked", "cancelled", "cancelled", "booked"]
    assert s2["state"] == "active" and s2["upcoming"] == 2


def test_cancel_following_ends_the_series(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "6")
    ok(p, "cancel", appts[4]["id"], "--reason", "ill")
    ok(p, "move", appts[5]["id"], "--at", at(day_of(appts[5]), "15:00"), "--this")
    out = ok(p, "cancel", appts[3]["id"], "--following", "--by", "client", "--reason", "moving")
    assert out["cancelled"] == 2
    # ended before the cancelled one, active until its last session
    assert out["series"]["id"] == s["id"] and out["series"]["state"] == "active"
    s2, after = series_show(p, s["id"])
    assert [x["state"] for x in after] == ["booked"] * 3 + ["cancelled"] * 3
    a = by_id(after)
    assert a[appts[3]["id"]]["cancelled_by"] == "client"
    assert a[appts[3]["id"]]["cancel_reason"] == "moving"
    assert a[appts[5]["id"]]["cancel_reason"] == "moving"     # the override too
    assert a[appts[4]["id"]]["cancel_reason"] == "ill"        # already cancelled: kept
    assert a[appts[4]["id"]]["cancelled_by"] == "practice"
    for x in appts[:3]:
        assert a[x["id"]] == x
    assert s2["state"] == "active" and s2["upcoming"] == 3
    assert s2["until"] is not None and s2["continues_as"] is None


def test_cancel_all_cancels_the_future_and_the_series(c):
    p = c.p
    # -13, -6, +1, +8, +15 days
    clin, cli, s, appts = _past_series(c, 13, 5)
    ok(p, "mark", appts[0]["id"], "attended")
    past = [show(p, a["id"]) for a in appts[:2]]
    out = ok(p, "cancel", appts[3]["id"], "--all")
    assert out["cancelled"] == 3
    assert out["series"]["state"] == "cancelled"
    s2, after = series_show(p, s["id"])
    assert [x["state"] for x in after] == ["attended", "booked", "cancelled", "cancelled",
                                          "cancelled"]
    assert after[:2] == past
    assert s2["state"] == "cancelled" and s2["upcoming"] == 0 and s2["next"] is None
    assert s["id"] not in series_ids(p, "--clinician", clin)
    # nothing left to cancel
    refusal(p, "cancel", appts[4]["id"], "--all")


# --------------------------------------------------------------- refusals

@pytest.mark.parametrize("verb,scope", [("move", "following"), ("move", "all"),
                                       ("cancel", "following"), ("cancel", "all")])
def test_scope_on_a_one_off_refused(c, verb, scope):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    a = book_one(p, cli, clin, c.svc, at(mon, "10:00"))
    body = {"scope": scope}
    args = [verb, a["id"], "--" + scope]
    if verb == "move":
        body["at"] = at(mon, "12:00")
        args += ["--at", at(mon, "12:00")]
    err = api_refusal(p, "POST", "/v1/appointments/%d/%s" % (a["id"], verb), body, 400,
                      "bad_request")
    assert "not part of a series" in err["message"], err
    msg = refusal(p, *args, codes=(1, 2))
    assert show(p, a["id"]) == a
    if "not part of a series" not in msg:
        assert "usage" in msg.lower() or "practicectl" in msg, msg


def test_move_this_on_a_one_off_is_a_plain_move(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p)
    mon = future_monday()
    a = book_one(p, cli, clin, c.svc, at(mon, "10:00"))
    m = ok(p, "move", a["id"], "--at", at(mon, "12:00"), "--this")["appointment"]
    assert m["local_start"] == at(mon, "12:00")
    assert m["series"] is None and m["override"] is False and m["recurrence"] is None


@pytest.mark.parametrize("flags", [("--this", "--all"), ("--following", "--all"),
                                   ("--this", "--following")])
def test_two_scopes_are_a_usage_error(c, flags):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "2")
    rc, out, err = p.ctl("move", appts[0]["id"], "--at", at(mon, "12:00"), *flags, check=False)
    assert rc == 2, (rc, out, err)
    rc, out, err = p.ctl("cancel", appts[0]["id"], *flags, check=False)
    assert rc == 2, (rc, out, err)
    assert series_show(p, s["id"])[1] == appts


def test_bad_scope_refused_by_the_daemon(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "2")
    api_refusal(p, "POST", "/v1/appointments/%d/move" % appts[0]["id"],
                {"at": at(mon, "12:00"), "scope": "everything"}, 400, "bad_request")
    api_refusal(p, "POST", "/v1/appointments/%d/cancel" % appts[0]["id"],
                {"scope": "some"}, 400, "bad_request")
    assert series_show(p, s["id"])[1] == appts
    assert starts(appts) == [utc_text(mon + D(days=7 * k), "10:00", TZ) for k in range(2)]


# ------------------------------------------- edits survive the extension

def test_extension_respects_edits(make_practice):
    """Horizon 60 days, edits of every kind, then a restart with a horizon
    of 200 days: the daily extension books the new weeks of the live series
    only, never again an occurrence that was moved, cancelled or split off,
    keeps COUNT, and skips what clashes or is closed."""
    from series_util import expand, parse_utc, with_horizon
    p = make_practice(start=False)
    with_horizon(p, 60)
    p.start()
    svc = ok(p, "service", "add", "Session", "--minutes", "50", "--buffer", "10")["service"]["id"]
    mon = future_monday()
    cli = new_client(p)

    def series(hhmm="10:00", *extra):
        clin = new_clinician(p)
        out = book_series(p, new_client(p), clin, svc, at(mon, hhmm), "weekly", *extra)
        return clin, out["series"]["id"], series_show(p, out["series"]["id"])[1]

    # A: an override (another day) and a cancelled occurrence
    ca, A, aa = series()
    ok(p, "move", aa[1]["id"], "--at", at(day_of(aa[1]) + D(days=1), "12:00"), "--this")
    ok(p, "cancel", aa[2]["id"], "--this")
    # B: split at the 4th; C: cancelled from the 5th; D: all cancelled
    cb, B, ab = series()
    B2 = ok(p, "move", ab[3]["id"], "--at", at(day_of(ab[3]), "14:00"),
            "--following")["series"]["id"]
    cc, C, ac = series()
    ok(p, "cancel", ac[4]["id"], "--following")
    cd, Dd, ad = series()
    ok(p, "cancel", ad[0]["id"], "--all")
    # E: moved an hour later
    ce, E, ae = series()
    ok(p, "move", ae[0]["id"], "--at", at(mon, "11:00"), "--all")
    # F: COUNT=20 with its 3rd week taken
    cf = new_clinician(p)
    book_one(p, new_client(p), cf, svc, at(mon + D(days=14), "10:00"))
    outf = book_series(p, cli, cf, svc, at(mon, "10:00"), "weekly", "--count", "20", "--skip")
    F = outf["series"]["id"]
    assert outf["booked"] < 19                                 # the horizon holds it
    # G: open-ended, with a clash and a closure past the first horizon
    cg, G, ag = series()
    gclash = mon + D(days=7 * ((100 - (mon - today()).days) // 7))
    gclosed = gclash + D(days=21)
    x = book_one(p, new_client(p), cg, svc, at(gclash, "10:30"))
    ok(p, "closure", "add", gclosed.isoformat(), "Leave", "--clinician", cg)

    frozen = {sid: series_show(p, sid) for sid in (B, C, Dd)}
    p.stop()
    with_horizon(p, 200)
    p.start()
    now = dt.datetime.now(dt.timezone.utc)

    def recurrences(appts):
        r = [a["recurrence"] for a in appts]
        assert len(r) == len(set(r)), "an occurrence booked twice: %r" % r
        return set(r)

    # A: one row per occurrence of the rule, up to the new horizon
    sa, aa2 = series_show(p, A)
    mu = parse_utc(sa["materialized_until"])
    assert mu >= now + D(days=195), sa
    assert recurrences(aa2) == expand("FREQ=WEEKLY", mon, "10:00", TZ, mu)
    byid = by_id(aa2)
    assert byid[aa[1]["id"]]["local_start"] == at(day_of(aa[1]) + D(days=1), "12:00")
    assert byid[aa[2]["id"]]["state"] == "cancelled"
    assert [a for a in live(aa2) if a["local_start"] in (aa[1]["local_start"],
                                                        aa[2]["local_start"])] == []
    assert len(aa2) > len(aa) + 15
    # B, C, D: ended or cancelled, nothing new
    for sid, (s0, a0) in frozen.items():
        s1, a1 = series_show(p, sid)
        assert a1 == a0, "series %d (%s) changed at the extension" % (sid, s0["state"])
        assert s1["state"] == s0["state"]
    _, ab2 = series_show(p, B2)
    assert {local_text(a["start"], TZ)[11:] for a in ab2} == {"14:00"}
    assert parse_utc(ab2[-1]["start"]) >= now + D(days=190)
    recurrences(ab2)
    assert [a["local_start"] for a in ab2] == [
        at(day_of(ab[3]) + D(days=7 * k), "14:00") for k in range(len(ab2))]
    live_b = live(list_appts(p, cb, mon, today() + D(days=210)))
    assert [a["local_start"][11:] for a in live_b] == ["10:00"] * 3 + ["14:00"] * (len(live_b) - 3)
    # E: the new weeks at 11:00
    _, ae2 = series_show(p, E)
    assert len(ae2) > len(ae) + 15
    assert {local_text(a["start"], TZ)[11:] for a in ae2} == {"11:00"}
    # F: 20 in all, the taken week skipped
    sf, af = series_show(p, F)
    skipped = {k["start"] for k in sf["skipped"]}
    assert skipped == {utc_text(mon + D(days=14), "10:00", TZ)}
    assert set(a["start"] for a in af) | skipped == expand(
        "FREQ=WEEKLY;COUNT=20", mon, "10:00", TZ, now + D(days=400))
    assert len(af) == 19 and sf["upcoming"] == 19
    # G: extended, the clash and the closed day skipped and reported
    sg, ag2 = series_show(p, G)
    reasons = {k["local_start"]: k["reason"] for k in sg["skipped"]}
    assert reasons == {at(gclash, "10:00"): "clash", at(gclosed, "10:00"): "closure"}, reasons
    assert at(gclash, "10:00") not in [a["local_start"] for a in ag2]
    assert at(gclosed, "10:00") not in [a["local_start"] for a in ag2]
    assert show(p, x["id"]) == x
    assert len(ag2) > len(ag) + 15


def test_move_following_into_a_clash(c):
    p = c.p
    mon = future_monday()
    clin, cli, s, appts = make(c, mon, "10:00", "weekly", "--count", "5")
    wk4 = mon + D(days=21)
    x = book_one(p, new_client(p), clin, c.svc, at(wk4, "14:00"))
    err = api_refusal(p, "POST", "/v1/appointments/%d/move" % appts[1]["id"],
                      {"at": at(day_of(appts[1]), "14:00"), "scope": "following"}, 409,
                      "conflict")
    assert at(wk4, "14:00") in err["message"], err
    s2, after = series_show(p, s["id"])
    assert after == appts and s2["state"] == "active"
    assert series_ids(p, "--clinician", clin, "--all") == [s["id"]]
    out = ok(p, "move", appts[1]["id"], "--at", at(day_of(appts[1]), "14:00"), "--following",
             "--skip")
    new = out["series"]
    assert [(k["reason"], k["local_start"][:10]) for k in out["skipped"]] == [
        ("clash", wk4.isoformat())]
    _, newappts = series_show(p, new["id"])
    # The session whose new time is taken keeps its old time, booked, as an
    # override in the new series; nothing is lost and nothing double-booked.
    assert [(a["local_start"], a["state"], a["override"]) for a in newappts] == [
        (at(mon + D(days=7), "14:00"), "booked", False),
        (at(mon + D(days=14), "14:00"), "booked", False),
        (at(wk4, "10:00"), "booked", True),
        (at(mon + D(days=28), "14:00"), "booked", False)]
    assert show(p, x["id"]) == x
