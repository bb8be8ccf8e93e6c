"""practicectl -q / --quiet: only the ids of what a command made or lists,
one a line, for a shell to act on (id=$(practicectl book ... -q))."""

import pytest

from conftest import at


def quiet(p, *args, check=True):
    """practicectl -q ...: (rc, stdout, stderr), stdout as text."""
    return p.ctl(*args, json=False, check=check)


def ids(text):
    assert text.endswith("\n") or text == "", repr(text)
    lines = text.splitlines()
    assert all(l.isdigit() for l in lines), repr(text)
    return [int(l) for l in lines]


def book_args(s, day, hhmm, *extra):
    return ("book", "--client", "jordan", "--clinician", "ana", "--service",
            "individual", "--at", at(day, hhmm)) + extra


def test_book_prints_only_the_new_id(clinic):
    rc, out, err = quiet(clinic.p, *book_args(clinic, clinic.monday, "10:00",
                                              "-q"))
    assert err == ""
    [i] = ids(out)
    _, shown, _ = clinic.p.ctl("show", str(i))
    assert shown["appointment"]["local_start"] == at(clinic.monday, "10:00")
    assert shown["appointment"]["client"]["name"] == "Jordan Lee"


@pytest.mark.parametrize("where", ["first", "last", "long"])
def test_quiet_is_global_anywhere_on_the_line(clinic, where):
    args = book_args(clinic, clinic.tuesday, "11:00")
    if where == "first":
        args = ("-q",) + args
    elif where == "last":
        args = args + ("-q",)
    else:
        args = args[:3] + ("--quiet",) + args[3:]
    _, out, _ = quiet(clinic.p, *args)
    assert len(ids(out)) == 1


def test_series_book_prints_the_series_and_show_its_sessions(clinic):
    p = clinic.p
    _, out, _ = quiet(p, *book_args(clinic, clinic.monday, "09:00",
                                    "--repeat", "weekly", "--count", "4",
                                    "-q"))
    [sid] = ids(out)
    _, series, _ = p.ctl("series", "show", str(sid))
    assert series["series"]["id"] == sid
    want = [a["id"] for a in series["series"]["appointments"]]
    assert len(want) == 4
    _, out, _ = quiet(p, "series", "show", str(sid), "-q")
    assert ids(out) == want
    _, out, _ = quiet(p, "client", "history", "jordan", "-q")
    assert ids(out) == want
    _, out, _ = quiet(p, "series", "list", "--client", "jordan", "-q")
    assert ids(out) == [sid]


def test_list_prints_the_listed_ids_in_order(clinic):
    p = clinic.p
    made = [ids(quiet(p, *book_args(clinic, clinic.monday, hhmm, "-q"))[1])[0]
            for hhmm in ("14:00", "09:00", "11:00")]
    _, listed, _ = p.ctl("list", "--day", clinic.monday.isoformat())
    want = [a["id"] for a in listed["appointments"]]
    assert sorted(want) == sorted(made) and want != made
    _, out, _ = quiet(p, "list", "--day", clinic.monday.isoformat(), "-q")
    assert ids(out) == want
    _, out, _ = quiet(p, "list", "--day", clinic.saturday.isoformat(), "-q")
    assert out == ""


def test_add_move_cancel_mark_print_the_record(clinic):
    p = clinic.p
    _, out, _ = quiet(p, "client", "add", "Robin Ford", "-q")
    [cid] = ids(out)
    _, shown, _ = p.ctl("client", "show", str(cid))
    assert shown["client"]["name"] == "Robin Ford"
    [i] = ids(quiet(p, *book_args(clinic, clinic.tuesday, "10:00", "-q"))[1])
    _, out, _ = quiet(p, "move", str(i), "--at", at(clinic.tuesday, "12:00"),
                      "-q")
    assert ids(out) == [i]
    _, out, _ = quiet(p, "mark", str(i), "confirmed", "-q")
    assert ids(out) == [i]
    _, out, _ = quiet(p, "cancel", str(i), "--by", "client", "-q")
    assert ids(out) == [i]
    _, shown, _ = p.ctl("show", str(i))
    assert shown["appointment"]["state"] == "cancelled"
    _, out, _ = quiet(p, "clients", "-q")
    _, listed, _ = p.ctl("clients")
    assert ids(out) == [c["id"] for c in listed["clients"]]


def test_warnings_stay_on_stderr(clinic):
    rc, out, err = quiet(clinic.p, *book_args(clinic, clinic.saturday,
                                              "10:00", "--force", "-q"))
    assert len(ids(out)) == 1
    assert "warning:" in err


def test_an_answer_without_records_prints_nothing(clinic):
    rc, out, err = quiet(clinic.p, "status", "-q")
    assert (rc, out, err) == (0, "", "")
    rc, out, err = quiet(clinic.p, "slots", "--clinician", "ana",
                         "--service", "individual", "-q")
    assert (rc, out, err) == (0, "", "")


def test_a_refusal_prints_no_id(clinic):
    rc, out, err = quiet(clinic.p, *book_args(clinic, clinic.saturday,
                                              "10:00", "-q"), check=False)
    assert rc == 1 and out == ""
    assert err.startswith("practicectl: ") and len(err.splitlines()) == 1


def test_quiet_and_json_exclude_each_other(clinic):
    rc, out, err = clinic.p.ctl("status", "-q", check=False)   # with --json
    assert rc == 2
    assert out["error"]["code"] == "usage"
    assert "--json and -q exclude each other" in err
