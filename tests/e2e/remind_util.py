"""What the reminder tests share: the peers (a real SMTP server and an
HTTP server, tests/e2e/peers.py), a practice that reminds on a running
fake clock, and the outbox's rows read from the database."""

import glob
import json
import os
import sqlite3
import subprocess
import time

import pytest

from series_util import new_clinician, new_service, ok

HERE = os.path.dirname(os.path.abspath(__file__))


def wait_for(pred, timeout=10.0, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


class Peers:
    """peers.py: aiosmtpd and an HTTP server, recording what arrives."""

    def __init__(self, folder, tls=()):
        """tls: (certificate, key) for an SMTP server offering STARTTLS."""
        self.folder = folder
        self.proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "peers.py"),
                                      folder, *tls], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        words = self.proc.stdout.readline().split()
        assert words and words[0] == "PORTS", words
        self.smtp, self.http = int(words[1]), int(words[2])

    def received(self, name="smtp.jsonl"):
        path = os.path.join(self.folder, name)
        if not os.path.exists(path):
            return []
        with open(path) as f:
            # A line the peer is still writing (a message with its
            # invitation is larger than one write) is not received yet.
            return [json.loads(line) for line in f
                    if line.endswith("\n") and line.strip()]

    def stop(self):
        self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def peers(workdir):
    folder = os.path.join(workdir, "peers")
    os.mkdir(folder)
    p = Peers(folder)
    yield p
    p.stop()


RULES = [("rule", "email 48h"), ("rule", "email 2h")]


def reminding(practice_at, when, smtp=None, rules=RULES, notices="no",
              extra=None, **kw):
    """A practice on a running clock at when, reminding by RULES; the
    notices of a booking change (test_notices.py) off unless asked for;
    extra: more sections."""
    sections = {"reminders": list(rules) + [("quiet_hours", "21:00-08:00"),
                                            ("notices", notices)]}
    sections.update(extra or {})
    if smtp is not None:
        sections["smtp"] = [("url", "smtp://127.0.0.1:%d" % smtp),
                            ("starttls", "no"),
                            ("from", "Test Practice <noreply@example.org>")]
    return practice_at(when, running=True, sections=sections,
                       practice_extra={"phone": "+1 555 010 1234"}, **kw)


def rows(p, appt=None):
    """The outbox's rows (of one appointment), oldest first."""
    db = sqlite3.connect("file:%s?mode=ro" % p.db, uri=True)
    db.row_factory = sqlite3.Row
    try:
        sql = ("SELECT r.*, datetime(r.due_utc, 'unixepoch') AS due"
               " FROM reminders r")
        args = ()
        if appt is not None:
            sql += " WHERE appointment_id = ?"
            args = (appt,)
        return [dict(r) for r in db.execute(sql + " ORDER BY id", args)]
    finally:
        db.close()


def people(p, email="jordan@example.org", remind="email"):
    clin = new_clinician(p)
    svc = new_service(p, 50, 10)
    cli = ok(p, "client", "add", "Jordan Lee", "--email", email,
             "--remind", remind)["client"]["id"]
    return clin, cli, svc


def book(p, cli, clin, svc, when):
    return ok(p, "book", "--client", str(cli), "--clinician", str(clin),
              "--service", str(svc), "--at", when)["appointment"]


def wake(p):
    """The loop sleeps until its next event; a request wakes it, and the
    timers the moved clock made due run.  The fake monotonic clock jumps
    too, so the waking request's own deadline may be among them: the
    daemon then closes it unanswered, and the next one is served."""
    for _ in range(3):
        rc, out, err = p.ctl("status", check=False)
        if rc == 0:
            return
        assert rc == 3 and "closed the connection" in err, (rc, err)
    raise AssertionError("practiced did not answer after the clock moved")


def outbox_files(p):
    return sorted(glob.glob(os.path.join(p.root, "outbox", "*")))




def drain(p, rounds=5, timeout=30):
    """Until nothing is pending: wait for what is in flight, then move the
    clock to the next retry (never while a transfer runs: curl's timeouts
    would see the jump) and wake the daemon."""
    import datetime as dt
    for _ in range(rounds):
        # One read: a row claimed between two reads would look sent.
        now = wait_for(lambda: (lambda rs: rs if not any(
            r["state"] == "sending" for r in rs) else None)(rows(p)),
            timeout=timeout) or rows(p)
        pending = [r for r in now if r["state"] == "pending"]
        if not pending:
            return True
        due = min(r["due_utc"] for r in pending)
        when = dt.datetime.fromtimestamp(due + 1, dt.timezone.utc)
        if when > p.clock.now:
            p.clock.set(when)
        wake(p)
        wait_for(lambda: not any(r["state"] == "pending" and r["due_utc"] <= due
                                 for r in rows(p)), timeout=timeout)
    return not any(r["state"] == "pending" for r in rows(p))
