"""A real HTTP receiver on loopback for webhook tests: records what arrives and answers as
told (a status, after a delay)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    port: int
    # One (status, delay in seconds) per call, in order; the last one repeats.
    script: list[tuple[int, float]] = field(default_factory=lambda: [(200, 0.0)])
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} received"
            time.sleep(0.05)
        return self.received


@contextmanager
def receiver(script: list[tuple[int, float]] | None = None) -> Iterator[Receiver]:
    state = Receiver(port=0, script=list(script or [(200, 0.0)]))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's API)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                index = len(state.received)
                state.received.append(
                    Received(headers=dict(self.headers.items()), body=body, at=time.monotonic())
                )
                status, delay = state.script[min(index, len(state.script) - 1)]
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
