"""Invitations end to end: a confirmation, a reschedule notice and a
cancellation notice by email carry the session as an iCalendar invitation
(iTIP REQUEST or CANCEL), one UID for the session from booking to
cancellation and a SEQUENCE that grows, so the client's own calendar
keeps one entry up to date.  A real daemon on a running fake clock, the
real SMTP server of peers.py; each invitation is read back with Python's
email package and python3-icalendar, and imported by khal."""

import datetime as dt
import email
import email.policy
import os
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from calendar_util import khal, khal_import, khal_list, khal_view, strict_problems
from series_util import new_clinician, ok, parse_utc
from remind_util import (outbox_files, peers, reminding, rows,  # noqa: F401
                         wait_for, wake)

DAY = "2026-12-07"
LONDON = "Europe/London"
SERVICE = "Trauma Therapy"
VIDEO = "https://video.example.org/room/8f3k2"


def practice(practice_at, peers=None, rules=()):
    """A practice at 09:00 on DAY telling clients of changes by email (to
    the peers' SMTP server, or into the outbox folder)."""
    return reminding(practice_at, DAY + " 09:00",
                     smtp=peers.smtp if peers is not None else None,
                     rules=list(rules), notices="yes")


def people(p):
    """A clinician, a client reading times in London, and a service whose
    name no message may give."""
    clin = new_clinician(p)
    cli = ok(p, "client", "add", "Jordan Lee", "--email", "jordan@example.org",
             "--remind", "email", "--zone", LONDON)["client"]["id"]
    svc = ok(p, "service", "add", SERVICE, "--minutes", "50")["service"]["id"]
    return clin, cli, svc


def book(p, who, when, *extra):
    clin, cli, svc = who
    return ok(p, "book", "--client", str(cli), "--clinician", str(clin),
              "--service", str(svc), "--at", when, *extra)["appointment"]


def past_grace(p, when):
    p.clock.set("%s %s" % (DAY, when))
    wake(p)


def unsettled(p):
    """The notices pending or in flight."""
    return [r for r in rows(p) if r["notice"] != "reminder" and
            r["state"] in ("pending", "sending")]


def settled(p):
    return not unsettled(p)


