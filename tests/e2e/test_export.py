"""
practicectl export and GET /v1/export: the schedule as iCalendar, read
back by independent consumers (python3-icalendar with
python3-recurring-ical-events, khal, calcurse) and compared with what
practicectl list says, session by session, across a DST change.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from calendar_util import as_khal, khal_view, strict_problems
from conftest import (TZ, UTC, USER_NONE, USER_RO, Practice, at,
                      dst_gap_day, seed_practice)

UTC_FMT = "%Y-%m-%dT%H:%M:%SZ"
VIDEO = "https://meet.example.org/room-7f3a"
SERVICES = ("Individual session", "Check-in", "Individual", "session")
CLIENT_WORDS = ("Jordan", "Sam Park", "Park", "jordan@example.org",
                "+15555550123")


def parse_utc(text):
    return dt.datetime.strptime(text, UTC_FMT).replace(tzinfo=UTC)


class Scene:
    """A practice with sessions around the next spring-forward day."""


@pytest.fixture(scope="module")
def scene():
    root = tempfile.mkdtemp(prefix="pdtest-")
    os.chmod(root, 0o755)
    p = Practice(root)
    try:
        p.start()
        s = Scene()
        s.p = p
        s.seed = seed_practice(p)
        s.gap = dst_gap_day()
        s.first = s.gap - dt.timedelta(days=20)     # a Monday, 3 weeks before
        s.since = s.first - dt.timedelta(days=1)
        s.until = s.first + dt.timedelta(days=60)
        book = ("book", "--service", "individual")
        # A weekly series of 8 across the change, in Room 1.
        out = p.ctl(*book, "--client", "sam", "--clinician", "ana",
                    "--at", at(s.first, "12:00"), "--repeat", "weekly",
                    "--count", "8", "--room", "Room 1")[1]
        s.series = out["series"]["id"]
        shown = p.ctl("series", "show", s.series)[1]
        appts = shown["series"].get("appointments") or shown["appointments"]
        s.occ = [a["id"] for a in appts]
        assert len(s.occ) == 8
        p.ctl("move", s.occ[2], "--at", at(s.first + dt.timedelta(days=14), "15:00"))
        p.ctl("move", s.occ[4], "--room", "Room 2")
        p.ctl("cancel", s.occ[5], "--by", "practice")
        p.ctl("move", s.occ[6], "--clinician", "ben")
        # An open weekly series (Wednesdays) and one cut by a day (Thursdays).
        p.ctl(*book, "--client", "jordan", "--clinician", "ana",
              "--at", at(s.first + dt.timedelta(days=2), "09:00"),
              "--repeat", "weekly")
        p.ctl(*book, "--client", "jordan", "--clinician", "ana",
              "--at", at(s.first + dt.timedelta(days=3), "16:00"),
              "--repeat", "weekly", "--until",
              (s.first + dt.timedelta(days=31)).isoformat())
        # One-offs: before the change, after it (cancelled), by video.
        p.ctl(*book, "--client", "jordan", "--clinician", "ana",
              "--at", at(s.first + dt.timedelta(days=1), "10:00"), "--room", "Room 2")
        one = p.ctl("book", "--service", "check", "--client", "jordan",
                    "--clinician", "ana",
                    "--at", at(s.gap + dt.timedelta(days=2), "10:00"))[1]
        p.ctl("cancel", one["appointment"]["id"], "--by", "client")
        p.ctl(*book, "--client", "sam", "--clinician", "ana",
              "--at", at(s.gap + dt.timedelta(days=4), "13:00"), "--video", VIDEO)
        yield s
        p.stop()
    finally:
        p.kill()
        shutil.rmtree(root, ignore_errors=True)


def export(s, *args, clinician="ana"):
    extra = ("--clinician", clinician) if clinician else ()
    rc, out, err = s.p.ctl("export", "--from", s.since.isoformat(),
                           "--to", s.until.isoformat(), *extra, *args,
                           json=False)
    return out


def listed(s, clinician="ana"):
    """(start, end, cancelled) of every session practicectl lists."""
    extra = ("--clinician", clinician) if clinician else ()
    out = s.p.ctl("list", "--from", s.since.isoformat(), "--to",
                  s.until.isoformat(), *extra)[1]
    return sorted((parse_utc(a["start"]), parse_utc(a["end"]),
                   a["state"] == "cancelled") for a in out["appointments"])


def expanded(text, s):
    cal = icalendar.Calendar.from_ical(text)
    start = dt.datetime.combine(s.since, dt.time(), ZoneInfo(TZ))
    end = dt.datetime.combine(s.until + dt.timedelta(days=1), dt.time(),
                              ZoneInfo(TZ))
    got = []
    for ev in recurring_ical_events.of(cal).between(start, end):
        got.append((ev["DTSTART"].dt.astimezone(UTC),
                    ev["DTEND"].dt.astimezone(UTC),
                    str(ev.get("STATUS")) == "CANCELLED"))
    return sorted(got)


def events(text):
    return [c for c in icalendar.Calendar.from_ical(text).walk("VEVENT")]


def series_uid(text, s):
    masters = [e for e in events(text) if "RRULE" in e and
               str(e["DTSTART"].dt.date()) == s.first.isoformat()]
    assert len(masters) == 1, masters
    return str(masters[0]["UID"])


# ------------------------------------------------------------- the shape

def test_series_is_one_event_with_its_exceptions(scene):
    s = scene
    text = export(s, "--detail", "full")
    uid = series_uid(text, s)
    mine = [e for e in events(text) if str(e["UID"]) == uid]
    master = [e for e in mine if "RECURRENCE-ID" not in e]
    assert len(master) == 1
    m = master[0]
    assert m["DTSTART"].params["TZID"] == TZ
    assert m["DTSTART"].dt.strftime("%H:%M") == "12:00"
    # COUNT=8 goes out as an UNTIL between the eighth and a ninth.
    rule = m["RRULE"]
    last = dt.datetime.combine(s.first + dt.timedelta(weeks=7), dt.time(12, 0),
                               ZoneInfo(TZ))
    assert "COUNT" not in rule
    assert last <= rule["UNTIL"][0] < last + dt.timedelta(weeks=1)
    # The session given to Ben is not Ana's: an EXDATE, and no override.
    ex = [d.dt for x in ([m["EXDATE"]] if not isinstance(m["EXDATE"], list)
                         else m["EXDATE"]) for d in x.dts]
    assert [d.date() for d in ex] == [s.first + dt.timedelta(weeks=6)]
    overrides = {e["RECURRENCE-ID"].dt.date(): e for e in mine
                 if "RECURRENCE-ID" in e}
    assert sorted(overrides) == [s.first + dt.timedelta(weeks=w) for w in (2, 4, 5)]
    moved = overrides[s.first + dt.timedelta(weeks=2)]
    assert moved["RECURRENCE-ID"].dt.strftime("%H:%M") == "12:00"
    assert moved["DTSTART"].dt.strftime("%H:%M") == "15:00"
    assert str(overrides[s.first + dt.timedelta(weeks=4)]["LOCATION"]) == "Room 2"
    cancelled = overrides[s.first + dt.timedelta(weeks=5)]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) >= 1 and int(moved["SEQUENCE"]) >= 1
    # One VTIMEZONE for the one zone used, under its IANA name.
    zones = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == [TZ]
    for e in events(text):
        for key in ("UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "DTSTART",
                    "DTEND", "SUMMARY"):
            assert key in e, (key, e)


def test_the_zone_holds_the_rules_of_the_calendars_time(scene):
    """The VTIMEZONE starts a year before the calendar's first session,
    as Outlook reads best: not in 1883 with a local mean time of
    -04:56:02, yet it covers every session."""
    s = scene
    text = export(s, "--detail", "full")
    zone, = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    first = dt.datetime.combine(s.first, dt.time(0, 0))
    assert min(o["DTSTART"].dt for o in zone.subcomponents) <= first
    for o in zone.subcomponents:
        # Each observance still applies within two years of the first.
        until = o["RRULE"].get("UNTIL", [None])[0] if "RRULE" in o else \
            o["DTSTART"].dt
        if until is not None:
            until = until.replace(tzinfo=None)
            assert until >= first - dt.timedelta(days=2 * 366), o.to_ical()
        for key in ("TZOFFSETFROM", "TZOFFSETTO"):
            assert o[key].td.seconds % 60 == 0, o.to_ical()
    # The whole calendar as long as the trimmed zone: a tenth of it.
    block = text[text.index("BEGIN:VTIMEZONE"):text.index("END:VTIMEZONE")]
    assert block.count("\r\n") < 40, block


def test_every_occurrence_matches_the_list(scene):
    """Expanded by python3-recurring-ical-events, Ana's calendar holds
    the very sessions practicectl list shows, to the second, cancelled
    ones as cancelled, on both sides of the DST change."""
    s = scene
    want = listed(s)
    for detail in ("busy", "initials", "full"):
        assert expanded(export(s, "--detail", detail), s) == want, detail
    # Across the change: the series keeps 12:00, so its UTC hour moves.
    series = [x for x in want if x[0].astimezone(ZoneInfo(TZ)).hour == 12
              and x[0].weekday() == 0]
    assert {x[0].hour for x in series} == {16, 17}


def test_whole_practice_and_the_other_clinician(scene):
    s = scene
    assert expanded(export(s, clinician=None), s) == listed(s, None)
    ben = export(s, clinician="ben")
    assert expanded(ben, s) == listed(s, "ben")
    assert len(events(ben)) == 1 and "RRULE" not in events(ben)[0]


def test_export_is_stable_and_uids_carry_no_client_detail(scene):
    s = scene
    a, b = export(s), export(s)
    assert a == b
    uids = {str(e["UID"]) for e in events(a)}
    for uid in uids:
        assert re.fullmatch(r"[as]\d+-[0-9a-f]{32}@practiced", uid), uid
    assert len({u.split("-", 1)[1] for u in uids}) == 1     # one practice
    # Same UIDs whatever the detail level (one calendar, seen less or more).
    assert {str(e["UID"]) for e in events(export(s, "--detail", "busy"))} == uids


def test_http_answer_is_text_calendar_with_crlf(scene):
    s = scene
    r = s.p.http("GET", "/v1/export?clinician=ana&from=%s&to=%s&detail=busy"
                 % (s.since, s.until))
    assert r.status == 200, r
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert r.body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert r.body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in r.body.replace(b"\r\n", b"")
    assert r.body.decode("utf-8") == export(s, "--detail", "busy").replace(
        "\n", "\r\n")


# -------------------------------------------------------------- privacy

def test_detail_levels_leak_nothing(scene):
    s = scene
    busy = export(s, "--detail", "busy", clinician=None)
    initials = export(s, "--detail", "initials", clinician=None)
    default = export(s, clinician=None)
    full = export(s, "--detail", "full", clinician=None)
    assert default == initials
    for text in (busy, initials):
        for word in CLIENT_WORDS + SERVICES + ("Room", VIDEO):
            assert word not in text, word
        assert not re.search(r"^(LOCATION|DESCRIPTION|URL|ATTENDEE|CONTACT)[;:]",
                             text, re.M)
    assert {str(e["SUMMARY"]) for e in events(busy)} == {"Busy"}
    assert "J.L." not in busy and "S.P." not in busy
    assert {str(e["SUMMARY"]) for e in events(initials)} == {"J.L.", "S.P."}
    # full: for the practice's own use: names, rooms, the video link.
    for word in ("Jordan Lee", "Sam Park", "Room 1", "Room 2", VIDEO,
                 "Clinician: Ben Okafor"):
        assert word in full, word
    for word in SERVICES + ("+15555550123",):
        assert word not in full, word
    # and who, by email, for an import elsewhere (practicectl import).
    assert "mailto:jordan@example.org" in full
    assert "mailto:ana@example.org" in full
    for e in events(full):
        assert str(e["CLASS"]) == "PRIVATE"


# ------------------------------------------------------ other consumers

def test_khal_reads_it(scene, tmp_path):
    s = scene
    text = export(s, "--detail", "initials")
    assert khal_view(text, tmp_path, s.since, s.until) == as_khal(listed(s))


def test_calcurse_reads_it(scene, tmp_path):
    """calcurse imports every event (none skipped) and shows each session
    at its time.  It applies no RECURRENCE-ID override (its limit): an
    overridden session shows at its new time and its rule time both."""
    s = scene
    ics = tmp_path / "ana.ics"
    text = export(s, "--detail", "initials")
    ics.write_text(text)
    env = dict(os.environ, TZ=TZ, HOME=str(tmp_path))
    data = tmp_path / "calcurse"
    data.mkdir()
    r = subprocess.run(["calcurse", "-D", str(data), "-i", str(ics)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "%d apps / 0 events / 0 todos / 0 skipped" % len(events(text)) in r.stdout, \
        r.stdout
    fmt = "%(start:%Y-%m-%d %H:%M)|%(end:%Y-%m-%d %H:%M)\\n"
    r = subprocess.run(["calcurse", "-D", str(data), "--input-datefmt", "4",
                        "-Q", "--from", s.since.isoformat(), "--days", "62",
                        "--filter-type", "cal", "--format-apt", fmt,
                        "--format-recur-apt", fmt],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    got = {tuple(line.split("|")) for line in r.stdout.splitlines() if "|" in line}
    form = "%Y-%m-%d %H:%M"
    live = {(a.astimezone(ZoneInfo(TZ)).strftime(form),
             b.astimezone(ZoneInfo(TZ)).strftime(form))
            for a, b, c in listed(s) if not c}
    assert live <= got, live - got
    # The session given to Ben (an EXDATE) and the series' end (an UNTIL,
    # not a COUNT calcurse would stretch past the EXDATE) hold there too.
    for week in (6, 8):
        day = (s.first + dt.timedelta(weeks=week)).isoformat()
        assert (day + " 12:00", day + " 12:50") not in got


# ----------------------------------------------------------- bad input

def refused(s, *args, user=None):
    rc, out, err = s.p.ctl("export", *args, json=False, check=False, user=user)
    assert rc != 0 and out == "", (rc, out[:200])
    return rc, err


def test_bad_input_is_refused_clearly(scene):
    s = scene
    rc, err = refused(s, "--from", "2027-03-10", "--to", "2027-03-01")
    assert rc == 1 and "ends (to 2027-03-01) before it starts" in err, err
    rc, err = refused(s, "--from", "2026-01-01", "--to", "2029-01-01")
    assert rc == 1 and "at most 1096 days (three years)" in err, err
    rc, err = refused(s, "--clinician", "nobody-like-this")
    assert rc == 1 and "nobody-like-this" in err, err
    rc, err = refused(s, "--detail", "everything")
    assert rc == 2 and "busy|initials|full" in err, err
    rc, err = refused(s, "--from", "someday")
    assert rc == 1 and "from:" in err and "not a date" in err, err
    st, out = s.p.api("GET", "/v1/export?detail=secret")
    assert st == 400 and out["error"]["code"] == "bad_request"
    assert "busy, initials or full" in out["error"]["message"]
    st, out = s.p.api("GET", "/v1/export?service=individual")
    assert st == 400 and "unknown query parameter" in out["error"]["message"]
    # Three years is allowed, one day more is not.
    ok = s.p.http("GET", "/v1/export?from=2027-01-01&to=2029-12-31")
    assert ok.status == 200, ok
    st, out = s.p.api("GET", "/v1/export?from=2027-01-01&to=2030-01-01")
    assert st == 400 and "1096" in out["error"]["message"]


def test_roles(scene):
    s = scene
    rc, out, err = s.p.ctl("export", "--clinician", "ana", json=False,
                           user=USER_RO)
    assert out.startswith("BEGIN:VCALENDAR")
    rc, err = refused(s, user=USER_NONE)
    assert rc == 1 and "permission denied" in err, err


# ------------------------------------------- splits, cancels, skips, zones

def test_split_cancelled_and_skipping_series_and_two_zones(clinic, tmp_path):
    """A series split by a move of its fourth session on, one cancelled
    as a whole, one that skipped a closure, and a clinician in London:
    each reads back as practiced lists it."""
    p, m = clinic.p, clinic.monday
    s = Scene()
    s.p, s.since, s.until = p, m - dt.timedelta(days=1), m + dt.timedelta(days=50)
    p.ctl("closure", "add", (m + dt.timedelta(weeks=2)).isoformat(), "Training",
          "--clinician", "ana")
    out = p.ctl("book", "--client", "jordan", "--clinician", "ana", "--service",
                "individual", "--at", at(m, "11:00"), "--repeat", "weekly",
                "--count", "6", "--skip")[1]
    skipping = out["series"]["id"]
    fourth = p.ctl("list", "--client", "jordan", "--day",
                   (m + dt.timedelta(weeks=3)).isoformat(), "-q", json=False)[1]
    p.ctl("move", fourth.strip(), "--at",
          at(m + dt.timedelta(weeks=3), "14:00"), "--following")
    out = p.ctl("book", "--client", "sam", "--clinician", "ana", "--service",
                "check", "--at", at(m + dt.timedelta(days=1), "09:00"),
                "--repeat", "weekly", "--count", "4")[1]
    first = out["series"]["first_session"]["id"] if "first_session" in out["series"] \
        else out["appointment"]["id"]
    p.ctl("cancel", first, "--all", "--by", "client")
    lou = p.api("POST", "/v1/clinicians", {"name": "Lou Grant",
                                           "zone": "Europe/London"})[1]
    p.api("PUT", "/v1/clinicians/%d/hours" % lou["clinician"]["id"],
          {"hours": "daily 08:00-20:00"})
    p.ctl("book", "--client", "sam", "--clinician", "lou", "--service",
          "individual", "--at", at(m + dt.timedelta(days=2), "10:00"))

    text = export(s, "--detail", "full", clinician=None)
    assert expanded(text, s) == listed(s, None)
    cal = icalendar.Calendar.from_ical(text)
    assert sorted(str(z["TZID"]) for z in cal.walk("VTIMEZONE")) == \
        ["America/New_York", "Europe/London"]
    masters = [e for e in events(text) if "RRULE" in e]
    assert len(masters) == 3, masters
    old = [e for e in masters if str(e["UID"]).startswith("s%d-" % skipping)][0]
    exdates = [d.dt.date() for x in ([old["EXDATE"]] if not isinstance(
        old["EXDATE"], list) else old["EXDATE"]) for d in x.dts]
    assert exdates == [m + dt.timedelta(weeks=2)]          # the closure
    assert old["RRULE"]["UNTIL"][0] < dt.datetime.combine(
        m + dt.timedelta(weeks=3), dt.time(11, 0), ZoneInfo(TZ))
    # The cancelled series: every session an override, each cancelled.
    gone = [e for e in masters if e["DTSTART"].dt.strftime("%H:%M") == "09:00"][0]
    cancelled = [e for e in events(text) if e["UID"] == gone["UID"]
                 and "RECURRENCE-ID" in e]
    assert len(cancelled) == 4 and all(str(e["STATUS"]) == "CANCELLED"
                                       for e in cancelled)
    lou_ev = [e for e in events(text) if "Lou Grant" in str(e.get("DESCRIPTION"))]
    assert len(lou_ev) == 1 and lou_ev[0]["DTSTART"].params["TZID"] == "Europe/London"
    assert khal_view(text, tmp_path, s.since, s.until) == as_khal(listed(s, None))


def test_sequence_follows_changes(clinic):
    p, m = clinic.p, clinic.monday
    s = Scene()
    s.p, s.since, s.until = p, m - dt.timedelta(days=1), m + dt.timedelta(days=30)
    out = p.ctl("book", "--client", "jordan", "--clinician", "ana", "--service",
                "individual", "--at", at(m, "10:00"), "--repeat", "weekly",
                "--count", "4")[1]
    sid = out["series"]["id"]
    ids = [a["id"] for a in p.ctl("list", "--from", s.since.isoformat(), "--to",
                                  s.until.isoformat())[1]["appointments"]]

    def seqs():
        text = export(s)
        return {(str(e["UID"]).split("-")[0],
                 e["RECURRENCE-ID"].dt.date() if "RECURRENCE-ID" in e else None):
                int(e["SEQUENCE"]) for e in events(text)}

    before = seqs()
    assert before == {("s%d" % sid, None): 0}
    p.ctl("move", ids[1], "--at", at(m + dt.timedelta(weeks=1), "11:00"))
    moved = seqs()
    assert moved[("s%d" % sid, m + dt.timedelta(weeks=1))] == 1
    assert moved[("s%d" % sid, None)] == 0       # the rule did not change
    p.ctl("move", ids[1], "--at", at(m + dt.timedelta(weeks=1), "12:00"))
    assert seqs()[("s%d" % sid, m + dt.timedelta(weeks=1))] == 2
    # Another clinician takes the third: an EXDATE more for the series.
    p.ctl("move", ids[2], "--clinician", "ben")
    assert seqs()[("s%d" % sid, None)] >= 1


def test_text_is_folded_escaped_utf8(clinic):
    """Long UTF-8 names fold at 75 octets without splitting a character;
    commas, semicolons and backslashes are escaped and read back whole."""
    p, m = clinic.p, clinic.monday
    name = ("Zoëëëëëëëëëëëëë Ñúñezñúñezñúñezñúñezñúñez, "
            "Ðorđevićđevićđevićđević; Jr\\II")
    st, client = p.api("POST", "/v1/clients", {"name": name})
    assert st == 201, client
    st, room = p.api("POST", "/v1/rooms",
                     {"name": "Salón «Azul», 2º piso; ala este"})
    assert st == 201, room
    p.ctl("book", "--client", client["client"]["id"], "--clinician", "ana",
          "--service", "individual", "--at", at(m, "09:00"), "--room",
          room["room"]["id"])
    r = p.http("GET", "/v1/export?clinician=ana&detail=full&from=%s&to=%s"
               % (m, m))
    assert r.status == 200, r
    assert b"\r\n " in r.body                     # some line was folded
    for line in r.body.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")            # no character cut in two
    ev = events(r.body)
    assert len(ev) == 1
    assert str(ev[0]["SUMMARY"]) == name
    assert str(ev[0]["LOCATION"]) == "Salón «Azul», 2º piso; ala este"
    r = p.http("GET", "/v1/export?clinician=ana&from=%s&to=%s" % (m, m))
    assert str(events(r.body)[0]["SUMMARY"]) == "Z.Ñ.Ð.J."


def test_a_large_calendar_goes_in_pages(clinic):
    """A calendar over 2 MB is refused as one answer, saying how to ask;
    practicectl asks for it in pages and writes it whole: one VCALENDAR
    with its VTIMEZONE, every session once, as strict readers want."""
    p, m = clinic.p, clinic.monday
    st, c = p.api("POST", "/v1/clients", {"name": "Robin " + "Fordham-" * 11 + "Ford"})
    assert st == 201, c
    st, r = p.api("POST", "/v1/rooms", {"name": "Room " + "with a long name " * 5})
    assert st == 201, r
    for day in range(300):
        for h in range(14):
            st, out = p.api("POST", "/v1/appointments", {
                "client": c["client"]["id"], "clinician": clinic.pat,
                "service": clinic.short, "room": r["room"]["id"],
                "overlap": True,
                "at": at(m + dt.timedelta(days=day), "%02d:00" % (8 + h))})
            assert st == 201, out
    last = m + dt.timedelta(days=299)
    window = "clinician=pat&detail=full&from=%s&to=%s" % (m, last)
    st, err = p.api("GET", "/v1/export?" + window)
    assert st == 413 and "page=first" in err["error"]["message"], err

    # By hand: the first page opens the calendar, the last closes it.
    texts, page = [], "first"
    while page is not None:
        st, out = p.api("GET", "/v1/export?%s&page=%s" % (window, page))
        assert st == 200, out
        texts.append(out["calendar"]["text"])
        page = out["calendar"]["next"]
    assert len(texts) >= 3, len(texts)
    assert texts[0].startswith("BEGIN:VCALENDAR\r\n")
    assert all("BEGIN:VCALENDAR" not in t for t in texts[1:])
    assert texts[-1].endswith("END:VCALENDAR\r\n")
    assert all("END:VCALENDAR" not in t for t in texts[:-1])

    rc, text, err = p.ctl("export", "--clinician", "pat", "--detail", "full",
                          "--from", m.isoformat(), "--to", last.isoformat(),
                          json=False)
    # (practicectl's output as read in text mode: its CRLFs are "\n")
    whole = "".join(texts)
    same = text == whole.replace("\r\n", "\n")   # not diffed by pytest: MBs
    assert same, (len(text), len(whole))
    assert len(text) > 2 * 1024 * 1024
    assert text.count("BEGIN:VCALENDAR") == 1 and text.count("BEGIN:VTIMEZONE") == 1
    got = events(text)
    assert len(got) == 300 * 14
    assert len({str(e["UID"]) for e in got}) == 300 * 14
    # The strict validator is too slow for 4,200 events; its line checks:
    raw = whole.encode()
    assert raw.replace(b"\r\n", b"").find(b"\n") == -1
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75

    # A cursor that is not one is refused, naming what it takes.
    st, err = p.api("GET", "/v1/export?%s&page=x99" % window)
    assert st == 400 and "page must be" in err["error"]["message"], err


@pytest.mark.parametrize("detail", ["busy", "initials", "full"])
def test_a_strict_validator_finds_nothing(scene, detail):
    for who in ("&clinician=ana", ""):
        r = scene.p.http("GET", "/v1/export?detail=%s&from=%s&to=%s%s" % (
            detail, scene.since, scene.until, who))
        assert r.status == 200, r
        text = r.body.decode()
        assert text.count("BEGIN:VEVENT") > 5
        assert strict_problems(text) == []


def test_the_validator_is_strict():
    """The same check finds what is wrong in a calendar that is."""
    bad = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
           "BEGIN:VEVENT\r\nSUMMARY:no uid\r\n"
           "DTSTART;TZID=Europe/Paris:20270101T100000\r\n"
           "DTEND:20270101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\n")
    found = strict_problems(bad)
    for what in ("DTSTAMP", "Europe/Paris", "ends before", "CRLF"):
        assert any(what in f for f in found), (what, found)
