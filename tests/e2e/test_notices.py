"""Notices end to end: a booking confirmation, a reschedule notice and a
cancellation notice, held for [reminders] notice_grace (3 minutes here, the
default) so that a change corrected at once sends one message or none.
A real daemon on a running fake clock, a real SMTP server and a real HTTP
server standing in for the SMS provider (peers.py); what was planned is
read from the database, what arrived from the peers' records."""

import email
import email.policy
import time

from series_util import ok
from remind_util import (book, people, peers, reminding, rows,  # noqa: F401
                         wait_for, wake)

DAY = "2026-12-07"
NO_RULES = []


def notices(p, appt=None):
    return [r for r in rows(p, appt) if r["notice"] != "reminder"]


def noticing(practice_at, peers, rules=NO_RULES, sms=False, **kw):
    """A practice at 09:00 sending notices to the peers (and SMS by their
    webhook when sms)."""
    extra = {}
    if sms:
        extra["sms"] = [("provider", "webhook"),
                        ("url", "http://127.0.0.1:%d/ok" % peers.http),
                        ("from", "+15555550100")]
    return reminding(practice_at, DAY + " 09:00", smtp=peers.smtp, rules=rules,
                     notices=kw.pop("notices", "yes"), extra=extra, **kw)


def ctl_text(p, *args):
    rc, out, err = p.ctl(*args, json=False)
    assert rc == 0, err
    return out


def past_grace(p, when="09:04:00"):
    p.clock.set("%s %s" % (DAY, when))
    wake(p)


def settled(p):
    """Nothing pending or in flight among the notices."""
    return all(r["state"] not in ("pending", "sending") for r in notices(p))


def subjects(peers):
    return [email.message_from_string(m["data"], policy=email.policy.default)["Subject"]
            for m in peers.received()]

def confirmed(practice_at, peers):
    """A practice sending notices, its people, and a session on the 10th at
    10:00 whose confirmation has gone."""
    p = noticing(practice_at, peers)
    who = people(p)
    clin, cli, svc = who
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    past_grace(p)
    assert wait_for(lambda: len(peers.received()) == 1), p.log()
    return p, who, a



def test_a_booking_is_confirmed_after_the_grace(practice_at, peers):
    p = noticing(practice_at, peers)
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    r = notices(p, a["id"])
    assert [(x["notice"], x["channel"], x["state"]) for x in r] == [
        ("confirmation", "email", "pending")], r
    assert r[0]["due_utc"] - r[0]["created"] == 180, r
    assert peers.received() == []
    past_grace(p)
    assert wait_for(lambda: peers.received()), p.log()
    got = peers.received()
    assert len(got) == 1 and got[0]["to"] == ["jordan@example.org"], got
    msg = email.message_from_string(got[0]["data"], policy=email.policy.default)
    assert msg["Subject"] == "Your appointment on Thursday 10 December at 10:00"
    assert msg["Message-ID"].startswith("<confirmation.%d." % r[0]["id"])
    text = msg.get_body(("plain",)).get_content()  # beside its invitation
    assert "is booked for Thursday 10 December at 10:00" in text
    assert wait_for(lambda: settled(p))
    assert notices(p, a["id"])[0]["state"] == "sent"


def test_a_dry_run_import_leaves_the_next_notice_on_time(practice_at, peers,
                                                       tmp_path):
    """A dry run books and rolls back; the outbox must still hear of the
    bookings after it (a flag of the dry run's once silenced them, and the
    confirmation waited for the five-minute sweep)."""
    p = noticing(practice_at, peers)
    clin, cli, svc = people(p)
    ics = tmp_path / "one.ics"
    ics.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
                    b"BEGIN:VEVENT\r\nUID:dry-1@example.org\r\n"
                    b"DTSTAMP:20261201T000000Z\r\n"
                    b"DTSTART:20261211T150000Z\r\nDTEND:20261211T155000Z\r\n"
                    b"ATTENDEE:mailto:jordan@example.org\r\n"
                    b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    out = ok(p, "import", str(ics), "--clinician", str(clin), "--dry-run")
    assert out["import"]["counts"]["added"] == 1, out
    assert rows(p) == []                     # rolled back, reminders too
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    past_grace(p)                            # 09:04: before the sweep
    assert wait_for(lambda: len(peers.received()) == 1), p.log()
    assert notices(p, a["id"])[0]["notice"] == "confirmation"


