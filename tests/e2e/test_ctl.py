"""practicectl's own promises in practicectl(8): the version, help and its
text, --option=value, "--", the aliases, global options anywhere on the
line, --json refusals as an error object, tables that stay aligned with
wide characters and fit, and the hint for a dashed closure range."""

import datetime as dt
import fcntl
import json
import os
import pty
import struct
import subprocess
import termios
import unicodedata

import pytest

from conftest import PRACTICECTL, SANITIZER_MARKS, read_pty, run_ctl, today


def ctl_raw(*args, env=None):
    """practicectl with exactly these arguments: (rc, stdout, stderr)."""
    return run_ctl([PRACTICECTL] + [str(a) for a in args], env=env,
                   check=False, json=False)


def ctl_sock(p, *args):
    """practicectl -s SOCK with these arguments, nothing added."""
    return ctl_raw("-s", p.sock, *args)


def width(text):
    """Columns text takes on a terminal: 2 for wide, 0 for combining."""
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def on_tty(cmd, columns, env=None):
    """Run cmd with stdout on a pseudo-terminal of the given width;
    returns (rc, the text it wrote there, stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    e = dict(os.environ)
    e.pop("COLUMNS", None)
    e.update(env or {})
    proc = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=e)
    os.close(slave)
    out = read_pty(master)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    rc = proc.wait(timeout=20)
    for mark in SANITIZER_MARKS:
        assert mark not in err, err
    return rc, out.decode().replace("\r\n", "\n"), err


# ---------------------------------------------------------------- version

@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    rc, out, err = ctl_raw(flag)
    assert rc == 0, err
    assert out == "practicectl 0.1.0 (api 1)\n", out
    assert err == ""


def test_version_after_the_command_needs_no_daemon(workdir):
    rc, out, err = ctl_raw("-s", os.path.join(workdir, "none.sock"), "status", "-V")
    assert (rc, out) == (0, "practicectl 0.1.0 (api 1)\n"), (rc, out, err)


# ------------------------------------------------------------------- help

COMMANDS = [
    "status", "clinician add", "clinician list", "clinician show",
    "clinician edit", "clinician hours", "client add", "client list",
    "client show", "client edit", "client history", "service add",
    "service list", "service show", "service edit", "room add", "room list",
    "room show", "room edit", "book", "list", "show", "move", "cancel",
    "restore", "mark", "series list", "series show", "slots", "closure add",
    "closure list", "closure remove", "closure cancel", "report attendance",
    "reminders list",
    "reminders explain", "reminders retry", "reminders test",
    "export",
    "feed add", "feed list", "feed rotate", "feed revoke",
    "audit",
    "busy add", "busy list", "busy refresh", "busy remove",
    "backup", "verify",
    "client export", "client erase", "agenda",
    "import",
    "help",
]


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["help"]])
def test_help_lists_every_command_with_its_summary(args):
    rc, out, err = ctl_raw(*args)
    assert rc == 0 and err == "", (rc, err)
    lines = out.splitlines()
    assert lines[0] == ("usage: practicectl [-hqV] [--json] [-s socket] "
                        "[-z zone] command [argument ...]"), lines[0]
    listed = [l[2:20].rstrip() for l in lines if l.startswith("  ")]
    assert listed == COMMANDS, listed
    assert "  book               book an appointment or a series of them" in lines
    assert "  list               list appointments (default: today)" in lines
    assert '"practicectl help COMMAND" explains one; practicectl(8) has the rest.' in lines


def test_help_of_a_command():
    rc, out, err = ctl_raw("help", "cancel")
    assert rc == 0 and err == "", err
    lines = out.splitlines()
    assert lines[0] == ("usage: practicectl cancel ID [--this | --following | --all] "
                        "[--by client|practice] [--reason TEXT]"), lines[0]
    assert lines[1] == ""
    assert lines[2].startswith("Cancels an appointment, by the practice unless --by client."), out
    assert "--following also ends the series before this session; --all" in lines


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_after_a_command_is_help_of_that_command(flag):
    rc, out, err = ctl_raw("book", "--client", "x", flag)
    assert rc == 0, err
    assert out == ctl_raw("help", "book")[1]
    assert out.startswith("usage: practicectl book --client C --clinician X "
                          "--service S --at WHEN"), out
    assert "--repeat books a series at the same wall time" in out


def test_help_of_a_group_explains_ref():
    rc, out, err = ctl_raw("help", "room")
    assert rc == 0, err
    assert out.splitlines()[:3] == [
        "room commands:",
        "  practicectl room add NAME",
        "      add a room",
    ], out
    assert "  practicectl room edit REF [--name N] [--active yes|no]" in out
    assert "REF is an id, or a case-insensitive prefix of the name" in out
    assert out.rstrip().endswith('"practicectl help room add" (and so on) explains one.')


def test_help_of_an_alias_is_help_of_its_command():
    assert ctl_raw("help", "ls")[1] == ctl_raw("help", "list")[1]
    assert ctl_raw("help", "closure", "rm")[1] == ctl_raw("help", "closure", "remove")[1]


def test_help_of_no_command():
    rc, out, err = ctl_raw("help", "frobnicate")
    assert rc == 2 and out == "", (rc, out)
    assert err.startswith("practicectl: no such command: frobnicate\n"), err


# ----------------------------------------------------- the command line

def test_option_equals_value(module_practice):
    p = module_practice
    day = (today() + dt.timedelta(days=3)).isoformat()
    rc, spaced, err = ctl_sock(p, "--json", "list", "--day", day)
    assert rc == 0, err
    rc, joined, err = ctl_sock(p, "--json", "list", "--day=" + day)
    assert rc == 0, err
    assert json.loads(joined) == json.loads(spaced)
    assert json.loads(joined)["from"] == day
    # and for the global options
    rc, out, err = ctl_raw("--socket=" + p.sock, "--zone=Asia/Tokyo", "--json",
                           "list", "--day=" + day)
    assert rc == 0, err
    assert json.loads(out)["tz"] == "Asia/Tokyo"


def test_double_dash_ends_the_options(module_practice):
    p = module_practice
    rc, out, err = ctl_sock(p, "--json", "client", "add", "--", "--Dash", "Person")
    assert rc == 0, err
    assert json.loads(out)["client"]["name"] == "--Dash Person"
    rc, out, err = ctl_sock(p, "--json", "client", "show", "--", "--dash")
    assert rc == 0, err
    assert json.loads(out)["client"]["name"] == "--Dash Person"
    # after "--", "--json" is a word too
    rc, out, err = ctl_sock(p, "list", "--", "--json")
    assert rc == 2, (rc, out, err)
    assert "unexpected argument: --json" in err


@pytest.mark.parametrize("alias,command", [
    (["ls"], ["list"]),
    (["clients"], ["client", "list"]),
    (["client", "ls"], ["client", "list"]),
    (["closures"], ["closure", "list"]),
    (["clinicians"], ["clinician", "list"]),
    (["series"], ["series", "list"]),
])
def test_aliases(module_practice, alias, command):
    p = module_practice
    rc, a, err = ctl_sock(p, "--json", *alias)
    assert rc == 0, err
    rc, c, err = ctl_sock(p, "--json", *command)
    assert rc == 0, err
    assert json.loads(a) == json.loads(c)


def test_closure_rm_alias(module_practice):
    p = module_practice
    rc, out, err = ctl_sock(p, "--json", "closure", "add", "2031-01-02", "Alias", "test")
    assert rc == 0, err
    cid = json.loads(out)["closure"]["id"]
    rc, out, err = ctl_sock(p, "closure", "rm", cid)
    assert rc == 0, err
    assert out.startswith("removed closure %d: 2031-01-02 Alias test" % cid), out


# -------------------------------------------- global options anywhere

def test_zone_after_the_command(module_practice):
    p = module_practice
    day = (today() + dt.timedelta(days=2)).isoformat()
    rc, out, err = ctl_sock(p, "list", "--day", day, "--zone", "Asia/Tokyo", "--json")
    assert rc == 0, (rc, err)
    assert json.loads(out)["tz"] == "Asia/Tokyo"
    rc, out, err = ctl_sock(p, "list", "--day", day, "-z", "UTC", "--json")
    assert rc == 0, (rc, err)
    assert json.loads(out)["tz"] == "UTC"


def test_socket_and_json_after_the_command(module_practice):
    rc, out, err = ctl_raw("status", "--json", "-s", module_practice.sock)
    assert rc == 0, err
    assert json.loads(out)["practice"]["name"] == "Test Practice"
    rc, out, err = ctl_raw("status", "--socket", module_practice.sock)
    assert rc == 0, err
    assert "practice:" in out


def test_a_commands_own_zone_wins(module_practice):
    """client add has a --zone of its own: the client's zone."""
    p = module_practice
    rc, out, err = ctl_sock(p, "--json", "client", "add", "Zoned Client",
                            "--zone", "Europe/London")
    assert rc == 0, err
    assert json.loads(out)["client"]["zone"] == "Europe/London"


