"""A full disk under a running daemon: each change is refused with an
error that says so, what was committed before is kept, reads go on, and
the daemon books again once there is room, with nothing lost."""

import datetime as dt
import errno
import os
import sqlite3
import subprocess

import pytest

from conftest import book, refused, seed_practice

FULL = "the disk that holds the database is full; nothing was changed"


@pytest.fixture
def small_disk(make_practice):
    """A practice whose database lives on a 4 MB tmpfs of its own."""
    p = make_practice(start=False)
    disk = os.path.join(p.root, "disk")
    os.mkdir(disk)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755",
                    "tmpfs", disk], check=True)
    try:
        p.db = os.path.join(disk, "practice.db")
        p.write_config()
        p.start()
        yield p, disk
        p.stop()
    finally:
        subprocess.run(["umount", "-l", disk], check=False)


def fill(disk):
    """Write a file until the disk has no room left; returns its path."""
    path = os.path.join(disk, "filler")
    with open(path, "wb", buffering=0) as f:
        chunk = b"\0" * 4096
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
                return path


def slot(day, n):
    """The n-th free hour of the week starting on day (09:00 to 16:00)."""
    return "%s %02d:00" % (day + dt.timedelta(days=n // 8), 9 + n % 8)


def booked_ids(p, s):
    _, out, _ = p.ctl("list", "--from", str(s.monday),
                      "--to", str(s.monday + dt.timedelta(days=13)))
    return sorted(a["id"] for a in out["appointments"])


def test_full_disk_refuses_clearly_and_loses_nothing(small_disk):
    p, disk = small_disk
    s = seed_practice(p)
    kept = []
    for n in range(3):
        _, out, _ = book(p, s.jordan, s.ana, s.svc, slot(s.monday, n))
        kept.append(out["appointment"]["id"])

    filler = fill(disk)
    # SQLite may still fit a change or two into pages it holds already;
    # the disk runs out within a few.
    n, err = 3, None
    while n < 40:
        rc, out, e = book(p, s.jordan, s.ana, s.svc, slot(s.monday, n),
                          check=False)
        if rc != 0:
            err = e
            break
        kept.append(out["appointment"]["id"])
        n += 1
    assert err is not None, "40 bookings fitted on a full disk"
    assert FULL in err, err
    assert len([l for l in err.splitlines() if l.strip()]) == 1, err
    # again, and the same: no half-written session
    assert FULL in refused(p, "book", "--client", s.jordan, "--clinician",
                           s.ana, "--service", s.svc, "--at",
                           slot(s.monday, n))
    # reads go on, and show exactly what was committed
    assert booked_ids(p, s) == sorted(kept)
    assert "full" in p.log()

    os.unlink(filler)
    _, out, _ = book(p, s.jordan, s.ana, s.svc, slot(s.monday, n))
    kept.append(out["appointment"]["id"])
    p.stop()
    p.start()
    assert booked_ids(p, s) == sorted(kept)
    con = sqlite3.connect(p.db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_database_made_immutable_while_running(make_practice):
    """chattr +i on the write-ahead log under a running daemon (writes
    through open files are refused too): each change is refused as
    such, and once the flag is gone the daemon writes again."""
    p = make_practice()
    s = seed_practice(p)
    _, out, _ = book(p, s.jordan, s.ana, s.svc, slot(s.monday, 0))
    kept = [out["appointment"]["id"]]
    wal = p.db + "-wal"
    assert os.path.exists(wal)
    subprocess.run(["chattr", "+i", wal], check=True)
    try:
        err = refused(p, "book", "--client", s.jordan, "--clinician", s.ana,
                      "--service", s.svc, "--at", slot(s.monday, 1))
        assert "the database could not be read or written" in err or \
            "the database cannot be written" in err, err
        assert "nothing was changed" in err, err
        assert booked_ids(p, s) == kept
    finally:
        subprocess.run(["chattr", "-i", wal], check=True)
    _, out, _ = book(p, s.jordan, s.ana, s.svc, slot(s.monday, 1))
    kept.append(out["appointment"]["id"])
    p.stop()
    p.start()
    assert booked_ids(p, s) == sorted(kept)
