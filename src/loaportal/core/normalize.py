"""How the portal normalises what people type, in one place."""

from __future__ import annotations

# What people type or paste between the groups of a code: spaces and hyphens of all kinds.
CODE_SEPARATORS = frozenset(" -\t\u00a0\u2010\u2011\u2012\u2013")


def email_normalize(email: str) -> str:
    """An email address as the portal stores and compares it: trimmed, in lower case.

    Addresses are unique across the portal whatever their letter case (see ``accounts.User``).
    """
    return (email or "").strip().lower()


def code_strip_separators(value: str) -> str:
    """A typed or pasted code without spaces or hyphens (``123 456``, ``K7QP-M2XD``)."""
    return "".join(ch for ch in value if ch not in CODE_SEPARATORS)
