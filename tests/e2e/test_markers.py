"""The markers practicectl(8) promises in its tables: '!' after the state of
a session booked with --force or --overlap, '*' after the time of a series
session moved on its own from its series' time."""

import datetime as dt

from conftest import at, book
from series_util import series_show


def table_line(p, day, aid):
    """The list table's row of appointment aid, by its ID column."""
    _, text, _ = p.ctl("list", "--day", day.isoformat(), json=False)
    for line in text.splitlines():
        cells = line.split()
        if cells and cells[0] == str(aid):
            return line
    raise AssertionError("appointment %d not in:\n%s" % (aid, text))


def test_forced_and_overlapping_sessions_carry_a_bang(clinic):
    s, p = clinic, clinic.p
    plain = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))[1]["appointment"]
    forced = book(p, s.sam, s.ana, s.svc, at(s.monday, "18:00"),
                  "--force")[1]["appointment"]
    over = book(p, s.sam, s.ana, s.svc, at(s.monday, "10:30"),
                "--overlap")[1]["appointment"]
    assert (plain["forced"], forced["forced"], over["overlap"]) == (False, True, True)
    assert "booked!" not in table_line(p, s.monday, plain["id"])
    assert "booked!" in table_line(p, s.monday, forced["id"])
    assert "booked!" in table_line(p, s.monday, over["id"])


def test_a_session_moved_off_its_series_time_carries_a_star(clinic):
    s, p = clinic, clinic.p
    _, out, _ = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"),
                     "--repeat", "weekly", "--count", "3")
    ids = [a["id"] for a in series_show(p, out["series"]["id"])[1]]
    week2 = s.monday + dt.timedelta(days=7)
    p.ctl("move", str(ids[1]), "--at", at(week2, "14:00"), "--this")
    assert "14:00-14:50*" in table_line(p, week2, ids[1])
    assert "*" not in table_line(p, s.monday, ids[0])
