"""
The documents' examples, run as written, so that they cannot drift from
the programs: the README's "Try it" walkthrough and the EXAMPLES of
practicectl(8) against the demo practice of `make run`, the control
protocol's curl examples of practiced(8), and the configuration examples
of practiced.conf(5) through `practiced -n`.

The commands are read from README.md and the mdoc sources (never copied
here) and run one at a time in one bash, with the real practicectl on
PATH.  bash's trace says what each command expanded to; the test reads
the practice before and after each one and checks what it did: a booking
made what it says, a move or a cancel acted on a session the walkthrough
made itself, and nothing of the demo's clients changed.
"""

import datetime as dt
import json
import os
import re
import select
import shlex
import shutil
import socket
import sqlite3
import subprocess
import tempfile

import pytest

from conftest import (BUILD, PRACTICED, REPO, SANITIZER_MARKS, TZ, Practice,
                      _group_exists, _user_exists, today)
from peers import free_port

README = os.path.join(REPO, "README.md")
MAKEFILE = os.path.join(REPO, "Makefile")
DEMO_CONF = os.path.join(REPO, "tests", "demo.conf.in")
CTL_PAGE = os.path.join(REPO, "ctl", "practicectl.8")
DAEMON_PAGE = os.path.join(REPO, "daemon", "practiced.8")
CONF_PAGE = os.path.join(REPO, "daemon", "practiced.conf.5")

# The socket the pages name: the examples' curl commands reach the demo's.
DEFAULT_SOCKET = "/run/practiced/practiced.sock"
COMMAND_TIMEOUT = 60.0


# --------------------------------------------------------------------------
# Reading the documents.

def readme_blocks(section):
    """The indented code blocks of a README section ("## Try it")."""
    text = open(README, encoding="utf-8").read()
    start = text.index("\n## %s\n" % section)
    end = text.find("\n## ", start + 1)
    body = text[start:end if end != -1 else len(text)]
    blocks, cur = [], []
    for line in body.split("\n"):
        if line.startswith("    ") or (cur and line.strip() == ""):
            cur.append(line[4:])
            continue
        if cur:
            blocks.append("\n".join(cur).strip("\n"))
            cur = []
    if cur:
        blocks.append("\n".join(cur).strip("\n"))
    return blocks


def shell_commands(text):
    """The commands of a shell block: lines joined at a trailing backslash,
    blank and comment-only lines left out."""
    cmds, cur = [], ""
    for line in text.split("\n"):
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        cur += line
        if line.endswith("\\"):
            cur += "\n"
            continue
        cmds.append(cur)
        cur = ""
    assert not cur, "the block ends inside a command: %r" % cur
    return cmds


def mdoc_unescape(line):
    return (line.replace("\\e", "\\").replace("\\-", "-")
            .replace("\\&", "").replace("\\(aq", "'"))


def mdoc_literal_blocks(path, section=None):
    """The literal displays (.Bd -literal ... .Ed) of a page, or of one of
    its sections, unescaped, each as (first line number, lines)."""
    blocks, cur, start, inside = [], None, 0, section is None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith(".Sh "):
            inside = section is None or line[4:].strip() == section
        if not inside:
            continue
        if line.startswith(".Bd -literal"):
            cur, start = [], n + 1
        elif line.startswith(".Ed") and cur is not None:
            blocks.append((start, cur))
            cur = None
        elif cur is not None:
            cur.append(mdoc_unescape(line))
    return blocks


class Example:
    """One command of a page's example, with the output the page shows."""

    def __init__(self, where, prompt, command):
        self.where = where
        self.prompt = prompt
        self.command = command
        self.output = []

    def __repr__(self):
        return "%s: %s" % (self.where, self.command.splitlines()[0])


def prompted_commands(path, blocks):
    """The commands of literal blocks written as a terminal session: "$ "
    or "# " starts a command, a trailing backslash or a here-document
    continues it, and the other lines are its output as the page shows it."""
    out = []
    for start, lines in blocks:
        i = 0
        while i < len(lines):
            line = lines[i]
            where = "%s:%d" % (os.path.basename(path), start + i)
            if line[:2] in ("$ ", "# "):
                ex = Example(where, line[0], line[2:])
                heredoc = re.search(r"<<-?\s*'?(\w+)'?", line)
                while (ex.command.endswith("\\") or not balanced(ex.command)) \
                        and i + 1 < len(lines):
                    i += 1
                    ex.command += "\n" + lines[i]
                    heredoc = heredoc or re.search(r"<<-?\s*'?(\w+)'?",
                                                   lines[i])
                if heredoc:
                    while i + 1 < len(lines):
                        i += 1
                        ex.command += "\n" + lines[i]
                        if lines[i].strip() == heredoc.group(1):
                            break
                out.append(ex)
            elif out and line.strip():
                out[-1].output.append(line)
            i += 1
    return out