def test_a_booking_moved_within_the_grace_is_confirmed_once_for_its_new_time(
        practice_at, peers):
    p = noticing(practice_at, peers)
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 14:00")
    r = notices(p, a["id"])
    assert [(x["notice"], x["state"]) for x in r] == [
        ("confirmation", "superseded"), ("confirmation", "pending")], r
    past_grace(p)
    assert wait_for(lambda: settled(p) and peers.received()), p.log()
    assert subjects(peers) == ["Your appointment on Thursday 10 December at 14:00"]


def test_a_booking_cancelled_within_the_grace_sends_nothing(practice_at, peers):
    p = noticing(practice_at, peers)
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    r = notices(p, a["id"])
    assert [(x["notice"], x["state"]) for x in r] == [
        ("confirmation", "superseded")], r
    assert "grace" in r[0]["reason"]
    # a later session, booked after, shows the outbox did run past the grace
    b = book(p, cli, clin, svc, "2026-12-11 10:00")
    p.clock.set(DAY + " 09:08:00")
    wake(p)
    assert wait_for(lambda: settled(p) and peers.received()), p.log()
    assert subjects(peers) == ["Your appointment on Friday 11 December at 10:00"]
    assert notices(p, b["id"])[0]["state"] == "sent"


def test_after_the_confirmation_a_move_and_a_cancel_are_told(practice_at, peers):
    p, (clin, cli, svc), a = confirmed(practice_at, peers)
    # moved twice within the grace: one reschedule, for the last time
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 11:00")
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 15:00")
    assert [x["notice"] for x in notices(p, a["id"]) if x["state"] == "pending"] == [
        "reschedule"]
    past_grace(p, "09:08:00")
    assert wait_for(lambda: len(peers.received()) == 2), p.log()
    assert subjects(peers)[1] == "Your appointment has moved to Thursday 10 December at 15:00"
    # cancelled: a cancellation
    ok(p, "cancel", str(a["id"]), "--by", "client")
    past_grace(p, "09:12:00")
    assert wait_for(lambda: len(peers.received()) == 3), p.log()
    assert subjects(peers)[2] == \
        "Your appointment on Thursday 10 December at 15:00 is cancelled"
    assert wait_for(lambda: settled(p))
    sent = [x["notice"] for x in notices(p, a["id"]) if x["state"] == "sent"]
    assert sent == ["confirmation", "reschedule", "cancellation"], notices(p)


def test_reschedule_then_cancel_is_one_cancellation_and_a_restore_undoes_it(
        practice_at, peers):
    p, (clin, cli, svc), a = confirmed(practice_at, peers)
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 11:00")
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    pending = [x["notice"] for x in notices(p, a["id"]) if x["state"] == "pending"]
    assert pending == ["cancellation"], notices(p)
    # restored: the cancellation never went, but the client still knows
    # 10:00 and the session is at 11:00: one reschedule notice
    ok(p, "restore", str(a["id"]))
    pending = [x["notice"] for x in notices(p, a["id"]) if x["state"] == "pending"]
    assert pending == ["reschedule"], notices(p)
    # moved back as well: the client knows it as it is, nothing to tell
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 10:00")
    assert [x for x in notices(p, a["id"]) if x["state"] == "pending"] == []
    b = book(p, cli, clin, svc, "2026-12-11 10:00")
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p) and len(peers.received()) == 2), p.log()
    assert subjects(peers)[1] == "Your appointment on Friday 11 December at 10:00"
    assert notices(p, b["id"])[0]["state"] == "sent"


def test_a_restore_after_a_move_tells_the_new_time(practice_at, peers):
    """Moved, cancelled and restored within the grace: the client, who knew
    10:00, is told once of 11:00."""
    p, (clin, cli, svc), a = confirmed(practice_at, peers)
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 11:00")
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    ok(p, "restore", str(a["id"]))
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p) and len(peers.received()) == 2), p.log()
    assert subjects(peers)[1] == "Your appointment has moved to Thursday 10 December at 11:00"
    time.sleep(0.3)
    assert len(peers.received()) == 2


