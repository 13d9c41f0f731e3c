"""The users page: every member sees the DLI's users and pending invitations; only the primary
user re-sends or cancels an invitation."""

from __future__ import annotations

from django.utils import timezone

from loaportal.invitations.models import Invitation
from loaportal.invitations.services import invitation_check, invitation_send
from tests import flows
from tests.factories import dli_with_users


def _manage(client, invitation, action):
    return client.post(flows.url("invitations:manage", pk=invitation.pk), {"action": action})


def test_members_see_users_and_pending_invitations(signed_in):
    dli = dli_with_users(secondaries=2)
    secondary = dli.secondaries[0]
    secondary.last_login = None
    sent = invitation_send(
        institution=dli.institution, email="pending@college.example", invited_by=dli.primary
    )
    client = signed_in(secondary)
    page = client.get(flows.url("invitations:users"))
    assert page.status_code == 200
    content = page.content.decode()
    for user in (dli.primary, *dli.secondaries):
        assert user.email in content
        assert user.full_name in content
    assert "Primary user" in content and "Secondary user" in content
    assert "Last sign-in" in content and "Active" in content
    assert "pending@college.example" in content
    expires = timezone.localtime(sent.invitation.expires_at)
    assert str(expires.year) in content
    # A secondary user sees the list but cannot manage it.
    assert flows.url("invitations:manage", pk=sent.invitation.pk) not in content
    assert flows.url("invitations:create") not in content
    assert _manage(client, sent.invitation, "cancel").status_code == 403
    assert Invitation.objects.get(pk=sent.invitation.pk).revoked_at is None


def test_primary_resends_an_invitation_with_a_new_code(mail, signed_in):
    dli = dli_with_users(secondaries=0)
    sent = invitation_send(institution=dli.institution, email="p@college.example")
    client = signed_in(dli.primary)
    page = client.get(flows.url("invitations:users"))
    assert flows.url("invitations:manage", pk=sent.invitation.pk).encode() in page.content

    response = _manage(client, sent.invitation, "resend")
    assert response.status_code == 302
    new_code = mail.wait_for("p@college.example", count=2).first_line
    assert new_code != sent.code
    replacement = Invitation.objects.get(email="p@college.example", revoked_at__isnull=True)
    assert replacement.invited_by == dli.primary
    assert invitation_check(code=new_code, email="p@college.example") == replacement
    # The old invitation is gone from the page and cannot be managed any more.
    assert _manage(client, sent.invitation, "resend").status_code == 404


def test_primary_cancels_an_invitation(mail, signed_in):
    dli = dli_with_users(secondaries=0)
    sent = invitation_send(institution=dli.institution, email="p@college.example", language="en")
    client = signed_in(dli.primary)
    response = _manage(client, sent.invitation, "cancel")
    assert response.status_code == 302
    assert Invitation.objects.get(pk=sent.invitation.pk).revoked_at is not None
    notice = mail.wait_for("p@college.example", count=2)
    # Bilingual (the invitee's language is not known): English first, as invited, then French.
    assert notice.text.startswith("The invitation you received")
    assert "-" * 40 in notice.text
    page = client.get(flows.url("invitations:users"))
    assert b"The invitation to p@college.example was cancelled." in page.content
    assert b"There are no pending invitations." in page.content


def test_opening_the_manage_address_changes_nothing(smtp):
    """GET only shows the cancel confirmation step; only its POST cancels."""
    dli = dli_with_users(secondaries=0)
    sent = invitation_send(institution=dli.institution, email="p@college.example")
    client = flows.signed_in_client(smtp, email=dli.primary.email)
    url = flows.url("invitations:manage", pk=sent.invitation.pk)
    sent_before = len(smtp.for_address("p@college.example"))

    confirm = client.get(url, {"action": "cancel"})
    assert confirm.status_code == 200
    assert b"Yes, cancel the invitation" in confirm.content
    assert client.get(url, {"action": "resend"})["Location"] == flows.url("invitations:users")
    assert client.put(url).status_code == 405

    assert invitation_check(code=sent.code, email="p@college.example") == sent.invitation
    assert len(smtp.for_address("p@college.example")) == sent_before
