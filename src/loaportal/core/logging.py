"""Logs an operator can ship and search: one JSON object a line (``LOG_FORMAT=json``), each
carrying the request id of the request that caused it, also inside the background tasks that
request queued; and nothing in any log that opens an account or a document.

- ``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the load balancer's ``X-Request-ID``
  when it is sane, or makes one, puts it in ``current_request_id`` for the request's duration,
  returns it in the response's ``X-Request-ID``, and logs one line per request (method, path
  without its query string, status, milliseconds) on ``loaportal.request``.
- ``RequestIdFilter`` copies the current id into every record; a task queued by the request
  carries the id with it (``notifications.tasks``) and sets it while it runs.
- ``RedactSecretsFilter`` rewrites every record, its arguments and its traceback, before any
  handler sees it: six-digit codes, invitation codes, passwords, tokens, cookies and
  signatures, and the bytes of documents (PDF, JPEG, PNG) become ``[redacted]``. The portal
  never logs these on purpose; the filter is for what a library or an exception message
  might carry (tests/core/test_logging.py).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "loaportal_request_id", default=""
)

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")

request_logger = logging.getLogger("loaportal.request")

REDACTED = "[redacted]"
_SECRETS = [
    # Headers whose whole value is a credential.
    re.compile(r"(?i)(?P<key>\b(?:authorization|cookie|set-cookie)\s*[:=]\s*)(?P<value>[^\n]+)"),
    # key=value and "key": "value" pairs whose key names a secret.
    re.compile(
        r"(?i)(?P<key>[\"']?(?:password\d?|passwd|pwd|secret(?:_key)?|token|csrfmiddlewaretoken|"
        r"api[_-]?key|sessionid|code|invitation_code|otp|signature|"
        r"aws_secret_access_key|x-amz-signature)[\"']?\s*[:=]\s*)"
        r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"
    ),
    # Bearer and Basic credentials.
    re.compile(r"(?i)(?P<key>\b(?:bearer|basic)\s+)(?P<value>[A-Za-z0-9._~+/=-]{8,})"),
    # Secrets in URLs: scheme://user:password@host
    re.compile(r"(?P<key>[a-z][a-z0-9+.-]*://[^\s:/@]+:)(?P<value>[^\s@/]+)(?=@)"),
]
# Invitation codes (K7QP-M2XD-9HTR) and six-digit codes standing alone.
_INVITATION_CODE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){2,}\b")
# Not inside a longer word or number (a hex id, a timestamp, a path), so ids stay readable.
_SIX_DIGITS = re.compile(r"(?<![\w.:/-])\d{6}(?![\w.:/-])")
# A document's bytes, as they would appear in a repr: from the signature to the end.
_DOCUMENT = re.compile(
    r"(?:%PDF-|\\x89PNG|\x89PNG|\\xff\\xd8\\xff|\xff\xd8\xff)[\s\S]*?(?=['\"]?\)?$|['\"],|$)"
)


def redact(text: str) -> str:
    """``text`` with every secret-looking part replaced by ``[redacted]``."""
    if not text:
        return text
    text = _DOCUMENT.sub(REDACTED, text)
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: f"{m.group('key')}{REDACTED}", text)
    text = _INVITATION_CODE.sub(REDACTED, text)
    return _SIX_DIGITS.sub(REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """Renders the record's message, redacts it and its traceback, and drops the arguments
    (which could otherwise be rendered again elsewhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The traceback is now in exc_text only; formatters print it from there.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id.get()
        return True


# Attributes every LogRecord has: what is not among them was passed with ``extra=``.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "request",
    "server_time",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, the
    scalar ``extra`` fields, and the traceback as ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and isinstance(value, str | int | float | bool):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            from loaportal.core.health import response_count

            response_count(response.status_code)
            return response
        finally:
            current_request_id.reset(token)
