"""Issue 7: what needs attention, and a series after a split.

list and show flag a booked session ahead that its clinician's hours, a
closure or an archive (clinician, client, room) changed under after it
was booked; past and cancelled sessions are never flagged, and every
appointment object has the "attention" array, empty when all is well.

A series split by move --following is active until its last session,
and each side says where it continued."""

import datetime as dt
import sqlite3

from conftest import at, book, local_from_now, rewind_schema

D = dt.timedelta


def booked(p, *args):
    return book(p, *args)[1]["appointment"]["id"]


def attention(p, appt):
    return p.ctl("show", appt)[1]["appointment"]["attention"]


def week_list(p, day):
    """list --json of the week of day, by id."""
    out = p.ctl("list", "--from", day.isoformat(), "--to",
                (day + D(days=6)).isoformat())[1]
    return {a["id"]: a for a in out["appointments"]}


def table_row(text, appt):
    """The line of the list table that shows appointment appt."""
    rows = [l for l in text.splitlines() if l.split()[:1] == [str(appt)]]
    assert len(rows) == 1, (appt, text)
    return rows[0]


# ------------------------------------------------------------ attention

def test_changes_after_booking_flag_the_sessions_they_strand(clinic):
    s, p = clinic, clinic.p
    mon, tue, wed, thu = (s.monday + D(days=n) for n in range(4))
    fine = booked(p, "Sam Park", "Ben Okafor", "Check-in", at(mon, "14:00"),
                  "--room", "Room 1")
    late = booked(p, "Jordan Lee", "Ana Ruiz", "Check-in", at(tue, "15:00"))
    closed = booked(p, "Jordan Lee", "Ana Ruiz", "Check-in", at(wed, "10:00"))
    in_room = booked(p, "Sam Park", "Ben Okafor", "Check-in", at(thu, "10:00"),
                     "--room", "Room 2")
    with_pat = booked(p, "Sam Park", "Pat Quinn", "Check-in", at(mon, "10:00"))
    p.ctl("client", "add", "Kim Ode")
    kim = booked(p, "Kim Ode", "Ben Okafor", "Check-in", at(tue, "11:00"))
    dropped = booked(p, "Jordan Lee", "Ana Ruiz", "Check-in", at(thu, "16:00"))
    day, hhmm = local_from_now(-D(days=2))
    past = booked(p, "Jordan Lee", "Ana Ruiz", "Check-in", at(day, hhmm),
                  "--force")
    everyone = (fine, late, closed, in_room, with_pat, kim, dropped, past)
    # before any change, nothing needs attention, and the key is there
    for a in everyone:
        assert attention(p, a) == [], a

    p.ctl("cancel", dropped)
    p.ctl("clinician", "hours", "Ana Ruiz", "mon-fri", "09:00-12:00")
    out = p.ctl("closure", "add", wed.isoformat(), "training",
                "--clinician", "Ana Ruiz")[1]
    assert closed in [a["id"] for a in out["affected"]], out
    p.ctl("room", "edit", "Room 2", "--active", "no", "--force")
    p.ctl("clinician", "edit", "Pat Quinn", "--active", "no", "--force")
    p.ctl("client", "edit", "Kim Ode", "--active", "no", "--force")

    want = {fine: [], late: ["outside_hours"], closed: ["closure"],
            in_room: ["room_archived"], with_pat: ["clinician_archived"],
            kim: ["client_archived"],
            # cancelled, and past (outside hours too): never flagged
            dropped: [], past: []}
    for a, codes in want.items():
        assert attention(p, a) == codes, (a, attention(p, a))
    listed = week_list(p, mon)
    for a, codes in want.items():
        if a != past:
            assert listed[a]["attention"] == codes, (a, listed[a])
    # the day of the past session, listed, says nothing either
    out = p.ctl("list", "--day", day.isoformat())[1]
    assert [a["attention"] for a in out["appointments"] if a["id"] == past] == [[]]

    # the table: an ATTENTION column, a word a reason, and a legend
    rc, text, _ = p.ctl("list", "--from", mon.isoformat(), "--to",
                        (mon + D(days=6)).isoformat(), json=False)
    assert rc == 0
    header = text.splitlines()[0]
    assert header.split()[-1] == "ATTENTION", text
    assert table_row(text, late).endswith("outside hours"), text
    assert table_row(text, closed).endswith("closure"), text
    assert table_row(text, in_room).endswith("room archived"), text
    assert table_row(text, with_pat).endswith("clinician archived"), text
    assert table_row(text, kim).endswith("client archived"), text
    for a in (fine, dropped):
        row = table_row(text, a)
        assert "archived" not in row and "hours" not in row, row
    assert "ATTENTION: " in text.splitlines()[-1], text
    # show: one line a reason
    rc, text, _ = p.ctl("show", late, json=False)
    assert "attention" in text and "outside the clinician's working hours" in text, text
    rc, text, _ = p.ctl("show", in_room, json=False)
    assert "the room is archived" in text, text
    rc, text, _ = p.ctl("show", fine, json=False)
    assert "attention" not in text, text


