"""Issue 7, the front desk's first week: a cancelled session booked again
with "restore" under every booking rule, changes of several sessions that
name each one they changed, and a move that changes only the place."""

import datetime as dt
import re

from conftest import (USER_RO, USER_STAFF, at, audit_entries, book,
                      local_from_now, refused)


def show(p, aid):
    return p.ctl("show", aid)[1]["appointment"]


def cancelled(p, s, client, clinician, when, *extra):
    a = book(p, client, clinician, s.svc, when, *extra)[1]["appointment"]
    p.ctl("cancel", a["id"], "--by", "practice", "--reason", "flu")
    return show(p, a["id"])


def test_restore_books_a_cancelled_session_again(clinic):
    s, p = clinic, clinic.p
    a = cancelled(p, s, s.jordan, s.ana, at(s.monday, "10:00"),
                  "--room", s.room1)
    assert a["state"] == "cancelled" and a["cancel_reason"] == "flu"
    out = p.ctl("restore", a["id"], json=False, user=USER_STAFF)[1]
    assert out.startswith("restored %d: %s 10:00-10:50 Jordan Lee with "
                          "Ana Ruiz (Room 1)" % (a["id"], s.monday)), out
    now = show(p, a["id"])
    assert now["state"] == "booked", now
    assert now["cancelled_by"] is None and now["cancel_reason"] is None
    assert now["late"] is False
    assert now["version"] == a["version"] + 1, (a, now)
    assert (now["start"], now["room"]["id"]) == (a["start"], s.room1)
    entry = [e for e in audit_entries(p) if e["action"] == "appointment.restore"]
    assert len(entry) == 1 and entry[0]["object_id"] == a["id"], entry
    assert entry[0]["user"] != "" and "booked" in entry[0]["detail"], entry
    # the answer has one shape: the session, its warnings, what changed
    b = cancelled(p, s, s.sam, s.ben, at(s.tuesday, "11:00"))
    out = p.ctl("restore", b["id"])[1]
    assert out["appointment"]["state"] == "booked", out
    assert out["warnings"] == [], out
    assert [c["id"] for c in out["changed"]] == [b["id"]], out
    # read-only may look but not restore
    c = cancelled(p, s, s.sam, s.ben, at(s.tuesday, "14:00"))
    err = refused(p, "restore", c["id"], user=USER_RO)
    assert "restore" in err, err
    assert show(p, c["id"])["state"] == "cancelled"


def test_restore_refused_while_the_time_is_taken(clinic):
    s, p = clinic, clinic.p
    a = cancelled(p, s, s.jordan, s.ana, at(s.monday, "10:00"),
                  "--room", s.room1)
    # the clinician's time
    other = book(p, s.sam, s.ana, s.svc, at(s.monday, "10:30"))[1]["appointment"]
    err = refused(p, "restore", a["id"])
    assert "appointment %d" % other["id"] in err, err
    assert show(p, a["id"]) == a        # nothing changed, not even the version
    p.ctl("cancel", other["id"], "--by", "practice")
    # the client's time, with another clinician
    mine = book(p, s.jordan, s.ben, s.svc, at(s.monday, "10:00"))[1]["appointment"]
    err = refused(p, "restore", a["id"])
    assert "appointment %d" % mine["id"] in err and "client" in err, err
    p.ctl("cancel", mine["id"], "--by", "practice")
    # the room's time
    room = book(p, s.sam, s.ben, s.svc, at(s.monday, "10:20"),
                "--room", s.room1)[1]["appointment"]
    err = refused(p, "restore", a["id"])
    assert "appointment %d" % room["id"] in err and "room" in err, err
    assert show(p, a["id"]) == a
    # --overlap is the explicit override, and is recorded
    out = p.ctl("restore", a["id"], "--overlap")[1]
    assert out["appointment"]["state"] == "booked"
    assert out["appointment"]["overlap"] is True, out
    assert any("overlap" in w for w in out["warnings"]), out
    detail = [e["detail"] for e in audit_entries(p)
              if e["action"] == "appointment.restore"]
    assert detail and "overlap allowed" in detail[-1], detail


def test_restore_checks_hours_closures_and_archived(clinic):
    s, p = clinic, clinic.p
    a = cancelled(p, s, s.jordan, s.ana, at(s.monday, "10:00"),
                  "--room", s.room2)
    p.ctl("clinician", "hours", s.ana, "mon-fri 13:00-17:00")
    err = refused(p, "restore", a["id"])
    assert "hours" in err or "13:00" in err, err
    p.ctl("clinician", "hours", s.ana, "mon-fri 09:00-17:00")
    closure = p.ctl("closure", "add", s.monday.isoformat(), "Training")[1]["closure"]
    err = refused(p, "restore", a["id"])
    assert "Training" in err and "--force" in err, err
    p.ctl("closure", "remove", closure["id"])
    for kind, ref in (("client", s.jordan), ("clinician", s.ana),
                      ("room", s.room2)):
        p.ctl(kind, "edit", ref, "--active", "no")
        err = refused(p, "restore", a["id"])
        assert "archived" in err, (kind, err)
        p.ctl(kind, "edit", ref, "--active", "yes")
    assert show(p, a["id"]) == a
    # --force lifts the hours, as for book, and says so
    p.ctl("clinician", "hours", s.ana, "mon-fri 13:00-17:00")
    out = p.ctl("restore", a["id"], "--force")[1]
    assert out["appointment"]["state"] == "booked"
    assert out["appointment"]["forced"] is True, out
    assert out["warnings"], out


