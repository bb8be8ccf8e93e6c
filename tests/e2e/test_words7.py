"""Issue 7, "numbers and words that are wrong": days since a session are
calendar days in the practice's zone, said in words, and practicectl's list
takes --from alone as practiced(8) says.  All dates are fixed (libfaketime)."""

import datetime as dt

from series_util import new_client, new_clinician, new_service, ok

D = dt.timedelta


def attended_session(p, start, now):
    """A session at start, attended, read back at the clock's now."""
    clin, cli, svc = new_clinician(p), new_client(p), new_service(p, 50, 10)
    a = ok(p, "book", "--client", cli, "--clinician", clin, "--service", svc,
           "--at", start)["appointment"]
    p.clock.set(p.clock.instant(start) + D(minutes=50))
    ok(p, "mark", a["id"], "attended")
    p.clock.set(now)
    return cli


def history_text(p, cli):
    return p.ctl("client", "history", cli, json=False)[1]


def test_history_says_yesterday_just_after_midnight(practice_at):
    p = practice_at("2026-11-29 10:00")
    cli = attended_session(p, "2026-11-30 09:00", "2026-12-01 01:23")
    assert "2026-11-30 09:00 (yesterday)" in history_text(p, cli)


def test_history_says_four_days_ago_four_calendar_days_back(practice_at):
    p = practice_at("2026-11-25 10:00")
    cli = attended_session(p, "2026-11-27 09:00", "2026-12-01 08:00")
    text = history_text(p, cli)
    assert "2026-11-27 09:00 (4 days ago)" in text, text


def test_list_from_alone_is_seven_days(practice_at):
    p = practice_at("2026-11-25 10:00")
    out = ok(p, "list", "--from", "2026-12-03")
    assert (out["from"], out["to"]) == ("2026-12-03", "2026-12-09"), out
    rc, _, err = p.ctl("list", "--to", "2026-12-09", check=False)
    assert rc != 0 and "--from" in err, err


def test_a_session_across_the_clocks_going_back_says_its_offsets(practice_at):
    """01:30 EDT + 50 minutes is 01:20 EST: the table says both offsets
    rather than a time that reads backwards."""
    p = practice_at("2026-10-25 10:00")
    clin, cli, svc = new_clinician(p), new_client(p), new_service(p, 50, 10)
    a = ok(p, "book", "--client", cli, "--clinician", clin, "--service", svc,
           "--at", "2026-11-01 01:30")["appointment"]
    assert (a["start"], a["end"]) == ("2026-11-01T05:30:00Z",
                                      "2026-11-01T06:20:00Z"), a
    text = p.ctl("list", "--day", "2026-11-01", "--clinician", clin,
                 json=False)[1]
    assert "01:30 (UTC-4)-01:20 (UTC-5)" in text, text
    assert "01:30-01:20" not in text
    text = p.ctl("show", a["id"], json=False)[1]
    assert "01:30 (UTC-4)-01:20 (UTC-5)" in text, text
    # an ordinary session keeps the short form
    ok(p, "book", "--client", cli, "--clinician", clin, "--service", svc,
       "--at", "2026-11-02 09:00")
    text = p.ctl("list", "--day", "2026-11-02", "--clinician", clin,
                 json=False)[1]
    assert "09:00-09:50" in text and "UTC" not in text, text
