"""The source address of the request being served, for audit entries written by services.

Services record audit events without taking the request as an argument; the web middleware
below makes the client's address available to them for the length of one request. Outside a
request (worker, management commands) there is no address and entries record none.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse

from loaportal.core.client_ip import request_client_ip

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "loaportal_audit_client_ip", default=None
)


def client_ip() -> str | None:
    return _client_ip.get()


# The API token a request is served for (set by the API layer around each call): every audit
# entry written meanwhile names it, whatever service writes the entry.
_api_token: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "loaportal_audit_api_token", default=None
)


def api_token() -> dict[str, Any] | None:
    return _api_token.get()


def api_token_use(token: dict[str, Any]) -> None:
    """From here to the end of the request being served (``AuditContextMiddleware`` resets
    it), audit entries record ``details["api_token"] = token``."""
    _api_token.set(dict(token))


@contextmanager
def acting_through_api_token(token: dict[str, Any]) -> Iterator[None]:
    """Within this block, audit entries record ``details["api_token"] = token`` (its id, name,
    kind and DLI: what identifies it without its secret)."""
    handle = _api_token.set(dict(token))
    try:
        yield
    finally:
        _api_token.reset(handle)


def request_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return client_ip()
    # REMOTE_ADDR, or X-Forwarded-For through TRUSTED_PROXY_COUNT proxies: the address the
    # rate limits use too (AccountAdapter.get_client_ip).
    return request_client_ip(request)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(request_ip(request))
        api = _api_token.set(None)
        try:
            return self.get_response(request)
        finally:
            _api_token.reset(api)
            _client_ip.reset(token)
