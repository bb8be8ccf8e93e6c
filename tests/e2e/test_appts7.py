"""Issue 7, the front desk's first week: a client in two places at once,
the demo practice's own such pair, and the room clash's advice."""

import datetime as dt

from conftest import at, book, refused, seed_practice


def live(p, *args):
    out = p.ctl("list", *args)[1]["appointments"]
    return [a for a in out if a["state"] != "cancelled"]


def test_client_cannot_be_in_two_places(clinic):
    s, p = clinic, clinic.p
    first = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))[1]["appointment"]
    err = refused(p, "book", "--client", s.jordan, "--clinician", s.ben,
                  "--service", s.svc, "--at", at(s.monday, "10:30"))
    assert "appointment %d" % first["id"] in err and "client" in err, err
    assert "--overlap" in err, err
    # the client's session itself, not the clinician's buffer after it
    ok = book(p, s.jordan, s.ben, s.svc, at(s.monday, "10:50"))[1]
    assert ok["appointment"]["overlap"] is False
    # --overlap is the explicit override, and says so
    out = book(p, s.jordan, s.pat, s.svc, at(s.monday, "10:20"), "--overlap")[1]
    assert out["appointment"]["overlap"] is True
    assert any("overlaps appointment" in w for w in out["warnings"]), out
    # a move into the client's other session is refused too
    other = book(p, s.jordan, s.ben, s.svc, at(s.monday, "14:00"))[1]["appointment"]
    err = refused(p, "move", other["id"], "--at", at(s.monday, "10:10"))
    assert "appointment %d" % first["id"] in err, err


def test_series_honours_client_clash(clinic):
    s, p = clinic, clinic.p
    one = book(p, s.sam, s.ana, s.svc, at(s.monday + dt.timedelta(days=7),
                                           "11:00"))[1]["appointment"]
    err = refused(p, "book", "--client", s.sam, "--clinician", s.ben,
                  "--service", s.svc, "--at", at(s.monday, "11:00"),
                  "--repeat", "weekly", "--count", "3")
    assert "appointment %d" % one["id"] in err, err
    span = ("--from", s.monday.isoformat(),
            "--to", (s.monday + dt.timedelta(days=20)).isoformat())
    assert [a["id"] for a in live(p, "--client", s.sam, *span)] == [one["id"]]
    rc, out, _ = p.ctl("book", "--client", s.sam, "--clinician", s.ben,
                       "--service", s.svc, "--at", at(s.monday, "11:00"),
                       "--repeat", "weekly", "--count", "3", "--skip")
    assert rc == 0, out
    mine = live(p, "--client", s.sam, *span)
    assert len(mine) == 3, mine     # two of the series and the one-off
    starts = sorted(a["start"] for a in mine)
    assert len(set(starts)) == 3, starts


def test_demo_has_no_client_in_two_places(make_practice):
    p = make_practice(daemon_extra={"demo": "yes"})
    first = dt.date.today()
    appts = [a for a in p.ctl("list", "--from", first.isoformat(), "--to",
                              (first + dt.timedelta(days=28)).isoformat()
                              )[1]["appointments"]
             if a["state"] != "cancelled"]
    assert len(appts) > 10, appts
    by_client = {}
    for a in appts:
        by_client.setdefault(a["client"]["id"], []).append(a)
    for cid, mine in by_client.items():
        mine.sort(key=lambda a: a["start"])
        for x, y in zip(mine, mine[1:]):
            assert x["end"] <= y["start"], ("client %d in two places" % cid, x, y)


def test_demo_texts_those_who_agreed(make_practice):
    """The demo's SMS reminders go to the clients with consent recorded;
    the one without is skipped, saying why."""
    p = make_practice(daemon_extra={"demo": "yes"})
    sms = [r for r in p.ctl("reminders", "list", "--limit", "500")[1]["reminders"]
           if r["channel"] == "sms"]
    pending = {r["client"]["name"] for r in sms if r["state"] == "pending"}
    assert pending == {"Jordan Lee", "Alex Kim"}, sms
    chris = {r["reason"] for r in sms if r["client"]["name"] == "Chris Patel"}
    assert chris == {"no SMS consent is recorded for the client"}, sms


def test_room_clash_does_not_suggest_overlap(clinic):
    s, p = clinic, clinic.p
    book(p, s.jordan, s.ana, s.svc, at(s.monday, "09:00"), "--room", s.room1)
    err = refused(p, "book", "--client", s.sam, "--clinician", s.ben,
                  "--service", s.svc, "--at", at(s.monday, "09:30"),
                  "--room", s.room1)
    assert "room" in err and "--overlap" not in err, err


def test_late_cancel_needs_by(practice_at):
    p = practice_at("2030-01-07 09:00")      # a Monday
    s = seed_practice(p)
    soon = book(p, s.jordan, s.ana, s.svc, "2030-01-07 15:00")[1]["appointment"]
    later = book(p, s.jordan, s.ana, s.svc, "2030-01-09 15:00")[1]["appointment"]
    err = refused(p, "cancel", soon["id"])
    assert "--by" in err and "late" in err, err
    assert p.ctl("show", soon["id"])[1]["appointment"]["state"] == "booked"
    out = p.ctl("cancel", soon["id"], "--by", "client")[1]["appointment"]
    assert out["state"] == "cancelled" and out["late"] is True
    # outside the window the practice is still the default
    out = p.ctl("cancel", later["id"])[1]["appointment"]
    assert out["state"] == "cancelled" and out["cancelled_by"] == "practice"


def test_json_answers_keep_one_shape(clinic):
    s, p = clinic, clinic.p
    out = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))[1]
    assert out["warnings"] == [], out
    aid = out["appointment"]["id"]
    out = p.ctl("move", aid, "--at", at(s.monday, "11:00"))[1]
    assert out["warnings"] == [], out
    out = p.ctl("cancel", aid, "--by", "client")[1]
    assert out["warnings"] == [], out


def test_outside_hours_says_both_zones(clinic):
    s, p = clinic, clinic.p
    status, out = p.api("POST", "/v1/clinicians",
                        {"name": "Lou West", "zone": "America/Los_Angeles"})
    assert status == 201, out
    lou = out["clinician"]["id"]
    status, out = p.api("PUT", "/v1/clinicians/%d/hours" % lou,
                        {"hours": "mon-fri 08:00-16:00"})
    assert status == 200, out
    err = refused(p, "book", "--client", s.jordan, "--clinician", lou,
                  "--service", s.svc, "--at", at(s.monday, "09:00"),
                  zone="America/New_York")
    assert at(s.monday, "09:00") in err and at(s.monday, "06:00") in err, err
    assert "America/Los_Angeles" in err and "08:00-16:00" in err, err
    # read in the clinician's own zone, one time is enough
    err = refused(p, "book", "--client", s.jordan, "--clinician", lou,
                  "--service", s.svc, "--at", at(s.monday, "06:00"),
                  zone="America/Los_Angeles")
    assert " is " not in err, err
