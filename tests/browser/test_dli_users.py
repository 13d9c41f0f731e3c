"""Secondary users, in a real browser against a running server, in French and English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loaportal.institutions.models import Membership
from tests import flows
from tests.browser.helpers import (
    LABELS,
    check_accessibility,
    expect_error,
    expect_heading,
    fill,
    press,
    sign_in_fully,
    sign_in_quickly,
    sign_up,
)
from tests.conftest import INVITATION_CODE, SIX_DIGITS
from tests.factories import InstitutionFactory, MembershipFactory

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "invite_link": (
            "Créer un compte pour un utilisateur d'un établissement d'enseignement désigné"
        ),
        "invite_heading": "Créer un compte d'utilisateur de l'EED",
        "new_request": "Nouvelle requête",
        "secondary": "Utilisateur secondaire",
        "already_invited": "Une invitation à cette adresse électronique est déjà en attente",
        "registered": "Cette adresse électronique ne peut pas être utilisée.",
        "access_denied": "Accès refusé",
    },
    "en": {
        "invite_link": "Create an account for a DLI user",
        "invite_heading": "Create a DLI user account",
        "new_request": "New request",
        "secondary": "Secondary user",
        "already_invited": "An invitation to this email address is already pending",
        "registered": "This email address cannot be used.",
        "access_denied": "Access denied",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_primary_invites_a_secondary_user_who_signs_up(browser, live_server, smtp, lang):
    t, x = LABELS[lang], TEXT[lang]
    institution = InstitutionFactory(name_fr="Collège Érable", name_en="Maple College")
    primary = MembershipFactory(
        institution=institution,
        role=Membership.Role.PRIMARY,
        user__email=f"primary.{lang}@maple.example",
    ).user
    elsewhere = MembershipFactory(user__email=f"other.{lang}@another.example").user
    secondary_email = f"colleague.{lang}@maple.example"

    # The primary user's sign-in is not the subject here (see test_seed_journey).
    primary_context = browser.new_context(base_url=live_server.url)
    sign_in_quickly(primary_context, live_server, primary)
    page = primary_context.new_page()
    page.goto(flows.url("home", lang))
    expect_heading(page, t["home"])

    # Home → "Créer un compte pour un utilisateur…" → "Créer un compte d'utilisateur de l'EED"
    page.get_by_role("link", name=x["invite_link"], exact=True).click()
    expect_heading(page, x["invite_heading"])
    check_accessibility(page)
    invite_url = page.url
    fill(page, t["email"], secondary_email)
    press(page, x["new_request"])
    invitation = smtp.wait_for(secondary_email)
    assert INVITATION_CODE.match(invitation.first_line)

    # A second invitation to the same email for the same DLI is refused.
    page.goto(invite_url)
    fill(page, t["email"], secondary_email.upper())
    press(page, x["new_request"])
    expect_error(page, x["already_invited"], lang)
    check_accessibility(page)

    # An email that belongs to another DLI's user is refused.
    fill(page, t["email"], elsewhere.email)
    press(page, x["new_request"])
    expect_error(page, x["registered"], lang)
    assert len(smtp.for_address(secondary_email)) == 1
    assert smtp.for_address(elsewhere.email) == []
    primary_context.close()

    # The invitee signs up, confirms, signs in with a code, accepts the terms: a secondary user.
    secondary_context = browser.new_context(base_url=live_server.url)
    page = secondary_context.new_page()
    page.goto(f"/{lang}/")
    page.get_by_role("link", name=t["sign_up"], exact=True).first.click()
    sign_up(page, lang, code=invitation.first_line, email=secondary_email)
    expect_heading(page, t["confirm_sign_up"])
    code = smtp.wait_for(secondary_email, count=2).first_line
    assert SIX_DIGITS.match(code)
    fill(page, t["verification_code"], code)
    press(page, t["confirm"])
    expect_heading(page, t["sign_in"])
    sign_in_fully(page, smtp, lang, secondary_email)
    home = page.locator("#main-content")
    expect(home).to_contain_text(x["secondary"])
    expect(home).to_contain_text(institution.dli_number)

    # The secondary user has no invite link, and the server refuses the page itself.
    expect(page.get_by_role("link", name=x["invite_link"], exact=True)).to_have_count(0)
    response = page.goto(invite_url)
    assert response.status == 403
    expect_heading(page, x["access_denied"])
    secondary_context.close()