def parsed(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return email.message_from_bytes(data, policy=email.policy.default)


def calendar_parts(msg):
    return [x for x in msg.walk() if x.get_content_type() == "text/calendar"]


def invitation(data):
    """(message, calendar, its one VEVENT) of a received message."""
    msg = parsed(data)
    parts = calendar_parts(msg)
    assert len(parts) == 1, [x.get_content_type() for x in msg.walk()]
    assert strict_problems(parts[0].get_payload(decode=True).decode()) == []
    cal = icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 1, cal.to_ical()
    return msg, cal, events[0]


def local(when, zone=LONDON):
    d = dt.datetime.strptime(when, "%Y-%m-%d %H:%M")
    return d.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(ZoneInfo(zone))


def received(peers, n, p=None):
    assert wait_for(lambda: len(peers.received()) >= n), (
        peers.received(), p and unsettled(p), p and p.log()[-3000:])
    return peers.received()[n - 1]["data"]


def test_booked_moved_cancelled_is_one_calendar_entry(practice_at, peers):
    p = practice(practice_at, peers)
    who = people(p)
    a = book(p, who, "2026-12-10 10:00")
    past_grace(p, "09:04:00")
    data = received(peers, 1)
    msg, cal, ev = invitation(data)

    # the shape mail clients take for an invitation, the text still there
    assert msg.get_content_type() == "multipart/mixed"
    assert msg["Message-ID"] and msg["To"] == "jordan@example.org"
    kinds = [x.get_content_type() for x in msg.walk()]
    assert kinds == ["multipart/mixed", "multipart/alternative", "text/plain",
                     "text/calendar", "application/ics"], kinds
    part = calendar_parts(msg)[0]
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    files = [x for x in msg.walk() if x.get_filename() == "invite.ics"]
    assert len(files) == 1 and files[0].get_payload(decode=True) == \
        part.get_payload(decode=True)
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "is booked for Thursday 10 December at 15:00" in text, text
    assert all(len(line) <= 998 for line in data.split("\r\n"))

    assert str(cal["METHOD"]) == "REQUEST"
    uid, seq = str(ev["UID"]), int(ev["SEQUENCE"])
    assert uid.startswith("a%d-" % a["id"]), uid
    start = ev.decoded("DTSTART")
    assert str(ev["DTSTART"].params["TZID"]) == LONDON
    assert start == local("2026-12-10 10:00")
    assert start.strftime("%H:%M") == "15:00"
    assert ev.decoded("DTEND") - start == dt.timedelta(minutes=50)
    assert str(ev["ORGANIZER"]) == "mailto:noreply@example.org"
    assert ev["ORGANIZER"].params["CN"] == "Test Practice"
    assert str(ev["ATTENDEE"]) == "mailto:jordan@example.org"
    assert ev["ATTENDEE"].params["RSVP"] == "FALSE"
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert ev.decoded("DTSTAMP") is not None
    assert [c["TZID"] for c in cal.walk("VTIMEZONE")] == [LONDON]

    # moved: the same entry, a later revision, the new time
    ok(p, "move", str(a["id"]), "--at", "2026-12-10 11:30")
    past_grace(p, "09:08:00")
    msg, cal, ev = invitation(received(peers, 2))
    assert "has moved" in msg["Subject"]
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(ev["UID"]) == uid and int(ev["SEQUENCE"]) > seq
    assert ev.decoded("DTSTART") == local("2026-12-10 11:30")
    seq = int(ev["SEQUENCE"])

    # cancelled: the entry is cancelled
    ok(p, "cancel", str(a["id"]), "--by", "client")
    past_grace(p, "09:12:00")
    msg, cal, ev = invitation(received(peers, 3))
    assert "cancelled" in msg["Subject"]
    assert calendar_parts(msg)[0].get_param("method") == "CANCEL"
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(ev["STATUS"]) == "CANCELLED"
    assert str(ev["UID"]) == uid and int(ev["SEQUENCE"]) > seq
    assert wait_for(lambda: settled(p)), (unsettled(p), p.log()[-3000:])

    # nothing of the session's kind, in the text or the calendar
    for m in peers.received():
        assert SERVICE.lower() not in m["data"].lower()
        _, cal, _ = invitation(m["data"])
        text = cal.to_ical().decode()
        assert SERVICE.lower() not in text.lower()
        # the client's own address, not their name
        assert "Jordan" not in text


def test_a_reminder_carries_no_invitation(practice_at, peers):
    p = practice(practice_at, peers, rules=[("rule", "email 48h")])
    who = people(p)
    book(p, who, "2026-12-10 10:00")
    past_grace(p, "09:04:00")
    msg, _, _ = invitation(received(peers, 1))
    p.clock.set("2026-12-08 10:00:05")
    wake(p)
    msg = parsed(received(peers, 2))
    assert msg["Subject"].startswith("Reminder"), msg["Subject"]
    assert msg.get_content_type() == "text/plain"
    assert calendar_parts(msg) == []


def test_the_link_only_where_the_text_gives_it(practice_at, peers):
    p = practice(practice_at, peers)
    who = people(p)
    a = book(p, who, "2026-12-10 10:00", "--video", VIDEO)
    past_grace(p, "09:04:00")
    msg, _, ev = invitation(received(peers, 1))
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert VIDEO in text
    assert str(ev["LOCATION"]) == VIDEO
    assert str(ev["SUMMARY"]).startswith("Appointment with ")
    # the cancellation's text says not where: its invitation neither
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    past_grace(p, "09:08:00")
    data = received(peers, 2)
    msg, _, ev = invitation(data)
    assert VIDEO not in msg.get_body(preferencelist=("plain",)).get_content()
    assert "LOCATION" not in ev and "8f3k2" not in data


FMT = "%Y-%m-%d %H:%M"
SINCE, UNTIL = "2026-12-08", "2027-02-28"


def series_calendar(data, series=1):
    """(message, calendar) of a notice of a series' session: one calendar
    part a strict reader finds nothing wrong in, its VEVENTs of as many
    series (by UID; None: one or more)."""
    msg = parsed(data)
    parts = calendar_parts(msg)
    assert len(parts) == 1, [x.get_content_type() for x in msg.walk()]
    ics = parts[0].get_payload(decode=True).decode()
    assert strict_problems(ics) == [], ics
    cal = icalendar.Calendar.from_ical(ics)
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert len(uids) == series or (series is None and uids), ics
    assert all(u.startswith("s") for u in uids), ics
    assert str(cal["METHOD"]) == parts[0].get_param("method")
    return msg, cal


def expanded(cal, zone=LONDON):
    """(start, end) in zone of each session the calendar holds."""
    z = ZoneInfo(zone)
    got = recurring_ical_events.of(cal).between(dt.datetime(2026, 12, 1, tzinfo=z),
                                                dt.datetime(2027, 3, 1, tzinfo=z))
    return sorted((e.decoded("DTSTART").astimezone(z).strftime(FMT),
                   e.decoded("DTEND").astimezone(z).strftime(FMT)) for e in got)


def listed(p, client, zone=LONDON):
    """(start, end) in zone of the client's sessions practicectl lists,
    the cancelled ones left out."""
    z = ZoneInfo(zone)
    out = ok(p, "list", "--from", SINCE, "--to", UNTIL, "--client", str(client))
    return sorted((parse_utc(a["start"]).astimezone(z).strftime(FMT),
                   parse_utc(a["end"]).astimezone(z).strftime(FMT))
                  for a in out["appointments"] if a["state"] != "cancelled")


def as_listed_by_khal(sessions):
    return sorted((a, b, "CONFIRMED") for a, b in sessions)


def sessions(p, client):
    out = ok(p, "list", "--from", SINCE, "--to", UNTIL, "--client", str(client))
    return out["appointments"]


def weekly_series(p, who, skip_day="2026-12-24"):
    """Six Thursdays at 10:00 from 10 December, the one of skip_day
    skipped for a closure."""
    clin, cli, svc = who
    ok(p, "closure", "add", skip_day, "Training", "--clinician", str(clin))
    out = ok(p, "book", "--client", str(cli), "--clinician", str(clin),
             "--service", str(svc), "--at", "2026-12-10 10:00", "--repeat",
             "weekly", "--count", "6", "--skip")
    return out["series"]["id"]


def test_a_series_is_confirmed_whole(practice_at, peers):
    """The confirmation of a series carries the series: one VEVENT with its
    rule, end and EXDATE, which a reader expands to the sessions
    practicectl lists, times in the client's zone."""
    p = practice(practice_at, peers)
    who = people(p)
    sid = weekly_series(p, who)
    listed_now = listed(p, who[1])
    assert len(listed_now) == 5 and ("2026-12-24 15:00", "2026-12-24 15:50") \
        not in listed_now, listed_now
    past_grace(p, "09:04:00")
    msg, cal = series_calendar(received(peers, 1))
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "It repeats weekly on Thursday" in text, text
    assert str(cal["METHOD"]) == "REQUEST"
    evs = list(cal.walk("VEVENT"))
    assert len(evs) == 1, cal.to_ical()
    ev = evs[0]
    assert str(ev["UID"]).startswith("s%d-" % sid), ev["UID"]
    assert "RRULE" in ev and "EXDATE" in ev and "RECURRENCE-ID" not in ev
    # the series' own zone (its rule is the clinician's wall clock)
    assert str(ev["DTSTART"].params["TZID"]) == "America/New_York"
    assert ev.decoded("DTSTART") == local("2026-12-10 10:00", "America/New_York")
    assert expanded(cal) == listed_now
    assert str(ev["ORGANIZER"]) == "mailto:noreply@example.org"
    assert str(ev["ATTENDEE"]) == "mailto:jordan@example.org"
    assert str(ev["SUMMARY"]).startswith("Appointment with ")
    ical = cal.to_ical().decode()
    assert SERVICE.lower() not in ical.lower() and "Jordan" not in ical
    assert "Training" not in ical


def test_a_series_in_the_clients_calendar_follows_each_change(
        practice_at, peers, tmp_path):
    """The client's calendar, played by khal: the confirmation adds the
    series whole; a move of one session changes that one; a cancel of
    one drops that one; the rest stay as they were, and each notice's
    SEQUENCE is above the one before."""
    imported, kal = khal_calendar(tmp_path, since=SINCE, until=UNTIL)
    p = practice(practice_at, peers)
    who = people(p)
    weekly_series(p, who)
    past_grace(p, "09:04:00")
    msg, cal = series_calendar(received(peers, 1))
    seq = int(list(cal.walk("VEVENT"))[0]["SEQUENCE"])
    uid = str(list(cal.walk("VEVENT"))[0]["UID"])
    imported(calendar_parts(msg)[0].get_payload(decode=True))
    assert kal() == as_listed_by_khal(listed(p, who[1]))

    # one session moved: an override of that occurrence, the rest as before
    second = [a for a in sessions(p, who[1]) if a["start"].startswith("2026-12-17")][0]
    ok(p, "move", str(second["id"]), "--at", "2026-12-18 09:00")
    past_grace(p, "09:08:00")
    msg, cal = series_calendar(received(peers, 2))
    assert "has moved" in msg["Subject"]
    assert str(cal["METHOD"]) == "REQUEST"
    evs = list(cal.walk("VEVENT"))
    assert all(str(e["UID"]) == uid for e in evs)
    assert all(int(e["SEQUENCE"]) > seq for e in evs), [e["SEQUENCE"] for e in evs]
    seq = min(int(e["SEQUENCE"]) for e in evs)
    moved = [e for e in evs if "RECURRENCE-ID" in e]
    assert len(moved) == 1
    assert moved[0].decoded("RECURRENCE-ID") == local("2026-12-17 10:00")
    assert moved[0].decoded("DTSTART") == local("2026-12-18 09:00")
    assert expanded(cal) == listed(p, who[1])
    before = kal()
    imported(calendar_parts(msg)[0].get_payload(decode=True))
    after = kal()
    assert after == as_listed_by_khal(listed(p, who[1]))
    assert set(before) - set(after) == {
        ("2026-12-17 15:00", "2026-12-17 15:50", "CONFIRMED")}
    assert set(after) - set(before) == {
        ("2026-12-18 14:00", "2026-12-18 14:50", "CONFIRMED")}

    # one session cancelled: dropped from the series, the rest kept
    fourth = [a for a in sessions(p, who[1]) if a["start"].startswith("2026-12-31")][0]
    ok(p, "cancel", str(fourth["id"]), "--by", "client")
    past_grace(p, "09:12:00")
    msg, cal = series_calendar(received(peers, 3))
    assert "cancelled" in msg["Subject"]
    assert str(cal["METHOD"]) == "REQUEST"
    evs = list(cal.walk("VEVENT"))
    assert all(int(e["SEQUENCE"]) > seq for e in evs)
    seq = min(int(e["SEQUENCE"]) for e in evs)
    assert expanded(cal) == listed(p, who[1])
    imported(calendar_parts(msg)[0].get_payload(decode=True))
    after = kal()
    assert after == as_listed_by_khal(listed(p, who[1]))
    assert ("2026-12-31 15:00", "2026-12-31 15:50", "CONFIRMED") not in after
    assert len(after) == 4

    # the rest cancelled: a CANCEL of the series' UID, nothing left
    first = sessions(p, who[1])[0]
    ok(p, "cancel", str(first["id"]), "--all", "--by", "practice")
    past_grace(p, "09:16:00")
    assert wait_for(lambda: settled(p)), (unsettled(p), p.log()[-3000:])
    msg, cal = series_calendar(peers.received()[-1]["data"])
    assert str(cal["METHOD"]) == "CANCEL"
    evs = list(cal.walk("VEVENT"))
    assert len(evs) == 1 and "RECURRENCE-ID" not in evs[0]
    assert str(evs[0]["UID"]) == uid and str(evs[0]["STATUS"]) == "CANCELLED"
    assert int(evs[0]["SEQUENCE"]) > seq
    imported(calendar_parts(msg)[0].get_payload(decode=True))
    assert kal() == [] and listed(p, who[1]) == []


def test_a_series_confirmation_in_the_outbox_folder(practice_at, tmp_path):
    """Written to the outbox folder, the same confirmation; a session
    moved before it goes is in it already, an override."""
    p = practice(practice_at)
    who = people(p)
    weekly_series(p, who)
    second = [a for a in sessions(p, who[1]) if a["start"].startswith("2026-12-17")][0]
    ok(p, "move", str(second["id"]), "--at", "2026-12-17 13:00")
    past_grace(p, "09:04:00")
    assert wait_for(lambda: settled(p) and outbox_files(p)), p.log()
    # the confirmation alone: no notice of a move the client never knew
    files = [f for f in outbox_files(p) if f.endswith("-confirmation.eml")]
    assert len(files) == 1 and len(outbox_files(p)) == 1, outbox_files(p)
    with open(files[0], "rb") as f:
        msg, cal = series_calendar(f.read())
    assert expanded(cal) == listed(p, who[1])
    over = [e for e in cal.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert len(over) == 1 and over[0].decoded("DTSTART") == \
        local("2026-12-17 13:00")
    ics = calendar_parts(msg)[0].get_payload(decode=True).decode()
    seen = khal_view(ics, tmp_path, dt.date(2026, 12, 8), dt.date(2027, 2, 27),
                     zone=LONDON)
    assert seen == as_listed_by_khal(listed(p, who[1])), seen


def test_invitations_off_send_the_text_alone(practice_at, peers):
    p = practice(practice_at, peers, rules=[("invitations", "no")])
    who = people(p)
    book(p, who, "2026-12-10 10:00")
    past_grace(p, "09:04:00")
    msg = parsed(received(peers, 1))
    assert msg.get_content_type() == "text/plain"
    assert calendar_parts(msg) == [] and "BEGIN:VCALENDAR" not in \
        msg.get_content()


def test_the_outbox_folder_holds_the_same_message_and_khal_imports_it(
        practice_at, tmp_path):
    p = practice(practice_at)
    who = people(p)
    book(p, who, "2026-12-10 10:00")
    past_grace(p, "09:04:00")
    assert wait_for(lambda: outbox_files(p)), p.log()
    files = outbox_files(p)
    assert len(files) == 1 and files[0].endswith("-confirmation.eml"), files
    with open(files[0], "rb") as f:
        data = f.read()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    msg, cal, ev = invitation(data)
    assert str(cal["METHOD"]) == "REQUEST"
    assert ev.decoded("DTSTART") == local("2026-12-10 10:00")
    assert os.stat(files[0]).st_mode & 0o777 == 0o600
    ics = calendar_parts(msg)[0].get_payload(decode=True).decode()
    seen = khal_view(ics, tmp_path, dt.date(2026, 12, 10),
                     dt.date(2026, 12, 10), zone=LONDON)
    assert seen == [("2026-12-10 15:00", "2026-12-10 15:50", "CONFIRMED")], seen


def khal_calendar(tmp_path, zone=LONDON, since="2026-12-10",
                  until="2026-12-12"):
    """khal with one empty calendar: import(ics) adds to it, shown() gives
    (start, end, status) of its events from since to until (by default
    on 10 and 11 December)."""
    run = khal(tmp_path, zone)

    def imported(ics):
        khal_import(run, tmp_path, ics)

    def shown():
        return khal_list(run, since, until)
    return imported, shown


def test_each_invitation_updates_the_one_entry_of_a_calendar(
        practice_at, peers, tmp_path):
    """The client's calendar, played by khal: the confirmation adds the
    session, the reschedule moves that entry, the cancellation marks it
    cancelled; never a second entry."""
    imported, listed = khal_calendar(tmp_path)
    p = practice(practice_at, peers)
    a = book(p, people(p), "2026-12-10 10:00")
    past_grace(p, "09:04:00")
    ics = calendar_parts(parsed(received(peers, 1)))[0].get_payload(decode=True)
    imported(ics)
    assert listed() == [("2026-12-10 15:00", "2026-12-10 15:50", "CONFIRMED")]
    ok(p, "move", str(a["id"]), "--at", "2026-12-11 09:00")
    past_grace(p, "09:08:00")
    ics = calendar_parts(parsed(received(peers, 2)))[0].get_payload(decode=True)
    imported(ics)
    assert listed() == [("2026-12-11 14:00", "2026-12-11 14:50", "CONFIRMED")]
    ok(p, "cancel", str(a["id"]), "--by", "practice")
    past_grace(p, "09:12:00")
    ics = calendar_parts(parsed(received(peers, 3)))[0].get_payload(decode=True)
    imported(ics)
    assert listed() == [("2026-12-11 14:00", "2026-12-11 14:50", "CANCELLED")]


def test_no_invitation_by_sms_and_the_practice_zone_without_the_clients(
        practice_at, peers):
    p = reminding(practice_at, DAY + " 09:00", smtp=peers.smtp, rules=[],
                  notices="yes", extra={"sms": [
                      ("provider", "webhook"),
                      ("url", "http://127.0.0.1:%d/ok" % peers.http),
                      ("from", "+15555550100")]})
    clin = new_clinician(p)
    svc = ok(p, "service", "add", SERVICE, "--minutes", "50")["service"]["id"]
    cli = ok(p, "client", "add", "Sam Park", "--email", "sam@example.org",
             "--phone", "+15555550123", "--remind", "email,sms",
             "--sms-consent", "yes")["client"]["id"]
    book(p, (clin, cli, svc), "2026-12-10 10:00")
    past_grace(p, "09:04:00")
    assert wait_for(lambda: peers.received("http.jsonl")), p.log()
    sms = peers.received("http.jsonl")[0]["body"]
    assert "booked" in sms or "10:00" in sms, sms
    assert "VCALENDAR" not in sms and "invite.ics" not in sms, sms
    _, cal, ev = invitation(received(peers, 1))
    assert str(ev["DTSTART"].params["TZID"]) == "America/New_York"
    assert ev.decoded("DTSTART") == local("2026-12-10 10:00", "America/New_York")
    assert ev.decoded("DTSTART").strftime("%H:%M") == "10:00"


def plain_weekly_series(p, who):
    clin, cli, svc = who
    return ok(p, "book", "--client", str(cli), "--clinician", str(clin),
              "--service", str(svc), "--at", "2026-12-10 10:00", "--repeat",
              "weekly", "--count", "6")["series"]["id"]


def import_new(peers, imported, seen):
    """Each message received since the first seen, imported in order; the
    count received now."""
    got = peers.received()
    for m in got[seen:]:
        msg, _ = series_calendar(m["data"], series=None)
        imported(calendar_parts(msg)[0].get_payload(decode=True))
    return len(got)


def scoped(practice_at, peers, tmp_path, *change):
    """A series confirmed and in the client's calendar (khal), then the
    change to its fourth session (move or cancel, with a scope) told:
    (practice, client, what khal lists, the notices' calendars)."""
    imported, kal = khal_calendar(tmp_path, since=SINCE, until=UNTIL)
    p = practice(practice_at, peers)
    who = people(p)
    plain_weekly_series(p, who)
    past_grace(p, "09:04:00")
    seen = import_new(peers, imported, 0) if received(peers, 1) else 0
    assert kal() == as_listed_by_khal(listed(p, who[1]))
    fourth = [a for a in sessions(p, who[1]) if a["start"].startswith("2026-12-31")][0]
    ok(p, change[0], str(fourth["id"]), *change[1:])
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p)), (unsettled(p), p.log()[-3000:])
    cals = [series_calendar(m["data"], series=None)[1] for m in peers.received()[seen:]]
    import_new(peers, imported, seen)
    return p, who[1], kal(), cals


