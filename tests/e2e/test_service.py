"""practiced as a systemd service: make install and uninstall, the units
(systemd-analyze verify and its security rating), and the notify protocol
as systemd speaks it: READY=1, WATCHDOG=1 from the event loop (silent
while the loop is stalled on purpose in a test build), RELOADING=1 and
STOPPING=1."""

import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import time

import pytest

import conftest
from conftest import BUILD, REPO

ANALYZE = shutil.which("systemd-analyze")
MAX_EXPOSURE = 2.0
UNITS = ("practiced.service", "practiced@.service")


def make(*args, timeout=600):
    # Not the settings of a make that runs the tests (make check).
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    r = subprocess.run(["make", "--no-print-directory", "-C", REPO, *args],
                       capture_output=True, text=True, timeout=timeout,
                       env=env)
    assert r.returncode == 0, "make %s -> %d\n%s\n%s" % (
        " ".join(args), r.returncode, r.stdout[-3000:], r.stderr[-3000:])
    return r.stdout


def tree(root):
    """{relative path: mode} of the files and links under root."""
    out = {}
    for top, _, files in os.walk(root):
        for f in files:
            p = os.path.join(top, f)
            out[os.path.relpath(p, root)] = stat.S_IMODE(os.lstat(p).st_mode)
    return out


def install(destdir, prefix="/usr", *extra):
    return make("install", "DESTDIR=%s" % destdir, "PREFIX=%s" % prefix,
                "B=%s" % BUILD, "HOST_SETUP=no", *extra)


def uninstall(destdir, prefix="/usr"):
    return make("uninstall", "DESTDIR=%s" % destdir, "PREFIX=%s" % prefix)


TEMPLATES = sorted(os.listdir(os.path.join(REPO, "etc", "templates")))


def expected_usr(unitdir):
    files = {
        "usr/sbin/practiced": 0o755,
        "usr/bin/practicectl": 0o755,
        "usr/share/man/man8/practiced.8": 0o644,
        "usr/share/man/man8/practicectl.8": 0o644,
        "usr/share/man/man5/practiced.conf.5": 0o644,
        unitdir + "/practiced.service": 0o644,
        unitdir + "/practiced@.service": 0o644,
        "usr/lib/sysusers.d/practiced.conf": 0o644,
        "etc/practiced/practiced.conf": 0o640,
    }
    for t in TEMPLATES:
        files["usr/share/practiced/templates/" + t] = 0o644
    return files


def test_install_into_destdir_and_uninstall(workdir):
    d = os.path.join(workdir, "dest")
    install(d)
    got = tree(d)
    unitdir = [os.path.dirname(p) for p in got if p.endswith("/practiced.service")]
    assert unitdir and unitdir[0] in ("lib/systemd/system", "usr/lib/systemd/system"), got
    assert got == expected_usr(unitdir[0]), got
    for u in UNITS:
        text = open(os.path.join(d, unitdir[0], u)).read()
        assert "ExecStart=/usr/sbin/practiced -f /etc/practiced/" in text, text
        assert "ConfigurationDirectory=practiced" in text
    assert open(os.path.join(d, "usr/sbin/practiced"), "rb").read() == \
        open(os.path.join(BUILD, "practiced"), "rb").read()

    # an existing configuration is never replaced, and uninstall keeps it
    conf = os.path.join(d, "etc/practiced/practiced.conf")
    with open(conf, "a") as f:
        f.write("# the site's own\n")
    out = install(d)
    assert "kept the existing" in out, out
    assert open(conf).read().endswith("# the site's own\n")
    out = uninstall(d)
    assert tree(d) == {"etc/practiced/practiced.conf": 0o640}, tree(d)
    assert "kept" in out
    # unchanged, it goes too: nothing is left
    os.unlink(conf)
    install(d)
    uninstall(d)
    assert tree(d) == {}, tree(d)


def test_install_elsewhere_names_its_own_paths(workdir):
    d = os.path.join(workdir, "dest")
    install(d, "/usr/local")
    got = tree(d)
    assert "usr/local/sbin/practiced" in got
    assert "usr/local/share/man/man8/practiced.8" in got
    assert got["usr/local/etc/practiced/practiced.conf"] == 0o640
    unit = open(os.path.join(d, "usr/local/lib/systemd/system/practiced.service")).read()
    assert ("ExecStart=/usr/local/sbin/practiced -f "
            "/usr/local/etc/practiced/practiced.conf") in unit, unit
    assert "ConfigurationDirectory" not in unit
    uninstall(d, "/usr/local")
    assert tree(d) == {}, tree(d)


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
def test_installed_units_verify_clean(workdir):
    # A real prefix (no DESTDIR), so that the programs the units name and
    # the pages their Documentation= names are there to be found.
    prefix = os.path.join(workdir, "prefix")
    make("install", "PREFIX=%s" % prefix, "B=%s" % BUILD, "HOST_SETUP=no")
    units = [os.path.join(prefix, "lib/systemd/system", u) for u in UNITS]
    env = dict(os.environ, MANPATH=os.path.join(prefix, "share/man"))
    r = subprocess.run([ANALYZE, "verify", *units], capture_output=True,
                       text=True, env=env, cwd=workdir, timeout=120)
    assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr
    # and it can fail: a unit naming a program that is not there
    os.unlink(os.path.join(prefix, "sbin/practiced"))
    r = subprocess.run([ANALYZE, "verify", units[0]], capture_output=True,
                       text=True, env=env, cwd=workdir, timeout=120)
    assert "not executable" in r.stdout + r.stderr


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("unit", UNITS)
def test_security_exposure_at_most_2(unit):
    r = subprocess.run([ANALYZE, "security", "--offline=true",
                        os.path.join(REPO, "systemd", unit)],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout)
    assert m, r.stdout[-2000:] + r.stderr
    assert float(m.group(1)) <= MAX_EXPOSURE, r.stdout
    # the README states the figure
    readme = open(os.path.join(REPO, "README.md")).read()
    assert "exposure of **%s**" % m.group(1) in readme, m.group(1)


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None,
                    reason="systemd-sysusers is not installed")
