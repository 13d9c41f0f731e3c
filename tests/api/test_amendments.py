"""Extension and correction requests through the API: the token's user asks, with the rules
of the pages; another DLI's are invisible; a read token cannot ask; the audit names the token;
the decision reaches the DLI's webhook."""

from __future__ import annotations

import json

from loaportal.amendments.services import extension_request_decide
from loaportal.audit.models import AuditEvent
from loaportal.verifications.services import verification_decide
from loaportal.webhooks.services import webhook_endpoint_register
from tests.factories import OfficerFactory
from tests.verifications.helpers import make_request
from tests.webhooks.receiver import receiver


def test_extension_requests_create_list_read(world, api_as, django_capture_on_commit_callbacks):
    request = make_request(world["a"].institution)
    api = api_as("a_decide")
    body = {
        "application_number": request.application_number,
        "days": 5,
        "ground": "labour_dispute",
        "explanation": "Our registrar's office is on strike.",
    }
    assert api_as("a_read").post("/dli/extension-requests", body).status_code == 403
    response = api.post("/dli/extension-requests", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "submitted" and created["days_requested"] == 5
    again = api.post("/dli/extension-requests", body)
    assert again.status_code == 409 and again.json()["code"] == "already_open"
    bad = api.post("/dli/extension-requests", {**body, "ground": "holidays"})
    assert bad.status_code in (409, 422)
    listed = api_as("a_read").get("/dli/extension-requests").json()["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    assert api_as("a_read").get(f"/dli/extension-requests/{created['id']}").status_code == 200
    assert api_as("b_decide").get(f"/dli/extension-requests/{created['id']}").status_code == 404
    assert api_as("b_decide").get("/dli/extension-requests").json()["items"] == []
    event = AuditEvent.objects.get(event_type="extension_requested")
    assert event.details["api_token"]["name"] == "A SIS"
    assert event.actor == world["a"].primary
    # The officer's approval reaches the DLI's webhook.
    from loaportal.amendments.models import ExtensionRequest

    with receiver() as hook:
        webhook_endpoint_register(
            institution=world["a"].institution, url=hook.url, created_by=world["a"].primary
        )
        with django_capture_on_commit_callbacks(execute=True):
            extension_request_decide(
                extension_request=ExtensionRequest.objects.get(),
                officer=OfficerFactory(),
                approve=True,
                reason="",
            )
        (got,) = hook.wait_for(1)
    assert json.loads(got.body)["type"] == "extension_request.approved"
    after = api.get(f"/dli/extension-requests/{created['id']}").json()
    assert after["status"] == "approved" and after["due_at"] > created["due_at"]


def test_correction_requests_create_list_read(world, api_as):
    request = make_request(world["a"].institution)
    api = api_as("a_decide")
    body = {
        "application_number": request.application_number,
        "outcome": "not_verified_cancelled",
        "ground": "student_withdrew",
        "explanation": "The student withdrew on 3 March.",
    }
    pending = api.post("/dli/correction-requests", body)
    assert pending.status_code == 409 and pending.json()["code"] == "not_decided"
    verification_decide(
        verification_request=request,
        outcome="verified_matched",
        comment="",
        decided_by=world["a"].primary,
    )
    response = api.post("/dli/correction-requests", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["current_outcome"], created["requested_outcome"]) == (
        "verified_matched",
        "not_verified_cancelled",
    )
    assert api_as("a_read").get("/dli/correction-requests", status="submitted").json()["items"]
    assert api_as("b_decide").get(f"/dli/correction-requests/{created['id']}").status_code == 404
    theirs = make_request(world["b"].institution)
    response = api.post(
        "/dli/correction-requests", {**body, "application_number": theirs.application_number}
    )
    assert response.status_code == 404
