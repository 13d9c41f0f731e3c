"""A deactivated account is no password oracle (issue 6, item 8): its right password gets the
same answer as a wrong one, and the owner is emailed instead."""

from __future__ import annotations

from django.test import Client

from loaportal.audit.models import AuditEvent
from tests import flows
from tests.factories import MembershipFactory

ALERT_SUBJECT = "Someone tried to sign in to your deactivated LOA Portal account"
WRONG_PASSWORD = "not the password at all"


def test_right_password_of_a_deactivated_account_answers_like_a_wrong_one(smtp):
    member = MembershipFactory(user__email="member@college.example").user
    member.is_active = False
    member.save(update_fields=["is_active"])

    wrong = flows.sign_in_password(Client(), email=member.email, password=WRONG_PASSWORD)
    assert smtp.for_address(member.email) == []  # a wrong password alerts nobody
    right_client = Client()
    right = flows.sign_in_password(right_client, email=member.email)

    assert right.status_code == wrong.status_code == 200
    assert b"The email address or password is not correct." in right.content
    assert b"inactive" not in right.content.lower()
    assert right_client.get(flows.url("account_confirm_login_code")).status_code == 302
    (alert,) = smtp.for_address(member.email)
    assert alert.subject == ALERT_SUBJECT
    assert "right password" in alert.text
    (recorded,) = AuditEvent.objects.filter(event_type=AuditEvent.Type.SECURITY_ALERT)
    assert (recorded.target_user, recorded.details["reason"]) == (
        member,
        "inactive_account_signin",
    )
    failed = AuditEvent.objects.filter(event_type=AuditEvent.Type.SIGNIN_FAILED, target_user=member)
    assert failed.count() == 2

    # Again the same day: the same answer, no second email.
    again = flows.sign_in_password(Client(), email=member.email)
    assert b"The email address or password is not correct." in again.content
    assert len(smtp.for_address(member.email)) == 1


def test_right_password_of_a_deactivated_account_counts_toward_the_address_limit(smtp):
    member = MembershipFactory(user__email="member@college.example").user
    member.is_active = False
    member.save(update_fields=["is_active"])
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        flows.sign_in_password(client, email=member.email)
    response = flows.sign_in_password(client, email="other@college.example")
    assert b"Too many attempts" in response.content or response.status_code == 429
