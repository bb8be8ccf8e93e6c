"""Zone names are keys of libical's built-in list, never paths: a caller's
?tz= or zone field that names a file (a real zone file, /etc/passwd, a FIFO)
is refused with bad_request, without the daemon opening it."""

import os
import shutil
import threading

import pytest

# Enough ../ to climb out of /usr/share/zoneinfo from any depth.
UP = "../../../../../.."


@pytest.fixture
def outside(workdir):
    """A real zone file and a FIFO, both outside the zoneinfo folder."""
    d = os.path.join(workdir, "zones")
    os.mkdir(d)
    london = os.path.join(d, "London")
    shutil.copy("/usr/share/zoneinfo/Europe/London", london)
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)
    yield {"file": UP + london, "fifo": UP + fifo}
    # An old daemon blocked in open() on the FIFO is let go.
    unblock_fifo(fifo)


def unblock_fifo(path):
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return                  # no reader: nobody is blocked
    os.close(fd)


def assert_bad_zone(status, out, name):
    assert status == 400, (name, status, out)
    assert out["error"]["code"] == "bad_request", out
    assert "time zone" in out["error"]["message"], out


def assert_alive(p):
    status, out = p.api("GET", "/v1/status", timeout=5)
    assert status == 200, (status, out)


def test_query_tz_that_is_a_path_is_refused(practice, outside):
    p = practice
    for name in ("../../../../etc/passwd", "/etc/passwd", outside["file"],
                 "Europe/../Europe/London", "Europe//London", "zone.tab",
                 "posixrules", "europe/london"):
        status, out = p.api("GET", "/v1/status?tz=%s" % name, timeout=5)
        assert_bad_zone(status, out, name)
        status, out = p.api("GET", "/v1/appointments?tz=%s" % name, timeout=5)
        assert_bad_zone(status, out, name)
    assert_alive(p)


def test_query_tz_naming_a_fifo_does_not_block(practice, outside):
    """libical would open(2) the FIFO and wait for a writer forever, with
    every other caller waiting behind it."""
    p = practice
    got = {}

    def ask():
        try:
            got["answer"] = p.api("GET", "/v1/status?tz=%s" % outside["fifo"],
                                  timeout=5)
        except Exception as e:             # noqa: BLE001 (reported below)
            got["error"] = e
    t = threading.Thread(target=ask)
    t.start()
    t.join(6)
    if t.is_alive() or "error" in got:
        unblock_fifo(outside["fifo"][len(UP):])
        t.join(6)
        raise AssertionError("a ?tz= naming a FIFO got no answer: %r" % got)
    assert_bad_zone(*got["answer"], outside["fifo"])
    assert_alive(p)


def test_zone_fields_that_are_paths_are_refused(practice, outside):
    p = practice
    for name in (outside["file"], outside["fifo"], "../../../../etc/passwd"):
        status, out = p.api("POST", "/v1/clinicians",
                            {"name": "Dee Ray", "zone": name}, timeout=5)
        assert_bad_zone(status, out, name)
        status, out = p.api("POST", "/v1/clients",
                            {"name": "Casey Doe", "zone": name}, timeout=5)
        assert_bad_zone(status, out, name)
        status, out = p.api("POST", "/v1/clinicians",
                            {"name": "Dee Ray", "tz": name}, timeout=5)
        assert_bad_zone(status, out, name)
    assert p.ctl("clinician", "list", "--all")[1]["clinicians"] == []
    assert p.ctl("client", "list", "--all")[1]["clients"] == []
    assert_alive(p)


def test_ctl_zone_that_is_a_path_is_refused(practice, outside):
    p = practice
    rc, _, err = p.ctl("status", zone=outside["file"], check=False)
    assert rc == 1 and "time zone" in err, (rc, err)
    rc, _, err = p.ctl("clinician", "add", "Dee Ray", "--zone", outside["file"],
                       check=False)
    assert rc == 1 and "time zone" in err, (rc, err)
    assert p.ctl("clinician", "list", "--all")[1]["clinicians"] == []


def test_builtin_zones_and_utc_names_are_taken(practice):
    p = practice
    for name in ("Europe/London", "Australia/Lord_Howe", "America/New_York",
                 "UTC", "Etc/UTC", "GMT"):
        status, out = p.api("GET", "/v1/status?tz=%s" % name)
        assert status == 200 and out["tz"] == name, (name, status, out)
    c = p.ctl("clinician", "add", "Dee Ray", "--zone", "Asia/Tokyo")[1]["clinician"]
    assert c["zone"] == "Asia/Tokyo"
