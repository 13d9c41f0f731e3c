"""Who sees which request (``verification_request_visible_to``), and the queue's tabs,
search, order and counts."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.selectors import (
    verification_queue,
    verification_request_list_for_officers,
    verification_request_visible_to,
    verification_tab_counts,
)
from loaportal.verifications.services import verification_decide
from tests.factories import OfficerFactory, UserFactory, dli_with_users
from tests.verifications.helpers import make_request

Status = VerificationRequest.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def two_dlis():
    ours = dli_with_users(name="ours", secondaries=1)
    theirs = dli_with_users(name="theirs", secondaries=1)
    mine = [make_request(ours.institution) for _ in range(2)]
    other = [make_request(theirs.institution) for _ in range(3)]
    return ours, theirs, mine, other


def test_members_see_only_their_dli_officers_all_others_none(two_dlis):
    ours, theirs, mine, other = two_dlis
    for user in (ours.primary, ours.secondaries[0]):
        assert set(verification_request_visible_to(user=user)) == set(mine)
    assert set(verification_request_visible_to(user=theirs.secondaries[0])) == set(other)
    assert set(verification_request_visible_to(user=OfficerFactory())) == set(mine + other)
    # Another DLI's request by its id: not found, never the object.
    visible = verification_request_visible_to(user=ours.primary)
    assert not visible.filter(pk=other[0].pk).exists()
    # No DLI, an anonymous visitor, an inactive officer, a former member: nothing.
    inactive_officer = OfficerFactory(is_active=False)
    leaver = ours.secondaries[0]
    leaver.membership.ended_at = timezone.now()
    leaver.membership.end_reason = "removed"
    leaver.membership.save()
    leaver = type(leaver).objects.get(pk=leaver.pk)  # roles are cached on the user object
    for nobody in (UserFactory(), AnonymousUser(), inactive_officer, leaver):
        assert list(verification_request_visible_to(user=nobody)) == []


def test_queue_tabs_search_order_and_counts(clock):
    dli = dli_with_users(secondaries=0)
    now = timezone.now()
    due_in_9 = make_request(
        dli.institution, requested_at=now - timedelta(days=1), surname="Lévesque-O'Neil"
    )
    due_in_2 = make_request(
        dli.institution,
        requested_at=now - timedelta(days=8),
        surname="Gagnon",
        student_id="AB-123",
        date_of_birth=date(2003, 1, 2),
    )
    overdue = make_request(dli.institution, requested_at=now - timedelta(days=12))
    decided = make_request(dli.institution, requested_at=now - timedelta(days=3))
    verification_decide(
        verification_request=decided,
        outcome=Status.VERIFIED_MATCHED,
        comment="",
        decided_by=dli.primary,
    )
    other_dli = dli_with_users(name="other", secondaries=0)
    make_request(other_dli.institution, requested_at=now - timedelta(days=8), surname="Gagnon")

    def tab(name, query=""):
        return list(verification_queue(institution=dli.institution, tab=name, query=query))

    assert tab("todo") == [due_in_2, due_in_9]  # soonest due first
    assert tab("due_soon") == [due_in_2]
    assert tab("decided") == [decided]
    assert tab("no_response") == [overdue]
    assert verification_tab_counts(institution=dli.institution) == {
        "todo": 2,
        "mine": 0,
        "due_soon": 1,
        "decided": 1,
        "no_response": 1,
    }
    assert tab("todo", "gag") == [due_in_2]
    assert tab("todo", "  GAGNON   mar") == [due_in_2]  # surname then given names
    assert tab("todo", "levesque o") == [due_in_9]  # without accents or apostrophes
    assert tab("todo", "Lévesque-O'Neil Marie") == [due_in_9]
    assert tab("todo", "marie") == []  # names are matched from the surname
    assert tab("todo", "ab-123") == [due_in_2]
    assert tab("todo", "AB-123") == [due_in_2]
    assert tab("todo", "2003-01-02") == [due_in_2]
    assert tab("todo", due_in_9.application_number.lower()) == [due_in_9]
    assert tab("todo", "nobody") == []
    with pytest.raises(ValueError):
        tab("everything")


def test_officers_list_filters(clock):
    ours = dli_with_users(name="ours", secondaries=0)
    theirs = dli_with_users(name="theirs", secondaries=0)
    now = timezone.now()
    old = make_request(ours.institution, requested_at=now - timedelta(days=20))
    recent = make_request(ours.institution, requested_at=now - timedelta(days=1))
    elsewhere = make_request(theirs.institution, requested_at=now - timedelta(days=1))

    def ids(**filters):
        return [r.pk for r in verification_request_list_for_officers(**filters)]

    assert set(ids()) == {old.pk, recent.pk, elsewhere.pk}
    assert set(ids(dli=ours.institution)) == {old.pk, recent.pk}
    assert set(ids(dli=theirs.institution.dli_number.lower())) == {elsewhere.pk}
    assert ids(status=Status.NO_RESPONSE) == [old.pk]
    assert set(ids(status=Status.PENDING)) == {recent.pk, elsewhere.pk}
    assert ids(status="nonsense") == []
    # The filter's days are Eastern days.
    eastern_day = old.requested_at.astimezone(ZoneInfo("America/Toronto")).date()
    assert ids(requested_from=eastern_day, requested_to=eastern_day) == [old.pk]
    assert set(ids(requested_from=eastern_day + timedelta(days=2))) == {recent.pk, elsewhere.pk}
    assert ids(requested_to=eastern_day - timedelta(days=1)) == []
