"""A local webhook receiver that verifies every delivery with the official `standardwebhooks` package.

    with WebhookReceiver(secret) as receiver:
        ... deliver to receiver.url ...
        assert receiver.verified[0]["type"] == "deal.won"

Answers are scripted: `receiver.answers` is a queue of (status, headers, delay seconds) used one per
request (then 200); `receiver.hold` makes the next request wait until released (a worker killed mid-delivery).
Every request is kept in `receiver.requests` with whether its signature verified; `delivered_ids()` counts
each webhook-id once, as a receiver that deduplicates would.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    error: str | None
    status: int

    @property
    def message_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, secret: str | None = None, *, path: str = "/hooks/nexus360") -> None:
        self.secret = secret
        self.path = path
        self.requests: list[Received] = []
        self.answers: deque[tuple[int, dict[str, str], float]] = deque()
        self.hold: threading.Event | None = None  # set: the next request blocks until it is set again
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> WebhookReceiver:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.hold is not None:
            self.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def answer(self, status: int, headers: dict[str, str] | None = None, delay: float = 0.0) -> None:
        self.answers.append((status, headers or {}, delay))

    @property
    def verified(self) -> list[Any]:
        return [request.json for request in self.requests if request.verified]

    def delivered_ids(self, *, verified_only: bool = True) -> list[str]:
        """Each webhook-id answered 2xx, once (a deduplicating receiver's view). A test whose clock runs hours
        ahead signs timestamps the receiver calls "too new": it checks ids without `verified_only`."""
        return list(dict.fromkeys(r.message_id for r in self.requests
                                  if (r.verified or not verified_only) and 200 <= r.status < 300))

    def _verify(self, headers: dict[str, str], body: bytes) -> tuple[bool, str | None]:
        if self.secret is None:
            return False, "no secret"
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as error:
            return False, str(error)
        return True, None


def _handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {key.lower(): value for key, value in self.headers.items()}
            hold = receiver.hold
            receiver.arrived.set()
            if hold is not None:
                receiver.hold = None
                hold.wait(60)
            with receiver._lock:
                status, extra, delay = receiver.answers.popleft() if receiver.answers else (200, {}, 0.0)
            if delay:
                time.sleep(delay)
            verified, error = receiver._verify(headers, body)
            receiver.requests.append(Received(headers, body, verified, error, status))
            data = b'{"ok": true}' if status < 300 else b'{"error": "scripted"}'
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's name)
            pass

    return Handler
