"""The appointment list in pages: GET /v1/appointments answers at most
"limit" rows (500, the most, unless fewer are asked) and a "next" cursor, which
"after" takes back; practicectl list follows the pages and prints one
table, or one JSON answer, as it always did."""

import datetime as dt
import sqlite3
import urllib.parse

import pytest

from conftest import at

DEFAULT_PAGE = 500


def q(**params):
    return "/v1/appointments?" + urllib.parse.urlencode(params)


def api_ok(p, path):
    status, out = p.api("GET", path)
    assert status == 200, (path, status, out)
    return out


def ids(answer):
    return [a["id"] for a in answer["appointments"]]


def stored_ids(p, where=""):
    """The oracle: the database's own order, read by sqlite3 (the tests'
    ranges hold every appointment of the practice)."""
    con = sqlite3.connect("file:%s?mode=ro" % p.db, uri=True)
    try:
        rows = con.execute("SELECT id FROM appointments WHERE 1 %s "
                           "ORDER BY start_utc, id" % where).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def walk(p, limit, **params):
    """Every page of a list through the raw API: (ids, pages)."""
    got, pages, after = [], 0, None
    while True:
        extra = dict(params, limit=limit)
        if after is not None:
            extra["after"] = after
        out = api_ok(p, q(**extra))
        assert len(out["appointments"]) <= limit
        got += ids(out)
        pages += 1
        assert pages < 1000, "the pages never end"
        if out["next"] is None:
            return got, pages
        assert isinstance(out["next"], str) and out["next"]
        after = out["next"]


def book_daily(p, s, client, hhmm):
    status, out = p.api("POST", "/v1/appointments", {
        "client": str(client), "clinician": str(s.pat), "service": str(s.short),
        "at": at(s.monday, hhmm), "repeat": "FREQ=DAILY"})
    assert status == 201, out
    return out


@pytest.fixture
def busy(clinic):
    """Two daily series of a year each: more sessions than a page."""
    s = clinic
    book_daily(s.p, s, s.jordan, "09:00")
    book_daily(s.p, s, s.sam, "11:00")
    s.first = s.monday.isoformat()
    s.last = (s.monday + dt.timedelta(days=400)).isoformat()
    s.all = stored_ids(s.p)
    assert len(s.all) > DEFAULT_PAGE + 100, len(s.all)
    # Inside the range: the series reach a year ahead, the range 400 days.
    con = sqlite3.connect("file:%s?mode=ro" % s.p.db, uri=True)
    last_start = con.execute("SELECT max(start_utc) FROM appointments").fetchone()[0]
    con.close()
    assert dt.datetime.fromtimestamp(last_start).date() < dt.date.fromisoformat(s.last)
    return s


def test_one_request_is_one_page(busy):
    s = busy
    out = api_ok(s.p, q(**{"from": s.first, "to": s.last}))
    assert len(out["appointments"]) == DEFAULT_PAGE
    assert ids(out) == s.all[:DEFAULT_PAGE]
    assert isinstance(out["next"], str)
    assert (out["from"], out["to"]) == (s.first, s.last)


def test_ctl_json_list_merges_every_page(busy):
    s = busy
    _, out, _ = s.p.ctl("list", "--from", s.first, "--to", s.last)
    # The answer as one request always gave it: no paging members.
    assert sorted(out) == ["appointments", "from", "to", "tz"]
    assert ids(out) == s.all
    assert len(set(ids(out))) == len(s.all)


def test_ctl_table_lists_every_session_once_in_order(busy):
    s = busy
    _, text, _ = s.p.ctl("list", "--from", s.first, "--to", s.last, json=False)
    lines = text.splitlines()
    assert lines[0].split()[0] == "ID"
    # One table, one header, one footer ("times in ZONE").
    assert lines[-1].startswith("times in ")
    assert [int(l.split()[0]) for l in lines[1:-1]] == s.all


