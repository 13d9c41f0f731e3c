"""A real SMTP server on loopback that a test can take down, bring back or make stall."""

from __future__ import annotations

import asyncio
import socket
import threading

from aiosmtpd.controller import Controller

from tests.conftest import SmtpSink


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, server: FaultySmtp):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.server.unknown:
            return "550 No such mailbox"
        if address.lower() in self.server.busy:
            return "450 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        if self.server.stalling:
            # Hold the message without answering, as a mail server that hangs would.
            self.server.stalled.set()
            while self.server.stalling:
                await asyncio.sleep(0.05)
            return "451 Try again later"
        self.server.sink.receive(envelope)
        return "250 Message accepted for delivery"


class FaultySmtp:
    """Down (nothing listens on its port) until ``start()``; ``stall()`` holds every message."""

    def __init__(self) -> None:
        self.sink = SmtpSink(host="127.0.0.1", port=free_port())
        self.controller: Controller | None = None
        self.stalling = False
        self.stalled = threading.Event()
        self.unknown: set[str] = set()  # refused for good (550)
        self.busy: set[str] = set()  # refused for now (450)

    @property
    def url(self) -> str:
        return f"smtp://{self.sink.host}:{self.sink.port}"

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(
                _Handler(self), hostname=self.sink.host, port=self.sink.port
            )
            self.controller.start()

    def stop(self) -> None:
        self.stalling = False
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def stall(self) -> None:
        self.stalled.clear()
        self.stalling = True

    def resume(self) -> None:
        self.stalling = False

    def message_ids(self, address: str) -> list[str]:
        return [str(m.raw["Message-ID"]) for m in self.sink.for_address(address)]
