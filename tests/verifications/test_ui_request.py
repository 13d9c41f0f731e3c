"""A request's page: IRCC's data beside the document, the document itself (to the DLI's
members and officers only), the two-step decision, and the status after the deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests import flows
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.ui_support import a_request

pytestmark = pytest.mark.django_db

Status = VerificationRequest.Status


@pytest.fixture
def world():
    a, b = dli_with_users(name="a", secondaries=1), dli_with_users(name="b", secondaries=0)
    return a, b, a_request(a.institution, surname="Gagnon", student_id="A-1")


def _detail(vr, lang="en"):
    return flows.url("verifications:request_detail", lang, pk=vr.pk)


def _document(vr, lang="en"):
    return flows.url("verifications:document", lang, pk=vr.pk)


def test_the_page_shows_ircc_data_beside_the_document(signed_in, world):
    a, _, vr = world
    html = signed_in(a.secondaries[0]).get(_detail(vr)).content.decode()
    for value in (vr.application_number, "Gagnon", "Marie-Ève", "2004-05-17", "A-1"):
        assert value in html
    assert f'<iframe class="portal-document" src="{_document(vr)}"' in html
    assert f'href="{_document(vr)}?download=1"' in html
    assert 'name="outcome"' in html and "Continue" in html


def test_the_document_is_served_with_protective_headers_and_audited(signed_in, world):
    a, _, vr = world
    client = signed_in(a.secondaries[0])
    response = client.get(_document(vr))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert 'filename="letter.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert "no-store" in response["Cache-Control"]
    download = client.get(_document(vr) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    events = AuditEvent.objects.filter(event_type="verification_document_viewed")
    assert events.count() == 2
    assert {e.actor_id for e in events} == {a.secondaries[0].pk}


def test_officers_may_read_the_document(signed_in, world):
    _, _, vr = world
    response = signed_in(OfficerFactory()).get(_document(vr))
    assert response.status_code == 200


def test_another_dli_gets_404_for_the_page_the_document_and_the_decision(signed_in, world):
    _, b, vr = world
    client = signed_in(b.primary)
    assert client.get(_detail(vr)).status_code == 404
    response = client.get(_document(vr))
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    response = client.post(
        _detail(vr), {"action": "submit", "outcome": Status.NOT_VERIFIED_NO_MATCH, "comment": "x"}
    )
    assert response.status_code == 404
    vr.refresh_from_db()
    assert vr.status == Status.PENDING and vr.decided_by is None
    assert not AuditEvent.objects.filter(event_type="verification_document_viewed").exists()


def test_the_document_is_refused_to_anyone_not_signed_in(client, world):
    _, _, vr = world
    response = client.get(_document(vr))
    assert response.status_code == 302
    assert response["Location"].startswith(flows.url("account_login", "en"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_continue_shows_a_final_summary_then_submit_records_the_decision(signed_in, world, lang):
    a, _, vr = world
    client = signed_in(a.secondaries[0])
    matched = {"fr": "Vérifiée – Correspondance", "en": "Verified – Matched"}[lang]
    response = client.post(
        _detail(vr, lang), {"action": "continue", "outcome": Status.VERIFIED_MATCHED}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert matched in html
    assert {"fr": "La décision est définitive", "en": "The decision is final"}[lang] in html
    assert {"fr": "Soumettre la vérification", "en": "Submit verification"}[lang] in html
    vr.refresh_from_db()
    assert vr.status == Status.PENDING  # nothing recorded by "Continue"

    response = client.post(
        _detail(vr, lang), {"action": "submit", "outcome": Status.VERIFIED_MATCHED, "comment": ""}
    )
    assert response.status_code == 302
    vr.refresh_from_db()
    assert vr.status == Status.VERIFIED_MATCHED and vr.decided_by == a.secondaries[0]
    html = client.get(_detail(vr, lang)).content.decode()
    assert matched in html and a.secondaries[0].email in html
    assert 'name="outcome"' not in html and 'name="action"' not in html


def test_change_my_answer_goes_back_to_the_form_with_the_choice_kept(signed_in, world):
    a, _, vr = world
    response = signed_in(a.primary).post(
        _detail(vr),
        {"action": "change", "outcome": Status.NOT_VERIFIED_NO_MATCH, "comment": "Altered date"},
    )
    html = response.content.decode()
    checked = "&quot;value&quot;: &quot;not_verified_no_match&quot;, &quot;checked&quot;: true"
    assert checked in html
    assert "Altered date" in html and "Submit verification" not in html


@pytest.mark.parametrize("outcome", [Status.NOT_VERIFIED_NO_MATCH, Status.NOT_VERIFIED_CANCELLED])
def test_a_comment_is_required_when_not_verified(signed_in, world, outcome):
    a, _, vr = world
    response = signed_in(a.primary).post(
        _detail(vr), {"action": "continue", "outcome": outcome, "comment": "  "}
    )
    html = response.content.decode()
    assert "Enter a comment" in html and "<title>Error:" in html
    assert "Submit verification" not in html


def test_the_outcome_must_be_one_of_the_three(signed_in, world):
    a, _, vr = world
    response = signed_in(a.primary).post(
        _detail(vr), {"action": "submit", "outcome": Status.NO_RESPONSE, "comment": "x"}
    )
    assert "Choose the result of the verification" in response.content.decode()
    vr.refresh_from_db()
    assert vr.status == Status.PENDING


def test_a_second_decision_is_refused_and_says_who_decided_what(signed_in, world):
    a, _, vr = world
    first, second = signed_in(a.primary), signed_in(a.secondaries[0])
    # Both open the summary; the primary user submits first.
    for client in (first, second):
        client.post(_detail(vr), {"action": "continue", "outcome": Status.VERIFIED_MATCHED})
    first.post(_detail(vr), {"action": "submit", "outcome": Status.VERIFIED_MATCHED})
    response = second.post(
        _detail(vr),
        {"action": "submit", "outcome": Status.NOT_VERIFIED_NO_MATCH, "comment": "no"},
        follow=True,
    )
    html = response.content.decode()
    # The refusal itself names who decided, when and what (not only the decision panel).
    notice = html.split('class="portal-messages"')[1].split("</gcds-notice>")[0]
    assert f"already been decided by {a.primary.full_name} on " in notice
    assert "“Verified – Matched”" in notice
    vr.refresh_from_db()
    assert vr.status == Status.VERIFIED_MATCHED and vr.decided_by == a.primary


def test_decidable_at_the_last_minute_and_no_response_one_minute_later_on_every_page(
    signed_in, world, clock
):
    a, _, vr = world
    clock.move_to(vr.due_at - dt.timedelta(minutes=1))
    member = signed_in(a.primary)
    html = member.get(_detail(vr)).content.decode()
    assert 'name="outcome"' in html and "Less than an hour left" in html

    clock.move_to(vr.due_at + dt.timedelta(minutes=1))
    member, officer = signed_in(a.primary), signed_in(OfficerFactory())
    html = member.get(_detail(vr)).content.decode()
    assert "No response" in html and 'name="outcome"' not in html
    queue = member.get(flows.url("verifications:queue", "en") + "?tab=no_response")
    assert vr.application_number in queue.content.decode()
    officer_page = officer.get(flows.url("verifications:officer_detail", "en", pk=vr.pk))
    assert "No response" in officer_page.content.decode()
    fr = member.get(_detail(vr, "fr")).content.decode()
    assert "Aucune réponse" in fr

    response = member.post(
        _detail(vr), {"action": "submit", "outcome": Status.VERIFIED_MATCHED}, follow=True
    )
    assert "can no longer be decided" in response.content.decode()
    vr.refresh_from_db()
    assert vr.status == Status.PENDING and vr.decided_at is None


def test_a_decided_request_shows_outcome_who_and_when_and_no_form(signed_in, world):
    a, _, vr = world
    verification_decide(
        verification_request=vr,
        outcome=Status.NOT_VERIFIED_CANCELLED,
        comment="Withdrawn on 2026-01-10",
        decided_by=a.primary,
        now=timezone.now(),
    )
    html = signed_in(a.secondaries[0]).get(_detail(vr, "fr")).content.decode()
    assert "Non vérifiée – Lettre annulée ou retirée" in html
    assert a.primary.email in html and "Withdrawn on 2026-01-10" in html
    assert 'name="outcome"' not in html


def test_a_post_on_an_already_decided_request_names_who_decided_what(signed_in, world):
    a, _, vr = world
    verification_decide(
        verification_request=vr,
        outcome=Status.NOT_VERIFIED_CANCELLED,
        comment="Withdrawn",
        decided_by=a.primary,
    )
    response = signed_in(a.secondaries[0]).post(
        _detail(vr, "fr"), {"action": "continue", "outcome": Status.VERIFIED_MATCHED}, follow=True
    )
    notice = response.content.decode().split('class="portal-messages"')[1]
    notice = notice.split("</gcds-notice>")[0]
    assert f"décidée par {a.primary.full_name} le " in notice
    assert "Non vérifiée – Lettre annulée ou retirée" in notice