def balanced(command):
    """Whether a command's quotes are closed (a JSON body may span lines
    inside single quotes)."""
    try:
        shlex.split(command.split("<<")[0])
    except ValueError:
        return False
    return True


def output_shape(line):
    """A line of sample output with the parts that vary by day blurred:
    digits, and the spaces that align table columns."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "N", line)).strip()


# --------------------------------------------------------------------------
# The demo practice, started as `make run` starts it, and a shell in it.

def make_run_recipe():
    """The run target's recipe lines of the Makefile."""
    lines, inside, cont = [], False, False
    for line in open(MAKEFILE, encoding="utf-8"):
        if re.match(r"^run\s*:", line):
            inside = True
            continue
        if inside:
            if not line.startswith("\t") and not cont:
                break
            part = line.strip()
            if cont:
                lines[-1] += " " + part.rstrip("\\").strip()
            else:
                lines.append(part.rstrip("\\").strip())
            cont = part.endswith("\\")
    assert lines, "no run target in the Makefile"
    return lines


class Demo:
    """A folder laid out as a checkout after `make run`: build/ is the
    build under test, run/ holds the demo practice's configuration,
    database and socket, and the daemon runs on it."""

    def __init__(self):
        recipe = make_run_recipe()
        # What this class does is what the recipe does; if the recipe
        # changes, this must follow.
        assert any('s|@RUN@|$(CURDIR)/run|g' in l and
                   "tests/demo.conf.in > run/practiced.conf" in l
                   for l in recipe), recipe
        assert "exec build/practiced -d -f run/practiced.conf" in recipe, recipe
        self.top = tempfile.mkdtemp(prefix="pdtest-docs-")
        os.chmod(self.top, 0o755)
        os.symlink(BUILD, os.path.join(self.top, "build"))
        run = os.path.join(self.top, "run")
        os.mkdir(run)
        os.chmod(run, 0o755)
        self.p = Practice(run)
        # The feeds' listener on a free port: tests run side by side,
        # and a developer's `make run` may hold the demo's.
        self.feeds = "127.0.0.1:%d" % free_port()
        with open(DEMO_CONF, encoding="utf-8") as f:
            text = f.read()
        assert "listen = 127.0.0.1:8470\n" in text
        self.p.write_config(text=text.replace("@RUN@", run).replace(
            "listen = 127.0.0.1:8470\n", "listen = %s\n" % self.feeds))
        # Practice.start runs practiced -d -f run/practiced.conf, waits for
        # READY=1, and its stop checks the exit and the sanitizers.
        self.p.start()

    def close(self):
        try:
            self.p.stop()
        finally:
            self.p.kill()
            shutil.rmtree(self.top, ignore_errors=True)


