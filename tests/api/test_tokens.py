"""Tokens: 401 for a missing, made-up, revoked or expired token (or one whose creator lost
access), 403 on the wrong side or with too small a scope, 429 past the rate limit; hashed at
rest; last use recorded at most once a minute; the audit trail names the token."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from loaportal.api.models import ApiToken
from loaportal.api.services import api_token_revoke
from loaportal.audit.models import AuditEvent
from loaportal.institutions.models import Membership
from tests.api.conftest import Api
from tests.verifications.helpers import make_request

LIST = "/dli/verification-requests"


def test_token_is_stored_only_as_a_hash(world):
    created = world["tokens"]["a_read"]
    row = ApiToken.objects.get(pk=created.token.pk)
    assert created.value.startswith(f"loa_{row.prefix}_")
    assert row.secret_hash == hashlib.sha256(created.value.encode()).hexdigest()
    assert created.value not in str(ApiToken.objects.filter(pk=row.pk).values().get())


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("", "token_missing"),
        ("loa_123456789abc_madeup", "token_invalid"),
        ("not-even-shaped", "token_invalid"),
    ],
)
def test_missing_or_made_up_tokens_get_401(client, world, token, code):
    response = Api(client=client, token=token).get(LIST)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_a_wrong_secret_gets_401(client, world):
    value = world["tokens"]["a_read"].value
    response = Api(client=client, token=value[:-2] + "xx").get(LIST)
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"


def test_revoked_token_gets_401(client, world, api_as):
    api = api_as("a_read")
    assert api.get(LIST).status_code == 200
    api_token_revoke(token=world["tokens"]["a_read"].token, revoked_by=world["a"].primary)
    response = api.get(LIST)
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"
    event = AuditEvent.objects.filter(event_type="api_token_revoked").get()
    assert event.details["api_token"]["name"] == "A read"


def test_expired_token_gets_401(world, api_as, time_machine):
    api = api_as("a_read")
    time_machine.move_to(timezone.now() + timedelta(days=366))
    response = api.get(LIST)
    assert response.status_code == 401 and response.json()["code"] == "token_expired"


def test_token_of_a_user_who_left_gets_401(world, api_as):
    Membership.objects.filter(user=world["a"].primary).update(
        ended_at=timezone.now(), end_reason="removed"
    )
    response = api_as("a_read").get(LIST)
    assert response.status_code == 401 and response.json()["code"] == "token_owner_inactive"


def test_dli_token_cannot_reach_ircc_paths_nor_ircc_token_dli_paths(world, api_as):
    for path in ("/ircc/verification-requests", "/ircc/verification-requests/S300000001"):
        response = api_as("a_decide").get(path)
        assert response.status_code == 403 and response.json()["code"] == "wrong_side"
    response = api_as("a_decide").post_multipart("/ircc/verification-requests", {})
    assert response.status_code == 403
    for path in (LIST, "/dli/verification-requests/S300000001"):
        response = api_as("ircc").get(path)
        assert response.status_code == 403 and response.json()["code"] == "wrong_side"
    response = api_as("ircc").post("/dli/decisions", {"decisions": []})
    assert response.status_code == 403


def test_read_token_cannot_decide(world, api_as):
    request = make_request(world["a"].institution)
    api = api_as("a_read")
    body = {
        "decisions": [
            {"application_number": request.application_number, "outcome": "verified_matched"}
        ]
    }
    response = api.post("/dli/decisions", body)
    assert response.status_code == 403 and response.json()["code"] == "scope_insufficient"
    response = api.post(
        f"/dli/verification-requests/{request.application_number}/decision",
        {"outcome": "verified_matched"},
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"


def test_messages_follow_accept_language(world, api_as, client):
    response = Api(client=client, token="", language="fr").get(LIST)
    assert response.json()["code"] == "token_missing"
    assert "jeton" in response.json()["message"].lower()
    response = Api(client=client, token="", language="en").get(LIST)
    assert "token" in response.json()["message"].lower()


def test_rate_limit_answers_429_with_retry_after(world, api_as, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api = api_as("a_read")
    assert [api.get(LIST).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(LIST)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    # Another token has its own allowance.
    assert api_as("a_decide").get(LIST).status_code == 200


def test_last_use_is_written_at_most_once_a_minute(world, api_as, time_machine):
    api = api_as("a_read")
    token = world["tokens"]["a_read"].token
    api.get(LIST)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    time_machine.move_to(timezone.now() + timedelta(seconds=20))
    api.get(LIST)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    api.get(LIST)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_audit_entries_name_the_token_and_its_dli(world, api_as):
    request = make_request(world["a"].institution)
    api = api_as("a_decide")
    api.get(f"/dli/verification-requests/{request.application_number}/document")
    api.post(
        "/dli/decisions",
        {
            "decisions": [
                {"application_number": request.application_number, "outcome": "verified_matched"}
            ]
        },
    )
    for kind in ("verification_document_viewed", "verification_decided"):
        event = AuditEvent.objects.get(event_type=kind)
        assert event.details["api_token"]["name"] == "A SIS"
        assert event.details["api_token"]["id"] == world["tokens"]["a_decide"].token.pk
        assert event.details["api_token"]["dli_number"] == world["a"].institution.dli_number
        assert event.actor == world["a"].primary
    # A page's action afterwards names no token.
    assert (
        "api_token" not in AuditEvent.objects.get(event_type="verification_request_created").details
    )
