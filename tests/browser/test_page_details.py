"""Smaller things a person sees: the change-primary form shows only the field its choice needs,
"Approve" and "Cancel the invitation" ask first, the mailbox's table caption is for screen
readers only, the officers' status tabs line up, and the terms read at body-text size."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loaportal.institutions.models import UserChangeRequest
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import invitation_send
from loaportal.notifications.models import MailboxMessage
from loaportal.user_changes.services import user_change_request_submit
from tests import flows
from tests.browser.helpers import check_accessibility
from tests.browser.test_narrow_screens import HYDRATED, PHONE, signed_in_cookie
from tests.factories import OfficerFactory, dli_with_users

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "existing": "Un utilisateur secondaire de l'EED",
        "new": "Une nouvelle personne, qui recevra une invitation par courriel",
        "select": "Utilisateur secondaire qui devient l'utilisateur principal",
        "email": "Adresse électronique de la nouvelle personne",
        "becomes_secondary": "Devient un utilisateur secondaire",
        "left": "La personne ne travaille plus pour l'EED",
        "send": "Envoyer la requête à IRCC",
        "approve": "Approuver",
        "confirm_approve": "Oui, approuver la requête",
        "cancel": "Annuler l'invitation",
        "confirm_cancel": "Oui, annuler l'invitation",
        "keep": "Non, garder l'invitation",
    },
    "en": {
        "existing": "A secondary user of the DLI",
        "new": "A new person, who will receive an invitation by email",
        "select": "Secondary user who becomes the primary user",
        "email": "Email address of the new person",
        "becomes_secondary": "Becomes a secondary user",
        "left": "The person no longer works for the DLI",
        "send": "Send the request to IRCC",
        "approve": "Approve",
        "confirm_approve": "Yes, approve the request",
        "cancel": "Cancel the invitation",
        "confirm_cancel": "Yes, cancel the invitation",
        "keep": "No, keep the invitation",
    },
}


def choose(page, label: str) -> None:
    """Pick a radio as a person does: by clicking its label."""
    page.get_by_text(label, exact=True).click()
    expect(page.get_by_label(label, exact=True)).to_be_checked()


def _signed_in_page(browser, live_server, user, viewport=None):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    context.add_cookies([signed_in_cookie(live_server, user)])
    return context.new_page()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_change_primary_shows_the_field_the_choice_needs(browser, live_server, lang):
    x = TEXT[lang]
    dli = dli_with_users(name=f"reveal{lang}")
    page = _signed_in_page(browser, live_server, dli.primary)
    page.goto(flows.url("user_changes:request_change_primary", lang))
    page.wait_for_function(HYDRATED)
    secondary_field = page.get_by_label(x["select"], exact=False)
    email_field = page.get_by_label(x["email"], exact=False)

    # Nothing chosen yet: neither field.
    expect(secondary_field).to_be_hidden()
    expect(email_field).to_be_hidden()

    choose(page, x["existing"])
    expect(secondary_field).to_be_visible()
    expect(email_field).to_be_hidden()

    choose(page, x["new"])
    expect(email_field).to_be_visible()
    expect(secondary_field).to_be_hidden()

    # The revealed field is sent and validated by the server as before.
    email_field.fill(f"new.primary.{lang}@reveal.example")
    choose(page, x["becomes_secondary"])
    choose(page, x["left"])
    page.get_by_role("button", name=x["send"], exact=True).click()
    expect(page.locator(".portal-messages gcds-notice")).to_be_visible()
    change = UserChangeRequest.objects.get(institution=dli.institution)
    assert change.new_primary_email == f"new.primary.{lang}@reveal.example"
    page.context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_change_primary_redisplayed_after_an_error_shows_the_chosen_field(
    browser, live_server, lang
):
    x = TEXT[lang]
    dli = dli_with_users(name=f"again{lang}")
    page = _signed_in_page(browser, live_server, dli.primary)
    page.goto(flows.url("user_changes:request_change_primary", lang))
    page.wait_for_function(HYDRATED)
    choose(page, x["existing"])
    page.get_by_role("button", name=x["send"], exact=True).click()

    page.wait_for_function(HYDRATED)
    expect(page.locator("gcds-error-summary")).to_be_visible()
    expect(page.get_by_label(x["select"], exact=False)).to_be_visible()
    expect(page.get_by_label(x["email"], exact=False)).to_be_hidden()
    page.context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_approve_asks_for_confirmation_first(browser, live_server, lang):
    x = TEXT[lang]
    dli = dli_with_users(name=f"approve{lang}")
    change = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=dli.secondaries[0].membership,
    )
    page = _signed_in_page(browser, live_server, OfficerFactory())
    page.goto(flows.url("officers:user_change_request_detail", lang, pk=change.pk))
    page.get_by_role("link", name=x["approve"], exact=True).click()

    expect(page.get_by_role("button", name=x["confirm_approve"], exact=True)).to_be_visible()
    change.refresh_from_db()
    assert change.status == UserChangeRequest.Status.SUBMITTED

    page.get_by_role("button", name=x["confirm_approve"], exact=True).click()
    page.wait_for_url(f"**{flows.url('officers:user_change_request_detail', lang, pk=change.pk)}")
    change.refresh_from_db()
    assert change.status == UserChangeRequest.Status.APPROVED
    page.context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cancelling_an_invitation_asks_for_confirmation_first(browser, live_server, lang):
    x = TEXT[lang]
    dli = dli_with_users(name=f"cancel{lang}")
    invitation = invitation_send(
        institution=dli.institution, email=f"maybe.{lang}@cancel.example"
    ).invitation
    page = _signed_in_page(browser, live_server, dli.primary)
    page.goto(flows.url("invitations:users", lang))
    page.get_by_role("link", name=f"{x['cancel']} {invitation.email}").click()

    # "No, keep the invitation" changes nothing.
    page.get_by_role("link", name=x["keep"], exact=True).click()
    page.wait_for_url(f"**{flows.url('invitations:users', lang)}")
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None

    page.get_by_role("link", name=f"{x['cancel']} {invitation.email}").click()
    expect(page.get_by_role("button", name=x["confirm_cancel"], exact=True)).to_be_visible()
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    page.get_by_role("button", name=x["confirm_cancel"], exact=True).click()
    page.wait_for_url(f"**{flows.url('invitations:users', lang)}")
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    page.context.close()


def test_mailbox_caption_is_for_screen_readers_only(page):
    MailboxMessage.objects.create(
        from_email="no-reply@portal.example", to="a@college.example", subject="Hello", body="x"
    )
    page.goto(flows.url("mailbox", "en"))
    caption = page.locator("table caption")
    expect(caption).to_have_text("Emails kept by the portal")
    box = caption.bounding_box()
    assert box is None or (box["width"] <= 1 and box["height"] <= 1), box
    # Still the table's name for assistive technology.
    expect(page.get_by_role("table", name="Emails kept by the portal")).to_be_attached()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE])
def test_officers_status_tabs_line_up(browser, live_server, viewport):
    page = _signed_in_page(browser, live_server, OfficerFactory(), viewport)
    page.goto(flows.url("officers:user_change_request_list", "fr"))
    page.wait_for_function(HYDRATED)
    tabs = page.get_by_role("navigation", name="État des requêtes").get_by_role("link")
    expect(tabs).to_have_count(len(UserChangeRequest.Status.choices))
    boxes = [tab.bounding_box() for tab in tabs.all()]
    rows = {round(box["y"]) for box in boxes}
    # All on one line (or, on a phone, wrapped lines), each tab the same height.
    assert len({round(box["height"]) for box in boxes}) == 1, boxes
    assert len(rows) <= (1 if viewport["width"] > 600 else len(boxes)), boxes
    expect(tabs.first).to_have_attribute("aria-current", "page")
    page.context.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE])
def test_terms_text_is_body_text_size(browser, live_server, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.goto(flows.url("terms", "fr"))
    page.wait_for_function(HYDRATED)
    # A body-text paragraph of the design system, beside the terms, for comparison.
    sizes = page.evaluate(
        """async () => {
          const terms = document.querySelector(".portal-terms");
          const text = document.createElement("gcds-text");
          text.textContent = "Comparison";
          terms.after(text);
          await text.componentOnReady();
          return [
            getComputedStyle(terms).fontSize,
            getComputedStyle(text.shadowRoot.querySelector("p")).fontSize,
          ];
        }"""
    )
    assert sizes[0] == sizes[1], sizes
    context.close()


def test_stacked_tables_on_a_phone_pass_axe(browser, live_server):
    """The phone layout (tables as labelled rows) keeps the tables accessible."""
    dli = dli_with_users(name="axephone")
    invitation_send(institution=dli.institution, email="pending@axephone.example")
    page = _signed_in_page(browser, live_server, dli.primary, PHONE)
    for name in ("invitations:users", "audit:log", "account_sessions", "user_changes:request_list"):
        page.goto(flows.url(name, "fr"))
        check_accessibility(page)
    page.context.close()
