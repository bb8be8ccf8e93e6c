"""The outbox through practicectl: "reminders" lists it by state and due
time, "reminders explain" tells what became of each reminder of a
session, "reminders retry" sends a failed one again, and "list" shows
each session's reminders.  A real daemon on a running fake clock, a real
SMTP server on loopback (peers.py)."""

import email
import os
import time

import pytest

from conftest import USER_RO, USER_STAFF, audit_entries, refused
from series_util import ok
from remind_util import (book, drain, outbox_files, people, peers,  # noqa: F401
                         reminding, rows,
                         wait_for, wake)


def text(p, *args, user=None):
    """The table practicectl prints."""
    rc, out, err = p.ctl(*args, json=False, user=user)
    assert rc == 0, err
    return out


def reminders(p, *args, user=None):
    return p.ctl("reminders", *args, user=user)[1]


# ------------------------------------------------------------- listing

def test_reminders_lists_the_outbox_in_due_order(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    b = book(p, cli, clin, svc, "2026-12-20 10:00")
    got = reminders(p)
    assert got["next"] is None
    r = got["reminders"]
    assert [(x["appointment"], x["rule"]) for x in r] == [
        (a["id"], "48h"), (a["id"], "2h"), (b["id"], "48h"), (b["id"], "2h")], r
    first = r[0]
    assert first["due"] == "2026-12-08T15:00:00Z"
    assert first["local_due"] == "2026-12-08 10:00"
    assert first["client"] == {"id": cli, "name": "Jordan Lee", "initials": "JL"}
    assert (first["channel"], first["notice"], first["rule_minutes"]) == (
        "email", "reminder", 48 * 60)
    assert (first["state"], first["attempts"], first["in_doubt"]) == (
        "pending", 0, False)
    assert first["recipient"] == "jordan@example.org"
    assert first["reason"] is None and first["provider_id"] is None
    # the table, in the reader's zone
    out = text(p, "reminders")
    assert out.splitlines()[0].split()[:4] == ["ID", "DUE", "SESSION", "CLIENT"]
    assert "2026-12-08 10:00" in out and "Jordan Lee" in out
    assert "times in America/New_York" in out
    out = text(p, "-z", "Europe/Paris", "reminders")
    assert "2026-12-08 16:00" in out and "times in Europe/Paris" in out
    # -q: the ids
    ids = text(p, "-q", "reminders").split()
    assert ids == [str(x["id"]) for x in r]


def test_next_window_and_states(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    book(p, cli, clin, svc, "2026-12-20 10:00")
    # up to 2026-12-09 09:00: only the 48 h reminder of the first
    r = reminders(p, "--next", "48h")["reminders"]
    assert [(x["appointment"], x["rule"]) for x in r] == [(a["id"], "48h")], r
    assert len(reminders(p, "--next", "4d")["reminders"]) == 2
    assert len(reminders(p, "--next", "90m")["reminders"]) == 0
    assert "no reminders" in text(p, "reminders", "--next", "90m")
    assert reminders(p, "--sent")["reminders"] == []
    assert len(reminders(p, "--pending")["reminders"]) == 4
    # a move supersedes two and plans two: superseded only when asked
    ok(p, "move", str(a["id"]), "--at", "2026-12-11 14:00")
    assert len(reminders(p)["reminders"]) == 4
    sup = reminders(p, "--state", "superseded")["reminders"]
    assert len(sup) == 2 and all(x["current"] is False for x in sup), sup
    for bad, why in [(("--next", "48x"), "next must be"),
                     (("--next", "400d"), "next must be"),
                     (("--state", "lost"), "state must be"),
                     (("--limit", "501"), "limit: a whole number"),
                     (("--after", "x"), "after")]:
        assert why in refused(p, "reminders", *bad), bad
    err = refused(p, "reminders", "--pending", "--failed", codes=(2,))
    assert "give one of" in err


def test_pages_follow_the_cursor(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    for day in (10, 11, 14):
        book(p, cli, clin, svc, "2026-12-%02d 10:00" % day)
    seen, after = [], None
    while True:
        args = ["--limit", "4"] + (["--after", after] if after else [])
        page = reminders(p, *args)
        assert len(page["reminders"]) <= 4
        seen += [x["id"] for x in page["reminders"]]
        after = page["next"]
        if after is None:
            break
    assert seen == [x["id"] for x in reminders(p)["reminders"]]
    assert len(seen) == 6 == len(set(seen))
    assert "more: add --after " in text(p, "reminders", "--limit", "2")


# ------------------------------------------------------------- explain

def test_explain_after_a_move_shows_both_versions(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    ok(p, "move", str(a["id"]), "--at", "2026-12-11 14:00")
    got = p.ctl("reminders", "explain", str(a["id"]))[1]
    assert got["appointment"]["id"] == a["id"]
    r = got["reminders"]
    assert [(x["version"], x["state"], x["current"]) for x in r] == [
        (1, "superseded", False), (1, "superseded", False),
        (2, "pending", True), (2, "pending", True)], r
    assert r[0]["reason"] == "the session changed (version 2)"
    assert [x["local_due"] for x in r] == [
        "2026-12-08 10:00", "2026-12-10 08:00",
        "2026-12-09 14:00", "2026-12-11 12:00"]
    assert all(x["deliveries"] == [] for x in r)
    out = text(p, "reminders", "explain", str(a["id"]))
    assert out.startswith("appointment %d: 2026-12-11 14:00-14:50 Jordan Lee"
                          % a["id"]), out
    assert out.count("superseded") == 2 and "no delivery attempts" in out
    assert "no appointment 999" in refused(p, "reminders", "explain", "999")


def test_explain_tells_why_a_reminder_is_skipped(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p, remind="none")
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    r = p.ctl("reminders", "explain", str(a["id"]))[1]["reminders"]
    assert [(x["state"], x["reason"]) for x in r] == [
        ("skipped", "the client takes no email reminders")] * 2, r
    assert "the client takes no email reminders" in text(
        p, "reminders", "explain", str(a["id"]))
    # a session booked in the past has none at all
    past = ok(p, "book", "--client", str(cli), "--clinician", str(clin),
              "--service", str(svc), "--at", "2026-12-04 10:00",
              "--force")["appointment"]
    assert "no reminders were planned" in text(p, "reminders", "explain",
                                               str(past["id"]))


# ------------------------------------------------------------- retry

def test_retry_a_failed_reminder_after_fixing_the_address(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp,
                  rules=[("rule", "email 48h")])
    clin, cli, svc = people(p, email="reject@example.org")
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    rid = rows(p, a["id"])[0]["id"]
    assert "waiting to be sent already" in refused(p, "reminders", "retry",
                                                   str(rid))
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    assert wait_for(lambda: rows(p, a["id"])[0]["state"] == "failed"), rows(p)
    failed = reminders(p, "--failed")["reminders"]
    assert [x["id"] for x in failed] == [rid] and "550" in failed[0]["reason"]
    assert "failed" in text(p, "reminders", "--failed")
    d = p.ctl("reminders", "explain", str(a["id"]))[1]["reminders"][0]["deliveries"]
    assert [(x["attempt"], x["outcome"]) for x in d] == [(1, "failed")], d
    assert "550" in (d[0]["detail"] or "") or d[0]["code"] == 550, d
    # the list says so
    day = ok(p, "list", "--day", "2026-12-10")["appointments"]
    assert day[0]["reminders"] == {"failed": 1}
    assert "1 failed" in text(p, "list", "--day", "2026-12-10")
    # readonly sees it, may not retry it
    assert reminders(p, "--failed", user=USER_RO)["reminders"][0]["id"] == rid
    assert "may not" in refused(p, "reminders", "retry", str(rid), user=USER_RO)
    assert rows(p, a["id"])[0]["state"] == "failed"
    # the address fixed, staff retries: sent, to the new address
    ok(p, "client", "edit", str(cli), "--email", "jordan@example.org")
    audit_before = len(audit_entries(p))
    rc, out, err = p.ctl("reminders", "retry", str(rid), json=False,
                         user=USER_STAFF)
    assert rc == 0, err
    assert out.startswith("retrying reminder %d (email 48h of appointment %d)"
                          % (rid, a["id"])), out
    assert wait_for(lambda: rows(p, a["id"])[0]["state"] == "sent"), rows(p)
    got = peers.received()
    assert len(got) == 1 and got[0]["to"] == ["jordan@example.org"], got
    r = rows(p, a["id"])[0]
    assert r["attempts"] == 2 and r["recipient"] == "jordan@example.org"
    d = p.ctl("reminders", "explain", str(a["id"]))[1]["reminders"][0]["deliveries"]
    assert [(x["attempt"], x["outcome"]) for x in d] == [(1, "failed"), (2, "sent")]
    entries = audit_entries(p)[audit_before:]
    assert [(e["action"], e["user"]) for e in entries] == [
        ("reminder.retry", USER_STAFF)], entries
    assert "jordan@" not in str(entries) and "reject@" not in str(entries)
    # sent: no second retry; the recipient never reaches the log
    assert "was sent already" in refused(p, "reminders", "retry", str(rid))
    assert "reject@example.org" not in p.log()
    assert ok(p, "list", "--day", "2026-12-10")["appointments"][0][
        "reminders"] == {"sent": 1}


def test_retry_refuses_a_cancelled_or_begun_session(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp,
                  rules=[("rule", "email 48h")])
    clin, cli, svc = people(p, email="reject@example.org")
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    b = book(p, cli, clin, svc, "2026-12-10 12:00")
    p.clock.set("2026-12-08 12:00:01")
    wake(p)
    assert wait_for(lambda: all(r["state"] == "failed" for r in rows(p))), rows(p)
    ra, rb = rows(p, a["id"])[0]["id"], rows(p, b["id"])[0]["id"]
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    assert "cancelled session" in refused(p, "reminders", "retry", str(ra))
    assert ok(p, "list", "--day", "2026-12-10")["appointments"][0][
        "reminders"] == {}
    p.clock.set("2026-12-10 12:00:01")
    wake(p)
    assert "has begun" in refused(p, "reminders", "retry", str(rb))
    assert "no reminder 99999" in refused(p, "reminders", "retry", "99999")
    assert [r["state"] for r in rows(p)] == ["failed", "failed"]


@pytest.mark.parametrize("user", [USER_RO])
def test_readonly_lists_and_explains(practice_at, user):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    assert len(reminders(p, user=user)["reminders"]) == 2
    got = p.ctl("reminders", "explain", str(a["id"]), user=user)[1]
    assert len(got["reminders"]) == 2
    out = text(p, "list", "--day", "2026-12-10", user=user)
    assert "REMINDERS" in out.splitlines()[0] and "2 pending" in out


def test_a_retry_after_giving_up_gets_a_fresh_budget(practice_at, peers):
    """Eight deferrals give up; a retry the staff asks for then survives a
    passing failure instead of failing again at once."""
    p = reminding(practice_at, "2026-12-01 09:00", smtp=peers.smtp,
                  rules=[("rule", "email 48h")])
    clin, cli, svc = people(p, email="defer@example.org")
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    rid = rows(p, a["id"])[0]["id"]
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    drain(p, rounds=10)
    r = rows(p, a["id"])[0]
    assert (r["state"], r["attempts"]) == ("failed", 8), r
    assert "gave up after 8 tries" in r["reason"], r
    ok(p, "reminders", "retry", str(rid))
    assert wait_for(lambda: rows(p, a["id"])[0]["attempts"] == 9 and
                    rows(p, a["id"])[0]["state"] != "sending"), rows(p)
    r = rows(p, a["id"])[0]
    assert r["state"] == "pending" and r["due_utc"] > r["updated"] - 1, r
    # the deferral went on until it clears: the server takes it at last
    ok(p, "client", "edit", str(cli), "--email", "jordan@example.org")
    drain(p)
    assert [m["to"] for m in peers.received()] == [["jordan@example.org"]]


# ------------------------------------------------------------- test

def test_a_test_message_by_email_reaches_the_server(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp)
    clin, cli, svc = people(p)
    rc, out, err = p.ctl("reminders", "test", "--client", "Jordan",
                         "--channel", "email", json=False, user=USER_STAFF)
    assert rc == 0, err
    assert out.startswith("test 1 by email to client %d sent: " % cli), out
    got = peers.received()
    assert len(got) == 1 and got[0]["to"] == ["jordan@example.org"], got
    m = email.message_from_string(got[0]["data"])
    assert m["Subject"] == "Test message from Test Practice", m["Subject"]
    assert m["Message-ID"].startswith("<test.1."), m["Message-ID"]
    # JSON: the last answer, the wait followed to the end
    t = ok(p, "reminders", "test", "--client", str(cli), "--channel", "email")
    assert t["test"]["id"] == 2 and t["test"]["state"] == "sent" and "wait" not in t, t
    assert len(peers.received()) == 2
    # audited by whom, naming no address; nothing in the outbox's ledger
    tests = [e for e in audit_entries(p) if e["action"] == "reminder.test"]
    assert [e["user"] for e in tests][0] == USER_STAFF and len(tests) == 2, tests
    assert "jordan@" not in str(audit_entries(p)) and rows(p) == []
    # kept for a look afterwards; the POST answered 202 with the wait
    status, body = p.api("GET", "/v1/reminders/tests/1")
    assert status == 200 and body["test"]["state"] == "sent", body
    assert p.api("GET", "/v1/reminders/tests/99")[0] == 404
    assert p.api("GET", "/v1/reminders/tests/0")[0] == 400
    status, body = p.api("POST", "/v1/reminders/tests",
                         {"client": str(cli), "channel": "email"})
    assert status == 202 and body["wait"] == "/reminders/tests/3", body


def test_a_refused_test_message_exits_1_with_the_reason(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp)
    clin, cli, svc = people(p, email="reject@example.org")
    rc, out, err = p.ctl("reminders", "test", "--client", str(cli),
                         "--channel", "email", json=False, check=False)
    assert rc == 1 and "failed" in err and "550" in err, (rc, out, err)


def test_a_test_sms_needs_consent_and_goes_by_the_provider(practice_at, peers,
                                                          workdir):
    token = os.path.join(workdir, "sms.token")
    with open(token, "w") as f:
        f.write("s3cret-token\n")
    os.chmod(token, 0o600)
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp, extra={
        "sms": [("provider", "webhook"), ("url", "http://127.0.0.1:%d/ok" % peers.http),
                ("from", "+15555550100"), ("token_file", token),
                ("header", "X-Api-Key")]})
    clin, cli, svc = people(p)
    assert "has no phone number" in refused(p, "reminders", "test", "--client",
                                            str(cli), "--channel", "sms")
    ok(p, "client", "edit", str(cli), "--phone", "+15555550123")
    assert "no SMS consent is recorded" in refused(
        p, "reminders", "test", "--client", str(cli), "--channel", "sms")
    ok(p, "client", "edit", str(cli), "--sms-consent", "yes")
    t = ok(p, "reminders", "test", "--client", str(cli), "--channel", "sms")
    assert t["test"]["state"] == "sent", t
    got = peers.received("http.jsonl")
    assert len(got) == 1 and "+15555550123" in got[0]["body"], got
    assert "test message" in got[0]["body"]
    # the token in the header asked for, not as a bearer
    assert got[0]["headers"].get("X-Api-Key") == "s3cret-token", got[0]["headers"]
    assert "Authorization" not in got[0]["headers"]
    assert "s3cret-token" not in p.log()


def test_a_test_without_a_provider_is_written_to_the_outbox_folder(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    rc, out, err = p.ctl("reminders", "test", "--client", str(cli), "--channel",
                         "email", json=False)
    assert rc == 0 and "written to" in out and "test-1.eml" in out, (out, err)
    files = [f for f in outbox_files(p) if f.endswith("test-1.eml")]
    assert len(files) == 1
    assert "Test message from Test Practice" in open(files[0]).read()


def test_test_message_refusals_change_nothing(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp)
    clin, cli, svc = people(p)
    assert "email or sms" in refused(p, "reminders", "test", "--client",
                                     str(cli), "--channel", "fax")
    assert "missing --channel" in refused(p, "reminders", "test",
                                          "--client", str(cli), codes=(2,))
    assert "not an appointment id: x" in refused(p, "reminders", "explain", "x",
                                                 codes=(2,))
    assert "no client" in refused(p, "reminders", "test", "--client", "Nobody",
                                  "--channel", "email").lower()
    assert "may not" in refused(p, "reminders", "test", "--client", str(cli),
                                "--channel", "email", user=USER_RO)
    ok(p, "client", "edit", str(cli), "--active", "no")
    assert "is archived" in refused(p, "reminders", "test", "--client", str(cli),
                                    "--channel", "email")
    time.sleep(0.3)
    assert peers.received() == []
    assert [e for e in audit_entries(p) if e["action"] == "reminder.test"] == []


def test_status_tells_the_outbox_at_a_glance(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp,
                  rules=[("rule", "email 48h")])
    st = ok(p, "status")["reminders"]
    assert st == {"pending": 0, "next_due": None, "failed_ahead": 0,
                  "email": "smtp://127.0.0.1:%d" % peers.smtp,
                  "sms": "folder %s/outbox" % p.root}, st
    clin, cli, svc = people(p, email="reject@example.org")
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    book(p, cli, clin, svc, "2026-12-17 10:00")
    st = ok(p, "status")["reminders"]
    assert (st["pending"], st["next_due"]) == (2, "2026-12-08 10:00"), st
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    assert wait_for(lambda: rows(p, a["id"])[0]["state"] == "failed")
    out = text(p, "status")
    assert "reminders:     1 waiting, the next due 2026-12-15 10:00; 1 failed " \
        "for sessions ahead" in out, out
    assert "email goes to: smtp://127.0.0.1:%d" % peers.smtp in out, out
