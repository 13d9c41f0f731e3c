"""Emails' wording in both languages (issue 8, item 9): dates and times, French spacing, and
French grammar around a DLI's name."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from loaportal.core.typography import french_spacing
from loaportal.institutions.models import Membership
from loaportal.invitations.services import invitation_send
from loaportal.notifications.services import email_render
from tests.factories import InstitutionFactory

NBSP = "\u00a0"
# 14 days later, 20:12 UTC is 15:12 in Toronto (TIME_ZONE's default).
SENT_AT = datetime(2026, 11, 28, 20, 12, tzinfo=UTC)


@pytest.fixture
def invitation_text(smtp):
    institution = InstitutionFactory(name_en="Maple College", name_fr="Collège Érable")

    def send(language: str) -> str:
        email = f"rep.{language}@maple.example"
        invitation_send(
            institution=institution,
            email=email,
            role=Membership.Role.PRIMARY,
            language=language,
            now=SENT_AT,
        )
        return smtp.wait_for(email).text

    return send


def french_part(text: str) -> str:
    return next(part for part in text.split("-" * 40) if "Vous êtes invité" in part)


def english_part(text: str) -> str:
    return next(part for part in text.split("-" * 40) if "You are invited" in part)


def test_english_expiry_has_one_period(invitation_text):
    text = english_part(invitation_text("en"))
    assert "It expires on Dec. 12, 2026, 3:12 p.m. and can be used only once." in text
    assert ".." not in text


def test_french_expiry_says_15_h_12(invitation_text):
    text = french_part(invitation_text("fr"))
    expected = f"Il expire le 12 décembre 2026 à 15{NBSP}h{NBSP}12 et ne peut être utilisé"
    assert expected in text
    assert "15:12" not in text


@pytest.mark.parametrize("first", ["fr", "en"])
def test_french_text_has_non_breaking_spaces_and_english_has_none(invitation_text, first):
    text = invitation_text(first)
    french, english = french_part(text), english_part(text)
    assert f"Pour créer votre compte{NBSP}:" in french
    assert f"«{NBSP}S'inscrire{NBSP}»" in french
    for sign in (":", "?", "!", "»"):
        assert f" {sign}" not in french
    assert "« " not in french
    assert NBSP not in english.replace(f"3:12{NBSP}", "")  # English gets no French spacing


def test_french_grammar_around_the_dli_name(invitation_text):
    text = french_part(invitation_text("fr"))
    assert "de l'EED Collège Érable (numéro" in text
    assert "de Collège" not in text


@pytest.mark.parametrize(
    ("language", "expected", "wrong"),
    [
        ("fr", "concernant les utilisateurs de l'EED Collège Érable (numéro O", "de Collège"),
        ("en", "about the users of Maple College (DLI O", "Maple College (DLI O19390000000)."),
    ],
)
def test_request_email_names_the_dli_correctly(db, language, expected, wrong):
    from loaportal.institutions.models import UserChangeRequest

    institution = InstitutionFactory(name_en="Maple College", name_fr="Collège Érable")
    request = UserChangeRequest(
        institution=institution,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.OTHER,
        explanation="Départ : voir « dossier » ?",
    )
    email = email_render(
        template_prefix="user_changes/email/user_change_request_submitted",
        context={"change_request": request},
        language=language,
    )
    assert expected in email.body
    assert wrong not in email.body
    if language == "fr":
        # Text typed by a person is spaced too, and the catalog's own colon.
        assert f"Départ{NBSP}: voir «{NBSP}dossier{NBSP}»{NBSP}?" in email.body
        assert f"Motif{NBSP}:" in email.body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Motif : « Autre » ?", f"Motif{NBSP}: «{NBSP}Autre{NBSP}»{NBSP}?"),
        ("Attention !", f"Attention{NBSP}!"),
        ("https://portal.example/fr/?next=/fr/", "https://portal.example/fr/?next=/fr/"),
        ("15:12", "15:12"),
        ("Reason: other", "Reason: other"),
    ],
)
def test_french_spacing(text, expected):
    assert french_spacing(text) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", f"12 décembre 2026 à 15{NBSP}h{NBSP}12"), ("en", "Dec. 12, 2026, 3:12 p.m.")],
)
def test_pages_show_times_the_canadian_way(language, expected):
    value = datetime(2026, 12, 12, 20, 12, tzinfo=UTC)
    with translation.override(language):
        rendered = Template('{{ value|date:"DATETIME_FORMAT" }}').render(Context({"value": value}))
    assert rendered == expected
