"""What the calendar tests share: khal reading an iCalendar text, and the
sessions as khal shows them."""

import datetime as dt
import os
import re
import subprocess
from zoneinfo import ZoneInfo

from conftest import TZ


def khal(tmp_path, zone=TZ):
    """khal on one empty calendar "practice" in tmp_path, in zone: a
    function that runs khal with its arguments and gives its output."""
    (tmp_path / "cal").mkdir()
    conf = tmp_path / "khal.conf"
    conf.write_text(
        "[calendars]\n[[practice]]\npath = %s\ntype = calendar\n"
        "[locale]\ntimeformat = %%H:%%M\ndateformat = %%Y-%%m-%%d\n"
        "longdateformat = %%Y-%%m-%%d\ndatetimeformat = %%Y-%%m-%%d %%H:%%M\n"
        "longdatetimeformat = %%Y-%%m-%%d %%H:%%M\n"
        "default_timezone = %s\nlocal_timezone = %s\n"
        "[default]\ndefault_calendar = practice\n" % (tmp_path / "cal", zone, zone))
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path), TZ=zone)

    def run(*args):
        r = subprocess.run(["khal", "-c", str(conf)] + [str(a) for a in args],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
        return r.stdout
    return run


def khal_import(run, tmp_path, data):
    """Import an iCalendar text or bytes into khal's calendar."""
    ics = tmp_path / "in.ics"
    if isinstance(data, str):
        ics.write_text(data)
    else:
        ics.write_bytes(data)
    run("import", "--batch", "-a", "practice", ics)


def khal_list(run, since, until):
    """(start, end, status) of the events khal lists from since to until."""
    out = run("list", "--day-format", "", "--format", "{start}|{end}|{status}",
              since, until)
    return sorted(tuple(x.strip() for x in line.split("|"))
                  for line in out.splitlines() if line.strip())


def khal_view(text, tmp_path, since, until, zone=TZ):
    """(start, end, status) of every event khal shows, in zone."""
    run = khal(tmp_path, zone)
    khal_import(run, tmp_path, text)
    return khal_list(run, since.isoformat(),
                     (until + dt.timedelta(days=1)).isoformat())


def as_khal(sessions, zone=TZ):
    fmt = "%Y-%m-%d %H:%M"
    return sorted((a.astimezone(ZoneInfo(zone)).strftime(fmt),
                   b.astimezone(ZoneInfo(zone)).strftime(fmt),
                   "CANCELLED" if c else "CONFIRMED") for a, b, c in sessions)


def strict_problems(text):
    """What a strict reading of RFC 5545 finds wrong in a calendar, [] if
    nothing: python3-vobject's own validation (each component's required
    and single properties, DTEND or DURATION), and what vobject does not
    check: CRLF line ends, lines of at most 75 octets, a VTIMEZONE for
    every TZID used, an end after its start, UTC DTSTAMPs, and overrides
    (RECURRENCE-ID) that share a UID with their series and its kind of
    time."""
    import vobject
    found = []
    raw = text.encode()
    if raw.replace(b"\r\n", b"").find(b"\n") != -1:
        found.append("a line does not end in CRLF")
    for n, line in enumerate(raw.split(b"\r\n"), 1):
        if len(line) > 75:
            found.append("line %d is %d octets (75 at most)" % (n, len(line)))
    try:
        cals = list(vobject.readComponents(text))
    except Exception as e:          # vobject's ParseError, ValidateError
        return found + ["vobject: %s" % e]
    for cal in cals:
        try:
            cal.validate(raiseException=True, complainUnrecognized=False)
        except Exception as e:
            found.append("vobject: %s" % e)
        zones = {str(z.tzid.value) for z in getattr(cal, "vtimezone_list", [])}
        # vobject turns a TZID into a zone of its own when read: the text
        # says which were named.
        for tzid in sorted(set(re.findall(r";TZID=\"?([^\":;]+)", text))):
            if tzid not in zones:
                found.append("TZID %s is used and has no VTIMEZONE" % tzid)
        masters = {}
        for ev in getattr(cal, "vevent_list", []):
            uid = ev.uid.value if hasattr(ev, "uid") else None
            if uid is None:
                found.append("a VEVENT has no UID")
            if hasattr(ev, "dtstamp") and not str(
                    ev.dtstamp.serialize()).rstrip().endswith("Z"):
                found.append("DTSTAMP of %s is not UTC" % uid)
            start = ev.dtstart.value if hasattr(ev, "dtstart") else None
            end = ev.dtend.value if hasattr(ev, "dtend") else None
            if start is not None and end is not None:
                try:
                    if end <= start:
                        found.append("%s ends before it starts" % uid)
                except TypeError:
                    found.append("%s: DTSTART and DTEND of different kinds"
                                 % uid)
            if hasattr(ev, "rrule"):
                masters[uid] = start
        for ev in getattr(cal, "vevent_list", []):
            if not hasattr(ev, "recurrence_id"):
                continue
            uid = ev.uid.value
            if uid not in masters:
                found.append("override %s has no series" % uid)
            elif type(ev.recurrence_id.value) is not type(masters[uid]):
                found.append("override %s: RECURRENCE-ID and the series' "
                             "DTSTART are of different kinds" % uid)
    return found
