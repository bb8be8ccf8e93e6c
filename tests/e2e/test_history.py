"""Client history and the attendance report end to end (api-spec-3.md):
the summary (attended, no-show, cancellations, streak, last attended, next),
per clinician and per client counts over a window, and the clients falling
out of care.  Past sessions are booked with --force and then marked.

Reading of the counts: "cancelled" counts every cancelled appointment;
"late_cancelled" and "cancelled_by_practice" are the ones among them that
were late (by the client) or by the practice."""

import datetime as dt

import pytest

from conftest import TZ, at, local_from_now, today
from series_util import (LONDON, book_one, local_text, new_client, new_clinician, ok,
                         refusal, wall)

D = dt.timedelta
UTC = dt.timezone.utc


@pytest.fixture
def c(module_clinic):
    yield module_clinic
    assert module_clinic.p.alive(), "practiced died; log:\n%s" % module_clinic.p.log()


def day(k):
    return today() + D(days=k)


def session(p, svc, cli, clin, k, hhmm="00:10", state="booked"):
    """An appointment k days from today (negative: past, booked with
    --force), then marked attended/no-show or cancelled ("practice",
    "client")."""
    extra = ("--force",) if k <= 0 else ()
    a = book_one(p, cli, clin, svc, at(day(k), hhmm), *extra)
    if state in ("attended", "no-show"):
        a = ok(p, "mark", a["id"], state)["appointment"]
    elif state in ("practice", "client"):
        a = ok(p, "cancel", a["id"], "--by", state)["appointment"]
    return a


def late_cancel(p, svc, cli, clin):
    d, t = local_from_now(D(hours=3))
    a = book_one(p, cli, clin, svc, at(d, t), "--force")
    a = ok(p, "cancel", a["id"], "--by", "client")["appointment"]
    assert a["late"] is True
    return a


