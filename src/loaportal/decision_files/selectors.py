"""Reads for decision files. Every lookup of a file goes through ``decision_file_visible_to``:
the files of the user's own DLI, nothing for anyone else (officers included)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from loaportal.core.roles import roles_of
from loaportal.decision_files.models import DecisionFile, DecisionFileRow
from loaportal.verifications.models import VerificationRequest

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Institution

RECENT_FILES = 20


def decision_file_visible_to(*, user: User) -> QuerySet[DecisionFile]:
    institution = roles_of(user).institution
    if institution is None:
        return DecisionFile.objects.none()
    return DecisionFile.objects.filter(institution=institution).select_related(
        "uploaded_by", "confirmed_by"
    )


def decision_file_recent(*, user: User) -> list[DecisionFile]:
    """The user's own latest files, newest first (the work goes on with the browser closed)."""
    return list(
        decision_file_visible_to(user=user)
        .filter(uploaded_by=user)
        .defer("content")
        .order_by("-uploaded_at", "-id")[:RECENT_FILES]
    )


def decision_file_same_earlier(*, decision_file: DecisionFile) -> DecisionFile | None:
    """An earlier upload of exactly the same file by the same DLI, if any."""
    return (
        DecisionFile.objects.filter(
            institution_id=decision_file.institution_id,
            file_sha256=decision_file.file_sha256,
            id__lt=decision_file.pk,
        )
        .defer("content")
        .order_by("-id")
        .first()
    )


def decision_file_rows(*, decision_file: DecisionFile, result: str) -> QuerySet[DecisionFileRow]:
    return (
        DecisionFileRow.objects.filter(decision_file=decision_file, result=result)
        .select_related("request")
        .order_by("line")
    )


def decision_file_result_counts(*, decision_file: DecisionFile) -> dict[str, int]:
    counts = {result: 0 for result in DecisionFileRow.Result.values}
    for row in (
        DecisionFileRow.objects.filter(decision_file=decision_file)
        .values("result")
        .order_by()
        .annotate(n=Count("id"))
    ):
        counts[row["result"]] = row["n"]
    return counts


def pending_requests_for_export(
    *, institution: Institution, now: datetime
) -> QuerySet[VerificationRequest]:
    """The DLI's requests that can still be decided, closest deadline first."""
    return (
        VerificationRequest.objects.filter(
            institution=institution,
            status=VerificationRequest.Status.PENDING,
            due_at__gte=now,
        )
        .only(
            "application_number",
            "surname",
            "given_names",
            "date_of_birth",
            "student_id",
            "program",
            "start_date",
            "due_at",
        )
        .order_by("due_at", "id")
    )
