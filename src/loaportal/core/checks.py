"""System checks that make a production start refuse what Django only warns about.

Django's ``check --deploy`` only warns (security.W009, W018) about a short ``SECRET_KEY`` or
``DEBUG`` on; in production the portal makes them errors, which ``check``, ``check --deploy``,
``migrate`` and ``runserver`` refuse to go past.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

MIN_SECRET_LENGTH = 50
MIN_SECRET_CHARACTERS = 5


def _weak(secret: str) -> bool:
    return len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < MIN_SECRET_CHARACTERS


@checks.register(checks.Tags.security)
def production_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[checks.CheckMessage] = []
    if settings.DEBUG:
        errors.append(
            checks.Error(
                "DEBUG is on in production: it shows settings and personal data on error pages.",
                hint="Unset DEBUG (or set DEBUG=false).",
                id="loaportal.E001",
            )
        )
    if _weak(settings.SECRET_KEY):
        errors.append(
            checks.Error(
                f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters or has fewer than "
                f"{MIN_SECRET_CHARACTERS} different ones.",
                hint="Generate one: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
                id="loaportal.E002",
            )
        )
    if _weak(getattr(settings, "AUDIT_HMAC_KEY", "")):
        errors.append(
            checks.Error(
                f"AUDIT_HMAC_KEY is shorter than {MIN_SECRET_LENGTH} characters or has fewer "
                f"than {MIN_SECRET_CHARACTERS} different ones.",
                hint="Generate one like SECRET_KEY, keep it outside the database and its backups.",
                id="loaportal.E003",
            )
        )
    return errors
