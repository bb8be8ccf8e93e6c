"""practicectl itself: exit codes, usage, help, the socket option and
variable, and the human (non --json) output."""

import datetime as dt
import json
import os
import socket

import pytest

from conftest import PRACTICECTL, at, book, local_in, run_ctl


def ctl_raw(*args, env=None, check=False):
    """practicectl with exactly these arguments (no -s, no --json)."""
    return run_ctl([PRACTICECTL] + [str(a) for a in args], env=env, check=check, json=False)


# ------------------------------------------------------------- exit codes

@pytest.mark.parametrize("args", [
    [],
    ["frobnicate"],
    ["clinician"],
    ["clinician", "frobnicate"],
    ["show"],
    ["list", "--bogus"],
    ["book", "--client", "x", "--clinician", "y", "--service", "z"],   # no --at
    ["move", "1"],                                                       # no --at
    ["cancel"],
    ["mark", "1"],
    ["clinician", "add"],
    ["--no-such-option", "status"],
])
def test_usage_errors_exit_2(module_practice, args):
    rc, out, err = run_ctl([PRACTICECTL, "-s", module_practice.sock] + args, json=False, check=False)
    assert rc == 2, (args, rc, out, err)
    assert err.strip(), "a usage error should say something on stderr"
    assert "usage" in err.lower() or "practicectl" in err.lower(), err


def test_missing_socket_argument_exits_2():
    rc, out, err = ctl_raw("-s")
    assert rc == 2, (rc, err)
    assert out == ""
    assert err.startswith("practicectl: ") and "-s" in err and "usage:" in err, err


def test_unreachable_socket_exits_3(workdir):
    path = os.path.join(workdir, "nobody-home.sock")
    rc, out, err = ctl_raw("-s", path, "status")
    assert rc == 3, (rc, out, err)
    assert err.startswith("practicectl: "), err
    assert path in err, "the message should name the socket: %r" % err
    assert out == ""


def test_socket_file_with_no_listener_exits_3(workdir):
    path = os.path.join(workdir, "dead.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()                    # the file stays; nobody listens
    rc, out, err = ctl_raw("-s", path, "--json", "status")
    assert rc == 3, (rc, out, err)
    assert path in err


def test_socket_from_environment(module_practice):
    rc, out, err = ctl_raw("--json", "status", env={"PRACTICED_SOCKET": module_practice.sock})
    assert rc == 0, err
    assert json.loads(out)["practice"]["name"] == "Test Practice"


def test_option_beats_environment(module_practice, workdir):
    rc, out, err = ctl_raw("-s", module_practice.sock, "--json", "status",
                           env={"PRACTICED_SOCKET": os.path.join(workdir, "wrong.sock")})
    assert rc == 0, err
    st = json.loads(out)
    assert (st["practice"]["name"], st["database"]) == ("Test Practice", module_practice.db)


def test_refusal_is_one_line_and_exit_1(module_practice):
    rc, out, err = module_practice.ctl("show", "424242", json=False, check=False)
    assert rc == 1
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("practicectl: ") and len(lines[0]) > 14, err


# ------------------------------------------------------------------- help

def test_help_lists_commands():
    rc, out, err = ctl_raw("help")
    assert rc == 0, err
    text = out + err
    for word in ("status", "clinician", "client", "service", "room", "book", "list",
                 "show", "move", "cancel", "mark", "audit"):
        assert word in text, "help should mention %s:\n%s" % (word, text)


def test_help_book_shows_its_options():
    rc, out, err = ctl_raw("help", "book")
    assert rc == 0, err
    text = out + err
    for opt in ("--client", "--clinician", "--service", "--at", "--room", "--video",
                "--force", "--overlap"):
        assert opt in text, "help book should mention %s:\n%s" % (opt, text)


def test_help_unknown_command():
    rc, out, err = ctl_raw("help", "frobnicate")
    assert rc == 2, (rc, out, err)
    assert out == ""
    assert err.startswith("practicectl: ") and "frobnicate" in err, err


def test_help_needs_no_daemon(workdir):
    rc, out, err = ctl_raw("-s", os.path.join(workdir, "none.sock"), "help")
    assert rc == 0, err
    assert out == ctl_raw("help")[1]
    assert "book" in out and "cancel" in out, out


# --------------------------------------------------------------- output

def test_json_output_is_the_daemons_answer(module_practice):
    rc, out, err = module_practice.ctl("status")
    assert out["version"] == "0.1.0" and out["api"] == 1


def test_human_list_shows_client_and_time(module_clinic):
    s, p = module_clinic, module_clinic.p
    book(p, s.jordan, s.ana, s.svc, at(s.monday, "10:00"), "--room", s.room1)
    book(p, s.sam, s.ben, s.svc, at(s.monday, "15:30"))
    rc, out, err = p.ctl("list", "--day", s.monday.isoformat(), json=False)
    assert rc == 0, err
    assert "Jordan Lee" in out and "10:00" in out, out
    assert "Sam Park" in out and "15:30" in out, out
    assert "Ana Ruiz" in out and "Ben Okafor" in out, out
    # ordered by time
    assert out.index("10:00") < out.index("15:30"), out
    with pytest.raises(ValueError):
        json.loads(out)


def test_human_list_in_another_zone(module_clinic):
    s, p = module_clinic, module_clinic.p
    wed = s.monday + dt.timedelta(days=2)
    a = book(p, s.jordan, s.ana, s.svc, at(wed, "11:00"))[1]["appointment"]
    # 11:00 in New York is the next day in Tokyo: ask for both days
    days = ("--from", wed.isoformat(), "--to", (wed + dt.timedelta(days=1)).isoformat(),
            "--clinician", str(s.ana))
    rc, out, err = p.ctl("list", *days, json=False, zone="Asia/Tokyo")
    assert rc == 0, err
    tokyo = local_in(a["start"], "Asia/Tokyo")          # "YYYY-MM-DD HH:MM"
    assert tokyo[-5:] in out and "Jordan Lee" in out, (tokyo, out)
    # PRACTICED_TZ does the same as -z
    rc, out2, err = run_ctl([PRACTICECTL, "-s", p.sock, "list", *days],
                            env={"PRACTICED_TZ": "Asia/Tokyo"}, json=False)
    assert tokyo[-5:] in out2, out2


def test_human_show_and_book_output(module_clinic):
    s, p = module_clinic, module_clinic.p
    fri = s.monday + dt.timedelta(days=4)
    rc, out, err = p.ctl("book", "--client", s.jordan, "--clinician", s.ana,
                         "--service", s.svc, "--at", at(fri, "10:00"), json=False)
    assert rc == 0, err
    (a,) = p.ctl("list", "--day", fri.isoformat())[1]["appointments"]
    assert str(a["id"]) in out, "book should print the new id: %r" % out
    rc, out, err = p.ctl("show", a["id"], json=False)
    assert rc == 0, err
    for text in ("Jordan Lee", "Ana Ruiz", "Individual session", "10:00", "booked"):
        assert text in out, (text, out)


def test_human_status_and_people_lists(module_clinic):
    p = module_clinic.p
    rc, out, err = p.ctl("status", json=False)
    assert "Test Practice" in out, out
    rc, out, err = p.ctl("clinician", "list", json=False)
    assert "Ana Ruiz" in out and "Ben Okafor" in out, out
    rc, out, err = p.ctl("client", "list", json=False)
    assert "Jordan Lee" in out and "Sam Park" in out, out