# ------------------------------------------------------ --json refusals

def test_json_usage_error_is_an_error_object(module_practice):
    rc, out, err = ctl_sock(module_practice, "list", "--bogus", "--json")
    assert rc == 2, (rc, out, err)
    e = json.loads(out)["error"]
    assert e["code"] == "usage"
    assert e["message"] == "unknown option --bogus"
    assert e["details"]["usage"].startswith("practicectl list [--day D"), e
    assert err.startswith("practicectl: unknown option --bogus\nusage: practicectl list"), err


def test_json_unreachable_is_an_error_object(workdir):
    path = os.path.join(workdir, "gone.sock")
    rc, out, err = ctl_raw("--json", "-s", path, "status")
    assert rc == 3, (rc, out, err)
    e = json.loads(out)["error"]
    assert e["code"] == "unreachable"
    assert path in e["message"] and e["details"] == {"socket": path}, e
    assert err.startswith("practicectl: cannot connect to " + path), err


def test_json_refusal_by_the_daemon(module_practice):
    rc, out, err = ctl_sock(module_practice, "--json", "show", "424242")
    assert rc == 1, (rc, out, err)
    e = json.loads(out)["error"]
    assert e["code"] == "not_found" and e["message"], e
    assert err == "practicectl: %s\n" % e["message"], err