def test_a_cancel_of_the_following_sessions_ends_the_series(
        practice_at, peers, tmp_path):
    p, cli, shown, cals = scoped(practice_at, peers, tmp_path, "cancel",
                                 "--following", "--by", "client")
    assert len(listed(p, cli)) == 3
    assert shown == as_listed_by_khal(listed(p, cli))
    # one message for the sessions cancelled at once
    assert len(cals) == 1 and str(cals[0]["METHOD"]) == "REQUEST", cals
    assert all(expanded(c) == listed(p, cli) for c in cals)


def test_a_move_of_the_whole_series_moves_it_there(practice_at, peers, tmp_path):
    p, cli, shown, cals = scoped(practice_at, peers, tmp_path, "move",
                                 "--at", "2026-12-31 11:30", "--all")
    assert listed(p, cli)[0] == ("2026-12-10 16:30", "2026-12-10 17:20")
    assert shown == as_listed_by_khal(listed(p, cli))
    assert len(cals) == 1, cals     # one message for the series moved
    assert all(expanded(c) == listed(p, cli) for c in cals)


def test_a_move_of_the_following_sessions_splits_the_series_there_too(
        practice_at, peers, tmp_path):
    p, cli, shown, cals = scoped(practice_at, peers, tmp_path, "move",
                                 "--at", "2027-01-01 09:00", "--following")
    assert ("2027-01-01 14:00", "2027-01-01 14:50") in listed(p, cli)
    assert shown == as_listed_by_khal(listed(p, cli))
    # one message: the new series, and the one it split from ending
    # before it
    assert len(cals) == 1 and all(len({str(e["UID"]) for e in c.walk("VEVENT")}) == 2
                        for c in cals)
    assert all(expanded(c) == listed(p, cli) for c in cals)


