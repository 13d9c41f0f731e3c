"""New requests are announced by email to the DLI's users, grouped: at most one email per user
per hour, however many requests arrive, across processes."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from loaportal.notifications.models import OutgoingEmail
from loaportal.verifications import services
from loaportal.verifications.jobs import verifications_periodic
from loaportal.verifications.models import VerificationAnnouncement
from loaportal.verifications.services import (
    verification_announcements_send,
    verification_requests_import,
)
from tests.concurrency import run_concurrently
from tests.factories import dli_with_users
from tests.verifications.helpers import make_request, pdf_bytes

KIND = "verifications/email/new_requests"


def batch(tmp_path, institution, *, start: int, count: int):
    documents = tmp_path / f"batch-{start}"
    documents.mkdir()
    rows = []
    for number in range(start, start + count):
        (documents / f"{number}.pdf").write_bytes(pdf_bytes(f"Letter {number}"))
        rows.append(
            {
                "application_number": f"S3{number:08d}",
                "dli_number": institution.dli_number,
                "surname": "Nguyen",
                "given_names": "An",
                "date_of_birth": "2005-01-31",
                "document": f"{number}.pdf",
            }
        )
    return verification_requests_import(rows=rows, documents_dir=documents)


def test_one_email_per_user_per_hour_however_many_requests(mail, clock, tmp_path, settings):
    dli = dli_with_users(secondaries=2)
    users = [dli.primary, *dli.secondaries]
    bystander = dli_with_users(name="elsewhere", secondaries=0).primary

    batch(tmp_path, dli.institution, start=50000, count=50)
    for user in users:
        received = mail.for_address(user.email)
        assert len(received) == 1, user.email
        assert "50 new letters of acceptance to verify" in received[0].subject
        assert "50 requests are waiting for a decision" in received[0].text
        assert (
            f"{dli.institution.name_en} has received 50 new letters of acceptance to verify"
            in received[0].text
        )
        assert settings.PORTAL_URL in received[0].text
    assert mail.for_address(bystander.email) == []
    assert len(mail.messages) == 3

    # Another batch, and a request by hand, within the hour: no email yet.
    clock.shift(timedelta(minutes=30))
    batch(tmp_path, dli.institution, start=60000, count=5)
    make_request(dli.institution)
    verifications_periodic()  # the worker's job
    assert [len(mail.for_address(u.email)) for u in users] == [1, 1, 1]

    # The hour passes: the worker sends one email for what waited.
    clock.shift(timedelta(minutes=31))
    verifications_periodic()
    verifications_periodic()
    for user in users:
        received = mail.for_address(user.email)
        assert len(received) == 2
        assert "6 new letters of acceptance to verify" in received[1].subject
    # Nothing new: nothing more, however often the job runs.
    clock.shift(timedelta(hours=2))
    verifications_periodic()
    assert len(mail.messages) == 6


def test_a_request_after_a_quiet_hour_is_announced_at_once(mail, clock):
    dli = dli_with_users(secondaries=0)
    make_request(dli.institution)
    assert len(mail.for_address(dli.primary.email)) == 1
    clock.shift(timedelta(hours=1, seconds=1))
    make_request(dli.institution)
    received = mail.for_address(dli.primary.email)
    assert len(received) == 2
    assert "1 new letter of acceptance to verify" in received[1].subject


def test_email_in_the_users_language(mail):
    dli = dli_with_users(secondaries=1)
    dli.secondaries[0].preferred_language = "fr"
    dli.secondaries[0].save()
    make_request(dli.institution)
    english = mail.for_address(dli.primary.email)[0]
    french = mail.for_address(dli.secondaries[0].email)[0]
    assert "new letter of acceptance to verify" in english.subject
    assert "nouvelle lettre d'acceptation à vérifier" in french.subject
    assert f"{dli.institution.name_fr} a reçu d'IRCC 1 nouvelle lettre" in french.text


@pytest.mark.django_db(transaction=True)
def test_two_processes_sending_at_once_send_one_email(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    dli = dli_with_users(secondaries=0)
    make_request(dli.institution)
    # An hour later a second request waits; two workers find the user due at the same time.
    announcement = VerificationAnnouncement.objects.get(user=dli.primary)
    announcement.last_sent_at = timezone.now() - timedelta(hours=2)
    announcement.pending_since = timezone.now() - timedelta(minutes=5)
    announcement.save()
    both_found = threading.Barrier(2, timeout=5)
    real_claim = services._announcement_claim

    def find_then_claim(found, *, now):
        both_found.wait()
        return real_claim(found, now=now)

    monkeypatch.setattr(services, "_announcement_claim", find_then_claim)
    results = run_concurrently(verification_announcements_send)
    assert sorted(results) == [0, 1], results
    assert OutgoingEmail.objects.filter(kind=KIND, recipients=dli.primary.email).count() == 2
