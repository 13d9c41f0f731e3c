"""Every page carries the security headers (issue 13, item 5): every route of the URLconf, in
both languages, asked by an anonymous visitor, a DLI user and an officer, whatever the answer
(a page, a redirect, a 404): Content-Security-Policy, X-Frame-Options or frame-ancestors,
nosniff, Referrer-Policy, Cross-Origin-Opener-Policy, Permissions-Policy; and HSTS on HTTPS in
production."""

from __future__ import annotations

import pytest

from tests.factories import OfficerFactory, dli_with_users
from tests.test_access_sweep import all_routes

pytestmark = pytest.mark.django_db

# Answered before the middleware that adds the page headers (probes, JSON or text only).
PROBES = {"/healthz", "/readyz", "/metrics"}


def _assert_headers(route: str, response) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src" in csp, route
    assert headers.get("X-Frame-Options") == "DENY" or "frame-ancestors" in csp, route
    assert headers.get("X-Content-Type-Options") == "nosniff", route
    assert headers.get("Referrer-Policy") == "same-origin", route
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", route
    assert "camera=()" in headers.get("Permissions-Policy", ""), route


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_route_sends_the_security_headers_to_everyone(client, signed_in, lang):
    """The French and English routes are the same views: each language is asked by an
    anonymous visitor, and one of them (alternating) by a member and an officer too, to keep
    the sweep quick."""
    dli = dli_with_users(secondaries=0)
    clients = {"anonymous": client}
    if lang == "en":
        clients["member"] = signed_in(dli.primary)
    else:
        clients["officer"] = signed_in(OfficerFactory())
    routes = sorted({route for route, _, _ in all_routes(lang)} - PROBES)
    assert len(routes) > 20
    for who, browser in clients.items():
        for route in routes:
            response = browser.get(route)
            assert response.status_code < 500, (who, route)
            _assert_headers(f"{who} {route}", response)


def test_hsts_on_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/fr/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
