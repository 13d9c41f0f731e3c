"""What a person sees and does in the browser, in each language."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests import flows
from tests.factories import PASSWORD

# The seed's labels, kept stable in both languages.
LABELS = {
    "fr": {
        "sign_up": "S'inscrire",
        "confirm_sign_up": "Confirmez l'inscription",
        "sign_in": "Se connecter",
        "invite_code": "Code d'invitation",
        "email": "Adresse électronique",
        "password": "Mot de passe",
        "surname": "Nom de famille",
        "given_names": "Prénom(s)",
        "phone": "Numéro de téléphone",
        "verification_code": "Code de vérification",
        "confirm": "Confirmez",
        "validate_code": "Valider le code",
        "new_code": "Demander un nouveau code",
        "accept": "J'accepte",
        "terms": "Modalités",
        "error_prefix": "Erreur\u00a0:",  # non-breaking space (French typography)
        "home": "Accueil du compte",
    },
    "en": {
        "sign_up": "Sign up",
        "confirm_sign_up": "Confirm sign up",
        "sign_in": "Sign in",
        "invite_code": "Invite code",
        "email": "Email address",
        "password": "Password",
        "surname": "Surname",
        "given_names": "Given name(s)",
        "phone": "Telephone number",
        "verification_code": "Verification code",
        "confirm": "Confirm",
        "validate_code": "Validate code",
        "new_code": "Request a new code",
        "accept": "I accept",
        "terms": "Terms and conditions",
        "error_prefix": "Error:",
        "home": "Account home",
    },
}

_axe = Axe()


def field(page: Page, label: str):
    """The input whose visible label starts with ``label`` (labels may add "(required)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}"))


def fill(page: Page, label: str, value: str) -> None:
    field(page, label).fill(value)


def press(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def expect_heading(page: Page, text: str) -> None:
    # The heading's text is slotted into the design system's shadow DOM: match its accessible name.
    expect(page.get_by_role("heading", level=1, name=text, exact=True)).to_be_visible()


def expect_error(page: Page, text_part: str, lang: str) -> None:
    """The page title starts with "Erreur :"/"Error:" and the error summary names the problem."""
    expect(page).to_have_title(re.compile(rf"^{re.escape(LABELS[lang]['error_prefix'])} "))
    expect(page.locator("gcds-error-summary")).to_contain_text(text_part)


def check_accessibility(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as rendered."""
    # Defined is not enough: a design-system component styles its shadow content when Stencil
    # marks it "hydrated"; scanning before that can measure unstyled text (false contrast
    # findings).
    page.wait_for_function(
        "() => !document.querySelector(':not(:defined)') && [...document.querySelectorAll('*')]"
        ".every(e => !e.tagName.startsWith('GCDS-') || e.classList.contains('hydrated'))"
    )
    # Frames are not entered: the only one is the student's letter, shown by Chromium's own PDF
    # viewer, where axe cannot run; entering it only waited for axe's 0.5 s frame timeout. The
    # frame element itself (its title) is checked with the page.
    results = _axe.run(page, options={"resultTypes": ["violations"], "iframes": False})
    blocking = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert blocking == [], f"{page.url}: {blocking}"


def sign_up(page, lang, *, code, email, password=PASSWORD):
    t = LABELS[lang]
    fill(page, t["invite_code"], code)
    fill(page, t["email"], email)
    fill(page, t["password"], password)
    fill(page, t["surname"], "Tremblay")
    fill(page, t["given_names"], "Marie-Ève")
    fill(page, t["phone"], "613 555 0123")
    press(page, t["sign_up"])


def sign_in_with_password(page, lang, email, password=PASSWORD):
    t = LABELS[lang]
    page.goto(f"/{lang}/")
    page.get_by_role("link", name=t["sign_in"], exact=True).first.click()
    expect_heading(page, t["sign_in"])
    fill(page, t["email"], email)
    fill(page, t["password"], password)
    press(page, t["sign_in"])
    expect_heading(page, t["verification_code"])


def sign_in_fully(page: Page, smtp, lang: str, email: str, password: str = PASSWORD) -> None:
    """Password, the code from the latest email, and the terms: lands on the account home page."""
    t = LABELS[lang]
    before = len(smtp.for_address(email))
    sign_in_with_password(page, lang, email, password)
    fill(page, t["verification_code"], smtp.wait_for(email, count=before + 1).first_line)
    press(page, t["validate_code"])
    expect_heading(page, t["terms"])
    press(page, t["accept"])
    expect_heading(page, t["home"])


def sign_in_quickly(context, live_server, user) -> None:
    """Give a browser context the session of a completed sign-in (``flows.sign_in_quickly``),
    for journeys that start behind the sign-in; the sign-in journeys go through the pages."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    flows.sign_in_quickly(client, user)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
