"""Extension and correction requests on the statistics pages: counted by status about the
requests of the period, within the user's scope."""

from __future__ import annotations

import datetime as dt

import pytest

from loaportal.amendments.models import CorrectionRequest, ExtensionRequest
from loaportal.statistics.selectors import (
    Filters,
    statistics_amendments,
    statistics_requests_visible_to,
)
from tests.factories import OfficerFactory
from tests.statistics import dataset
from tests.statistics.dataset import NOW

pytestmark = pytest.mark.django_db


def test_extension_and_correction_requests_are_counted_by_status():
    data = dataset.build()
    extension_model, correction_model = ExtensionRequest, CorrectionRequest
    officer = OfficerFactory()
    by_status = {r.status: r for r in data.requests if r.institution_id == data.a.institution.pk}
    pending, verified = by_status["pending"], by_status["verified_matched"]
    common = {"explanation": "Power failure.", "requested_by": data.a.primary}
    extension_model.objects.create(
        verification_request=pending,
        institution=pending.institution,
        ground="infrastructure_failure",
        days_requested=5,
        due_at_when_requested=pending.due_at,
        **common,
    )
    extension_model.objects.create(
        verification_request=verified,
        institution=verified.institution,
        ground="natural_disaster",
        days_requested=5,
        days_granted=3,
        due_at_when_requested=verified.due_at,
        status="approved",
        decided_by=officer,
        decided_at=NOW,
        **common,
    )
    correction_model.objects.create(
        verification_request=verified,
        institution=verified.institution,
        ground="verification_error",
        current_outcome="verified_matched",
        requested_outcome="not_verified_no_match",
        status="refused",
        decided_by=officer,
        decided_at=NOW,
        decision_reason="The letter matches.",
        **common,
    )
    counts = {
        row.kind: (row.submitted, row.approved, row.refused, row.total)
        for row in statistics_amendments(
            statistics_requests_visible_to(user=officer, filters=Filters())
        )
    }
    assert counts == {"extension": (1, 1, 0, 2), "correction": (0, 0, 1, 1)}
    # Another DLI's member sees none of them; the period narrows them.
    for user, filters in (
        (data.b.primary, Filters()),
        (officer, Filters(month_from=dt.date(2026, 7, 1))),
    ):
        rows = statistics_amendments(statistics_requests_visible_to(user=user, filters=filters))
        assert [row.total for row in rows] == [0, 0]
