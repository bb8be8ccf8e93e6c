"""Clinicians, clients, services and rooms: add, list, show, edit, hours,
references by name prefix, and refusals that change nothing."""

import re

import pytest

from conftest import TZ, audit_entries, refused

UTC_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def listing(p, kind, *args):
    _, out, _ = p.ctl(kind, "list", *args)
    return out[kind + "s"]


def names(p, kind, *args):
    return sorted(x["name"] for x in listing(p, kind, *args))


def show(p, kind, ref):
    _, out, _ = p.ctl(kind, "show", ref)
    return out[kind]


def counts(p):
    return p.ctl("status")[1]["counts"]


@pytest.fixture(scope="module")
def people(module_practice):
    """A shared practice for the refusal cases: each compares before and
    after, so they need no fresh database."""
    p = module_practice
    p.ctl("clinician", "add", "Ana Ruiz", "--email", "ana@example.org")
    p.ctl("clinician", "add", "Ben Okafor")
    p.ctl("clinician", "hours", "Ana Ruiz", "tue", "09:00-17:00")
    p.ctl("client", "add", "Jordan Lee", "--email", "jordan@example.org", "--remind", "email")
    p.ctl("service", "add", "Individual session", "--minutes", "50")
    return p


def snapshot(p):
    """Everything a refusal must leave alone (read over raw HTTP: fast)."""
    snap = {}
    for path in ("/v1/clinicians?all=1", "/v1/clients?all=1", "/v1/services",
                 "/v1/rooms", "/v1/audit?limit=1000"):
        status, body = p.api("GET", path)
        assert status == 200, (path, body)
        snap[path] = body
    snap["counts"] = p.api("GET", "/v1/status")[1]["counts"]
    return snap


# ---------------------------------------------------------------- clinicians

def test_clinician_add_show_list(practice):
    p = practice
    rc, out, err = p.ctl("clinician", "add", "Ana Ruiz", "--email", "ana@example.org",
                         "--phone", "+15555550100")
    c = out["clinician"]
    assert isinstance(c["id"], int)
    assert c["name"] == "Ana Ruiz"
    assert c["email"] == "ana@example.org"
    assert c["phone"] == "+15555550100"
    assert c["zone"] == TZ                   # default: the practice's zone
    assert c["active"] is True
    assert c["hours"] == []
    assert show(p, "clinician", c["id"]) == c
    assert listing(p, "clinician") == [c]
    assert counts(p)["clinicians"] == 1


def test_clinician_optional_fields_are_null(practice):
    c = practice.ctl("clinician", "add", "Ben Okafor")[1]["clinician"]
    assert c["email"] is None and c["phone"] is None


def test_clinician_add_with_zone(practice):
    c = practice.ctl("clinician", "add", "Lou Smith", "--zone", "Europe/London")[1]["clinician"]
    assert c["zone"] == "Europe/London"


def test_clinician_unicode_name_round_trips(practice):
    c = practice.ctl("clinician", "add", "Zoë Ångström-Núñez")[1]["clinician"]
    assert c["name"] == "Zoë Ångström-Núñez"
    assert show(practice, "clinician", "zoë")["id"] == c["id"]


def test_clinician_edit(practice):
    p = practice
    cid = p.ctl("clinician", "add", "Ana Ruiz")[1]["clinician"]["id"]
    c = p.ctl("clinician", "edit", cid, "--name", "Ana Ruiz-Diaz", "--email",
              "ana@example.net", "--phone", "+442071234567",
              "--zone", "Europe/Madrid")[1]["clinician"]
    assert (c["name"], c["email"], c["phone"], c["zone"]) == (
        "Ana Ruiz-Diaz", "ana@example.net", "+442071234567", "Europe/Madrid")
    assert show(p, "clinician", cid) == c


