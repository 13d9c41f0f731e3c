"""A local SMTP server that appends every message it receives to a file (``make prod`` on one
machine, where there is no real mail relay). The file holds codes: it is created 0600.

Usage: python deploy/mailsink.py HOST PORT FILE
"""

import email
import email.policy
import os
import sys
import time

from aiosmtpd.controller import Controller

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Append:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body else ""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} to {', '.join(envelope.rcpt_tos)}\n")
            out.write(f"Subject: {message['subject']}\n\n{text}\n")
        return "250 OK"


controller = Controller(Append(), hostname=host, port=port)
controller.start()
print(f"Mail server on {host}:{port}, writing to {path}", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    controller.stop()
