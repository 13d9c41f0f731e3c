"""Requests to IRCC: change the primary user, remove a secondary user; decided by an officer."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from loaportal.accounts.models import User
from loaportal.institutions.models import Membership, UserChangeRequest
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import MSG_EMAIL_UNAVAILABLE
from loaportal.user_changes.services import (
    MSG_ALREADY_DECIDED,
    MSG_CHANGE_PENDING,
    MSG_EXPLANATION_REQUIRED,
    MSG_NOT_PRIMARY,
    MSG_REFUSAL_REASON_REQUIRED,
    MSG_REMOVAL_PENDING,
    MSG_TARGET_GONE,
    UserChangeRequestError,
    user_change_request_approve,
    user_change_request_refuse,
    user_change_request_submit,
)
from tests import flows
from tests.factories import MembershipFactory, OfficerFactory, dli_with_users

REASON = UserChangeRequest.Reason


def role_of(user: User) -> str | None:
    membership = Membership.objects.current().filter(user=user).first()
    return membership.role if membership else None


def _is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def _change_primary(client, **data):
    return client.post(flows.url("user_changes:request_change_primary"), data)


def _remove(client, **data):
    return client.post(flows.url("user_changes:request_remove"), data)


def _decide(client, change_request, action, **data):
    return client.post(
        flows.url("officers:user_change_request_detail", pk=change_request.pk),
        {"action": action, **data},
    )


def test_change_to_an_existing_secondary_keeps_every_secondary_user(mail, signed_in):
    dli = dli_with_users(secondaries=3)
    new_primary, *others = dli.secondaries
    officer = OfficerFactory()
    client = signed_in(dli.primary)

    form = client.get(flows.url("user_changes:request_change_primary"))
    assert form.status_code == 200
    assert new_primary.email.encode() in form.content
    response = _change_primary(
        client,
        new_primary_kind="existing",
        new_primary=new_primary.membership.pk,
        former_primary_outcome="secondary",
        reason=REASON.NEW_DUTIES,
    )
    assert response.status_code == 302
    change_request = UserChangeRequest.objects.get()
    assert response["Location"] == flows.url("user_changes:request_detail", pk=change_request.pk)
    assert (change_request.status, change_request.target_user) == ("submitted", new_primary)
    assert "submitted" in mail.wait_for(dli.primary.email).subject
    # Nothing changes until an officer decides.
    assert role_of(dli.primary) == Membership.Role.PRIMARY

    officer_client = signed_in(officer)
    queue = officer_client.get(flows.url("officers:user_change_request_list"))
    assert (
        flows.url("officers:user_change_request_detail", pk=change_request.pk).encode()
        in queue.content
    )
    assert _decide(officer_client, change_request, "approve").status_code == 302

    change_request.refresh_from_db()
    assert (change_request.status, change_request.decided_by) == ("approved", officer)
    assert role_of(new_primary) == Membership.Role.PRIMARY
    assert role_of(dli.primary) == Membership.Role.SECONDARY
    assert all(role_of(user) == Membership.Role.SECONDARY for user in others)
    assert Membership.objects.current().filter(institution=dli.institution).count() == 4

    # The new primary user has the primary's rights; the former one has not any more.
    new_client = signed_in(new_primary)
    assert new_client.get(flows.url("invitations:create")).status_code == 200
    assert new_client.get(flows.url("user_changes:request_list")).status_code == 200
    assert client.get(flows.url("invitations:create")).status_code == 403
    assert b"Secondary user" in client.get(flows.url("home")).content
    # Every existing secondary user still signs in and keeps their role.
    for user in others:
        other_client = Client()
        flows.sign_in(other_client, mail, email=user.email)
        home = other_client.get(flows.url("home"))
        assert home.status_code == 200 and b"Secondary user" in home.content
    # The decision is emailed to the requester and to the new primary user.
    assert "approved" in mail.wait_for(dli.primary.email, count=2).subject
    decided = [m for m in mail.for_address(new_primary.email) if "approved" in m.subject]
    assert len(decided) == 1


def test_change_to_a_new_person_invites_them_as_primary_and_removes_the_former(mail, signed_in):
    dli = dli_with_users(secondaries=2)
    officer = OfficerFactory()
    client = signed_in(dli.primary)
    response = _change_primary(
        client,
        new_primary_kind="new",
        new_primary_email="Next.Primary@College.example",
        former_primary_outcome="remove",
        reason=REASON.LEFT_DLI,
    )
    assert response.status_code == 302
    change_request = UserChangeRequest.objects.get()
    assert change_request.new_primary_email == "next.primary@college.example"
    assert change_request.target_user is None

    user_change_request_approve(change_request=change_request, decided_by=officer)

    invitation = Invitation.objects.get(email="next.primary@college.example")
    assert (invitation.role, invitation.institution) == (Membership.Role.PRIMARY, dli.institution)
    code = mail.wait_for("next.primary@college.example").first_line
    # The former primary is removed: signed out at once, and cannot sign in again.
    dli.primary.refresh_from_db()
    assert not dli.primary.is_active and role_of(dli.primary) is None
    assert client.get(flows.url("home")).status_code == 302
    assert not _is_signed_in(client)
    assert all(role_of(user) == Membership.Role.SECONDARY for user in dli.secondaries)

    newcomer = Client()
    flows.sign_up(newcomer, code=code, email="next.primary@college.example")
    confirmation = mail.wait_for("next.primary@college.example", count=2).first_line
    flows.confirm(newcomer, email="next.primary@college.example", code=confirmation)
    flows.sign_in(newcomer, mail, email="next.primary@college.example")
    assert newcomer.get(flows.url("invitations:create")).status_code == 200
    assert role_of(User.objects.get(email="next.primary@college.example")) == "primary"


def test_removal_ends_the_users_session_at_once_and_sign_in_fails(mail, signed_in):
    dli = dli_with_users(secondaries=2)
    leaving, staying = dli.secondaries
    officer = OfficerFactory()
    leaving_client = signed_in(leaving)
    assert leaving_client.get(flows.url("home")).status_code == 200
    session_key = leaving_client.session.session_key
    assert UserSession.objects.filter(user=leaving, session_key=session_key).exists()

    client = signed_in(dli.primary)
    form = client.get(flows.url("user_changes:request_remove"))
    assert leaving.email.encode() in form.content
    assert f'<option value="{leaving.membership.pk}"'.encode() in form.content
    assert f'<option value="{dli.primary.membership.pk}"'.encode() not in form.content
    response = _remove(client, membership=leaving.membership.pk, reason=REASON.LEFT_DLI)
    assert response.status_code == 302
    change_request = UserChangeRequest.objects.get()

    officer_client = signed_in(officer)
    assert _decide(officer_client, change_request, "approve").status_code == 302

    leaving.refresh_from_db()
    assert not leaving.is_active and role_of(leaving) is None
    assert not Session.objects.filter(session_key=session_key).exists()
    response = leaving_client.get(flows.url("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(flows.url("account_login"))
    assert not _is_signed_in(leaving_client)
    # Signing in again fails, with the right password, answered like a wrong one (no oracle).
    again = Client()
    response = flows.sign_in_password(again, email=leaving.email)
    assert response.status_code == 200
    assert b"The email address or password is not correct." in response.content
    assert not _is_signed_in(again)
    assert again.get(flows.url("home")).status_code == 302
    assert "deactivated" in mail.for_address(leaving.email)[-1].subject
    # The other users are untouched.
    assert role_of(staying) == Membership.Role.SECONDARY
    assert role_of(dli.primary) == Membership.Role.PRIMARY
    assert client.get(flows.url("invitations:users")).status_code == 200


def test_refusal_needs_a_reason_that_the_dli_sees(mail, signed_in):
    dli = dli_with_users(secondaries=1)
    officer = OfficerFactory()
    change_request = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=REASON.OTHER,
        explanation="Moved to another campus.",
        membership=dli.secondaries[0].membership,
    )
    officer_client = signed_in(officer)
    response = _decide(officer_client, change_request, "refuse", reason="  ")
    assert response.status_code == 200
    change_request.refresh_from_db()
    assert change_request.status == "submitted"

    response = _decide(officer_client, change_request, "refuse", reason="Send it from the DLI.")
    assert response.status_code == 302
    change_request.refresh_from_db()
    assert (change_request.status, change_request.refusal_reason) == (
        "refused",
        "Send it from the DLI.",
    )
    assert role_of(dli.secondaries[0]) == Membership.Role.SECONDARY
    assert dli.secondaries[0].is_active

    client = signed_in(dli.primary)
    listing = client.get(flows.url("user_changes:request_list"))
    assert b"Refused" in listing.content and b"Send it from the DLI." in listing.content
    decision = [m for m in mail.for_address(dli.primary.email) if "refused" in m.subject]
    assert len(decision) == 1 and "Send it from the DLI." in decision[0].text

    # A decided request is final.
    response = _decide(officer_client, change_request, "approve")
    assert response.status_code == 302
    page = officer_client.get(response["Location"])
    assert str(MSG_ALREADY_DECIDED).encode() in page.content
    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_refuse(change_request=change_request, decided_by=officer, reason="x")
    assert exc.value.message == MSG_ALREADY_DECIDED


@pytest.mark.django_db
def test_submission_rules():
    dli = dli_with_users(secondaries=2)
    first, second = dli.secondaries
    remove = UserChangeRequest.Kind.REMOVE_USER
    change = UserChangeRequest.Kind.CHANGE_PRIMARY

    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_submit(
            requested_by=first, kind=remove, reason=REASON.LEFT_DLI, membership=second.membership
        )
    assert exc.value.message == MSG_NOT_PRIMARY

    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_submit(
            requested_by=dli.primary, kind=remove, reason=REASON.OTHER, membership=first.membership
        )
    assert (exc.value.message, exc.value.field) == (MSG_EXPLANATION_REQUIRED, "explanation")

    user_change_request_submit(
        requested_by=dli.primary, kind=remove, reason=REASON.LEFT_DLI, membership=first.membership
    )
    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_submit(
            requested_by=dli.primary,
            kind=remove,
            reason=REASON.LEFT_DLI,
            membership=first.membership,
        )
    assert exc.value.message == MSG_REMOVAL_PENDING

    user_change_request_submit(
        requested_by=dli.primary,
        kind=change,
        reason=REASON.NEW_DUTIES,
        membership=second.membership,
        former_primary_outcome="secondary",
    )
    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_submit(
            requested_by=dli.primary,
            kind=change,
            reason=REASON.NEW_DUTIES,
            new_primary_email="someone@college.example",
            former_primary_outcome="secondary",
        )
    assert exc.value.message == MSG_CHANGE_PENDING


@pytest.mark.django_db
def test_a_new_primary_email_must_be_free():
    dli = dli_with_users(secondaries=0)
    other = MembershipFactory(user__email="taken@other.example").user
    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_submit(
            requested_by=dli.primary,
            kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
            reason=REASON.LEFT_DLI,
            new_primary_email=other.email,
            former_primary_outcome="remove",
        )
    assert (exc.value.message, exc.value.field) == (MSG_EMAIL_UNAVAILABLE, "new_primary_email")


@pytest.mark.django_db
def test_approval_applies_nothing_when_the_named_user_has_gone():
    dli = dli_with_users(secondaries=1)
    officer = OfficerFactory()
    target = dli.secondaries[0]
    change_request = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
        reason=REASON.NEW_DUTIES,
        membership=target.membership,
        former_primary_outcome="remove",
    )
    Membership.objects.filter(user=target).delete()
    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_approve(change_request=change_request, decided_by=officer)
    assert exc.value.message == MSG_TARGET_GONE
    change_request.refresh_from_db()
    dli.primary.refresh_from_db()
    assert change_request.status == "submitted"
    assert dli.primary.is_active and role_of(dli.primary) == Membership.Role.PRIMARY


@pytest.mark.django_db
def test_only_officers_decide():
    dli = dli_with_users(secondaries=1)
    change_request = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=REASON.LEFT_DLI,
        membership=dli.secondaries[0].membership,
    )
    with pytest.raises(UserChangeRequestError):
        user_change_request_approve(change_request=change_request, decided_by=dli.primary)
    with pytest.raises(UserChangeRequestError) as exc:
        user_change_request_refuse(
            change_request=change_request, decided_by=OfficerFactory(), reason=""
        )
    assert exc.value.message == MSG_REFUSAL_REASON_REQUIRED


def test_change_primary_form_errors(signed_in):
    dli = dli_with_users(secondaries=1)
    client = signed_in(dli.primary)
    response = _change_primary(client, new_primary_kind="existing", reason=REASON.OTHER)
    assert response.status_code == 200
    assert response.content.startswith(b"<!DOCTYPE html>")
    assert b"<title>Error:" in response.content
    for text in (
        b"Select the secondary user who will become the primary user",
        b"Select what happens to your own account.",
        str(MSG_EXPLANATION_REQUIRED).encode(),
    ):
        assert text in response.content
    response = _change_primary(
        client,
        new_primary_kind="new",
        former_primary_outcome="secondary",
        reason=REASON.LEFT_DLI,
    )
    assert b"enter the email address of the new person" in response.content
    assert not UserChangeRequest.objects.exists()