def test_clinician_deactivate_and_reactivate(practice):
    p = practice
    a = p.ctl("clinician", "add", "Ana Ruiz")[1]["clinician"]["id"]
    p.ctl("clinician", "add", "Ben Okafor")
    c = p.ctl("clinician", "edit", a, "--active", "no")[1]["clinician"]
    assert c["active"] is False
    assert names(p, "clinician") == ["Ben Okafor"]
    full = {x["name"]: x for x in listing(p, "clinician", "--all")}
    assert set(full) == {"Ana Ruiz", "Ben Okafor"}
    assert full["Ana Ruiz"]["active"] is False
    p.ctl("clinician", "edit", a, "--active", "yes")
    assert names(p, "clinician") == ["Ana Ruiz", "Ben Okafor"]


@pytest.mark.parametrize("args", [
    ["--email", "not-an-email"],
    ["--phone", "555-1234"],
    ["--zone", "Mars/Olympus_Mons"],
    ["--name", ""],
    ["--name", "Ben Okafor"],           # another clinician's name
    ["--name", "BEN OKAFOR"],           # names are unique case-insensitively
])
def test_clinician_edit_refused_changes_nothing(people, args):
    p = people
    a = show(p, "clinician", "Ana Ruiz")
    before = snapshot(p)
    # an empty argument may be caught by the ctl as a usage error
    refused(p, "clinician", "edit", a["id"], *args,
            codes=(1, 2) if "" in args else (1,))
    assert show(p, "clinician", a["id"]) == a
    assert snapshot(p) == before


@pytest.mark.parametrize("args", [
    ["Cora Vance", "--email", "cora@"],
    ["Cora Vance", "--email", "cora example.org"],
    ["Cora Vance", "--phone", "5555550100"],          # no +
    ["Cora Vance", "--phone", "+1555"],               # too short
    ["Cora Vance", "--phone", "+1234567890123456"],   # 16 digits
    ["Cora Vance", "--zone", "Nowhere/City"],
    ["   "],
])
def test_clinician_add_refused_changes_nothing(people, args):
    p = people
    before = snapshot(p)
    # a blank name may be caught by the ctl itself (usage error)
    refused(p, "clinician", "add", *args, codes=(1, 2) if not args[0].strip() else (1,))
    assert snapshot(p) == before


def test_clinician_duplicate_name_refused(practice):
    p = practice
    p.ctl("clinician", "add", "Ana Ruiz")
    msg = refused(p, "clinician", "add", "Ana Ruiz")
    refused(p, "clinician", "add", "ana ruiz")
    assert names(p, "clinician", "--all") == ["Ana Ruiz"]
    status, body = p.api("POST", "/v1/clinicians", {"name": "ANA RUIZ"})
    assert status == 409 and body["error"]["code"] == "duplicate", body
    assert "Ana Ruiz" in msg or "ana ruiz" in msg.lower()


# ------------------------------------------------------------------- hours

def hours(*spec):
    out = []
    for day, start, end in spec:
        out.append({"day": day, "start": start, "end": end})
    return out


def canon(h):
    order = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    return sorted(h, key=lambda x: (order.index(x["day"]), x["start"]))


