"""Verifying a letter of acceptance, in a real browser against a running server, in French and
English: requests imported with their PDF, one grouped email to each user of the DLI, the
queue, the document, the decision in two steps, and the decided request in a new session."""

from __future__ import annotations

import csv
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from loaportal.verifications.letters import letter_pdf
from loaportal.verifications.models import VerificationRequest
from tests import flows
from tests.browser.helpers import (
    LABELS,
    check_accessibility,
    expect_heading,
    press,
    sign_in_quickly,
)
from tests.factories import dli_with_users

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "queue": "Lettres d'acceptation à vérifier",
        "matched": "Vérifiée – Correspondance",
        "no_match": "Non vérifiée – Aucune correspondance",
        "cancelled": "Non vérifiée – Lettre annulée ou retirée",
        "continue": "Continuer",
        "submit": "Soumettre la vérification",
        "final": "La décision est définitive",
        "decided_tab": re.compile(r"^Décidées \(1\)$"),
        "request": "Demande {}",
        "open": "Ouvrir le document",
    },
    "en": {
        "queue": "Letters of acceptance to verify",
        "matched": "Verified – Matched",
        "no_match": "Not verified – No match",
        "cancelled": "Not verified – Cancelled or withdrawn",
        "continue": "Continue",
        "submit": "Submit verification",
        "final": "The decision is final",
        "decided_tab": re.compile(r"^Decided \(1\)$"),
        "request": "Request {}",
        "open": "Open the document",
    },
}

COLUMNS = [
    "application_number",
    "dli_number",
    "surname",
    "given_names",
    "date_of_birth",
    "program",
    "start_date",
    "student_id",
    "loa_number",
    "campus",
    "document",
]


def _import(tmp_path, dli_number: str, numbers: list[str]) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    path = tmp_path / "requests.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index, number in enumerate(numbers):
            name = f"letter-{index}.pdf"
            (documents / name).write_bytes(
                letter_pdf(title="Letter of acceptance", lines=[f"Gagnon, Élodie {index}"])
            )
            writer.writerow(
                [number, dli_number, "Gagnon", f"Élodie {index}", f"2005-03-0{index + 1}"]
                + ["Nursing", "2027-09-01", f"STU-{index}", "", "", name]
            )
    call_command("import_requests", str(path), documents=str(documents))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_member_verifies_a_letter_from_the_email_to_the_decided_tab(
    browser, live_server, smtp, settings, tmp_path, lang
):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "stored"
    t, x = LABELS[lang], TEXT[lang]
    dli = dli_with_users(name=f"maple-{lang}", secondaries=1)
    for user in (dli.primary, dli.secondaries[0]):
        user.preferred_language = lang
        user.save(update_fields=["preferred_language"])
    numbers = [f"S2{lang == 'fr':d}0000001", f"S2{lang == 'fr':d}0000002"]
    _import(tmp_path, dli.institution.dli_number, numbers)
    assert VerificationRequest.objects.filter(institution=dli.institution).count() == 2

    # One grouped email per user, however many requests arrived.
    announcement = smtp.wait_for(dli.primary.email)
    assert len(smtp.for_address(dli.primary.email)) == 1
    assert len(smtp.for_address(dli.secondaries[0].email)) == 1
    assert "2" in announcement.text

    context = browser.new_context(base_url=live_server.url)
    sign_in_quickly(context, live_server, dli.primary)
    page = context.new_page()
    page.goto(flows.url("home", lang))
    expect_heading(page, t["home"])
    page.get_by_role("link", name=x["queue"], exact=True).click()
    expect_heading(page, x["queue"])
    check_accessibility(page)
    page.get_by_role("link", name=numbers[0], exact=True).click()
    expect_heading(page, x["request"].format(numbers[0]))
    check_accessibility(page)

    # The document: embedded, and behind a link that serves the PDF to this member.
    expect(page.locator("iframe.portal-document")).to_be_attached()
    href = page.get_by_role("link", name=re.compile(x["open"])).get_attribute("href")
    document = page.request.get(href)
    assert document.status == 200 and document.body().startswith(b"%PDF-")
    assert "sandbox" in document.headers["content-security-policy"]

    # Choose, continue, check the summary, submit.
    for label in (x["matched"], x["no_match"], x["cancelled"]):
        expect(page.get_by_role("radio", name=label, exact=True)).to_be_visible()
    page.get_by_role("radio", name=x["matched"], exact=True).check(force=True)
    press(page, x["continue"])
    expect(page.get_by_text(x["final"])).to_be_visible()
    check_accessibility(page)
    press(page, x["submit"])
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.locator("#main-content")).to_contain_text(x["matched"])

    page.get_by_role("link", name=x["queue"], exact=True).click()
    page.get_by_role("link", name=x["decided_tab"]).click()
    expect(page.get_by_role("link", name=numbers[0], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=numbers[1], exact=True)).to_have_count(0)
    context.close()

    # A new session, the other user of the DLI: the outcome, who decided, and no form.
    other = browser.new_context(base_url=live_server.url)
    sign_in_quickly(other, live_server, dli.secondaries[0])
    page = other.new_page()
    vr = VerificationRequest.objects.get(application_number=numbers[0])
    page.goto(flows.url("verifications:request_detail", lang, pk=vr.pk))
    expect(page.locator("#main-content")).to_contain_text(x["matched"])
    expect(page.locator("#main-content")).to_contain_text(dli.primary.email)
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("button", name=x["continue"], exact=True)).to_have_count(0)
    other.close()


