"""practiced -n: configuration checking, with FILE:LINE in every complaint."""

import os
import re
import subprocess

import pytest

from conftest import GROUP, PRACTICED, REPO, Practice, _group_exists

EXAMPLE = os.path.join(REPO, "etc", "practiced.conf")


def check(conf, timeout=10):
    r = subprocess.run([PRACTICED, "-n", "-f", conf], capture_output=True,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def good_lines(p):
    return p.config_text().splitlines()


def write(p, lines):
    with open(p.conf, "w") as f:
        f.write("\n".join(lines) + "\n")


def insert_after(lines, header, new):
    """Insert `new` right after the line `header`; returns (lines, 1-based
    line number of the inserted line)."""
    i = lines.index(header)
    lines = lines[:i + 1] + [new] + lines[i + 1:]
    return lines, i + 2


def replace_key(lines, key, new):
    for i, line in enumerate(lines):
        if re.match(r"\s*%s\s*=" % re.escape(key), line):
            lines = list(lines)
            lines[i] = new
            return lines, i + 1
    raise AssertionError("no key %s" % key)


@pytest.fixture
def unstarted(workdir):
    return Practice(workdir)


def assert_refused_at(p, line, *words):
    rc, out, err = check(p.conf)
    assert rc != 0, "practiced -n accepted a bad config:\n%s" % open(p.conf).read()
    where = "%s:%d:" % (os.path.basename(p.conf), line)
    assert where in err, "expected %r in stderr, got: %r" % (where, err)
    # the line must be one of FILE:LINE: message form, not just mention it
    assert re.search(r"(^|\s|/)%s\s*\S" % re.escape(where), err, re.M), err
    for w in words:
        assert w in err, "expected %r in the complaint: %r" % (w, err)
    return err


def test_example_config_accepted(workdir):
    assert os.path.exists(EXAMPLE), "the example configuration is missing"
    rc, out, err = check(EXAMPLE)
    if rc != 0:
        # The example names the group an installation creates (sysusers);
        # on a test host without it, check a copy that names ours instead.
        text = open(EXAMPLE).read()
        m = re.search(r"^\s*socket_group\s*=\s*(\S+)", text, re.M)
        if m and not _group_exists(m.group(1)) and m.group(1) in err:
            copy = os.path.join(workdir, "practiced.conf")
            with open(copy, "w") as f:
                f.write(text[:m.start(1)] + GROUP + text[m.end(1):])
            rc, out, err = check(copy)
    assert rc == 0, "practiced -n refused the example config: %s" % err
    assert_said_ok(out, err)


def assert_said_ok(out, err, conf=None):
    """practiced(8) -n: print "FILE: configuration OK" and exit 0."""
    text = out + err
    assert "configuration OK" in text, (out, err)
    if conf is not None:
        assert "%s: configuration OK" % conf in text, (out, err)


def test_good_config_accepted(unstarted):
    rc, out, err = check(unstarted.conf)
    assert rc == 0, err
    assert_said_ok(out, err, unstarted.conf)
    for mark in ("AddressSanitizer", "runtime error"):
        assert mark not in err


def test_good_config_without_optional_parts(workdir):
    p = Practice(workdir, access={}, socket_group=None)
    rc, out, err = check(p.conf)
    assert rc == 0, err
    assert_said_ok(out, err, p.conf)


def test_check_does_not_listen(unstarted):
    rc, out, err = check(unstarted.conf)
    assert rc == 0, err
    assert_said_ok(out, err, unstarted.conf)
    assert not os.path.exists(unstarted.sock)
    assert not os.path.exists(unstarted.db), "-n must not touch the database"


def test_unknown_section(unstarted):
    lines = good_lines(unstarted) + ["", "[bogus]", "colour = blue"]
    write(unstarted, lines)
    assert_refused_at(unstarted, len(lines) - 1, "bogus")


def test_unknown_key(unstarted):
    lines, n = insert_after(good_lines(unstarted), "[practice]", "flavour = mint")
    write(unstarted, lines)
    assert_refused_at(unstarted, n, "flavour")


def test_unknown_key_in_daemon_section(unstarted):
    lines, n = insert_after(good_lines(unstarted), "[daemon]", "threads = 4")
    write(unstarted, lines)
    assert_refused_at(unstarted, n, "threads")


def test_bad_timezone(unstarted):
    lines, n = replace_key(good_lines(unstarted), "timezone",
                           "timezone = Mars/Olympus_Mons")
    write(unstarted, lines)
    assert_refused_at(unstarted, n, "Mars/Olympus_Mons")


def test_timezone_path_traversal_refused(unstarted):
    lines, n = replace_key(good_lines(unstarted), "timezone",
                           "timezone = ../../../etc/passwd")
    write(unstarted, lines)
    assert_refused_at(unstarted, n)


@pytest.mark.parametrize("value", ["abc", "24x", "-5", "99999999999999999999", ""])
def test_bad_number(unstarted, value):
    lines, n = replace_key(good_lines(unstarted), "late_cancel_hours",
                           "late_cancel_hours = %s" % value)
    write(unstarted, lines)
    assert_refused_at(unstarted, n)


def test_missing_equals(unstarted):
    lines, n = insert_after(good_lines(unstarted), "[practice]",
                            "name Test Practice Without Equals")
    write(unstarted, lines)
    assert_refused_at(unstarted, n)


def test_unknown_socket_group(unstarted):
    lines, n = replace_key(good_lines(unstarted), "socket_group",
                           "socket_group = no-such-group-pdtest")
    write(unstarted, lines)
    assert_refused_at(unstarted, n, "no-such-group-pdtest")


def test_missing_file():
    rc, _, err = check("/nonexistent/pdtest/practiced.conf")
    assert rc != 0
    assert "/nonexistent/pdtest/practiced.conf" in err


def test_daemon_refuses_to_start_on_bad_config(unstarted):
    lines, n = insert_after(good_lines(unstarted), "[practice]", "flavour = mint")
    write(unstarted, lines)
    r = subprocess.run([PRACTICED, "-d", "-f", unstarted.conf], capture_output=True,
                       text=True, timeout=10, stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    assert "%s:%d:" % (os.path.basename(unstarted.conf), n) in r.stderr
    assert not os.path.exists(unstarted.sock)
