"""Forgotten password (a code emailed to the address) and password change."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from loaportal.audit.models import AuditEvent
from tests import flows
from tests.conftest import SIX_DIGITS
from tests.factories import PASSWORD, MembershipFactory

NEW_PASSWORD = "a brand new passphrase for the portal"


@pytest.fixture
def member(mail):
    return MembershipFactory(user__email="member@college.example").user


def test_reset_by_emailed_code_ends_sessions_and_changes_the_password(
    client, mail, member, signed_in
):
    other_device = signed_in(member)
    assert other_device.get(flows.url("home")).status_code == 200

    response = client.post(flows.url("account_reset_password"), {"email": "MEMBER@college.example"})
    assert response["Location"] == flows.url("account_confirm_password_reset_code")
    message = mail.for_address(member.email)[-1]
    assert SIX_DIGITS.match(message.first_line)
    response = client.post(
        flows.url("account_confirm_password_reset_code"), {"code": message.first_line}
    )
    assert response["Location"] == flows.url("account_complete_password_reset")
    response = client.post(flows.url("account_complete_password_reset"), {"password1": "short"})
    assert response.status_code == 200  # the same password rules as sign-up
    response = client.post(
        flows.url("account_complete_password_reset"), {"password1": NEW_PASSWORD}
    )
    assert response["Location"] == flows.url("account_password_reset_completed")
    assert SESSION_KEY not in client.session  # a reset does not sign in

    # The other device's session ended; the old password fails and the new one works.
    assert other_device.get(flows.url("home")).status_code == 302
    assert flows.sign_in_password(client, email=member.email).status_code == 200
    flows.sign_in(client, mail, email=member.email, password=NEW_PASSWORD)
    assert client.get(flows.url("home")).status_code == 200
    assert AuditEvent.objects.filter(
        event_type=AuditEvent.Type.PASSWORD_RESET, target_user=member
    ).exists()
    subjects = [m.subject for m in mail.for_address(member.email)]
    assert "Your LOA Portal password was reset" in subjects


def test_reset_does_not_reveal_unknown_addresses(client, mail):
    known = MembershipFactory(user__email="known@college.example").user
    unknown = client.post(flows.url("account_reset_password"), {"email": "nobody@college.example"})
    other = Client().post(flows.url("account_reset_password"), {"email": known.email})
    assert unknown.status_code == other.status_code == 302
    assert unknown["Location"] == other["Location"]
    (message,) = mail.for_address("nobody@college.example")
    assert not SIX_DIGITS.match(message.first_line)


def test_three_wrong_reset_codes_start_over(client, mail, member):
    client.post(flows.url("account_reset_password"), {"email": member.email})
    code = mail.for_address(member.email)[-1].first_line
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(3):
        response = client.post(flows.url("account_confirm_password_reset_code"), {"code": wrong})
    assert response["Location"] == flows.url("account_login")
    response = client.post(flows.url("account_confirm_password_reset_code"), {"code": code})
    assert response["Location"] == flows.url("account_login")


def test_change_password_needs_the_current_one_and_ends_other_sessions(
    client, mail, member, signed_in
):
    other_device = signed_in(member)
    signed_in(member, client=client)
    url = flows.url("account_change_password", "fr")
    response = client.post(
        url, {"oldpassword": "not my password at all", "password1": NEW_PASSWORD}
    )
    assert response.status_code == 200
    response = client.post(url, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD})
    assert response["Location"] == flows.url("home", "fr")
    assert client.get(flows.url("home")).status_code == 200  # this session continues
    assert other_device.get(flows.url("home")).status_code == 302  # the others end
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PASSWORD_CHANGED).count() == 1
    # Changed on a French page: French is now the person's language, and the email's.
    assert (
        mail.for_address(member.email)[-1].subject
        == "Votre mot de passe du Portail de vérification des LA a été changé"
    )
