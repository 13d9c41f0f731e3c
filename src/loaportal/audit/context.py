"""The source address of the request being served, for audit entries written by services.

Services record audit events without taking the request as an argument; the web middleware
below makes the client's address available to them for the length of one request. Outside a
request (worker, management commands) there is no address and entries record none.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from loaportal.core.client_ip import request_client_ip

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "loaportal_audit_client_ip", default=None
)


def client_ip() -> str | None:
    return _client_ip.get()


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
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
