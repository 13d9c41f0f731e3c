"""The documents' storage over time: ``verify_storage``, the retention rule, and the export and
import that the backup drill uses (verifications.retention)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.retention import (
    documents_export,
    documents_import,
    documents_verify,
    verification_documents_purge,
)
from loaportal.verifications.services import verification_decide
from loaportal.verifications.storage import documents_storage
from tests import flows
from tests.factories import dli_with_users
from tests.verifications.helpers import make_request

pytestmark = pytest.mark.django_db

Status = VerificationRequest.Status


def test_verify_storage_names_missing_documents_and_orphans(capsys):
    dli = dli_with_users(secondaries=0)
    kept, lost = make_request(dli.institution), make_request(dli.institution)
    documents_storage().delete(lost.document.name)
    documents_storage().save("2020/01/orphan.pdf", __import__("io").BytesIO(b"%PDF-1 x %%EOF"))
    report = documents_verify()
    assert report.checked == 2
    assert report.missing == [(lost.application_number, lost.document.name)]
    assert report.orphans == ["2020/01/orphan.pdf"]
    with pytest.raises(CommandError, match="1 document"):
        call_command("verify_storage")
    out = capsys.readouterr()
    assert f"missing: {lost.document.name}" in out.err
    assert "orphan: 2020/01/orphan.pdf" in out.out
    assert kept.document.name not in out.err


def test_verify_storage_passes_when_everything_is_there(capsys):
    dli = dli_with_users(secondaries=0)
    make_request(dli.institution)
    call_command("verify_storage")
    assert "1 document(s) checked, 0 missing, 0 orphan(s)" in capsys.readouterr().out


def test_retention_deletes_old_closed_documents_and_keeps_the_decisions(
    signed_in, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_RETENTION_YEARS = 7
    dli = dli_with_users(secondaries=0)
    now = timezone.now()
    old_no_response = make_request(dli.institution, requested_at=now - timedelta(days=8 * 366))
    decided_recently = make_request(dli.institution)
    verification_decide(
        verification_request=decided_recently,
        outcome=Status.VERIFIED_MATCHED,
        comment="",
        decided_by=dli.primary,
    )
    pending = make_request(dli.institution)
    old_name = old_no_response.document.name

    assert verification_documents_purge(dry_run=True) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the file goes on commit
        assert verification_documents_purge() == 1
    assert verification_documents_purge() == 0

    old_no_response.refresh_from_db()
    assert not old_no_response.document
    assert old_no_response.application_number and old_no_response.due_at  # the request stays
    assert not documents_storage().exists(old_name)
    for request in (decided_recently, pending):
        request.refresh_from_db()
        assert documents_storage().exists(request.document.name)
    decided_recently.refresh_from_db()
    assert decided_recently.status == Status.VERIFIED_MATCHED
    assert decided_recently.decided_by == dli.primary
    entry = AuditEvent.objects.get(event_type="verification_document_purged")
    assert entry.details["application_number"] == old_no_response.application_number

    # Its page says so, and the document is a 404, not an error.
    client = signed_in(dli.primary)
    page = client.get(flows.url("verifications:request_detail", pk=old_no_response.pk))
    assert "deleted under the retention rule" in page.content.decode()
    assert client.get(flows.url("verifications:document", pk=old_no_response.pk)).status_code == 404
    assert documents_verify().missing == []


def test_a_decision_closes_a_request_at_its_decision_date(settings, time_machine):
    dli = dli_with_users(secondaries=0)
    time_machine.move_to(timezone.now() - timedelta(days=3 * 366), tick=False)
    request = make_request(dli.institution)
    verification_decide(
        verification_request=request,
        outcome=Status.NOT_VERIFIED_NO_MATCH,
        comment="No such student",
        decided_by=dli.primary,
    )
    time_machine.move_to(timezone.now() + timedelta(days=3 * 366), tick=False)
    assert verification_documents_purge(years=3, dry_run=True) == 1
    assert verification_documents_purge(years=4, dry_run=True) == 0


def test_export_then_import_into_an_empty_storage(settings, tmp_path):
    dli = dli_with_users(secondaries=0)
    requests = [make_request(dli.institution) for _ in range(3)]
    contents = {r.document.name: r.document.read() for r in requests}
    backup = tmp_path / "backup"
    assert documents_export(to=backup) == 3
    assert documents_export(to=backup) == 0  # incremental
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "restored"
    assert documents_verify().missing  # a fresh, empty storage
    assert documents_import(source=backup) == 3
    assert documents_import(source=backup) == 0
    for name, content in contents.items():
        with documents_storage().open(name, "rb") as handle:
            assert handle.read() == content
    assert documents_verify().missing == []
