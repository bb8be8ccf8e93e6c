"""practicectl agenda: each clinician's day at a glance (practicectl.8):
the day's sessions with the unconfirmed ones marked, failed deliveries
for sessions ahead, series ending this week, clients falling out of care."""

import os
import subprocess

from conftest import PRACTICED, USER_RO, refused
from remind_util import (outbox_files, peers, reminding, rows,  # noqa: F401
                         wait_for, wake)
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
    # the two weeks before: sessions over and not marked (Walt's was)
    left = [(u["client"]["id"], u["local_start"][:16]) for u in a["unmarked"]]
    assert left == [(s.zoe, "2027-02-17 14:00"), (s.zoe, "2027-02-24 14:00"),
                    (s.carl, "2027-02-24 16:00")], a["unmarked"]
    ok(p, "mark", str(a["unmarked"][0]["appointment"]), "no-show")
    a = by_clinician(ok(p, "agenda", "--clinician", str(s.ana)), s.ana)
    assert [u["local_start"][:16] for u in a["unmarked"]] == [
        "2027-02-24 14:00", "2027-02-24 16:00"], a["unmarked"]
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
    assert "Not yet marked attended or no-show" in text and "Carl Continues" in text
    refused(p, "agenda", "--day", "someday")


def test_agenda_pages_through_clinicians(practice_at):
    p = practice_at("2027-03-01 07:00")
    made = [new_clinician(p) for _ in range(12)]
    out = ok(p, "agenda")            # the ctl follows every page
    got = [c["clinician"]["id"] for c in out["agenda"]]
    assert got == sorted(got) and set(made) <= set(got), got
    status, first = p.api("GET", "/v1/agenda")
    assert status == 200 and first["next"] and len(first["agenda"]) == 2


def test_morning_mail_by_initials(practice_at, peers):
    """[agenda] send_at = 07:00: at seven each clinician with an email gets
    the day's agenda through the SMTP server, clients by initials only;
    not before, once a day, and not for a clinician without an email."""
    p = reminding(practice_at, "2027-03-01 06:50", smtp=peers.smtp,
                  extra={"agenda": [("send_at", "07:00")]})
    ana = ok(p, "clinician", "add", "Ana Morning", "--email",
             "ana.morning@example.org")["clinician"]["id"]
    ok(p, "clinician", "hours", str(ana), "daily", "00:00-23:59")
    ben = new_clinician(p)             # no email: no mail
    idle = ok(p, "clinician", "add", "Ida Idle", "--email",
              "ida.idle@example.org")["clinician"]["id"]    # nothing to tell
    svc = new_service(p, 50, 10)
    x = ok(p, "client", "add", "Xavier Quillfeather", "--email",
           "xq@example.org")["client"]["id"]
    for cid, clin, when in ((x, ana, "2027-03-01 10:00"),
                            (x, ben, "2027-03-01 12:00")):
        ok(p, "book", "--client", str(cid), "--clinician", str(clin),
           "--service", str(svc), "--at", when)
    ok(p, "book", "--client", str(x), "--clinician", str(ana), "--service",
       str(svc), "--at", "2027-02-26 10:00", "--force")      # never marked
    wake(p)
    assert not [m for m in peers.received() if "agenda" in m.get("data", "").lower()]
    p.clock.set("2027-03-01 07:00:30")
    wake(p)
    got = wait_for(lambda: [m for m in peers.received()
                            if "ana.morning@example.org" in m["to"]], timeout=15)
    assert len(got) == 1, peers.received()
    text = got[0]["data"]
    assert "Your agenda for 2027-03-01" in text
    assert "10:00-10:50" in text and "XQ" in text and "not yet confirmed" in text
    assert "not yet marked attended or no-show:\r\n  2027-02-26 10:00  XQ\r\n" in text, text
    assert "Xavier" not in text and "Quillfeather" not in text
    assert "xq@example.org" not in text
    assert len([m for m in peers.received() if "agenda" in m["data"]]) == 1
    assert "clinician %d's mail of 2027-03-01 has nothing to tell" % idle in p.log()
    # once a day: later that morning, nothing more
    p.clock.set("2027-03-01 09:00")
    wake(p)
    wake(p)
    assert len([m for m in peers.received() if "Your agenda" in m["data"]]) == 1
    # the sender's result reaches the loop after the server has the mail
    assert wait_for(lambda: "clinician %d's mail was sent" % ana in p.log()), p.log()


def test_morning_mail_into_the_outbox_folder(practice_at):
    """Without [smtp] the morning's agenda is written into the outbox
    folder, as the reminders are; with send_at off, nothing is."""
    p = reminding(practice_at, "2027-03-01 06:50",
                  extra={"agenda": [("send_at", "07:00")]})
    ana = ok(p, "clinician", "add", "Ana Morning", "--email",
             "ana.morning@example.org")["clinician"]["id"]
    ok(p, "clinician", "hours", str(ana), "daily", "00:00-23:59")
    svc = new_service(p, 50, 10)
    x = ok(p, "client", "add", "Xavier Quillfeather")["client"]["id"]
    ok(p, "book", "--client", str(x), "--clinician", str(ana), "--service",
       str(svc), "--at", "2027-03-01 10:00")
    p.clock.set("2027-03-01 07:00:30")
    wake(p)
    files = wait_for(lambda: [f for f in outbox_files(p) if "agenda-" in f])
    assert [os.path.basename(f) for f in files] == ["agenda-2027-03-01-%d.eml" % ana]
    text = open(files[0]).read()
    assert "To: ana.morning@example.org" in text and "XQ" in text
    assert "Xavier" not in text


def test_morning_mail_off_by_default_and_checked(practice_at, make_practice):
    p = reminding(practice_at, "2027-03-01 06:50")
    ok(p, "clinician", "add", "Ana Morning", "--email", "ana.morning@example.org")
    p.clock.set("2027-03-01 07:00:30")
    wake(p)
    wake(p)
    assert not [f for f in outbox_files(p) if "agenda-" in f]
    bad = make_practice(start=False, sections={"agenda": [("send_at", "7am")]})
    r = subprocess.run([PRACTICED, "-n", "-f", bad.conf], capture_output=True,
                       text=True)
    assert r.returncode != 0 and "send_at" in r.stderr, r.stderr
