"""Shared helpers for the series, scopes, DST, closures, slots and history
end-to-end tests (api-spec-3.md).  Setup goes through the HTTP API (fast);
what is under test goes through practicectl."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from conftest import TZ, UTC, book, refused, today

LONDON = "Europe/London"
LORD_HOWE = "Australia/Lord_Howe"
SYDNEY = "Australia/Sydney"
UTC_FMT = "%Y-%m-%dT%H:%M:%SZ"
LIVE = ("booked", "confirmed")


# ------------------------------------------------------------- time helpers

def parse_utc(text):
    return dt.datetime.strptime(text, UTC_FMT).replace(tzinfo=UTC)


def fmt_utc(t):
    return t.astimezone(UTC).strftime(UTC_FMT)


def wall(day, hhmm, zone):
    """An aware datetime for a wall time (fold=0: the earlier instant of an
    ambiguous time; for a time in a gap, the offset before the gap, which
    is RFC 5545's placement: one gap later on the clock)."""
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=ZoneInfo(zone))


def utc_text(day, hhmm, zone):
    return fmt_utc(wall(day, hhmm, zone))


def local_dt(utc, zone):
    """The local datetime in zone of an API UTC text."""
    return parse_utc(utc).astimezone(ZoneInfo(zone))


def local_text(utc, zone):
    return local_dt(utc, zone).strftime("%Y-%m-%d %H:%M")


def next_weekday(d, weekday):
    """The first date >= d that is weekday (0 = Monday)."""
    return d + dt.timedelta(days=(weekday - d.weekday()) % 7)


def nth_weekday(year, month, weekday, n):
    """The n-th (1..4, or -1 for the last) weekday of a month."""
    if n > 0:
        d = next_weekday(dt.date(year, month, 1), weekday)
        return d + dt.timedelta(days=7 * (n - 1))
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    d = nxt - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - weekday) % 7)


def months_after(d, k):
    m = d.month - 1 + k
    return d.year + m // 12, m % 12 + 1


