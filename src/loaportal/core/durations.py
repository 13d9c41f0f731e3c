"""Durations said in words, in the active language, from the settings that define them.

Pages, forms and emails say how long a code lasts from the setting itself, so that changing
``LOGIN_CODE_VALIDITY_SECONDS`` changes every sentence that mentions it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext, ngettext


def duration_text(seconds: int) -> str:
    """``3 minutes``, ``1 minute``, ``45 seconds``, ``1 minute and 30 seconds``."""
    minutes, rest = divmod(int(seconds), 60)
    minutes_text = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    seconds_text = ngettext("%(count)d second", "%(count)d seconds", rest) % {"count": rest}
    if not rest:
        return minutes_text
    if not minutes:
        return seconds_text
    return gettext("%(minutes)s and %(seconds)s") % {
        "minutes": minutes_text,
        "seconds": seconds_text,
    }


def login_code_validity() -> str:
    """How long each emailed sign-in code is valid (``LOGIN_CODE_VALIDITY_SECONDS``)."""
    return duration_text(settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT)


def password_reset_code_validity() -> str:
    """How long a password-reset code is valid."""
    return duration_text(settings.ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT)
