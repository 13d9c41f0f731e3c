"""``verification_request_create`` (the officers' form, later the IRCC API): strict checks with
a code and a field, one write, its history and audit entry, no orphan file on failure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from loaportal.audit.models import AuditEvent
from loaportal.core.exceptions import ApplicationError
from loaportal.verifications import services
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import verification_request_create
from tests.factories import InstitutionFactory, OfficerFactory
from tests.verifications.helpers import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def institution():
    return InstitutionFactory(dli_number="O19390898172", province="BC")


def create(**overrides):
    values = {
        "application_number": " s305 123 456 ",
        "dli_number": "o19390898172",
        "surname": "  Nguyen ",
        "given_names": "Thi  Anh",
        "date_of_birth": date(2005, 1, 31),
        "document": SimpleUploadedFile("letter.pdf", pdf_bytes(), content_type="text/html"),
        "document_name": "../../Letter of acceptance.pdf",
    }
    values.update(overrides)
    return verification_request_create(**values)


def stored_files(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_created_with_history_audit_and_deadline(institution, _documents_dir):
    officer = OfficerFactory()
    request = create(created_by=officer, program="Nursing", start_date="2026-09-01")
    request.refresh_from_db()
    assert request.application_number == "S305123456"
    assert (request.surname, request.given_names) == ("Nguyen", "Thi Anh")
    assert request.institution == institution
    assert request.status == VerificationRequest.Status.PENDING
    assert request.start_date == date(2026, 9, 1)
    # The type comes from the bytes, not from what the upload claimed; the name is kept for
    # display only, without its path.
    assert request.document_content_type == "application/pdf"
    assert request.document_name == "Letter of acceptance.pdf"
    assert request.document_size == len(pdf_bytes())
    assert request.document.read() == pdf_bytes()
    assert "Letter" not in request.document.name
    assert datetime.now(UTC) - request.requested_at < timedelta(minutes=1)
    assert request.due_at > request.requested_at + timedelta(days=10)
    event = VerificationEvent.objects.get(request=request)
    assert (event.kind, event.actor, event.details["source"]) == ("created", officer, "officer")
    audit = AuditEvent.objects.get(event_type="verification_request_created")
    assert (audit.actor, audit.institution, audit.subject_id) == (
        officer,
        institution,
        str(request.pk),
    )
    assert len(stored_files(_documents_dir)) == 1
    with pytest.raises(NotImplementedError):
        request.document.url  # noqa: B018 — never a public URL


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"dli_number": "O99999999999"}, "dli_unknown", "dli_number"),
        (
            {"application_number": "S305123456"},
            "application_number_duplicate",
            "application_number",
        ),
        ({"date_of_birth": "31/01/2005"}, "date_invalid", "date_of_birth"),
        (
            {"date_of_birth": date.today() + timedelta(days=1)},
            "date_of_birth_range",
            "date_of_birth",
        ),
        ({"start_date": "2026-02-30"}, "date_invalid", "start_date"),
        ({"surname": " "}, "required", "surname"),
        ({"document": None}, "document_missing", "document"),
        ({"document": b""}, "document_unreadable", "document"),
        ({"document": b"%PDF-1.4 truncated"}, "document_unreadable", "document"),
        ({"document": b"GIF89a...."}, "document_wrong_type", "document"),
        ({"requested_at": datetime(2026, 1, 1, 10, 0)}, "requested_at_invalid", "requested_at"),
        (
            {"requested_at": datetime.now(UTC) + timedelta(hours=1)},
            "requested_at_future",
            "requested_at",
        ),
    ],
)
def test_specific_errors(institution, overrides, code, field, _documents_dir):
    if code == "application_number_duplicate":
        create()
    with pytest.raises(ApplicationError) as refused:
        create(**overrides)
    assert (refused.value.code, refused.value.field) == (code, field)
    expected = 1 if code == "application_number_duplicate" else 0
    assert VerificationRequest.objects.count() == expected
    assert len(stored_files(_documents_dir)) == expected


def test_not_post_secondary_refused():
    InstitutionFactory(dli_number="O19390898172", post_secondary=False)
    with pytest.raises(ApplicationError) as refused:
        create()
    assert refused.value.code == "dli_not_post_secondary"


def test_too_large_refused_from_its_declared_size_before_reading(institution, settings):
    settings.VERIFICATION_DOCUMENT_MAX_BYTES = 1000

    class Upload(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read a file already known to be too large")

    upload = Upload("big.pdf", b"x")
    upload.size = 5000
    with pytest.raises(ApplicationError) as refused:
        create(document=upload)
    assert refused.value.code == "document_too_large"
    assert refused.value.message == "The document is too large: the limit is 1000\xa0bytes."


def test_png_accepted(institution):
    request = create(document=png_bytes(), document_name="scan.png")
    assert request.document_content_type == "image/png"
    assert request.document.name.endswith(".png")


def test_no_orphan_file_when_the_transaction_fails(institution, monkeypatch, _documents_dir):
    def failing_audit(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "audit_record", failing_audit)
    with pytest.raises(RuntimeError):
        create()
    assert VerificationRequest.objects.count() == 0
    assert stored_files(_documents_dir) == []
