"""IRCC endpoints: create (multipart, idempotent on the application number), and the results
feed in a stable order a poller resumes from."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests.verifications.helpers import make_request, pdf_bytes, png_bytes

PATH = "/ircc/verification-requests"


def _form(world, **overrides):
    data = {
        "application_number": "S305123456",
        "dli_number": world["a"].institution.dli_number,
        "surname": "Lévesque",
        "given_names": "Amélie",
        "date_of_birth": "2003-02-01",
        "program": "Nursing",
        "start_date": "",
        "student_id": "",
        "loa_number": "",
        "campus": "",
        "document": SimpleUploadedFile("loa.pdf", pdf_bytes("LOA"), "application/pdf"),
    }
    data.update(overrides)
    return data


def test_create_is_idempotent_on_the_application_number(world, api_as):
    api = api_as("ircc")
    response = api.post_multipart(PATH, _form(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["application_number"] == "S305123456"
    assert body["status"] == "pending" and body["due_at"]
    again = api.post_multipart(PATH, _form(world, application_number="s305123456 "))
    assert again.status_code == 200
    assert again.json()["application_number"] == "S305123456"
    assert VerificationRequest.objects.count() == 1
    other_name = api.post_multipart(PATH, _form(world, surname="Levesque"))
    assert other_name.status_code == 409
    assert other_name.json()["code"] == "application_number_conflict"
    other_document = api.post_multipart(
        PATH, _form(world, document=SimpleUploadedFile("x.png", png_bytes(), "image/png"))
    )
    assert other_document.status_code == 409
    assert VerificationRequest.objects.count() == 1
    created = AuditEvent.objects.get(event_type="verification_request_created")
    assert created.details["api_token"]["name"] == "GCMS"
    assert created.details["source"] == "api"


def test_create_refuses_bad_input_with_the_field(world, api_as):
    api = api_as("ircc")
    response = api.post_multipart(PATH, _form(world, date_of_birth="1 Feb 2003"))
    assert response.status_code == 422
    assert response.json()["code"] == "date_invalid" and response.json()["field"] == "date_of_birth"
    response = api.post_multipart(PATH, _form(world, dli_number="O00000000000"))
    assert response.json()["code"] == "dli_unknown"
    response = api.post_multipart(
        PATH, _form(world, document=SimpleUploadedFile("x.txt", b"hello", "text/plain"))
    )
    assert response.status_code == 422 and response.json()["field"] == "document"
    data = _form(world)
    del data["document"]
    response = api.post_multipart(PATH, data)
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert VerificationRequest.objects.count() == 0


def test_results_feed_in_a_stable_order_a_poller_resumes_from(world, api_as, time_machine):
    start = timezone.now()
    a, b = world["a"].institution, world["b"].institution
    first = make_request(a)
    time_machine.move_to(start + timedelta(minutes=1))
    second = make_request(b)
    time_machine.move_to(start + timedelta(minutes=2))
    verification_decide(
        verification_request=first,
        outcome="not_verified_no_match",
        comment="Altered",
        decided_by=world["a"].primary,
    )
    api = api_as("ircc")
    items = api.get(PATH).json()["items"]
    assert [i["application_number"] for i in items] == [
        second.application_number,
        first.application_number,
    ]
    decided = items[1]
    assert decided["dli_number"] == a.dli_number
    assert decided["status"] == decided["outcome"] == "not_verified_no_match"
    assert decided["decided_at"] and decided["comment"] == "Altered"
    assert [h["kind"] for h in decided["history"]] == ["created", "decided"]
    assert items[0]["outcome"] is None and items[0]["decided_at"] is None
    # The poller resumes from its cursor: only what changed afterwards.
    page = api.get(PATH, limit=1).json()
    assert page["items"][0]["application_number"] == second.application_number
    time_machine.move_to(start + timedelta(minutes=3))
    verification_decide(
        verification_request=second,
        outcome="verified_matched",
        comment="",
        decided_by=world["b"].primary,
    )
    rest = api.get(PATH, cursor=page["next_cursor"]).json()["items"]
    assert [i["application_number"] for i in rest] == [
        first.application_number,
        second.application_number,
    ]
    since = api.get(PATH, updated_since=(start + timedelta(minutes=2, seconds=30)).isoformat())
    assert [i["application_number"] for i in since.json()["items"]] == [second.application_number]
    filtered = api.get(PATH, status="verified_matched").json()["items"]
    assert [i["application_number"] for i in filtered] == [second.application_number]
    one = api.get(f"{PATH}/{first.application_number}").json()
    assert one["outcome"] == "not_verified_no_match"


def test_feed_holds_back_changes_younger_than_the_settling_time(world, api_as, settings):
    settings.API_FEED_SETTLE_SECONDS = 60
    make_request(world["a"].institution)
    assert api_as("ircc").get(PATH).json()["items"] == []