def test_hours_set_replace_and_clear(practice):
    p = practice
    cid = p.ctl("clinician", "add", "Ana Ruiz")[1]["clinician"]["id"]
    c = p.ctl("clinician", "hours", "ana", "mon-thu", "09:00-17:00",
              "fri", "09:00-13:00")[1]["clinician"]
    assert canon(c["hours"]) == hours(("mon", "09:00", "17:00"), ("tue", "09:00", "17:00"),
                                      ("wed", "09:00", "17:00"), ("thu", "09:00", "17:00"),
                                      ("fri", "09:00", "13:00"))
    assert canon(show(p, "clinician", cid)["hours"]) == canon(c["hours"])

    # replaces everything, several ranges a day
    c = p.ctl("clinician", "hours", cid, "mon", "09:00-12:00", "13:00-17:00")[1]["clinician"]
    assert canon(c["hours"]) == hours(("mon", "09:00", "12:00"), ("mon", "13:00", "17:00"))

    # a day list and comma-separated ranges
    c = p.ctl("clinician", "hours", cid, "mon,wed", "10:00-11:00,14:00-15:00")[1]["clinician"]
    assert canon(c["hours"]) == hours(("mon", "10:00", "11:00"), ("mon", "14:00", "15:00"),
                                      ("wed", "10:00", "11:00"), ("wed", "14:00", "15:00"))

    c = p.ctl("clinician", "hours", cid, "weekdays", "08:00-12:00")[1]["clinician"]
    assert [h["day"] for h in canon(c["hours"])] == ["mon", "tue", "wed", "thu", "fri"]

    c = p.ctl("clinician", "hours", cid, "daily", "10:00-11:00")[1]["clinician"]
    assert len(c["hours"]) == 7

    c = p.ctl("clinician", "hours", cid, "none")[1]["clinician"]
    assert c["hours"] == []
    assert show(p, "clinician", cid)["hours"] == []


def test_hours_audited(practice):
    p = practice
    cid = p.ctl("clinician", "add", "Ana Ruiz")[1]["clinician"]["id"]
    p.ctl("clinician", "hours", cid, "mon", "09:00-17:00")
    e = audit_entries(p)[-1]
    assert e["action"] == "clinician.hours" and e["object_id"] == cid


@pytest.mark.parametrize("spec", [
    ["mon", "17:00-09:00"],         # ends before it starts
    ["funday", "09:00-10:00"],
    ["mon", "9-5"],
    ["mon", "25:00-26:00"],
    ["mon", "09:60-10:00"],
    ["mon"],                        # a day with no range
    ["09:00-17:00"],                # a range with no day
])
def test_hours_refused_changes_nothing(people, spec):
    p = people
    before = snapshot(p)
    assert show(p, "clinician", "Ana Ruiz")["hours"] == [
        {"day": "tue", "start": "09:00", "end": "17:00"}]
    refused(p, "clinician", "hours", "Ana Ruiz", *spec)
    assert snapshot(p) == before


# ---------------------------------------------------------- references

def test_reference_by_prefix_word_and_case(practice):
    p = practice
    a = p.ctl("clinician", "add", "Ana Ruiz")[1]["clinician"]["id"]
    b = p.ctl("clinician", "add", "Ben Okafor")[1]["clinician"]["id"]
    for ref, want in [("ana", a), ("ANA", a), ("Ana Ruiz", a), ("ruiz", a), ("ru", a),
                      ("ana r", a), ("okaf", b), ("b", b), (str(b), b)]:
        assert show(p, "clinician", ref)["id"] == want, ref


def test_ambiguous_prefix_refused_naming_candidates(practice):
    p = practice
    a = p.ctl("clinician", "add", "Ana Ruiz")[1]["clinician"]["id"]
    b = p.ctl("clinician", "add", "Anabel Stone")[1]["clinician"]["id"]
    msg = refused(p, "clinician", "show", "ana")
    assert "Ana Ruiz" in msg and "Anabel Stone" in msg, msg
    status, body = p.api("GET", "/v1/clinicians/ana")
    assert status == 400, body
    assert body["error"]["code"] == "ambiguous"
    cands = {(c["id"], c["name"]) for c in body["error"]["details"]["candidates"]}
    assert cands == {(a, "Ana Ruiz"), (b, "Anabel Stone")}
    # an ambiguous edit changes nothing
    refused(p, "clinician", "edit", "ana", "--email", "x@example.org")
    assert [c["email"] for c in listing(p, "clinician")] == [None, None]


def test_exact_full_name_wins_over_prefix(practice):
    p = practice
    a = p.ctl("clinician", "add", "Ana")[1]["clinician"]["id"]
    p.ctl("clinician", "add", "Ana Ruiz")
    assert show(p, "clinician", "ana")["id"] == a
    assert show(p, "clinician", "Ana Ruiz")["name"] == "Ana Ruiz"


