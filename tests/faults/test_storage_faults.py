"""Fault: the documents' storage refuses a write at intake (a full or read-only disk, an object
store that is down or has lost its bucket). The person adding the request gets a clear error
on the form; no request row, no history, no audit entry and no stored file is left behind.

These need neither PostgreSQL nor a second process, so they run in every pass."""

from __future__ import annotations

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loaportal.audit.models import AuditEvent
from loaportal.verifications.letters import letter_pdf
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from tests import flows
from tests.factories import OfficerFactory, dli_with_users

pytestmark = pytest.mark.django_db

MESSAGE = "The document could not be stored just now"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _add_request(signed_in):
    a = dli_with_users(secondaries=0)
    officer = signed_in(OfficerFactory())
    return officer.post(
        flows.url("verifications:officer_create", "en"),
        {
            "application_number": "S123456789",
            "dli_number": a.institution.dli_number,
            "surname": "Tremblay",
            "given_names": "Marie-Ève",
            "date_of_birth": "2004-05-17",
            "program": "Nursing",
            "start_date": "2027-09-01",
            "document": SimpleUploadedFile(
                "offer.pdf", letter_pdf(title="Offer", lines=["Tremblay"]), "application/pdf"
            ),
        },
    )


def _assert_nothing_made(response):
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert MESSAGE in html
    assert "Traceback" not in html
    assert not VerificationRequest.objects.exists()
    assert not VerificationEvent.objects.exists()
    assert not AuditEvent.objects.filter(event_type="verification_request_created").exists()


def test_an_unwritable_folder(signed_in, settings, tmp_path):
    # A file where the folder should be: the storage cannot create it (unlike a chmod, this
    # also holds for a test run as root).
    blocked = tmp_path / "documents"
    blocked.write_bytes(b"")
    settings.VERIFICATION_DOCUMENTS_DIR = blocked
    _assert_nothing_made(_add_request(signed_in))
    assert blocked.is_file() and blocked.read_bytes() == b""


def test_a_full_disk_leaves_no_half_written_file(signed_in, settings, tmp_path, monkeypatch):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"
    from django.core.files import File

    real_chunks = File.chunks

    def chunks_then_full(self, chunk_size=None):
        yield next(iter(real_chunks(self, 64)))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(File, "chunks", chunks_then_full)
    _assert_nothing_made(_add_request(signed_in))
    assert not [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]


def test_an_object_store_that_is_down(signed_in, settings, object_store):
    bucket = object_store.create_bucket()
    url = object_store.url(bucket).replace(
        object_store.endpoint, f"http://127.0.0.1:{_closed_port()}"
    )
    settings.DOCUMENTS_STORAGE_URL = url
    _assert_nothing_made(_add_request(signed_in))
    assert object_store.keys(bucket) == []


def test_an_object_store_without_its_bucket(signed_in, settings, object_store):
    settings.DOCUMENTS_STORAGE_URL = object_store.url("bucket-that-was-deleted")
    _assert_nothing_made(_add_request(signed_in))
