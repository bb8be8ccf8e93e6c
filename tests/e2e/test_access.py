"""Roles, as real users talking through the real socket (SO_PEERCRED)."""

import grp
import os
import pwd
import stat

from conftest import (GROUP, USER_ADMIN, USER_NONE, USER_RO, USER_STAFF, at,
                      audit_entries, book, refused, run_ctl, PRACTICECTL, uid_of)


def appt(p, aid, user=None):
    return p.ctl("show", aid, user=user)[1]["appointment"]


def denied(p, *args, user):
    msg = refused(p, *args, user=user)
    assert "permission denied" in msg, msg
    return msg


def test_status_names_each_users_role(clinic):
    p = clinic.p
    for user, role in [(None, "admin"), (USER_ADMIN, "admin"),
                       (USER_STAFF, "staff"), (USER_RO, "readonly")]:
        you = p.ctl("status", user=user)[1]["you"]
        assert you["role"] == role, (user, you)
        assert you["user"] == (user or "root"), you
        assert you["uid"] == (uid_of(user) if user else 0), you


def test_user_without_role_is_refused(clinic):
    s, p = clinic, clinic.p
    msg = denied(p, "status", user=USER_NONE)
    assert USER_NONE in msg and str(uid_of(USER_NONE)) in msg, msg
    denied(p, "list", "--week", s.monday.isoformat(), user=USER_NONE)
    denied(p, "clinician", "list", user=USER_NONE)
    denied(p, "client", "add", "Eve Intruder", user=USER_NONE)
    denied(p, "book", "--client", s.jordan, "--clinician", s.ana, "--service", s.svc,
           "--at", at(s.monday, "10:00"), user=USER_NONE)
    assert p.ctl("list", "--week", s.monday.isoformat())[1]["appointments"] == []
    assert [c["name"] for c in p.ctl("client", "list", "--all")[1]["clients"]] == [
        "Jordan Lee", "Sam Park"]


def test_readonly_reads_but_cannot_change(clinic):
    s, p = clinic, clinic.p
    a = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"))[1]["appointment"]
    ro = USER_RO
    assert [x["id"] for x in
            p.ctl("list", "--week", s.monday.isoformat(), user=ro)[1]["appointments"]] == [a["id"]]
    assert appt(p, a["id"], user=ro)["id"] == a["id"]
    assert p.ctl("clinician", "show", "ana", user=ro)[1]["clinician"]["id"] == s.ana
    for kind in ("clinician", "client", "service", "room"):
        assert p.ctl(kind, "list", user=ro)[1][kind + "s"]
    audit_before = audit_entries(p)

    denied(p, "book", "--client", s.sam, "--clinician", s.ben, "--service", s.svc,
           "--at", at(s.monday, "10:00"), user=ro)
    denied(p, "move", a["id"], "--at", at(s.monday, "12:00"), user=ro)
    denied(p, "cancel", a["id"], user=ro)
    denied(p, "mark", a["id"], "confirmed", user=ro)
    denied(p, "client", "add", "Casey Doe", user=ro)
    denied(p, "client", "edit", s.jordan, "--email", "x@example.org", user=ro)
    denied(p, "clinician", "add", "Dee Ray", user=ro)
    denied(p, "audit", user=ro)

    assert appt(p, a["id"]) == a
    assert [x["id"] for x in
            p.ctl("list", "--week", s.monday.isoformat())[1]["appointments"]] == [a["id"]]
    assert len(p.ctl("client", "list", "--all")[1]["clients"]) == 2
    assert audit_entries(p) == audit_before


def test_staff_books_but_does_not_administer(clinic):
    s, p = clinic, clinic.p
    st = USER_STAFF
    k = p.ctl("client", "add", "Casey Doe", "--email", "casey@example.org", user=st)[1]["client"]
    p.ctl("client", "edit", k["id"], "--phone", "+15555550111", user=st)
    a = book(p, k["id"], s.ana, s.svc, at(s.monday, "10:00"), user=st)[1]["appointment"]
    p.ctl("move", a["id"], "--at", at(s.monday, "11:00"), user=st)
    p.ctl("mark", a["id"], "confirmed", user=st)
    p.ctl("cancel", a["id"], "--by", "client", user=st)
    assert appt(p, a["id"])["state"] == "cancelled"
    assert p.ctl("audit", user=st)[1]["audit"]

    clinicians = p.ctl("clinician", "list", "--all")[1]
    services = p.ctl("service", "list")[1]
    rooms = p.ctl("room", "list")[1]
    msg = denied(p, "clinician", "add", "Dee Ray", user=st)
    assert "staff" in msg, msg
    denied(p, "clinician", "edit", s.ana, "--email", "x@example.org", user=st)
    denied(p, "clinician", "hours", s.ana, "daily", "00:00-23:59", user=st)
    denied(p, "service", "add", "Group", "--minutes", "90", user=st)
    denied(p, "service", "edit", s.svc, "--minutes", "10", user=st)
    denied(p, "room", "add", "Room 9", user=st)
    denied(p, "room", "edit", s.room1, "--name", "Broom cupboard", user=st)
    assert p.ctl("clinician", "list", "--all")[1] == clinicians
    assert p.ctl("service", "list")[1] == services
    assert p.ctl("room", "list")[1] == rooms