def test_unknown_reference(practice):
    p = practice
    p.ctl("clinician", "add", "Ana Ruiz")
    refused(p, "clinician", "show", "zelda")
    refused(p, "clinician", "show", "9999")
    refused(p, "clinician", "edit", "zelda", "--email", "z@example.org")
    refused(p, "client", "show", "nobody")
    refused(p, "service", "show", "nothing")
    refused(p, "room", "show", "nowhere")
    status, body = p.api("GET", "/v1/clinicians/zelda")
    assert status == 404 and body["error"]["code"] == "not_found", body
    assert names(p, "clinician") == ["Ana Ruiz"]


# ------------------------------------------------------------------ clients

def test_client_add_show_list(practice):
    p = practice
    c = p.ctl("client", "add", "Jordan Lee", "--email", "jordan@example.org",
              "--phone", "+15555550123", "--remind", "email,sms",
              "--zone", "Europe/London")[1]["client"]
    assert c["name"] == "Jordan Lee"
    assert c["email"] == "jordan@example.org"
    assert c["phone"] == "+15555550123"
    assert sorted(c["remind"]) == ["email", "sms"]
    assert c["zone"] == "Europe/London"
    assert c["active"] is True
    assert UTC_RE.match(c["created"]), c["created"]
    assert show(p, "client", c["id"]) == c
    assert show(p, "client", "jordan") == c
    assert show(p, "client", "lee") == c
    assert listing(p, "client") == [c]
    assert counts(p)["clients"] == 1


def test_client_remind_none(practice):
    c = practice.ctl("client", "add", "Sam Park", "--email", "sam@example.org",
                     "--remind", "none")[1]["client"]
    assert c["remind"] == []


def test_client_search(practice):
    p = practice
    for n in ("Jordan Lee", "Jordan Smith", "Sam Park"):
        p.ctl("client", "add", n)
    assert names(p, "client", "--search", "jor") == ["Jordan Lee", "Jordan Smith"]
    assert names(p, "client", "--search", "SAM") == ["Sam Park"]
    assert names(p, "client", "--search", "xyz") == []
    assert names(p, "client") == ["Jordan Lee", "Jordan Smith", "Sam Park"]


@pytest.mark.parametrize("args", [
    ["--email", "not-an-email"],
    ["--phone", "555-1234"],
    ["--phone", "+1"],
    ["--phone", "+1234567890123456"],
    ["--zone", "Mars/Base"],
    ["--remind", "pigeon"],
    ["--remind", "sms"],                                   # sms without a phone
    ["--remind", "email"],                                 # email without an email
    ["--remind", "email,sms", "--email", "x@example.org"],  # still no phone
])
def test_client_add_refused_changes_nothing(people, args):
    p = people
    before = snapshot(p)
    refused(p, "client", "add", "Casey Doe", *args)
    assert snapshot(p) == before


def test_client_edit(practice):
    p = practice
    cid = p.ctl("client", "add", "Jordan Lee", "--email", "jordan@example.org")[1]["client"]["id"]
    c = p.ctl("client", "edit", "jordan", "--phone", "+15555550199",
              "--remind", "sms")[1]["client"]
    assert c["phone"] == "+15555550199" and c["remind"] == ["sms"]
    c = p.ctl("client", "edit", cid, "--name", "Jordan Lee-Park")[1]["client"]
    assert show(p, "client", cid)["name"] == "Jordan Lee-Park"
    e = audit_entries(p)[-1]
    assert e["action"] == "client.edit" and e["object_id"] == cid


