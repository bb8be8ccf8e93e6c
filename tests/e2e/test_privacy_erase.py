"""practicectl client export and client erase (practiced.8, PRIVACY): the
export holds everything about one client, table by table; the erasure
leaves no trace of the client's name, email or phone in any table, in
the audit detail, in the database file's bytes, its write-ahead log or
the outbox folder, and keeps that the sessions happened."""

import glob
import json
import os
import sqlite3
import subprocess

from conftest import USER_ADMIN, USER_STAFF, refused
from remind_util import outbox_files, reminding, rows, wait_for, wake
from series_util import new_clinician, new_service, ok

WHO = {"name": "Quentin Zabriskie", "email": "qz.private@example.org",
       "phone": "+15555550188"}
# The name's words too: a message greets the client by first name.
WORDS = ("Quentin", "Zabriskie", "qz.private", "5555550188")
REASON = "Wrenfield divorce hearing"
OTHER = {"name": "Maria Oyelaran", "email": "maria.o@example.org"}


def ctl(p, *args, **kw):
    return p.ctl(*args, user=USER_ADMIN, **kw)


def practice_with_client(practice_at):
    """Monday 2027-03-01 09:00 in New York, reminders written to the
    outbox folder: the client with past, cancelled, moved, series and
    today's sessions, reminders sent and pending, and a test message."""
    p = reminding(practice_at, "2027-03-01 09:00", notices="yes",
                  rules=[("rule", "email 2h"), ("rule", "sms 2h")],
                  extra=None)
    clin = new_clinician(p)
    svc = new_service(p, 50, 10)
    q = ok(p, "client", "add", WHO["name"], "--email", WHO["email"],
           "--phone", WHO["phone"], "--remind", "email,sms",
           "--sms-consent", "yes")["client"]["id"]
    m = ok(p, "client", "add", OTHER["name"], "--email", OTHER["email"],
           "--remind", "email")["client"]["id"]

    def book(cli, when, *extra):
        return ok(p, "book", "--client", str(cli), "--clinician", str(clin),
                  "--service", str(svc), "--at", when, *extra)["appointment"]["id"]

    past = book(q, "2027-02-22 10:00", "--force")
    ok(p, "mark", str(past), "attended")
    today = book(q, "2027-03-01 13:00")
    gone = book(q, "2027-03-03 10:00")
    ok(p, "cancel", str(gone), "--by", "client", "--reason", REASON)
    series = ok(p, "book", "--client", str(q), "--clinician", str(clin),
                "--service", str(svc), "--at", "2027-03-08 10:00",
                "--repeat", "weekly", "--count", "6")["appointment"]["id"]
    ok(p, "move", str(series), "--at", "2027-03-08 11:00")
    other = book(m, "2027-03-01 14:00")
    ok(p, "reminders", "test", "--client", str(q), "--channel", "email")
    ok(p, "reminders", "test", "--client", str(m), "--channel", "email")
    # 11:05: the 2-hour reminders of the sessions at 13:00 are due
    p.clock.set("2027-03-01 11:05")
    wake(p)
    assert wait_for(lambda: any(r["appointment_id"] == today and
                                r["notice"] == "reminder" and
                                r["state"] == "sent" for r in rows(p))), rows(p)
    assert wait_for(lambda: not any(r["state"] == "sending" for r in rows(p)))
    return p, q, m, today, other


def dump(p):
    out = subprocess.run(["sqlite3", p.db, ".dump"], capture_output=True,
                         text=True, check=True).stdout
    assert "CREATE TABLE clients" in out
    return out


def raw_bytes(p):
    data = b""
    for path in (p.db, p.db + "-wal"):
        if os.path.exists(path):
            with open(path, "rb") as f:
                data += f.read()
    return data


def traces(text_or_bytes):
    """The client's words found (case-insensitive) in a text or bytes."""
    if isinstance(text_or_bytes, bytes):
        hay = text_or_bytes.lower()
        return [w for w in WORDS if w.lower().encode() in hay]
    hay = text_or_bytes.lower()
    return [w for w in WORDS if w.lower() in hay] + (
        [REASON] if REASON.lower() in hay else [])


