"""What the calendar tests share: khal reading an iCalendar text, and the
sessions as khal shows them."""

import datetime as dt
import os
import subprocess
from zoneinfo import ZoneInfo

from conftest import TZ


def khal_view(text, tmp_path, since, until, zone=TZ):
    """(start, end, status) of every event khal shows, in zone."""
    ics = tmp_path / "in.ics"
    ics.write_text(text)
    (tmp_path / "cal").mkdir()
    conf = tmp_path / "khal.conf"
    conf.write_text(
        "[calendars]\n[[practice]]\npath = %s\ntype = calendar\n"
        "[locale]\ntimeformat = %%H:%%M\ndateformat = %%Y-%%m-%%d\n"
        "longdateformat = %%Y-%%m-%%d\ndatetimeformat = %%Y-%%m-%%d %%H:%%M\n"
        "longdatetimeformat = %%Y-%%m-%%d %%H:%%M\n"
        "default_timezone = %s\nlocal_timezone = %s\n"
        "[default]\ndefault_calendar = practice\n" % (tmp_path / "cal", zone, zone))
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path), TZ=zone)
    khal = ["khal", "-c", str(conf)]
    r = subprocess.run(khal + ["import", "--batch", "-a", "practice", str(ics)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(khal + ["list", "--day-format", "", "--format",
                               "{start}|{end}|{status}", since.isoformat(),
                               (until + dt.timedelta(days=1)).isoformat()],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    return sorted((a, b, c.strip()) for a, b, c in
                  (line.split("|") for line in r.stdout.splitlines() if line.strip()))


def as_khal(sessions, zone=TZ):
    fmt = "%Y-%m-%d %H:%M"
    return sorted((a.astimezone(ZoneInfo(zone)).strftime(fmt),
                   b.astimezone(ZoneInfo(zone)).strftime(fmt),
                   "CANCELLED" if c else "CONFIRMED") for a, b, c in sessions)
