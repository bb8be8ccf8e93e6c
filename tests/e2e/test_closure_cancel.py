"""A sick day: practicectl closure add ... --cancel, and closure cancel ID
(practicectl.8).  The sessions a closure covers that have not begun are
cancelled by the practice, a batch of 50 a request, each client getting
the cancellation notice through a real SMTP server (peers.py) on a
running fake clock; those begun stay; other clinicians' sessions, bad
ids and roles are refused or left alone with nothing changed."""

import email
import email.policy

from conftest import USER_RO, USER_STAFF, audit_entries
from remind_util import (book, peers, reminding, rows, wait_for,  # noqa: F401
                         wake)
from series_util import new_clinician, new_client, new_service, ok, show

DAY = "2027-03-02"          # a Tuesday


def clinic(practice_at, peers):
    """Tuesday 08:00, notices on, email through the SMTP peer."""
    p = reminding(practice_at, DAY + " 08:00", smtp=peers.smtp, rules=[],
                  notices="yes")
    s = type("S", (), {})()
    s.p = p
    s.ana, s.ben = new_clinician(p), new_clinician(p)
    s.svc = new_service(p, 50, 10)

    def client(name, mail):
        return ok(p, "client", "add", name, "--email", mail, "--remind",
                  "email")["client"]["id"]
    s.robin = client("Robin Ford", "robin@example.org")
    s.kim = client("Kim Lee", "kim@example.org")
    return s


def text(p, *args, user=None):
    rc, out, err = p.ctl(*args, json=False, user=user)
    assert rc == 0, err
    return out


def states(p, *ids):
    return [(show(p, i)["state"], show(p, i)["cancelled_by"]) for i in ids]


def test_a_sick_day_cancels_her_sessions_not_begun_and_tells_the_clients(
        practice_at, peers):
    s = clinic(practice_at, peers)
    p = s.p
    early = book(p, s.robin, s.ana, s.svc, DAY + " 08:05")["id"]     # begun
    ten = book(p, s.robin, s.ana, s.svc, DAY + " 10:00")["id"]
    two = book(p, s.kim, s.ana, s.svc, DAY + " 14:00")["id"]
    ok(p, "mark", str(two), "confirmed")
    gone = book(p, s.kim, s.ana, s.svc, DAY + " 16:00")["id"]
    ok(p, "cancel", str(gone), "--by", "client")
    ben = book(p, s.kim, s.ben, s.svc, DAY + " 10:00")["id"]
    wed = book(p, s.kim, s.ana, s.svc, "2027-03-03 10:00")["id"]
    # the confirmations go (the cancelled one's never does), then the
    # first session begins
    p.clock.set(DAY + " 08:04")
    wake(p)
    assert wait_for(lambda: len(peers.received()) == 5), p.log()
    p.clock.set(DAY + " 08:10")
    wake(p)

    out = text(p, "closure", "add", "today", "Unwell", "--clinician",
               str(s.ana), "--cancel")
    assert "cancelled 2 sessions by the practice" in out, out
    assert "1 appointment falls inside it and has begun:" in out, out
    assert states(p, ten, two) == [("cancelled", "practice")] * 2
    a = show(p, ten)
    assert a["cancel_reason"] == "Unwell" and a["late"] is False, a
    # begun, already cancelled, another clinician's, another day: as they were
    assert states(p, early, gone, ben, wed) == [
        ("booked", None), ("cancelled", "client"), ("booked", None),
        ("booked", None)]
    actions = [e["action"] for e in audit_entries(p)[-4:]]
    assert actions == ["closure.add", "appointment.cancel", "appointment.cancel",
                       "closure.cancel"], actions

    # each client is told, after the grace, without the closure's reason
    p.clock.set(DAY + " 08:20")
    wake(p)
    assert wait_for(lambda: len(peers.received()) == 7), p.log()
    told = [email.message_from_string(m["data"], policy=email.policy.default)
            for m in peers.received()[5:]]
    assert sorted(m["To"] for m in told) == ["kim@example.org",
                                             "robin@example.org"]
    for m in told:
        assert m["Subject"].endswith("is cancelled"), m["Subject"]
        assert "Unwell" not in m.get_body(("plain",)).get_content()


