"""Extension and correction requests in a real browser, in French and English: a member asks
for 20 more days on the labour-dispute ground, an officer approves 15, the member sees the new
due date and gets the email; a "Verified – Matched" decision is corrected to "Not verified –
Cancelled or withdrawn", with both decisions in the history."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from loaportal.verifications.deadlines import deadline_extended
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests import flows
from tests.browser.helpers import check_accessibility, expect_heading, press, sign_in_quickly
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.ui_support import a_request

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "extend": "Demander une prolongation",
        "correct": "Demander une correction",
        "approve": "Approuver",
        "days": "Nombre de jours demandés",
        "granted": "Nombre de jours accordés",
        "labour": "Conflit de travail",
        "withdrew": "L'étudiant s'est retiré",
        "explanation": "Explication",
        "send": "Envoyer la demande à IRCC",
        "still_counts": "L'échéance initiale s'applique toujours",
        "extensions": "Demandes de prolongation",
        "corrections": "Demandes de correction",
        "request": "Demande {}",
        "cancelled": "Non vérifiée – Lettre annulée ou retirée",
        "matched": "Vérifiée – Correspondance",
        "corrected": "corrigée par IRCC le",
        "extended": "prolongé",
        "mail_days": "15 jours de plus",
    },
    "en": {
        "extend": "Request an extension",
        "correct": "Request a correction",
        "approve": "Approve",
        "days": "Number of days requested",
        "granted": "Number of days granted",
        "labour": "Labour dispute",
        "withdrew": "The student withdrew",
        "explanation": "Explanation",
        "send": "Send the request to IRCC",
        "still_counts": "The original deadline still counts",
        "extensions": "Extension requests",
        "corrections": "Correction requests",
        "request": "Request {}",
        "cancelled": "Not verified – Cancelled or withdrawn",
        "matched": "Verified – Matched",
        "corrected": "corrected by IRCC on",
        "extended": "extended",
        "mail_days": "15 more days",
    },
}


def _field(page, label):
    return page.get_by_label(re.compile(rf"^{re.escape(label)}"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_extension_and_correction_requests_from_member_to_officer_and_back(
    browser, live_server, smtp, settings, tmp_path, lang
):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "stored"
    x = TEXT[lang]
    dli = dli_with_users(name=f"spruce-{lang}", secondaries=0)
    dli.primary.preferred_language = lang
    dli.primary.save(update_fields=["preferred_language"])
    officer = OfficerFactory(email=f"officer-{lang}@ircc.example", preferred_language=lang)
    pending = a_request(dli.institution, surname="Okafor")
    decided = verification_decide(
        verification_request=a_request(dli.institution, surname="Lévesque"),
        outcome=VerificationRequest.Status.VERIFIED_MATCHED,
        comment="",
        decided_by=dli.primary,
    )
    member = browser.new_context(base_url=live_server.url)
    sign_in_quickly(member, live_server, dli.primary)
    m = member.new_page()
    staff = browser.new_context(base_url=live_server.url)
    sign_in_quickly(staff, live_server, officer)
    o = staff.new_page()

    # The member asks for 20 more days on the labour-dispute ground.
    m.goto(flows.url("verifications:request_detail", lang, pk=pending.pk))
    m.get_by_role("link", name=x["extend"], exact=True).click()
    expect_heading(m, x["extend"])
    check_accessibility(m)
    _field(m, x["days"]).fill("20")
    m.get_by_role("radio", name=x["labour"], exact=True).check(force=True)
    _field(m, x["explanation"]).fill("Grève du personnel administratif.")
    press(m, x["send"])
    expect_heading(m, x["request"].format(pending.application_number))
    still_counts = m.locator(f'gcds-notice[notice-title="{x["still_counts"]}"]')
    expect(still_counts).to_be_visible()

    # The officer finds it in the queue and approves 15.
    o.goto(flows.url("home", lang))
    o.get_by_role("link", name=x["extensions"], exact=True).click()
    expect_heading(o, x["extensions"])
    check_accessibility(o)
    o.get_by_role("link", name=pending.application_number, exact=True).click()
    check_accessibility(o)
    _field(o, x["granted"]).fill("15")
    press(o, x["approve"])
    new_due = deadline_extended(pending.due_at, 15)
    pending.refresh_from_db()
    assert pending.due_at == new_due

    # The member sees the new due date and gets the email.
    m.reload()
    expect(m.locator("#main-content")).to_contain_text(f"{new_due:%Y-%m-%d} 23:59")
    expect(still_counts).to_have_count(0)
    message = smtp.wait_for(dli.primary.email, count=2)  # after the new-request announcement
    assert pending.application_number in message.subject and x["extended"] in message.subject
    assert x["mail_days"] in message.text

    # A correction: "Verified – Matched" becomes "Not verified – Cancelled or withdrawn".
    m.goto(flows.url("verifications:request_detail", lang, pk=decided.pk))
    m.get_by_role("link", name=x["correct"], exact=True).click()
    expect_heading(m, x["correct"])
    check_accessibility(m)
    m.get_by_role("radio", name=x["cancelled"], exact=True).check(force=True)
    m.get_by_role("radio", name=x["withdrew"], exact=True).check(force=True)
    _field(m, x["explanation"]).fill("Withdrew before the start of the term.")
    press(m, x["send"])
    expect_heading(m, x["request"].format(decided.application_number))
    o.goto(flows.url("amendments:officer_corrections", lang))
    o.get_by_role("link", name=decided.application_number, exact=True).click()
    press(o, x["approve"])
    expect(o.locator("#main-content")).to_contain_text(x["cancelled"])

    m.reload()
    history = m.locator("table", has_text=x["matched"]).last
    expect(history).to_contain_text(x["matched"])
    expect(history).to_contain_text(x["cancelled"])
    expect(history).to_contain_text(x["corrected"])
    expect(m.locator(".portal-compare-data")).to_contain_text(x["cancelled"])
    check_accessibility(m)
    member.close()
    staff.close()
