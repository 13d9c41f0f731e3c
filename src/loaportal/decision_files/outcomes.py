"""Outcomes as a file may write them: the codes, or the outcome labels in French or English."""

from __future__ import annotations

import unicodedata
from functools import cache

from django.conf import settings
from django.utils import translation

from loaportal.verifications.models import VerificationRequest

DASHES = "‐‑‒–—―−﹘﹣－"


def outcome_key(text: str) -> str:
    """``text`` as outcomes are compared: without accents, case or extra spaces, every kind
    of dash as "-" with no space around it ("Vérifiée — correspondance" becomes
    "verifiee-correspondance")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    for dash in DASHES:
        plain = plain.replace(dash, "-")
    words = " ".join(plain.split())
    return words.replace(" - ", "-").replace(" -", "-").replace("- ", "-")


@cache
def _accepted() -> dict[str, str]:
    accepted: dict[str, str] = {}
    for code in VerificationRequest.OUTCOMES:
        accepted[outcome_key(code)] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                accepted[outcome_key(str(VerificationRequest.Status(code).label))] = code
    return accepted


def outcome_from_text(text: str) -> str | None:
    """The outcome code ``text`` names, or None."""
    return _accepted().get(outcome_key(text))