ALREADY = {"fr": "Cette demande a déjà été décidée par", "en": "already been decided by"}
SEARCH = {
    "fr": "Rechercher par nom, numéro de demande, numéro d'étudiant ou date de naissance",
    "en": "Search by name, application number, student ID or date of birth",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_colleague_who_submits_second_is_told_who_decided_what(
    browser, live_server, settings, tmp_path, lang
):
    from tests.verifications.ui_support import a_request

    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "stored"
    x = TEXT[lang]
    dli = dli_with_users(name=f"birch-{lang}", secondaries=1)
    a_request(dli.institution, surname="Haddad")
    vr = a_request(dli.institution, surname="Nguyen", given_names="Thi Thu Trang")
    pages = []
    for user in (dli.primary, dli.secondaries[0]):
        context = browser.new_context(base_url=live_server.url)
        sign_in_quickly(context, live_server, user)
        page = context.new_page()
        # Each finds the request by searching the queue for the student's name.
        page.goto(flows.url("verifications:queue", lang))
        page.get_by_label(SEARCH[lang]).fill("nguyen")
        page.get_by_label(SEARCH[lang]).press("Enter")
        expect(page.get_by_role("link", name=vr.application_number, exact=True)).to_be_visible()
        expect(page.get_by_role("row")).to_have_count(2)  # the header and one request
        page.get_by_role("link", name=vr.application_number, exact=True).click()
        expect_heading(page, x["request"].format(vr.application_number))
        pages.append(page)
    first, second = pages
    first.get_by_role("radio", name=x["matched"], exact=True).check(force=True)
    press(first, x["continue"])
    second.get_by_role("radio", name=x["no_match"], exact=True).check(force=True)
    second.locator("textarea").fill("Not our letter.")
    press(second, x["continue"])
    expect(second.get_by_text(x["final"])).to_be_visible()

    press(first, x["submit"])
    expect(first.get_by_role("radio")).to_have_count(0)
    press(second, x["submit"])
    notice = second.locator(".portal-messages")
    expect(notice).to_contain_text(ALREADY[lang])
    expect(notice).to_contain_text(x["matched"])
    expect(second.get_by_role("radio")).to_have_count(0)
    vr.refresh_from_db()
    assert vr.status == "verified_matched" and vr.decided_by == dli.primary
    for page in pages:
        page.context.close()


OFFICER = {
    "fr": {
        "list": "Demandes de vérification",
        "add": "Ajouter une demande",
        "heading": "Ajouter une demande de vérification",
        "number": "Numéro de demande",
        "dli": "Numéro d'EED",
        "surname": "Nom de famille",
        "given": "Prénom(s)",
        "born": "Date de naissance",
        "document": "Document téléversé par l'étudiant",
        "submit": "Ajouter la demande",
        "history": "Demande reçue",
    },
    "en": {
        "list": "Verification requests",
        "add": "Add a request",
        "heading": "Add a verification request",
        "number": "Application number",
        "dli": "DLI number",
        "surname": "Surname",
        "given": "Given names",
        "born": "Date of birth",
        "document": "Document uploaded by the student",
        "submit": "Add the request",
        "history": "Request received",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_officer_adds_a_request_with_its_letter(browser, live_server, settings, tmp_path, lang):
    from tests.browser.helpers import field
    from tests.factories import OfficerFactory

    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "stored"
    o = OFFICER[lang]
    dli = dli_with_users(name=f"cedar-{lang}", secondaries=0)
    letter = tmp_path / "offer.pdf"
    letter.write_bytes(letter_pdf(title="Offer of admission", lines=["Diallo, Aminata"]))
    context = browser.new_context(base_url=live_server.url)
    sign_in_quickly(context, live_server, OfficerFactory())
    page = context.new_page()
    page.goto(flows.url("home", lang))
    page.get_by_role("link", name=o["list"], exact=True).click()
    expect_heading(page, o["list"])
    page.get_by_role("link", name=o["add"], exact=True).click()
    expect_heading(page, o["heading"])
    check_accessibility(page)
    number = f"S7{lang == 'fr':d}1234567"
    field(page, o["number"]).fill(number)
    field(page, o["dli"]).fill(dli.institution.dli_number)
    field(page, o["surname"]).fill("Diallo")
    field(page, o["given"]).fill("Aminata")
    field(page, o["born"]).fill("2003-03-15")
    field(page, o["document"]).set_input_files(str(letter))
    press(page, o["submit"])
    expect_heading(page, TEXT[lang]["request"].format(number))
    expect(page.locator("#main-content")).to_contain_text(o["history"])
    check_accessibility(page)
    vr = VerificationRequest.objects.get(application_number=number)
    assert vr.institution == dli.institution and vr.document_name == "offer.pdf"
    with vr.document.open("rb") as handle:
        assert handle.read() == letter.read_bytes()
    context.close()


ASSIGN = {
    "fr": {
        "assign_to": "Attribuer à",
        "assign": "Attribuer",
        "assigned": "Cette demande est maintenant attribuée à",
        "mine": re.compile(r"^Mes demandes \(1\)$"),
    },
    "en": {
        "assign_to": "Assign to",
        "assign": "Assign",
        "assigned": "This request is now assigned to",
        "mine": re.compile(r"^Assigned to me \(1\)$"),
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_member_assigns_a_request_that_the_colleague_finds_under_their_tab(
    browser, live_server, settings, tmp_path, lang
):
    from tests.browser.helpers import field
    from tests.verifications.ui_support import a_request

    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "stored"
    x, y = TEXT[lang], ASSIGN[lang]
    dli = dli_with_users(name=f"aspen-{lang}", secondaries=1)
    colleague = dli.secondaries[0]
    a_request(dli.institution, surname="Haddad")
    vr = a_request(dli.institution, surname="Okafor", given_names="Chiamaka")

    context = browser.new_context(base_url=live_server.url)
    sign_in_quickly(context, live_server, dli.primary)
    page = context.new_page()
    page.goto(flows.url("verifications:queue", lang))
    page.get_by_role("link", name=vr.application_number, exact=True).click()
    expect_heading(page, x["request"].format(vr.application_number))
    field(page, y["assign_to"]).select_option(str(colleague.pk))
    press(page, y["assign"])
    expect(page.locator(".portal-messages")).to_contain_text(y["assigned"])
    expect(page.locator("#assignee")).to_contain_text(colleague.email)
    check_accessibility(page)
    context.close()

    other = browser.new_context(base_url=live_server.url)
    sign_in_quickly(other, live_server, colleague)
    page = other.new_page()
    page.goto(flows.url("verifications:queue", lang))
    page.get_by_role("link", name=y["mine"]).click()
    expect(page.get_by_role("link", name=vr.application_number, exact=True)).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the one assigned request
    check_accessibility(page)
    other.close()
    vr.refresh_from_db()
    assert vr.assigned_to == colleague