def test_restore_errors_say_why(clinic):
    s, p = clinic, clinic.p
    booked = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))[1]["appointment"]
    err = refused(p, "restore", booked["id"])
    assert "booked" in err and "cancelled" in err, err
    err = refused(p, "restore", "99999")
    assert "no appointment 99999" in err, err
    # a session in the past stays cancelled
    day, hhmm = local_from_now(dt.timedelta(days=-1))
    past = book(p, s.sam, s.pat, s.short, at(day, hhmm), "--force")[1]["appointment"]
    p.ctl("cancel", past["id"], "--by", "client")
    before = show(p, past["id"])
    err = refused(p, "restore", past["id"])
    assert "past" in err, err
    assert show(p, past["id"]) == before
    # a cancelled session cannot be marked booked: restore is the way
    p.ctl("cancel", booked["id"], "--by", "practice")
    err = refused(p, "mark", booked["id"], "booked")
    assert "restore %d" % booked["id"] in err, err
    assert p.ctl("help", "restore", json=False)[0] == 0


def test_restored_series_session_stays_in_its_series(clinic):
    s, p = clinic, clinic.p
    out = book(p, s.jordan, s.ana, s.svc, at(s.monday, "09:00"),
               "--repeat", "weekly", "--count", "3")[1]
    sid = out["series"]["id"]
    sessions = p.ctl("series", "show", sid)[1]["series"]["appointments"]
    second = sessions[1]
    p.ctl("cancel", second["id"], "--by", "practice")
    out = p.ctl("restore", second["id"])[1]
    assert out["appointment"]["series"] == sid, out
    assert out["appointment"]["recurrence"] == second["recurrence"], out
    now = p.ctl("series", "show", sid)[1]["series"]["appointments"]
    assert [(a["id"], a["state"]) for a in now] == \
        [(a["id"], "booked") for a in sessions], now


def series_of(p, s, count=4, *extra):
    out = book(p, s.jordan, s.ana, s.svc, at(s.monday, "09:00"),
               "--repeat", "weekly", "--count", str(count), *extra)[1]
    sid = out["series"]["id"]
    return sid, p.ctl("series", "show", sid)[1]["series"]["appointments"]


def test_cancel_all_names_each_session(clinic):
    s, p = clinic, clinic.p
    sid, sessions = series_of(p, s)
    ids = [a["id"] for a in sessions]
    out = p.ctl("cancel", ids[1], "--following", "--by", "practice",
                json=False)[1]
    lines = out.splitlines()
    assert lines[0].startswith("cancelled 3 sessions of series %d" % sid), out
    for a in sessions[1:]:
        line = [l for l in lines if l.startswith("  %d: " % a["id"])]
        assert len(line) == 1, (a["id"], out)
        assert a["local_start"][:10] in line[0] and "Jordan Lee" in line[0]
        assert "Ana Ruiz" in line[0] and "by practice" in line[0], line
    assert not any(l.startswith("  %d: " % ids[0]) for l in lines), out
    out = p.ctl("cancel", ids[0], "--all", "--by", "practice")[1]
    assert [a["id"] for a in out["changed"]] == [ids[0]], out
    assert out["cancelled"] == 1 and out["changed"][0]["state"] == "cancelled"
    # -q names each one too
    sid, sessions = series_of(p, s, 3, "--room", s.room1)
    rc, out, _ = p.ctl("cancel", sessions[0]["id"], "--all", "--by",
                       "practice", "-q", json=False)
    assert rc == 0 and out.split() == [str(a["id"]) for a in sessions], out


def test_a_long_series_lists_its_first_sessions(clinic):
    """Thirty sessions moved: the first eleven, then how many more and
    to when, not thirty lines; -q still gives every id."""
    s, p = clinic, clinic.p
    sid, sessions = series_of(p, s, 30)
    out = p.ctl("move", sessions[0]["id"], "--all", "--at",
                at(s.monday, "11:00"), json=False)[1]
    lines = out.splitlines()
    assert lines[0].startswith("moved 30 sessions of series %d" % sid), out
    shown = [l for l in lines if re.match(r"^  \d+: ", l)]
    assert [int(l.split(":")[0]) for l in shown] == \
        [a["id"] for a in sessions[:11]], out
    last = sessions[-1]["local_start"][:10]
    assert "  ... and 19 more, to %s 11:00 (-q or --json lists them all)" \
        % last in lines, out
    rc, out, _ = p.ctl("cancel", sessions[0]["id"], "--all", "--by",
                       "practice", "-q", json=False)
    assert out.split() == [str(a["id"]) for a in sessions], out


