"""One email per DLI holds under two simultaneous invitations (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from loaportal.invitations import services
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import (
    MSG_ALREADY_INVITED,
    InvitationError,
    SentInvitation,
    invitation_send,
)
from tests.concurrency import run_concurrently
from tests.factories import InstitutionFactory


def test_two_simultaneous_invitations_to_one_email_cannot_both_succeed(
    transactional_db, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    institution = InstitutionFactory()
    # Both requests pass the application's check before either inserts: only the database's
    # partial unique constraint can now stop the second one.
    both_checked = threading.Barrier(2, timeout=10)
    check = services._ensure_invitable

    def check_then_wait(**kwargs):
        check(**kwargs)
        both_checked.wait()

    monkeypatch.setattr(services, "_ensure_invitable", check_then_wait)
    results = run_concurrently(
        lambda: invitation_send(institution=institution, email="same@college.example")
    )

    sent = [r for r in results if isinstance(r, SentInvitation)]
    refused = [r for r in results if isinstance(r, InvitationError)]
    assert len(sent) == 1 and len(refused) == 1, results
    assert (refused[0].code, refused[0].message, refused[0].field) == (
        "already_invited",
        MSG_ALREADY_INVITED,
        "email",
    )
    assert Invitation.objects.filter(email="same@college.example").count() == 1
