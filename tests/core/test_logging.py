"""Logs (core.logging): JSON lines with the request id, the id carried into the email task,
and no code, password, token or document content in any log line."""

from __future__ import annotations

import json
import logging

import pytest

from loaportal.core.logging import (
    JsonFormatter,
    RedactSecretsFilter,
    RequestIdFilter,
    current_request_id,
    redact,
)
from tests import flows
from tests.factories import PASSWORD, UserFactory


@pytest.mark.parametrize(
    "text",
    [
        "code 482913 sent",
        "invitation K7QP-M2XD-9HTR redeemed",
        "password=correct horse battery",
        "{'password': 'hunter2hunter2', 'login': 'a@b.example'}",
        'POST data: {"csrfmiddlewaretoken": "abcdEFGH1234", "code": "123456"}',
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
        "sessionid=q8w7e6r5t4y3u2i1o0p9",
        "redis://user:s3cr3tpass@redis.internal:6379/0",
        "content b'%PDF-1.7\\n1 0 obj << /Type /Catalog >> %%EOF'",
        "token=abcdef0123456789",
        "https://bucket.s3.amazonaws.com/k?X-Amz-Signature=0123abcd&x=1",
    ],
)
def test_secrets_are_redacted(text):
    redacted = redact(text)
    for secret in (
        "482913",
        "K7QP-M2XD-9HTR",
        "correct horse",
        "hunter2hunter2",
        "abcdEFGH1234",
        "123456",
        "eyJhbGciOiJIUzI1NiJ9",
        "q8w7e6r5t4y3u2i1o0p9",
        "s3cr3tpass",
        "/Type /Catalog",
        "abcdef0123456789",
        "0123abcd",
    ):
        assert secret not in redacted, redacted
    assert "[redacted]" in redacted


def test_what_is_not_secret_stays():
    for text in (
        "Delivered email 42 (sign_in_code) to a@b.example in 1200 ms; status 200",
        "Worker 4b0eeaa6e0ed47c2a51db9d09b316245: started with PID 15691",
        "2026-11-29T00:56:59.098+00:00 /en/verifications/123456/",
    ):
        assert redact(text) == text


def _record(message, *args, exc_info=None):
    return logging.LogRecord(
        "loaportal.test", logging.WARNING, __file__, 1, message, args, exc_info
    )


def test_the_filter_redacts_arguments_and_tracebacks():
    try:
        raise ValueError("bad code 654321 for password=topsecretvalue")
    except ValueError:
        import sys

        record = _record("sign-in code %s for %s", "987654", "a@b.example", exc_info=sys.exc_info())
    RedactSecretsFilter().filter(record)
    RequestIdFilter().filter(record)
    token = current_request_id.set("req-12345678")
    try:
        line = JsonFormatter().format(record)
    finally:
        current_request_id.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "sign-in code [redacted] for a@b.example"
    assert "654321" not in entry["exception"] and "topsecretvalue" not in entry["exception"]
    assert entry["level"] == "WARNING" and entry["logger"] == "loaportal.test"


@pytest.mark.django_db
def test_a_sign_in_logs_no_secret_and_carries_its_request_id_into_the_email_task(
    client, mail, caplog, settings
):
    """Every record of a whole sign-in (password, code email delivered by the task, code) as
    the configured handler would write it: no password, no code; the task's lines carry the
    request's id."""
    user = UserFactory(email="logs@college.example")
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="loaportal.request")
    # As the configured handler does, at the time of each record (core.logging).
    caplog.handler.addFilter(RequestIdFilter())
    response = client.post(
        flows.url("account_login"),
        {"login": user.email, "password": PASSWORD},
        HTTP_X_REQUEST_ID="lb-request-0001",
    )
    assert response["X-Request-ID"] == "lb-request-0001"
    code = mail.wait_for(user.email).first_line
    flows.submit_code(client, code=code)
    formatter, redacting = JsonFormatter(), RedactSecretsFilter()
    lines = []
    for record in caplog.records:
        redacting.filter(record)
        lines.append(formatter.format(record))
    text = "\n".join(lines)
    assert PASSWORD not in text and code not in text
    delivered = [line for line in lines if "delivered" in line]
    assert delivered and all('"request_id": "lb-request-0001"' in line for line in delivered[:1])


@pytest.mark.django_db
def test_an_insane_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces\nand newline")
    assert response["X-Request-ID"] != "bad id with spaces\nand newline"
    assert len(response["X-Request-ID"]) == 32
