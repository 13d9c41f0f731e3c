"""``loaportal import_requests``: all rows or none, specific errors naming row and column, no
orphan file."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from loaportal.audit.models import AuditEvent
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import (
    IMPORT_COLUMNS,
    ImportRowsError,
    verification_requests_import,
)
from tests.factories import InstitutionFactory
from tests.verifications.helpers import jpeg_bytes, make_request, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

DLI_NUMBER = "O19390898172"


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English (the command writes them in the active language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def institution():
    return InstitutionFactory(dli_number=DLI_NUMBER)


def row(number: int, **overrides) -> dict[str, str]:
    values = {
        "application_number": f"S3{number:08d}",
        "dli_number": DLI_NUMBER,
        "surname": "Tremblay",
        "given_names": "Marie Ève",
        "date_of_birth": "2004-05-17",
        "program": "Computer Science",
        "start_date": "2026-09-01",
        "student_id": f"ST{number}",
        "loa_number": f"LOA-{number}",
        "campus": "",
        "document": f"letter-{number}.pdf",
    }
    values.update(overrides)
    return values


def write_batch(tmp_path: Path, rows: list[dict[str, str]], *, bom: bool = False) -> Path:
    documents = tmp_path / "incoming"
    documents.mkdir(exist_ok=True)
    for values in rows:
        name = values.get("document") or ""
        target = documents / name
        # "missing-…" names a file that is not there.
        if name and not name.startswith("missing-") and "/" not in name and not target.exists():
            target.write_bytes(pdf_bytes(f"Letter {values['application_number']}"))
    columns = list(IMPORT_COLUMNS) + (
        ["requested_at"] if any("requested_at" in r for r in rows) else []
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "batch.csv"
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")
    return path


def run_import(path: Path, documents: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_requests", str(path), documents=str(documents), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored_files(documents_dir: Path) -> list[Path]:
    return [p for p in documents_dir.rglob("*") if p.is_file()] if documents_dir.exists() else []


def test_thousand_rows_with_documents_all_created(institution, tmp_path, _documents_dir):
    rows = [row(n) for n in range(1000)]
    path = write_batch(tmp_path, rows)
    started = time.monotonic()
    out, err = run_import(path, tmp_path / "incoming")
    elapsed = time.monotonic() - started
    assert "1000 request(s) created." in out
    assert "1000/1000 rows" in err  # the progress line
    assert VerificationRequest.objects.filter(institution=institution).count() == 1000
    assert VerificationEvent.objects.filter(kind="created").count() == 1000
    assert AuditEvent.objects.filter(event_type="verification_request_created").count() == 1000
    assert len(stored_files(_documents_dir)) == 1000
    sample = VerificationRequest.objects.get(application_number="S300000999")
    assert sample.document.read() == pdf_bytes("Letter S300000999")
    assert (sample.document_content_type, sample.document_name) == (
        "application/pdf",
        "letter-999.pdf",
    )
    assert (sample.given_names, sample.student_id, sample.campus) == ("Marie Ève", "ST999", "")
    assert elapsed < 60, elapsed


def test_one_bad_row_creates_nothing_and_names_row_and_column(
    institution, tmp_path, _documents_dir
):
    rows = [row(n) for n in range(1000)]
    rows[500]["date_of_birth"] = "2004-02-30"
    path = write_batch(tmp_path, rows)
    with pytest.raises(CommandError, match="1 error"):
        out, err = run_import(path, tmp_path / "incoming")
    assert VerificationRequest.objects.count() == 0
    assert stored_files(_documents_dir) == []
    with pytest.raises(ImportRowsError) as failure:
        verification_requests_import(rows=rows, documents_dir=tmp_path / "incoming")
    # Line 502 of the file: the header is line 1, rows[0] line 2.
    assert failure.value.errors == [
        (502, "date_of_birth", "Enter a real date in the form YYYY-MM-DD.")
    ]


def test_command_reports_the_row_and_column(institution, tmp_path, capsys):
    rows = [row(1), row(2, dli_number="O99999999999")]
    path = write_batch(tmp_path, rows)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_requests", str(path), documents=str(tmp_path / "incoming"), stderr=err)
    assert f"{path}: row 3, column dli_number: No DLI has this number." in err.getvalue()


def _errors(rows, tmp_path) -> list[tuple[int, str, str]]:
    write_batch(tmp_path, rows)
    with pytest.raises(ImportRowsError) as failure:
        verification_requests_import(rows=rows, documents_dir=tmp_path / "incoming")
    return [(line, column) for line, column, _ in failure.value.errors]


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"dli_number": "O99999999999"}, "dli_number"),
        ({"dli_number": "12345"}, "dli_number"),
        ({"application_number": ""}, "application_number"),
        ({"application_number": "S3/../x"}, "application_number"),
        ({"surname": ""}, "surname"),
        ({"date_of_birth": "17/05/2004"}, "date_of_birth"),
        ({"date_of_birth": "2004-13-01"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"start_date": "next fall"}, "start_date"),
        ({"document": "missing-letter.pdf"}, "document"),
        ({"document": ""}, "document"),
        ({"document": "../batch.csv"}, "document"),
        ({"requested_at": "2026-01-05T10:00:00"}, "requested_at"),  # no offset
        ({"requested_at": "yesterday"}, "requested_at"),
        ({"requested_at": "2999-01-05T10:00:00-05:00"}, "requested_at"),  # in the future
        ({"surname": "x" * 151}, "surname"),
    ],
)
def test_specific_errors(institution, tmp_path, overrides, column, _documents_dir):
    rows = [row(1), row(2, **overrides), row(3)]
    assert _errors(rows, tmp_path) == [(3, column)]
    assert VerificationRequest.objects.count() == 0
    assert stored_files(_documents_dir) == []


def test_dli_that_is_not_post_secondary(tmp_path):
    InstitutionFactory(dli_number=DLI_NUMBER, post_secondary=False)
    with pytest.raises(ImportRowsError) as failure:
        verification_requests_import(rows=[row(1)], documents_dir=_docs(tmp_path, [row(1)]))
    assert failure.value.errors[0][:2] == (2, "dli_number")
    assert "not a post-secondary" in failure.value.errors[0][2]


def _docs(tmp_path, rows):
    write_batch(tmp_path, rows)
    return tmp_path / "incoming"


def test_duplicate_application_numbers_in_the_database_and_in_the_file(institution, tmp_path):
    make_request(institution, application_number="S300000001")
    rows = [row(1), row(2), row(2, document="again.pdf")]
    documents = _docs(tmp_path, rows)
    with pytest.raises(ImportRowsError) as failure:
        verification_requests_import(rows=rows, documents_dir=documents)
    assert failure.value.errors == [
        (2, "application_number", "A request with this application number already exists."),
        (4, "application_number", "This application number appears more than once in the file."),
    ]
    assert VerificationRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "code_word"),
    [
        (b"", "cannot be read"),  # empty
        (pdf_bytes()[:200], "cannot be read"),  # truncated PDF
        (b"<html><body>not a letter</body></html>", "PDF, JPEG or PNG"),
        (b"MZ\x90\x00 an executable named .pdf", "PDF, JPEG or PNG"),
        (b"GIF89a\x01\x00\x01\x00", "PDF, JPEG or PNG"),
    ],
)
def test_document_type_and_readability_checked_from_its_bytes(
    institution, tmp_path, content, code_word
):
    rows = [row(1)]
    documents = _docs(tmp_path, rows)
    (documents / "letter-1.pdf").write_bytes(content)
    with pytest.raises(ImportRowsError) as failure:
        verification_requests_import(rows=rows, documents_dir=documents)
    (line, column, message) = failure.value.errors[0]
    assert (line, column) == (2, "document")
    assert code_word in message


def test_jpeg_and_png_accepted_and_named_by_their_bytes(institution, tmp_path):
    rows = [row(1, document="scan.png"), row(2, document="photo.JPG")]
    documents = tmp_path / "incoming"
    documents.mkdir()
    (documents / "scan.png").write_bytes(png_bytes())
    (documents / "photo.JPG").write_bytes(jpeg_bytes())
    created = verification_requests_import(rows=rows, documents_dir=documents)
    assert [r.document_content_type for r in created] == ["image/png", "image/jpeg"]
    # Stored under a random name, never the student's file name.
    assert all("scan" not in r.document.name and "photo" not in r.document.name for r in created)


def test_document_too_large(institution, tmp_path, settings):
    settings.VERIFICATION_DOCUMENT_MAX_BYTES = 1024
    rows = [row(1)]
    documents = _docs(tmp_path, rows)
    (documents / "letter-1.pdf").write_bytes(pdf_bytes("x" * 2000))
    with pytest.raises(ImportRowsError) as failure:
        verification_requests_import(rows=rows, documents_dir=documents)
    line, column, message = failure.value.errors[0]
    assert (line, column) == (2, "document")
    assert message == "The document is too large: the limit is 1.0\xa0KB."


def test_bom_accepted(institution, tmp_path):
    path = write_batch(tmp_path, [row(1)], bom=True)
    out, _ = run_import(path, tmp_path / "incoming")
    assert "1 request(s) created." in out
    assert VerificationRequest.objects.get().application_number == "S300000001"


def test_requested_at_in_the_past_with_offset_sets_the_deadline(institution, tmp_path):
    requested = datetime.now(UTC) - timedelta(days=4)
    stamp = requested.astimezone(ZoneInfo("America/Vancouver")).isoformat(timespec="seconds")
    path = write_batch(tmp_path, [row(1, requested_at=stamp), row(2, requested_at="")])
    run_import(path, tmp_path / "incoming")
    carried, fresh = VerificationRequest.objects.order_by("application_number")
    assert carried.requested_at == requested.replace(microsecond=0)
    eastern_day = requested.astimezone(ZoneInfo("America/Toronto")).date()
    assert carried.due_at.astimezone(ZoneInfo("America/Toronto")).date() == eastern_day + timedelta(
        days=10
    )
    # An empty cell: now.
    assert datetime.now(UTC) - fresh.requested_at < timedelta(minutes=1)


def test_header_must_name_the_columns(institution, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("application_number,dli\nS300000001,O19390898172\n", encoding="utf-8")
    (tmp_path / "incoming").mkdir()
    with pytest.raises(CommandError, match="Missing: dli_number"):
        run_import(path, tmp_path / "incoming")


def test_no_orphan_file_when_the_write_fails_midway(
    institution, tmp_path, monkeypatch, _documents_dir
):
    """A failure after some documents were stored (here the audit trail, on the third row)
    rolls back the rows and deletes the files already written."""
    from loaportal.verifications import services

    calls = {"n": 0}
    real = services.audit_record

    def failing_audit(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", failing_audit)
    rows = [row(n) for n in range(5)]
    with pytest.raises(RuntimeError):
        verification_requests_import(rows=rows, documents_dir=_docs(tmp_path, rows))
    assert VerificationRequest.objects.count() == 0
    assert VerificationEvent.objects.count() == 0
    assert stored_files(_documents_dir) == []


def test_sweep_deletes_only_old_unreferenced_documents(institution, _documents_dir):
    """What intake cannot clean itself (a killed process, an outer rollback) the worker's
    hourly sweep deletes; the files of requests, and any file younger than an hour, stay."""
    import os

    from loaportal.notifications.maintenance import PERIODIC_JOBS
    from loaportal.verifications.services import verification_documents_sweep

    kept = make_request(institution)
    folder = _documents_dir / "2020" / "01"
    folder.mkdir(parents=True)
    old_orphan, fresh_orphan = folder / "old.pdf", folder / "fresh.pdf"
    old_orphan.write_bytes(pdf_bytes())
    fresh_orphan.write_bytes(pdf_bytes())
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old_orphan, (two_hours_ago, two_hours_ago))
    kept_path = _documents_dir / kept.document.name
    os.utime(kept_path, (two_hours_ago, two_hours_ago))

    assert verification_documents_sweep() == 1
    assert not old_orphan.exists()
    assert fresh_orphan.exists() and kept_path.exists()
    assert verification_documents_sweep() == 0
    assert PERIODIC_JOBS["verifications-documents"].every_seconds == 3600
    # Private: only the portal's account can read the stored documents.
    assert kept_path.stat().st_mode & 0o077 == 0


def test_each_document_is_read_again_when_written(
    institution, tmp_path, monkeypatch, _documents_dir
):
    """A batch keeps only each file's verdict, not its bytes, while it checks the other rows;
    a file replaced in between is refused, and nothing is created."""
    from loaportal.verifications import services

    rows = [row(1), row(2)]
    documents = _docs(tmp_path, rows)
    real = services._existing_numbers

    def replace_a_file_then_check(numbers):
        (documents / "letter-2.pdf").write_bytes(b"<html>swapped</html>")
        return real(numbers)

    monkeypatch.setattr(services, "_existing_numbers", replace_a_file_then_check)
    with pytest.raises(ImportRowsError) as refused, translation.override("en"):
        verification_requests_import(rows=rows, documents_dir=documents)
    assert refused.value.errors == [
        (
            3,
            "document",
            "The document letter-2.pdf changed during the import: import the file again.",
        )
    ]
    assert VerificationRequest.objects.count() == 0
    assert stored_files(_documents_dir) == []


def test_application_number_created_meanwhile(institution, tmp_path, monkeypatch, _documents_dir):
    """Another process creates one of the numbers after the checks: the row is reported, and
    nothing is created."""
    from loaportal.verifications import services

    rows = [row(1), row(2)]
    documents = _docs(tmp_path, rows)
    real = services._existing_numbers
    calls = {"n": 0}

    def create_meanwhile(numbers):
        calls["n"] += 1
        found = real(numbers)
        if calls["n"] == 1:
            make_request(institution, application_number="S300000002")
        return found

    monkeypatch.setattr(services, "_existing_numbers", create_meanwhile)
    with pytest.raises(ImportRowsError) as refused:
        verification_requests_import(rows=rows, documents_dir=documents)
    assert refused.value.errors == [
        (3, "application_number", "A request with this application number already exists.")
    ]
    assert list(VerificationRequest.objects.values_list("application_number", flat=True)) == [
        "S300000002"
    ]
    assert len(stored_files(_documents_dir)) == 1


def test_a_row_with_more_cells_than_the_header(institution, tmp_path):
    path = write_batch(tmp_path, [row(1), row(2)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_requests", str(path), documents=str(tmp_path / "incoming"), stderr=err)
    assert "row 3, column -: This row has more cells than the header has columns." in err.getvalue()
    assert VerificationRequest.objects.count() == 0