def test_json_refusal_of_a_too_large_request(module_practice):
    """Refused before our handlers (HTML from evhttp, or our JSON): the
    script gets an error object with the protocol's code either way."""
    rc, out, err = ctl_sock(module_practice, "--json", "client", "add", "n" * 70000)
    assert rc == 1, (rc, out, err)
    e = json.loads(out)["error"]
    assert e["code"] == "too_large", e
    assert len(err.splitlines()) == 1 and err.startswith("practicectl: "), err


def test_no_json_no_error_object(module_practice):
    rc, out, err = ctl_sock(module_practice, "list", "--bogus")
    assert rc == 2 and out == "", (rc, out)


# ----------------------------------------------------------------- tables

WIDE_NAMES = ["山田 太郎", "Zoë 😀 Smith", "José Ñúñez-Øster", "Ana Ruiz"]


@pytest.fixture(scope="module")
def wide_clients(module_practice):
    p = module_practice
    for name in WIDE_NAMES:
        rc, out, err = ctl_sock(p, "client", "add", name, "--email",
                                "w%d@example.org" % WIDE_NAMES.index(name))
        assert rc == 0, err
    return p


def email_column(out):
    """The display column of EMAIL in the header, and where each of the
    wide clients' emails starts in its row."""
    lines = out.splitlines()
    col = width(lines[0][:lines[0].index("EMAIL")])
    starts = []
    for i in range(len(WIDE_NAMES)):
        email = "w%d@example.org" % i
        (line,) = [l for l in lines if email in l]
        starts.append(width(line[:line.index(email)]))
    return col, starts


