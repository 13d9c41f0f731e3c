"""A local SMTP server for the benchmark: keeps each recipient's last sign-in code in a file.

``python benchmarks/smtp_sink.py PORT DIRECTORY``. While the file ``DIRECTORY/slow`` exists,
every new connection waits 5 seconds before the server greets it (a "5-second accept"), as a
saturated or distant mail relay would; otherwise it answers at once.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

SLOW_SECONDS = 5.0


class SlowAcceptSMTP(SMTP):
    directory: Path

    async def _handle_client(self):  # type: ignore[override]
        if (self.directory / "slow").exists():
            await asyncio.sleep(SLOW_SECONDS)
        return await super()._handle_client()


class Handler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        for recipient in envelope.rcpt_tos:
            target = self.directory / "codes" / recipient.lower()
            target.write_text(f"{time.time()}\n{first}\n")
        return "250 OK"


class SinkController(Controller):
    def __init__(self, handler: Handler, directory: Path, **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self.directory = directory

    def factory(self):
        server = SlowAcceptSMTP(self.handler)
        server.directory = self.directory
        return server


def main() -> None:
    port, directory = int(sys.argv[1]), Path(sys.argv[2])
    (directory / "codes").mkdir(parents=True, exist_ok=True)
    controller = SinkController(Handler(directory), directory, hostname="127.0.0.1", port=port)
    controller.start()
    print(f"SMTP sink on 127.0.0.1:{port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
