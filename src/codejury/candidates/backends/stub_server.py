"""A small OpenAI-compatible HTTP server for demos and tests: deterministic answers, optional faults.

It speaks ``POST /v1/completions`` and ``POST /v1/chat/completions`` on 127.0.0.1 and a free port,
answers with ``responder(body)`` (by default a stub that names the sample's seed) and can be told to
misbehave for the next requests: ``"429"`` (rate limited, with ``Retry-After``), ``"500"``, ``"slow"``
(answers after ``slow_s``) or ``"400"``; ``delay_s`` slows every answer down. It counts what it served, so that callers can check how many
requests a run really made::

    with StubServer(faults=["429", "500"]) as server:
        backend = OpenAIBackend(server.base_url)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Responder = Callable[[dict[str, Any]], str]


def default_responder(body: dict[str, Any]) -> str:
    return f"    return None  # sample {body.get('seed')}\n"


class StubServer:
    def __init__(
        self,
        faults: list[str] | None = None,
        responder: Responder = default_responder,
        *,
        retry_after: str = "0",
        slow_s: float = 1.0,
        delay_s: float = 0.0,
    ) -> None:
        self.faults = list(faults or [])
        self.responder = responder
        self.retry_after = retry_after
        self.slow_s = slow_s
        self.delay_s = delay_s
        self.requests = 0  # every request received
        self.served = 0  # successful answers
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def next_fault(self, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        with self.lock:
            self.requests += 1
            self.bodies.append(body)
            self.headers.append(headers)
            return self.faults.pop(0) if self.faults else None

    def answer(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        text = self.responder(body)
        with self.lock:
            self.served += 1
        usage = {"prompt_tokens": len(json.dumps(body.get("messages") or body.get("prompt"))) // 4,
                 "completion_tokens": max(1, len(text) // 4)}  # fmt: skip
        if path.endswith("/chat/completions"):
            choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", "content": text}}
        else:
            choice = {"index": 0, "text": text}
        choice["finish_reason"] = "stop"
        return {
            "id": f"stub-{self.served}",
            "model": body.get("model"),
            "choices": [choice],
            "usage": usage,
        }


def _handler(server: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: requests are counted, not logged."""

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            fault = server.next_fault(body, dict(self.headers.items()))
            time.sleep(server.slow_s if fault == "slow" else server.delay_s)
            if fault in ("429", "500", "400"):
                extra = {"Retry-After": server.retry_after} if fault == "429" else {}
                self._send(int(fault), {"error": {"message": f"injected {fault}"}}, extra)
            elif self.path in ("/v1/completions", "/v1/chat/completions"):
                self._send(200, server.answer(self.path, body))
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def _send(
            self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout); nothing to answer

    return Handler
