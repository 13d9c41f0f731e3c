"""Reads for matching help: only the user's own DLI's list and suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from loaportal.admissions.models import AdmissionsList, MatchSuggestion
from loaportal.core.roles import roles_of

if TYPE_CHECKING:
    from loaportal.accounts.models import User


def admissions_list_visible_to(*, user: User) -> QuerySet[AdmissionsList]:
    institution = roles_of(user).institution
    if institution is None:
        return AdmissionsList.objects.none()
    return AdmissionsList.objects.filter(institution=institution).select_related("uploaded_by")


def suggestions_open(
    *, admissions_list: AdmissionsList, now: datetime
) -> QuerySet[MatchSuggestion]:
    """Suggestions whose request can still be decided, closest deadline first."""
    return (
        MatchSuggestion.objects.filter(
            admissions_list=admissions_list,
            request__status="pending",
            request__due_at__gte=now,
        )
        .select_related("request", "admission")
        .order_by("request__due_at", "request_id")
    )
