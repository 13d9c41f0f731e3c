"""A user of one DLI can never see or act on another DLI's users, invitations, requests or
audit events, whether by URL or by form field."""

from __future__ import annotations

import pytest

from loaportal.audit.models import AuditEvent
from loaportal.institutions.models import Membership, UserChangeRequest
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import invitation_send
from loaportal.user_changes.forms import MSG_SELECT_FROM_LIST
from loaportal.user_changes.services import (
    MSG_NOT_A_SECONDARY,
    UserChangeRequestError,
    user_change_request_submit,
)
from tests import flows
from tests.factories import dli_with_users


@pytest.fixture
def two_dlis(signed_in):
    a = dli_with_users(name="college-a", secondaries=1)
    b = dli_with_users(name="college-b", secondaries=1)
    b_invitation = invitation_send(
        institution=b.institution, email="invitee@college-b.example", invited_by=b.primary
    ).invitation
    b_request = user_change_request_submit(
        requested_by=b.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=b.secondaries[0].membership,
    )
    client = signed_in(a.primary)
    return a, b, b_invitation, b_request, client


def test_pages_show_only_the_users_own_dli(two_dlis):
    a, b, b_invitation, b_request, client = two_dlis
    for name in (
        "invitations:users",
        "user_changes:request_list",
        "audit:log",
        "user_changes:request_remove",
        "home",
    ):
        content = client.get(flows.url(name)).content
        assert b"college-b.example" not in content, name
        assert b.institution.dli_number.encode() not in content, name
    users = client.get(flows.url("invitations:users")).content
    assert a.secondaries[0].email.encode() in users
    # The DLI's audit page lists A's events only, even filtered by a type B has.
    assert AuditEvent.objects.filter(institution=b.institution).exists()
    filtered = client.get(
        flows.url("audit:log"), {"event_type": "user_change_request_submitted"}
    ).content
    assert b"college-b.example" not in filtered


def test_another_dlis_invitation_cannot_be_managed_by_url(two_dlis):
    _a, _b, b_invitation, _b_request, client = two_dlis
    for action in ("resend", "cancel"):
        response = client.post(
            flows.url("invitations:manage", pk=b_invitation.pk), {"action": action}
        )
        assert response.status_code == 404
    b_invitation.refresh_from_db()
    assert b_invitation.revoked_at is None
    assert Invitation.objects.filter(institution=b_invitation.institution).count() == 1


def test_another_dlis_request_cannot_be_read_by_url(two_dlis):
    _a, _b, _b_invitation, b_request, client = two_dlis
    assert client.get(flows.url("user_changes:request_detail", pk=b_request.pk)).status_code == 404


def test_another_dlis_user_cannot_be_named_in_a_form(two_dlis):
    a, b, _b_invitation, _b_request, client = two_dlis
    b_secondary = b.secondaries[0].membership
    response = client.post(
        flows.url("user_changes:request_remove"),
        {"membership": b_secondary.pk, "reason": UserChangeRequest.Reason.LEFT_DLI},
    )
    assert response.status_code == 200
    assert str(MSG_SELECT_FROM_LIST).encode() in response.content
    response = client.post(
        flows.url("user_changes:request_change_primary"),
        {
            "new_primary_kind": "existing",
            "new_primary": b_secondary.pk,
            "former_primary_outcome": "secondary",
            "reason": UserChangeRequest.Reason.NEW_DUTIES,
        },
    )
    assert response.status_code == 200
    assert str(MSG_SELECT_FROM_LIST).encode() in response.content
    # B's primary membership is not a secondary of A either.
    response = client.post(
        flows.url("user_changes:request_remove"),
        {"membership": b.primary.membership.pk, "reason": UserChangeRequest.Reason.LEFT_DLI},
    )
    assert str(MSG_SELECT_FROM_LIST).encode() in response.content
    assert not UserChangeRequest.objects.filter(institution=a.institution).exists()
    assert Membership.objects.get(pk=b_secondary.pk).role == Membership.Role.SECONDARY


def test_the_service_refuses_another_dlis_user_whatever_the_caller(two_dlis):
    a, b, *_ = two_dlis
    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_submit(
            requested_by=a.primary,
            kind=UserChangeRequest.Kind.REMOVE_USER,
            reason=UserChangeRequest.Reason.LEFT_DLI,
            membership=b.secondaries[0].membership,
        )
    assert exc.value.message == MSG_NOT_A_SECONDARY


def test_officers_never_use_dli_pages(signed_in):
    from tests.factories import OfficerFactory

    officer = OfficerFactory()
    client = signed_in(officer)
    for name in (
        "invitations:users",
        "invitations:create",
        "user_changes:request_list",
        "audit:log",
    ):
        assert client.get(flows.url(name)).status_code == 403, name
    assert client.post(flows.url("invitations:create"), {"email": "x@y.example"}).status_code == 403
    assert not Invitation.objects.exists()
