"""Webhooks in one process (tasks run at once): endpoints, which events reach whom, the
"24 hours left" event once per request, signatures, retries, and the address rules."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.verifications.services import verification_decide
from loaportal.webhooks import delivery
from loaportal.webhooks.models import WebhookDelivery
from loaportal.webhooks.services import (
    WebhookError,
    webhook_deadline_notices,
    webhook_deliver,
    webhook_deliveries_sweep,
    webhook_endpoint_register,
    webhook_endpoint_remove,
)
from tests.factories import dli_with_users
from tests.verifications.helpers import make_request
from tests.webhooks.receiver import receiver


@pytest.fixture(autouse=True)
def _documents_dir(settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"


@pytest.fixture
def two_dlis(db):
    return dli_with_users(name="a-college"), dli_with_users(name="b-college")


def test_a_new_request_is_delivered_signed_to_its_dli_only(
    two_dlis, django_capture_on_commit_callbacks
):
    a, b = two_dlis
    with receiver() as mine, receiver() as theirs:
        registered = webhook_endpoint_register(
            institution=a.institution, url=mine.url, created_by=a.primary
        )
        webhook_endpoint_register(institution=b.institution, url=theirs.url, created_by=b.primary)
        with django_capture_on_commit_callbacks(execute=True):
            request = make_request(a.institution)
        (got,) = mine.wait_for(1)
        assert theirs.received == []
    payload = json.loads(got.body)
    assert payload["type"] == "verification_request.created"
    assert payload["data"]["application_number"] == request.application_number
    assert payload["data"]["dli_number"] == a.institution.dli_number
    assert got.headers["LOA-Event"] == "verification_request.created"
    assert delivery.signature_verify(
        registered.secret, got.headers["LOA-Signature"], got.body, now=int(time.time())
    )
    assert not delivery.signature_verify(
        "whsec_other", got.headers["LOA-Signature"], got.body, now=int(time.time())
    )
    # A replay hours later is refused by the timestamp.
    assert not delivery.signature_verify(
        registered.secret, got.headers["LOA-Signature"], got.body, now=int(time.time()) + 3600
    )
    assert WebhookDelivery.objects.get().status == "delivered"
    assert AuditEvent.objects.filter(event_type="webhook_endpoint_created").count() == 2


def test_decisions_are_not_sent_and_removed_endpoints_get_nothing(
    two_dlis, django_capture_on_commit_callbacks
):
    a, _ = two_dlis
    with receiver() as mine:
        registered = webhook_endpoint_register(
            institution=a.institution, url=mine.url, created_by=a.primary
        )
        request = make_request(a.institution)
        with django_capture_on_commit_callbacks(execute=True):
            verification_decide(
                verification_request=request,
                outcome="verified_matched",
                comment="",
                decided_by=a.primary,
            )
        webhook_endpoint_remove(endpoint=registered.endpoint, removed_by=a.primary)
        with django_capture_on_commit_callbacks(execute=True):
            make_request(a.institution)
        time.sleep(0.2)
        assert mine.received == []


def test_the_24_hour_event_is_raised_once_per_request(two_dlis, django_capture_on_commit_callbacks):
    a, _ = two_dlis
    with receiver() as mine:
        webhook_endpoint_register(institution=a.institution, url=mine.url, created_by=a.primary)
        soon = make_request(a.institution, requested_at=timezone.now() - timedelta(days=2))
        make_request(a.institution)  # due two days later: not yet
        now = soon.due_at - timedelta(hours=12)
        with django_capture_on_commit_callbacks(execute=True):
            assert webhook_deadline_notices(now=now) == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert webhook_deadline_notices(now=now) == 0
            assert webhook_deadline_notices(now=now + timedelta(hours=1)) == 0
        (got,) = mine.wait_for(1)
    payload = json.loads(got.body)
    assert payload["type"] == "verification_request.deadline_approaching"
    assert payload["data"]["application_number"] == soon.application_number


def test_a_failing_receiver_is_retried_with_backoff(
    two_dlis, django_capture_on_commit_callbacks, settings, time_machine
):
    a, _ = two_dlis
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    with receiver(script=[(500, 0.0), (503, 0.0), (204, 0.0)]) as flaky:
        webhook_endpoint_register(institution=a.institution, url=flaky.url, created_by=a.primary)
        with django_capture_on_commit_callbacks(execute=True):
            make_request(a.institution)
        item = WebhookDelivery.objects.get()
        assert (item.status, item.attempts, item.last_status_code) == ("pending", 1, 500)
        assert item.next_attempt_at > timezone.now()
        assert webhook_deliver(delivery_id=item.pk) == "skipped"  # not due yet
        time_machine.move_to(item.next_attempt_at + timedelta(seconds=11))
        assert webhook_deliveries_sweep() == 1  # queued (and, here, run at once)
        item.refresh_from_db()
        assert (item.status, item.attempts, item.last_status_code) == ("pending", 2, 503)
        time_machine.move_to(item.next_attempt_at + timedelta(seconds=1))
        assert webhook_deliver(delivery_id=item.pk) == "delivered"
        assert len(flaky.received) == 3
    bodies = {r.body for r in flaky.received}
    assert len(bodies) == 1  # the same event each time
    assert len({r.headers["LOA-Delivery"] for r in flaky.received}) == 1


def test_registration_rules(two_dlis, settings):
    a, b = two_dlis
    for url, code in [
        ("ftp://example.com/x", "url_invalid"),
        ("http://sis.college.example/hook", "url_not_https"),
        ("https://user:pw@sis.college.example/hook", "url_invalid"),
    ]:
        with pytest.raises(WebhookError) as refused:
            webhook_endpoint_register(institution=a.institution, url=url, created_by=a.primary)
        assert refused.value.code == code
    with pytest.raises(WebhookError) as refused:
        webhook_endpoint_register(
            institution=a.institution, url="https://x.example/", created_by=a.secondaries[0]
        )
    assert refused.value.code == "not_primary"
    settings.WEBHOOK_ALLOW_LOCAL_TARGETS = False  # as in production
    for url, code in [
        ("http://127.0.0.1:9/hook", "url_not_https"),
        ("https://127.0.0.1/hook", "url_private"),
        ("https://10.1.2.3/hook", "url_private"),
        ("https://localhost/hook", "url_private"),
    ]:
        with pytest.raises(WebhookError) as refused:
            webhook_endpoint_register(institution=a.institution, url=url, created_by=a.primary)
        assert refused.value.code == code
    # A public name that resolves to a private address is refused at delivery time.
    with pytest.raises(delivery.TargetRefused):
        delivery.post("https://localhost.localdomain./x", b"{}", {}, timeout=1)
