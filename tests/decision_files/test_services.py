"""Checking and recording decision files: each error kind in the preview, nothing recorded
before confirmation, every row through ``verification_decide``, isolation between DLIs, the
deadline checked again at recording time, and the same file uploaded twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from loaportal.audit.models import AuditEvent
from loaportal.decision_files.models import DecisionFile, DecisionFileRow
from loaportal.decision_files.services import (
    DecisionFileError,
    decision_file_check,
    decision_file_confirm,
    decision_file_record,
    decision_file_upload,
)
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import verification_decide
from tests.decision_files.support import csv_file, pending
from tests.factories import dli_with_users

pytestmark = pytest.mark.django_db
Status = DecisionFile.Status


def rows_of(decision_file):
    return {
        row.line: (row.result, row.error_code)
        for row in DecisionFileRow.objects.filter(decision_file=decision_file)
    }


@pytest.fixture
def two_dlis():
    return dli_with_users(name="maple", secondaries=1), dli_with_users(name="birch", secondaries=0)


def test_the_preview_names_every_error_and_records_nothing(two_dlis, run_tasks):
    a, b = two_dlis
    ok1, ok2, ok3, decided, no_comment, duplicated, unknown_outcome = pending(a.institution, 7)
    verification_decide(
        verification_request=decided, outcome="verified_matched", comment="", decided_by=a.primary
    )
    overdue = pending(a.institution, requested_at=timezone.now() - timedelta(days=12))
    theirs = pending(b.institution)
    content = csv_file(
        [
            [ok1.application_number, "verified_matched", ""],  # row 2
            [ok2.application_number.lower(), "Non vérifiée – Aucune correspondance", "Altered"],
            [ok3.application_number, "Not verified – Cancelled or withdrawn", "Withdrew"],
            ["S999999999", "verified_matched", ""],  # 5: unknown
            [theirs.application_number, "verified_matched", ""],  # 6: another DLI's
            [decided.application_number, "verified_matched", ""],  # 7
            [overdue.application_number, "verified_matched", ""],  # 8
            [unknown_outcome.application_number, "approved", ""],  # 9
            [no_comment.application_number, "not_verified_no_match", ""],  # 10
            [duplicated.application_number, "verified_matched", ""],  # 11
            [duplicated.application_number, "verified_matched", ""],  # 12: duplicate
            ["", "verified_matched", ""],  # 13
        ]
    )
    decision_file = run_tasks(
        decision_file_upload, user=a.primary, file_name="d.csv", content=content
    )
    decision_file.refresh_from_db()
    assert decision_file.status == Status.CHECKED
    assert (decision_file.total_rows, decision_file.ready_rows, decision_file.error_rows) == (
        12,
        4,
        8,
    )
    assert rows_of(decision_file) == {
        2: ("ready", ""),
        3: ("ready", ""),
        4: ("ready", ""),
        5: ("error", "unknown_application"),
        6: ("error", "other_dli"),
        7: ("error", "already_decided"),
        8: ("error", "past_deadline"),
        9: ("error", "outcome_unknown"),
        10: ("error", "comment_required"),
        11: ("ready", ""),
        12: ("error", "duplicate"),
        13: ("error", "application_number_missing"),
    }
    translation.activate("en")
    other = DecisionFileRow.objects.get(decision_file=decision_file, line=6)
    assert other.request is None  # nothing of another DLI's request is kept
    assert other.message == "This application number is not a request of your DLI."
    assert (
        "Verified – Matched"
        in DecisionFileRow.objects.get(decision_file=decision_file, line=7).message
    )
    assert "row 11" in DecisionFileRow.objects.get(decision_file=decision_file, line=12).message
    translation.deactivate()
    assert decision_file.content == b""  # the upload is dropped once it is rows
    # Nothing decided by the check.
    assert VerificationRequest.objects.filter(decided_by__isnull=False).count() == 1
    assert AuditEvent.objects.filter(
        event_type="decision_file_uploaded", actor=a.primary, subject_id=str(decision_file.pk)
    ).exists()

    run_tasks(decision_file_confirm, decision_file=decision_file, user=a.secondaries[0])
    decision_file.refresh_from_db()
    assert decision_file.status == Status.RECORDED
    assert (decision_file.recorded_rows, decision_file.refused_rows) == (4, 0)
    decided_now = VerificationRequest.objects.filter(decided_by=a.secondaries[0])
    assert {vr.pk: vr.status for vr in decided_now} == {
        ok1.pk: "verified_matched",
        ok2.pk: "not_verified_no_match",
        ok3.pk: "not_verified_cancelled",
        duplicated.pk: "verified_matched",
    }
    assert VerificationRequest.objects.get(pk=ok2.pk).decision_comment == "Altered"
    theirs.refresh_from_db()
    assert theirs.status == "pending"
    assert AuditEvent.objects.filter(event_type="decision_file_confirmed").count() == 1
    assert (
        AuditEvent.objects.filter(event_type="verification_decided", actor=a.secondaries[0]).count()
        == 4
    )
    assert VerificationEvent.objects.filter(kind="decided", actor=a.secondaries[0]).count() == 4


def test_the_same_file_again_records_nothing_new_and_says_why(two_dlis, run_tasks):
    a, _b = two_dlis
    requests = pending(a.institution, 3)
    content = csv_file([[vr.application_number, "verified_matched", ""] for vr in requests])
    first = run_tasks(decision_file_upload, user=a.primary, file_name="d.csv", content=content)
    run_tasks(decision_file_confirm, decision_file=first, user=a.primary)
    second = run_tasks(decision_file_upload, user=a.primary, file_name="d.csv", content=content)
    second.refresh_from_db()
    assert second.status == Status.CHECKED and second.ready_rows == 0
    assert set(rows_of(second).values()) == {("error", "already_decided")}
    assert second.file_sha256 == DecisionFile.objects.get(pk=first.pk).file_sha256
    with pytest.raises(DecisionFileError):  # nothing to confirm on this one? it can, but…
        decision_file_confirm(decision_file=first, user=a.primary)  # …not twice


def test_a_file_never_decides_another_dlis_request(two_dlis, run_tasks):
    a, b = two_dlis
    theirs = pending(b.institution)
    content = csv_file([[theirs.application_number, "verified_matched", ""]])
    decision_file = run_tasks(
        decision_file_upload, user=a.primary, file_name="d.csv", content=content
    )
    decision_file.refresh_from_db()
    assert rows_of(decision_file) == {2: ("error", "other_dli")}
    # Even a row forced to name another DLI's request (a tampered database, a bug) is refused
    # by verification_decide, which checks the decider's membership of the request's DLI.
    DecisionFileRow.objects.filter(decision_file=decision_file).update(
        result="ready", error_code="", request=theirs, outcome="verified_matched"
    )
    DecisionFile.objects.filter(pk=decision_file.pk).update(ready_rows=1)
    run_tasks(decision_file_confirm, decision_file=decision_file, user=a.primary)
    assert rows_of(decision_file) == {2: ("refused", "not_a_member")}
    theirs.refresh_from_db()
    assert theirs.status == "pending" and theirs.decided_by is None


def test_a_member_of_another_dli_cannot_confirm(two_dlis, run_tasks):
    a, b = two_dlis
    content = csv_file([[pending(a.institution).application_number, "verified_matched", ""]])
    decision_file = run_tasks(
        decision_file_upload, user=a.primary, file_name="d.csv", content=content
    )
    with pytest.raises(DecisionFileError) as caught:
        decision_file_confirm(decision_file=decision_file, user=b.primary)
    assert caught.value.code == "not_a_member"


def test_a_deadline_that_passes_between_preview_and_confirmation_is_refused(two_dlis, run_tasks):
    a, _b = two_dlis
    requested = timezone.now() - timedelta(days=3)
    early, late = pending(a.institution, 2, requested_at=requested)
    later = pending(a.institution, requested_at=requested + timedelta(days=5))
    content = csv_file(
        [[vr.application_number, "verified_matched", ""] for vr in (early, late, later)]
    )
    decision_file = run_tasks(
        decision_file_upload, user=a.primary, file_name="d.csv", content=content
    )
    decision_file.refresh_from_db()
    assert decision_file.ready_rows == 3
    # The preview is read; the member confirms after the first two deadlines have passed.
    with time_machine.travel(early.due_at + timedelta(seconds=1), tick=False):
        run_tasks(decision_file_confirm, decision_file=decision_file, user=a.primary)
    decision_file.refresh_from_db()
    assert (decision_file.recorded_rows, decision_file.refused_rows) == (1, 2)
    assert rows_of(decision_file) == {
        2: ("refused", "past_deadline"),
        3: ("refused", "past_deadline"),
        4: ("recorded", ""),
    }
    early.refresh_from_db()
    assert early.status == "pending" and early.decided_at is None


def test_a_request_decided_on_the_page_meanwhile_is_refused_and_the_rest_recorded(
    two_dlis, run_tasks
):
    a, _b = two_dlis
    first, second = pending(a.institution, 2)
    content = csv_file([[vr.application_number, "verified_matched", ""] for vr in (first, second)])
    decision_file = run_tasks(
        decision_file_upload, user=a.primary, file_name="d.csv", content=content
    )
    verification_decide(
        verification_request=first,
        outcome="not_verified_no_match",
        comment="Not ours",
        decided_by=a.secondaries[0],
    )
    run_tasks(decision_file_confirm, decision_file=decision_file, user=a.primary)
    assert rows_of(decision_file) == {2: ("refused", "already_decided"), 3: ("recorded", "")}
    first.refresh_from_db()
    assert first.status == "not_verified_no_match"


def test_recording_resumes_after_a_dead_worker_without_deciding_twice(two_dlis, run_tasks):
    a, _b = two_dlis
    requests = pending(a.institution, 3)
    content = csv_file([[vr.application_number, "verified_matched", ""] for vr in requests])
    decision_file = run_tasks(
        decision_file_upload, user=a.primary, file_name="d.csv", content=content
    )
    decision_file_confirm(decision_file=decision_file, user=a.primary)  # task not run
    decision_file.refresh_from_db()
    # A worker decided the first row, then died before writing the row's result.
    verification_decide(
        verification_request=requests[0],
        outcome="verified_matched",
        comment="",
        decided_by=a.primary,
    )
    decision_file_record(decision_file_id=decision_file.pk)
    decision_file.refresh_from_db()
    assert decision_file.status == Status.RECORDED
    assert (decision_file.recorded_rows, decision_file.refused_rows) == (3, 0)
    assert VerificationEvent.objects.filter(kind="decided").count() == 3


def test_an_unreadable_file_fails_with_its_reason(two_dlis, run_tasks):
    a, _b = two_dlis
    decision_file = run_tasks(
        decision_file_upload, user=a.primary, file_name="d.csv", content=b"name,result\nx,y\n"
    )
    decision_file.refresh_from_db()
    assert decision_file.status == Status.FAILED and decision_file.error_code == "columns"
    with pytest.raises(DecisionFileError):
        decision_file_confirm(decision_file=decision_file, user=a.primary)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("d.pdf", b"x", "file_type"),
        ("d.csv", b"", "file_empty"),
        ("d.csv", b"x" * 2001, "file_too_large"),
    ],
)
def test_uploads_refused_at_once(two_dlis, settings, name, content, code):
    settings.DECISION_FILE_MAX_BYTES = 2000
    a, _b = two_dlis
    with pytest.raises(DecisionFileError) as caught:
        decision_file_upload(user=a.primary, file_name=name, content=content)
    assert caught.value.code == code and caught.value.field == "file"
    assert not DecisionFile.objects.exists()


def test_the_check_runs_again_from_the_start_after_a_dead_worker(two_dlis):
    a, _b = two_dlis
    content = csv_file([[pending(a.institution).application_number, "verified_matched", ""]])
    decision_file = decision_file_upload(user=a.primary, file_name="d.csv", content=content)
    DecisionFile.objects.filter(pk=decision_file.pk).update(status=Status.CHECKING)
    DecisionFileRow.objects.create(decision_file=decision_file, line=2, result="error")
    decision_file_check(decision_file_id=decision_file.pk)
    assert rows_of(decision_file) == {2: ("ready", "")}