def days_since(k, hhmm):
    """What days_since_last may be for a session k days ago: calendar days
    in the practice's zone, or whole days elapsed."""
    start = wall(day(-k), hhmm, TZ)
    return {k, int((dt.datetime.now(UTC) - start).total_seconds() // 86400)}


def history(p, ref, zone=None):
    return ok(p, "client", "history", ref, zone=zone)


def report(p, *args):
    return ok(p, "report", "attendance", *args)


def entry(rows, key, ident):
    found = [r for r in rows if r[key]["id"] == ident]
    assert len(found) == 1, "%s %d: %r" % (key, ident, rows)
    return found[0]


def test_client_history_and_summary(c):
    p = c.p
    clin, cli = new_clinician(p), new_client(p, surname="Historia")
    name = ok(p, "client", "show", cli)["client"]["name"]
    made = [
        session(p, c.svc, cli, clin, -50, state="attended"),
        session(p, c.svc, cli, clin, -40, state="no-show"),       # ends the streak
        session(p, c.svc, cli, clin, -33, state="attended"),
        session(p, c.svc, cli, clin, -26, state="attended"),
        session(p, c.svc, cli, clin, -21, state="practice"),      # passed over
        session(p, c.svc, cli, clin, -17, state="attended"),
        session(p, c.svc, cli, clin, -10, state="attended"),
        session(p, c.svc, cli, clin, -4, state="attended"),
        session(p, c.svc, cli, clin, -2),                         # unmarked: passed over
        session(p, c.svc, cli, clin, 7, "10:00"),
        session(p, c.svc, cli, clin, 14, "10:00"),
        session(p, c.svc, cli, clin, 20, "10:00", state="client"),
        late_cancel(p, c.short, cli, clin),
    ]
    # another client's sessions are not in this history
    session(p, c.svc, new_client(p), clin, -3, state="attended")

    out = history(p, name)
    assert out["client"]["id"] == cli
    got = out["appointments"]
    assert sorted(a["id"] for a in got) == sorted(a["id"] for a in made)
    assert [a["start"] for a in got] == sorted(a["start"] for a in got)
    sm = out["summary"]
    assert sm["attended"] == 6 and sm["no_show"] == 1
    assert sm["cancelled"] == 3 and sm["late_cancelled"] == 1
    assert sm["cancelled_by_practice"] == 1
    assert sm["upcoming"] == 2
    assert sm["streak"] == 5
    assert sm["last_attended"] == at(day(-4), "00:10")
    assert sm["days_since_last"] in days_since(4, "00:10")
    assert sm["next"] == at(day(7), "10:00")
    # by id, and in another zone
    assert history(p, cli)["summary"] == sm
    lon = history(p, cli, zone=LONDON)["summary"]
    assert lon["last_attended"] == local_text(made[7]["start"], LONDON)
    assert lon["next"] == local_text(made[9]["start"], LONDON)


def test_streak_rules(c):
    p = c.p
    clin = new_clinician(p)
    # more than 10 days between two attended sessions breaks the streak
    a = new_client(p)
    for k in (-30, -18, -9, -2):
        session(p, c.svc, a, clin, k, "01:10", state="attended")
    assert history(p, a)["summary"]["streak"] == 3            # -18 -> -9 is 9 days
    # a client's cancellation ends it; the practice's does not
    b = new_client(p)
    session(p, c.svc, b, clin, -20, "03:10", state="attended")
    session(p, c.svc, b, clin, -15, "03:10", state="attended")
    session(p, c.svc, b, clin, -12, "03:10", state="client")
    session(p, c.svc, b, clin, -8, "03:10", state="attended")
    session(p, c.svc, b, clin, -5, "03:10", state="practice")
    session(p, c.svc, b, clin, -3, "03:10", state="attended")
    assert history(p, b)["summary"]["streak"] == 2
    # the most recent past session a no-show: no streak
    n = new_client(p)
    session(p, c.svc, n, clin, -6, "05:10", state="attended")
    session(p, c.svc, n, clin, -1, "05:10", state="no-show")
    sm = history(p, n)["summary"]
    assert sm["streak"] == 0 and sm["last_attended"] == at(day(-6), "05:10")
    # nothing yet
    e = new_client(p)
    sm = history(p, e)["summary"]
    assert sm == {"attended": 0, "no_show": 0, "cancelled": 0, "late_cancelled": 0,
                  "cancelled_by_practice": 0, "upcoming": 0, "streak": 0,
                  "last_attended": None, "days_since_last": None, "next": None}
    assert history(p, e)["appointments"] == []


def test_history_unknown_client_refused(c):
    refusal(c.p, "client", "history", "nobody like this")
    st, out = c.p.api("GET", "/v1/clients/999999/history")
    assert st == 404 and out["error"]["code"] == "not_found", out


def test_attendance_report_counts(c):
    p = c.p
    r, other = new_clinician(p), new_clinician(p)
    k1, k2, k3 = new_client(p), new_client(p), new_client(p)
    session(p, c.svc, k1, r, -40, state="attended")              # before the window
    session(p, c.svc, k1, r, -25, state="attended")
    session(p, c.svc, k1, r, -20, state="no-show")
    session(p, c.svc, k1, r, -15, state="attended")
    session(p, c.svc, k1, r, -12, state="practice")
    session(p, c.svc, k1, r, -8)                                   # unmarked
    ok(p, "mark", session(p, c.svc, k1, r, -7)["id"], "confirmed")  # unmarked too
    session(p, c.svc, k1, r, 5, "10:00")
    session(p, c.svc, k1, r, 10, "10:00", state="client")
    session(p, c.svc, k1, r, 40, "10:00")                          # after the window
    session(p, c.svc, k2, r, -10, "02:10", state="attended")
    session(p, c.svc, k2, r, -3, "02:10", state="attended")
    late_cancel(p, c.short, k2, r)
    session(p, c.svc, k3, other, -6, "04:10", state="no-show")     # another clinician

    frm, to = day(-30).isoformat(), day(30).isoformat()
    out = report(p, "--from", frm, "--to", to, "--clinician", r)
    assert (out["from"], out["to"]) == (frm, to)
    assert out["tz"] == TZ
    (row,) = out["clinicians"]
    assert row["clinician"]["id"] == r
    assert {k: row[k] for k in ("attended", "no_show", "cancelled", "late_cancelled",
                                "cancelled_by_practice", "unmarked")} == {
        "attended": 4, "no_show": 1, "cancelled": 3, "late_cancelled": 1,
        "cancelled_by_practice": 1, "unmarked": 2}
    e1 = entry(out["clients"], "client", k1)
    assert {k: e1[k] for k in ("attended", "no_show", "cancelled", "late_cancelled")} == {
        "attended": 2, "no_show": 1, "cancelled": 2, "late_cancelled": 0}
    assert e1["streak"] == 1
    assert e1["last_attended"] == at(day(-15), "00:10")
    assert e1["days_since_last"] in days_since(15, "00:10")
    assert e1["next"] == at(day(5), "10:00")
    e2 = entry(out["clients"], "client", k2)
    assert {k: e2[k] for k in ("attended", "no_show", "cancelled", "late_cancelled")} == {
        "attended": 2, "no_show": 0, "cancelled": 1, "late_cancelled": 1}
    assert e2["streak"] == 2 and e2["next"] is None
    assert e2["last_attended"] == at(day(-3), "02:10")
    for row in out["clients"]:
        if row["client"]["id"] not in (k1, k2):
            assert (row["attended"], row["no_show"], row["cancelled"]) == (0, 0, 0), row

    # a narrower window counts less; the other clinician is apart
    out = report(p, "--from", day(-22).isoformat(), "--to", day(-1).isoformat(),
                 "--clinician", r)
    (row,) = out["clinicians"]
    assert (row["attended"], row["no_show"], row["cancelled"], row["unmarked"]) == (3, 1, 1, 2)
    out = report(p, "--from", frm, "--to", to)
    assert entry(out["clinicians"], "clinician", other)["no_show"] == 1
    assert entry(out["clinicians"], "clinician", r)["attended"] == 4
    assert {x["clinician"]["id"] for x in out["clinicians"]} >= {r, other}


def test_attendance_report_default_window(c):
    out = report(c.p)
    assert out["to"] == today().isoformat()
    assert out["from"] == day(-90).isoformat()
    for key in ("clinicians", "clients", "falling_out_of_care"):
        assert isinstance(out[key], list)


def test_report_bad_input_refused(c):
    p = c.p
    refusal(p, "report", "attendance", "--from", "2027-02-30", codes=(1, 2))
    refusal(p, "report", "attendance", "--clinician", "no such person")
    st, out = p.api("GET", "/v1/reports/attendance?from=%s&to=%s" % (
        day(0).isoformat(), day(-5).isoformat()))
    assert st == 400 and out["error"]["code"] == "bad_request", out


def _falling(p, *args):
    return {r["client"]["id"]: r for r in report(p, *args)["falling_out_of_care"]}


def test_falling_out_of_care(c):
    p = c.p
    f, g = new_clinician(p), new_clinician(p)
    f1, f2, f3, f4, f6 = (new_client(p) for _ in range(5))
    session(p, c.svc, f1, f, -5, "00:10", state="attended")
    session(p, c.svc, f2, f, -40, "00:10", state="attended")        # too long ago
    session(p, c.svc, f3, f, -5, "02:10", state="attended")
    nxt = session(p, c.svc, f3, f, 7, "10:00")                      # has a next session
    session(p, c.svc, f4, f, -5, "04:10", state="attended")
    st, body = p.api("PATCH", "/v1/clients/%d" % f4, {"active": False})
    assert st == 200, body                                           # inactive
    session(p, c.svc, f6, f, -5, "06:10", state="no-show")          # never attended

    fo = _falling(p)
    assert f1 in fo
    assert fo[f1]["last_attended"] == at(day(-5), "00:10")
    assert fo[f1]["days_since_last"] in days_since(5, "00:10")
    assert fo[f1]["client"]["id"] == f1
    for x in (f2, f3, f4, f6):
        assert x not in fo, x
    # regardless of the window; by clinician
    assert f1 in _falling(p, "--from", day(-90).isoformat(), "--to", day(-60).isoformat())
    assert f1 in _falling(p, "--clinician", f)
    assert f1 not in _falling(p, "--clinician", g)

    # a confirmed session still counts as booked
    ok(p, "mark", nxt["id"], "confirmed")
    assert f3 not in _falling(p)
    # booking a session takes f1 off the list; cancelling it puts them back
    a = session(p, c.svc, f1, f, 3, "10:00")
    assert f1 not in _falling(p)
    ok(p, "cancel", a["id"])
    assert f1 in _falling(p)
