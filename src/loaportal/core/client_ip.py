"""The client's address, as rate limits and the audit trail see it.

Without a proxy the address is ``REMOTE_ADDR``. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies
(``ALLAUTH_TRUSTED_PROXY_COUNT``, 0 by default), each proxy appends the address it received the
request from to ``X-Forwarded-For``, so the client is the entry that many places from the
right; entries further left were written by the client and are never believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def request_client_ip(request: HttpRequest) -> str | None:
    """The client's address, or None when the request carries no valid address."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped a proxy; the leftmost entry is still the
    # farthest hop a trusted proxy wrote.
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _address(candidate) or remote
