"""The context-word rule: a password built on the portal's words is refused (NIST SP 800-63B-4)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from loaportal.accounts.validators import ContextWordsValidator


@pytest.mark.parametrize(
    "password",
    [
        "LOA Portal password 2026",  # issue 8: each word alone left enough to pass
        "loaportal-password-2026!",
        "Portail IRCC mot de passe 1",
        "Password Password Password",
        "IRCC Canada immigration 99",
        "letter of acceptance portal",
    ],
)
def test_passwords_made_of_context_words_are_refused(password):
    with pytest.raises(ValidationError) as exc:
        ContextWordsValidator().validate(password)
    assert exc.value.error_list[0].code == "password_context_word"


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple maple",
        "my portal to purple elephant meadows",  # a context word inside a real phrase
        "password for the orchard tractor shed",
    ],
)
def test_phrases_that_only_contain_a_context_word_are_accepted(password):
    ContextWordsValidator().validate(password)


def test_the_message_names_a_word_it_was_built_on():
    with pytest.raises(ValidationError) as exc:
        ContextWordsValidator().validate("LOA Portal password 2026")
    error = exc.value.error_list[0]
    assert error.params["word"] in ("loaportal", "loa portal", "password")


def test_the_portal_settings_refuse_it_too(db):
    # The README promises it: the configured validators, not only the class, refuse it.
    with pytest.raises(ValidationError):
        validate_password("LOA Portal password 2026")
