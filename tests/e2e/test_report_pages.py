"""The attendance report in pages: GET /v1/reports/attendance answers at
most "limit" clients (200 unless asked, 500 at most) and a "next" cursor,
which "after" takes back; the first page alone carries the clinicians'
counts and who is falling out of care.  practicectl report attendance
follows the pages and prints one report, or one JSON answer, as it always
did."""

import datetime as dt
import urllib.parse

import pytest

from conftest import at

DEFAULT_PAGE = 200
CLIENTS = DEFAULT_PAGE + 40


def q(**params):
    return "/v1/reports/attendance?" + urllib.parse.urlencode(params)


def api_ok(p, path):
    status, out = p.api("GET", path)
    assert status == 200, (path, status, out)
    return out


def client_ids(rows):
    return [r["client"]["id"] for r in rows]


def walk(p, limit, **params):
    """Every page through the raw API: (first page, clients, pages)."""
    first, rows, pages, after = None, [], 0, None
    while True:
        extra = dict(params, limit=limit)
        if after is not None:
            extra["after"] = after
        out = api_ok(p, q(**extra))
        assert len(out["clients"]) <= limit
        # The whole report's figures come with the first page only.
        assert ("clinicians" in out) == (first is None), out.keys()
        assert ("falling_out_of_care" in out) == (first is None)
        if first is None:
            first = out
        rows += out["clients"]
        pages += 1
        assert pages < 1000, "the pages never end"
        if out["next"] is None:
            return first, rows, pages
        assert isinstance(out["next"], str) and out["next"]
        after = out["next"]


@pytest.fixture
def many(clinic):
    """More clients with a session in the range than a page holds, some
    of them sharing a name in another case (the id orders them)."""
    s = clinic
    s.first = s.monday.isoformat()
    s.last = (s.monday + dt.timedelta(days=9)).isoformat()
    for k in range(CLIENTS):
        name = ("Client %03d" if k % 2 else "CLIENT %03d") % (k // 2)
        status, out = s.p.api("POST", "/v1/clients", {"name": name})
        assert status == 201, out
        day = s.monday + dt.timedelta(days=k // 40)
        hhmm = "%02d:%02d" % ((k % 40) // 2, 30 * (k % 2))
        status, out = s.p.api("POST", "/v1/appointments", {
            "client": str(out["client"]["id"]), "clinician": str(s.pat),
            "service": str(s.short), "at": at(day, hhmm)})
        assert status == 201, out
    return s


def test_one_request_is_one_page(many):
    s = many
    out = api_ok(s.p, q(**{"from": s.first, "to": s.last}))
    assert len(out["clients"]) == DEFAULT_PAGE
    assert isinstance(out["next"], str)
    whole = api_ok(s.p, q(**{"from": s.first, "to": s.last, "limit": 500}))
    assert whole["next"] is None and len(whole["clients"]) == CLIENTS
    assert out["clients"] == whole["clients"][:DEFAULT_PAGE]
    assert out["clinicians"] == whole["clinicians"]


def test_api_pages_give_every_client_once_in_order(many):
    s = many
    whole = api_ok(s.p, q(**{"from": s.first, "to": s.last, "limit": 500}))
    first, rows, pages = walk(s.p, 7, **{"from": s.first, "to": s.last})
    assert rows == whole["clients"]
    assert pages == -(-CLIENTS // 7)
    assert first["clinicians"] == whole["clinicians"]
    names = [(r["client"]["name"].lower(), r["client"]["id"]) for r in rows]
    assert names == sorted(names)
    assert len(set(client_ids(rows))) == CLIENTS
    # A clinician's report keeps its pages too.
    _, mine, _ = walk(s.p, 50, **{"from": s.first, "to": s.last,
                                  "clinician": s.pat})
    assert mine == whole["clients"]


def test_ctl_json_report_merges_every_page(many):
    s = many
    whole = api_ok(s.p, q(**{"from": s.first, "to": s.last, "limit": 500}))
    _, out, _ = s.p.ctl("report", "attendance", "--from", s.first, "--to", s.last)
    # The answer as one request always gave it: no paging members.
    assert sorted(out) == ["clients", "clinicians", "falling_out_of_care",
                           "from", "to", "tz"]
    del whole["next"]
    assert out == whole


def test_ctl_table_lists_every_client_once_in_order(many):
    s = many
    whole = api_ok(s.p, q(**{"from": s.first, "to": s.last, "limit": 500}))
    _, text, _ = s.p.ctl("report", "attendance", "--from", s.first, "--to",
                         s.last, json=False)
    lines = text.splitlines()
    at_client = lines.index("By client")
    at_falling = next(i for i, l in enumerate(lines) if l.startswith("Falling out"))
    table = [l for l in lines[at_client + 2:at_falling] if l.strip()]
    assert lines[at_client + 1].split()[0] == "CLIENT"
    assert len(table) == CLIENTS
    assert [l.split("  ")[0].strip() for l in table] == [
        r["client"]["name"] for r in whole["clients"]]


BAD = [("limit", "0"), ("limit", "501"), ("limit", "x"),
       ("after", "0"), ("after", "-3"), ("after", "1.5"), ("after", "999999")]


@pytest.mark.parametrize("key,value", BAD)
def test_bad_limit_or_cursor_is_refused(clinic, key, value):
    status, out = clinic.p.api("GET", q(**{key: value}))
    assert status == 400 and out["error"]["code"] == "bad_request", out
    assert out["error"]["message"].startswith(key + ":"), out
