"""Reminders end to end: planned with each change of a session, due at the
rule's time moved out of quiet hours, sent when the daemon's clock reaches
them (libfaketime, a running clock), to a real SMTP server on loopback
(tests/e2e/peers.py) or, with no [smtp], written into the outbox folder.
What the outbox holds is read from the database itself."""

import email
import email.policy
import os
import time

from remind_util import (book, outbox_files, peers, people, reminding, rows,  # noqa: F401
                         wait_for, wake)
from series_util import ok

# ------------------------------------------------------------- planning

def test_booking_plans_each_rule_at_its_time(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    r = rows(p, a["id"])
    assert [(x["notice"], x["channel"], x["rule_minutes"], x["state"]) for x in r] == [
        ("reminder", "email", 48 * 60, "pending"),
        ("reminder", "email", 120, "pending")], r
    # 10:00 EST is 15:00 UTC
    assert [x["due"] for x in r] == ["2026-12-08 15:00:00", "2026-12-10 13:00:00"]
    assert {x["recipient"] for x in r} == {"jordan@example.org"}
    assert all(x["version"] == a["version"] for x in r)


def test_quiet_hours_move_a_reminder_earlier(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 09:30")
    r = rows(p, a["id"])
    # 2 h before 09:30 is 07:30, inside 21:00-08:00: 20:50 the evening before
    assert r[1]["rule_minutes"] == 120
    assert r[1]["due"] == "2026-12-10 01:50:00", r   # 20:50 EST


def test_a_rule_already_past_is_skipped_not_sent(practice_at):
    p = reminding(practice_at, "2026-12-09 12:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    r = rows(p, a["id"])
    assert [(x["rule_minutes"], x["state"]) for x in r] == [
        (48 * 60, "skipped"), (120, "pending")], r
    assert "had passed" in r[0]["reason"]


def test_client_without_reminders_gets_skipped_rows_that_say_why(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00",
                  rules=[("rule", "email 24h"), ("rule", "sms 24h")])
    clin, cli, svc = people(p, remind="none")
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    why = {x["channel"]: x["reason"] for x in rows(p, a["id"])}
    assert why == {"email": "the client takes no email reminders",
                   "sms": "the client takes no SMS reminders"}, why
    assert all(x["state"] == "skipped" for x in rows(p, a["id"]))


def test_a_moved_session_keeps_only_its_own_skipped_rows(practice_at):
    """Each move plans the session anew: the older versions' skipped rows
    go (they piled up by the thousand on a series moved often), the
    superseded ones stay; a cancellation keeps the last plan's, which
    still say why nothing was sent."""
    p = reminding(practice_at, "2026-12-07 09:00",
                  rules=[("rule", "email 24h"), ("rule", "sms 24h")])
    clin, cli, svc = people(p)          # email reminders, no SMS
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    for when in ("2026-12-10 11:00", "2026-12-10 12:00", "2026-12-11 10:00"):
        ok(p, "move", str(a["id"]), "--at", when)
    r = rows(p, a["id"])
    assert [(x["version"], x["channel"], x["state"]) for x in r] == [
        (1, "email", "superseded"), (2, "email", "superseded"),
        (3, "email", "superseded"), (4, "email", "pending"),
        (4, "sms", "skipped")], r
    assert r[-1]["reason"] == "the client takes no SMS reminders"
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    r = rows(p, a["id"])
    assert [(x["version"], x["state"]) for x in r if x["channel"] == "sms"] == [
        (4, "skipped")], r
    listed = ok(p, "reminders", "list", "--state", "skipped")["reminders"]
    assert [x["id"] for x in listed if x["appointment"] == a["id"]] == [
        r[-1]["id"]], listed


def test_an_archived_client_is_not_reminded(practice_at, peers):
    """Archived with a session kept booked: its reminders are skipped and
    say why, a retry is refused; back in care, they are planned again."""
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp)
    clin, cli, svc = people(p, email="reject@example.org")
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    assert wait_for(lambda: rows(p, a["id"])[0]["state"] == "failed"), rows(p)
    rc, out, err = p.ctl("client", "edit", str(cli), "--active", "no", check=False)
    assert rc != 0 and "1 booked session ahead" in err, err
    ok(p, "client", "edit", str(cli), "--active", "no", "--force")
    r = rows(p, a["id"])
    assert [(x["state"], x["reason"]) for x in r][1] == (
        "skipped", "the client is archived"), r
    rc, out, err = p.ctl("reminders", "retry", str(r[0]["id"]), check=False)
    assert rc != 0 and "the client is archived" in err, (rc, out, err)
    p.clock.set("2026-12-10 09:00")
    wake(p)
    time.sleep(0.5)
    assert peers.received() == []
    # back in care before the second one is due: it is pending again
    p.clock.set("2026-12-09 09:00")
    ok(p, "client", "edit", str(cli), "--active", "yes",
       "--email", "jordan@example.org")
    assert [x["state"] for x in rows(p, a["id"])] == ["failed", "pending"]


def test_move_supersedes_and_plans_for_the_new_time(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    m = ok(p, "move", str(a["id"]), "--at", "2026-12-11 14:00")["appointment"]
    r = rows(p, a["id"])
    assert [(x["version"], x["state"]) for x in r] == [
        (1, "superseded"), (1, "superseded"), (2, "pending"), (2, "pending")], r
    assert [x["due"] for x in r if x["state"] == "pending"] == [
        "2026-12-09 19:00:00", "2026-12-11 17:00:00"]
    assert m["version"] == 2


def test_cancel_leaves_nothing_pending_and_restore_plans_again(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    r = rows(p, a["id"])
    assert {x["state"] for x in r} == {"superseded"}, r
    assert all(x["reason"] == "the session is cancelled" for x in r)
    ok(p, "restore", str(a["id"]))
    pending = [x for x in rows(p, a["id"]) if x["state"] == "pending"]
    assert len(pending) == 2 and all(x["version"] == 3 for x in pending), pending


# ------------------------------------------------------------- sending

def test_without_smtp_the_message_is_written_to_the_outbox_folder(practice_at):
    p = reminding(practice_at, "2026-12-07 09:00")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    assert outbox_files(p) == []
    p.clock.set("2026-12-08 10:00:05")
    wake(p)
    assert wait_for(lambda: outbox_files(p)), p.log()
    files = outbox_files(p)
    assert len(files) == 1 and files[0].endswith("-reminder.eml"), files
    assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"
    with open(files[0], "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    assert msg["To"] == "jordan@example.org"
    assert msg["Subject"] == "Reminder: your appointment on Thursday 10 December at 10:00"
    body = msg.get_content()
    assert "Hello Jordan," in body and "+1 555 010 1234" in body, body
    assert "{" not in body
    r = rows(p, a["id"])
    assert [x["state"] for x in r] == ["sent", "pending"], r
    assert r[0]["attempts"] == 1 and "written to" in r[0]["reason"]


def test_reminders_arrive_at_the_smtp_server_at_their_time(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp)
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    p.clock.set("2026-12-08 09:59:00")
    wake(p)
    time.sleep(0.3)
    assert peers.received() == [], "sent before its time"
    p.clock.set("2026-12-08 10:00:01")
    wake(p)
    assert wait_for(lambda: peers.received()), p.log()
    got = peers.received()
    assert len(got) == 1 and got[0]["to"] == ["jordan@example.org"], got
    assert got[0]["from"] == "noreply@example.org"
    msg = email.message_from_string(got[0]["data"], policy=email.policy.default)
    assert msg["Message-ID"] == "<reminder.%d.1@example.org>" % rows(p, a["id"])[0]["id"]
    assert msg["Subject"].endswith("Thursday 10 December at 10:00")
    assert wait_for(lambda: rows(p, a["id"])[0]["state"] == "sent"), rows(p, a["id"])
    # the second rule, 2 h before
    p.clock.set("2026-12-10 08:00:01")
    wake(p)
    assert wait_for(lambda: len(peers.received()) == 2), p.log()


def test_refused_and_deferred_recipients(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp,
                  rules=[("rule", "email 48h")])
    clin, _, svc = people(p, email="reject@example.org")
    cli2 = ok(p, "client", "add", "Sam Park", "--email", "defer@example.org",
              "--remind", "email")["client"]["id"]
    _, cli1, _ = clin, ok(p, "client", "list")["clients"][0]["id"], svc
    a1 = book(p, cli1, clin, svc, "2026-12-10 10:00")
    a2 = book(p, cli2, clin, svc, "2026-12-10 11:00")
    p.clock.set("2026-12-08 11:00:01")
    wake(p)
    assert wait_for(lambda: rows(p, a1["id"])[0]["state"] == "failed"), rows(p)
    r1 = rows(p, a1["id"])[0]
    assert "550" in r1["reason"], r1
    assert wait_for(lambda: rows(p, a2["id"])[0]["attempts"] == 1 and
                    rows(p, a2["id"])[0]["state"] == "pending"), rows(p)
    r2 = rows(p, a2["id"])[0]
    assert "451" in r2["reason"] and r2["due"] > "2026-12-08 16:00:01", r2
    assert peers.received() == []


def test_a_cancelled_session_sends_nothing(practice_at, peers):
    p = reminding(practice_at, "2026-12-07 09:00", smtp=peers.smtp)
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    p.clock.set("2026-12-10 09:00:00")
    wake(p)
    time.sleep(0.5)
    assert peers.received() == []
