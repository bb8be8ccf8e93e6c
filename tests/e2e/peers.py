"""Real peers for the sender: an SMTP server (aiosmtpd) and an HTTP server
standing in for an SMS provider, on loopback.  What they receive is
appended to FOLDER/smtp.jsonl and FOLDER/http.jsonl, one JSON object a
line.

    peers.py FOLDER [CERT KEY]
        prints "PORTS SMTP HTTP", serves until stdin closes; with a
        certificate and its key the SMTP server offers STARTTLS

SMTP: a recipient starting "reject" is refused (550), "defer" deferred
(451), "hang" left without an answer to DATA for a minute, "slow" answered after
50 ms.
HTTP: the path says the answer: /ok (201, {"sid": ...}), /busy (429),
/fail (500), /optout (400, Twilio's 21610), /hang (no answer for a
minute); anything else 404."""

import asyncio
import base64
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

FOLDER = sys.argv[1] if len(sys.argv) > 1 else "."
_lock = threading.Lock()
_count = [0]


def record(name, obj):
    with _lock:
        with open(os.path.join(FOLDER, name), "a") as f:
            f.write(json.dumps(obj) + "\n")


class SmtpHandler:
    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        if address.startswith("defer"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.startswith("hang") for r in envelope.rcpt_tos):
            await asyncio.sleep(60)
        if any(r.startswith("slow") for r in envelope.rcpt_tos):
            await asyncio.sleep(0.05)
        record("smtp.jsonl", {
            "from": envelope.mail_from, "to": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "data": envelope.content.decode("utf-8", "replace"),
            "at": time.time()})
        return "250 OK queued"


class HttpHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        auth = self.headers.get("authorization", "")
        if auth.startswith("Basic "):
            auth = base64.b64decode(auth[6:]).decode()
        record("http.jsonl", {"path": self.path, "body": body, "auth": auth,
                              "type": self.headers.get("content-type"),
                              "headers": dict(self.headers), "at": time.time()})
        last = self.path.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
        if last == "hang":
            time.sleep(60)
            return
        with _lock:
            _count[0] += 1
            sid = "SM%06d" % _count[0]
        status, answer = {
            "ok": (201, {"sid": sid, "status": "queued"}),
            "Messages": (201, {"sid": sid, "status": "queued"}),
            "busy": (429, {"message": "too many requests"}),
            "fail": (500, {"message": "internal error"}),
            "optout": (400, {"code": 21610, "message":
                             "Attempt to send to unsubscribed recipient"}),
        }.get(last, (404, {"message": "no such path"}))
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    smtp_port = free_port()
    kw = {}
    if len(sys.argv) > 3:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        kw = {"tls_context": ctx, "require_starttls": True}
    smtp = Controller(SmtpHandler(), hostname="127.0.0.1", port=smtp_port, **kw)
    smtp.start()
    http = ThreadingHTTPServer(("127.0.0.1", 0), HttpHandler)
    http.daemon_threads = True
    threading.Thread(target=http.serve_forever, daemon=True).start()
    print("PORTS %d %d" % (smtp_port, http.server_address[1]), flush=True)
    sys.stdin.read()
    http.shutdown()
    smtp.stop()


if __name__ == "__main__":
    main()