def test_cancel_goes_in_batches_to_the_last_session(practice_at, peers):
    s = clinic(practice_at, peers)
    p = s.p
    out = ok(p, "book", "--client", str(s.robin), "--clinician", str(s.ana),
             "--service", str(s.svc), "--at", "2027-03-03 09:00",
             "--repeat", "FREQ=DAILY", "--count", "120")
    series = out["series"]["id"]
    mine = book(p, s.kim, s.ana, s.svc, "2027-03-03 11:00")["id"]
    cid = ok(p, "closure", "add", "2027-03-03..2027-07-31", "Leave",
             "--clinician", str(s.ana))["closure"]["id"]
    # one request cancels a batch, and says how many are left
    st, body = p.api("POST", "/v1/closures/%d/cancel" % cid)
    assert st == 200, body
    assert len(body["changed"]) == 50 and body["remaining"] == 71, (
        len(body["changed"]), body["remaining"])
    # practicectl goes on to the last; -q lists every one it cancelled
    rc, out, err = p.ctl("-q", "closure", "cancel", str(cid), json=False)
    assert rc == 0, err
    ids = [int(x) for x in out.split()]
    first = [x["id"] for x in body["changed"]]
    assert len(ids) == 71 and mine in first and not set(first) & set(ids), out
    listed = ok(p, "list", "--clinician", str(s.ana), "--from", "2027-03-03",
                "--to", "2027-07-31")["appointments"]
    assert len(listed) == 121 and {x["state"] for x in listed} == {"cancelled"}
    assert {x["series"] for x in listed} == {series, None}, listed[:2]
    # nothing is left: again is "none to cancel", not an error
    out = text(p, "closure", "cancel", str(cid))
    assert "no session inside it to cancel" in out, out
    assert [e["detail"] for e in audit_entries(p)
            if e["action"] == "closure.cancel"] == [
        "50 sessions cancelled", "50 sessions cancelled",
        "21 sessions cancelled"]
    # removing the closure books nothing again: clients were told
    out = ok(p, "closure", "remove", str(cid))
    assert out["restored"] == 0 and out["changed"] == [], out
    assert show(p, mine)["state"] == "cancelled"


def test_a_practice_wide_closure_cancels_every_clinicians(practice_at, peers):
    s = clinic(practice_at, peers)
    p = s.p
    a = book(p, s.robin, s.ana, s.svc, "2027-03-04 10:00")["id"]
    b = book(p, s.kim, s.ben, s.svc, "2027-03-04 10:00")["id"]
    out = ok(p, "closure", "add", "2027-03-04", "Snow", "--cancel")
    assert sorted(x["id"] for x in out["changed"]) == sorted([a, b])
    assert out["affected"] == [] and out["affected_total"] == 0, out
    assert states(p, a, b) == [("cancelled", "practice")] * 2


def test_bad_ids_and_roles_change_nothing(practice_at, peers):
    s = clinic(practice_at, peers)
    p = s.p
    a = book(p, s.robin, s.ana, s.svc, "2027-03-04 10:00")["id"]
    cid = ok(p, "closure", "add", "2027-03-04", "Snow")["closure"]["id"]
    before = len(audit_entries(p))
    for args, code in ((("closure", "cancel", "99999"), 1),
                       (("closure", "cancel", "x"), 2)):
        rc, out, err = p.ctl(*args, check=False, json=False)
        assert rc == code and err.strip(), (args, rc, err)
    rc, out, err = p.ctl("closure", "cancel", str(cid), user=USER_RO,
                         check=False, json=False)
    assert rc == 1 and "permission" in err.lower(), (rc, err)
    st, body = p.api("POST", "/v1/closures/%d/cancel" % cid, {"reason": "x"})
    assert st == 400 and body["error"]["code"] == "bad_request", body
    st, body = p.api("POST", "/v1/closures/99999/cancel")
    assert st == 404 and body["error"]["code"] == "not_found", body
    assert show(p, a)["state"] == "booked"
    assert len(audit_entries(p)) == before
    # staff may
    out = p.ctl("closure", "cancel", str(cid), user=USER_STAFF)[1]
    assert [x["id"] for x in out["changed"]] == [a]
    # booked and cancelled within the notices' grace: nothing goes out
    assert not [r for r in rows(p, a) if r["state"] == "pending"], rows(p, a)
