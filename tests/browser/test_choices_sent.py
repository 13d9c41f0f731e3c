"""Every choice a form shows as selected is the choice it sends (issue 8, item 1).

The design system's ``gcds-radios`` and ``gcds-select`` are form-associated custom elements:
what they post is what they gave ``ElementInternals.setFormValue``, not what the page shows.
Each form below is submitted without touching its pre-selected or re-displayed choices, first
as the page comes and then after a validation error, and the test checks what arrived.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from loaportal.institutions.models import Membership, UserChangeRequest
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import invitation_send
from loaportal.terms.selectors import terms_current
from loaportal.terms.services import terms_accept
from tests.browser.helpers import expect_heading, field
from tests.factories import InstitutionFactory, MembershipFactory, OfficerFactory

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "onboard": "Intégrer un EED",
        "create": "Créer l'EED et envoyer l'invitation",
        "dli_number": "Numéro d'EED",
        "name_en": "Nom (anglais)",
        "email_primary": "Adresse électronique de l'utilisateur principal",
        "province": "Province ou territoire",
        "english": "English",
        "send_primary": "Envoyer l'invitation de l'utilisateur principal",
        "change_primary": "Changer l'utilisateur principal",
        "remove": "Retirer un utilisateur secondaire",
        "send_request": "Envoyer la requête à IRCC",
        "new_person": "Une nouvelle personne, qui recevra une invitation par courriel",
        "existing": "Un utilisateur secondaire de l'EED",
        "new_email": "Adresse électronique de la nouvelle personne",
        "new_primary": "Utilisateur secondaire qui devient l'utilisateur principal",
        "removed": "Est retiré de l'EED",
        "other": "Autre motif",
        "left": "La personne ne travaille plus pour l'EED",
        "explanation": "Explication",
        "user_to_remove": "Utilisateur à retirer",
    },
    "en": {
        "onboard": "Onboard a DLI",
        "create": "Create the DLI and send the invitation",
        "dli_number": "DLI number",
        "name_en": "Name (English)",
        "email_primary": "Email address of the primary user",
        "province": "Province or territory",
        "english": "English",
        "send_primary": "Send the primary user's invitation",
        "change_primary": "Change the primary user",
        "remove": "Remove a secondary user",
        "send_request": "Send the request to IRCC",
        "new_person": "A new person, who will receive an invitation by email",
        "existing": "A secondary user of the DLI",
        "new_email": "Email address of the new person",
        "new_primary": "Secondary user who becomes the primary user",
        "removed": "Is removed from the DLI",
        "other": "Other reason",
        "left": "The person no longer works for the DLI",
        "explanation": "Explanation",
        "user_to_remove": "User to remove",
    },
}


def url(name, lang, **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


def signed_in_page(browser, live_server, user, lang, *, accept_terms=True, locale=None):
    """A browser already signed in as ``user`` with the terms accepted (the sign-in journey
    itself is tested elsewhere; here the forms are)."""
    if accept_terms:
        terms_accept(user=user, version=terms_current())
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale=locale)
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"/{lang}/")
    return page


def submit(page, name):
    page.wait_for_function("() => !document.querySelector(':not(:defined)')")
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def radio(page, label):
    return page.get_by_role("radio", name=label, exact=True)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_onboarding_sends_the_preselected_language_and_keeps_choices_after_an_error(
    browser, live_server, lang
):
    t = TEXT[lang]
    page = signed_in_page(browser, live_server, OfficerFactory(), lang)
    page.goto(url("officers:dli_onboard", lang))
    expect_heading(page, t["onboard"])

    # Untouched: the pre-selected language (French) is what arrives.
    field(page, t["dli_number"]).fill("O19390000901")
    field(page, t["name_en"]).fill("Maple College")
    field(page, t["province"]).select_option("NS")
    field(page, t["email_primary"]).fill("rep1@maple.example")
    expect(radio(page, "Français")).to_be_checked()
    submit(page, t["create"])
    first = Invitation.objects.get(email="rep1@maple.example")
    assert first.language == "fr"
    assert first.institution.province == "NS"

    # A validation error re-displays English and the province; submitted untouched, they arrive.
    page.goto(url("officers:dli_onboard", lang))
    field(page, t["dli_number"]).fill("O19390000902")
    field(page, t["province"]).select_option("QC")
    field(page, t["email_primary"]).fill("rep2@maple.example")
    radio(page, t["english"]).check(force=True)
    submit(page, t["create"])  # no English name: refused
    expect(page.locator("gcds-error-summary")).to_be_attached()
    expect(radio(page, t["english"])).to_be_checked()
    field(page, t["name_en"]).fill("Birch College")
    submit(page, t["create"])
    second = Invitation.objects.get(email="rep2@maple.example")
    assert second.language == "en"
    assert second.institution.province == "QC"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_primary_invitation_form_defaults_to_the_dli_language(browser, live_server, lang):
    t = TEXT[lang]
    institution = InstitutionFactory(name_en="Cedar College")
    invitation_send(
        institution=institution, email="rep@cedar.example", role="primary", language="en"
    )
    page = signed_in_page(browser, live_server, OfficerFactory(), lang)
    path = url("officers:dli_detail", lang, pk=institution.pk)
    page.goto(path)
    expect(radio(page, t["english"])).to_be_checked()

    # After an error (a malformed address), the re-displayed language still arrives untouched.
    field(page, t["email_primary"]).fill("not-an-address")
    submit(page, t["send_primary"])
    expect(page.locator("gcds-error-summary")).to_be_attached()
    expect(radio(page, t["english"])).to_be_checked()
    field(page, t["email_primary"]).fill("new-rep@cedar.example")
    submit(page, t["send_primary"])
    assert Invitation.objects.get(email="new-rep@cedar.example").language == "en"

    # Untouched, with the pending invitation re-sent: still English.
    page.goto(path)
    submit(page, t["send_primary"])
    latest = Invitation.objects.filter(institution=institution).order_by("-created_at").first()
    assert (latest.email, latest.language) == ("new-rep@cedar.example", "en")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_change_primary_request_keeps_every_choice_after_an_error(browser, live_server, lang):
    t = TEXT[lang]
    institution = InstitutionFactory()
    primary = MembershipFactory(institution=institution, role=Membership.Role.PRIMARY).user
    MembershipFactory(institution=institution, user__email="helper@college.example")
    page = signed_in_page(browser, live_server, primary, lang)
    page.goto(url("user_changes:request_change_primary", lang))
    expect_heading(page, t["change_primary"])
    radio(page, t["new_person"]).check(force=True)
    field(page, t["new_email"]).fill("next.primary@college.example")
    radio(page, t["removed"]).check(force=True)
    radio(page, t["other"]).check(force=True)
    submit(page, t["send_request"])  # "Other reason" without an explanation: refused
    expect(page.locator("gcds-error-summary")).to_be_attached()
    field(page, t["explanation"]).fill("Our representative is retiring.")
    submit(page, t["send_request"])
    request = UserChangeRequest.objects.get(institution=institution)
    assert request.new_primary_email == "next.primary@college.example"
    assert request.former_primary_outcome == UserChangeRequest.FormerPrimary.REMOVE
    assert request.reason == UserChangeRequest.Reason.OTHER
    assert request.explanation == "Our representative is retiring."


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_secondary_user_chosen_in_a_list_arrives_after_an_error(browser, live_server, lang):
    t = TEXT[lang]
    institution = InstitutionFactory()
    primary = MembershipFactory(institution=institution, role=Membership.Role.PRIMARY).user
    MembershipFactory(institution=institution, user__email="aaa@college.example")
    chosen = MembershipFactory(institution=institution, user__email="zzz@college.example")
    page = signed_in_page(browser, live_server, primary, lang)
    page.goto(url("user_changes:request_remove", lang))
    expect_heading(page, t["remove"])
    field(page, t["user_to_remove"]).select_option(str(chosen.pk))
    radio(page, t["other"]).check(force=True)
    submit(page, t["send_request"])  # no explanation: refused
    expect(page.locator("gcds-error-summary")).to_be_attached()
    field(page, t["explanation"]).fill("Moved to another campus.")
    submit(page, t["send_request"])
    request = UserChangeRequest.objects.get(institution=institution)
    assert request.target_user_id == chosen.user_id
    assert request.reason == UserChangeRequest.Reason.OTHER


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_activity_filter_keeps_sending_the_chosen_event(browser, live_server, lang):
    label, button = {"fr": ("Événement", "Filtrer"), "en": ("Event", "Filter")}[lang]
    institution = InstitutionFactory()
    primary = MembershipFactory(institution=institution, role=Membership.Role.PRIMARY).user
    page = signed_in_page(browser, live_server, primary, lang)
    page.goto(url("audit:log", lang))
    select = field(page, label)
    chosen = select.locator("option").nth(2).get_attribute("value")
    select.select_option(chosen)
    submit(page, button)
    expect(page).to_have_url(re.compile(rf"event_type={chosen}"))
    # Re-displayed, then submitted untouched: the same choice is sent again.
    expect(field(page, label)).to_have_value(chosen)
    submit(page, button)
    expect(page).to_have_url(re.compile(rf"event_type={chosen}$"))