class Shell:
    """One bash that runs commands one at a time, as a user at a terminal
    would, keeping variables from one to the next.  Each command's stdout,
    stderr, exit status and trace (set -x: the commands as expanded) are
    kept apart."""

    def __init__(self, cwd, env=None):
        self.cwd = cwd
        self.dir = tempfile.mkdtemp(prefix="pdtest-sh-")
        e = dict(os.environ)
        for k in ("PRACTICED_SOCKET", "PRACTICED_TZ", "BASH_ENV", "ENV"):
            e.pop(k, None)
        e["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        e["TZ"] = TZ        # date(1) counts days as the practice does
        e.update(env or {})
        self.proc = subprocess.Popen(
            ["bash", "--norc", "--noprofile"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd,
            env=e, text=True, bufsize=1)
        self.n = 0
        self._send("set -o pipefail; PS4='+ '; exec 9>/dev/null; "
                   "BASH_XTRACEFD=9\n")

    def _send(self, text):
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def run(self, command):
        """Runs one command: (rc, stdout, stderr, trace), where trace is
        [(depth, argv)] of the simple commands it ran."""
        self.n += 1
        base = os.path.join(self.dir, "c%d" % self.n)
        self._send("{ set -x\n%s\n__rc=$?; set +x; } >%s.out 2>%s.err "
                   "9>%s.trace\necho \"__done %d $__rc\"\n"
                   % (command, base, base, base, self.n))
        line = self._readline()
        m = re.match(r"^__done %d (\d+)$" % self.n, line or "")
        assert m, "the shell answered %r to %r" % (line, command)
        with open(base + ".out") as f:
            out = f.read()
        with open(base + ".err") as f:
            err = f.read()
        with open(base + ".trace") as f:
            trace = parse_trace(f.read())
        return int(m.group(1)), out, err, trace

    def _readline(self):
        r, _, _ = select.select([self.proc.stdout], [], [], COMMAND_TIMEOUT)
        if not r:
            raise AssertionError("a command did not end within %.0f s"
                                 % COMMAND_TIMEOUT)
        return self.proc.stdout.readline().rstrip("\n")

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def parse_trace(text):
    """bash's xtrace as [(depth, argv)]; our own bookkeeping left out."""
    entries = []
    for line in text.split("\n"):
        m = re.match(r"^(\++) (.*)$", line)
        if m:
            entries.append([len(m.group(1)), m.group(2)])
        elif entries:
            entries[-1][1] += "\n" + line
    out = []
    for depth, rest in entries:
        if rest.startswith(("set +x", "__rc=")):
            continue
        try:
            out.append((depth, shlex.split(rest)))
        except ValueError:
            out.append((depth, [rest]))
    return out


# --------------------------------------------------------------------------
# What the practice holds, and what a practicectl command should have done.

def ctl_words(argv):
    """practicectl's argv without its global options: (words, options)
    where options maps --name to its value (True for a flag)."""
    args, i, globals_ = [], 1, {}
    while i < len(argv):
        a = argv[i]
        if a in ("-s", "--socket", "-z", "--zone") and not args:
            globals_[a] = argv[i + 1]
            i += 2
            continue
        args.append(a)
        i += 1
    return args


# The options that take no value, the global ones among them.
FLAGS = {"json", "quiet", "help", "version", "force", "overlap", "skip",
         "this", "following", "all"}


def options_of(args):
    """--name VALUE / --name=VALUE / --flag of a command's words; the
    positional words apart."""
    pos, opts, i = [], {}, 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if eq:
                opts[name] = value
            elif name not in FLAGS and i + 1 < len(args):
                opts[name] = args[i + 1]
                i += 1
            else:
                opts[name] = True
        elif a.startswith("-") and len(a) > 1:
            opts[a] = True
        else:
            pos.append(a)
        i += 1
    return pos, opts


class State:
    """The records of the practice, read through practicectl --json."""

    def __init__(self, p):
        start = (today() - dt.timedelta(days=3)).isoformat()
        end = (today() + dt.timedelta(days=800)).isoformat()
        self.appts = {a["id"]: a for a in
                      p.ctl("list", "--from", start, "--to", end)[1]
                      ["appointments"]}
        self.series = {s["id"]: s for s in
                       p.ctl("series", "list", "--all")[1]["series"]}
        self.closures = {c["id"]: c for c in
                         p.ctl("closure", "list", "--from", start, "--to",
                               end)[1]["closures"]}
        self.clinicians = {c["id"]: c for c in
                           p.ctl("clinician", "list", "--all")[1]
                           ["clinicians"]}
        self.clients = {c["id"]: c for c in
                        p.ctl("client", "list", "--all")[1]["clients"]}


def appt_key(a):
    """What a change to an appointment would change."""
    return (a["start"], a["end"], a["state"], a.get("cancelled_by"),
            a["clinician"]["id"], a["client"]["id"],
            (a.get("room") or {}).get("id"), a.get("series"),
            a.get("version"))


def name_matches(ref, record):
    """Whether a REF (id, or a prefix of the name or of a word of it)
    names this record."""
    if ref.isdigit():
        return int(ref) == record["id"]
    name = record["name"].lower()
    ref = ref.lower()
    return name.startswith(ref) or any(w.startswith(ref)
                                       for w in re.split(r"[\s-]+", name))


def when(text):
    """A WHEN as the practice reads it: "YYYY-MM-DD HH:MM" (the date may
    be today, tomorrow or yesterday, and a T may join the two)."""
    day, _, hhmm = text.replace("T", " ", 1).partition(" ")
    words = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if day.lower() in words:
        day = (today() + dt.timedelta(days=words[day.lower()])).isoformat()
    return "%s %s" % (day, hhmm.zfill(5))


def date_of(text):
    return when(text + " 00:00")[:10]


DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def hours_of(spec_words):
    """The (day, start, end) a `clinician hours` SPEC gives."""
    out, days = set(), []
    for word in " ".join(spec_words).replace(",", " ").split():
        if re.match(r"^\d\d?:\d\d-\d\d?:\d\d$", word):
            s, e = word.split("-")
            for d in days:
                out.add((d, s.zfill(5), e.zfill(5)))
            continue
        if word == "daily":
            days = DAYS[:]
        elif word == "weekdays":
            days = DAYS[:5]
        elif "-" in word:
            a, b = word.split("-")
            days = DAYS[DAYS.index(a):DAYS.index(b) + 1]
        else:
            days = [word]
    return out


class Walkthrough:
    """Runs documented commands one by one and checks each one's effect."""

    def __init__(self, demo, shell, label):
        self.p = demo.p
        self.feeds = demo.feeds
        self.fetched_feed = False
        self.sh = shell
        self.label = label
        self.state = State(self.p)
        self.demo_appts = {i: appt_key(a) for i, a in self.state.appts.items()}
        self.made = set()           # appointment ids made by the walkthrough
        self.made_series = set()
        self.made_people = set()    # ("client"|"clinician", id)
        self.made_closures = set()
        self.ran = []               # the practicectl subcommands that ran

    def step(self, command, expect_output=None):
        before = self.state
        rc, out, err, trace = self.sh.run(command)
        where = "%s: %s" % (self.label, command)
        assert rc == 0, "%s\nexit %d\nstdout: %s\nstderr: %s" % (
            where, rc, out[:2000], err[:2000])
        refusals = [l for l in err.splitlines() if l.startswith("practicectl:")]
        assert not refusals, "%s\n%s" % (where, err)
        for mark in SANITIZER_MARKS:
            assert mark not in err, "%s\n%s" % (where, err)
        after = State(self.p)
        self.state = after
        calls = [(i, argv) for i, (_, argv) in enumerate(trace)
                 if argv and os.path.basename(argv[0]) == "practicectl"]
        for i, argv in calls:
            assert argv[0] == "practicectl", "%s: ran %s, not the practicectl "\
                "on PATH" % (where, argv[0])
            assigned = self.assigned_after(trace, i)
            self.check_call(where, ctl_words(argv), before, after, out,
                            assigned)
        for _, argv in trace:
            if argv and argv[0] == "curl":
                self.check_curl(where, argv, before, after, out)
        self.check_untouched(where, before, after)
        if expect_output:
            got = [output_shape(l) for l in out.splitlines() if l.strip()]
            for want in expect_output:
                assert output_shape(want) in got, (
                    "%s\nthe page shows %r; the output was:\n%s"
                    % (where, want, out))
        return out

    @staticmethod
    def assigned_after(trace, i):
        """The value a command substitution at trace[i] was assigned to
        ("id=$(practicectl ...)" traces "+ id=75"), or None."""
        depth = None
        for d, argv in trace[i:]:
            if depth is None:
                depth = d
                continue
            if d < depth:
                if len(argv) == 1 and re.match(r"^\w+=", argv[0]):
                    return argv[0].split("=", 1)[1]
                return None
        return None

    def check_untouched(self, where, before, after):
        """No appointment of the demo changed, and whatever changed was
        made by the walkthrough."""
        for i, key in self.demo_appts.items():
            assert i in after.appts and appt_key(after.appts[i]) == key, (
                "%s changed the demo's appointment %d (%s): %s -> %s" % (
                    where, i, after.appts.get(i, {}).get("client"), key,
                    after.appts.get(i) and appt_key(after.appts[i])))
        for i, a in after.appts.items():
            if i in before.appts and appt_key(before.appts[i]) != appt_key(a):
                assert i in self.made, "%s changed appointment %d, which " \
                    "the walkthrough did not make" % (where, i)

    def new_appts(self, before, after):
        return sorted(set(after.appts) - set(before.appts))

    def check_call(self, where, args, before, after, out, assigned):
        pos, opts = options_of(args)
        words = " ".join(pos[:2])
        self.ran.append(pos[0] if pos else "")
        quiet = "-q" in opts or "quiet" in opts
        if pos[:2] == ["clinician", "add"] or pos[:2] == ["client", "add"]:
            kind = pos[0]
            table = after.clinicians if kind == "clinician" else after.clients
            old = before.clinicians if kind == "clinician" else before.clients
            new = [table[i] for i in set(table) - set(old)]
            assert len(new) == 1 and new[0]["name"] == " ".join(pos[2:]), (
                where, new)
            for field in ("email", "phone"):
                if field in opts:
                    assert new[0].get(field) == opts[field], (where, new[0])
            self.made_people.add((kind, new[0]["id"]))
            if assigned is not None:
                assert assigned == str(new[0]["id"]), (where, assigned)
        elif words == "clinician hours":
            c = [c for c in after.clinicians.values()
                 if name_matches(pos[2], c)]
            assert len(c) == 1 and ("clinician", c[0]["id"]) in \
                self.made_people, "%s: set the hours of %s, which the " \
                "walkthrough did not add" % (where, c)
            _, shown, _ = self.p.ctl("clinician", "show", str(c[0]["id"]))
            got = {(h["day"], h["start"], h["end"])
                   for h in shown["clinician"]["hours"]}
            assert got == hours_of(pos[3:]), (where, got)
        elif pos[:1] == ["book"]:
            self.check_book(where, opts, before, after, assigned, quiet, out)
        elif pos[:1] == ["move"]:
            self.check_move(where, pos, opts, before, after)
        elif pos[:1] == ["cancel"]:
            self.check_cancel(where, pos, opts, before, after)
        elif pos[:1] == ["restore"]:
            self.check_restore(where, pos, before, after)
        elif pos[:1] == ["mark"]:
            i = int(pos[1])
            assert i in self.made, "%s: marked appointment %d, which the " \
                "walkthrough did not make" % (where, i)
            assert after.appts[i]["state"] == pos[2], (where, after.appts[i])
        elif words == "closure add":
            new = [after.closures[i] for i in
                   set(after.closures) - set(before.closures)]
            first, _, last = pos[2].partition("..")
            assert len(new) == 1 and new[0]["from"] == date_of(first) and \
                new[0]["to"] == date_of(last or first), (where, new)
            assert new[0]["reason"] == " ".join(pos[3:]), (where, new)
            if "clinician" in opts:
                assert name_matches(opts["clinician"],
                                    new[0]["clinician"]), (where, new)
            self.made_closures.add(new[0]["id"])
        elif words == "feed add" and assigned is not None:
            # The address alone, on the demo's listener, for curl.
            assert re.match(r"^http://%s/feed/[A-Za-z0-9_-]{43}\.ics$"
                            % re.escape(self.feeds), assigned), (where,
                                                                  assigned)
            assert appt_state(before) == appt_state(after), where
        else:
            # Everything else only reads.
            assert appt_state(before) == appt_state(after), (
                "%s: a command that reads changed appointments" % where)
            assert before.series.keys() == after.series.keys(), where
            if pos[:1] in (["list"], ["ls"]) and quiet and assigned:
                for i in assigned.split():
                    assert int(i) in after.appts, (where, i)
                    a = after.appts[int(i)]
                    if "client" in opts:
                        assert name_matches(opts["client"], a["client"]), (
                            where, a)
                    if "day" in opts:
                        assert a["local_start"][:10] == date_of(opts["day"]), (
                            where, a)
            elif not quiet:
                assert out.strip(), "%s printed nothing" % where

    def check_curl(self, where, argv, before, after, out):
        """A request of the control protocol: it was answered without an
        error, and did what its method and path say.  Or a feed's fetch,
        on the demo's feeds listener: it changed nothing."""
        feed = [a for a in argv if a.startswith("http://%s/feed/"
                                                % self.feeds)]
        if feed:
            assert appt_state(before) == appt_state(after), where
            self.fetched_feed = True
            return
        url = [a for a in argv if a.startswith("http://localhost/")]
        assert len(url) == 1, (where, argv)
        path = url[0][len("http://localhost"):]
        method = argv[argv.index("-X") + 1] if "-X" in argv else (
            "POST" if "--data" in argv or "-d" in argv else "GET")
        try:
            answer = json.loads(out)
        except ValueError:
            raise AssertionError("%s: the answer is not JSON: %r"
                                 % (where, out[:500]))
        assert "error" not in answer, (where, answer)
        route = path.split("?")[0]
        new = self.new_appts(before, after)
        if method == "GET":
            assert appt_state(before) == appt_state(after), where
        elif route == "/v1/appointments":
            assert new, "%s booked nothing" % where
            self.made.update(new)
            if answer.get("series"):
                self.made_series.add(answer["series"]["id"])
            assert answer["appointment"]["id"] in new, (where, answer)
        elif re.match(r"^/v1/appointments/\d+/move$", route):
            i = int(route.split("/")[3])
            assert i in self.made, "%s moved appointment %d, which the " \
                "example did not make" % (where, i)
            assert answer["appointment"]["id"] == i, (where, answer)
            assert after.appts[i]["local_start"] == \
                answer["appointment"]["local_start"], where
            assert appt_key(after.appts[i]) != appt_key(before.appts[i])
            self.made.update(new)
        elif route == "/v1/closures":
            made = set(after.closures) - set(before.closures)
            assert made == {answer["closure"]["id"]}, (where, answer)
            self.made_closures.update(made)
        elif re.match(r"^/v1/closures/\d+$", route) and method == "DELETE":
            i = int(route.split("/")[3])
            assert i in self.made_closures, (where, i)
            assert i in before.closures and i not in after.closures, where
        else:
            raise AssertionError("%s: no check for %s %s" % (where, method,
                                                             path))

    def check_book(self, where, opts, before, after, assigned, quiet, out):
        new = self.new_appts(before, after)
        assert new, "%s booked nothing" % where
        appts = [after.appts[i] for i in new]
        for a in appts:
            assert name_matches(opts["client"], a["client"]), (where, a)
            assert name_matches(opts["clinician"], a["clinician"]), (where, a)
        self.made.update(new)
        if "repeat" not in opts:
            assert len(new) == 1, (where, new)
            assert appts[0]["local_start"] == when(opts["at"]), (
                where, appts[0])
            if "room" in opts:
                assert name_matches(opts["room"], appts[0]["room"]), where
            if assigned is not None:
                assert assigned == str(new[0]), (
                    "%s: -q printed %r, but the booking is %d"
                    % (where, assigned, new[0]))
            return
        series = set(after.series) - set(before.series)
        assert len(series) == 1, (where, series)
        sid = series.pop()
        self.made_series.add(sid)
        assert all(a["series"] == sid for a in appts), where
        s = after.series[sid]
        assert s["first_local"] == when(opts["at"]), (where, s)
        if "count" in opts:
            skipped = len(s.get("skipped") or [])
            assert len(new) + skipped == int(opts["count"]), (
                where, len(new), skipped)
            if "skip" not in opts:
                assert skipped == 0, where
        if assigned is not None:
            assert assigned == str(sid), (
                "%s: -q printed %r, but the series is %d"
                % (where, assigned, sid))

    def check_move(self, where, pos, opts, before, after):
        i = int(pos[1])
        assert i in self.made, (
            "%s moved appointment %d (%s's), which the walkthrough did not "
            "make" % (where, i, before.appts.get(i, {}).get("client")))
        a = after.appts[i]
        assert a["local_start"] == when(opts["at"]), (where, a)
        assert a["state"] == "booked", (where, a)
        changed = [j for j in after.appts if j in before.appts and
                   appt_key(after.appts[j]) != appt_key(before.appts[j])]
        client = before.appts[i]["client"]["id"]
        assert all(after.appts[j]["client"]["id"] == client
                   for j in changed), (where, changed)
        if "following" in opts:
            old = before.appts[i]["series"]
            assert old in self.made_series, (
                "%s split series %s, which the walkthrough did not make"
                % (where, old))
            new = set(after.series) - set(before.series)
            assert len(new) == 1, (where, new)
            sid = new.pop()
            self.made_series.add(sid)
            s = after.series[sid]
            assert s["parent"] == old and s["client"]["id"] == client, (
                where, s)
            assert a["series"] == sid, (where, a)
            # The sessions from this one on moved with it, to the same time.
            later = [after.appts[j] for j in after.appts
                     if after.appts[j].get("series") == sid]
            assert len(later) > 1, (where, later)
            hhmm = when(opts["at"])[11:]
            assert all(x["local_start"][11:] == hhmm for x in later), where
        else:
            assert changed == [i], (where, changed)

    def check_cancel(self, where, pos, opts, before, after):
        i = int(pos[1])
        assert i in self.made, (
            "%s cancelled appointment %d (%s's), which the walkthrough did "
            "not make" % (where, i, before.appts.get(i, {}).get("client")))
        a = after.appts[i]
        assert a["state"] == "cancelled", (where, a)
        assert a["cancelled_by"] == opts.get("by", "practice"), (where, a)
        if "reason" in opts:
            assert a["cancel_reason"] == opts["reason"], (where, a)
        if "all" not in opts and "following" not in opts:
            changed = [j for j in after.appts if j in before.appts and
                       appt_key(after.appts[j]) != appt_key(before.appts[j])]
            assert changed == [i], (where, changed)

    def check_restore(self, where, pos, before, after):
        i = int(pos[1])
        assert i in self.made, "%s restored appointment %d, which the " \
            "walkthrough did not make" % (where, i)
        assert before.appts[i]["state"] == "cancelled", (where, before.appts[i])
        assert after.appts[i]["state"] == "booked", (where, after.appts[i])
        changed = [j for j in after.appts if j in before.appts and
                   appt_key(after.appts[j]) != appt_key(before.appts[j])]
        assert changed == [i], (where, changed)


def appt_state(s):
    return {i: appt_key(a) for i, a in s.appts.items()}


@pytest.fixture
def demo():
    d = Demo()
    try:
        yield d
    finally:
        d.close()


# --------------------------------------------------------------------------
# README.md

def test_readme_try_it_runs_as_written(demo):
    blocks = readme_blocks("Try it")
    assert len(blocks) == 2 and blocks[0].startswith("make run"), (
        "Try it: expected `make run`, then the walkthrough: %r" % blocks)
    commands = shell_commands(blocks[1])
    sh = Shell(demo.top)
    try:
        w = Walkthrough(demo, sh, "README")
        for command in commands:
            w.step(command)
    finally:
        sh.close()
    # The walkthrough shows the front desk's day: all of these ran.
    for verb in ("status", "list", "clinician", "client", "book", "show",
                 "move", "cancel", "series", "closure", "slots", "report",
                 "audit", "help"):
        assert verb in w.ran, "the README no longer runs %s" % verb
    # The feed's address answered what a phone reads, and was seen.
    assert w.fetched_feed, "the README no longer fetches a feed"
    _, feeds, _ = demo.p.ctl("feed", "list")
    assert [f["fetches"] for f in feeds["feeds"]] == [1], feeds
    robin = [a for a in w.state.appts.values() if a["id"] in w.made]
    assert any(a["state"] == "cancelled" and a["cancelled_by"] == "client"
               for a in robin)
    assert any(s["parent"] in w.made_series for s in w.state.series.values())


def test_readme_commands_are_parsed_from_the_readme():
    """The walkthrough test reads the commands, it does not copy them:
    the README's block is what the test runs, continuation lines joined."""
    commands = shell_commands(readme_blocks("Try it")[1])
    assert commands[0].startswith("export PRACTICED_SOCKET=")
    assert all("practicectl" in c or re.match(r"^\w+=\$\(date ", c)
               or c.startswith(("export ", "curl ")) for c in commands), \
        commands
    assert any(c.count("\n") == 1 and " \\\n" in c for c in commands)


# --------------------------------------------------------------------------
# practicectl(8)

def test_practicectl_examples_run_as_written(demo):
    examples = prompted_commands(CTL_PAGE,
                                 mdoc_literal_blocks(CTL_PAGE, "EXAMPLES"))
    assert len(examples) >= 15, examples
    sh = Shell(demo.top, env={
        "PRACTICED_SOCKET": demo.p.sock,
        "PATH": BUILD + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"})
    try:
        w = Walkthrough(demo, sh, "practicectl.8")
        for ex in examples:
            w.label = "practicectl.8 " + ex.where
            w.step(ex.command, expect_output=ex.output)
    finally:
        sh.close()
    for verb in ("list", "client", "book", "move", "cancel", "restore",
                 "mark", "clinician", "series", "closure", "slots", "report"):
        assert verb in w.ran, "the EXAMPLES no longer run %s" % verb


def test_practicectl_page_quiet_option_documented():
    text = open(CTL_PAGE, encoding="utf-8").read()
    assert ".Op Fl hqV" in text
    assert re.search(r"^\.It Fl q , Fl \\-quiet$", text, re.M)


# --------------------------------------------------------------------------
# practiced(8): the control protocol's examples, with curl

def test_practiced_curl_examples_run_as_written(demo):
    examples = prompted_commands(DAEMON_PAGE, mdoc_literal_blocks(DAEMON_PAGE))
    assert sum("curl" in ex.command for ex in examples) >= 5, examples
    sh = Shell(demo.top, env={
        "PRACTICED_SOCKET": demo.p.sock,
        "PATH": BUILD + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"})
    try:
        w = Walkthrough(demo, sh, "practiced.8")
        for ex in examples:
            w.label = "practiced.8 " + ex.where
            # The page names the default socket; here it is the demo's.
            w.step(ex.command.replace(DEFAULT_SOCKET, demo.p.sock))
    finally:
        sh.close()
    assert w.made_series and w.made_closures


def test_practiced_list_from_alone_covers_seven_days(demo):
    """practiced(8): "from alone covers seven days".  The protocol does."""
    status, answer = demo.p.api("GET", "/v1/appointments?from=today")
    assert status == 200, answer
    first = dt.date.fromisoformat(answer["from"])
    assert dt.date.fromisoformat(answer["to"]) - first == dt.timedelta(days=6)


def test_ctl_list_from_alone_covers_seven_days(demo):
    rc, out, err = demo.p.ctl("list", "--from", "today", check=False)
    assert rc == 0, err
    first = dt.date.fromisoformat(out["from"])
    assert dt.date.fromisoformat(out["to"]) - first == dt.timedelta(days=6)


# --------------------------------------------------------------------------
# practiced.conf(5)

def conf_blocks():
    """The configuration files of the page's EXAMPLES, by the file name in
    their first comment, and its terminal session."""
    files, session = {}, []
    for start, lines in mdoc_literal_blocks(CONF_PAGE, "EXAMPLES"):
        if any(re.match(r"^\[\w+\]$", l) for l in lines):
            m = re.match(r"^# (\S+)$", lines[0])
            assert m, "a configuration example should start with its " \
                "file name as a comment: %r" % lines[0]
            files[m.group(1)] = "\n".join(lines) + "\n"
        else:
            session.append((start, lines))
    return files, session


def practiced_check(path, cwd):
    r = subprocess.run([PRACTICED, "-n", "-f", path], capture_output=True,
                       text=True, timeout=20, cwd=cwd,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout + r.stderr


def test_conf_examples_pass_practiced_check(workdir):
    files, _ = conf_blocks()
    assert "/etc/practiced/practiced.conf" in files, files.keys()
    for name, text in files.items():
        path = os.path.join(workdir, name.lstrip("./").replace("/", "_"))
        # Accounts the example names that this host does not have are the
        # only complaint allowed: each is checked missing, and replaced by
        # one of the test's accounts until the file is accepted.
        for _ in range(10):
            with open(path, "w") as f:
                f.write(text)
            rc, out = practiced_check(path, workdir)
            if rc == 0:
                break
            m = re.search(r'no such (user|group) "([^"]+)"', out)
            assert m, "%s: %s" % (name, out)
            kind, who = m.groups()
            missing = not (_group_exists(who) if kind == "group"
                           else _user_exists(who))
            assert missing, "%s: %s exists, yet: %s" % (name, who, out)
            text = re.sub(r"\b%s\b" % re.escape(who),
                          "pdtest" if kind == "group" else "pdtest-staff",
                          text)
        assert rc == 0 and out.strip().endswith("configuration OK"), (
            name, out)


def test_conf_development_session_runs_as_written(workdir):
    files, session = conf_blocks()
    examples = prompted_commands(CONF_PAGE, session)
    assert examples, session
    for name, text in files.items():
        if name.startswith("./"):
            os.makedirs(os.path.join(workdir, os.path.dirname(name)),
                        exist_ok=True)
            with open(os.path.join(workdir, name), "w") as f:
                f.write(text)
    for ex in examples:
        argv = shlex.split(ex.command)
        assert argv[0] == "practiced", ex
        argv[0] = PRACTICED
        if "-n" in argv:
            r = subprocess.run(argv, capture_output=True, text=True,
                               cwd=workdir, timeout=20,
                               stdin=subprocess.DEVNULL)
            assert r.returncode == 0, (ex, r.stderr)
            assert [l for l in (r.stdout + r.stderr).splitlines()
                    if l.strip()] == ex.output, (ex, r.stdout, r.stderr)
            continue
        # The daemon in the foreground: it starts on the demo practice in
        # the folder of the file, and answers there.
        conf = os.path.join(workdir, argv[argv.index("-f") + 1])
        folder = os.path.dirname(conf)
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(os.path.join(workdir, "notify.sock"))
        env = dict(os.environ, NOTIFY_SOCKET=os.path.join(workdir,
                                                          "notify.sock"))
        proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, env=env,
                                stderr=subprocess.STDOUT, text=True)
        try:
            ready = False
            while not ready:
                r, _, _ = select.select([notify], [], [], 15)
                assert r, "%s: no READY=1 within 15 s" % ex
                ready = b"READY=1" in notify.recv(4096).split(b"\n")
            sock = os.path.join(folder, "practiced.sock")
            r = subprocess.run([os.path.join(BUILD, "practicectl"), "-s",
                                sock, "--json", "status"],
                               capture_output=True, text=True, timeout=20)
            assert r.returncode == 0, (ex, r.stderr)
            answer = json.loads(r.stdout)
            assert answer["practice"]["name"] == "Demo Practice"
            assert answer["practice"]["timezone"] == "Europe/London"
            assert answer["counts"]["appointments"] > 0
            assert os.path.exists(os.path.join(folder, "practice.db"))
        finally:
            notify.close()
            proc.terminate()
            out, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, out


MAN_PAGES = ["daemon/practiced.8", "daemon/practiced.conf.5",
             "ctl/practicectl.8"]


@pytest.mark.parametrize("page", MAN_PAGES)
def test_man_page_is_lint_clean(page):
    """mandoc -Tlint finds nothing, but that the other pages are not
    installed on the machine that builds (they are, once installed)."""
    r = subprocess.run(["mandoc", "-Tlint", "-Wstyle", os.path.join(REPO, page)],
                       capture_output=True, text=True)
    found = [l for l in (r.stdout + r.stderr).splitlines()
             if "referenced manual not found" not in l
             and "outdated mandoc.db" not in l]
    assert found == [], "\n".join(found)


def test_man_page_names_the_schema_and_its_tables(practice):
    """practiced.8 says the schema version the daemon is at, and names
    every table of it."""
    with open(os.path.join(REPO, "daemon", "practiced.8")) as f:
        page = f.read()
    m = re.search(r"The schema is at version (\d+)\.", page)
    assert m, "practiced.8 does not say the schema's version"
    assert int(m.group(1)) == practice.ctl("status")[1]["schema"]
    con = sqlite3.connect("file:%s?mode=ro" % practice.db, uri=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%'")]
    finally:
        con.close()
    missing = [t for t in tables if ".Sy %s" % t not in page]
    assert missing == [], missing