def test_move_all_names_each_session(clinic):
    s, p = clinic, clinic.p
    sid, sessions = series_of(p, s, 3)
    out = p.ctl("move", sessions[0]["id"], "--all", "--at",
                at(s.monday, "11:00"))[1]
    changed = out["changed"]
    assert [a["id"] for a in changed] == [a["id"] for a in sessions], out
    assert all(a["local_start"].endswith("11:00") for a in changed), changed
    assert out["moved"] == 3
    out = p.ctl("move", sessions[1]["id"], "--following", "--at",
                at(s.monday + dt.timedelta(days=7), "14:00"),
                json=False)[1]
    lines = out.splitlines()
    assert lines[0].startswith("moved 2 sessions of series %d to 14:00"
                               % sid), out
    for a in sessions[1:]:
        line = [l for l in lines if l.startswith("  %d: " % a["id"])]
        assert len(line) == 1 and "14:00-14:50" in line[0], (a, out)
    assert not any(l.startswith("  %d: " % sessions[0]["id"])
                   for l in lines), out


def test_closure_removal_names_the_sessions_booked_again(clinic):
    s, p = clinic, clinic.p
    week2 = s.monday + dt.timedelta(days=7)
    closure = p.ctl("closure", "add", week2.isoformat(), "Training")[1]["closure"]
    sid, sessions = series_of(p, s, 3, "--skip")
    assert len(sessions) == 2, sessions
    out = p.ctl("closure", "remove", closure["id"], json=False)[1]
    now = p.ctl("series", "show", sid)[1]["series"]["appointments"]
    new = [a for a in now if a["id"] not in {b["id"] for b in sessions}]
    assert len(new) == 1 and new[0]["local_start"].startswith(
        week2.isoformat()), now
    lines = out.splitlines()
    assert "1 series session booked again:" in lines, out
    line = [l for l in lines if l.startswith("  %d: " % new[0]["id"])]
    assert len(line) == 1 and "Jordan Lee with Ana Ruiz" in line[0], out


def test_move_changes_the_place_only(clinic):
    s, p = clinic, clinic.p
    a = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"),
             "--room", s.room1)[1]["appointment"]
    out = p.ctl("move", a["id"], "--room", "Room 2")[1]
    moved = out["appointment"]
    assert moved["start"] == a["start"] and moved["room"]["id"] == s.room2
    assert [c["id"] for c in out["changed"]] == [a["id"]], out
    entry = [e for e in audit_entries(p) if e["action"] == "appointment.move"]
    assert "room %d -> %d" % (s.room1, s.room2) in entry[-1]["detail"], entry
    audit = p.ctl("audit", json=False)[1]
    assert "room %d -> %d" % (s.room1, s.room2) in audit, audit
    # a video link replaces the room, and "none" takes it away
    url = "https://meet.example.org/r/abc"
    moved = p.ctl("move", a["id"], "--video", url)[1]["appointment"]
    assert moved["video_url"] == url and moved["room"] is None, moved
    assert moved["start"] == a["start"]
    detail = [e for e in audit_entries(p)
              if e["action"] == "appointment.move"][-1]["detail"]
    assert "room %d -> none" % s.room2 in detail and "video link added" in detail
    assert url not in detail, detail
    moved = p.ctl("move", a["id"], "--video", "none")[1]["appointment"]
    assert moved["video_url"] is None and moved["start"] == a["start"]
    # the room's other session still counts
    other = book(p, s.sam, s.ben, s.svc, at(s.monday, "10:00"),
                 "--room", s.room1)[1]["appointment"]
    err = refused(p, "move", a["id"], "--room", s.room1)
    assert "appointment %d" % other["id"] in err, err
    # a move with nothing to change is a usage error
    rc, _, err = p.ctl("move", a["id"], check=False)
    assert rc == 2 and "--at" in err, err


def test_move_all_to_another_room(clinic):
    s, p = clinic, clinic.p
    sid, sessions = series_of(p, s, 3, "--room", s.room1)
    out = p.ctl("move", sessions[0]["id"], "--all", "--room", "Room 2")[1]
    assert [a["id"] for a in out["changed"]] == [a["id"] for a in sessions]
    now = p.ctl("series", "show", sid)[1]["series"]["appointments"]
    assert [(a["start"], a["room"]["id"]) for a in now] == \
        [(a["start"], s.room2) for a in sessions], now
    entry = [e for e in audit_entries(p) if e["action"] == "series.move"]
    assert "room %d -> %d" % (s.room1, s.room2) in entry[-1]["detail"], entry
