"""
An import's reader thread: stopped cleanly when practiced stops in the
middle of an import, several imports read at once, each to its own
report, and a refusal found on the thread reported as before.
"""

import time

from conftest import seed_practice
from test_import import begin, big_file, post_part


def upload(p, data, **opts):
    """An import made, its parts sent and started: its id."""
    iid, part = begin(p, **opts)
    for i in range(0, len(data), part):
        status, out = post_part(p, iid, data[i:i + part])
        assert status == 200, out
    status, out = p.api("POST", "/v1/imports/%d/start" % iid, {})
    assert status in (200, 202), out
    return iid


def follow(p, iid, until, timeout=120):
    """GET the import until until(import) holds; the last answer."""
    end = time.monotonic() + timeout
    while True:
        status, out = p.api("GET", "/v1/imports/%d" % iid)
        assert status == 200, out
        if until(out["import"]) or time.monotonic() > end:
            return out["import"]
        time.sleep(0.01)


def done(imp):
    return imp["state"] in ("done", "refused")


def test_stop_in_the_middle_of_an_import(make_practice, tmp_path):
    p = make_practice()
    seed_practice(p)
    path = tmp_path / "big.ics"
    big_file(str(path), 20000)
    iid = upload(p, path.read_bytes())
    imp = follow(p, iid, lambda i: i["events_done"] > 0 or done(i))
    assert imp["state"] == "importing", imp
    # SIGTERM while the reader is ahead of the loop: exit 0, no
    # sanitizer report (the thread joined, its queue freed).
    assert p.stop() == 0
    assert "exited" in p.log()


def test_stop_while_the_file_is_checked(make_practice, tmp_path):
    p = make_practice()
    seed_practice(p)
    path = tmp_path / "big.ics"
    big_file(str(path), 20000)
    upload(p, path.read_bytes())
    assert p.stop() == 0


def year_file(tmp_path, n, year, prefix):
    """big_file's sessions, in that year, with their own UIDs."""
    path = tmp_path / ("%s.ics" % prefix)
    big_file(str(path), n)
    return path.read_bytes().replace(b"UID:big-", b"UID:%s-" % prefix.encode()) \
        .replace(b"DTSTART:2027", b"DTSTART:%d" % year) \
        .replace(b"DTEND:2027", b"DTEND:%d" % year)


def test_imports_read_at_once(make_practice, tmp_path):
    p = make_practice()
    seed_practice(p)
    n = 1500
    # Three readers at once (a dry run among them) and a file refused on
    # its reader's thread.
    ids = [upload(p, year_file(tmp_path, n, 2027, "a")),
           upload(p, year_file(tmp_path, n, 2028, "b")),
           upload(p, year_file(tmp_path, n, 2029, "c"), dry_run=True)]
    bad = upload(p, b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                 b"END:VCALENDAR\r\n")
    for iid in ids:
        imp = follow(p, iid, done)
        assert imp["state"] == "done", imp
        assert imp["events_done"] == imp["events_total"] == n, imp
        assert imp["counts"]["added"] == n, imp
        assert imp["counts"]["skipped"] == 0, imp
    imp = follow(p, bad, done)
    assert imp["state"] == "refused", imp
    assert imp["refused"]["line"] == 4, imp
    assert "does not close BEGIN:VEVENT" in imp["refused"]["reason"], imp
    assert imp["events_total"] == 0 and imp["counts"]["added"] == 0
    got = p.ctl("list", "--from", "2027-01-01", "--to", "2029-12-31")[1]
    assert len(got["appointments"]) == 2 * n