def test_admin_user_administers(clinic):
    s, p = clinic, clinic.p
    ad = USER_ADMIN
    c = p.ctl("clinician", "add", "Dee Ray", user=ad)[1]["clinician"]
    p.ctl("clinician", "hours", c["id"], "mon", "09:00-12:00", user=ad)
    p.ctl("service", "add", "Group", "--minutes", "90", user=ad)
    p.ctl("room", "add", "Room 9", user=ad)
    a = book(p, s.jordan, c["id"], s.svc, at(s.monday, "10:00"), user=ad)[1]["appointment"]
    assert a["clinician"]["name"] == "Dee Ray"
    assert p.ctl("audit", user=ad)[1]["audit"]


def test_audit_records_real_user_and_uid(clinic):
    s, p = clinic, clinic.p
    a = book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), user=USER_STAFF)[1]["appointment"]
    e = audit_entries(p)[-1]
    assert (e["action"], e["object_id"]) == ("appointment.book", a["id"])
    assert (e["user"], e["uid"], e["role"]) == (USER_STAFF, uid_of(USER_STAFF), "staff"), e

    c = p.ctl("clinician", "add", "Dee Ray", user=USER_ADMIN)[1]["clinician"]
    e = audit_entries(p)[-1]
    assert (e["action"], e["object_id"]) == ("clinician.add", c["id"])
    assert (e["user"], e["uid"], e["role"]) == (USER_ADMIN, uid_of(USER_ADMIN), "admin"), e

    p.ctl("cancel", a["id"])
    e = audit_entries(p)[-1]
    assert (e["action"], e["user"], e["uid"], e["role"]) == (
        "appointment.cancel", "root", 0, "admin"), e


def test_role_by_group_name(make_practice):
    p = make_practice(access={"admin": USER_ADMIN, "staff": GROUP})
    for user in (USER_NONE, USER_RO, USER_STAFF):
        assert p.ctl("status", user=user)[1]["you"]["role"] == "staff", user
    assert p.ctl("status", user=USER_ADMIN)[1]["you"]["role"] == "admin"
    k = p.ctl("client", "add", "Casey Doe", user=USER_NONE)[1]["client"]
    assert k["name"] == "Casey Doe"
    denied(p, "clinician", "add", "Dee Ray", user=USER_NONE)


def test_comma_separated_access_lists(make_practice):
    p = make_practice(access={"admin": USER_ADMIN,
                              "readonly": "%s, %s" % (USER_RO, USER_NONE)})
    assert p.ctl("status", user=USER_NONE)[1]["you"]["role"] == "readonly"
    assert p.ctl("status", user=USER_RO)[1]["you"]["role"] == "readonly"
    denied(p, "status", user=USER_STAFF)       # staff is not listed here


def test_socket_is_0660_and_group_owned(practice):
    st = os.stat(practice.sock)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o660, oct(st.st_mode)
    assert st.st_gid == grp.getgrnam(GROUP).gr_gid


def test_user_outside_socket_group_cannot_connect(practice):
    # pdtest-none is in the socket group; nobody (Debian base-passwd) is not
    assert "nobody" not in grp.getgrnam(GROUP).gr_mem
    pwd.getpwnam("nobody")          # KeyError (a failure) if the host lacks it
    rc, out, err = run_ctl([PRACTICECTL, "-s", practice.sock, "status"],
                           user="nobody", check=False, json=False)
    assert rc == 3, (rc, out, err)
    assert err.startswith("practicectl: "), err


def test_database_files_are_the_daemons_only(practice):
    # Health data: the database and its WAL are 0600 whatever the umask.
    practice.ctl("client", "add", "Umask Check")
    for path in (practice.db, practice.db + "-wal"):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o600, (path, oct(mode))
