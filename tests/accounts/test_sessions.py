"""People see their open sessions and can end the others (OWASP ASVS 7.5.2)."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY

from tests import flows
from tests.factories import MembershipFactory


def test_see_sessions_and_sign_out_of_the_others(signed_in):
    user = MembershipFactory(user__email="member@college.example").user
    laptop = signed_in(user)
    phone = signed_in(user)
    assert flows.url("account_sessions").encode() in laptop.get(flows.url("home")).content

    page = laptop.get(flows.url("account_sessions"))
    assert page.status_code == 200
    assert page.content.count(b"127.0.0.1") == 2
    assert b"Sign out of all other sessions" in page.content

    response = laptop.post(flows.url("account_sessions"), {"action": "end_others"})
    assert response.status_code == 302
    assert phone.get(flows.url("home")).status_code == 302
    assert SESSION_KEY not in phone.session
    assert laptop.get(flows.url("home")).status_code == 200
    page = laptop.get(flows.url("account_sessions"))
    assert page.content.count(b"127.0.0.1") == 1
    assert b"You have no other open session." in page.content
