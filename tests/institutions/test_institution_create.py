"""A DLI number taken between ``institution_create``'s check and its insert: the clear
``MSG_DLI_EXISTS`` on the number, never a 500."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from loaportal.audit.models import AuditEvent
from loaportal.institutions.models import Institution
from loaportal.institutions.services import MSG_DLI_EXISTS, InstitutionError, institution_create
from loaportal.invitations.models import Invitation
from tests import flows
from tests.concurrency import run_concurrently
from tests.factories import InstitutionFactory, OfficerFactory

NUMBER = "O19390898172"


def _assert_dli_exists(exc: InstitutionError) -> None:
    assert (exc.code, exc.message, exc.field) == ("dli_exists", MSG_DLI_EXISTS, "dli_number")


@pytest.fixture
def created_meanwhile(monkeypatch):
    """Another officer creates the same DLI once this one has passed every check."""
    full_clean = Institution.full_clean

    def full_clean_then_competitor(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        if self.pk is None and not Institution.objects.filter(dli_number=self.dli_number).exists():
            InstitutionFactory(dli_number=self.dli_number, name_en="Competitor College")

    monkeypatch.setattr(Institution, "full_clean", full_clean_then_competitor)


@pytest.mark.django_db
def test_service_maps_the_unique_constraint_to_the_clear_error(created_meanwhile):
    with pytest.raises(InstitutionError) as exc:
        institution_create(dli_number=NUMBER.lower(), name_en="Maple College")
    _assert_dli_exists(exc.value)
    assert list(Institution.objects.values_list("name_en", flat=True)) == ["Competitor College"]
    # The caller's transaction is still usable, and nothing was recorded for the loser.
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.INSTITUTION_CREATED).exists()


@pytest.mark.django_db
def test_create_dli_command_says_the_dli_exists(created_meanwhile):
    with pytest.raises(CommandError, match="A DLI with this number already exists."):
        call_command(
            "create_dli", "--number", NUMBER, "--name", "X", "--primary-email", "a@b.example"
        )
    assert not Invitation.objects.exists()


def test_onboarding_page_shows_the_message_on_the_number(signed_in, created_meanwhile):
    client = signed_in(OfficerFactory())
    response = client.post(
        flows.url("officers:dli_onboard"),
        {
            "dli_number": NUMBER,
            "name_en": "Maple College",
            "name_fr": "",
            "province": "ON",
            "primary_email": "rep@maple.example",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert str(MSG_DLI_EXISTS).encode() in response.content
    assert response.context["form"].errors["dli_number"] == [str(MSG_DLI_EXISTS)]
    # (The simulated competitor wrote in this request's transaction, so it rolled back too.)
    assert not Invitation.objects.exists()


def test_two_simultaneous_creations_of_one_dli(transactional_db, monkeypatch):
    """Real concurrent writers: both pass the check, one insert wins, the other gets the
    clear error."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    both_checked = threading.Barrier(2, timeout=10)
    full_clean = Institution.full_clean

    def full_clean_then_wait(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        both_checked.wait()

    monkeypatch.setattr(Institution, "full_clean", full_clean_then_wait)
    results = run_concurrently(
        lambda: institution_create(dli_number=NUMBER, name_en="Maple College")
    )

    created = [r for r in results if isinstance(r, Institution)]
    refused = [r for r in results if isinstance(r, InstitutionError)]
    assert len(created) == 1 and len(refused) == 1, results
    _assert_dli_exists(refused[0])
    assert Institution.objects.filter(dli_number=NUMBER).count() == 1