def test_a_session_given_to_another_clinician_or_restored_stays_in_the_series(
        practice_at, peers, tmp_path):
    """A session moved to another clinician stays in the series in the
    client's calendar (the export shows it in the other's schedule; the
    client has one series), each session named by its clinician only
    where the text names that one; a cancelled session restored comes
    back."""
    imported, kal = khal_calendar(tmp_path, since=SINCE, until=UNTIL)
    p = practice(practice_at, peers)
    who = people(p)
    plain_weekly_series(p, who)
    past_grace(p, "09:04:00")
    seen = import_new(peers, imported, 0) if received(peers, 1) else 0
    other = new_clinician(p, surname="Other")
    third = [a for a in sessions(p, who[1]) if a["start"].startswith("2026-12-24")][0]
    ok(p, "move", str(third["id"]), "--clinician", str(other), "--at",
       "2026-12-24 12:00")
    past_grace(p, "09:08:00")
    assert received(peers, seen + 1)
    msg, cal = series_calendar(peers.received()[seen]["data"])
    seen = import_new(peers, imported, seen)
    assert kal() == as_listed_by_khal(listed(p, who[1]))
    assert len(kal()) == 6 and expanded(cal) == listed(p, who[1])
    evs = list(cal.walk("VEVENT"))
    over = [e for e in evs if "RECURRENCE-ID" in e]
    assert len(over) == 1 and over[0].decoded("DTSTART") == \
        local("2026-12-24 12:00")
    text = msg.get_body(preferencelist=("plain",)).get_content()
    names = {str(e["SUMMARY"]) for e in evs}
    assert names == {"Appointment with %s" % n for n in [
        x for x in (sessions(p, who[1])[2]["clinician"]["name"],) if x in text]} | \
        {"Appointment at Test Practice"}, names

    ok(p, "cancel", str(third["id"]), "--by", "client")
    past_grace(p, "09:12:00")
    assert received(peers, seen + 1)
    seen = import_new(peers, imported, seen)
    assert len(kal()) == 5 and kal() == as_listed_by_khal(listed(p, who[1]))
    ok(p, "restore", str(third["id"]))
    past_grace(p, "09:16:00")
    assert received(peers, seen + 1)
    msg, cal = series_calendar(peers.received()[seen]["data"])
    assert str(cal["METHOD"]) == "REQUEST" and "24 December" in msg["Subject"]
    import_new(peers, imported, seen)
    assert len(kal()) == 6 and kal() == as_listed_by_khal(listed(p, who[1]))

    # nothing of the session's kind or the client's name, in any of them
    for m in peers.received():
        assert SERVICE.lower() not in m["data"].lower()
        _, cal = series_calendar(m["data"], series=None)
        ical = cal.to_ical().decode()
        assert SERVICE.lower() not in ical.lower() and "Jordan" not in ical


