"""DLI endpoints: isolation between DLIs, filters and cursor pages, the document, and decisions
one by one and in batch with every rule of the web form, item by item."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import verification_decide
from tests.verifications.helpers import make_request

LIST = "/dli/verification-requests"


def _decisions(*items):
    return {
        "decisions": [
            dict(zip(("application_number", "outcome", "comment"), item, strict=False))
            for item in items
        ]
    }


def test_a_dli_token_never_reads_downloads_or_decides_another_dlis_requests(world, api_as):
    theirs = make_request(world["b"].institution)
    mine = make_request(world["a"].institution)
    api = api_as("a_decide")
    listed = [item["application_number"] for item in api.get(LIST).json()["items"]]
    assert listed == [mine.application_number]
    for path in ("", "/document"):
        response = api.get(f"{LIST}/{theirs.application_number}{path}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api.post(
        f"{LIST}/{theirs.application_number}/decision", {"outcome": "verified_matched"}
    )
    assert response.status_code == 404
    result = api.post("/dli/decisions", _decisions((theirs.application_number, "verified_matched")))
    assert result.json()["results"][0] == {
        "index": 0,
        "application_number": theirs.application_number,
        "recorded": False,
        "status": None,
        "code": "not_found",
        "message": result.json()["results"][0]["message"],
    }
    theirs.refresh_from_db()
    assert theirs.status == "pending"
    assert not VerificationEvent.objects.filter(request=theirs).exclude(kind="created").exists()


def test_list_filters_and_cursor_pages(world, api_as, time_machine):
    institution = world["a"].institution
    start = timezone.now()
    requests = []
    for day in range(5):
        time_machine.move_to(start + timedelta(days=day))
        requests.append(make_request(institution))
    time_machine.move_to(start + timedelta(days=5))
    verification_decide(
        verification_request=requests[0],
        outcome="verified_matched",
        comment="",
        decided_by=world["a"].primary,
    )
    api = api_as("a_read")
    pending = api.get(LIST, status="pending").json()["items"]
    assert [item["application_number"] for item in pending] == [
        r.application_number for r in requests[1:]
    ]
    assert set(pending[0]) >= {
        "application_number",
        "surname",
        "given_names",
        "date_of_birth",
        "due_at",
        "status",
    }
    # Pages of two, in due order, without repeats or gaps.
    seen, cursor = [], None
    while True:
        page = api.get(LIST, limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [item["application_number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [r.application_number for r in requests]
    due_before = requests[2].due_at.isoformat()
    assert len(api.get(LIST, due_before=due_before).json()["items"]) == 2
    changed = api.get(
        LIST, order="updated_at", updated_since=(start + timedelta(days=4, hours=12)).isoformat()
    )
    assert [item["application_number"] for item in changed.json()["items"]] == [
        requests[0].application_number
    ]
    assert api.get(LIST, cursor="garbage").json()["code"] == "cursor_invalid"
    # Offsets PostgreSQL does not take (it stops at 16 hours) are read in UTC first.
    far = api.get(LIST, updated_since="2301-04-30T10:31:47+18:29", status="no_response")
    assert far.status_code == 200 and far.json()["items"] == []
    assert api.get(LIST, due_before="0001-01-01T00:00:00+01:00").status_code == 422
    assert api.get(LIST, status="bogus").status_code == 422


def test_document_download(world, api_as):
    request = make_request(world["a"].institution)
    response = api_as("a_read").get(f"{LIST}/{request.application_number}/document")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert VerificationEvent.objects.filter(request=request, kind="document_viewed").exists()


def test_batch_follows_every_rule_of_the_web_form_item_by_item(world, api_as, time_machine):
    institution = world["a"].institution
    start = timezone.now()
    overdue = make_request(institution)
    time_machine.move_to(start + timedelta(days=11))
    ok, no_comment, long_comment, cancelled, other_decided = (
        make_request(institution) for _ in range(5)
    )
    verification_decide(
        verification_request=other_decided,
        outcome="not_verified_no_match",
        comment="Not ours",
        decided_by=world["a"].secondaries[0],
    )
    body = _decisions(
        (ok.application_number, "verified_matched"),
        (overdue.application_number, "verified_matched"),
        (no_comment.application_number, "not_verified_no_match", "  "),
        (long_comment.application_number, "not_verified_cancelled", "x" * 2001),
        (cancelled.application_number, "not_verified_cancelled", "Withdrew on 3 March"),
        (other_decided.application_number, "verified_matched"),
        (ok.application_number.lower(), "not_verified_no_match", "second thoughts"),
        ("S999999999", "verified_matched"),
        (cancelled.application_number, "bogus"),
    )
    response = api_as("a_decide").post("/dli/decisions", body)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(9))
    assert [(r["recorded"], r["code"]) for r in results] == [
        (True, None),
        (False, "past_deadline"),
        (False, "comment_required"),
        (False, "comment_too_long"),
        (True, None),
        (False, "already_decided"),
        (False, "already_decided"),
        (False, "not_found"),
        (False, "outcome_invalid"),
    ]
    assert all(r["message"] for r in results if not r["recorded"])
    assert response.json()["recorded"] == 2 and response.json()["refused"] == 7
    statuses = dict(VerificationRequest.objects.values_list("application_number", "status"))
    assert statuses[ok.application_number] == "verified_matched"
    assert statuses[cancelled.application_number] == "not_verified_cancelled"
    assert statuses[no_comment.application_number] == "pending"
    assert statuses[other_decided.application_number] == "not_verified_no_match"
    assert (
        VerificationRequest.objects.get(pk=cancelled.pk).decision_comment == "Withdrew on 3 March"
    )
    assert VerificationRequest.objects.get(pk=ok.pk).decided_by == world["a"].primary


def test_the_same_batch_again_changes_nothing_and_says_so(world, api_as):
    requests = [make_request(world["a"].institution) for _ in range(3)]
    body = _decisions(*((r.application_number, "verified_matched") for r in requests))
    api = api_as("a_decide")
    first = api.post("/dli/decisions", body).json()
    assert first["recorded"] == 3
    events = VerificationEvent.objects.count()
    again = api.post("/dli/decisions", body).json()
    assert again["recorded"] == 0
    assert {r["code"] for r in again["results"]} == {"already_decided_same_outcome"}
    assert {r["status"] for r in again["results"]} == {"verified_matched"}
    assert VerificationEvent.objects.count() == events


def test_batch_limits(world, api_as):
    api = api_as("a_decide")
    too_many = _decisions(*((f"S{n:09d}", "verified_matched") for n in range(1001)))
    response = api.post("/dli/decisions", too_many)
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["field"].startswith("decisions")
    assert api.post("/dli/decisions", {"decisions": []}).status_code == 422
    response = api.client.post(
        "/api/v1/dli/decisions",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code in (400, 422) and "code" in response.json()


def test_single_decision_endpoint(world, api_as, time_machine):
    request = make_request(world["a"].institution)
    api = api_as("a_decide")
    url = f"{LIST}/{request.application_number}/decision"
    response = api.post(url, {"outcome": "not_verified_no_match"})
    assert response.status_code == 422 and response.json()["code"] == "comment_required"
    assert response.json()["field"] == "comment"
    response = api.post(url, {"outcome": "verified_matched"})
    assert response.status_code == 200 and response.json()["recorded"] is True
    response = api.post(url, {"outcome": "verified_matched"})
    assert response.status_code == 200 and response.json()["code"] == "already_decided_same_outcome"
    response = api.post(url, {"outcome": "not_verified_cancelled", "comment": "x"})
    assert response.status_code == 409 and response.json()["code"] == "already_decided"
    late = make_request(world["a"].institution)
    time_machine.move_to(timezone.now() + timedelta(days=11))
    response = api.post(
        f"{LIST}/{late.application_number}/decision", {"outcome": "verified_matched"}
    )
    assert response.status_code == 409 and response.json()["code"] == "past_deadline"
    assert api.get(f"{LIST}/{late.application_number}").json()["status"] == "no_response"
