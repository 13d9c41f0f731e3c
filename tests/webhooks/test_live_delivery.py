"""Webhooks as in production: the portal in gunicorn, the task queue in the database and a
separate ``loaportal worker``, a real receiver on loopback. The receiver first answers slowly
with an error, then accepts: the request that caused the event does not wait for it, the
delivery is retried, and every attempt carries a valid signature."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
import uuid

import pytest

from loaportal.webhooks import delivery
from tests.api.live import live_setup
from tests.processes import BIN, portal_processes
from tests.verifications.helpers import pdf_bytes
from tests.webhooks.receiver import receiver

REGISTER = """
import json
from loaportal.institutions.models import Institution
from loaportal.institutions.selectors import membership_primary
from loaportal.webhooks.services import webhook_endpoint_register
institution = Institution.objects.get(dli_number={dli!r})
registered = webhook_endpoint_register(
    institution=institution, url={url!r},
    created_by=membership_primary(institution=institution).user)
print(json.dumps(registered.secret))
"""

STATE = """
import json
from loaportal.webhooks.models import WebhookDelivery
rows = WebhookDelivery.objects.values_list("status", "attempts", "last_status_code")
print(json.dumps(list(rows)))
"""


def _multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="document"; '
        f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


@pytest.fixture
def portal(django_db_setup, django_db_blocker, transactional_db, _smtp_controller, tmp_path):
    env = {
        "TASKS_BACKEND": "database",
        "WEBHOOK_RETRY_FIRST_SECONDS": "1",
        "WEBHOOK_TIMEOUT_SECONDS": "10",
    }
    with (
        django_db_blocker.unblock(),
        portal_processes(
            tmp_path=tmp_path, smtp_port=_smtp_controller.port, workers=2, env=env
        ) as portal,
    ):
        worker = subprocess.Popen(  # noqa: S603 (our own command)
            [str(BIN / "loaportal"), "worker", "--interval", "0.1", "--maintenance-interval", "1"],
            env=portal.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield portal
        finally:
            worker.terminate()
            worker.wait(timeout=20)


def test_a_slow_failing_receiver_is_retried_and_never_slows_the_request(portal):
    dli = "O19391200012"
    setup = live_setup(portal, dli=dli, requests=0)
    # First answer: 3 seconds late, and an error; then accepted at once.
    with receiver(script=[(500, 3.0), (200, 0.0)]) as hook:
        secret = portal.shell(REGISTER.format(dli=dli, url=hook.url))
        body, boundary = _multipart(
            {
                "application_number": "S391200001",
                "dli_number": dli,
                "surname": "Nguyen",
                "given_names": "Linh",
                "date_of_birth": "2002-09-30",
            },
            "loa.pdf",
            pdf_bytes("LOA"),
        )
        call = urllib.request.Request(  # noqa: S310 (loopback)
            f"http://127.0.0.1:{portal.base_port}/api/v1/ircc/verification-requests",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {setup['ircc']}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        started = time.monotonic()
        with urllib.request.urlopen(call, timeout=30) as answer:  # noqa: S310
            assert answer.status == 201
        took = time.monotonic() - started
        first, second = hook.wait_for(2, timeout=60)
    # The request returned long before the receiver's first (slow) answer.
    assert took < 2.0, took
    assert first.at - started < took + 5
    assert first.body == second.body
    assert json.loads(first.body)["data"]["application_number"] == "S391200001"
    for received in (first, second):
        assert delivery.signature_verify(
            secret, received.headers["LOA-Signature"], received.body, now=int(time.time())
        )
    deadline = time.monotonic() + 10
    while portal.shell(STATE) != [["delivered", 2, 200]]:
        assert time.monotonic() < deadline, portal.shell(STATE)
        time.sleep(0.3)