def test_a_session_with_several_reasons_lists_each(clinic):
    s, p = clinic, clinic.p
    mon = s.monday
    a = booked(p, "Jordan Lee", "Ana Ruiz", "Check-in", at(mon, "16:00"),
               "--room", "Room 1")
    p.ctl("clinician", "hours", "Ana Ruiz", "mon-fri", "09:00-12:00")
    p.ctl("closure", "add", mon.isoformat(), "flood")
    p.ctl("room", "edit", "Room 1", "--active", "no", "--force")
    p.ctl("clinician", "edit", "Ana Ruiz", "--active", "no", "--force")
    assert attention(p, a) == ["outside_hours", "closure",
                               "clinician_archived", "room_archived"]
    rc, text, _ = p.ctl("show", a, json=False)
    lines = [l for l in text.splitlines() if l.lstrip().startswith("attention")]
    assert len(lines) == 4, text
    # a practice-wide closure over another clinician's day flags theirs too;
    # putting things right clears the flags
    p.ctl("clinician", "hours", "Ana Ruiz", "mon-fri", "09:00-17:00")
    p.ctl("room", "edit", "Room 1", "--active", "yes")
    p.ctl("clinician", "edit", "Ana Ruiz", "--active", "yes")
    assert attention(p, a) == ["closure"]
    closure = p.ctl("closures", "--from", mon.isoformat(), "--to",
                    mon.isoformat())[1]["closures"][0]["id"]
    p.ctl("closure", "remove", closure)
    assert attention(p, a) == []
    rc, text, _ = p.ctl("list", "--day", mon.isoformat(), json=False)
    assert "ATTENTION" not in text, text


def test_a_zone_change_flags_what_it_moves_outside(clinic):
    s, p = clinic, clinic.p
    a = booked(p, "Jordan Lee", "Ana Ruiz", "Check-in", at(s.tuesday, "09:30"))
    # the same instant is 06:30 in Los Angeles: before her hours there
    p.ctl("clinician", "edit", "Ana Ruiz", "--zone", "America/Los_Angeles")
    assert attention(p, a) == ["outside_hours"]
    out = p.ctl("series", "list")[1]    # other answers keep working
    assert out["series"] == []


# ------------------------------------------------------ a series after a split

def series_of(p, *args):
    return {s["id"]: s for s in p.ctl("series", "list", *args)[1]["series"]}


def sessions(p, sid):
    return [a["local_start"] for a in
            p.ctl("series", "show", sid)[1]["series"]["appointments"]]


def split_series(p):
    """A weekly series from Thursday 3 December, its fifth session (31
    December) moved to 14:00 with all that follow: (old, new)."""
    p.ctl("clinician", "add", "Ana Ruiz")
    p.ctl("clinician", "hours", "Ana Ruiz", "daily", "08:00-18:00")
    p.ctl("client", "add", "Jordan Lee")
    p.ctl("service", "add", "Session", "--minutes", "50")
    old = book(p, "Jordan Lee", "Ana Ruiz", "Session", "2026-12-03 10:00",
               "--repeat", "weekly")[1]["series"]["id"]
    fifth = [a["id"] for a in p.ctl("series", "show", old)[1]["series"]
             ["appointments"] if a["local_start"] == "2026-12-31 10:00"]
    out = p.ctl("move", fifth[0], "--at", "2026-12-31 14:00", "--following")[1]
    new = out["series"]["id"]
    assert new != old
    return old, new


