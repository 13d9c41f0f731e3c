"""Per-account limits on emailed codes (issue 6, item 2): wrong codes guessed from several
addresses throttle the account after 10 in an hour, the owner gets one alert email, the audit
trail records it; the throttle lifts within the hour and never applies to a browser that
signed in before; code emails are limited per account too."""

from __future__ import annotations

import pytest
from django.test import Client

from loaportal.accounts.models import CodeChallenge
from loaportal.audit.models import AuditEvent
from tests import flows
from tests.factories import MembershipFactory

TOO_MANY = b"Too many attempts. For your security, wait a few minutes, then try again."
ALERT_SUBJECT = "Wrong verification codes were entered for your LOA Portal account"
NEW_PASSWORD = "a brand new passphrase for the portal"


@pytest.fixture
def member(smtp):
    return MembershipFactory(user__email="member@college.example").user


def from_address(number: int) -> Client:
    return Client(REMOTE_ADDR=f"203.0.113.{number}")


def wrong(code: str, offset: int) -> str:
    return f"{(int(code) + offset) % 1_000_000:06d}"


def request_reset(client: Client, smtp, email: str) -> str:
    before = len(smtp.for_address(email))
    client.post(flows.url("account_reset_password"), {"email": email})
    return smtp.wait_for(email, count=before + 1).first_line


def alerts(smtp, email: str) -> list:
    return [m for m in smtp.for_address(email) if m.subject == ALERT_SUBJECT]


def test_guesses_from_several_addresses_throttle_the_account_and_alert_the_owner_once(
    smtp, member, clock
):
    confirm = flows.url("account_confirm_password_reset_code")
    # Three addresses, three pending resets, three wrong codes each: 9 wrong codes.
    for number in range(3):
        attacker = from_address(number)
        code = request_reset(attacker, smtp, member.email)
        for offset in (1, 2, 3):
            attacker.post(confirm, {"code": wrong(code, offset)})
        clock.shift(61)  # allauth allows 5 reset emails a minute per address
    assert alerts(smtp, member.email) == []

    # A fourth address: the 10th wrong code reaches the limit; then even the right code is
    # refused without being compared.
    attacker = from_address(3)
    code = request_reset(attacker, smtp, member.email)
    attacker.post(confirm, {"code": wrong(code, 1)})
    response = attacker.post(confirm, {"code": code})
    assert response.status_code == 200 and TOO_MANY in response.content
    response = attacker.post(
        flows.url("account_complete_password_reset"), {"password1": NEW_PASSWORD}
    )
    member.refresh_from_db()
    assert not member.check_password(NEW_PASSWORD)

    # More guesses from yet another address change nothing: still one alert, 10 compared.
    clock.shift(61)
    other = from_address(4)
    code = request_reset(other, smtp, member.email)
    for offset in (1, 2, 3):
        assert TOO_MANY in other.post(confirm, {"code": wrong(code, offset)}).content

    (alert,) = alerts(smtp, member.email)
    assert "10 wrong verification codes" in alert.text
    failed = AuditEvent.objects.filter(event_type=AuditEvent.Type.CODE_FAILED, target_user=member)
    assert failed.count() == 10
    assert {event.ip_address for event in failed} == {f"203.0.113.{n}" for n in range(4)}
    (recorded,) = AuditEvent.objects.filter(event_type=AuditEvent.Type.SECURITY_ALERT)
    assert recorded.target_user == member
    assert recorded.details["reason"] == "code_failures"
    assert recorded.details["purpose"] == "password_reset"
    assert recorded.ip_address == "203.0.113.3"

    # Slowed down, not locked out: an hour after the guesses, the owner resets the password.
    clock.shift(60 * 60)
    owner = from_address(99)
    code = request_reset(owner, smtp, member.email)
    response = owner.post(confirm, {"code": code})
    assert response["Location"] == flows.url("account_complete_password_reset")


def test_a_browser_that_signed_in_before_is_not_throttled(smtp, member):
    own_browser = Client(REMOTE_ADDR="198.51.100.10")
    flows.sign_in(own_browser, smtp, email=member.email)
    own_browser.post(flows.url("account_logout"))

    # An attacker with the password guesses sign-in codes from several addresses.
    confirm = flows.url("account_confirm_login_code")
    for number in range(4):
        attacker = from_address(number)
        flows.sign_in_password(attacker, email=member.email)
        code = smtp.for_address(member.email)[-1].first_line
        for offset in (1, 2, 3):
            attacker.post(confirm, {"action": "verify", "code": wrong(code, offset)})
    assert len(alerts(smtp, member.email)) == 1
    (recorded,) = AuditEvent.objects.filter(event_type=AuditEvent.Type.SECURITY_ALERT)
    assert recorded.details["purpose"] == "sign_in"

    # A new browser is throttled even with the right code ...
    newcomer = from_address(50)
    flows.sign_in_password(newcomer, email=member.email)
    code = smtp.for_address(member.email)[-1].first_line
    response = flows.submit_code(newcomer, code=code)
    assert response.status_code == 200 and TOO_MANY in response.content
    # ... the owner's own browser signs in as usual.
    flows.sign_in(own_browser, smtp, email=member.email)
    assert own_browser.get(flows.url("home")).status_code == 200


def test_code_emails_are_limited_per_account(smtp, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "100/m/ip"}
    for number in range(2):
        client = from_address(number)
        flows.sign_in_password(client, email=member.email)
        for _ in range(5):
            flows.resend_code(client)
    sent = len(smtp.for_address(member.email))
    assert sent == 10  # 6 for the first sign-in, then the account's limit: 4 of 6

    client = from_address(7)
    response = flows.sign_in_password(client, email=member.email)
    assert response["Location"] == flows.url("account_login")
    assert TOO_MANY in client.get(response["Location"]).content
    assert len(smtp.for_address(member.email)) == sent  # no 11th code email
    assert not CodeChallenge.objects.filter(user=member, status="used").exists()


def test_a_wrong_code_from_a_known_browser_still_counts_toward_the_3_tries(smtp, member):
    browser = Client()
    flows.sign_in(browser, smtp, email=member.email)
    browser.post(flows.url("account_logout"))
    flows.sign_in_password(browser, email=member.email)
    code = smtp.for_address(member.email)[-1].first_line
    for offset in (1, 2, 3):
        flows.submit_code(browser, code=wrong(code, offset))
    response = flows.submit_code(browser, code=code)
    assert response.status_code == 302
    assert response["Location"].startswith(flows.url("account_login"))
    assert browser.get(flows.url("home")).status_code == 302


def test_pending_codes_and_counts_are_not_kept_past_a_day(smtp, member, clock):
    flows.sign_in_password(Client(), email=member.email)
    clock.shift(24 * 60 * 60 + 1)
    flows.sign_in_password(Client(), email=member.email)
    assert CodeChallenge.objects.filter(user=member).count() == 1
    assert member.code_events.count() == 1
