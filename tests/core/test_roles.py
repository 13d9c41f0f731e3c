"""core.roles answers who a user is here: officer, member, primary, and their DLI."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from loaportal.core.access import Access, user_satisfies
from loaportal.core.roles import NOBODY, roles_forget, roles_of
from loaportal.institutions.models import Membership
from tests.factories import MembershipFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_officer():
    roles = roles_of(OfficerFactory())
    assert (roles.is_officer, roles.is_member, roles.is_primary) == (True, False, False)
    assert roles.institution is None


@pytest.mark.parametrize(("role", "primary"), [("primary", True), ("secondary", False)])
def test_a_member(role, primary):
    membership = MembershipFactory(role=role)
    roles = roles_of(membership.user)
    assert (roles.is_officer, roles.is_member, roles.is_primary) == (False, True, primary)
    assert roles.institution == membership.institution
    assert user_satisfies(membership.user, Access.PRIMARY) is primary
    assert user_satisfies(membership.user, Access.MEMBER)
    assert not user_satisfies(membership.user, Access.OFFICER)


def test_nobody_for_anonymous_inactive_and_unattached_users():
    assert roles_of(AnonymousUser()) is NOBODY
    assert roles_of(MembershipFactory(user__is_active=False).user) is NOBODY
    assert roles_of(OfficerFactory(is_active=False)) is NOBODY
    assert roles_of(UserFactory()) == NOBODY


def test_cached_for_the_request_until_forgotten():
    membership = MembershipFactory(role=Membership.Role.SECONDARY)
    user = membership.user
    assert not roles_of(user).is_primary
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.PRIMARY)
    assert not roles_of(user).is_primary
    roles_forget(user)
    assert roles_of(user).is_primary