@pytest.mark.parametrize("args", [
    ["--remind", "sms"],            # no phone on record
    ["--phone", "12345"],
    ["--email", "nope"],
    ["--zone", "Atlantis/Capital"],
])
def test_client_edit_refused_changes_nothing(people, args):
    p = people
    c = show(p, "client", "Jordan Lee")
    assert c["phone"] is None and c["remind"] == ["email"]
    before = snapshot(p)
    refused(p, "client", "edit", c["id"], *args)
    assert snapshot(p) == before


def test_client_deactivate(practice):
    p = practice
    cid = p.ctl("client", "add", "Jordan Lee")[1]["client"]["id"]
    p.ctl("client", "add", "Sam Park")
    assert p.ctl("client", "edit", cid, "--active", "no")[1]["client"]["active"] is False
    assert names(p, "client") == ["Sam Park"]
    assert names(p, "client", "--all") == ["Jordan Lee", "Sam Park"]


# ----------------------------------------------------------------- services

def test_service_add_show_list_edit(practice):
    p = practice
    s = p.ctl("service", "add", "Individual session", "--minutes", "50",
              "--buffer", "10")[1]["service"]
    assert (s["name"], s["minutes"], s["buffer"], s["active"]) == (
        "Individual session", 50, 10, True)
    t = p.ctl("service", "add", "Check-in", "--minutes", "20")[1]["service"]
    assert t["buffer"] == 0                                  # default
    assert show(p, "service", "indiv") == s
    assert names(p, "service") == ["Check-in", "Individual session"]
    s2 = p.ctl("service", "edit", s["id"], "--minutes", "45", "--buffer", "15")[1]["service"]
    assert (s2["minutes"], s2["buffer"]) == (45, 15)
    assert show(p, "service", s["id"]) == s2
    assert counts(p)["services"] == 2


@pytest.mark.parametrize("args", [
    ["--minutes", "0"], ["--minutes", "4"], ["--minutes", "481"],
    ["--minutes", "50", "--buffer", "121"], ["--minutes", "50", "--buffer", "-1"],
])
def test_service_add_refused_changes_nothing(people, args):
    p = people
    before = snapshot(p)
    rc, out, err = p.ctl("service", "add", "Odd", *args, check=False)
    assert rc in (1, 2), (rc, err)     # the ctl may catch a non-number itself
    assert snapshot(p) == before


def test_service_limits_accepted(practice):
    p = practice
    assert p.ctl("service", "add", "Tiny", "--minutes", "5")[1]["service"]["minutes"] == 5
    s = p.ctl("service", "add", "Long", "--minutes", "480", "--buffer", "120")[1]["service"]
    assert (s["minutes"], s["buffer"]) == (480, 120)


def test_service_duplicate_and_bad_edit_refused(practice):
    p = practice
    s = p.ctl("service", "add", "Individual session", "--minutes", "50")[1]["service"]
    p.ctl("service", "add", "Couples session", "--minutes", "80")
    refused(p, "service", "add", "individual SESSION", "--minutes", "30")
    refused(p, "service", "edit", s["id"], "--name", "Couples Session")
    refused(p, "service", "edit", s["id"], "--minutes", "1000")
    assert show(p, "service", s["id"]) == s
    assert names(p, "service") == ["Couples session", "Individual session"]


# -------------------------------------------------------------------- rooms

def test_room_add_show_list_edit(practice):
    p = practice
    r1 = p.ctl("room", "add", "Room 1")[1]["room"]
    r2 = p.ctl("room", "add", "Garden room")[1]["room"]
    assert r1["name"] == "Room 1" and r1["active"] is True
    assert show(p, "room", "garden") == r2
    assert names(p, "room") == ["Garden room", "Room 1"]
    r1b = p.ctl("room", "edit", r1["id"], "--name", "Blue room")[1]["room"]
    assert r1b["name"] == "Blue room"
    assert show(p, "room", "blue") == r1b
    assert p.ctl("room", "edit", r2["id"], "--active", "no")[1]["room"]["active"] is False
    assert names(p, "room") == ["Blue room"]


