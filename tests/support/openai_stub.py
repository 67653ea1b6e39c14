"""A small local server that speaks the OpenAI protocol, so the real `openai` client runs in tests.

It serves OpenAI's paths (`/v1/chat/completions`, `/v1/embeddings`, bearer key) and Azure OpenAI's
(`/openai/deployments/<name>/…?api-version=…`, `api-key` header): chat answers stream as server-sent
events (text deltas, tool calls, a usage chunk), embeddings come back as vectors. What the "model"
does is scripted on `server.script`: call a tool first, obey an injected instruction (a gullible model),
fail with a status, or wait too long (timeouts). Every request is recorded on `server.requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from nexus360.chat.engine import embed_local

KEY = "test-key-not-secret"
EMBED_DIMENSIONS = 768  # shorter than the column: the app pads with zeros


@dataclass
class Script:
    tool_call: tuple[str, dict] | None = None  # call this tool once before answering
    obey_injection: bool = False  # follow "ignore your instructions" found in the data (a gullible model)
    status: int | None = None  # answer every request with this HTTP error
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    answer: str = "Here is what the sources say [1]. Figures come from the tools."


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class StubServer:
    url: str
    script: Script = field(default_factory=Script)
    requests: list[Recorded] = field(default_factory=list)


def _chunk(delta: dict | None = None, finish: str | None = None, usage: dict | None = None) -> bytes:
    body: dict[str, Any] = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                            "model": "stub-model", "choices": []}
    if delta is not None or finish is not None:
        body["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish}]
    if usage is not None:
        body["usage"] = usage
    return f"data: {json.dumps(body)}\n\n".encode()


def make_handler(server: StubServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            server.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            script = server.script
            if script.delay:
                time.sleep(script.delay)
            if not self._authorised():
                return self._error(401, "invalid_api_key", "Incorrect API key provided.")
            if script.status:
                return self._error(script.status, "stub_error", f"stub failure {script.status}")
            if self.path.split("?")[0].endswith("/embeddings"):
                return self._embeddings(body)
            if self.path.split("?")[0].endswith("/chat/completions"):
                return self._chat(body, script)
            return self._error(404, "not_found", f"no route {self.path}")

        def _authorised(self) -> bool:
            if "/openai/deployments/" in self.path:
                return self.headers.get("api-key") == KEY and "api-version=" in self.path
            return self.headers.get("Authorization") == f"Bearer {KEY}"

        def _error(self, status: int, code: str, message: str) -> None:
            payload = json.dumps({"error": {"message": message, "type": code, "code": code}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _embeddings(self, body: dict) -> None:
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = [{"object": "embedding", "index": i, "embedding": embed_local(text)[:EMBED_DIMENSIONS]}
                    for i, text in enumerate(inputs)]
            payload = json.dumps({"object": "list", "data": data, "model": body.get("model"),
                                  "usage": {"prompt_tokens": 5 * len(inputs), "total_tokens": 5 * len(inputs)}})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload.encode())

        def _chat(self, body: dict, script: Script) -> None:
            messages = body.get("messages", [])
            answered_tools = any(message.get("role") == "tool" for message in messages)
            everything = json.dumps(messages)
            call = None
            if body.get("tools") and not answered_tools:
                if script.obey_injection and "ignore your instructions" in everything.lower():
                    person = re.search(r"commission of ([A-Z][a-z]+ [A-Z][a-z]+)", everything)
                    call = ("commission_statement", {"person": person.group(1) if person else "everyone"})
                else:
                    call = script.tool_call
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(_chunk({"role": "assistant", "content": ""}))
            if call is not None:
                name, arguments = call
                self.wfile.write(_chunk({"tool_calls": [{"index": 0, "id": "call_stub_1", "type": "function",
                                                         "function": {"name": name, "arguments": ""}}]}))
                text = json.dumps(arguments)
                for start in range(0, len(text), 7):  # arguments arrive in pieces, as real models send them
                    self.wfile.write(_chunk({"tool_calls": [{"index": 0, "function": {"arguments":
                                                                                      text[start:start + 7]}}]}))
                self.wfile.write(_chunk(finish="tool_calls"))
                self.wfile.write(_chunk(usage={"prompt_tokens": 300, "completion_tokens": 20, "total_tokens": 320}))
            else:
                tool_text = ""
                for message in messages:
                    if message.get("role") == "tool":
                        tool_text += " Tool said: " + message["content"][:400]
                for word in re.split(r"(?<=\s)", script.answer + tool_text):
                    self.wfile.write(_chunk({"content": word}))
                    self.wfile.flush()
                self.wfile.write(_chunk(finish="stop"))
                self.wfile.write(_chunk(usage={"prompt_tokens": 420, "completion_tokens": 37, "total_tokens": 457}))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


def start() -> tuple[StubServer, ThreadingHTTPServer]:
    """Serve on a free port of 127.0.0.1 in a daemon thread; returns the stub and its server (to shut down)."""
    stub = StubServer(url="")
    http = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(stub))
    stub.url = f"http://127.0.0.1:{http.server_address[1]}"
    threading.Thread(target=http.serve_forever, daemon=True).start()
    return stub, http
