"""CSV export of the DLI's queue and the officers' list: the kept columns, UTF-8 with a BOM,
status codes and ISO 8601 dates, the page's filters, no formula injection, streamed (50,000
rows), audited, rate-limited, and never another DLI's rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.verifications.deadlines import deadline_for
from loaportal.verifications.export import EXPORT_COLUMNS, csv_safe
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_assign, verification_decide
from tests import flows
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.ui_support import a_request

pytestmark = pytest.mark.django_db

Status = VerificationRequest.Status

KEPT = [
    "application_number",
    "dli_number",
    "surname",
    "given_names",
    "date_of_birth",
    "requested_at",
    "due_at",
    "status",
    "decided_at",
]


def _download(response) -> tuple[bytes, list[dict[str, str]]]:
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return body, rows


def _queue_export(lang="en"):
    return flows.url("verifications:queue_export", lang)


def _officer_export(lang="en"):
    return flows.url("verifications:officer_export", lang)


def test_the_kept_columns_come_first_in_their_order():
    assert list(EXPORT_COLUMNS[: len(KEPT)]) == KEPT


def test_the_queue_exports_as_utf8_with_bom_codes_and_iso_dates(signed_in, clock):
    dli = dli_with_users(secondaries=1)
    pending = a_request(dli.institution, surname="Lévesque-O'Neil", given_names="Zoé")
    decided = a_request(dli.institution, surname="Gagnon")
    verification_decide(
        verification_request=decided,
        outcome=Status.NOT_VERIFIED_NO_MATCH,
        comment="Not our letter; altered.",
        decided_by=dli.primary,
    )
    verification_assign(
        verification_request=pending, assignee=dli.secondaries[0], assigned_by=dli.primary
    )
    overdue = a_request(dli.institution, requested_at=timezone.now() - dt.timedelta(days=12))
    response = signed_in(dli.secondaries[0]).get(_queue_export())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="verification-requests-'
    )
    assert "no-store" in response["Cache-Control"]
    body, rows = _download(response)
    assert body.startswith(b"\xef\xbb\xbfapplication_number,dli_number,surname,given_names,")
    assert [row["application_number"] for row in rows] == [pending.application_number]  # "To do"
    row = rows[0]
    assert row["surname"] == "Lévesque-O'Neil" and row["given_names"] == "Zoé"
    assert row["dli_number"] == dli.institution.dli_number
    assert row["date_of_birth"] == "2004-05-17"
    assert dt.datetime.fromisoformat(row["requested_at"]) == pending.requested_at.replace(
        microsecond=0
    )
    assert dt.datetime.fromisoformat(row["due_at"]).replace(microsecond=999999) == pending.due_at
    assert row["due_at"].endswith(("-05:00", "-04:00"))  # the DLI's zone (Ontario), with offset
    assert row["status"] == "pending" and row["decided_at"] == ""
    assert row["assigned_to"] == dli.secondaries[0].email

    client = signed_in(dli.primary)
    _, decided_rows = _download(client.get(_queue_export(), {"tab": "decided"}))
    (row,) = decided_rows
    assert row["status"] == "not_verified_no_match"
    assert dt.datetime.fromisoformat(row["decided_at"]) is not None
    assert row["decided_by"] == dli.primary.email
    assert row["decision_comment"] == "Not our letter; altered."
    # Past its deadline, a request is "no_response" whether or not close_overdue ran.
    _, late = _download(client.get(_queue_export(), {"tab": "no_response"}))
    assert [(r["application_number"], r["status"]) for r in late] == [
        (overdue.application_number, "no_response")
    ]


def test_the_export_follows_the_search_and_the_assignee_filter(signed_in):
    dli = dli_with_users(secondaries=1)
    gagnon = a_request(dli.institution, surname="Gagnon")
    haddad = a_request(dli.institution, surname="Haddad")
    verification_assign(verification_request=haddad, assignee=dli.primary, assigned_by=dli.primary)
    client = signed_in(dli.primary)

    def numbers(**params):
        return [
            row["application_number"] for row in _download(client.get(_queue_export(), params))[1]
        ]

    assert numbers(q="gagnon") == [gagnon.application_number]
    assert numbers(assignee="none") == [gagnon.application_number]
    assert numbers(assignee=str(dli.primary.pk)) == [haddad.application_number]
    assert numbers(tab="mine") == [haddad.application_number]
    assert numbers(tab="decided") == []
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.VERIFICATION_EXPORTED).latest("id")
    assert event.actor == dli.primary and event.institution == dli.institution
    assert event.details == {"scope": "dli", "filters": {"tab": "decided"}}
    filtered = AuditEvent.objects.filter(
        event_type=AuditEvent.Type.VERIFICATION_EXPORTED, details__filters__q="gagnon"
    )
    assert filtered.count() == 1


def test_a_dli_exports_only_its_own_requests_and_never_by_another_dli_user_id(signed_in):
    a, b = dli_with_users(name="a", secondaries=0), dli_with_users(name="b", secondaries=0)
    mine = a_request(a.institution)
    theirs = a_request(b.institution)
    verification_assign(verification_request=theirs, assignee=b.primary, assigned_by=b.primary)
    client = signed_in(a.primary)
    _, rows = _download(client.get(_queue_export()))
    assert [row["application_number"] for row in rows] == [mine.application_number]
    # B's user as a filter is not a choice of A's form: the filter is dropped, never B's rows.
    _, rows = _download(client.get(_queue_export(), {"assignee": b.primary.pk}))
    assert [row["application_number"] for row in rows] == [mine.application_number]
    _, rows = _download(client.get(_queue_export(), {"assignee": b.primary.pk, "q": "nobody"}))
    assert rows == []  # the search still applies
    _, rows = _download(client.get(_queue_export(), {"q": theirs.application_number}))
    assert rows == []


def test_officers_export_their_filtered_list_and_members_cannot(signed_in):
    a, b = dli_with_users(name="a", secondaries=0), dli_with_users(name="b", secondaries=0)
    first = a_request(a.institution)
    a_request(b.institution)
    officer = OfficerFactory()
    client = signed_in(officer)
    _, rows = _download(client.get(_officer_export()))
    assert len(rows) == 2
    _, rows = _download(client.get(_officer_export(), {"dli": a.institution.dli_number}))
    assert [row["application_number"] for row in rows] == [first.application_number]
    assert rows[0]["due_at"].endswith(("-05:00", "-04:00"))  # Eastern time
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.VERIFICATION_EXPORTED).latest("id")
    assert event.actor == officer and event.institution is None
    assert event.details == {"scope": "officers", "filters": {"dli": a.institution.dli_number}}
    # The officers' export is theirs only; the queue's export is the members' only.
    assert signed_in(a.primary).get(_officer_export()).status_code == 403
    assert client.get(_queue_export()).status_code == 403
    html = client.get(flows.url("verifications:officer_list", "en"), {"dli": "O1"}).content.decode()
    assert f'href="{_officer_export()}?dli=O1"' in html


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_would_be_formulas_are_neutralised(text):
    assert csv_safe(text) == "'" + text
    assert csv_safe("Tremblay") == "Tremblay"


def test_a_formula_in_a_name_is_exported_as_text(signed_in):
    dli = dli_with_users(secondaries=0)
    a_request(dli.institution, surname="=cmd|' /C calc'!A0", given_names="@Marie")
    _, (row,) = _download(signed_in(dli.primary).get(_queue_export()))
    assert row["surname"] == "'=cmd|' /C calc'!A0" and row["given_names"] == "'@Marie"


def test_exports_are_rate_limited_per_user(signed_in, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "verification_export": "2/h/user",
    }
    dli = dli_with_users(secondaries=1)
    client = signed_in(dli.primary)
    assert client.get(_queue_export()).status_code == 200
    assert client.get(_queue_export()).status_code == 200
    assert client.get(_queue_export()).status_code == 429
    assert signed_in(dli.secondaries[0]).get(_queue_export()).status_code == 200


def _insert_pending(institution, count: int) -> None:
    """``count`` pending requests of ``institution`` in one INSERT … SELECT over a generated
    series (SQLite and PostgreSQL alike): far faster than building 50,000 model instances."""
    table = VerificationRequest._meta.db_table
    requested_at = timezone.now() - dt.timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "  # noqa: S608 (our own table name)
            f"INSERT INTO {table} (application_number, institution_id, surname, given_names, "
            "name_key, date_of_birth, program, student_id, loa_number, campus, requested_at, "
            "due_at, status, document, document_name, document_content_type, document_size, "
            "decision_comment, created_at) "
            "SELECT 'S' || CAST(500000000 + n AS TEXT), %s, 'Surname' || CAST(n AS TEXT), "
            "'Given', 'SURNAME' || CAST(n AS TEXT) || ' GIVEN', %s, '', '', '', '', %s, %s, "
            "'pending', 'none.pdf', 'none.pdf', 'application/pdf', 1, '', %s FROM seq",
            [
                count,
                institution.pk,
                dt.date(2000, 1, 1),
                requested_at,
                deadline_for(requested_at),
                requested_at,
            ],
        )


def test_50000_rows_stream_in_small_pieces(signed_in):
    dli = dli_with_users(secondaries=0)
    _insert_pending(dli.institution, 50_000)
    response = signed_in(dli.primary).get(_queue_export())
    assert response.streaming
    lines = 0
    largest = 0
    for piece in response.streaming_content:
        largest = max(largest, len(piece))
        lines += piece.count(b"\r\n")
    assert lines == 1 + 50_000  # the header and every row
    # Written a few hundred rows at a time: no piece holds more than a sliver of the file.
    assert largest < 200_000