def test_ctl_filters_follow_the_pages(busy):
    s = busy
    _, out, _ = s.p.ctl("list", "--from", s.first, "--to", s.last,
                        "--client", str(s.sam))
    want = stored_ids(s.p, "AND client_id = %d" % s.sam)
    assert ids(out) == want and len(want) > 300


def test_api_pages_walk_the_whole_list(busy):
    s = busy
    got, pages = walk(s.p, 97, **{"from": s.first, "to": s.last})
    assert got == s.all
    assert pages == -(-len(s.all) // 97)
    # The largest page is the default one.
    got, pages = walk(s.p, DEFAULT_PAGE, **{"from": s.first, "to": s.last})
    assert (got, pages) == (s.all, -(-len(s.all) // DEFAULT_PAGE))
    # A filter keeps its pages too.
    got, _ = walk(s.p, 50, **{"from": s.first, "to": s.last,
                              "client": s.jordan})
    assert got == stored_ids(s.p, "AND client_id = %d" % s.jordan)


def test_exact_page_ends_with_null_next(clinic):
    s = clinic
    for hhmm in ("09:00", "10:00", "11:00", "12:00"):
        s.p.ctl("book", "--client", "Jordan", "--clinician", "Ana", "--service",
                "Individual", "--at", at(s.monday, hhmm))
    day = s.monday.isoformat()
    first = api_ok(s.p, q(day=day, limit=2))
    assert len(first["appointments"]) == 2 and first["next"]
    second = api_ok(s.p, q(day=day, limit=2, after=first["next"]))
    assert len(second["appointments"]) == 2
    assert second["next"] is None
    whole = api_ok(s.p, q(day=day, limit=4))
    assert whole["next"] is None
    assert ids(whole) == ids(first) + ids(second)


BAD = [
    ("limit", "0"), ("limit", "501"), ("limit", "-1"), ("limit", "ten"),
    ("limit", ""), ("limit", "1e3"), ("limit", "99999999999999999999"),
    ("after", ""), ("after", "garbage"), ("after", "123"), ("after", "12.0"),
    ("after", "12.-3"), ("after", ".5"), ("after", "5."), ("after", " 5.5"),
    ("after", "+5.5"), ("after", "5.5.5"), ("after", "5.5x"),
    ("after", "1" * 30 + ".5"), ("after", "99999999999999.5"),
]


@pytest.mark.parametrize("key,value", BAD)
def test_bad_limit_or_cursor_is_refused(clinic, key, value):
    s = clinic
    s.p.ctl("book", "--client", "Jordan", "--clinician", "Ana", "--service",
            "Individual", "--at", at(s.monday, "09:00"))
    day = s.monday.isoformat()
    before = api_ok(s.p, q(day=day))
    audit = s.p.ctl("audit", "--limit", "1000")[1]["audit"]
    status, out = s.p.api("GET", q(day=day, **{key: value}))
    assert status == 400, out
    assert out["error"]["code"] == "bad_request"
    assert out["error"]["message"].startswith(key + ":"), out
    assert api_ok(s.p, q(day=day)) == before
    assert s.p.ctl("audit", "--limit", "1000")[1]["audit"] == audit


def test_unknown_paging_word_is_named(practice):
    status, out = practice.api("GET", "/v1/appointments?page=2")
    assert status == 400
    msg = out["error"]["message"]
    assert '"page"' in msg and "limit" in msg and "after" in msg


def test_a_change_between_pages_is_neither_repeated_nor_lost(clinic):
    """Keyset paging: the second page starts after the last row of the
    first, wherever rows were added or moved in between."""
    s = clinic
    booked = {}
    for hhmm in ("10:00", "11:00", "12:00", "13:00", "14:00", "15:00"):
        _, out, _ = s.p.ctl("book", "--client", "Jordan", "--clinician", "Ana",
                            "--service", "Individual", "--at", at(s.monday, hhmm))
        booked[hhmm] = out["appointment"]["id"]
    day = s.monday.isoformat()
    first = api_ok(s.p, q(day=day, limit=3))
    assert ids(first) == [booked[h] for h in ("10:00", "11:00", "12:00")]

    # Behind the cursor: a new session, and a later one moved there.
    _, early, _ = s.p.ctl("book", "--client", "Sam", "--clinician", "Ben",
                          "--service", "Individual", "--at", at(s.monday, "09:00"))
    s.p.ctl("move", str(booked["14:00"]), "--at", at(s.monday, "09:00"),
            "--clinician", "Pat")
    # Ahead of it: a new session among the remaining ones.
    _, late, _ = s.p.ctl("book", "--client", "Sam", "--clinician", "Ben",
                         "--service", "Individual", "--at", at(s.monday, "13:30"))

    second = api_ok(s.p, q(day=day, limit=3, after=first["next"]))
    rest = ids(second)
    if second["next"] is not None:
        rest += ids(api_ok(s.p, q(day=day, limit=3, after=second["next"])))
    assert rest == [booked["13:00"], late["appointment"]["id"], booked["15:00"]]
    assert not set(rest) & set(ids(first))
    assert early["appointment"]["id"] not in rest
    # A fresh walk sees the day as it is now, each session once.
    now = ids(api_ok(s.p, q(day=day)))
    assert set(now[:2]) == {early["appointment"]["id"], booked["14:00"]}
    assert len(now) == len(set(now)) == 8


def test_a_cursor_past_the_range_gives_an_empty_last_page(clinic):
    s = clinic
    s.p.ctl("book", "--client", "Jordan", "--clinician", "Ana", "--service",
            "Individual", "--at", at(s.monday, "09:00"))
    out = api_ok(s.p, q(day=s.monday.isoformat(), after="99999999999.1"))
    assert out["appointments"] == [] and out["next"] is None


SERIES_PAGE = 100


def test_series_list_in_pages(clinic):
    """GET /v1/series: pages of 100 (at most 200) by id; practicectl
    series list follows them."""
    s = clinic
    made = []
    for k in range(SERIES_PAGE + 7):
        day = s.monday + dt.timedelta(days=k // 20)
        status, out = s.p.api("POST", "/v1/appointments", {
            "client": str(s.jordan if k % 2 else s.sam), "clinician": str(s.pat),
            "service": str(s.short), "at": at(day, "%02d:%02d" % (k % 20, 0)),
            "repeat": "FREQ=WEEKLY", "count": 2})
        assert status == 201, out
        made.append(out["series"]["id"])
    first = api_ok(s.p, "/v1/series")
    assert [x["id"] for x in first["series"]] == made[:SERIES_PAGE]
    assert first["next"]
    second = api_ok(s.p, "/v1/series?after=" + first["next"])
    assert [x["id"] for x in second["series"]] == made[SERIES_PAGE:]
    assert second["next"] is None
    small = api_ok(s.p, "/v1/series?limit=3&after=%d" % made[1])
    assert [x["id"] for x in small["series"]] == made[2:5]
    _, out, _ = s.p.ctl("series", "list")
    assert sorted(out) == ["series"]
    assert [x["id"] for x in out["series"]] == made
    _, text, _ = s.p.ctl("series", "list", json=False)
    for sid in made:
        assert any(l.split()[:1] == [str(sid)] for l in text.splitlines()), sid
    for bad in ("limit=0", "limit=201", "limit=x", "after=0", "after=x", "after="):
        status, out = s.p.api("GET", "/v1/series?" + bad)
        assert status == 400 and out["error"]["code"] == "bad_request", (bad, out)
        assert out["error"]["message"].startswith(bad.split("=")[0] + ":"), out


@pytest.fixture
def long_series(make_practice):
    """A daily series booked two years ahead: more sessions than a page,
    in the series and in its client's history."""
    from conftest import seed_practice
    s = seed_practice(make_practice(practice_extra={"series_horizon_days": 730}))
    out = book_daily(s.p, s, s.jordan, "09:00")
    s.series = out["series"]["id"]
    s.sessions = stored_ids(s.p, "AND series_id = %d" % s.series)
    assert len(s.sessions) > DEFAULT_PAGE + 100
    return s


def walk_nested(p, path, member, limit):
    got, after = [], None
    for _ in range(100):
        sep = "&" if "?" in path else "?"
        out = api_ok(p, path + sep + "limit=%d" % limit +
                     ("" if after is None else "&after=" + after))
        rows = out
        for key in member.split("."):
            rows = rows[key]
        assert len(rows) <= limit
        got += [a["id"] for a in rows]
        if out["next"] is None:
            return got
        after = out["next"]
    raise AssertionError("the pages never end")


def test_series_show_in_pages(long_series):
    s = long_series
    out = api_ok(s.p, "/v1/series/%d" % s.series)
    assert [a["id"] for a in out["series"]["appointments"]] == s.sessions[:DEFAULT_PAGE]
    assert out["next"] and out["series"]["id"] == s.series
    assert walk_nested(s.p, "/v1/series/%d" % s.series, "series.appointments",
                       211) == s.sessions
    _, out, _ = s.p.ctl("series", "show", str(s.series))
    assert sorted(out) == ["series"]
    assert [a["id"] for a in out["series"]["appointments"]] == s.sessions
    for bad in ("limit=0", "limit=501", "after=1"):
        status, out = s.p.api("GET", "/v1/series/%d?%s" % (s.series, bad))
        assert status == 400 and out["error"]["message"].startswith(bad[:5]), out


def test_client_history_in_pages(long_series):
    s = long_series
    mine = stored_ids(s.p, "AND client_id = %d" % s.jordan)
    out = api_ok(s.p, "/v1/clients/%d/history?limit=100" % s.jordan)
    assert [a["id"] for a in out["appointments"]] == mine[:100]
    assert out["next"]
    # The summary is over every session, whatever the page.
    assert out["summary"]["upcoming"] == len(mine)
    assert walk_nested(s.p, "/v1/clients/%d/history" % s.jordan, "appointments",
                       333) == mine
    _, whole, _ = s.p.ctl("client", "history", "Jordan")
    assert "next" not in whole
    assert [a["id"] for a in whole["appointments"]] == mine
    assert whole["summary"] == out["summary"]
    status, out = s.p.api("GET", "/v1/clients/%d/history?limit=-5" % s.jordan)
    assert status == 400 and out["error"]["message"].startswith("limit:")


# ------------------------------------------------------------- the audit log

def audited(p, n):
    """n entries in the audit log (clients added), oldest first by id."""
    for i in range(n):
        status, out = p.api("POST", "/v1/clients", {"name": "Paged %04d" % i})
        assert status == 201, out
    con = sqlite3.connect("file:%s?mode=ro" % p.db, uri=True)
    try:
        return [r[0] for r in con.execute("SELECT id FROM audit ORDER BY id")]
    finally:
        con.close()


def test_audit_in_pages_keeps_its_window(practice):
    p = practice
    stored = audited(p, 620)
    out = api_ok(p, "/v1/audit?limit=600")
    assert [e["id"] for e in out["audit"]] == stored[-600:][:500]
    assert isinstance(out["next"], str)
    # an entry made between the pages is not in this reading
    audited(p, 1)
    rest = api_ok(p, "/v1/audit?limit=600&after=%s" % urllib.parse.quote(out["next"]))
    assert [e["id"] for e in rest["audit"]] == stored[-100:]
    assert rest["next"] is None
    # practicectl follows the pages: the newest 600 of now, oldest first
    rc, merged, err = p.ctl("audit", "--limit", "600")
    now = audited(p, 0)
    assert [e["id"] for e in merged["audit"]] == now[-600:]
    assert "next" not in merged
    # a short log is one page
    assert api_ok(p, "/v1/audit?limit=5")["next"] is None


def test_audit_bad_cursor_is_refused(practice):
    status, out = practice.api("GET", "/v1/audit?after=nonsense")
    assert status == 400 and out["error"]["code"] == "bad_request", out
    assert out["error"]["message"].startswith("after:"), out
