"""Response headers that Django's SecurityMiddleware does not set, including a strict CSP.

Every asset is served from the portal's own origin (GC Design System and fonts are vendored).
The design-system loader inserts one ``<style>`` element (its hydration rule); it reads the
per-request nonce from ``<meta name="csp-nonce">`` so no 'unsafe-inline' is needed. Component
stylesheets are constructable stylesheets, which CSP does not restrict; ``data:`` images are
used by the design system's CSS (select chevron).
"""

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from loaportal.core.http import PortalRequest


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"


class HealthCheckMiddleware:
    """Answers ``/healthz`` (and ``/readyz``, ``/metrics``) first, before the HTTPS redirect
    and the host-name check, so a load balancer can probe each server over plain HTTP at its
    address. The answer is fixed JSON (no host name is used to build it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            if request.path == HEALTH_PATH:
                from loaportal.core.views import health

                return health(request)
            # Readiness and metrics likewise (core.health): probes reach each instance at
            # its address; /metrics checks who asks itself.
            if request.path == READY_PATH:
                from loaportal.core.health import readiness_view

                return readiness_view(request)
            if request.path == METRICS_PATH:
                from loaportal.core.health import metrics_view

                return metrics_view(request)
        return self.get_response(request)


class NullCharacterMiddleware:
    """Drops NUL characters from the query string's names and values.

    PostgreSQL text cannot hold NUL, so ``?q=%00`` in any search box (the officers' DLI search,
    every back-office list) ended in a database error, a 500. No page has a use for NUL in its
    query; forms posted with one are refused by Django's form fields (a validation error).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            # Immutable from here, as Django's own; the stubs type only what Django builds.
            request.GET = cleaned  # type: ignore[assignment]
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: PortalRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(request.csp_nonce)
        )
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response
