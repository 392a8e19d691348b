"""Helpers of the HTTP API tests: a client that speaks to smsgwd's API and
a webhook receiver (python's http.server in a thread) that records every
POST and answers with a status the test chooses.

    api = Api(port, token)
    status, headers, body = api.post("/v1/messages", {"to": …, "text": …})
    rx = Receiver(status=500); rx.start(); …; rx.status = 200
"""
import hashlib
import hmac
import http.client
import http.server
import json
import socket
import threading


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_section(port, **opts):
    lines = [f'    listen = "127.0.0.1:{port}"']
    for k, v in opts.items():
        lines.append(f"    {k} = {json.dumps(v) if isinstance(v, str) else v}")
    return "http {\n" + "\n".join(lines) + "\n}\n"


class Api:
    def __init__(self, port, token=None):
        self.port = port
        self.token = token

    def request(self, method, path, body=None, token=None, headers=None, raw=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = dict(headers or {})
        tok = self.token if token is None else token
        if tok:
            h["Authorization"] = "Bearer " + tok
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        payload = r.read()
        c.close()
        ctype = r.getheader("Content-Type") or ""
        if "json" in ctype and payload:
            payload = json.loads(payload)
        headers = {}
        for k, v in r.getheaders():   # repeated headers joined, as RFC 9110 allows
            headers[k] = headers[k] + ", " + v if k in headers else v
        return r.status, headers, payload

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)


def verify_signature(secret, header, body, tolerance=None, now=None):
    """True when header "t=…,v1=…" is HMAC-SHA256(secret, "<t>.<body>")."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(secret.encode(), parts["t"].encode() + b"." + body,
                   hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, parts.get("v1", ""))


class Receiver:
    """A webhook receiver on 127.0.0.1; every POST is recorded as a dict
    (path, headers, body bytes, status answered)."""

    def __init__(self, status=200):
        self.status = status
        self.requests = []
        self.lock = threading.Lock()
        rx = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                status = rx.status
                with rx.lock:
                    rx.requests.append({"path": self.path,
                                        "headers": dict(self.headers),
                                        "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self, event=None, status=None):
        with self.lock:
            out = list(self.requests)
        return [r for r in out
                if (event is None or r["headers"].get("Smsgw-Event") == event)
                and (status is None or r["status"] == status)]
