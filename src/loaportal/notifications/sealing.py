"""Encrypting queued messages with a key kept outside the database.

The key is derived from ``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``, so that a key rotation
does not strand the messages queued just before it): someone who reads the database or a
backup of it, but not the server's configuration, cannot read the codes in queued emails.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

__all__ = ["InvalidToken", "open_sealed", "seal"]

_SALT = "loaportal.notifications.sealing"


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(_SALT, "outbox", secret=key, algorithm="sha256").digest()
                )
            )
            for key in keys
        ]
    )


def seal(data: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(data).encode()).decode("ascii")


def open_sealed(token: str) -> dict[str, Any]:
    """The sealed data; raises ``InvalidToken`` when no current key opens it."""
    data: dict[str, Any] = json.loads(_fernet().decrypt(token.encode("ascii")))
    return data