def test_a_room_change_is_told_and_a_change_back_is_not(practice_at, peers):
    p = noticing(practice_at, peers)
    clin, cli, svc = people(p)
    one = ok(p, "room", "add", "Room One")["room"]["id"]
    two = ok(p, "room", "add", "Room Two")["room"]["id"]
    a = ok(p, "book", "--client", str(cli), "--clinician", str(clin),
           "--service", str(svc), "--at", "2026-12-10 10:00",
           "--room", str(one))["appointment"]
    past_grace(p)
    assert wait_for(lambda: len(peers.received()) == 1), p.log()
    ok(p, "move", str(a["id"]), "--room", str(two))
    pending = [x["notice"] for x in notices(p, a["id"]) if x["state"] == "pending"]
    assert pending == ["reschedule"], notices(p)
    ok(p, "move", str(a["id"]), "--room", str(one))
    assert [x for x in notices(p, a["id"]) if x["state"] == "pending"] == []


def test_a_series_is_confirmed_once(practice_at, peers):
    p = noticing(practice_at, peers)
    clin, cli, svc = people(p)
    ok(p, "book", "--client", str(cli), "--clinician", str(clin),
       "--service", str(svc), "--at", "2026-12-10 10:00", "--repeat", "weekly",
       "--count", "6")
    r = notices(p)
    assert [(x["notice"], x["state"]) for x in r] == [("confirmation", "pending")], r
    first = ok(p, "list", "--day", "2026-12-10")["appointments"]
    assert r[0]["appointment_id"] == first[0]["id"], (r, first)
    past_grace(p)
    assert wait_for(lambda: settled(p) and peers.received()), p.log()
    assert subjects(peers) == ["Your appointment on Thursday 10 December at 10:00"]
    body = email.message_from_string(peers.received()[0]["data"],
                                     policy=email.policy.default)
    body = body.get_body(("plain",)).get_content()
    assert "at 10:00. It repeats weekly on Thursday (6 sessions).\r\n" in body, repr(body)
    # a single session's confirmation says nothing of repeating
    b = book(p, cli, clin, svc, "2026-12-09 12:00")
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p) and len(peers.received()) == 2), p.log()
    body = email.message_from_string(peers.received()[1]["data"],
                                     policy=email.policy.default)
    body = body.get_body(("plain",)).get_content()
    assert "at 12:00.\r\n" in body and "repeats" not in body, body
    assert notices(p, b["id"])[0]["state"] == "sent"


def weekly(p, who, at="2026-12-10 10:00", count=6):
    """A weekly series of count sessions from at; its sessions by start."""
    clin, cli, svc = who
    ok(p, "book", "--client", str(cli), "--clinician", str(clin),
       "--service", str(svc), "--at", at, "--repeat", "weekly",
       "--count", str(count))
    got = ok(p, "list", "--from", at[:10], "--to", "2027-03-01")["appointments"]
    return sorted(got, key=lambda a: a["start"])


def body_of(message):
    m = email.message_from_string(message["data"], policy=email.policy.default)
    return m.get_body(("plain",)).get_content()


def told_with(p, ids, kind):
    """The kind's notices of the sessions: (the one pending or sent, and
    those superseded with its id as told_by)."""
    r = [x for x in notices(p) if x["appointment_id"] in ids
         and x["notice"] == kind]
    live = [x for x in r if x["state"] in ("pending", "sending", "sent")]
    assert len(live) == 1, r
    return live[0], [x for x in r if x["told_by"] == live[0]["id"]]


def test_a_series_moved_at_once_is_told_once(practice_at, peers):
    """Moving a weekly series (all of it) sends one reschedule notice, the
    first session's, which tells of the others; their own are superseded
    and say by which."""
    p = noticing(practice_at, peers)
    who = people(p)
    s = weekly(p, who)
    past_grace(p)
    assert wait_for(lambda: settled(p) and len(peers.received()) == 1), p.log()
    ok(p, "move", str(s[0]["id"]), "--at", "2026-12-10 11:00", "--all")
    one, others = told_with(p, [a["id"] for a in s], "reschedule")
    assert one["appointment_id"] == s[0]["id"] and len(others) == 5, notices(p)
    assert all(x["state"] == "superseded" and "told with notice %d" % one["id"]
               in x["reason"] for x in others), others
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p) and len(peers.received()) == 2), p.log()
    time.sleep(0.3)
    got = peers.received()
    assert len(got) == 2, subjects(peers)
    assert subjects(peers)[1] == \
        "Your appointment has moved to Thursday 10 December at 11:00"
    text = " ".join(body_of(got[1]).split())
    assert ("It is now on Thursday 10 December at 11:00. It repeats weekly "
            "on Thursday: the 5 sessions after it, to Thursday 14 January "
            "2027, have moved too.") in text, text


