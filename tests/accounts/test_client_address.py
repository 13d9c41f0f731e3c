"""The client's address behind trusted proxies, and a per-account password limit that does not
lock the owner out (issue 6, item 5)."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory

from loaportal.audit.models import AuditEvent
from loaportal.core.client_ip import request_client_ip
from tests import flows
from tests.factories import PASSWORD, MembershipFactory

TOO_MANY = b"Too many attempts. For your security, wait a few minutes, then try again."
MISMATCH = b"The email address or password is not correct."
WRONG_PASSWORD = "not the password at all"


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "198.51.100.7", "192.0.2.1"),  # off by default: the header is ignored
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entry
        (2, "10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.3", "198.51.100.7", "198.51.100.7"),  # fewer entries than proxies
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_client_address_through_trusted_proxies(settings, proxies, remote, forwarded, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert request_client_ip(request) == expected


def via_proxy(client_address: str) -> Client:
    """A browser at ``client_address`` behind one reverse proxy at 10.0.0.2."""
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}")


def test_behind_a_proxy_each_client_has_its_own_limit_and_audit_address(db, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = via_proxy("198.51.100.7")
    for number in range(10):
        response = flows.sign_in_password(
            attacker, email=f"nobody{number}@college.example", password=WRONG_PASSWORD
        )
        assert MISMATCH in response.content
    blocked = flows.sign_in_password(
        attacker, email="nobody@college.example", password=WRONG_PASSWORD
    )
    assert blocked.status_code == 429 or TOO_MANY in blocked.content

    # Another client behind the same proxy is not blocked.
    other = flows.sign_in_password(
        via_proxy("198.51.100.8"), email="someone@college.example", password=WRONG_PASSWORD
    )
    assert other.status_code == 200 and MISMATCH in other.content
    addresses = set(
        AuditEvent.objects.filter(event_type=AuditEvent.Type.SIGNIN_FAILED).values_list(
            "ip_address", flat=True
        )
    )
    assert addresses == {"198.51.100.7", "198.51.100.8"}


def test_without_trusted_proxies_a_forged_header_changes_nothing(db, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for number in range(10):
        flows.sign_in_password(
            Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}"),
            email=f"nobody{number}@college.example",
            password=WRONG_PASSWORD,
        )
    blocked = flows.sign_in_password(
        Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.99"),
        email="nobody@college.example",
        password=WRONG_PASSWORD,
    )
    assert blocked.status_code == 429 or TOO_MANY in blocked.content
    addresses = set(
        AuditEvent.objects.filter(event_type=AuditEvent.Type.SIGNIN_FAILED).values_list(
            "ip_address", flat=True
        )
    )
    assert addresses == {"192.0.2.1"}


def test_wrong_passwords_from_many_addresses_do_not_lock_out_the_owners_browser(smtp):
    member = MembershipFactory(user__email="member@college.example").user
    own_browser = Client(REMOTE_ADDR="198.51.100.10")
    flows.sign_in(own_browser, smtp, email=member.email)
    own_browser.post(flows.url("account_logout"))

    for number in range(10):
        flows.sign_in_password(
            Client(REMOTE_ADDR=f"203.0.113.{number}"), email=member.email, password=WRONG_PASSWORD
        )
    # The account's limit is reached: a new browser is slowed down, even with the password ...
    newcomer = Client(REMOTE_ADDR="203.0.113.50")
    response = flows.sign_in_password(newcomer, email=member.email)
    assert response.status_code == 200 and TOO_MANY in response.content
    assert SESSION_KEY not in newcomer.session
    # ... an address with no account gets the same answer (the limit reveals no account) ...
    for number in range(10):
        flows.sign_in_password(
            Client(REMOTE_ADDR=f"203.0.113.{100 + number}"),
            email="ghost@college.example",
            password=WRONG_PASSWORD,
        )
    ghost = flows.sign_in_password(
        Client(REMOTE_ADDR="203.0.113.51"), email="ghost@college.example", password=PASSWORD
    )
    assert TOO_MANY in ghost.content
    # ... and the owner's browser, which signed in before, signs in as usual.
    flows.sign_in(own_browser, smtp, email=member.email)
    assert own_browser.get(flows.url("home")).status_code == 200


def test_a_forged_known_browser_cookie_is_ignored(smtp):
    member = MembershipFactory(user__email="member@college.example").user
    for number in range(10):
        flows.sign_in_password(
            Client(REMOTE_ADDR=f"203.0.113.{number}"), email=member.email, password=WRONG_PASSWORD
        )
    forger = Client(REMOTE_ADDR="203.0.113.60")
    forger.cookies["loaportal_known"] = "W10:1tamper:forged"
    response = flows.sign_in_password(forger, email=member.email)
    assert TOO_MANY in response.content
