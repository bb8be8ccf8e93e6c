"""Issue 7, "Finding people" and "Guard rails": names shared by two
clients (a warning at add, a name plus #ID or <EMAIL> to pick one, every
candidate named), lookups by the start of any word with case and accents
folded, and changes that strand booked sessions (hours, a new zone,
archiving a clinician or a room) naming them, archiving refused unless
--force."""

import datetime as dt

from conftest import at, audit_entries, book, refused

D = dt.timedelta


def add(p, kind, name, *args):
    return p.ctl(kind, "add", name, *args)[1][kind]["id"]


def show(p, kind, ref):
    return p.ctl(kind, "show", ref)[1][kind]


def refusal(p, *args):
    """The daemon's error object for a refused command (--json)."""
    rc, out, err = p.ctl(*args, check=False)
    assert rc == 1, (args, rc, out, err)
    return out["error"]


def booked(p, *args):
    return book(p, *args)[1]["appointment"]["id"]


def state(p, appt):
    return p.ctl("show", appt)[1]["appointment"]["state"]


# ------------------------------------------------------------ shared names

def test_shared_client_name_warns_at_add(practice):
    p = practice
    first = add(p, "client", "Olivia Martinez", "--email", "olivia@example.org")
    rc, out, err = p.ctl("client", "add", "Olivia Martinez")
    second = out["client"]["id"]
    assert rc == 0 and second != first
    warnings = out["warnings"]
    assert len(warnings) == 1, warnings
    assert "Olivia Martinez #%d <olivia@example.org>" % first in warnings[0]
    # printed: the record added, then the warning on stderr
    rc, text, err = p.ctl("client", "add", "olivia martínez", json=False)
    assert rc == 0 and "added client" in text, text
    assert err.startswith("practicectl: warning: ") or "warning: " in err, err
    assert "Olivia Martinez #%d" % first in err and "#%d" % second in err, err
    # a name nobody has: no warning, but the key is there
    out = p.ctl("client", "add", "Nadia Park")[1]
    assert out["warnings"] == []


def test_name_with_id_or_email_picks_one(practice):
    p = practice
    a = add(p, "client", "Olivia Martinez", "--email", "olivia@example.org")
    b = add(p, "client", "Olivia Martinez", "--email", "om@example.net")
    c = add(p, "client", "Olivia Martinez")
    err = refusal(p, "client", "show", "Olivia Martinez")
    assert err["code"] == "ambiguous"
    for text in ("Olivia Martinez #%d <olivia@example.org>" % a,
                 "Olivia Martinez #%d <om@example.net>" % b,
                 "Olivia Martinez #%d" % c, "#ID", "<EMAIL>"):
        assert text in err["message"], (text, err["message"])
    assert show(p, "client", "Olivia Martinez <om@example.net>")["id"] == b
    assert show(p, "client", "olivia martinez <OLIVIA@example.org>")["id"] == a
    assert show(p, "client", "Olivia Martinez #%d" % c)["id"] == c
    assert show(p, "client", "Olivia Martinez #%d <om@example.net>" % b)["id"] == b
    # what the refusal lists is itself a reference
    assert show(p, "client", "Olivia Martinez #%d <olivia@example.org>" % a)["id"] == a
    # a disambiguator that fits nobody is refused, not guessed
    assert refusal(p, "client", "show", "Olivia Martinez <x@example.org>")["code"] == \
        "not_found"
    assert refusal(p, "client", "show", "Olivia Martinez #%d" % (c + 100))["code"] == \
        "not_found"
    # and it works wherever a client is named: a booking
    clin = add(p, "clinician", "Maya Chen")
    p.ctl("clinician", "hours", clin, "daily", "00:00-24:00")
    svc = add(p, "service", "Session", "--minutes", "50")
    day = dt.date.today() + D(days=7)
    appt = p.ctl("book", "--client", "Olivia Martinez <om@example.net>",
                 "--clinician", clin, "--service", svc, "--at", at(day, "10:00"))[1]
    assert appt["appointment"]["client"]["id"] == b


def test_candidates_all_named_up_to_a_cap(practice):
    p = practice
    ids = [add(p, "client", "Sam Test %02d" % i) for i in range(5)]
    err = refusal(p, "client", "show", "sam")
    assert err["details"]["total"] == 5
    assert sorted(x["id"] for x in err["details"]["candidates"]) == ids
    for i in ids:
        assert "#%d" % i in err["message"], err["message"]
    ids += [add(p, "client", "Sam Test %02d" % i) for i in range(5, 15)]
    err = refusal(p, "client", "show", "sam")
    assert err["details"]["total"] == 15
    assert len(err["details"]["candidates"]) == 12
    assert "matches 15 clients" in err["message"], err["message"]
    assert "and 3 more" in err["message"], err["message"]
    # one line on stderr for the human, naming them
    msg = refused(p, "client", "show", "sam")
    assert "Sam Test 11" in msg and "and 3 more" in msg, msg


# ------------------------------------------------------------ word starts

NAMES = ["Mary-Jane Smith-Jones", "Ava Jones", "José Ñúñez-Øster",
         "Siobhán O'Brien", "Zoë Ångström", "王小明", "Łukasz Żółć"]


