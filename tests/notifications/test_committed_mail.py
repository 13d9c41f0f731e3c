"""The ``mail`` fixture delivers what a commit would deliver, and nothing else.

Ordinary tests run inside one transaction that is rolled back, so email queued "on commit"
would never leave; ``mail`` runs the on-commit callbacks of the blocks that completed before
reading the loopback SMTP server (see ``tests.conftest.CommittedMail``).
"""

from __future__ import annotations

import pytest
from django.db import transaction

from loaportal.notifications.services import RenderedEmail, email_send


def _send(to: str, subject: str) -> None:
    email_send(to=to, email=RenderedEmail(subject=subject, body=f"{subject}\n"))


def test_email_of_a_completed_block_is_delivered_once(mail):
    with transaction.atomic():
        _send("a@college.example", "first")
    _send("a@college.example", "second")  # outside any block: on the test's transaction
    assert [m.subject for m in mail.for_address("a@college.example")] == ["first", "second"]
    assert mail.wait_for("a@college.example", count=2).first_line == "second"
    assert len(mail.for_address("a@college.example")) == 2  # reading again sends nothing again


def test_email_of_a_block_that_rolled_back_never_leaves(mail):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send("b@college.example", "rolled back")
        raise RuntimeError
    _send("b@college.example", "kept")
    assert [m.subject for m in mail.for_address("b@college.example")] == ["kept"]


def test_email_queued_inside_a_delivery_is_delivered_too(mail):
    """A callback that queues another (email sent from a delivery) is followed, as on commit."""
    transaction.on_commit(lambda: _send("c@college.example", "nested"))
    assert [m.subject for m in mail.for_address("c@college.example")] == ["nested"]
