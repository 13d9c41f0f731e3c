"""The at-risk view: pending requests due within 24 hours, the unassigned ones flagged; the
DLI's for its primary user only, every DLI's by DLI for officers; linked from their pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from loaportal.verifications.deadlines import DEADLINE_ZONE
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.selectors import (
    verification_at_risk,
    verification_at_risk_by_dli,
    verification_at_risk_counts,
)
from loaportal.verifications.services import verification_assign, verification_decide
from tests import flows
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.ui_support import a_request

pytestmark = pytest.mark.django_db

Status = VerificationRequest.Status
LINK = {
    "fr": "Demandes à risque (échéance dans les 24 heures)",
    "en": "Requests at risk (due within 24 hours)",
}


def _rows(html: str) -> list[str]:
    return re.findall(r">(S\d{9})</gcds-link>", html)


@pytest.fixture
def world(clock):
    """DLI A: one request due in about 10 hours (unassigned), one in about 20 hours (assigned),
    one due in 9 days, one decided that was due within 24 hours, one past its deadline;
    DLI B: one due within 24 hours."""
    # At noon in the deadline's zone: "an hour later" stays on the same day whatever the hour
    # the suite runs (near midnight in Toronto it would move the deadline a day on).
    clock.move_to(timezone.now().astimezone(DEADLINE_ZONE).replace(hour=12, minute=0))
    a, b = dli_with_users(name="a", secondaries=1), dli_with_users(name="b", secondaries=0)
    base = a_request(a.institution)
    # Requests are due at the end of a day: look from 10 hours before the end of that day.
    clock.move_to(base.due_at - dt.timedelta(hours=10))
    now = timezone.now()
    made = {
        "soon": base,
        "assigned": a_request(
            a.institution, requested_at=base.requested_at + dt.timedelta(hours=1)
        ),
        "later": a_request(a.institution, requested_at=now - dt.timedelta(days=1)),
        "decided": a_request(a.institution, requested_at=base.requested_at),
        "late": a_request(a.institution, requested_at=now - dt.timedelta(days=12)),
        "b": a_request(b.institution, requested_at=base.requested_at),
    }
    verification_assign(
        verification_request=made["assigned"], assignee=a.secondaries[0], assigned_by=a.primary
    )
    verification_decide(
        verification_request=made["decided"],
        outcome=Status.VERIFIED_MATCHED,
        comment="",
        decided_by=a.primary,
    )
    return a, b, made


def test_at_risk_is_pending_and_due_within_24_hours(world):
    a, b, made = world
    assert set(verification_at_risk(institution=a.institution)) == {made["soon"], made["assigned"]}
    assert verification_at_risk_counts(institution=a.institution) == {"total": 2, "unassigned": 1}
    by_dli = {
        i.dli_number: (i.at_risk, i.at_risk_unassigned) for i in verification_at_risk_by_dli()
    }
    assert by_dli == {a.institution.dli_number: (2, 1), b.institution.dli_number: (1, 1)}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_primary_user_sees_the_dli_at_risk_requests_flagged(signed_in, world, lang):
    a, b, made = world
    client = signed_in(a.primary)
    home = client.get(flows.url("home", lang)).content.decode()
    url = flows.url("verifications:at_risk", lang)
    assert f'href="{url}">{LINK[lang]}</gcds-link>' in home
    queue = client.get(flows.url("verifications:queue", lang)).content.decode()
    assert f'href="{url}"' in queue
    html = client.get(url).content.decode()
    assert sorted(_rows(html)) == sorted(
        [made["soon"].application_number, made["assigned"].application_number]
    )
    assert made["b"].application_number not in html
    unassigned = {"fr": "Non attribuée", "en": "Unassigned"}[lang]
    assert f"<strong>{unassigned}</strong>" in html
    assert a.secondaries[0].full_name in html


def test_secondary_users_have_no_at_risk_page_or_link(signed_in, world):
    a, _, _ = world
    client = signed_in(a.secondaries[0])
    assert client.get(flows.url("verifications:at_risk", "en")).status_code == 403
    assert LINK["en"] not in client.get(flows.url("home", "en")).content.decode()
    assert LINK["en"] not in client.get(flows.url("verifications:queue", "en")).content.decode()


def test_officers_see_counts_by_dli_then_the_list(signed_in, world):
    a, b, made = world
    client = signed_in(OfficerFactory())
    url = flows.url("verifications:officer_at_risk", "en")
    assert f'href="{url}"' in client.get(flows.url("home", "en")).content.decode()
    assert (
        f'href="{url}"'
        in client.get(flows.url("verifications:officer_list", "en")).content.decode()
    )
    html = client.get(url).content.decode()
    assert html.index(a.institution.dli_number) < html.index(b.institution.dli_number)  # most first
    assert sorted(_rows(html)) == sorted(
        [
            made["soon"].application_number,
            made["assigned"].application_number,
            made["b"].application_number,
        ]
    )
    only_b = client.get(url, {"dli": b.institution.dli_number}).content.decode()
    assert _rows(only_b) == [made["b"].application_number]
    # Officers' page only: members are refused it, officers the DLI's page.
    assert signed_in(a.primary).get(url).status_code == 403
    assert client.get(flows.url("verifications:at_risk", "en")).status_code == 403
