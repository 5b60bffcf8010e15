"""Local stand-ins for an unreachable AWS, for the audit's timeout tests (no network):

- ``refused_port()``: a port nothing listens on (the connection is refused);
- ``Silent``: a TCP server that accepts connections and never answers;
- ``Partial``: an HTTP server that answers ``sts:GetCallerIdentity`` (so the audit's preflight
  passes), answers the GET paths it is given with fixed JSON, and never answers anything else.

Point the CLI at one with ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IDENTITY = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/auditor</Arn><UserId>AIDAFAKE</UserId>
<Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""
REJECTED = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error>
<RequestId>1</RequestId></ErrorResponse>"""


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed without listening: connections are refused


class Silent:
    """Accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def __enter__(self) -> "Silent":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()
        for c in self.accepted:
            c.close()


class Partial:
    """Answers GetCallerIdentity (or rejects the credentials), the GET paths in ``answers``, and
    nothing else: every other request waits until the server stops."""

    def __init__(self, answers: dict[str, dict] | None = None, reject_credentials: bool = False) -> None:
        stop = self.stop = threading.Event()
        answers = answers or {}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, status: int, body: str, kind: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if b"Action=GetCallerIdentity" in body:
                    if reject_credentials:
                        return self._reply(403, REJECTED, "text/xml")
                    return self._reply(200, IDENTITY, "text/xml")
                stop.wait()

            def do_GET(self) -> None:
                for prefix, doc in answers.items():
                    if self.path.startswith(prefix):
                        return self._reply(200, json.dumps(doc), "application/json")
                stop.wait()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self) -> "Partial":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def aws_env(port: int, **extra: str) -> dict[str, str]:
    """The environment of a CLI run against ``127.0.0.1:port``: fake keys, no profile files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": "eu-west-1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true", **extra})
    return env


FAST = ["--connect-timeout", "1", "--read-timeout", "1", "--max-attempts", "1"]
PYTHON = sys.executable