def test_a_series_with_no_end_moved_at_once_is_told_whole(practice_at, peers):
    """A series that grows with time: its sessions so far are not all of
    it, so the notice gives no count or last date."""
    p = noticing(practice_at, peers)
    clin, cli, svc = people(p)
    ok(p, "book", "--client", str(cli), "--clinician", str(clin),
       "--service", str(svc), "--at", "2026-12-10 10:00", "--repeat", "weekly")
    past_grace(p)
    assert wait_for(lambda: settled(p) and len(peers.received()) == 1), p.log()
    first = ok(p, "list", "--day", "2026-12-10")["appointments"][0]
    ok(p, "move", str(first["id"]), "--at", "2026-12-10 11:00", "--all")
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p) and len(peers.received()) == 2), p.log()
    time.sleep(0.3)
    assert len(peers.received()) == 2, subjects(peers)
    text = " ".join(body_of(peers.received()[1]).split())
    assert ("at 11:00. It repeats weekly on Thursday: the sessions after it "
            "have moved too.") in text, text


def test_a_series_cancelled_from_a_session_is_told_once(practice_at, peers):
    p = noticing(practice_at, peers)
    who = people(p)
    s = weekly(p, who)
    past_grace(p)
    assert wait_for(lambda: settled(p) and len(peers.received()) == 1), p.log()
    ok(p, "cancel", str(s[2]["id"]), "--following", "--by", "client")
    one, others = told_with(p, [a["id"] for a in s], "cancellation")
    assert one["appointment_id"] == s[2]["id"] and len(others) == 3, notices(p)
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p) and len(peers.received()) == 2), p.log()
    time.sleep(0.3)
    assert subjects(peers) == [
        "Your appointment on Thursday 10 December at 10:00",
        "Your appointment on Thursday 24 December at 10:00 is cancelled"]
    text = " ".join(body_of(peers.received()[1]).split())
    # the series ends there: spoken of whole
    assert ("on Thursday 24 December at 10:00 is cancelled. The sessions "
            "after it are cancelled too.") in text, text


def test_a_series_cancelled_whole_is_one_text_and_one_email(practice_at,
                                                            peers):
    p = noticing(practice_at, peers, sms=True)
    clin, _, svc = people(p)
    cli = ok(p, "client", "add", "Sam Park", "--phone", "+15555550123",
             "--remind", "email,sms", "--email", "sam@example.org",
             "--sms-consent", "yes")["client"]["id"]
    s = weekly(p, (clin, cli, svc), count=3)
    past_grace(p)
    assert wait_for(lambda: settled(p) and len(peers.received()) == 1 and
                    len(peers.received("http.jsonl")) == 1), p.log()
    ok(p, "cancel", str(s[0]["id"]), "--all", "--by", "practice")
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p) and len(peers.received()) == 2 and
                    len(peers.received("http.jsonl")) == 2), p.log()
    time.sleep(0.3)
    assert len(peers.received()) == 2, subjects(peers)
    texts = peers.received("http.jsonl")
    assert len(texts) == 2, texts
    assert ("on Thursday 10 December at 10:00 is cancelled. The sessions "
            "after it are cancelled too.") in texts[1]["body"], texts[1]["body"]


