"""Officers' pages: home links, onboarding, the primary invitation, deactivation, the queue."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from loaportal.accounts.services import MSG_CANNOT_DEACTIVATE_SELF
from loaportal.institutions.models import Institution, Membership, UserChangeRequest
from loaportal.institutions.services import MSG_DLI_EXISTS
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import invitation_check, invitation_send
from loaportal.user_changes.services import user_change_request_submit
from tests import flows
from tests.conftest import INVITATION_CODE
from tests.factories import InstitutionFactory, OfficerFactory, dli_with_users

OFFICER_PAGES = ("officers:user_change_request_list", "officers:dli_list", "officers:dli_onboard")


@pytest.fixture
def officer_client(signed_in):
    officer = OfficerFactory(email="officer@ircc.example")
    client = signed_in(officer)
    client.officer = officer
    return client


def test_officer_home_links_to_the_back_office_pages(officer_client):
    dli = dli_with_users(secondaries=1)
    user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=dli.secondaries[0].membership,
    )
    home = officer_client.get(flows.url("home")).content.decode()
    for name in (*OFFICER_PAGES, "admin:index", "admin:audit_auditevent_changelist"):
        assert flows.url(name) in home, name
    assert "1 waiting" in home
    for name in OFFICER_PAGES:
        assert officer_client.get(flows.url(name)).status_code == 200, name


def test_dli_users_cannot_open_officer_pages(signed_in):
    dli = dli_with_users(secondaries=0)
    client = signed_in(dli.primary)
    for name in OFFICER_PAGES:
        assert client.get(flows.url(name)).status_code == 403, name
    assert client.get(flows.url("officers:dli_detail", pk=dli.institution.pk)).status_code == 403
    response = client.post(
        flows.url("officers:user_deactivate", pk=dli.primary.pk), {"reason": "x"}
    )
    assert response.status_code == 403


def test_onboard_a_dli_and_invite_its_primary_user(officer_client, mail):
    data = {
        "dli_number": "o19390898172",
        "name_en": "Example College",
        "name_fr": "",
        "province": "ON",
        "primary_email": "Rep@Example-College.example",
        "language": "en",
    }
    response = officer_client.post(flows.url("officers:dli_onboard"), data)
    assert response.status_code == 302
    institution = Institution.objects.get(dli_number="O19390898172")
    assert response["Location"] == flows.url("officers:dli_detail", pk=institution.pk)
    assert institution.name_fr == "Example College"
    invitation = Invitation.objects.get(institution=institution)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "rep@example-college.example",
        Membership.Role.PRIMARY,
        officer_client.officer,
    )
    assert INVITATION_CODE.match(mail.wait_for("rep@example-college.example").first_line)

    again = officer_client.post(flows.url("officers:dli_onboard"), data)
    assert again.status_code == 200 and str(MSG_DLI_EXISTS).encode() in again.content
    bad = officer_client.post(flows.url("officers:dli_onboard"), {**data, "dli_number": "12345"})
    assert bad.status_code == 200 and b"letter O followed by 11 digits" in bad.content
    assert Institution.objects.count() == 1


def test_resend_the_primary_invitation_of_a_dli_without_primary(officer_client, mail):
    institution = InstitutionFactory()
    first = invitation_send(
        institution=institution, email="rep@college.example", role=Membership.Role.PRIMARY
    )
    page = officer_client.get(flows.url("officers:dli_detail", pk=institution.pk))
    assert b"rep@college.example" in page.content
    assert b'name="language"' in page.content  # the DLI has no primary user: the form is shown

    response = officer_client.post(
        flows.url("officers:dli_detail", pk=institution.pk), {"email": "", "language": "fr"}
    )
    assert response.status_code == 302
    code = mail.wait_for("rep@college.example", count=2).first_line
    assert code != first.code
    assert invitation_check(code=code, email="rep@college.example").role == "primary"

    # To another address: the pending invitation is replaced.
    officer_client.post(
        flows.url("officers:dli_detail", pk=institution.pk),
        {"email": "other@college.example", "language": "en"},
    )
    pending = Invitation.objects.filter(
        institution=institution, used_at__isnull=True, revoked_at__isnull=True
    )
    assert [i.email for i in pending] == ["other@college.example"]


def test_no_primary_invitation_while_the_dli_has_a_primary(officer_client):
    dli = dli_with_users(secondaries=0)
    page = officer_client.get(flows.url("officers:dli_detail", pk=dli.institution.pk))
    assert dli.primary.email.encode() in page.content
    assert b'name="language"' not in page.content
    response = officer_client.post(
        flows.url("officers:dli_detail", pk=dli.institution.pk),
        {"email": "x@college.example", "language": "fr"},
    )
    assert response.status_code == 200
    assert b"already has a primary user" in response.content
    assert not Invitation.objects.exists()


def test_deactivate_a_user_ends_their_session_and_membership(officer_client, signed_in):
    dli = dli_with_users(secondaries=1)
    target = dli.secondaries[0]
    target_client = signed_in(target)
    page = officer_client.get(flows.url("officers:dli_detail", pk=dli.institution.pk))
    assert flows.url("officers:user_deactivate", pk=target.pk).encode() in page.content

    form = officer_client.post(flows.url("officers:user_deactivate", pk=target.pk), {"reason": ""})
    assert form.status_code == 200 and b"Enter the reason for the deactivation." in form.content
    response = officer_client.post(
        flows.url("officers:user_deactivate", pk=target.pk), {"reason": "Left the college."}
    )
    assert response.status_code == 302
    assert response["Location"] == flows.url("officers:dli_detail", pk=dli.institution.pk)
    target.refresh_from_db()
    assert not target.is_active
    # The membership ends; its row stays as the record of the DLI and role.
    membership = Membership.objects.get(user=target)
    assert membership.ended_at is not None
    assert (membership.end_reason, membership.ended_by) == ("deactivated", officer_client.officer)
    assert not Membership.objects.current().filter(user=target).exists()
    assert target_client.get(flows.url("home")).status_code == 302
    assert SESSION_KEY not in target_client.session

    myself = officer_client.post(
        flows.url("officers:user_deactivate", pk=officer_client.officer.pk), {"reason": "test"}
    )
    assert str(MSG_CANNOT_DEACTIVATE_SELF).encode() in myself.content


def test_queue_shows_open_requests_oldest_first_and_decided_ones_apart(officer_client):
    first = dli_with_users(name="first", secondaries=1)
    second = dli_with_users(name="second", secondaries=1)
    requests = [
        user_change_request_submit(
            requested_by=dli.primary,
            kind=UserChangeRequest.Kind.REMOVE_USER,
            reason=UserChangeRequest.Reason.LEFT_DLI,
            membership=dli.secondaries[0].membership,
        )
        for dli in (first, second)
    ]
    content = officer_client.get(flows.url("officers:user_change_request_list")).content.decode()
    positions = [
        content.index(flows.url("officers:user_change_request_detail", pk=r.pk)) for r in requests
    ]
    assert positions == sorted(positions)
    officer_client.post(
        flows.url("officers:user_change_request_detail", pk=requests[0].pk),
        {"action": "refuse", "reason": "Duplicate."},
    )
    open_queue = officer_client.get(flows.url("officers:user_change_request_list")).content.decode()
    assert flows.url("officers:user_change_request_detail", pk=requests[0].pk) not in open_queue
    refused = officer_client.get(
        flows.url("officers:user_change_request_list"), {"status": "refused"}
    ).content
    assert flows.url("officers:user_change_request_detail", pk=requests[0].pk).encode() in refused
    assert b"Duplicate." in refused
    assert (
        officer_client.get(flows.url("officers:user_change_request_detail", pk=99999)).status_code
        == 404
    )
