"""Password rules from NIST SP 800-63B-4: length and a blocklist, no composition rules."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
    """Refuse a password that is mostly a context word (the portal's name, "password", ...)."""

    def validate(self, password: str, user=None) -> None:
        folded = "".join(ch for ch in password.casefold() if ch.isalnum())
        for word in CONTEXT_WORDS:
            core = "".join(ch for ch in word.casefold() if ch.isalnum())
            remainder = folded.replace(core, "")
            if core in folded and len(remainder) < 8:
                raise ValidationError(
                    _(
                        "This password is too easy to guess because it is built on the word "
                        "“%(word)s”. Choose a longer phrase of unrelated words."
                    ),
                    code="password_context_word",
                    params={"word": word},
                )

    def get_help_text(self) -> str:
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

    def get_help_text(self) -> str:
        return _("It cannot be a repetition or a sequence of characters.")
