"""10,000 guessed codes → 0 successes (issue 13, item 5).

An attacker who knows the passwords of several accounts guesses their emailed sign-in codes,
and an attacker who knows invitees' addresses guesses invitation codes, from many addresses
behind the load balancer (``TRUSTED_PROXY_COUNT=1``: the address is the one the proxy appended
to X-Forwarded-For; what the client wrote further left is never believed). Every guess is
answered (no 500) and none succeeds; what stopped them is counted: the 3 tries of a pending
sign-in, the per-account limits on wrong codes and on code emails (``accounts.codes``), and
the per-address rate limits (``ACCOUNT_RATE_LIMITS``).

The emailed code is fixed for the test (``KNOWN_CODE``) and never guessed, so that "0
successes" does not depend on luck; invitation codes are 12 characters of 29 (about 58 bits).
``GUESSES`` (default 10,000) can be raised for a longer run.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from django.test import Client

from loaportal.accounts.adapter import AccountAdapter
from loaportal.accounts.models import User
from loaportal.audit.models import AuditEvent
from loaportal.institutions.models import Membership
from loaportal.invitations.services import invitation_send
from tests import flows
from tests.factories import PASSWORD, InstitutionFactory, MembershipFactory

GUESSES = 10_000
# Through the pages (every middleware, about 30 ms a request here): fewer by default.
PAGE_GUESSES = int(os.environ.get("LOAPORTAL_GUESSED_CODES_PAGES", "600"))
KNOWN_CODE = "271828"
ACCOUNTS = 10
ADDRESSES = 20
INVITATIONS = 10
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def address(n: int) -> str:
    return f"198.51.{100 + n // 250}.{n % 250 + 1}"


class Attacker:
    """One source address (a test client behind the proxy) aimed at one account."""

    def __init__(self, n: int, email: str):
        self.address = address(n)
        self.email = email
        self.client = Client(REMOTE_ADDR="10.0.0.1")  # the load balancer
        self.pending = False
        self.throttled = False  # told "too many attempts" at the password: stops asking

    def post(self, path: str, data: dict):
        spoofed = f"203.0.113.{random.randint(1, 254)}"  # written by the client: ignored
        return self.client.post(path, data, HTTP_X_FORWARDED_FOR=f"{spoofed}, {self.address}")


@pytest.mark.django_db
def test_guessed_codes_through_the_pages_from_many_addresses(settings, monkeypatch):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(AccountAdapter, "generate_login_code", lambda self: KNOWN_CODE)
    rng = random.Random(13)
    emails = [
        MembershipFactory(user__email=f"target{i}@college.example").user.email
        for i in range(ACCOUNTS)
    ]
    institution = InstitutionFactory()
    invitees = [f"invitee{i}@college.example" for i in range(INVITATIONS)]
    for email in invitees:
        invitation_send(institution=institution, email=email, role=Membership.Role.SECONDARY)
    attackers = [Attacker(n, emails[n % ACCOUNTS]) for n in range(ADDRESSES)]
    login, confirm = flows.url("account_login"), flows.url("account_confirm_login_code")
    signup = flows.url("account_signup")
    statuses: dict[int, int] = {}
    sign_in_guesses = PAGE_GUESSES // 2
    password_steps = throttled_at_password = 0

    def count(status: int) -> None:
        statuses[status] = statuses.get(status, 0) + 1

    # Sign-in codes: each attacker keeps a pending sign-in open (the password), and guesses.
    for n in range(sign_in_guesses):
        attacker = attackers[n % ADDRESSES]
        if not attacker.pending and not attacker.throttled:
            password_steps += 1
            response = attacker.post(login, {"login": attacker.email, "password": PASSWORD})
            count(response.status_code)
            attacker.pending = response.status_code == 302 and response["Location"] == confirm
            attacker.throttled = not attacker.pending
            throttled_at_password += attacker.throttled
        guess = f"{rng.randrange(1_000_000):06d}"
        if guess == KNOWN_CODE:
            guess = "000000"
        response = attacker.post(confirm, {"action": "verify", "code": guess})
        count(response.status_code)
        if response.status_code == 302 and not response["Location"].startswith(login):
            pytest.fail(f"a guessed sign-in code signed in: {response['Location']}")
        attacker.pending = response.status_code == 200

    # Invitation codes: a sign-up with an invitee's address and a guessed code.
    rate_limited_signups = 0
    for n in range(PAGE_GUESSES - sign_in_guesses):
        attacker = attackers[n % ADDRESSES]
        code = "-".join("".join(rng.choice(ALPHABET) for _ in range(4)) for _ in range(3))
        response = attacker.post(
            signup,
            {
                "invitation_code": code,
                "email": invitees[n % INVITATIONS],
                "password1": "a long enough passphrase for guessing",
                "surname": "Guess",
                "given_names": "Ann",
                "phone_number": "613-555-0123",
            },
        )
        count(response.status_code)
        rate_limited_signups += response.status_code == 429
        assert response.status_code in (200, 429), response.status_code

    assert set(statuses) <= {200, 302, 429}, statuses  # every guess answered, never a 500
    # No success: nobody signed in, no account made from an invitation.
    assert not AuditEvent.objects.filter(event_type="signin_succeeded").exists()
    assert not User.objects.filter(email__in=invitees).exists()
    # What stopped them. Wrong codes actually compared: at most the per-account hourly limit
    # per account (the rest were refused before any comparison).
    compared = AuditEvent.objects.filter(
        event_type="code_failed", details__purpose="sign_in"
    ).count()
    assert compared <= ACCOUNTS * settings.CODE_FAILURES_PER_ACCOUNT_HOUR, compared
    assert password_steps >= ADDRESSES
    sent = AuditEvent.objects.filter(event_type="code_sent", details__purpose="sign_in").count()
    assert sent <= ACCOUNTS * settings.CODE_EMAILS_PER_ACCOUNT_HOUR
    # The per-address sign-up limit answered the rest of each address's guesses.
    per_address = (PAGE_GUESSES - sign_in_guesses) // ADDRESSES
    assert rate_limited_signups == ADDRESSES * max(0, per_address - 20), rate_limited_signups


@pytest.mark.django_db
def test_ten_thousand_guessed_codes_give_no_success(rf, settings):
    """The same guesses, 10,000 of them, at the services the pages call (the code comparison
    with its per-sign-in and per-account caps, the invitation lookup, the per-address rate
    limit with the address read through the proxy): 0 successes, and each refusal accounted
    for by a cap or a limit."""
    from allauth.core import ratelimit

    from loaportal.accounts.codes import (
        CodeOutcome,
        code_challenge_check,
        code_challenge_open,
        code_email_allow,
    )
    from loaportal.accounts.models import CodeChallenge
    from loaportal.invitations.services import InvitationError, invitation_check

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    rng = random.Random(10_000)
    accounts = [MembershipFactory(user__email=f"many{i}@college.example").user for i in range(100)]
    institution = InstitutionFactory()
    invitees = [f"invited{i}@college.example" for i in range(50)]
    for email in invitees:
        invitation_send(institution=institution, email=email, role=Membership.Role.SECONDARY)
    outcomes: dict[str, int] = {}
    pending: dict[int, str | None] = {}
    for n in range(GUESSES // 2):
        user = accounts[n % len(accounts)]
        # The attacker knows the password: a new pending sign-in, if a code email is allowed.
        if pending.get(user.pk) is None and code_email_allow(
            user=user, challenge_id=None, known_device=False
        ):
            pending[user.pk] = str(
                code_challenge_open(
                    user=user,
                    purpose=CodeChallenge.Purpose.SIGN_IN,
                    max_attempts=settings.ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS,
                ).pk
            )
            from loaportal.accounts.models import AccountCodeEvent

            AccountCodeEvent.objects.create(user=user, kind=AccountCodeEvent.Kind.CODE_SENT)
        guess = f"{rng.randrange(1_000_000):06d}"
        check = code_challenge_check(
            challenge_id=pending.get(user.pk),
            entered=guess,
            expected=KNOWN_CODE if guess != KNOWN_CODE else "000000",
            known_device=False,
        )
        outcomes[check.outcome] = outcomes.get(check.outcome, 0) + 1
        if check.outcome in (CodeOutcome.REFUSED, CodeOutcome.THROTTLED):
            pending[user.pk] = None
    assert CodeOutcome.ACCEPTED not in outcomes and CodeOutcome.USED not in outcomes
    # At most 10 wrong codes compared per account in the hour; every other guess was refused
    # without a comparison (the sign-in abandoned after 3, or the account's limit reached).
    assert outcomes[CodeOutcome.WRONG] <= len(accounts) * settings.CODE_FAILURES_PER_ACCOUNT_HOUR
    assert outcomes[CodeOutcome.REFUSED] + outcomes.get(CodeOutcome.THROTTLED, 0) == (
        GUESSES // 2 - outcomes[CodeOutcome.WRONG]
    )

    limited = found = 0
    addresses = 200
    # The clock stands still: "20 a minute" below counts every guess in the same minute.
    import time_machine

    frozen = time_machine.travel(time.time(), tick=False)
    frozen.start()
    for n in range(GUESSES - GUESSES // 2):
        source = address(n % addresses)
        request = rf.post(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.9, {source}"
        )
        if not ratelimit.consume(request, action="signup"):
            limited += 1
            continue
        code = "-".join("".join(rng.choice(ALPHABET) for _ in range(4)) for _ in range(3))
        try:
            invitation_check(code=code, email=invitees[n % len(invitees)])
            found += 1
        except InvitationError as exc:
            assert exc.code == "unknown"
    frozen.stop()
    assert found == 0
    # 25 guesses from each of 200 addresses: 20 a minute are let through, 5 are limited.
    assert limited == addresses * (((GUESSES - GUESSES // 2) // addresses) - 20)