def test_export_holds_everything_about_the_client(practice_at):
    p, q, m, today, other = practice_with_client(practice_at)
    rc, out, err = ctl(p, "client", "export", WHO["name"], json=False)
    assert rc == 0, err
    x = json.loads(out)
    assert x["client"]["id"] == q and x["client"]["name"] == WHO["name"]
    assert x["client"]["email"] == WHO["email"]
    assert x["client"]["phone"] == WHO["phone"]
    assert x["client"]["sms_consent_at"] and x["client"]["sms_consent_by"]
    states = sorted(a["state"] for a in x["appointments"])
    assert len(x["appointments"]) == 9, states      # 1 past, today, 1 gone, 6
    assert "attended" in states and "cancelled" in states
    assert any(a["cancel_reason"] == REASON for a in x["appointments"])
    assert any(a["override"] == 1 for a in x["appointments"])     # moved
    assert len(x["series"]) == 1 and x["series"][0]["rrule"].startswith("FREQ=WEEKLY")
    assert all(a["client_id"] == q for a in x["appointments"])
    ids = {a["id"] for a in x["appointments"]}
    assert other not in ids
    assert x["reminders"] and all(r["appointment_id"] in ids for r in x["reminders"])
    assert any(r["recipient"] == WHO["email"] for r in x["reminders"])
    assert any(r["recipient"] == WHO["phone"] for r in x["reminders"])
    sent = [r for r in x["reminders"] if r["state"] == "sent"]
    assert sent and x["deliveries"]
    assert {d["reminder_id"] for d in x["deliveries"]} <= {r["id"] for r in x["reminders"]}
    assert all(d["outcome"] for d in x["deliveries"])
    actions = {e["action"] for e in x["audit"]}
    assert {"client.add", "appointment.book", "appointment.cancel",
            "appointment.mark", "series.book", "reminder.test"} <= actions, actions
    assert x["clinicians"] and x["services"]
    assert "feeds" in x and "series_skips" in x
    # instants are UTC text
    assert x["appointments"][0]["start_utc"].endswith("Z")
    # nothing of the other client
    assert OTHER["name"] not in out and OTHER["email"] not in out
    # in pages: small ones give the same records, in the same order
    got, after = [], None
    while True:
        path = "/v1/clients/%d/export?limit=7" % q
        if after:
            path += "&after=" + after
        status, page = p.api("GET", path)
        assert status == 200 and len(page["records"]) <= 7, page
        got += page["records"]
        after = page["next"]
        if not after:
            break
    total = 1 + sum(len(v) for k, v in x.items()
                    if isinstance(v, list) and k != "audit")
    assert len([r for r in got if r["table"] != "audit"]) == total
    assert got[0]["table"] == "client"
    assert [r["row"] for r in got if r["table"] == "reminders"] == x["reminders"]
    # audited, by the client's id
    audit = ok(p, "audit", "--limit", "1000")["audit"]
    assert any(e["action"] == "client.export" and e["object_id"] == q
               for e in audit)
    # health data: administrators only
    refused(p, "client", "export", str(q), user=USER_STAFF)


def test_erase_leaves_no_trace(practice_at):
    p, q, m, today, other = practice_with_client(practice_at)
    before = dump(p)
    assert traces(before), "the test must see the client before erasing"
    files = outbox_files(p)
    assert any(traces(open(f, errors="replace").read()) for f in files), files
    n_appts = len(ok(p, "list", "--from", "2027-01-01", "--to", "2027-12-31",
                     "--client", str(q))["appointments"])

    # sessions ahead: refused without --force, and nothing changes
    err = refused(p, "client", "erase", str(q), user=USER_ADMIN)
    assert "--force" in err and "ahead" in err
    assert dump(p) == before
    # administrators only
    refused(p, "client", "erase", str(q), "--force", user=USER_STAFF)
    assert ok(p, "client", "show", str(q))["client"]["name"] == WHO["name"]

    rc, out, err = ctl(p, "client", "erase", WHO["name"], "--force")
    e = out["erased"]
    assert e["id"] == q and e["name"] == "erased client %d" % q
    assert e["cancelled"] == 7       # today's (at 13:00) and the series' 6
    assert e["series_ended"] == 1 and e["reminders_removed"] > 0
    # its reminders' files, and its test message (not the other's)
    assert e["files"] == len(files) - len(outbox_files(p)) > 1

    # no table, no column: the dump, and the file's bytes with its log
    after = dump(p)
    assert traces(after) == [], [l for l in after.splitlines() if traces(l)]
    assert traces(raw_bytes(p)) == []
    assert os.path.getsize(p.db + "-wal") == 0 if os.path.exists(p.db + "-wal") else True
    # the other client is untouched
    assert OTHER["name"] in after and OTHER["email"] in after
    # no file of the outbox folder was the client's; the other's stay
    left = outbox_files(p)
    for f in left:
        assert traces(open(f, errors="replace").read()) == [], f
    assert any(OTHER["email"] in open(f, errors="replace").read() for f in left)

    # what is kept: that the sessions happened, under the placeholder
    c = ok(p, "client", "show", str(q))["client"]
    assert c["name"] == "erased client %d" % q and not c.get("email")
    assert not c.get("phone") and c["active"] is False
    appts = ok(p, "list", "--from", "2027-01-01", "--to", "2027-12-31",
               "--client", str(q))["appointments"]
    assert len(appts) == n_appts
    assert any(a["state"] == "attended" for a in appts)
    assert all(a["state"] in ("attended", "cancelled") for a in appts)
    assert not any(r["appointment_id"] in {a["id"] for a in appts} for r in rows(p))
    # the series books no more
    series = ok(p, "series", "list", "--client", str(q), "--all")["series"]
    assert series and all(s["state"] == "cancelled" for s in series)
    # audited as an erasure naming only the id
    audit = ok(p, "audit", "--limit", "1000")["audit"]
    erase = [e for e in audit if e["action"] == "client.erase"]
    assert len(erase) == 1 and erase[0]["object_id"] == q
    assert traces(json.dumps(audit)) == []
    # an export now shows only the placeholder
    rc, out, err = ctl(p, "client", "export", str(q), json=False)
    assert traces(out) == [] and "erased client" in out
    p.stop()
    assert traces(p.log()) == []
    # and after the daemon closed the database
    assert traces(raw_bytes(p)) == [] and traces(dump(p)) == []


def test_erase_without_sessions_ahead_needs_no_force(practice_at):
    p = reminding(practice_at, "2027-03-01 09:00")
    clin = new_clinician(p)
    svc = new_service(p, 50, 10)
    q = ok(p, "client", "add", WHO["name"], "--email", WHO["email"])["client"]["id"]
    a = ok(p, "book", "--client", str(q), "--clinician", str(clin), "--service",
           str(svc), "--at", "2027-02-22 10:00", "--force")["appointment"]["id"]
    rc, out, err = ctl(p, "client", "erase", str(q))
    assert out["erased"]["cancelled"] == 0
    assert ok(p, "show", str(a))["appointment"]["state"] == "booked"
    assert traces(dump(p)) == []
    refused(p, "client", "erase", "999", user=USER_ADMIN)