def test_a_channel_refused_is_one_row_for_a_series_changed_at_once(
        practice_at, peers):
    """SMS without consent: the series' move leaves one skipped row for
    it, not one a session, beside the one email."""
    p = noticing(practice_at, peers)
    clin, _, svc = people(p)
    cli = ok(p, "client", "add", "Sam Park", "--phone", "+15555550123",
             "--remind", "email,sms", "--email", "sam@example.org")["client"]
    s = weekly(p, (clin, cli["id"], svc), count=4)
    past_grace(p)
    assert wait_for(lambda: settled(p) and len(peers.received()) == 1), p.log()
    ok(p, "move", str(s[0]["id"]), "--at", "2026-12-10 11:00", "--all")
    ids = [a["id"] for a in s]
    r = [x for x in notices(p) if x["appointment_id"] in ids
         and x["notice"] == "reschedule"]
    live = sorted((x["channel"], x["state"], x["appointment_id"])
                  for x in r if x["state"] != "superseded")
    assert live == [("email", "pending", s[0]["id"]),
                    ("sms", "skipped", s[0]["id"])], r
    assert len([x for x in r if x["told_by"] is not None]) == 6, r


def test_a_series_changed_before_its_confirmation_went_is_confirmed_as_it_is(
        practice_at, peers):
    """Within the grace, a session of a new series moved on its own tells
    nothing of its own: the series' confirmation, when it goes, holds
    the series as it is then."""
    p = noticing(practice_at, peers)
    who = people(p)
    s = weekly(p, who, count=4)
    ok(p, "move", str(s[2]["id"]), "--at", "2026-12-24 15:00")
    assert [(x["appointment_id"], x["notice"]) for x in notices(p)
            if x["state"] == "pending"] == [(s[0]["id"], "confirmation")]
    past_grace(p)
    assert wait_for(lambda: settled(p) and peers.received()), p.log()
    time.sleep(0.3)
    assert subjects(peers) == ["Your appointment on Thursday 10 December at 10:00"]


def test_a_series_whose_first_session_is_cancelled_before_its_confirmation(
        practice_at, peers):
    """The first session of a new series cancelled within the grace: the
    series is confirmed by its next session, not left untold."""
    p = noticing(practice_at, peers)
    who = people(p)
    s = weekly(p, who, count=4)
    ok(p, "cancel", str(s[0]["id"]), "--by", "client")
    assert [(x["appointment_id"], x["notice"]) for x in notices(p)
            if x["state"] == "pending"] == [(s[1]["id"], "confirmation")]
    past_grace(p)
    assert wait_for(lambda: settled(p) and peers.received()), p.log()
    time.sleep(0.3)
    assert subjects(peers) == ["Your appointment on Thursday 17 December at 10:00"]
    assert "It repeats weekly on Thursday" in " ".join(
        body_of(peers.received()[0]).split())
    # and all of it cancelled before: nothing at all
    t = weekly(p, who, at="2027-01-05 10:00", count=3)
    ok(p, "cancel", str(t[0]["id"]), "--all", "--by", "client")
    assert [x for x in notices(p) if x["appointment_id"] in
            [a["id"] for a in t] and x["state"] == "pending"] == []


def test_a_change_to_the_telling_session_leaves_the_others_told(
        practice_at, peers):
    """The series moved at once, then its first session cancelled within
    the grace: the first is told cancelled, and the second tells of the
    move of those after it."""
    p = noticing(practice_at, peers)
    who = people(p)
    s = weekly(p, who, count=4)
    past_grace(p)
    assert wait_for(lambda: settled(p) and len(peers.received()) == 1), p.log()
    ok(p, "move", str(s[0]["id"]), "--at", "2026-12-10 11:00", "--all")
    ok(p, "cancel", str(s[0]["id"]), "--by", "client")
    one, others = told_with(p, [a["id"] for a in s], "reschedule")
    assert one["appointment_id"] == s[1]["id"] and len(others) == 2, notices(p)
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p) and len(peers.received()) == 3), p.log()
    time.sleep(0.3)
    assert sorted(subjects(peers)[1:]) == [
        "Your appointment has moved to Thursday 17 December at 11:00",
        "Your appointment on Thursday 10 December at 11:00 is cancelled"], \
        subjects(peers)
    moved = [m for m in peers.received() if "moved" in body_of(m)][0]
    text = " ".join(body_of(moved).split())
    assert ("It repeats weekly on Thursday: the 2 sessions after it, to "
            "Thursday 31 December, have moved too.") in text, text


def test_notices_off_send_none(practice_at, peers):
    p = noticing(practice_at, peers, notices="no")
    clin, cli, svc = people(p)
    a = book(p, cli, clin, svc, "2026-12-10 10:00")
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 11:00")
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    assert notices(p) == []


