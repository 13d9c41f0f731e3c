"""The same batch sent twice at once (PostgreSQL, real concurrent transactions): each request
is decided exactly once, and the call that lost each race says the decision was already
recorded with the same outcome."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from loaportal.api.models import ApiToken
from loaportal.api.services import api_token_create
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from tests.factories import dli_with_users
from tests.verifications.helpers import make_request


@pytest.fixture(autouse=True)
def _documents_dir(settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_twice_at_once_decides_each_request_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    dli = dli_with_users(name="race-college", secondaries=0)
    token = api_token_create(
        institution=dli.institution, name="SIS", scope=ApiToken.Scope.DECIDE, created_by=dli.primary
    ).value
    requests = [make_request(dli.institution) for _ in range(40)]
    body = json.dumps(
        {
            "decisions": [
                {"application_number": r.application_number, "outcome": "verified_matched"}
                for r in requests
            ]
        }
    )
    barrier = threading.Barrier(2)
    answers: list[dict] = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            response = Client(HTTP_HOST="127.0.0.1").post(
                "/api/v1/dli/decisions",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 200, response.content
            answers.append(response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 2
    assert answers[0]["recorded"] + answers[1]["recorded"] == len(requests)
    for index in range(len(requests)):
        pair = sorted(
            (a["results"][index]["recorded"], a["results"][index]["code"] or "") for a in answers
        )
        assert pair == [(False, "already_decided_same_outcome"), (True, "")], (index, pair)
    assert VerificationEvent.objects.filter(kind="decided").count() == len(requests)
    assert set(VerificationRequest.objects.values_list("status", flat=True)) == {"verified_matched"}