def test_a_move_of_the_following_sessions_from_the_first_keeps_its_entry(
        practice_at, peers, tmp_path):
    """Moved from its first session on with --following, the series splits
    into a new one that took all of it: the client's calendar keeps its
    one entry, which the notices move."""
    imported, kal = khal_calendar(tmp_path, since=SINCE, until=UNTIL)
    p = practice(practice_at, peers)
    who = people(p)
    sid = plain_weekly_series(p, who)
    past_grace(p, "09:04:00")
    seen = import_new(peers, imported, 0) if received(peers, 1) else 0
    _, cal = series_calendar(peers.received()[0]["data"])
    seq = int(list(cal.walk("VEVENT"))[0]["SEQUENCE"])
    first = sessions(p, who[1])[0]
    ok(p, "move", str(first["id"]), "--at", "2026-12-11 09:00", "--following")
    assert ok(p, "list", "--from", SINCE, "--to", UNTIL, "--client",
              str(who[1]))["appointments"][0]["series"] != sid
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p)), (unsettled(p), p.log()[-3000:])
    for m in peers.received()[seen:]:
        _, cal = series_calendar(m["data"])
        evs = list(cal.walk("VEVENT"))
        assert all(str(e["UID"]).startswith("s%d-" % sid) for e in evs)
        assert all(int(e["SEQUENCE"]) > seq for e in evs)
        assert expanded(cal) == listed(p, who[1])
    import_new(peers, imported, seen)
    assert kal() == as_listed_by_khal(listed(p, who[1]))
    assert kal()[0][0] == "2026-12-11 14:00" and len(kal()) == 6


