"""Password rules from NIST SP 800-63B-4: length and a blocklist, no composition rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Words a person might build a password from because of where they are typing it.
CONTEXT_WORDS = (
    "loaportal",
    "loa portal",
    "ircc",
    "irc c",
    "portail",
    "portal",
    "password",
    "motdepasse",
    "mot de passe",
    "lettre d'acceptation",
    "letter of acceptance",
    "immigration",
    "canada",
)


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("At most %(max_length)d characters.") % {"max_length": self.max_length}


class ContextWordsValidator:
    """Refuse a password that is mostly context words (the portal's name, "password", ...).

    Every context word is taken out, longest first, and what is left must still be a password
    (at least ``min_remainder`` letters and digits): "LOA Portal password 2026" leaves "2026".
    Taking out one word at a time would leave the others in the remainder and let it pass.
    """

    def __init__(self, min_remainder: int = 8):
        self.min_remainder = min_remainder

    @staticmethod
    def _fold(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalnum())

    def validate(self, password: str, user=None) -> None:
        remainder = self._fold(password)
        found: list[str] = []
        for word in sorted(CONTEXT_WORDS, key=lambda w: len(self._fold(w)), reverse=True):
            core = self._fold(word)
            if core in remainder:
                found.append(word)
                remainder = remainder.replace(core, "")
        if found and len(remainder) < self.min_remainder:
            raise ValidationError(
                _(
                    "This password is too easy to guess because it is built on the word "
                    "“%(word)s”. Choose a longer phrase of unrelated words."
                ),
                code="password_context_word",
                params={"word": found[0]},
            )

    def get_help_text(self) -> StrOrPromise:
        return _("It cannot be built on the portal's name or on the word “password”.")


class RepetitionValidator:
    """Refuse repetitive or sequential passwords ("aaaaaaaaaaaaaaa", "1234567890123456").

    NIST SP 800-63B-4 lists them among the values a blocklist must include.
    """

    def validate(self, password: str, user=None) -> None:
        if not password:
            return
        steps = [ord(b) - ord(a) for a, b in zip(password, password[1:], strict=False)]
        sequential = sum(1 for step in steps if step in (-1, 1)) >= 0.6 * len(steps)
        if len(set(password.casefold())) < 5 or sequential:
            raise ValidationError(
                _(
                    "This password is too easy to guess because it repeats characters or "
                    "follows a sequence. Choose a phrase of unrelated words."
                ),
                code="password_repetitive",
            )

    def get_help_text(self) -> StrOrPromise:
        return _("It cannot be a repetition or a sequence of characters.")
