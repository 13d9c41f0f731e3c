"""A primary invitation to a DLI that has a primary user by now: refused with a clear message
at sign-up (never a 500), and cancelled when an officer's approval appoints the primary user."""

from __future__ import annotations

import pytest
from django.db import transaction

from loaportal.accounts.models import User
from loaportal.audit.models import AuditEvent
from loaportal.institutions.models import Membership, UserChangeRequest
from loaportal.invitations import forms as signup_forms
from loaportal.invitations import services
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import (
    MSG_PRIMARY_TAKEN,
    InvitationError,
    invitation_check,
    invitation_redeem,
    invitation_send,
)
from loaportal.user_changes.services import user_change_request_approve, user_change_request_submit
from tests import flows
from tests.factories import OfficerFactory, UserFactory, dli_with_users

PRIMARY = Membership.Role.PRIMARY


def _assert_primary_taken(exc: InvitationError) -> None:
    assert (exc.code, exc.message, exc.field) == (
        "primary_taken",
        MSG_PRIMARY_TAKEN,
        "code",
    )


def _promote(user: User) -> None:
    """An officer makes a secondary user primary (no page does this by itself today; the
    invitation rules must not depend on that)."""
    Membership.objects.filter(user=user).update(role=PRIMARY)


@pytest.mark.django_db
def test_check_refuses_a_primary_invitation_once_the_dli_has_a_primary():
    dli = dli_with_users(secondaries=0)
    primary_invite = invitation_send(
        institution=dli.institution, email="late@college.example", role=PRIMARY
    )
    secondary_invite = invitation_send(institution=dli.institution, email="s@college.example")

    with pytest.raises(InvitationError) as exc:
        invitation_check(code=primary_invite.code, email="late@college.example")
    _assert_primary_taken(exc.value)
    # Only the invitee learns it: another address still hears only that it does not match.
    with pytest.raises(InvitationError) as exc:
        invitation_check(code=primary_invite.code, email="someone@college.example")
    assert exc.value.code == "email_mismatch"
    assert invitation_check(code=secondary_invite.code, email="s@college.example")


@pytest.mark.django_db
def test_redeem_refuses_instead_of_breaking_the_one_primary_constraint():
    dli = dli_with_users(secondaries=0)
    sent = invitation_send(institution=dli.institution, email="late@college.example", role=PRIMARY)
    with pytest.raises(InvitationError) as exc, transaction.atomic():
        invitation_redeem(
            invitation=sent.invitation, user=UserFactory(email="late@college.example")
        )
    _assert_primary_taken(exc.value)
    assert not User.objects.filter(email="late@college.example").exists()
    assert Invitation.objects.get(pk=sent.invitation.pk).used_at is None


@pytest.mark.django_db
def test_redeem_refuses_a_primary_committed_after_its_check(monkeypatch):
    """The other primary arrives between redeem's check and its insert: the constraint refuses
    the insert and the IntegrityError becomes the same clear error."""
    dli = dli_with_users(secondaries=0)
    sent = invitation_send(institution=dli.institution, email="late@college.example", role=PRIMARY)
    monkeypatch.setattr(services, "_primary_taken", lambda invitation: False)
    with pytest.raises(InvitationError) as exc, transaction.atomic():
        invitation_redeem(
            invitation=sent.invitation, user=UserFactory(email="late@college.example")
        )
    _assert_primary_taken(exc.value)
    assert Membership.objects.filter(institution=dli.institution, role=PRIMARY).get().user == (
        dli.primary
    )


@pytest.fixture
def pending_primary(mail):
    """The primary user asked for a new person as primary and an officer approved: the DLI
    has no primary user and the new person holds a pending primary invitation."""
    dli = dli_with_users(secondaries=1)
    change_request = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
        reason=UserChangeRequest.Reason.NEW_DUTIES,
        new_primary_email="next@college.example",
        former_primary_outcome=UserChangeRequest.FormerPrimary.SECONDARY,
    )
    user_change_request_approve(change_request=change_request, decided_by=OfficerFactory())
    dli.code = mail.wait_for("next@college.example").first_line
    assert not Membership.objects.filter(institution=dli.institution, role=PRIMARY).exists()
    return dli


def _assert_sign_up_refused(response, mail) -> None:
    assert response.status_code == 200
    assert str(MSG_PRIMARY_TAKEN).encode() in response.content
    assert not User.objects.filter(email="next@college.example").exists()
    invitation = Invitation.objects.get(email="next@college.example")
    assert invitation.used_at is None
    assert len(mail.for_address("next@college.example")) == 1  # the invitation, nothing since


def test_sign_up_shows_the_message_when_the_dli_got_a_primary_meanwhile(
    client, mail, pending_primary
):
    _promote(pending_primary.primary)
    response = flows.sign_up(client, code=pending_primary.code, email="next@college.example")
    _assert_sign_up_refused(response, mail)


def test_sign_up_shows_the_message_when_the_primary_arrives_during_the_sign_up(
    client, mail, pending_primary, monkeypatch
):
    """The form's check passes; an officer promotes someone before the form saves."""
    check = signup_forms.invitation_check

    def check_then_promote(**kwargs):
        invitation = check(**kwargs)
        _promote(pending_primary.primary)
        return invitation

    monkeypatch.setattr(signup_forms, "invitation_check", check_then_promote)
    response = flows.sign_up(client, code=pending_primary.code, email="next@college.example")
    _assert_sign_up_refused(response, mail)


def test_promoting_a_secondary_cancels_the_dlis_pending_primary_invitations(mail):
    dli = dli_with_users(secondaries=1)
    stale = invitation_send(
        institution=dli.institution, email="stale@college.example", role=PRIMARY
    )
    change_request = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
        reason=UserChangeRequest.Reason.NEW_DUTIES,
        membership=dli.secondaries[0].membership,
        former_primary_outcome=UserChangeRequest.FormerPrimary.SECONDARY,
    )
    officer = OfficerFactory()
    user_change_request_approve(change_request=change_request, decided_by=officer)

    with pytest.raises(InvitationError) as exc:
        invitation_check(code=stale.code, email="stale@college.example")
    assert exc.value.code == "revoked"
    cancelled = AuditEvent.objects.get(event_type=AuditEvent.Type.INVITATION_CANCELLED)
    assert (cancelled.actor, cancelled.target_email) == (officer, "stale@college.example")
    changed = AuditEvent.objects.get(event_type=AuditEvent.Type.PRIMARY_CHANGED)
    assert changed.details["invitations_cancelled"] == [stale.invitation.pk]
    # The invitee is told their code no longer works.
    assert "invitation was cancelled" in mail.wait_for("stale@college.example", count=2).subject


def test_inviting_a_new_primary_cancels_an_older_primary_invitation(mail):
    dli = dli_with_users(secondaries=0)
    stale = invitation_send(
        institution=dli.institution, email="stale@college.example", role=PRIMARY
    )
    change_request = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        new_primary_email="next@college.example",
        former_primary_outcome=UserChangeRequest.FormerPrimary.REMOVE,
    )
    user_change_request_approve(change_request=change_request, decided_by=OfficerFactory())

    pending = Invitation.objects.filter(
        institution=dli.institution, used_at__isnull=True, revoked_at__isnull=True
    )
    assert [i.email for i in pending] == ["next@college.example"]
    assert Invitation.objects.get(pk=stale.invitation.pk).revoked_at is not None