def test_sms_consent_is_recorded_and_changes_the_planned_reminders(
        practice_at, peers):
    p = noticing(practice_at, peers, rules=[("rule", "sms 24h")], sms=True)
    clin = people(p)[0]
    added = ok(p, "client", "add", "Sam Park", "--phone", "+15555550123",
               "--remind", "sms")
    cli = added["client"]
    assert cli["sms_consent"] is None
    assert any("no SMS consent" in w for w in added["warnings"]), added
    svc = ok(p, "service", "list")["services"][0]["id"]
    a = book(p, cli["id"], clin, svc, "2026-12-10 10:00")
    r = rows(p, a["id"])
    assert [(x["notice"], x["channel"], x["state"], x["reason"]) for x in r] == [
        ("confirmation", "sms", "skipped", "no SMS consent is recorded for the client"),
        ("reminder", "sms", "skipped", "no SMS consent is recorded for the client")], r

    # consent given: the booked session's SMS reminder is planned
    edited = ok(p, "client", "edit", str(cli["id"]), "--sms-consent", "yes")
    assert edited["warnings"] == [], edited
    c = edited["client"]
    assert c["sms_consent"]["by"] and c["sms_consent"]["at"].startswith(DAY), c
    remind = [x for x in rows(p, a["id"]) if x["notice"] == "reminder"]
    assert [(x["state"], x["recipient"]) for x in remind] == [
        ("pending", "+15555550123")], remind
    audit = ok(p, "audit")["audit"]
    assert any(e["action"] == "client.edit" and "sms_consent yes" in e["detail"]
               for e in audit), audit

    # a move now is told by SMS, through the provider
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 11:00")
    past_grace(p)
    assert wait_for(lambda: peers.received("http.jsonl")), p.log()
    got = peers.received("http.jsonl")
    assert len(got) == 1 and "+15555550123" in got[0]["body"], got
    assert "has moved to Thursday 10 December at 11:00" in got[0]["body"], got

    # withdrawn: the reminder is skipped again, and says why
    ok(p, "client", "edit", str(cli["id"]), "--sms-consent", "no")
    remind = [x for x in rows(p, a["id"]) if x["notice"] == "reminder"]
    assert [(x["state"], x["reason"]) for x in remind if x["state"] != "superseded"] == [
        ("skipped", "no SMS consent is recorded for the client")], remind
    assert ok(p, "client", "show", str(cli["id"]))["client"]["sms_consent"] is None


def test_client_show_prints_the_consent(practice_at, peers):
    p = noticing(practice_at, peers)
    cli = ok(p, "client", "add", "Sam Park", "--phone", "+15555550123",
             "--sms-consent", "yes")["client"]
    out = ctl_text(p, "client", "show", str(cli["id"]))
    assert "sms consent" in out and "yes, %s" % cli["sms_consent"]["at"] in out, out
    cli = ok(p, "client", "add", "Ida Noor")["client"]
    out = ctl_text(p, "client", "show", str(cli["id"]))
    assert "none recorded" in out, out


def test_a_waiting_sms_notice_is_skipped_when_consent_is_withdrawn(
        practice_at, peers):
    p = noticing(practice_at, peers, sms=True)
    clin, _, svc = people(p)
    cli = ok(p, "client", "add", "Sam Park", "--phone", "+15555550123",
             "--remind", "email,sms", "--email", "sam@example.org",
             "--sms-consent", "yes")["client"]
    a = book(p, cli["id"], clin, svc, "2026-12-10 10:00")
    assert [(x["channel"], x["state"]) for x in notices(p, a["id"])] == [
        ("email", "pending"), ("sms", "pending")]
    ok(p, "client", "edit", str(cli["id"]), "--sms-consent", "no",
       "--email", "sam.park@example.org")
    r = notices(p, a["id"])
    assert [(x["channel"], x["state"], x["recipient"]) for x in r] == [
        ("email", "pending", "sam.park@example.org"),
        ("sms", "skipped", "+15555550123")], r
    assert r[1]["reason"] == "no SMS consent is recorded for the client"
    past_grace(p)
    assert wait_for(lambda: settled(p) and peers.received()), p.log()
    assert [m["to"] for m in peers.received()] == [["sam.park@example.org"]]
    assert peers.received("http.jsonl") == []
