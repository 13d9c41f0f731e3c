"""Extension and correction requests on the statistics pages: counted by status about the
requests of the period, within the user's scope, once the amendments app is installed; before
that the page says the portal does not record them yet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from loaportal.statistics.selectors import (
    Filters,
    statistics_amendments,
    statistics_amendments_available,
    statistics_requests_visible_to,
)
from tests import flows
from tests.factories import OfficerFactory
from tests.statistics import dataset
from tests.statistics.dataset import NOW

pytestmark = pytest.mark.django_db

installed = pytest.mark.skipif(
    not apps.is_installed("loaportal.amendments"), reason="the amendments app is not installed"
)


@pytest.mark.skipif(
    apps.is_installed("loaportal.amendments"), reason="the amendments app is installed"
)
def test_without_the_amendments_app_the_page_says_so(signed_in):
    assert not statistics_amendments_available()
    response = signed_in(OfficerFactory()).get(flows.url("statistics:officer", "en"))
    assert "This portal does not record extension and correction requests yet." in (
        response.content.decode()
    )


@installed
def test_extension_and_correction_requests_are_counted_by_status():
    data = dataset.build()
    extension_model = apps.get_model("amendments", "ExtensionRequest")
    correction_model = apps.get_model("amendments", "CorrectionRequest")
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
