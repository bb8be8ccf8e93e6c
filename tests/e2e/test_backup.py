"""Backups and integrity checks: practicectl backup copies the live
database into the backup folder while writes go on, the copy restores to
a sound database holding every committed appointment, the daily backup
rotates, and practicectl verify tells a sound database from a damaged one."""

import datetime as dt
import os
import shutil
import sqlite3
import stat
import threading
import time

from conftest import USER_STAFF, at, future_monday, refused, seed_practice

FILLER_MB = 40          # enough pages for a backup of several slices


def backups_dir(p):
    return os.path.join(p.root, "backups")


def fill(p, mb=FILLER_MB):
    """Makes the database big (a table the daemon does not know), with the
    daemon stopped, so that a backup takes many turns of its loop."""
    p.stop()
    con = sqlite3.connect(p.db)
    con.execute("CREATE TABLE test_filler (b BLOB)")
    con.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                "WHERE i < ?) INSERT INTO test_filler SELECT randomblob(4000) "
                "FROM n", (mb * 256,))
    con.commit()
    con.close()
    p.start()


def appointment_ids(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return {r[0] for r in con.execute("SELECT id FROM appointments")}
    finally:
        con.close()


def integrity(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


class Writer(threading.Thread):
    """Books 30-minute check-ins with Pat one after another, and records the
    id of each as its answer comes, with the instant it came."""

    def __init__(self, p, s):
        super().__init__(daemon=True)
        self.p, self.s = p, s
        self.done = []          # (monotonic time of the answer, id)
        self.stop = threading.Event()
        self.error = None

    def run(self):
        day = future_monday()
        i = 0
        try:
            while not self.stop.is_set():
                d = day + dt.timedelta(days=i // 40)
                mins = (i % 40) * 30
                when = at(d, "%02d:%02d" % (1 + mins // 60, mins % 60))
                status, out = self.p.api("POST", "/v1/appointments", {
                    "client": self.s.jordan, "clinician": self.s.pat,
                    "service": self.s.short, "at": when})
                assert status == 201, (when, status, out)
                self.done.append((time.monotonic(), out["appointment"]["id"]))
                i += 1
        except BaseException as e:      # seen by the test
            self.error = e


def test_backup_under_write_load_restores_every_commit(practice):
    p = practice
    fill(p)
    s = seed_practice(p)
    w = Writer(p, s)
    w.start()
    try:
        while len(w.done) < 20 and w.error is None:
            time.sleep(0.05)
        started = time.monotonic()
        _, out, _ = p.ctl("backup", "load.db")
        ended = time.monotonic()
        while len(w.done) < len([d for d in w.done if d[0] < ended]) + 20 \
                and w.error is None:
            time.sleep(0.05)
    finally:
        w.stop.set()
        w.join(30)
    assert w.error is None, w.error
    b = out["backup"]
    assert b["state"] == "done", b
    assert b["path"] == os.path.join(backups_dir(p), "load.db")
    assert b["pages"] > 5000 and b["pages_done"] == b["pages"], b
    # written while the writer went on: some commits came during it
    during = [i for t, i in w.done if started < t < ended]
    assert during, "no write was answered while the backup ran"
    st = os.stat(b["path"])
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    assert st.st_size == b["bytes"]
    assert not [n for n in os.listdir(backups_dir(p)) if n.startswith(".")]

    # Restore: the daemon stopped, the copy over the database.
    p.stop()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(p.db + suffix):
            os.unlink(p.db + suffix)
    shutil.copyfile(b["path"], p.db)
    assert integrity(p.db) == ["ok"]
    restored = appointment_ids(p.db)
    before = {i for t, i in w.done if t < started}
    assert before <= restored, sorted(before - restored)[:10]
    # consistent: the commits up to the last one it holds, none missing
    committed = [i for _, i in w.done]
    upto = {i for i in committed if i <= max(restored)}
    assert upto == restored, (sorted(upto ^ restored)[:10], max(restored))
    assert len(restored) >= len(before) + 1

    p.start()
    # The check runs on its thread: the answer comes before it is done.
    status, out = p.api("POST", "/v1/verify", {})
    assert status == 202 and out["verify"]["state"] == "running", out
    wait = out["wait"]
    while out["verify"]["state"] == "running":
        time.sleep(0.05)
        status, out = p.api("GET", "/v1" + wait)
        assert status == 200, out
    assert out["verify"]["ok"] is True and "wait" not in out, out
    _, out, _ = p.ctl("verify")
    assert out["verify"]["ok"] is True, out
    _, shown, _ = p.ctl("show", str(max(restored)))
    assert shown["appointment"]["id"] == max(restored)


def test_backup_names_and_refusals(practice):
    p = practice
    rc, text, _ = p.ctl("backup", json=False)
    assert rc == 0
    assert text.startswith("backup written: %s/practice-" % backups_dir(p)), text
    assert stat.S_IMODE(os.stat(backups_dir(p)).st_mode) == 0o700
    # a path in the folder is the name in it
    path = os.path.join(backups_dir(p), "named.db")
    _, out, _ = p.ctl("backup", path)
    assert out["backup"]["path"] == path and os.path.exists(path)
    # never replaces a file
    err = refused(p, "backup", "named.db")
    assert "never replaces" in err, err
    err = refused(p, "backup", "/tmp/elsewhere.db")
    assert "backup folder" in err and backups_dir(p) in err, err
    assert not os.path.exists("/tmp/elsewhere.db")
    for bad in ("../up.db", ".hidden", "a b.db", "daily-2026-01-01.db"):
        refused(p, "backup", bad)
    refused(p, "backup", "staff.db", user=USER_STAFF)
    refused(p, "verify", user=USER_STAFF)
    assert not os.path.exists(os.path.join(backups_dir(p), "staff.db"))


def damage(path):
    """An index whose entries no longer match its table: integrity_check
    finds rows missing from it, yet the file opens."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE test_t (a, b)")
    con.executemany("INSERT INTO test_t VALUES (?, ?)",
                    [(i, 1000 - i) for i in range(50)])
    con.execute("CREATE INDEX test_ti ON test_t (a)")
    con.commit()
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_schema SET sql = 'CREATE INDEX test_ti ON "
                "test_t (b)' WHERE name = 'test_ti'")
    con.commit()
    con.close()
    assert integrity(path) != ["ok"]


def test_verify_tells_sound_from_damaged(practice):
    p = practice
    seed_practice(p)
    rc, text, _ = p.ctl("verify", json=False)
    assert rc == 0 and text.strip() == "%s: ok" % p.db, text
    _, out, _ = p.ctl("backup", "good.db")
    good = out["backup"]["path"]
    _, out, _ = p.ctl("verify", "good.db")
    assert out["verify"]["ok"] is True and out["verify"]["problems"] == []
    bad = os.path.join(backups_dir(p), "bad.db")
    shutil.copyfile(good, bad)
    damage(bad)
    rc, text, _ = p.ctl("verify", "bad.db", json=False, check=False)
    assert rc == 1, (rc, text)
    assert text.startswith("%s: damaged" % bad), text
    assert "test_ti" in text, text
    _, out, _ = p.ctl("verify", "bad.db")     # --json: the answer as it is
    assert out["verify"]["ok"] is False
    assert out["verify"]["problems"], out
    refused(p, "verify", "missing.db")


def test_daily_backup_rotates(practice_at):
    p = practice_at("2026-03-02 02:50", running=True,
                    sections={"backup": [("hour", "3"), ("keep", "2")]})
    d = backups_dir(p)

    def daily():
        return sorted(n for n in os.listdir(d) if n.startswith("daily-")) \
            if os.path.isdir(d) else []

    def wait_for(name):
        deadline = time.monotonic() + 20
        while name not in daily():
            assert time.monotonic() < deadline, (name, daily(), p.log())
            p.ctl("status")             # wakes the loop after the jump
            time.sleep(0.1)

    time.sleep(1.5)
    assert daily() == []                # before the hour: none
    p.clock.set("2026-03-02 03:00:05")
    wait_for("daily-2026-03-02.db")
    for day in ("03", "04", "05"):
        p.clock.set("2026-03-%s 03:00:05" % day)
        wait_for("daily-2026-03-%s.db" % day)
    time.sleep(0.3)
    assert daily() == ["daily-2026-03-04.db", "daily-2026-03-05.db"], daily()
    # a backup asked for by name is never rotated away
    p.ctl("backup", "kept.db")
    p.clock.set("2026-03-06 03:00:05")
    wait_for("daily-2026-03-06.db")
    assert os.path.exists(os.path.join(d, "kept.db"))
    for n in daily():
        assert stat.S_IMODE(os.stat(os.path.join(d, n)).st_mode) == 0o600
        assert integrity(os.path.join(d, n)) == ["ok"]
