"""The pages: the request page's amendments panel and buttons, the DLI's forms and list, the
officers' queues and decisions; another DLI's objects are 404."""

from __future__ import annotations

import pytest

from loaportal.amendments.models import CorrectionRequest, ExtensionRequest
from loaportal.verifications.models import VerificationRequest
from tests import flows
from tests.amendments.helpers import ask_correction, ask_extension, decided_request, pending_request

Status = VerificationRequest.Status


def page(client, name, lang="en", **kwargs):
    response = client.get(flows.url(name, lang, **kwargs))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_member_asks_for_an_extension_from_the_request_page(signed_in, dli, at):
    vr = pending_request(dli.institution)
    client = signed_in(dli.secondaries[0])
    html = page(client, "verifications:request_detail", pk=vr.pk)
    assert "Request an extension" in html and "Request a correction" not in html
    url = flows.url("amendments:extension_create", pk=vr.pk)
    assert "2026-03-12 23:59 EDT" in page(client, "amendments:extension_create", pk=vr.pk)
    response = client.post(url, {"days": "45", "ground": "labour_dispute", "explanation": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "Enter a number of days from 1 to 30." in html
    assert "Explain why you ask for this." in html
    response = client.post(
        url, {"days": "20", "ground": "labour_dispute", "explanation": "Strike since Monday."}
    )
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get()
    assert (extension.days_requested, extension.requested_by) == (20, dli.secondaries[0])
    html = page(client, "verifications:request_detail", pk=vr.pk)
    assert "The original deadline still counts" in html
    assert "IRCC answers by 2026-03-09" in html  # Monday + 5 business days
    assert "Request an extension" not in html  # one open at a time
    # Asking again (a stale form) is refused with a message, not an error page.
    response = client.post(
        url, {"days": "3", "ground": "labour_dispute", "explanation": "Again."}, follow=True
    )
    assert "already waiting for IRCC" in response.content.decode()
    assert ExtensionRequest.objects.count() == 1
    assert vr.application_number in page(client, "amendments:list")


def test_a_member_asks_for_a_correction(signed_in, dli):
    vr = decided_request(dli.institution, dli.primary)
    client = signed_in(dli.primary)
    html = page(client, "verifications:request_detail", pk=vr.pk)
    assert "Request a correction" in html and "Request an extension" not in html
    form = page(client, "amendments:correction_create", pk=vr.pk)
    # Only the outcomes the current one may become.
    assert "Not verified – Cancelled or withdrawn" in form
    assert 'value="verified_matched"' not in form
    response = client.post(
        flows.url("amendments:correction_create", pk=vr.pk),
        {
            "outcome": "not_verified_cancelled",
            "ground": "student_withdrew",
            "explanation": "Withdrew.",
        },
    )
    assert response.status_code == 302
    assert CorrectionRequest.objects.get().requested_outcome == Status.NOT_VERIFIED_CANCELLED


def test_another_dlis_requests_are_not_found(signed_in, dli, other_dli, officer):
    pending = pending_request(dli.institution)
    decided = decided_request(dli.institution, dli.primary)
    client = signed_in(other_dli.primary)
    for name, pk in (
        ("amendments:extension_create", pending.pk),
        ("amendments:correction_create", decided.pk),
    ):
        assert client.get(flows.url(name, pk=pk)).status_code == 404
        response = client.post(
            flows.url(name, pk=pk),
            {
                "days": "3",
                "ground": "labour_dispute",
                "outcome": "not_verified_cancelled",
                "explanation": "x",
            },
        )
        assert response.status_code == 404
    assert not ExtensionRequest.objects.exists() and not CorrectionRequest.objects.exists()
    ask_extension(pending, dli.primary)
    assert pending.application_number not in page(client, "amendments:list")
    # A member never reaches the officers' pages.
    extension = ExtensionRequest.objects.get()
    assert (
        client.get(flows.url("amendments:officer_extension_detail", pk=extension.pk)).status_code
        == 403
    )


def test_officers_see_the_queues_and_decide(signed_in, dli, other_dli, officer, at):
    late = pending_request(other_dli.institution)
    ask_extension(late, other_dli.primary, days=5)
    vr = pending_request(dli.institution)
    extension = ask_extension(vr, dli.primary, days=20)
    correction = ask_correction(decided_request(dli.institution, dli.primary), dli.primary)
    client = signed_in(officer)
    home = page(client, "home")
    assert "Extension requests" in home and "Correction requests" in home
    queue = page(client, "amendments:officer_extensions")
    assert queue.count("2026-03-09") == 2  # answer-by date of each waiting request
    assert dli.institution.dli_number in queue and other_dli.institution.dli_number in queue
    detail_url = flows.url("amendments:officer_extension_detail", pk=extension.pk)
    detail = page(client, "amendments:officer_extension_detail", pk=extension.pk)
    assert 'value="20"' in detail and "Approve" in detail and "Refuse" in detail
    response = client.post(detail_url, {"action": "refuse", "refuse-reason": ""})
    assert "Enter the reason for the refusal" in response.content.decode()
    response = client.post(detail_url, {"action": "approve", "approve-days": "21"})
    assert "Grant from 1 day to the 20 day(s) asked for" in response.content.decode()
    response = client.post(detail_url, {"action": "approve", "approve-days": "15"})
    assert response.status_code == 302
    vr.refresh_from_db()
    assert vr.original_due_at is not None and vr.due_at > vr.original_due_at
    html = page(client, "verifications:officer_detail", pk=vr.pk)
    assert "Extension approved" in html and "15 days granted" in html

    page(client, "amendments:officer_corrections")
    correction_url = flows.url("amendments:officer_correction_detail", pk=correction.pk)
    response = client.post(correction_url, {"action": "approve", "approve-reason": "OK."})
    assert response.status_code == 302
    html = page(client, "verifications:officer_detail", pk=correction.verification_request_id)
    assert "Decision corrected" in html and "corrected by IRCC on" in html
    member_html = page(
        signed_in(dli.secondaries[0]),
        "verifications:request_detail",
        pk=correction.verification_request_id,
    )
    assert "Not verified – Cancelled or withdrawn" in member_html
    assert "First decision" in member_html and "corrected by IRCC on" in member_html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_new_page_renders_in_both_languages(signed_in, dli, officer, lang):
    vr = pending_request(dli.institution)
    decided = decided_request(dli.institution, dli.primary)
    extension = ask_extension(vr, dli.primary)
    correction = ask_correction(decided, dli.primary)
    member = signed_in(dli.primary)
    for name, kwargs in (
        ("amendments:list", {}),
        ("amendments:correction_create", {"pk": decided.pk}),
        ("verifications:request_detail", {"pk": vr.pk}),
    ):
        page(member, name, lang, **kwargs)
    staff = signed_in(officer)
    for name, kwargs in (
        ("amendments:officer_extensions", {}),
        ("amendments:officer_corrections", {}),
        ("amendments:officer_extension_detail", {"pk": extension.pk}),
        ("amendments:officer_correction_detail", {"pk": correction.pk}),
    ):
        page(staff, name, lang, **kwargs)
