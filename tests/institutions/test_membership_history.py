"""A removed or deactivated user's membership ends (when, why, by whom) instead of being
deleted; selectors and constraints ignore ended memberships."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.core.roles import institution_of, roles_of
from loaportal.institutions.models import Membership, UserChangeRequest
from loaportal.institutions.selectors import (
    institution_search,
    membership_list,
    membership_visible_to,
    secondary_memberships,
)
from loaportal.institutions.services import user_deactivate
from loaportal.user_changes.services import (
    user_change_request_approve,
    user_change_request_submit,
)
from tests.factories import MembershipFactory, OfficerFactory, dli_with_users

pytestmark = pytest.mark.django_db


def test_deactivation_ends_the_membership_and_keeps_it():
    dli = dli_with_users(secondaries=2)
    leaving, staying = dli.secondaries
    officer = OfficerFactory()
    user_deactivate(user=leaving, deactivated_by=officer, reason="Left the college.")

    membership = Membership.objects.get(user=leaving)
    assert membership.institution == dli.institution
    assert membership.role == Membership.Role.SECONDARY
    assert membership.ended_at is not None and not membership.is_current
    assert membership.end_reason == Membership.EndReason.DEACTIVATED
    assert membership.ended_by == officer
    # Nothing that reads memberships sees it any more.
    assert leaving.pk not in {m.user_id for m in membership_list(institution=dli.institution)}
    assert leaving.pk not in {m.user_id for m in secondary_memberships(institution=dli.institution)}
    assert not membership_visible_to(user=officer).filter(user=leaving).exists()
    assert roles_of(leaving).membership is None
    assert roles_of(leaving).is_member is False
    assert institution_of(leaving) is None
    assert institution_search(query=dli.institution.dli_number).get().user_count == 2
    assert roles_of(staying).institution == dli.institution
    # The audit entry names the DLI it was removed from.
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.USER_DEACTIVATED)
    assert (event.institution, event.target_user) == (dli.institution, leaving)


def test_an_approved_removal_ends_the_membership_as_removed():
    dli = dli_with_users(secondaries=1)
    target = dli.secondaries[0]
    change_request = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=target.membership,
    )
    officer = OfficerFactory()
    user_change_request_approve(change_request=change_request, decided_by=officer)
    membership = Membership.objects.get(user=target)
    assert (membership.end_reason, membership.ended_by) == ("removed", officer)
    assert membership.ended_at is not None


def test_a_removed_primary_leaves_room_for_a_new_one():
    dli = dli_with_users(secondaries=1)
    promoted = dli.secondaries[0]
    change_request = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=promoted.membership,
        former_primary_outcome=UserChangeRequest.FormerPrimary.REMOVE,
    )
    user_change_request_approve(change_request=change_request, decided_by=OfficerFactory())
    former = Membership.objects.get(user=dli.primary)
    assert (former.role, former.end_reason) == (Membership.Role.PRIMARY, "removed")
    assert roles_of(promoted).is_primary
    assert (
        Membership.objects.filter(institution=dli.institution, role=Membership.Role.PRIMARY).count()
        == 2
    )


def test_one_current_primary_per_dli_ignores_ended_ones():
    dli = dli_with_users(secondaries=0)
    Membership.objects.filter(user=dli.primary).update(
        ended_at=timezone.now(), end_reason=Membership.EndReason.DEACTIVATED
    )
    MembershipFactory(institution=dli.institution, role=Membership.Role.PRIMARY)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(institution=dli.institution, role=Membership.Role.PRIMARY)


@pytest.mark.parametrize(
    ("ended_at", "end_reason"),
    [(None, "removed"), ("now", ""), ("now", "bored")],
)
def test_an_end_has_a_date_and_a_reason_together(ended_at, end_reason):
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(
            ended_at=timezone.now() if ended_at else None, end_reason=end_reason
        )
