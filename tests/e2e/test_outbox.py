"""The outbox under faults: TLS required and offered or not, a kill -9 in
the middle of a dispatch, a daemon down for a day, and reminders across
the clocks changing.  Real aiosmtpd on loopback (peers.py), a running fake
clock."""

import collections
import email
import os
import subprocess

import pytest

from remind_util import Peers, drain, peers, people, rows, wait_for, wake  # noqa: F401
from series_util import new_clinician, new_service, ok


@pytest.fixture
def tls_peers(workdir):
    """Peers whose SMTP server offers STARTTLS with a throwaway certificate
    for 127.0.0.1; returns (peers, certificate path)."""
    folder = os.path.join(workdir, "tlspeers")
    os.mkdir(folder)
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "3650", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    p = Peers(folder, tls=(cert, key))
    yield p, cert
    p.stop()


def smtp_section(port, starttls="required", ca_file=None):
    s = [("url", "smtp://127.0.0.1:%d" % port), ("starttls", starttls),
         ("from", "Test Practice <noreply@example.org>")]
    if ca_file:
        s.append(("ca_file", ca_file))
    return s


def reminding_with(practice_at, when, smtp, rules=(("rule", "email 48h"),), **kw):
    """Reminders only: the notices of booking changes (test_notices.py)
    are off, so what is counted here is the rules' reminders."""
    return practice_at(when, running=True, practice_extra={"phone": "+1 555 010 1234"},
                       sections={"reminders": list(rules) + [("notices", "no")],
                                 "smtp": smtp}, **kw)


def test_starttls_required_and_offered(practice_at, tls_peers):
    peers, cert = tls_peers
    p = reminding_with(practice_at, "2026-12-07 09:00",
                       smtp_section(peers.smtp, ca_file=cert))
    clin, cli, svc = people(p)
    a = ok(p, "book", "--client", str(cli), "--clinician", str(clin), "--service",
           str(svc), "--at", "2026-12-10 10:00")["appointment"]
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    assert wait_for(lambda: peers.received()), (rows(p), p.log())
    got = peers.received()
    assert len(got) == 1 and got[0]["tls"] is True, got
    assert wait_for(lambda: rows(p, a["id"])[0]["state"] == "sent"), rows(p)


def test_starttls_required_but_not_offered_sends_nothing(practice_at, peers):
    p = reminding_with(practice_at, "2026-12-07 09:00", smtp_section(peers.smtp))
    clin, cli, svc = people(p)
    a = ok(p, "book", "--client", str(cli), "--clinician", str(clin), "--service",
           str(svc), "--at", "2026-12-10 10:00")["appointment"]
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    assert wait_for(lambda: rows(p, a["id"])[0]["attempts"] == 1 and
                    rows(p, a["id"])[0]["state"] == "pending"), rows(p)
    r = rows(p, a["id"])[0]
    assert "STARTTLS" in r["reason"], r
    assert peers.received() == []


def test_the_mail_server_down_then_back(practice_at, workdir):
    # a port with nothing listening: refused connections are retried
    port = Peers.__new__(Peers)     # only for a free port number
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    p = reminding_with(practice_at, "2026-12-07 09:00",
                       smtp_section(free, starttls="no"))
    clin, cli, svc = people(p)
    a = ok(p, "book", "--client", str(cli), "--clinician", str(clin), "--service",
           str(svc), "--at", "2026-12-10 10:00")["appointment"]
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    assert wait_for(lambda: rows(p, a["id"])[0]["attempts"] == 1 and
                    rows(p, a["id"])[0]["state"] == "pending"), rows(p)
    first = rows(p, a["id"])[0]
    assert first["due"] > "2026-12-08 15:00:01" and first["reason"], first
    del port


def book_many(p, n, when):
    """n clients, each with a session at when (one clinician each); the
    mail server takes 50 ms over each of their messages."""
    svc = new_service(p, 50, 0)
    ids = []
    for i in range(n):
        clin = new_clinician(p)
        status, out = p.api("POST", "/v1/clients", {
            "name": "Client %03d" % i, "email": "slow%03d@example.org" % i,
            "remind": ["email"]})
        assert status == 201, out
        status, out = p.api("POST", "/v1/appointments", {
            "client": out["client"]["id"], "clinician": clin, "service": svc,
            "at": when})
        assert status == 201, out
        ids.append(out["appointment"]["id"])
    return ids


def test_kill_9_during_a_dispatch_loses_nothing(practice_at, peers):
    n = 200
    p = reminding_with(practice_at, "2026-12-07 09:00",
                       smtp_section(peers.smtp, starttls="no"))
    book_many(p, n, "2026-12-10 10:00")
    assert sum(1 for r in rows(p) if r["state"] == "pending") == n
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    assert wait_for(lambda: len(peers.received()) >= 20, timeout=30), p.log()
    p.kill()
    before = len(peers.received())
    p.start()
    wake(p)
    # a transfer that failed for a passing reason is retried a minute on
    assert drain(p) and all(r["state"] == "sent" for r in rows(p)), [
        (r["recipient"], r["state"], r["attempts"], r["due"], r["reason"])
        for r in rows(p) if r["state"] != "sent"]
    got = collections.Counter(m["to"][0] for m in peers.received())
    assert len(got) == n, "lost: %d of %d" % (n - len(got), n)
    twice = [to for to, k in got.items() if k > 1]
    in_doubt = {r["recipient"] for r in rows(p) if r["in_doubt"]}
    # duplicates only among those in flight at the kill, each marked
    assert all(k <= 2 for k in got.values()), got
    assert set(twice) <= in_doubt, (twice, in_doubt)
    assert before < n, "the kill came after the dispatch: nothing tested"


