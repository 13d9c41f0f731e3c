"""The language a person uses is kept: at sign-out, and through the terms page (issue 8, item 3).

The browser's own language preference (Accept-Language) is set to the *other* language, so a
page that fell back on it would show up here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loaportal.terms.models import TermsAcceptance
from tests.browser.helpers import LABELS, expect_heading
from tests.browser.test_choices_sent import signed_in_page, url
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser

SIGN_OUT = {"fr": "Se déconnecter", "en": "Sign out"}
SIGNED_OUT = {"fr": "Vous êtes déconnecté.", "en": "You are signed out."}
DONE = {"fr": "Terminé", "en": "Done"}
OTHER = {"fr": "en", "en": "fr"}
BROWSER_LOCALE = {"fr": "en-CA", "en": "fr-CA"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sign_out_lands_on_the_landing_page_in_the_language_in_use(browser, live_server, lang):
    user = MembershipFactory().user
    page = signed_in_page(browser, live_server, user, lang, locale=BROWSER_LOCALE[lang])
    page.goto(url("home", lang))
    expect_heading(page, LABELS[lang]["home"])

    page.get_by_role("button", name=SIGN_OUT[lang], exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/{lang}/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    notice = page.locator('gcds-notice[notice-role="success"]')
    expect(notice).to_have_count(1)
    expect(notice).to_have_attribute("notice-title", DONE[lang])
    expect(notice).to_contain_text(SIGNED_OUT[lang])
    expect(page.get_by_text(SIGNED_OUT[OTHER[lang]])).to_have_count(0)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_terms_toggle_keeps_the_chosen_language_after_accepting(browser, live_server, lang):
    """Asked for the terms in one language, the person switches to the other and accepts:
    the home page comes in the language they switched to."""
    user = MembershipFactory().user
    TermsAcceptance.objects.all().delete()
    page = signed_in_page(
        browser, live_server, user, OTHER[lang], accept_terms=False, locale=BROWSER_LOCALE[lang]
    )
    page.goto(url("home", OTHER[lang]))
    expect_heading(page, LABELS[OTHER[lang]]["terms"])

    page.wait_for_function("() => !document.querySelector(':not(:defined)')")
    page.locator("gcds-lang-toggle").get_by_role("link").click()
    expect_heading(page, LABELS[lang]["terms"])
    expect(page.locator("html")).to_have_attribute("lang", lang)

    page.get_by_role("button", name=LABELS[lang]["accept"], exact=True).click()
    expect_heading(page, LABELS[lang]["home"])
    expect(page).to_have_url(f"{live_server.url}{url('home', lang)}")
