"""The "Verify by file" pages: downloads of the pending requests, upload, preview, confirmation,
result; another DLI's file is a 404."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from loaportal.audit.models import AuditEvent
from loaportal.decision_files.models import DecisionFile
from loaportal.decision_files.parsing import decision_rows_read
from loaportal.verifications.models import VerificationRequest
from tests import flows
from tests.decision_files.support import csv_file, pending
from tests.factories import OfficerFactory, dli_with_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def dli():
    return dli_with_users(name="maple", secondaries=0)


def test_the_pending_requests_as_csv_and_excel(signed_in, dli):
    mine = pending(dli.institution, 2)
    mine[0].surname = '=HYPERLINK("http://evil")'
    mine[0].save()
    pending(dli.institution, requested_at=timezone.now() - timedelta(days=12))  # overdue
    pending(dli_with_users(name="birch", secondaries=0).institution)  # another DLI's
    client = signed_in(dli.primary)
    response = client.get(flows.url("decision_files:download_csv", "fr"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["application_number"] for r in rows] == [vr.application_number for vr in mine]
    assert rows[0]["outcome"] == "" and rows[0]["comment"] == ""
    assert rows[0]["surname"].startswith("'=")  # never a formula in a spreadsheet
    # The file as downloaded is a valid (empty) decision file.
    assert [r.application_number for r in decision_rows_read(response.content, max_rows=10)] == [
        vr.application_number for vr in mine
    ]

    response = client.get(flows.url("decision_files:download_xlsx", "en"))
    sheet = load_workbook(io.BytesIO(response.content), read_only=False).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["application_number", "outcome", "comment"]
    assert sheet.cell(row=2, column=1).value == mine[0].application_number
    assert sheet.cell(row=2, column=4).data_type == "s"  # text, not a formula
    assert sheet.max_row == 3
    assert AuditEvent.objects.filter(event_type="pending_requests_exported").count() == 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_upload_preview_confirm_result(signed_in, dli, lang, django_capture_on_commit_callbacks):
    ok, other = pending(dli.institution, 2)
    client = signed_in(dli.primary)
    index = flows.url("decision_files:index", lang)
    page = client.get(index)
    assert page.status_code == 200
    assert ("Vérifier par fichier" if lang == "fr" else "Verify by file") in page.content.decode()
    content = csv_file(
        [[ok.application_number, "verified_matched", ""], [other.application_number, "x", ""]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(index, {"file": SimpleUploadedFile("d.csv", content)})
    decision_file = DecisionFile.objects.get()
    assert response["Location"] == flows.url("decision_files:detail", lang, pk=decision_file.pk)
    # The check ran (immediate task backend, on commit).
    decision_file.refresh_from_db()
    assert decision_file.status == "checked"
    page = client.get(response["Location"]).content.decode()
    button = "Confirmer l'enregistrement" if lang == "fr" else "Confirm and record"
    assert button in page.replace("&#x27;", "'")
    status = client.get(flows.url("decision_files:status", lang, pk=decision_file.pk)).json()
    assert status["status"] == "checked" and status["in_progress"] is False
    assert VerificationRequest.objects.get(pk=ok.pk).status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(flows.url("decision_files:confirm", lang, pk=decision_file.pk))
    decision_file.refresh_from_db()
    assert decision_file.status == "recorded"
    assert VerificationRequest.objects.get(pk=ok.pk).status == "verified_matched"
    page = client.get(flows.url("decision_files:detail", lang, pk=decision_file.pk))
    assert page.status_code == 200
    result = client.get(flows.url("decision_files:result", lang, pk=decision_file.pk))
    rows = list(csv.DictReader(io.StringIO(result.content.decode("utf-8-sig"))))
    assert [(r["row"], r["application_number"]) for r in rows] == [
        ("2", ok.application_number),
        ("3", other.application_number),
    ]
    assert rows[1]["message"] and rows[0]["message"] == ""
    # Confirming again changes nothing and says why.
    again = client.post(flows.url("decision_files:confirm", lang, pk=decision_file.pk), follow=True)
    assert again.status_code == 200 and len(list(again.context["messages"])) == 1


def test_an_upload_refused_at_once_is_shown_on_the_form(signed_in, dli):
    client = signed_in(dli.primary)
    response = client.post(
        flows.url("decision_files:index", "en"),
        {"file": SimpleUploadedFile("letter.pdf", b"%PDF-1.7")},
    )
    assert response.status_code == 200
    assert "Choose a CSV file (.csv) or an Excel file (.xlsx)." in response.content.decode()
    assert not DecisionFile.objects.exists()


def test_another_dlis_file_is_not_found_and_officers_have_no_page(
    signed_in, dli, django_capture_on_commit_callbacks
):
    content = csv_file([[pending(dli.institution).application_number, "verified_matched", ""]])
    owner = signed_in(dli.primary)
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            flows.url("decision_files:index", "en"), {"file": SimpleUploadedFile("d.csv", content)}
        )
    decision_file = DecisionFile.objects.get()
    stranger = signed_in(dli_with_users(name="birch", secondaries=0).primary)
    for name in ("detail", "status", "result"):
        assert (
            stranger.get(flows.url(f"decision_files:{name}", "en", pk=decision_file.pk)).status_code
            == 404
        )
    assert (
        stranger.post(flows.url("decision_files:confirm", "en", pk=decision_file.pk)).status_code
        == 404
    )
    decision_file.refresh_from_db()
    assert decision_file.status == "checked"
    officer = signed_in(OfficerFactory())
    assert officer.get(flows.url("decision_files:index", "en")).status_code == 403