def test_down_for_a_day_sends_what_still_matters(practice_at, peers):
    p = reminding_with(practice_at, "2026-12-07 09:00",
                       smtp_section(peers.smtp, starttls="no"),
                       rules=(("rule", "email 48h"), ("rule", "email 2h")))
    clin, cli, svc = people(p)
    soon = ok(p, "book", "--client", str(cli), "--clinician", str(clin), "--service",
              str(svc), "--at", "2026-12-09 10:00")["appointment"]
    later = ok(p, "book", "--client", str(cli), "--clinician", str(clin), "--service",
               str(svc), "--at", "2026-12-10 12:00")["appointment"]
    p.stop()
    # down from the 7th to the 9th at 10:30: soon has begun, later's 48 h
    # reminder (the 8th at 12:00) is late but still before its session
    p.clock.set("2026-12-09 10:30")
    p.start()
    wake(p)
    assert wait_for(lambda: [r["state"] for r in rows(p, later["id"])] ==
                    ["sent", "pending"]), rows(p)
    assert [r["state"] for r in rows(p, soon["id"])] == ["expired", "expired"]
    assert all(r["reason"] == "the session had begun" for r in rows(p, soon["id"]))
    assert len(peers.received()) == 1


def test_reminders_across_the_clocks_going_forward(practice_at, peers):
    # 14 March 2027: New York goes from EST to EDT
    p = reminding_with(practice_at, "2027-03-11 09:00",
                       smtp_section(peers.smtp, starttls="no"),
                       rules=(("rule", "email 48h"), ("rule", "email 24h")))
    clin, cli, svc = people(p)
    a = ok(p, "book", "--client", str(cli), "--clinician", str(clin), "--service",
           str(svc), "--at", "2027-03-15 10:00")["appointment"]
    # 10:00 EDT is 14:00 UTC; 48 h and 24 h before are instants, not wall times
    assert [r["due"] for r in rows(p, a["id"])] == ["2027-03-13 14:00:00",
                                                   "2027-03-14 14:00:00"]
    p.clock.set("2027-03-13 08:59:59")      # 13:59:59 UTC, EST
    wake(p)
    assert not wait_for(lambda: peers.received(), timeout=0.5)
    p.clock.set("2027-03-13 09:00:01")
    wake(p)
    assert wait_for(lambda: len(peers.received()) == 1), p.log()
    p.clock.set("2027-03-14 10:00:01")      # 14:00:01 UTC, EDT
    wake(p)
    assert wait_for(lambda: len(peers.received()) == 2), p.log()


def test_reminders_on_both_sides_of_the_clocks_going_back(practice_at, peers):
    # 7 November 2027, 02:00 EDT: New York goes back to 01:00 EST
    p = reminding_with(practice_at, "2027-11-03 09:00",
                       smtp_section(peers.smtp, starttls="no"),
                       rules=(("rule", "email 24h"),))
    clin, cli, svc = people(p)
    before = ok(p, "book", "--client", str(cli), "--clinician", str(clin),
                "--service", str(svc), "--at", "2027-11-05 10:00")["appointment"]
    after = ok(p, "book", "--client", str(cli), "--clinician", str(clin),
               "--service", str(svc), "--at", "2027-11-08 10:00")["appointment"]
    # 24 h before 10:00 EDT is 14:00 UTC; before 10:00 EST, 15:00 UTC
    # (09:00 EST on the 7th, the day the clocks went back)
    assert [r["due"] for r in rows(p, before["id"])] == ["2027-11-04 14:00:00"]
    assert [r["due"] for r in rows(p, after["id"])] == ["2027-11-07 15:00:00"]
    p.clock.set("2027-11-04 10:00:01")      # EDT
    wake(p)
    assert wait_for(lambda: len(peers.received()) == 1), p.log()
    p.clock.set("2027-11-07 14:59:59", tz="UTC")   # a second early: 09:59:59 EST
    wake(p)
    assert not wait_for(lambda: len(peers.received()) > 1, timeout=0.5)
    p.clock.set("2027-11-07 10:00:01")      # 15:00:01 UTC, EST
    wake(p)
    assert wait_for(lambda: len(peers.received()) == 2), p.log()
    subjects = [email.message_from_string(m["data"])["Subject"]
                for m in peers.received()]
    assert subjects == [
        "Reminder: your appointment on Friday 5 November at 10:00",
        "Reminder: your appointment on Monday 8 November at 10:00"], subjects
