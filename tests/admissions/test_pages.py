"""Matching help: upload, suggestions, confirmation through verification_decide (never
automatic), isolation, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from loaportal.admissions.models import Admission, AdmissionsList, MatchSuggestion
from loaportal.admissions.services import admissions_confirm, admissions_purge
from loaportal.audit.models import AuditEvent
from loaportal.verifications.models import VerificationRequest
from tests import flows
from tests.decision_files.support import pending
from tests.factories import dli_with_users

pytestmark = pytest.mark.django_db

LIST = (
    "name,date_of_birth,student_id,program,start_date,status\n"
    "Élodie Gagnon,2004-05-17,ID1,Nursing,2027-09-01,admitted\n"
    "Jean Roy,2003-01-02,ID2,Nursing,2027-09-01,withdrawn\n"
).encode()


@pytest.fixture
def world():
    dli = dli_with_users(name="maple", secondaries=0)
    from datetime import date

    matched = pending(
        dli.institution, surname="Gagnon", given_names="Élodie", date_of_birth=date(2004, 5, 17)
    )
    withdrawn = pending(
        dli.institution, surname="Roy", given_names="Jean", date_of_birth=date(2003, 1, 2)
    )
    missing = pending(
        dli.institution, surname="Zhang", given_names="Wei", date_of_birth=date(2001, 7, 7)
    )
    return dli, matched, withdrawn, missing


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_suggestions_then_a_person_confirms(signed_in, world, lang):
    dli, matched, withdrawn, missing = world
    client = signed_in(dli.primary)
    index = flows.url("admissions:index", lang)
    assert client.get(index).status_code == 200
    client.post(index, {"file": SimpleUploadedFile("admitted.csv", LIST)})
    suggestions = {s.request_id: s for s in MatchSuggestion.objects.all()}
    assert {k: s.outcome for k, s in suggestions.items()} == {
        matched.pk: "verified_matched",
        withdrawn.pk: "not_verified_cancelled",
        missing.pk: "not_verified_no_match",
    }
    assert "name" in suggestions[matched.pk].agreeing and suggestions[matched.pk].score == 100
    # Nothing decided until a person confirms.
    assert not VerificationRequest.objects.filter(decided_at__isnull=False).exists()
    page = client.get(index).content.decode()
    assert matched.application_number in page and "Élodie Gagnon" in page
    client.post(
        index,
        {"action": "confirm", "confirm": [suggestions[matched.pk].pk, suggestions[missing.pk].pk]},
    )
    statuses = dict(VerificationRequest.objects.values_list("pk", "status"))
    assert statuses == {
        matched.pk: "verified_matched",
        withdrawn.pk: "pending",
        missing.pk: "not_verified_no_match",
    }
    assert VerificationRequest.objects.get(pk=missing.pk).decision_comment
    assert AuditEvent.objects.filter(event_type="verification_decided").count() == 2
    # The decided requests leave the list of suggestions.
    page = client.get(index).content.decode()
    assert matched.application_number not in page and withdrawn.application_number in page


def test_another_dli_can_neither_see_nor_confirm(signed_in, world):
    dli, matched, _withdrawn, _missing = world
    signed_in(dli.primary).post(
        flows.url("admissions:index", "en"), {"file": SimpleUploadedFile("a.csv", LIST)}
    )
    stranger = dli_with_users(name="birch", secondaries=0).primary
    page = signed_in(stranger).get(flows.url("admissions:index", "en")).content.decode()
    assert matched.application_number not in page and "Gagnon" not in page
    result = admissions_confirm(
        user=stranger, suggestion_ids=MatchSuggestion.objects.values_list("pk", flat=True)
    )
    assert result.recorded == 0
    assert not VerificationRequest.objects.filter(decided_at__isnull=False).exists()


def test_the_list_is_deleted_after_its_retention(signed_in, world, settings):
    settings.ADMISSIONS_RETENTION_DAYS = 7
    dli, *_ = world
    signed_in(dli.primary).post(
        flows.url("admissions:index", "en"), {"file": SimpleUploadedFile("a.csv", LIST)}
    )
    assert admissions_purge() == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert admissions_purge() == 1
    assert not AdmissionsList.objects.exists() and not Admission.objects.exists()
    assert not MatchSuggestion.objects.exists()
    assert AuditEvent.objects.filter(event_type="admissions_list_deleted").count() == 1


def test_a_file_without_the_columns_is_refused(signed_in, world):
    dli, *_ = world
    response = signed_in(dli.primary).post(
        flows.url("admissions:index", "en"),
        {"file": SimpleUploadedFile("a.csv", b"student,x\n1,2\n")},
    )
    assert (
        response.status_code == 200
        and "The first row must name the columns" in response.content.decode()
    )
    assert not AdmissionsList.objects.exists()