def test_room_duplicate_refused(practice):
    p = practice
    r1 = p.ctl("room", "add", "Room 1")[1]["room"]
    p.ctl("room", "add", "Room 2")
    refused(p, "room", "add", "room 1")
    refused(p, "room", "edit", r1["id"], "--name", "ROOM 2")
    assert show(p, "room", r1["id"]) == r1
    assert names(p, "room") == ["Room 1", "Room 2"]
    status, body = p.api("POST", "/v1/rooms", {"name": "Room 2"})
    assert status == 409 and body["error"]["code"] == "duplicate"


def test_create_answers_201(practice):
    p = practice
    for path, body, key in [
        ("/v1/clinicians", {"name": "Ana Ruiz"}, "clinician"),
        ("/v1/clients", {"name": "Jordan Lee"}, "client"),
        ("/v1/services", {"name": "Session", "minutes": 50}, "service"),
        ("/v1/rooms", {"name": "Room 1"}, "room"),
    ]:
        status, out = p.api("POST", path, body)
        assert status == 201, (path, status, out)
        assert out[key]["name"] == body["name"]


# -------------------------------------------------------------------- audit

def test_people_changes_audited_as_root(practice):
    p = practice
    c = p.ctl("clinician", "add", "Ana Ruiz")[1]["clinician"]["id"]
    p.ctl("clinician", "edit", c, "--email", "ana@example.org")
    k = p.ctl("client", "add", "Jordan Lee")[1]["client"]["id"]
    p.ctl("client", "edit", k, "--email", "j@example.org")
    s = p.ctl("service", "add", "Session", "--minutes", "50")[1]["service"]["id"]
    p.ctl("service", "edit", s, "--buffer", "5")
    r = p.ctl("room", "add", "Room 1")[1]["room"]["id"]
    p.ctl("room", "edit", r, "--name", "Room One")
    got = [(e["action"], e["object_id"]) for e in audit_entries(p)]
    assert got == [("clinician.add", c), ("clinician.edit", c),
                   ("client.add", k), ("client.edit", k),
                   ("service.add", s), ("service.edit", s),
                   ("room.add", r), ("room.edit", r)]
    for e in audit_entries(p):
        assert e["uid"] == 0 and e["user"] == "root" and e["role"] == "admin", e
        assert UTC_RE.match(e["at"]), e


def test_reads_are_not_audited(practice):
    p = practice
    p.ctl("clinician", "add", "Ana Ruiz")
    n = len(audit_entries(p))
    p.ctl("clinician", "list")
    p.ctl("clinician", "show", "ana")
    p.ctl("status")
    assert len(audit_entries(p)) == n


# ------------------------------------------------------------- odd names

def test_search_is_a_prefix_not_a_pattern(people):
    p = people
    for q in ("%", "_", "J%", "' OR '1'='1", "*"):
        assert names(p, "client", "--search", q) == [], q
    assert names(p, "client", "--search", "Jor") == ["Jordan Lee"]


def test_name_with_a_slash_can_be_referenced(practice):
    """practiced(8): the path is percent-decoded one segment at a time, so a
    name may hold a slash and still be a reference (%2F in a path)."""
    p = practice
    r = p.ctl("room", "add", "Room A/B")[1]["room"]
    assert r["name"] == "Room A/B"
    assert show(p, "room", "Room A/B") == r
    status, out = p.api("GET", "/v1/rooms/Room%20A%2FB")
    assert (status, out["room"]) == (200, r), out
    assert p.ctl("room", "edit", "Room A/B", "--name", "Room C/D")[1]["room"]["id"] == r["id"]


def test_names_with_url_and_quote_characters(practice):
    p = practice
    odd = "O'Brien & Co? #1 %20+x"
    c = p.ctl("client", "add", odd)[1]["client"]
    assert c["name"] == odd
    assert show(p, "client", odd) == c
    assert show(p, "client", "o'b") == c
    assert names(p, "client", "--search", "O'Brien &") == [odd]
