"""Forgotten password, in a real browser, in French and English."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    LABELS,
    check_accessibility,
    expect_error,
    expect_heading,
    fill,
    press,
    sign_in_fully,
)
from tests.conftest import SIX_DIGITS
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "forgot": "Mot de passe oublié\u00a0?",  # non-breaking space
        "reset": "Réinitialiser votre mot de passe",
        "send": "Envoyer un code",
        "choose": "Choisir un nouveau mot de passe",
        "new_password": "Nouveau mot de passe",
        "change": "Changer le mot de passe",
        "done": "Mot de passe changé",
        "too_short": "trop court",
    },
    "en": {
        "forgot": "Forgot your password?",
        "reset": "Reset your password",
        "send": "Send a code",
        "choose": "Choose a new password",
        "new_password": "New password",
        "change": "Change password",
        "done": "Password changed",
        "too_short": "too short",
    },
}
NEW_PASSWORD = "autumn lanterns over quiet harbours"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_forgotten_password_by_emailed_code(page, smtp, lang):
    t, x = LABELS[lang], TEXT[lang]
    user = MembershipFactory(user__email=f"forgetful.{lang}@college.example").user
    page.goto(f"/{lang}/")
    page.get_by_role("link", name=t["sign_in"], exact=True).first.click()
    page.get_by_role("link", name=x["forgot"], exact=True).click()
    expect_heading(page, x["reset"])
    check_accessibility(page)
    fill(page, t["email"], user.email)
    press(page, x["send"])

    expect_heading(page, x["reset"])
    code = smtp.wait_for(user.email).first_line
    assert SIX_DIGITS.match(code)
    fill(page, t["verification_code"], code)
    press(page, t["validate_code"])

    expect_heading(page, x["choose"])
    check_accessibility(page)
    fill(page, x["new_password"], "too short")
    press(page, x["change"])
    expect_error(page, x["too_short"], lang)
    fill(page, x["new_password"], NEW_PASSWORD)
    press(page, x["change"])
    expect_heading(page, x["done"])

    sign_in_fully(page, smtp, lang, user.email, NEW_PASSWORD)
