"""The ``signed_in`` fixture leaves a client exactly where the whole sign-in journey does.

Most page tests start from a signed-in user without the pages (``flows.sign_in_quickly``);
this compares its result with the journey's (password, emailed code, terms), so that a
change to what a sign-in leaves behind shows up here, not as a page test passing for the
wrong reason.
"""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from loaportal.audit.models import AuditEvent
from loaportal.terms.models import TermsAcceptance
from tests import flows
from tests.factories import MembershipFactory, UserFactory


def _state(client: Client, user) -> dict:
    home = client.get(flows.url("home")).status_code
    session = client.session
    return {
        "session_keys": sorted(session.keys()),
        "user": session["_auth_user_id"],
        "methods": [r["method"] for r in session["account_authentication_methods"]],
        "expires_at_browser_close": session.get_expire_at_browser_close(),
        "tracked": list(
            UserSession.objects.filter(user=user, session_key=session.session_key).values_list(
                "user_id", flat=True
            )
        ),
        "terms": TermsAcceptance.objects.filter(user=user).count(),
        "home": home,
    }


def test_quick_sign_in_leaves_what_the_journey_leaves(mail, signed_in):
    journey_user = MembershipFactory(user__email="journey@college.example").user
    quick_user = MembershipFactory(user__email="quick@college.example").user
    journey = Client()
    flows.sign_in(journey, mail, email=journey_user.email)
    quick = signed_in(quick_user)

    journey_state, quick_state = _state(journey, journey_user), _state(quick, quick_user)
    assert journey_state["session_keys"] == quick_state["session_keys"]
    assert journey_state["methods"] == quick_state["methods"] == ["password", "code"]
    assert journey_state == {
        **quick_state,
        "user": str(journey_user.pk),
        "tracked": [journey_user.pk],
    }
    assert quick_state["tracked"] == [quick_user.pk] and quick_state["home"] == 200
    # The sign-in and the terms are audited as after the journey.
    for user in (journey_user, quick_user):
        kinds = set(
            AuditEvent.objects.filter(target_user=user).values_list("event_type", flat=True)
        )
        assert {AuditEvent.Type.SIGNIN_SUCCEEDED, AuditEvent.Type.TERMS_ACCEPTED} <= kinds


def test_quick_sign_in_can_leave_the_terms_to_accept(signed_in):
    user = UserFactory()
    client = signed_in(user, accept_terms=False)
    assert client.get(flows.url("home"))["Location"].startswith(flows.url("terms"))


def test_ending_sessions_signs_a_quick_client_out(signed_in):
    from loaportal.accounts.services import user_sessions_end

    user = UserFactory()
    laptop, phone = signed_in(user), signed_in(user)
    assert user_sessions_end(user=user) == 2
    for client in (laptop, phone):
        assert client.get(flows.url("home")).status_code == 302


@pytest.mark.django_db
def test_tests_hash_passwords_cheaply_but_the_portal_does_not():
    """The cheap test hasher never reaches the product's settings."""
    from loaportal import settings as portal_settings

    assert portal_settings.PASSWORD_HASHERS == [
        "loaportal.accounts.hashers.PortalArgon2PasswordHasher"
    ]
    assert identify_hasher(UserFactory().password).memory_cost == 8
