"""Reading decision files: CSV with or without a byte-order mark, either delimiter, Excel, other
columns ignored, formulas never evaluated, and every way a file can be unusable."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from loaportal.decision_files.outcomes import outcome_from_text
from loaportal.decision_files.parsing import FileUnusable, ParsedRow, decision_rows_read


def read(content: bytes, max_rows: int = 100):
    return decision_rows_read(content, max_rows=max_rows)


def test_csv_with_a_byte_order_mark_and_other_columns_in_any_order():
    content = (
        "\ufeffsurname,Outcome, Application Number ,comment\r\n"
        "Gagnon,verified_matched,S300000001,\r\n"
        ",,,\r\n"
        'Roy,not_verified_no_match,S300000002,"Not ours, altered"\r\n'
    ).encode()
    assert read(content) == [
        ParsedRow(line=2, application_number="S300000001", outcome="verified_matched", comment=""),
        ParsedRow(
            line=4,
            application_number="S300000002",
            outcome="not_verified_no_match",
            comment="Not ours, altered",
        ),
    ]


def test_semicolons_without_a_byte_order_mark_and_windows_1252():
    content = "application_number;outcome;comment\nS300000001;Vérifiée – Correspondance;\n"
    rows = read(content.encode("cp1252"))
    assert rows[0].outcome == "Vérifiée – Correspondance"
    assert read(content.encode("utf-8"))[0].application_number == "S300000001"


def test_excel_reads_cached_values_and_never_a_formula():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["application_number", "student", "outcome", "comment"])
    sheet.append(["S300000001", "Gagnon", "verified_matched", None])
    sheet.append([300000002, "Roy", '=CONCAT("verified","_matched")', None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read(buffer.getvalue())
    assert rows[0] == ParsedRow(2, "S300000001", "verified_matched", "")
    # A number is read as digits; a formula saved without a cached value reads as empty.
    assert rows[1].application_number == "300000002" and rows[1].outcome == ""


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.7\x00\x01binary", "unreadable"),
        (b"PK\x03\x04not really a zip", "unreadable"),
        (b"student,result\nGagnon,ok\n", "columns"),
        (b"application_number,outcome,comment\n", "empty"),
        (b"", "empty"),
        (b"application_number,outcome\n" + b"S300000001,verified_matched\n" * 4, "too_many_rows"),
    ],
)
def test_unusable_files(content, code):
    with pytest.raises(FileUnusable) as caught:
        read(content, max_rows=3)
    assert caught.value.code == code


def test_an_excel_file_that_would_unpack_too_large_is_refused_unopened(monkeypatch):
    monkeypatch.setattr("loaportal.core.spreadsheets.XLSX_MAX_UNPACKED_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", "0" * 100_000)
    with pytest.raises(FileUnusable) as caught:
        read(buffer.getvalue())
    assert caught.value.code == "unreadable"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("verified_matched", "verified_matched"),
        (" VERIFIED_MATCHED ", "verified_matched"),
        ("Verified – Matched", "verified_matched"),
        ("verified - matched", "verified_matched"),
        ("Verified—Matched", "verified_matched"),
        ("vérifiée – correspondance", "verified_matched"),
        ("Verifiee - Correspondance", "verified_matched"),
        ("Non vérifiée – Aucune correspondance", "not_verified_no_match"),
        ("Not verified - no match", "not_verified_no_match"),
        ("Non vérifiée – Lettre annulée ou retirée", "not_verified_cancelled"),
        ("not verified – cancelled or withdrawn", "not_verified_cancelled"),
        ("not_verified_cancelled", "not_verified_cancelled"),
        ("no_response", None),
        ("pending", None),
        ("matched", None),
        ("", None),
    ],
)
def test_outcomes_as_codes_or_labels_in_either_language(text, code):
    assert outcome_from_text(text) == code
