#!/usr/bin/env python3
"""A loopback HTTP server for the network tests (standard library only).

    net-server.py DIR [PROFILE.json]

Listens on 127.0.0.1 at a free port (with TLS when NB_TLS_CERT and
NB_TLS_KEY name a certificate and key), writes the port to DIR/port, logs each
POST body to DIR/post-N, and exits by itself after 120 seconds (or on
SIGTERM), so a test that dies cannot leave it behind.

GET  /good.json        PROFILE.json as is (404 when none was given)
GET  /invalid.json     PROFILE.json with an unknown key added
GET  /clash.json       PROFILE.json as "clash-chip", aliased to its own id
GET  /malformed.json   text that is not JSON
GET  /noid.json        a JSON object without "id"
GET  /nul.json         a JSON object followed by a NUL byte and more
GET  /badid.json       a JSON object whose id is a path ("../x")
GET  /big.json         2 MiB, announced in Content-Length
GET  /big-chunked.json 2 MiB without Content-Length (chunked)
GET  /slow.json        waits 10 s before answering
GET  /redirect         302 to /good.json
GET  /redirect-ftp     302 to ftp://127.0.0.1/good.json
GET  /redirect-loop    302 to itself
GET  /missing          404 with a short body
POST /ok               200
POST /big-answer       200 with a 2 MiB body
POST /flaky            500 on the first POST, then 200
POST /bad              400 with a body saying why
POST /down             503 always
POST /later            503 until GET /later-up has been asked, then 200
"""
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
os.makedirs(DIR, exist_ok=True)
PROFILE = sys.argv[2] if len(sys.argv) > 2 else None
LOCK = threading.Lock()
STATE = {"posts": 0, "flaky": 0, "up": False}
BIG = 2 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        with open(os.path.join(DIR, "access.log"), "a") as f:
            f.write("%s %s\n" % (self.command, fmt % args))

    def reply(self, code, body, ctype="application/json", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path
        if p == "/good.json" and PROFILE:
            with open(PROFILE, "rb") as f:
                self.reply(200, f.read())
        elif p == "/invalid.json" and PROFILE:
            import json
            with open(PROFILE) as f:
                d = json.load(f)
            d["no_such_key_gbs"] = 1
            self.reply(200, json.dumps(d, indent=2))
        elif p == "/clash.json" and PROFILE:
            import json
            with open(PROFILE) as f:
                d = json.load(f)
            d["aliases"] = [d["id"]]
            d["id"] = "clash-chip"
            self.reply(200, json.dumps(d, indent=2))
        elif p == "/malformed.json":
            self.reply(200, '{"id": "broken", "vendor": ')
        elif p == "/nul.json":
            self.reply(200, b'{"id": "nul"}\0{"more": 1}')
        elif p == "/noid.json":
            self.reply(200, '{"name": "no id here"}')
        elif p == "/badid.json":
            self.reply(200, '{"id": "../escape"}')
        elif p == "/big.json":
            self.reply(200, "{" + " " * (BIG - 2) + "}")
        elif p == "/big-chunked.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b" " * 65536
            try:
                for _ in range(BIG // len(chunk)):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif p == "/slow.json":
            time.sleep(10)
            try:
                self.reply(200, "{}")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif p == "/later-up":
            STATE["up"] = True
            self.reply(200, "up\n", "text/plain")
        elif p == "/redirect":
            self.reply(302, "", headers=[("Location", "/good.json")])
        elif p == "/redirect-ftp":
            self.reply(302, "", headers=[("Location", "ftp://127.0.0.1/good.json")])
        elif p == "/redirect-loop":
            self.reply(302, "", headers=[("Location", "/redirect-loop")])
        else:
            self.reply(404, "no such file: %s\n" % p, "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with LOCK:
            STATE["posts"] += 1
            k = STATE["posts"]
        with open(os.path.join(DIR, "post-%d" % k), "wb") as f:
            head = "%s %s\n" % (self.path, self.headers.get("Content-Type", ""))
            for name, value in self.headers.items():
                if name.lower().startswith("x-") or name.lower() == "idempotency-key":
                    head += "%s: %s\n" % (name, value)
            f.write(head.encode() + b"\n" + body)
        p = self.path
        if p == "/ok":
            self.reply(200, '{"stored": true}')
        elif p == "/big-answer":
            self.reply(200, "x" * BIG, "text/plain")
        elif p == "/flaky":
            with LOCK:
                STATE["flaky"] += 1
                first = STATE["flaky"] == 1
            if first:
                self.reply(500, "temporary failure\n", "text/plain")
            else:
                self.reply(200, '{"stored": true}')
        elif p == "/bad":
            self.reply(400, '{"error": "field \\"results\\" is required"}')
        elif p == "/later":
            if STATE["up"]:
                self.reply(200, '{"stored": true}')
            else:
                self.reply(503, "not yet\n", "text/plain")
        elif p == "/down":
            self.reply(503, "down for maintenance\n", "text/plain")
        else:
            self.reply(404, "no such endpoint: %s\n" % p, "text/plain")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that gives up (size limit, timeout) is expected here.
        with open(os.path.join(DIR, "errors.log"), "a") as f:
            f.write("%s: %s\n" % (client_address, sys.exc_info()[1]))


def main():
    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if os.environ.get("NB_TLS_CERT"):
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.environ["NB_TLS_CERT"], os.environ["NB_TLS_KEY"])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Timer(120, lambda: os._exit(0)).start()
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, os.path.join(DIR, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
