"""The second factor in a real browser (issue 13, item 5), in French and English: an officer's
first sign-in that makes them set up an authenticator app, then a sign-in with it; a security
key through Chromium's virtual authenticator (DevTools protocol, ``WebAuthn.*``). Each new page
is checked with axe, and saved as a screenshot at 1280 and 390 pixels wide
(``$LOAPORTAL_VAR_DIR/screenshots/``) after checking that nothing scrolls sideways."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    LABELS,
    check_accessibility,
    expect_heading,
    fill,
    press,
    sign_in_with_password,
)
from tests.factories import PASSWORD, MembershipFactory, OfficerFactory

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "second_factor": "Deuxième facteur",
        "set_up": "Configurer une application d'authentification",
        "confirm_you": "Confirmez votre identité",
        "confirm": "Confirmez",
        "app_code": "Code de votre application d'authentification",
        "turn_on": "Activer",
        "recovery": "Codes de récupération",
        "mfa_code": "Code de l'application d'authentification ou code de récupération",
        "continue": "Continuer",
        "add_key": "Ajouter une clé de sécurité",
        "add_the_key": "Ajouter la clé",
        "use_key": "Utiliser une clé de sécurité",
        "officer_page": "Établissements d'enseignement désignés",
        "sign_out": "Se déconnecter",
    },
    "en": {
        "second_factor": "Second factor",
        "set_up": "Set up an authenticator app",
        "confirm_you": "Confirm it is you",
        "confirm": "Confirm",
        "app_code": "Code from your authenticator app",
        "turn_on": "Turn on",
        "recovery": "Recovery codes",
        "mfa_code": "Authenticator app code or recovery code",
        "continue": "Continue",
        "add_key": "Add a security key",
        "add_the_key": "Add the key",
        "use_key": "Use a security key",
        "officer_page": "Designated learning institutions",
        "sign_out": "Sign out",
    },
}
SHOTS = Path(os.environ.get("LOAPORTAL_VAR_DIR", "var")) / "screenshots"


def totp_now(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def shoot(page: Page, name: str, lang: str) -> None:
    """axe, then the page at 1280 and 390 pixels: saved, and nothing wider than the screen."""
    check_accessibility(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} ({lang}, {width} px) scrolls sideways by {overflow} px"
        page.screenshot(path=str(SHOTS / f"mfa-{name}-{lang}-{width}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


def sign_out(page: Page, lang: str) -> None:
    page.get_by_role("button", name=TEXT[lang]["sign_out"]).first.click()
    page.wait_for_url(f"**/{lang}/")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_officer_sets_up_an_app_at_first_sign_in_then_signs_in_with_it(page, smtp, lang):
    t, x = LABELS[lang], TEXT[lang]
    officer = OfficerFactory(email=f"agent.{lang}@ircc.example", second_factor=False)
    sign_in_with_password(page, lang, officer.email)
    fill(page, t["verification_code"], smtp.wait_for(officer.email).first_line)
    press(page, t["validate_code"])
    # Sent to set up a second factor before anything else.
    expect_heading(page, x["second_factor"])
    shoot(page, "index", lang)
    page.goto(f"/{lang}/back-office/" if lang == "en" else f"/{lang}/arriere-guichet/")
    expect_heading(page, x["second_factor"])  # the back office leads back here
    page.get_by_role("link", name=x["set_up"]).first.click()
    # The password again first.
    expect_heading(page, x["confirm_you"])
    shoot(page, "confirm", lang)
    fill(page, t["password"], PASSWORD)
    press(page, x["confirm"])
    expect_heading(page, x["set_up"])
    shoot(page, "set-up-app", lang)
    secret = page.locator("#totp_secret").inner_text().strip()
    fill(page, x["app_code"], totp_now(secret))
    press(page, x["turn_on"])
    expect_heading(page, x["recovery"])
    shoot(page, "recovery-codes", lang)
    assert page.locator("#recovery_codes li").count() == 10
    sign_out(page, lang)

    # The next sign-in: password, emailed code, then the app's code.
    sign_in_with_password(page, lang, officer.email)
    fill(page, t["verification_code"], smtp.wait_for(officer.email, count=3).first_line)
    press(page, t["validate_code"])
    expect_heading(page, x["second_factor"])
    shoot(page, "sign-in-step", lang)
    fill(page, x["mfa_code"], totp_now(secret, 1))
    press(page, x["continue"])
    expect_heading(page, t["home"])
    page.goto(f"/{lang}/")
    assert page.js_errors == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_security_key_through_chromiums_virtual_authenticator(page, smtp, live_server, lang):
    assert "localhost" in live_server.url  # WebAuthn wants a domain name, not an address
    t, x = LABELS[lang], TEXT[lang]
    user = MembershipFactory(user__email=f"key.{lang}@college.example").user
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in_with_password(page, lang, user.email)
    fill(page, t["verification_code"], smtp.wait_for(user.email).first_line)
    press(page, t["validate_code"])
    expect_heading(page, t["terms"])
    press(page, t["accept"])
    expect_heading(page, t["home"])
    page.get_by_role("link", name=x["second_factor"], exact=False).first.click()
    expect_heading(page, x["second_factor"])
    page.get_by_role("link", name=x["add_key"]).first.click()
    expect_heading(page, x["confirm_you"])
    fill(page, t["password"], PASSWORD)
    press(page, x["confirm"])
    expect_heading(page, x["add_key"])
    shoot(page, "add-key", lang)
    press(page, x["add_the_key"])
    expect_heading(page, x["recovery"])
    credentials = cdp.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]}
    )
    assert len(credentials["credentials"]) == 1
    sign_out(page, lang)

    sign_in_with_password(page, lang, user.email)
    fill(page, t["verification_code"], smtp.wait_for(user.email, count=3).first_line)
    press(page, t["validate_code"])
    expect_heading(page, x["second_factor"])
    shoot(page, "sign-in-key", lang)
    press(page, x["use_key"])
    expect_heading(page, t["home"])
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert page.js_errors == []