def test_lookup_by_word_start_folding_case_and_accents(practice):
    p = practice
    ids = {n: add(p, "client", n) for n in NAMES}
    for ref, name in [("jane", "Mary-Jane Smith-Jones"),
                      ("smith-j", "Mary-Jane Smith-Jones"),
                      ("mary jane", "Mary-Jane Smith-Jones"),
                      ("ñúñez", "José Ñúñez-Øster"),
                      ("NUÑEZ", "José Ñúñez-Øster"),
                      ("nunez", "José Ñúñez-Øster"),
                      ("oster", "José Ñúñez-Øster"),
                      ("jose", "José Ñúñez-Øster"),
                      ("brien", "Siobhán O'Brien"),
                      ("o'brien", "Siobhán O'Brien"),
                      ("siobhan", "Siobhán O'Brien"),
                      ("zoe", "Zoë Ångström"),
                      ("angstrom", "Zoë Ångström"),
                      ("王", "王小明"),
                      ("lukasz", "Łukasz Żółć"),
                      ("zolc", "Łukasz Żółć")]:
        assert show(p, "client", ref)["id"] == ids[name], ref
    # "jones" is the start of a word of two names: ambiguous, both named
    err = refusal(p, "client", "show", "jones")
    assert err["code"] == "ambiguous"
    assert {x["id"] for x in err["details"]["candidates"]} == {
        ids["Ava Jones"], ids["Mary-Jane Smith-Jones"]}
    assert "Ava Jones" in err["message"] and "Smith-Jones" in err["message"]
    # inside a word is not the start of one
    assert refusal(p, "client", "show", "ones")["code"] == "not_found"
    # the list's search is the same
    found = p.ctl("client", "list", "--search", "NÚÑ")[1]["clients"]
    assert [c["id"] for c in found] == [ids["José Ñúñez-Øster"]]
    found = p.ctl("client", "list", "--search", "jones")[1]["clients"]
    assert sorted(c["id"] for c in found) == sorted(
        [ids["Ava Jones"], ids["Mary-Jane Smith-Jones"]])


# ------------------------------------------------------------ guard rails

def test_hours_change_lists_stranded_sessions(clinic):
    s, p = clinic, clinic.p
    mon_9 = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "09:00"))
    tue_10 = booked(p, s.sam, s.ana, s.svc, at(s.tuesday, "10:00"))
    tue_15 = booked(p, s.jordan, s.ana, s.svc, at(s.tuesday, "15:00"))
    out = p.ctl("clinician", "hours", s.ana, "tue-fri", "10:00-12:00")[1]
    assert [a["id"] for a in out["affected"]] == [mon_9, tue_15]
    # they stay booked: moving them is the front desk's call
    assert {state(p, a) for a in (mon_9, tue_10, tue_15)} == {"booked"}
    rc, text, _ = p.ctl("clinician", "hours", s.ana, "tue-fri", "10:00-12:00",
                        json=False)
    assert "2 booked sessions ahead now fall outside the working hours" in text, text
    assert str(mon_9) in text and str(tue_15) in text, text
    # hours that cover them all: nothing to list
    out = p.ctl("clinician", "hours", s.ana, "daily", "08:00-18:00")[1]
    assert out["affected"] == []


def test_zone_change_lists_stranded_sessions(clinic):
    s, p = clinic, clinic.p
    mon_9 = booked(p, s.jordan, s.ben, s.svc, at(s.monday, "09:00"))
    out = p.ctl("clinician", "edit", s.ben, "--zone", "America/Los_Angeles")[1]
    assert [a["id"] for a in out["affected"]] == [mon_9]
    out = p.ctl("clinician", "edit", s.ben, "--email", "ben@example.org")[1]
    assert out["affected"] == []


def test_archiving_a_clinician_with_sessions_ahead_is_refused(clinic):
    s, p = clinic, clinic.p
    first = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    second = booked(p, s.sam, s.ana, s.svc, at(s.tuesday, "11:00"))
    err = refusal(p, "clinician", "edit", s.ana, "--active", "no")
    assert err["code"] == "invalid_state"
    assert [a["id"] for a in err["details"]["affected"]] == [first, second]
    assert "%d on " % first in err["message"] and "--force" in err["message"]
    msg = refused(p, "clinician", "edit", s.ana, "--active", "no")
    assert str(second) in msg, msg
    assert show(p, "clinician", s.ana)["active"] is True
    # moved or cancelled, they no longer hold it back
    p.ctl("cancel", first, "--by", "practice")
    p.ctl("move", second, "--clinician", s.ben, "--at", at(s.tuesday, "11:00"))
    out = p.ctl("clinician", "edit", s.ana, "--active", "no")[1]
    assert out["clinician"]["active"] is False and out["affected"] == []


def test_archiving_a_clinician_with_force_keeps_and_lists(clinic):
    s, p = clinic, clinic.p
    first = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))
    rc, text, err = p.ctl("clinician", "edit", s.ana, "--active", "no", "--force",
                          json=False)
    assert rc == 0, err
    assert "1 booked session ahead kept with the archived clinician" in text, text
    assert str(first) in text
    assert state(p, first) == "booked"
    e = audit_entries(p)[-1]
    assert e["action"] == "clinician.edit" and "keeping 1 booked session" in e["detail"], e


def test_retiring_a_room_with_sessions_ahead(clinic):
    s, p = clinic, clinic.p
    appt = booked(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    err = refusal(p, "room", "edit", s.room1, "--active", "no")
    assert err["code"] == "invalid_state"
    assert [a["id"] for a in err["details"]["affected"]] == [appt]
    assert show(p, "room", s.room1)["active"] is True
    # a room without sessions retires at once
    out = p.ctl("room", "edit", s.room2, "--active", "no")[1]
    assert out["room"]["active"] is False and out["affected"] == []
    out = p.ctl("room", "edit", s.room1, "--active", "no", "--force")[1]
    assert out["room"]["active"] is False
    assert [a["id"] for a in out["affected"]] == [appt]