def test_table_aligned_with_wide_characters(wide_clients):
    rc, out, err = ctl_sock(wide_clients, "clients")
    assert rc == 0, err
    col, starts = email_column(out)
    assert starts == [col] * len(WIDE_NAMES), "EMAIL misaligned:\n" + out
    for name in WIDE_NAMES:
        assert name in out, out


def test_long_cells_are_cut_with_an_ellipsis(module_practice):
    p = module_practice
    name = "Bartholomew " + "Q" * 88                 # 100 characters
    email = "long." + "x" * 60 + "@example.org"
    rc, out, err = ctl_sock(p, "--json", "client", "add", name, "--email", email)
    assert rc == 0, err
    cid = json.loads(out)["client"]["id"]
    rc, out, err = ctl_sock(p, "clients")
    assert rc == 0, err
    (row,) = [l for l in out.splitlines() if l.startswith("%d " % cid)]
    assert name not in row and email not in row, row
    assert "Bartholomew QQQ" in row and "long.xxx" in row, row
    assert row.count("\u2026") == 2, row
    assert max(width(l) for l in out.splitlines()) < 130, out
    # the record itself is whole
    rc, out, err = ctl_sock(p, "client", "show", cid)
    assert name in out and email in out, out
    rc, out, err = ctl_sock(p, "--json", "clients")
    assert name in [c["name"] for c in json.loads(out)["clients"]]


def test_table_fits_the_terminal(wide_clients):
    p = wide_clients
    rc, out, err = ctl_sock(p, "client", "add", "Cordelia " + "W" * 60,
                            "--email", "c" * 40 + "@example.org")
    assert rc == 0, err
    rc, out, err = on_tty([PRACTICECTL, "-s", p.sock, "clients"], 80)
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) > 4, out
    assert all(width(l) <= 80 for l in lines), "wider than the terminal:\n" + out
    assert "Cordelia WWW" in out and "\u2026" in out, out
    assert lines[0].split() == ["ID", "NAME", "EMAIL", "PHONE", "REMIND", "ZONE", "ACTIVE"]
    # still aligned: the EMAIL column starts at one place
    col, starts = email_column(out)
    assert starts == [col] * len(WIDE_NAMES), out
    # a wide terminal shows the short names whole
    rc, out, err = on_tty([PRACTICECTL, "-s", p.sock, "clients"], 200)
    assert "山田 太郎" in out and "Zoë 😀 Smith" in out, out


def test_width_holds_in_any_locale(wide_clients):
    """The text is UTF-8 whatever LANG says; LANG=C must not break widths."""
    rc, out, err = run_ctl([PRACTICECTL, "-s", wide_clients.sock, "clients"],
                           env={"LANG": "C", "LC_ALL": "C"}, check=False, json=False)
    assert rc == 0, err
    rc2, out2, err2 = run_ctl([PRACTICECTL, "-s", wide_clients.sock, "clients"],
                              env={"LC_ALL": "C.UTF-8"}, check=False, json=False)
    assert out == out2


# --------------------------------------------------------------- closures

def test_closure_dashed_range_suggests_dots(module_practice):
    rc, out, err = ctl_sock(module_practice, "closure", "add",
                            "2026-12-24-2026-12-26", "Office", "closed")
    assert rc == 2, (rc, out, err)
    assert err.splitlines()[0] == (
        "practicectl: not DATE or DATE..DATE: 2026-12-24-2026-12-26 "
        "(did you mean 2026-12-24..2026-12-26?)"), err
    assert err.splitlines()[1].startswith("usage: practicectl closure add FROM[..TO]")