def test_sysusers_snippet_makes_the_user_and_group(workdir):
    root = os.path.join(workdir, "root")
    os.makedirs(os.path.join(root, "etc"))
    r = subprocess.run(["systemd-sysusers", "--root=%s" % root,
                        os.path.join(REPO, "systemd", "practiced.sysusers")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    passwd = open(os.path.join(root, "etc", "passwd")).read().splitlines()
    group = open(os.path.join(root, "etc", "group")).read().splitlines()
    user = [l.split(":") for l in passwd if l.startswith("practiced:")]
    grp = [l.split(":") for l in group if l.startswith("practiced:")]
    assert len(user) == 1 and len(grp) == 1, (passwd, group)
    assert user[0][3] == grp[0][2], (user, grp)        # its own group
    assert user[0][5] == "/var/lib/practiced"
    assert user[0][6].endswith("nologin")
    assert int(user[0][2]) < 1000                       # a system user


# --------------------------------------------------------------------------
# The notify protocol.

WATCHDOG_USEC = 400000          # pings every 200 ms


def collect(p, seconds):
    """(time received, message) of each notification within seconds."""
    got, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        for m in p.notifications():
            got.append((time.monotonic(), m))
        time.sleep(0.01)
    return got


def pings(got):
    return [t for t, m in got if "WATCHDOG=1" in m.split("\n")]


def test_notify_ready_watchdog_reload_stopping(make_practice):
    p = make_practice(start=False)
    p.start(extra_env={"WATCHDOG_USEC": str(WATCHDOG_USEC),
                       "WATCHDOG_PID": ""})
    got = collect(p, 1.6)
    t = pings(got)
    assert 4 <= len(t) <= 10, got
    gaps = [b - a for a, b in zip(t, t[1:])]
    assert max(gaps) < 0.35 and min(gaps) > 0.1, gaps
    # a reload: RELOADING=1 with the monotonic clock, then READY=1
    p.signal(signal.SIGHUP)
    got = collect(p, 0.5)
    msgs = [m for _, m in got if "WATCHDOG=1" not in m]
    assert len(msgs) == 2, got
    reloading = dict(kv.split("=", 1) for kv in msgs[0].split("\n"))
    assert reloading["RELOADING"] == "1"
    now_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert 0 < now_usec - int(reloading["MONOTONIC_USEC"]) < 5000000, reloading
    assert msgs[1] == "READY=1"
    # SIGTERM: STOPPING=1 before it exits
    p.signal(signal.SIGTERM)
    p.proc.wait(15)
    got = [m for _, m in collect(p, 0.1)]
    assert "STOPPING=1" in got, got
    assert p.stop() == 0


def test_no_watchdog_for_another_pid(make_practice):
    p = make_practice(start=False)
    p.start(extra_env={"WATCHDOG_USEC": str(WATCHDOG_USEC),
                       "WATCHDOG_PID": "1"})
    assert pings(collect(p, 0.8)) == []


def test_runs_without_systemd(workdir):
    p = conftest.Practice(workdir)
    env = {k: v for k, v in os.environ.items()
           if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
    proc = subprocess.Popen([conftest.PRACTICED, "-d", "-f", p.conf],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, cwd=workdir)
    try:
        deadline = time.monotonic() + 10
        while True:
            assert proc.poll() is None, proc.stdout.read()
            rc, out, _ = p.ctl("status", check=False)
            if rc == 0:
                break
            assert time.monotonic() < deadline, "no answer without systemd"
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    assert "NOTIFY" not in proc.stdout.read().decode()


@pytest.fixture(scope="module")
def test_build():
    """practiced with its test-only hooks (make test-build)."""
    make("test-build")
    path = os.path.join(REPO, "build-test", "practiced")
    assert os.access(path, os.X_OK)
    return path


def test_watchdog_silent_while_the_loop_stalls(make_practice, test_build,
                                              monkeypatch):
    monkeypatch.setattr(conftest, "PRACTICED", test_build)
    p = make_practice(start=False)
    p.start(extra_env={"WATCHDOG_USEC": str(WATCHDOG_USEC),
                       "PRACTICED_TEST_STALL_MS": "2000"})
    assert len(pings(collect(p, 0.7))) >= 2
    sent = time.monotonic()
    p.signal(signal.SIGUSR2)                # the loop sleeps 2 s
    got = collect(p, 3.0)
    t = pings(got)
    silent = [x - sent for x in t if sent + 0.3 < x < sent + 1.9]
    assert silent == [], ("WATCHDOG=1 while the loop was stalled", silent)
    after = [x for x in t if x > sent + 2.0]
    assert len(after) >= 2, ("the watchdog did not come back", got)
    assert "stalling the loop" in p.log()
    # the sender thread and the rest went on: the daemon answers after
    assert p.ctl("status")[0] == 0
