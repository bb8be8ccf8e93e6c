"""What the one engine behind clinicians, clients, services and rooms does
the same for all four: search, order, empty contact fields, what an add
takes, and the audit of an edit."""

import pytest

from conftest import audit_entries

KINDS = [
    ("clinicians", {}),
    ("clients", {}),
    ("services", {"minutes": 50}),
    ("rooms", {}),
]


def add(p, path, name, extra):
    body = dict(extra, name=name)
    status, out = p.api("POST", "/v1/" + path, body)
    assert status == 201, (path, out)
    return out[path[:-1]]


@pytest.mark.parametrize("path,extra", KINDS)
def test_every_list_searches_and_sorts_by_name_in_any_case(practice, path, extra):
    p = practice
    for n in ("ben stone", "Ana Ruiz", "Cora Stone"):
        add(p, path, n, extra)
    status, out = p.api("GET", "/v1/%s" % path)
    assert status == 200, out
    assert [x["name"] for x in out[path]] == ["Ana Ruiz", "ben stone", "Cora Stone"]
    status, out = p.api("GET", "/v1/%s?q=STO" % path)
    assert status == 200, out
    assert [x["name"] for x in out[path]] == ["ben stone", "Cora Stone"]
    status, out = p.api("GET", "/v1/%s?q=%%25" % path)     # a literal %
    assert status == 200 and out[path] == [], out
    status, out = p.api("GET", "/v1/%s?q=" % path)
    assert status == 400 and out["error"]["code"] == "bad_request", out


def test_empty_contact_fields_on_add_are_none(practice):
    c = add(practice, "clinicians", "Ana Ruiz", {"email": "", "phone": None})
    assert c["email"] is None and c["phone"] is None
    k = add(practice, "clients", "Jordan Lee", {"email": "", "zone": ""})
    assert k["email"] is None and k["zone"] is None


@pytest.mark.parametrize("path,extra", KINDS)
def test_add_refuses_active_and_created(practice, path, extra):
    p = practice
    for field, value in (("active", False), ("created", "2020-01-01T00:00:00Z"),
                         ("id", 7)):
        status, out = p.api("POST", "/v1/" + path, dict(extra, name="X", **{field: value}))
        assert status == 400, (path, field, out)
        assert out["error"]["message"] == 'unknown field "%s"' % field
    status, out = p.api("GET", "/v1/%s?all=1" % path)
    assert out[path] == []


def test_edit_audit_names_the_fields_that_change(practice):
    p = practice
    c = add(p, "clinicians", "Ana Ruiz", {})
    status, out = p.api("PATCH", "/v1/clinicians/%d" % c["id"], {"zone": None})
    assert status == 200 and out["clinician"] == c, out
    status, out = p.api("PATCH", "/v1/clinicians/%d" % c["id"],
                        {"phone": "+15555550100", "email": "ana@example.org"})
    assert status == 200, out
    got = [e["detail"] for e in audit_entries(p) if e["action"] == "clinician.edit"]
    assert got == ["changed nothing", "changed email, phone"]
