"""Officers' verification pages: every request with filters, a request's history, and "Add a
request" through the same service as the import."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from loaportal.verifications.letters import letter_pdf
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests import flows
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.ui_support import a_request

pytestmark = pytest.mark.django_db

Status = VerificationRequest.Status


def _rows(html: str) -> list[str]:
    return re.findall(r">(S\d{9})</gcds-link>", html)


@pytest.fixture
def officer(signed_in):
    return signed_in(OfficerFactory())


def test_officers_see_every_dli_and_filter_by_dli_status_and_dates(officer):
    a, b = dli_with_users(name="a", secondaries=0), dli_with_users(name="b", secondaries=0)
    now = timezone.now()
    a_old = a_request(a.institution, requested_at=now - dt.timedelta(days=20))
    a_new = a_request(a.institution)
    b_new = a_request(b.institution, surname="Gagnon")
    verification_decide(
        verification_request=a_new,
        outcome=Status.VERIFIED_MATCHED,
        comment="",
        decided_by=a.primary,
    )
    url = flows.url("verifications:officer_list", "en")
    everything = officer.get(url).content.decode()
    assert set(_rows(everything)) == {
        a_old.application_number,
        a_new.application_number,
        b_new.application_number,
    }
    assert set(_rows(officer.get(url, {"dli": b.institution.dli_number}).content.decode())) == {
        b_new.application_number
    }
    assert _rows(officer.get(url, {"status": "verified_matched"}).content.decode()) == [
        a_new.application_number
    ]
    assert _rows(officer.get(url, {"status": "no_response"}).content.decode()) == [
        a_old.application_number
    ]
    since = (now - dt.timedelta(days=1)).date().isoformat()
    assert set(_rows(officer.get(url, {"requested_from": since}).content.decode())) == {
        a_new.application_number,
        b_new.application_number,
    }
    until = (now - dt.timedelta(days=10)).date().isoformat()
    assert _rows(officer.get(url, {"requested_to": until}).content.decode()) == [
        a_old.application_number
    ]
    assert _rows(officer.get(url, {"q": "gagnon"}).content.decode()) == [b_new.application_number]
    bad = officer.get(url, {"requested_from": "yesterday"}).content.decode()
    assert "Enter a date as YYYY-MM-DD." in bad


def test_a_request_page_shows_its_history(officer):
    a = dli_with_users(secondaries=0)
    vr = a_request(a.institution)
    verification_decide(
        verification_request=vr,
        outcome=Status.NOT_VERIFIED_NO_MATCH,
        comment="Not our letter",
        decided_by=a.primary,
    )
    html = officer.get(flows.url("verifications:officer_detail", "en", pk=vr.pk)).content.decode()
    assert "History" in html
    assert html.index("Request received") < html.index("Decision submitted")
    assert "Not verified – No match – Not our letter" in html
    assert a.primary.email in html
    assert 'name="outcome"' not in html  # officers do not decide


def _form(dli, **overrides):
    data = {
        "application_number": "S123456789",
        "dli_number": dli,
        "surname": "Tremblay",
        "given_names": "Marie-Ève",
        "date_of_birth": "2004-05-17",
        "program": "Nursing",
        "start_date": "2027-09-01",
        "student_id": "",
        "loa_number": "",
        "campus": "",
        "document": SimpleUploadedFile(
            "offer.pdf", letter_pdf(title="Offer", lines=["Tremblay"]), "application/pdf"
        ),
    }
    data.update(overrides)
    return data


def test_an_officer_adds_a_request_with_its_document(officer):
    a = dli_with_users(secondaries=0)
    response = officer.post(
        flows.url("verifications:officer_create", "en"), _form(a.institution.dli_number)
    )
    vr = VerificationRequest.objects.get(application_number="S123456789")
    assert response.status_code == 302
    assert response["Location"] == flows.url("verifications:officer_detail", "en", pk=vr.pk)
    assert vr.institution == a.institution and vr.program == "Nursing"
    assert vr.document_name == "offer.pdf" and vr.document_content_type == "application/pdf"
    assert vr.start_date == dt.date(2027, 9, 1)
    assert vr.document.read().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"dli_number": "O00000000000"}, "DLI"),
        ({"date_of_birth": "17/05/2004"}, "Enter a date as YYYY-MM-DD."),
        (
            {"document": SimpleUploadedFile("x.pdf", b"MZ not a pdf", "application/pdf")},
            "PDF, JPEG or PNG",
        ),
    ],
)
def test_a_bad_request_is_refused_with_a_specific_error_and_nothing_stored(
    officer, overrides, message
):
    a = dli_with_users(secondaries=0)
    response = officer.post(
        flows.url("verifications:officer_create", "en"),
        _form(a.institution.dli_number, **overrides),
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert message in html
    assert not VerificationRequest.objects.exists()


def test_members_cannot_use_the_officers_pages(signed_in):
    a = dli_with_users(secondaries=0)
    vr = a_request(a.institution)
    client = signed_in(a.primary)
    for url in (
        flows.url("verifications:officer_list", "en"),
        flows.url("verifications:officer_create", "en"),
        flows.url("verifications:officer_detail", "en", pk=vr.pk),
    ):
        assert client.get(url).status_code == 403


def test_the_officers_list_runs_the_same_number_of_queries_for_10_and_200_requests(officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.verifications.ui_support import many_requests

    a, b = dli_with_users(name="a", secondaries=0), dli_with_users(name="b", secondaries=0)
    url = flows.url("verifications:officer_list", "en")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer.get(url).status_code == 200
        return len(captured)

    many_requests(a.institution, 5)
    many_requests(b.institution, 5)
    queries()  # the first page after signing in writes the session (ADR 0020)
    with_10 = queries()
    many_requests(a.institution, 95)
    many_requests(b.institution, 95)
    assert queries() == with_10