def test_a_split_series_is_active_until_its_last_session(practice_at):
    p = practice_at("2026-12-02 09:00", practice_extra={"series_horizon_days": 60})
    old, new = split_series(p)
    before = ["2026-12-%02d 10:00" % d for d in (3, 10, 17, 24)]
    assert sessions(p, old) == before

    # both listed by default; each says where the series went on
    listed = series_of(p)
    assert set(listed) == {old, new}, listed
    assert listed[old]["state"] == "active" and listed[old]["upcoming"] == 4
    assert listed[old]["continues_as"] == new and listed[old]["parent"] is None
    assert listed[new]["state"] == "active" and listed[new]["parent"] == old
    assert listed[new]["continues_as"] is None
    rc, text, _ = p.ctl("series", "list", json=False)
    rows = {int(l.split()[0]): l for l in text.splitlines() if l.split()[0].isdigit()}
    assert rows[old].endswith("active, continues as series %d" % new), text
    assert rows[new].endswith("active, continued from series %d" % old), text
    rc, text, _ = p.ctl("series", "show", old, json=False)
    assert "continues as:" in text and "series %d" % new in text, text
    assert "continued from" not in text, text
    rc, text, _ = p.ctl("series", "show", new, json=False)
    assert "continued from:" in text and "series %d" % old in text, text

    # extended at start, days later: the old series does not grow past
    # its split, the new one follows the horizon
    p.stop()
    p.clock.set("2026-12-20 09:00")
    p.start()
    assert sessions(p, old) == before
    assert sessions(p, new)[0] == "2026-12-31 14:00"
    assert sessions(p, new)[-1] >= "2027-02-11 14:00", sessions(p, new)
    assert series_of(p)[old]["state"] == "active"

    # after its last session, the old series has ended: listed with --all
    p.stop()
    p.clock.set("2026-12-24 10:30")     # its last session under way
    p.start()
    assert series_of(p)[old]["state"] == "active"
    p.stop()
    p.clock.set("2026-12-24 11:00")
    p.start()
    assert sessions(p, old) == before
    assert set(series_of(p)) == {new}
    every = series_of(p, "--all")
    assert every[old]["state"] == "ended" and every[old]["continues_as"] == new
    rc, text, _ = p.ctl("series", "list", "--all", json=False)
    assert "ended, continues as series %d" % new in text, text


def test_a_split_stored_as_ended_is_active_again_after_the_upgrade(practice_at):
    """Databases from before: the old side of a split was stored 'ended'."""
    p = practice_at("2026-12-02 09:00", practice_extra={"series_horizon_days": 60})
    old, new = split_series(p)
    p.stop()
    con = sqlite3.connect(p.db)
    try:
        con.execute("UPDATE series SET state = 'ended' WHERE id = ?", (old,))
        rewind_schema(con, 2)
        con.commit()
    finally:
        con.close()
    p.start()
    listed = series_of(p)
    assert listed[old]["state"] == "active" and listed[old]["continues_as"] == new


def test_cancel_following_keeps_the_series_until_its_last_session(practice_at):
    p = practice_at("2026-12-02 09:00", practice_extra={"series_horizon_days": 60})
    p.ctl("clinician", "add", "Ana Ruiz")
    p.ctl("clinician", "hours", "Ana Ruiz", "daily", "08:00-18:00")
    p.ctl("client", "add", "Jordan Lee")
    p.ctl("service", "add", "Session", "--minutes", "50")
    sid = book(p, "Jordan Lee", "Ana Ruiz", "Session", "2026-12-03 10:00",
               "--repeat", "weekly")[1]["series"]["id"]
    third = p.ctl("series", "show", sid)[1]["series"]["appointments"][2]["id"]
    p.ctl("cancel", third, "--following")
    s = series_of(p)[sid]
    assert s["state"] == "active" and s["upcoming"] == 2 and s["continues_as"] is None
    assert s["until"] == "2026-12-16", s


def test_a_series_with_a_count_ends_after_its_last_session(practice_at):
    p = practice_at("2026-12-02 09:00")
    p.ctl("clinician", "add", "Ana Ruiz")
    p.ctl("clinician", "hours", "Ana Ruiz", "daily", "08:00-18:00")
    p.ctl("client", "add", "Jordan Lee")
    p.ctl("service", "add", "Session", "--minutes", "50")
    p.ctl("closure", "add", "2026-12-10", "holiday")
    out = book(p, "Jordan Lee", "Ana Ruiz", "Session", "2026-12-03 10:00",
               "--repeat", "weekly", "--count", "3", "--skip")[1]
    sid = out["series"]["id"]
    # two sessions and the one the closure skipped make its three
    assert out["booked"] == 2 and len(out["skipped"]) == 1, out
    assert series_of(p)[sid]["state"] == "active"
    p.stop()
    p.clock.set("2026-12-17 10:30")     # the last one under way
    p.start()
    assert series_of(p)[sid]["state"] == "active"
    p.stop()
    p.clock.set("2026-12-17 11:00")
    p.start()
    assert series_of(p) == {}
    assert series_of(p, "--all")[sid]["state"] == "ended"
