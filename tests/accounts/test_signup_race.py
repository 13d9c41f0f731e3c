"""Two simultaneous sign-ups with the same address (a double click) on PostgreSQL: one account,
and the other request is told the account exists — not an IntegrityError 500."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from loaportal.accounts.models import User
from loaportal.institutions.models import Membership
from loaportal.invitations import forms as account_forms
from loaportal.invitations.services import invitation_send
from tests import flows
from tests.concurrency import run_concurrently
from tests.factories import InstitutionFactory


def test_a_double_clicked_sign_up_creates_one_account_and_says_so(
    transactional_db, smtp, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    sent = invitation_send(
        institution=InstitutionFactory(), email="rep@college.example", role=Membership.Role.PRIMARY
    )
    # Both requests pass validation before either creates the account.
    both_checked = threading.Barrier(2, timeout=10)
    check = account_forms.invitation_check

    def check_then_wait(**kwargs):
        invitation = check(**kwargs)
        both_checked.wait()
        return invitation

    monkeypatch.setattr(account_forms, "invitation_check", check_then_wait)

    def sign_up():
        client = Client()
        response = flows.sign_up(client, code=sent.code, email="rep@college.example")
        page = client.get(response["Location"]) if response.status_code == 302 else response
        return response.status_code, response.get("Location"), page.content.decode()

    results = run_concurrently(sign_up, count=2)
    assert all(isinstance(result, tuple) for result in results), results
    assert User.objects.filter(email="rep@college.example").count() == 1
    locations = sorted(location for _, location, _ in results)
    assert locations == sorted(
        [flows.url("account_email_verification_sent"), flows.url("account_login")]
    )
    (told,) = [page for _, location, page in results if location == flows.url("account_login")]
    assert "An account with this email address already exists" in told
