"""Browsers that have signed in to an account before ("known devices").

After a complete sign-in (password and code) the browser gets a signed, HTTP-only cookie
listing a keyed digest of the account's email address. The per-account limits (wrong
passwords, wrong codes, code emails) do not apply to a browser that carries the account's
digest: an attacker guessing from elsewhere is slowed down without locking the real user out.
The per-address limits and the 3 tries per pending code still apply to every browser.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

COOKIE_NAME = "loaportal_known"
_SALT = "loaportal.accounts.known-device"
_MAX_ACCOUNTS = 10  # accounts remembered per browser (a shared office computer)


def _digest(email: str) -> str:
    return salted_hmac(_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[:32]


def _digests(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return []
    try:
        value = signing.loads(raw, salt=_SALT, max_age=settings.KNOWN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def device_is_known(request: HttpRequest | None, email: str | None) -> bool:
    """Has this browser completed a sign-in to the account with this email address?"""
    if request is None or not email:
        return False
    return _digest(email) in _digests(request)


def device_remember(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """Mark this browser as known for the account (after a complete sign-in)."""
    digest = _digest(email)
    digests = [item for item in _digests(request) if item != digest] + [digest]
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps(digests[-_MAX_ACCOUNTS:], salt=_SALT),
        max_age=settings.KNOWN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
