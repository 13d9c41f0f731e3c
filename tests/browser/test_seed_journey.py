"""The seed, end to end, in a real browser against a running server, in French and English.

Every code is read from the email the portal sent to a real SMTP server on loopback.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from loaportal.institutions.models import Membership
from loaportal.invitations.services import invitation_send
from tests.browser.helpers import (
    LABELS,
    check_accessibility,
    expect_error,
    expect_heading,
    fill,
    press,
    sign_in_with_password,
    sign_up,
)
from tests.conftest import INVITATION_CODE, SIX_DIGITS
from tests.factories import PASSWORD, InstitutionFactory, MembershipFactory

pytestmark = pytest.mark.browser

DLI = {"fr": "O19390898172", "en": "O10000000001"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_invitation_to_home_page(page, smtp, lang):
    t = LABELS[lang]
    email = f"rep.{lang}@college.example"
    call_command(
        "create_dli",
        "--number",
        DLI[lang],
        "--name",
        "Maple College",
        "--name-fr",
        "Collège Érable",
        "--primary-email",
        email,
        "--language",
        lang,
    )
    invitation = smtp.wait_for(email)
    assert INVITATION_CODE.match(invitation.first_line)

    # Landing page → "S'inscrire" / "Sign up"
    page.goto(f"/{lang}/")
    check_accessibility(page)
    page.get_by_role("link", name=t["sign_up"], exact=True).first.click()
    expect_heading(page, t["sign_up"])
    check_accessibility(page)
    sign_up(page, lang, code=invitation.first_line, email=email.upper())

    # "Confirmez l'inscription" / "Confirm sign up": the address is prefilled, the code is emailed.
    expect_heading(page, t["confirm_sign_up"])
    check_accessibility(page)
    expect(page.get_by_label(t["email"], exact=False)).to_have_value(email)
    verification = smtp.wait_for(email, count=2).first_line
    assert SIX_DIGITS.match(verification)
    fill(page, t["verification_code"], verification)
    press(page, t["confirm"])

    # Confirming does not sign in: the person is asked to sign in.
    expect_heading(page, t["sign_in"])
    check_accessibility(page)
    fill(page, t["email"], email)
    fill(page, t["password"], PASSWORD)
    press(page, t["sign_in"])

    expect_heading(page, t["verification_code"])
    check_accessibility(page)
    expect(page.get_by_role("button", name=t["new_code"], exact=True)).to_be_visible()
    sign_in_code = smtp.wait_for(email, count=3).first_line
    assert SIX_DIGITS.match(sign_in_code)
    fill(page, t["verification_code"], sign_in_code)
    press(page, t["validate_code"])

    # Terms first, then the account home page.
    expect_heading(page, t["terms"])
    check_accessibility(page)
    press(page, t["accept"])
    expect_heading(page, t["home"])
    check_accessibility(page)
    main = page.locator("#main-content")
    expect(main).to_contain_text(DLI[lang])
    expect(main).to_contain_text("Collège Érable" if lang == "fr" else "Maple College")
    expect(main).to_contain_text("Utilisateur principal" if lang == "fr" else "Primary user")

    # The language toggle leads to the same page in the other language.
    other = "en" if lang == "fr" else "fr"
    page.get_by_role("link", name="English" if lang == "fr" else "Français").click()
    expect_heading(page, LABELS[other]["home"])
    assert page.url.startswith(f"{page.url.split('/' + other + '/')[0]}/{other}/")
    assert page.js_errors == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_bad_invitations_are_refused_with_clear_messages(page, smtp, lang, clock):
    t = LABELS[lang]
    institution = InstitutionFactory()
    good = invitation_send(institution=institution, email="good@college.example")
    used = invitation_send(institution=institution, email="used@college.example")
    expired = invitation_send(institution=institution, email="late@college.example")
    MembershipFactory(user__email="used@college.example", institution=institution)
    used.invitation.used_at = used.invitation.created_at
    used.invitation.used_by = institution.memberships.get().user
    used.invitation.save()

    messages = {
        "fr": {
            "unknown": "Ce code d'invitation n'est pas valide",
            "used": "Ce code d'invitation a déjà été utilisé",
            "expired": "Ce code d'invitation a expiré",
            "mismatch": "Cette adresse électronique n'est pas celle à laquelle l'invitation",
        },
        "en": {
            "unknown": "This invitation code is not valid",
            "used": "This invitation code has already been used",
            "expired": "This invitation code has expired",
            "mismatch": "This email address is not the one the invitation was sent to",
        },
    }[lang]

    page.goto(f"/{lang}/")
    page.get_by_role("link", name=t["sign_up"], exact=True).first.click()
    sign_up(page, lang, code="ABCD-EFGH-JKMN", email="good@college.example")
    expect_error(page, messages["unknown"], lang)
    check_accessibility(page)
    # Nothing typed is lost, except the password.
    expect(page.get_by_label(t["surname"], exact=False)).to_have_value("Tremblay")
    # "Show password" shows what is typed.
    password = page.locator("input#id_password1")
    expect(password).to_have_attribute("type", "password")
    page.get_by_text("Afficher le mot de passe" if lang == "fr" else "Show password").click()
    expect(password).to_have_attribute("type", "text")

    sign_up(page, lang, code=used.code, email="used@college.example")
    expect_error(page, messages["used"], lang)

    sign_up(page, lang, code=good.code, email="someone.else@college.example")
    expect_error(page, messages["mismatch"], lang)

    clock.shift(timedelta(days=15))
    sign_up(page, lang, code=expired.code, email="late@college.example")
    expect_error(page, messages["expired"], lang)
    assert page.js_errors == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sign_in_code_rules(page, smtp, lang, clock):
    t = LABELS[lang]
    user = MembershipFactory(
        user__email=f"user.{lang}@college.example", role=Membership.Role.PRIMARY
    ).user

    # A code older than 3 minutes is refused on the same page; a new code succeeds.
    sign_in_with_password(page, lang, user.email)
    first = smtp.wait_for(user.email).first_line
    clock.shift(timedelta(seconds=181))
    fill(page, t["verification_code"], first)
    press(page, t["validate_code"])
    expect_error(page, "expiré" if lang == "fr" else "expired", lang)
    check_accessibility(page)
    press(page, t["new_code"])
    expect_heading(page, t["verification_code"])
    second = smtp.wait_for(user.email, count=2).first_line
    clock.shift(timedelta(seconds=150))
    fill(page, t["verification_code"], second)
    press(page, t["validate_code"])
    expect_heading(page, t["terms"])

    # Terms block every other page until accepted.
    for path in (
        f"/{lang}/",
        page.url.replace("/modalites/", "/accueil/").replace("/terms/", "/home/"),
    ):
        page.goto(path)
        expect_heading(page, t["terms"])
    press(page, t["accept"])
    expect_heading(page, t["home"])

    # After 3 wrong codes, the sign-in starts over.
    page.context.clear_cookies()
    sign_in_with_password(page, lang, user.email)
    right = smtp.wait_for(user.email, count=3).first_line
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for attempt in range(3):
        fill(page, t["verification_code"], wrong)
        press(page, t["validate_code"])
        if attempt < 2:
            expect_error(page, "incorrect" if lang == "fr" else "not correct", lang)
    expect_heading(page, t["sign_in"])
    expect(page.locator("#main-content")).to_contain_text(
        "Trop de codes incorrects" if lang == "fr" else "Too many incorrect codes"
    )
    assert page.js_errors == []