def test_a_session_its_series_lets_go_leaves_no_stray_entry(
        practice_at, peers, tmp_path):
    """A series moved a day later whose end stays: its last session falls
    past the end and leaves it, cancelled.  Its cancellation goes without
    an invitation (its UID of a one-off is no entry of the client's
    calendar); the others' notices carry the series without it."""
    imported, kal = khal_calendar(tmp_path, since=SINCE, until=UNTIL)
    p = practice(practice_at, peers)
    who = people(p)
    clin, cli, svc = who
    ok(p, "book", "--client", str(cli), "--clinician", str(clin), "--service",
       str(svc), "--at", "2026-12-10 10:00", "--repeat", "weekly", "--until",
       "2027-01-14")
    past_grace(p, "09:04:00")
    seen = import_new(peers, imported, 0) if received(peers, 1) else 0
    assert len(kal()) == 6
    last = sessions(p, cli)[-1]
    ok(p, "move", str(sessions(p, cli)[0]["id"]), "--at", "2026-12-11 10:00",
       "--all")
    gone = [a for a in ok(p, "list", "--from", SINCE, "--to", UNTIL, "--client",
                          str(cli))["appointments"] if a["id"] == last["id"]][0]
    assert gone["state"] == "cancelled" and gone["series"] is None, gone
    past_grace(p, "09:08:00")
    assert wait_for(lambda: settled(p)), (unsettled(p), p.log()[-3000:])
    news = peers.received()[seen:]
    bare = [m for m in news if not calendar_parts(parsed(m["data"]))]
    assert len(bare) == 1 and "cancelled" in parsed(bare[0]["data"])["Subject"]
    for m in news:
        if m not in bare:
            msg, cal = series_calendar(m["data"])
            imported(calendar_parts(msg)[0].get_payload(decode=True))
            assert expanded(cal) == listed(p, cli)
    assert len(listed(p, cli)) == 5
    assert kal() == as_listed_by_khal(listed(p, cli))