def transitions(zone, start, days):
    """UTC-offset changes of zone between local date start and start+days:
    a list of (utc instant, offset before, offset after)."""
    z = ZoneInfo(zone)
    t = dt.datetime(start.year, start.month, start.day, tzinfo=z).astimezone(UTC)
    end = t + dt.timedelta(days=days)
    out = []
    step = dt.timedelta(hours=1)
    prev = t.astimezone(z).utcoffset()
    while t < end:
        n = t + step
        off = n.astimezone(z).utcoffset()
        if off != prev:
            lo = t                                   # refine to the minute
            while (n - lo) > dt.timedelta(minutes=1):
                mid = lo + (n - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    break
                if mid.astimezone(z).utcoffset() == prev:
                    lo = mid
                else:
                    n = mid
            out.append((n, prev, off))
            prev = off
        t = n if n > t else t + step
    return out


def next_transition(zone, kind, min_days_ahead=2, not_before=None, now=None):
    """The next spring-forward ("gap") or fall-back ("fold") of zone at least
    min_days_ahead days from today (the date of the aware datetime now, if
    given) and on/after the date not_before:
    (local date of the change, utc instant, offset before, offset after)."""
    day = today(zone) if now is None else now.astimezone(ZoneInfo(zone)).date()
    start = day + dt.timedelta(days=min_days_ahead)
    if not_before and not_before > start:
        start = not_before
    for u, before, after in transitions(zone, start, 800):
        if (kind == "gap") == (after > before):
            return (u.astimezone(ZoneInfo(zone)).date(), u, before, after)
    raise AssertionError("no %s found in %s" % (kind, zone))


# ----------------------------------------------------------- people, names

_FIRST = ["Al", "Bo", "Cy", "Di", "Ed", "Fa", "Gu", "Ha", "Io", "Ju", "Ka", "Lu", "Mo",
          "Ny", "Os", "Pi", "Qu", "Ro", "Sy", "Ty", "Ul", "Vo", "Wu", "Xa", "Yo", "Za"]
_SECOND = ["bert", "dric", "mond", "phne", "gar", "wick", "lia", "nna", "lo", "mp"]
_counter = itertools.count()


def _letters(n):
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(ord("a") + r) + s
    return s


def unique_name():
    """A name no other test uses (letters only: never taken for an id)."""
    n = next(_counter)
    return "%s%s%s" % (_FIRST[n % 26], _SECOND[(n // 26) % 10], _letters(n // 260))


def add(p, kind, body):
    status, out = p.api("POST", "/v1/%ss" % kind, body)
    assert status == 201, (kind, body, status, out)
    return out[kind]["id"]


def set_hours(p, cid, spec):
    status, out = p.api("PUT", "/v1/clinicians/%d/hours" % cid, {"hours": spec})
    assert status == 200, (spec, status, out)


def new_clinician(p, zone=TZ, hours="daily 00:00-23:59", surname="Clin"):
    """A fresh clinician (its own calendar, so tests of one module do not
    clash); returns the id."""
    cid = add(p, "clinician", {"name": "%s %s" % (unique_name(), surname), "zone": zone})
    if hours:
        set_hours(p, cid, hours)
    return cid


def new_client(p, surname="Client", **extra):
    body = {"name": "%s %s" % (unique_name(), surname)}
    body.update(extra)
    return add(p, "client", body)


def new_service(p, minutes, buffer=0):
    return add(p, "service", {"name": "Svc %s" % unique_name(), "minutes": minutes,
                              "buffer": buffer})


# ----------------------------------------------------------------- the ctl

def ok(p, *args, zone=None):
    return p.ctl(*args, zone=zone)[1]


def book_one(p, client, clin, svc, when, *extra, zone=None):
    rc, out, err = p.ctl("book", "--client", client, "--clinician", clin,
                         "--service", svc, "--at", when, *extra, zone=zone)
    return out["appointment"]


def book_series(p, client, clin, svc, when, repeat, *extra, zone=None, check=True):
    """practicectl book ... --repeat REPEAT; returns the parsed answer
    (check) or (rc, out, err)."""
    r = p.ctl("book", "--client", client, "--clinician", clin, "--service", svc,
              "--at", when, "--repeat", repeat, *extra, zone=zone, check=check)
    return r[1] if check else r


def show(p, aid, zone=None):
    return ok(p, "show", aid, zone=zone)["appointment"]


def series_show(p, sid, zone=None):
    """(series object, its appointments by start) from `series show`.
    The spec says "SERIES + appointments": accepted inside the series
    object or next to it."""
    out = ok(p, "series", "show", sid, zone=zone)
    s = out["series"]
    appts = s.get("appointments")
    if appts is None:
        appts = out.get("appointments")
    assert appts is not None, "series show has no appointments: %r" % out
    starts = [a["start"] for a in appts]
    assert starts == sorted(starts), "series show not ordered by start: %r" % starts
    return s, appts


def series_list(p, *args):
    return ok(p, "series", "list", *args)["series"]


def series_ids(p, *args):
    return sorted(s["id"] for s in series_list(p, *args))


def live(appts):
    return [a for a in appts if a["state"] in LIVE]


def starts(appts):
    return [a["start"] for a in appts]


def locals_in(appts, zone):
    return [local_text(a["start"], zone) for a in appts]


def list_appts(p, clin, first, last, zone=None):
    out = ok(p, "list", "--from", first.isoformat(), "--to", last.isoformat(),
             "--clinician", clin, zone=zone)
    return out["appointments"]


def api_refusal(p, method, path, body, status, code=None):
    st, out = p.api(method, path, body)
    assert st == status, "%s %s %r: expected %d, got %d %r" % (method, path, body,
                                                               status, st, out)
    assert "error" in out, out
    if code:
        assert out["error"]["code"] == code, out
    return out["error"]


def rule_parts(rrule):
    r = rrule[6:] if rrule.upper().startswith("RRULE:") else rrule
    parts = {}
    for kv in r.split(";"):
        k, _, v = kv.partition("=")
        parts[k.upper()] = v.upper()
    return parts


# ------------------------------------------------- the independent expander

def expand(rrule, first_day, hhmm, zone, last_utc, until_day=None):
    """The UTC start texts of an RRULE at wall time hhmm in zone from
    first_day, up to and including the instant last_utc (aware datetime),
    by icalendar + recurring_ical_events (not the daemon's libical).

    The wall times come from the expander; their instants are resolved with
    zoneinfo at fold=0 (the spec: earlier instant when ambiguous, RFC 5545
    placement in a gap).  until_day: the series' inclusive local end date,
    written as the rule's UNTIL (the end of that day in zone, in UTC)."""
    rule = rrule[6:] if rrule.upper().startswith("RRULE:") else rrule
    if until_day is not None:
        end = dt.datetime(until_day.year, until_day.month, until_day.day, 23, 59, 59,
                          tzinfo=ZoneInfo(zone)).astimezone(UTC)
        rule += ";UNTIL=" + end.strftime("%Y%m%dT%H%M%SZ")
    h, m = map(int, hhmm.split(":"))
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pdtest//series//EN\r\n"
            "BEGIN:VEVENT\r\nUID:series@pdtest\r\nDTSTAMP:20250101T000000Z\r\n"
            "DTSTART;TZID=%s:%04d%02d%02dT%02d%02d00\r\nDURATION:PT50M\r\n"
            "RRULE:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            % (zone, first_day.year, first_day.month, first_day.day, h, m, rule))
    cal = icalendar.Calendar.from_ical(text)
    lo = wall(first_day, hhmm, zone).astimezone(UTC) - dt.timedelta(days=1)
    hi = last_utc + dt.timedelta(days=1)
    out = set()
    for ev in recurring_ical_events.of(cal).between(lo, hi):
        s = ev["DTSTART"].dt
        naive = s.replace(tzinfo=None)
        inst = naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)     # fold=0
        if inst <= last_utc:
            out.add(fmt_utc(inst))
    return out


def refusal(p, *args, zone=None, codes=(1,)):
    return refused(p, *args, zone=zone, codes=codes)


__all__ = [n for n in dir() if not n.startswith("_")] + ["book", "today", "TZ", "UTC"]


# --------------------------------------------------------------- horizon

def with_horizon(p, days):
    """Rewrite p's configuration with [practice] series_horizon_days."""
    text = p.config_text()
    text = text.replace("[practice]\n", "[practice]\nseries_horizon_days = %d\n" % days, 1)
    assert "series_horizon_days = %d" % days in text
    p.write_config(text=text)
