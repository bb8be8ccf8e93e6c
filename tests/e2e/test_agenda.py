"""practicectl agenda: each clinician's day at a glance (practicectl.8):
the day's sessions with the unconfirmed ones marked, failed deliveries
for sessions ahead, series ending this week, clients falling out of care."""

from conftest import USER_RO, refused
from remind_util import peers, reminding, rows, wait_for, wake  # noqa: F401
from series_util import new_clinician, new_service, ok


def agenda_practice(practice_at, peers):
    """Monday 2027-03-01 07:00 in New York, email through aiosmtpd."""
    p = reminding(practice_at, "2027-03-01 07:00", smtp=peers.smtp,
                  rules=[("rule", "email 2h")])
    s = type("S", (), {})()
    s.p = p
    s.ana = new_clinician(p, surname="Anaclin")
    s.ben = new_clinician(p, surname="Benclin")
    s.svc = new_service(p, 50, 10)

    def client(name, email=None):
        args = ["client", "add", name]
        if email:
            args += ["--email", email, "--remind", "email"]
        return ok(p, *args)["client"]["id"]

    def book(cli, clin, when, *extra):
        return ok(p, "book", "--client", str(cli), "--clinician", str(clin),
                  "--service", str(s.svc), "--at", when, *extra)

    s.xena = client("Xena Booked")
    s.yuri = client("Yuri Confirmed")
    s.zoe = client("Zoe Ending")
    s.walt = client("Walt Gone")
    s.rita = client("Rita Reject", "reject@example.org")
    s.carl = client("Carl Continues")
    s.x10 = book(s.xena, s.ana, "2027-03-01 10:00")["appointment"]["id"]
    s.y11 = book(s.yuri, s.ana, "2027-03-01 11:00")["appointment"]["id"]
    ok(p, "mark", str(s.y11), "confirmed")
    s.gone = book(s.xena, s.ana, "2027-03-01 12:00")["appointment"]["id"]
    ok(p, "cancel", str(s.gone), "--by", "client")
    s.ben9 = book(s.carl, s.ben, "2027-03-01 09:00")["appointment"]["id"]
    # the last of three weekly sessions on Wednesday: care ends this week
    book(s.zoe, s.ana, "2027-02-17 14:00", "--repeat", "weekly", "--count",
         "3", "--force")
    # one that goes on after this week is not ending
    book(s.carl, s.ana, "2027-02-24 16:00", "--repeat", "weekly", "--count",
         "4", "--force")
    # seen ten days ago, nothing booked: falling out of care
    w = book(s.walt, s.ana, "2027-02-19 10:00", "--force")["appointment"]["id"]
    ok(p, "mark", str(w), "attended")
    # a reminder the mail server refuses, for a session ahead
    s.r15 = book(s.rita, s.ana, "2027-03-01 15:00")["appointment"]["id"]
    p.clock.set("2027-03-01 13:05")
    wake(p)
    assert wait_for(lambda: any(r["appointment_id"] == s.r15 and
                                r["state"] == "failed" for r in rows(p))), rows(p)
    return s


def by_clinician(out, cid):
    return next(c for c in out["agenda"] if c["clinician"]["id"] == cid)


def test_agenda_of_the_day(practice_at, peers):
    s = agenda_practice(practice_at, peers)
    p = s.p
    out = ok(p, "agenda", "--clinician", str(s.ana))
    assert out["day"] == "2027-03-01" and len(out["agenda"]) == 1
    a = by_clinician(out, s.ana)
    ids = [x["id"] for x in a["sessions"]]
    assert ids == [s.x10, s.y11, s.r15], a["sessions"]     # not the cancelled
    assert a["unconfirmed"] == [s.x10, s.r15]
    assert [f["appointment"] for f in a["failed_deliveries"]] == [s.r15]
    assert a["failed_deliveries"][0]["client"]["initials"] == "RR"
    assert "550" in (a["failed_deliveries"][0]["reason"] or ""), a["failed_deliveries"]
    assert [e["client"]["id"] for e in a["series_ending"]] == [s.zoe]
    assert a["series_ending"][0]["local_last"].startswith("2027-03-03 14:00")
    assert [f["client"]["id"] for f in a["falling_out_of_care"]] == [s.walt]
    # every active clinician, each their own
    out = ok(p, "agenda")
    b = by_clinician(out, s.ben)
    assert [x["id"] for x in b["sessions"]] == [s.ben9]
    assert b["failed_deliveries"] == [] and b["series_ending"] == []
    # another day: tomorrow's is empty, Wednesday has Zoe's last
    assert by_clinician(ok(p, "agenda", "--day", "tomorrow"), s.ana)["sessions"] == []
    wed = by_clinician(ok(p, "agenda", "--day", "2027-03-03"), s.ana)
    assert s.zoe in [x["client"]["id"] for x in wed["sessions"]]
    # the table: names as the list shows them, unconfirmed marked
    rc, text, err = p.ctl("agenda", "--clinician", str(s.ana), json=False,
                          user=USER_RO)
    assert rc == 0, err
    assert "Xena Booked" in text and "booked (unconfirmed)" in text
    assert "Failed deliveries" in text and "Rita Reject" in text
    assert "Series ending this week" in text and "Zoe Ending" in text
    assert "Falling out of care" in text and "Walt Gone" in text
    refused(p, "agenda", "--day", "someday")


def test_agenda_pages_through_clinicians(practice_at):
    p = practice_at("2027-03-01 07:00")
    made = [new_clinician(p) for _ in range(12)]
    out = ok(p, "agenda")            # the ctl follows every page
    got = [c["clinician"]["id"] for c in out["agenda"]]
    assert got == sorted(got) and set(made) <= set(got), got
    status, first = p.api("GET", "/v1/agenda")
    assert status == 200 and first["next"] and len(first["agenda"]) == 5
