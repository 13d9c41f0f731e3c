"""The seed's account steps through the test client, with the clock moved for the time rules."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY

from loaportal.accounts.models import User
from loaportal.institutions.models import Membership
from loaportal.invitations.services import invitation_send
from tests import flows
from tests.conftest import SIX_DIGITS
from tests.factories import PASSWORD, InstitutionFactory, MembershipFactory

pytestmark = pytest.mark.usefixtures("mail")


@pytest.fixture
def invited(mail):
    institution = InstitutionFactory()
    sent = invitation_send(
        institution=institution, email="rep@college.example", role=Membership.Role.PRIMARY
    )
    return sent


@pytest.fixture
def member():
    return MembershipFactory(user__email="member@college.example").user


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_sign_up_confirm_does_not_sign_in(client, mail, invited):
    response = flows.sign_up(
        client, code=invited.code.lower().replace("-", " "), email="REP@college.example"
    )
    assert response.status_code == 302
    assert response["Location"] == flows.url("account_email_verification_sent")
    user = User.objects.get(email="rep@college.example")
    assert (user.surname, user.given_names, user.phone) == ("Tremblay", "Marie", "+16135550123")
    assert user.membership.role == Membership.Role.PRIMARY
    assert not signed_in(client)

    page = client.get(flows.url("account_email_verification_sent"))
    assert b'value="rep@college.example"' in page.content  # the email already given is prefilled

    code = mail.wait_for("rep@college.example", count=2).first_line
    assert SIX_DIGITS.match(code)
    response = flows.confirm(client, email="rep@college.example", code=code)
    assert response.status_code == 302
    assert response["Location"] == flows.url("account_login")
    assert EmailAddress.objects.get(email="rep@college.example").verified
    assert not signed_in(client)


def test_confirm_refuses_another_email_and_a_wrong_code(client, mail, invited):
    flows.sign_up(client, code=invited.code, email="rep@college.example")
    code = mail.wait_for("rep@college.example", count=2).first_line
    response = flows.confirm(client, email="other@college.example", code=code)
    assert response.status_code == 200
    assert b"Enter the email address you signed up with." in response.content
    wrong = "000000" if code != "000000" else "111111"
    response = flows.confirm(client, email="rep@college.example", code=wrong)
    assert response.status_code == 200
    assert not EmailAddress.objects.get(email="rep@college.example").verified


def test_sign_up_refuses_weak_passwords(client, invited):
    for password in ("short pass", "passwordpassword", "loaportal loaportal"):
        response = flows.sign_up(
            client, code=invited.code, email="rep@college.example", password=password
        )
        assert response.status_code == 200
    assert not User.objects.exists()
    response = flows.sign_up(
        client, code=invited.code, email="rep@college.example", phone_number="12"
    )
    assert b"valid telephone number" in response.content


def test_sign_in_needs_the_emailed_code(client, mail, member):
    response = flows.sign_in_password(client, email="member@college.example")
    assert response["Location"] == flows.url("account_confirm_login_code")
    assert not signed_in(client)
    code = mail.wait_for("member@college.example").first_line
    assert SIX_DIGITS.match(code)
    response = flows.submit_code(client, code=f"{code[:3]} {code[3:]}")  # spaces are accepted
    assert response.status_code == 302
    assert signed_in(client)


def test_code_expires_after_3_minutes_and_a_new_code_gets_its_own(client, mail, member, clock):
    flows.sign_in_password(client, email="member@college.example")
    first = mail.wait_for("member@college.example").first_line
    clock.shift(timedelta(seconds=181))
    response = flows.submit_code(client, code=first)
    assert response.status_code == 200
    assert b"has expired" in response.content
    assert not signed_in(client)

    clock.shift(timedelta(seconds=60))
    flows.resend_code(client)
    second = mail.wait_for("member@college.example", count=2).first_line
    # The previous code stops working when a new one is sent.
    if second != first:
        response = flows.submit_code(client, code=first)
        assert response.status_code == 200 and not signed_in(client)
    clock.shift(timedelta(seconds=170))  # 170 s after the new code: still valid
    response = flows.submit_code(client, code=second)
    assert response.status_code == 302
    assert signed_in(client)


def test_new_code_after_expiry_is_itself_limited_to_3_minutes(client, mail, member, clock):
    flows.sign_in_password(client, email="member@college.example")
    mail.wait_for("member@college.example")
    flows.resend_code(client)
    second = mail.wait_for("member@college.example", count=2).first_line
    clock.shift(timedelta(seconds=185))
    response = flows.submit_code(client, code=second)
    assert b"has expired" in response.content
    assert not signed_in(client)


def test_three_wrong_codes_start_over_even_across_new_codes(client, mail, member):
    flows.sign_in_password(client, email="member@college.example")
    code = mail.wait_for("member@college.example").first_line
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    assert flows.submit_code(client, code=wrong).status_code == 200
    flows.resend_code(client)  # a new code does not reset the count (NIST SP 800-63B-4)
    code = mail.wait_for("member@college.example", count=2).first_line
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    assert flows.submit_code(client, code=wrong).status_code == 200
    response = flows.submit_code(client, code=wrong)
    assert response.status_code == 302
    assert response["Location"] == flows.url("account_login")
    # The sign-in was abandoned: even the right code no longer works.
    response = flows.submit_code(client, code=code)
    assert response["Location"] == flows.url("account_login")
    assert not signed_in(client)


def test_whole_sign_in_is_limited_to_15_minutes(client, mail, member, clock):
    flows.sign_in_password(client, email="member@college.example")
    mail.wait_for("member@college.example")
    clock.shift(timedelta(minutes=16))
    response = flows.resend_code(client)
    assert response["Location"] == flows.url("account_login")


def test_wrong_password_does_not_reveal_whether_the_account_exists(client, member):
    known = flows.sign_in_password(client, email="member@college.example", password="wrong " * 4)
    unknown = flows.sign_in_password(client, email="nobody@college.example", password="wrong " * 4)
    assert known.status_code == unknown.status_code == 200
    message = b"The email address or password is not correct."
    assert message in known.content and message in unknown.content


def test_failed_sign_ins_are_rate_limited_per_account(client, member):
    for _ in range(10):
        flows.sign_in_password(
            client, email="member@college.example", password="not the password at all"
        )
    response = flows.sign_in_password(client, email="member@college.example", password=PASSWORD)
    assert response.status_code in (200, 429)
    assert SESSION_KEY not in client.session
    assert "login_code" not in str(dict(client.session))


def test_sign_up_left_unconfirmed_is_completed_by_signing_in(client, mail, invited, clock):
    """Someone who closed the confirmation page signs in later: the emailed sign-in code proves
    the address, so the account is confirmed and the person signed in."""
    flows.sign_up(client, code=invited.code, email="rep@college.example")
    later = type(client)()
    # Straight after the confirmation email, allauth pauses sign-in for that address briefly.
    response = flows.sign_in_password(later, email="rep@college.example")
    assert b"Too many attempts. For your security, wait a few minutes" in response.content
    clock.shift(timedelta(seconds=11))
    response = flows.sign_in_password(later, email="rep@college.example")
    assert response["Location"] == flows.url("account_confirm_login_code")
    code = mail.wait_for("rep@college.example", count=3).first_line
    assert flows.submit_code(later, code=code).status_code == 302
    assert signed_in(later)
    assert EmailAddress.objects.get(email="rep@college.example").verified
