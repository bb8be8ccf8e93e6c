"""practiced(8) -v: one debug line a request, naming the route, the caller
and the role, never the names or ids in the path.  Logs carry no client
names, emails or phones, whatever the requests and refusals."""

import urllib.parse

from conftest import USER_STAFF, at, book, seed_practice

SECRETS = {
    "name": "Quentin Zabriskie", "email": "qz.private@example.org",
    "phone": "+15555550199", "other": "Xiomara Vantongeren",
    "reason": "Wrenfield divorce hearing",
}


def test_verbose_log_carries_no_client_data(practice):
    p = practice
    p.stop()
    p.start(args=("-v",))
    s = seed_practice(p)
    q = p.ctl("client", "add", SECRETS["name"], "--email", SECRETS["email"],
              "--phone", SECRETS["phone"])[1]["client"]
    o = p.ctl("client", "add", SECRETS["other"], user=USER_STAFF)[1]["client"]
    # references by name in paths, queries and bodies; reads and changes
    p.ctl("client", "show", SECRETS["name"])
    p.ctl("client", "list", "--search", "Quentin")
    p.ctl("client", "edit", "zabriskie", "--email", "new." + SECRETS["email"])
    p.ctl("client", "history", SECRETS["name"])
    p.api("GET", "/v1/clients/" + urllib.parse.quote(SECRETS["other"]))
    a = book(p, SECRETS["name"], s.ana, s.svc, at(s.monday, "10:00"))[1]["appointment"]
    book(p, "Xiomara", s.ana, s.svc, at(s.monday, "10:30"), check=False)    # a clash
    book(p, "Xiomara", s.ben, s.svc, at(s.monday, "10:00"), "--repeat", "weekly",
         "--count", "3")
    p.ctl("move", a["id"], "--at", at(s.monday, "14:00"))
    p.ctl("cancel", a["id"], "--by", "client", "--reason", SECRETS["reason"])
    p.ctl("client", "show", "Quentin Zab", user="pdtest-none", check=False)   # denied
    p.ctl("client", "add", SECRETS["other"], "--email", "not-an-email", check=False)
    p.ctl("list", "--week", s.monday.isoformat(), "--client", "Xiomara")
    p.ctl("audit")
    p.api("PATCH", "/v1/clients/%d" % o["id"], {"active": False})
    assert p.stop() == 0
    log = p.log()
    # -v took effect: a debug line a request, naming routes
    assert "/clients/*" in log, log
    for key, secret in SECRETS.items():
        for word in secret.replace("+", " ").split():
            assert word.lower() not in log.lower(), (
                "the log carries the client's %s (%r):\n%s" % (key, word, log))
    for text in ("example.org", "5555550199", "Quentin", "zabriskie", "Xiomara"):
        assert text.lower() not in log.lower(), (text, log)
    assert q["id"] and o["id"]
