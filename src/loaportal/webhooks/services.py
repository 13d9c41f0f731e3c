"""Webhooks: registering endpoints, turning events into deliveries, delivering them.

Nothing here runs an HTTP call in a web request: events become ``WebhookDelivery`` rows once
the action's transaction commits, and the task queue delivers them (``deliver_webhook``), with
retries and exponential backoff. A slow or absent receiver costs a worker's time, never a
user's or an integration's.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.core.roles import roles_of
from loaportal.notifications.sealing import InvalidToken, open_sealed, seal
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.webhooks import delivery
from loaportal.webhooks.models import WebhookDeadlineNotice, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Institution

logger = logging.getLogger(__name__)

Kind = VerificationEvent.Kind
Status = WebhookDelivery.Status

# The history entries a DLI hears about, and the event type each one becomes.
EVENT_TYPES: dict[str, str] = {
    Kind.CREATED: "verification_request.created",
    Kind.EXTENSION_APPROVED: "extension_request.approved",
    Kind.EXTENSION_REFUSED: "extension_request.refused",
    Kind.CORRECTED: "correction_request.approved",
    Kind.CORRECTION_REFUSED: "correction_request.refused",
}
DEADLINE_EVENT = "verification_request.deadline_approaching"
DEADLINE_NOTICE = timedelta(hours=24)
# Deliveries queued at once when an action commits; the rest (a big import) go through the
# sweep a few seconds later, so that no action waits on queueing thousands of tasks.
ENQUEUE_AT_ONCE = 50
LEASE = timedelta(minutes=2)
MAX_ENDPOINTS = 5
EVENT_NAMESPACE = uuid.UUID("0c0a6f06-5d5e-4c4f-9a43-6a0e2b1f7a11")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

MSG_URL_INVALID = _("Enter the full address of your endpoint, starting with https://.")
MSG_URL_NOT_HTTPS = _("The endpoint must use HTTPS (an address starting with https://).")
MSG_URL_PRIVATE = _("The endpoint must be on a public address.")
MSG_TOO_MANY = _("A DLI can register at most 5 endpoints: remove one first.")
MSG_NOT_PRIMARY = _("Only the primary user of the DLI can manage its webhooks.")


class WebhookError(ApplicationError):
    code = "webhook_error"


@dataclass(frozen=True)
class RegisteredEndpoint:
    endpoint: WebhookEndpoint
    secret: str


def _url_check(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise WebhookError(MSG_URL_INVALID, code="url_invalid", field="url")
    if parts.username or parts.password:
        raise WebhookError(MSG_URL_INVALID, code="url_invalid", field="url")
    local = parts.hostname in LOCAL_HOSTS
    if parts.scheme != "https" and not (local and settings.WEBHOOK_ALLOW_LOCAL_TARGETS):
        raise WebhookError(MSG_URL_NOT_HTTPS, code="url_not_https", field="url")
    if not settings.WEBHOOK_ALLOW_LOCAL_TARGETS:
        try:
            literal = ipaddress.ip_address(parts.hostname)
        except ValueError:
            literal = None
        if local or (literal is not None and not literal.is_global):
            raise WebhookError(MSG_URL_PRIVATE, code="url_private", field="url")
    return url


def webhook_endpoint_register(
    *, institution: Institution, url: str, created_by: User
) -> RegisteredEndpoint:
    """Register an endpoint for a DLI; its signing secret is returned here only.

    Side effects: the endpoint (secret encrypted) and a ``webhook_endpoint_created`` audit entry.
    """
    roles = roles_of(created_by)
    if not roles.is_primary or roles.institution != institution:
        raise WebhookError(MSG_NOT_PRIMARY, code="not_primary")
    url = _url_check(url)
    if webhook_endpoints_active(institution=institution).count() >= MAX_ENDPOINTS:
        raise WebhookError(MSG_TOO_MANY, code="too_many_endpoints", field="url")
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            institution=institution,
            url=url,
            secret_sealed=seal({"secret": secret}),
            created_by=created_by,
        )
        audit_record(
            event_type=AuditEvent.Type.WEBHOOK_ENDPOINT_CREATED,
            actor=created_by,
            institution=institution,
            subject=endpoint,
            details={"url": url},
        )
    return RegisteredEndpoint(endpoint=endpoint, secret=secret)


def webhook_endpoint_remove(*, endpoint: WebhookEndpoint, removed_by: User) -> None:
    """Stop sending to an endpoint (its log stays). Side effect: an audit entry."""
    with transaction.atomic():
        if not WebhookEndpoint.objects.filter(pk=endpoint.pk, deleted_at__isnull=True).update(
            deleted_at=timezone.now()
        ):
            return
        WebhookDelivery.objects.filter(
            endpoint=endpoint, status__in=[Status.PENDING, Status.SENDING]
        ).update(status=Status.FAILED, last_error="endpoint removed", lease_until=None)
        audit_record(
            event_type=AuditEvent.Type.WEBHOOK_ENDPOINT_DELETED,
            actor=removed_by,
            institution=endpoint.institution,
            subject=endpoint,
            details={"url": endpoint.url},
        )


def webhook_endpoints_active(*, institution: Institution | int) -> Any:
    return WebhookEndpoint.objects.filter(institution=institution, deleted_at__isnull=True)


# --- Events into deliveries --------------------------------------------------------------------


def _payload(
    *, event_id: uuid.UUID, event_type: str, request: VerificationRequest, details: dict[str, Any]
) -> dict[str, Any]:
    data = json.loads(
        json.dumps(
            {
                "application_number": request.application_number,
                "dli_number": request.institution.dli_number,
                "status": request.effective_status(),
                "due_at": request.due_at,
                "details": details,
            },
            cls=DjangoJSONEncoder,
        )
    )
    return {
        "id": str(event_id),
        "type": event_type,
        "created_at": timezone.now().isoformat(),
        "data": data,
    }


def _deliveries_create(
    items: Iterable[tuple[uuid.UUID, str, VerificationRequest, dict[str, Any]]],
) -> list[int]:
    """One delivery per active endpoint of each request's DLI; an event already delivered to
    an endpoint is not added twice (unique event id per endpoint)."""
    items = list(items)
    institution_ids = {request.institution_id for _, _, request, _ in items}
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        institution_id__in=institution_ids, deleted_at__isnull=True
    ):
        endpoints.setdefault(endpoint.institution_id, []).append(endpoint)
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            event_id=event_id,
            event_type=event_type,
            payload=_payload(
                event_id=event_id, event_type=event_type, request=request, details=details
            ),
        )
        for event_id, event_type, request, details in items
        for endpoint in endpoints.get(request.institution_id, [])
    ]
    if not rows:
        return []
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return list(
        WebhookDelivery.objects.filter(
            event_id__in={row.event_id for row in rows}, status=Status.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )


def webhook_history_appended(sender: Any, *, event_ids: list[int], **kwargs: Any) -> None:
    """Receiver of ``verifications.signals.history_appended`` (after the commit): the entries
    a DLI hears about become deliveries, queued for the worker."""
    events = list(
        VerificationEvent.objects.filter(pk__in=event_ids, kind__in=list(EVENT_TYPES))
        .select_related("request__institution")
        .order_by("id")
    )
    if not events:
        return
    ids = _deliveries_create(
        (
            uuid.uuid5(EVENT_NAMESPACE, f"verification-event:{event.pk}"),
            EVENT_TYPES[event.kind],
            event.request,
            {"kind": event.kind, "occurred_at": event.occurred_at.isoformat(), **event.details},
        )
        for event in events
    )
    for delivery_id in ids[:ENQUEUE_AT_ONCE]:
        _enqueue(delivery_id)


def webhook_deadline_notices(*, now: datetime | None = None) -> int:
    """The "deadline in 24 hours" event, once per request (the ledger's unique constraint),
    for pending requests of DLIs with an endpoint. The worker runs it every 5 minutes."""
    now = now or timezone.now()
    institutions = WebhookEndpoint.objects.filter(deleted_at__isnull=True).values("institution_id")
    due = (
        VerificationRequest.objects.filter(
            institution_id__in=institutions,
            status=VerificationRequest.Status.PENDING,
            due_at__gt=now,
            due_at__lte=now + DEADLINE_NOTICE,
        )
        .exclude(pk__in=WebhookDeadlineNotice.objects.values("request_id"))
        .select_related("institution")
        .order_by("due_at", "id")
    )
    raised = 0
    for request in due[:1000]:
        try:
            with transaction.atomic():
                notice = WebhookDeadlineNotice.objects.create(request=request, created_at=now)
                ids = _deliveries_create(
                    [
                        (
                            notice.event_id,
                            DEADLINE_EVENT,
                            request,
                            {"hours_left": round((request.due_at - now).total_seconds() / 3600, 1)},
                        )
                    ]
                )
        except IntegrityError:
            continue  # another worker raised it first
        raised += 1
        for delivery_id in ids:
            transaction.on_commit(functools.partial(_enqueue, delivery_id), robust=True)
    return raised


# --- Delivering ---------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    first = max(1, settings.WEBHOOK_RETRY_FIRST_SECONDS)
    seconds = min(first * 2 ** max(0, attempts - 1), settings.WEBHOOK_RETRY_MAX_INTERVAL_SECONDS)
    return timedelta(seconds=seconds)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, lease_until__lt=now)
        )
        .update(status=Status.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def webhook_deliver(*, delivery_id: int) -> str:
    """One attempt: claim the delivery (one atomic UPDATE, so two tasks never send it at
    once), POST the signed body, record the answer. A 2xx answer is delivered; anything else
    (another status, a timeout, a refused address) is tried again later, up to
    ``WEBHOOK_MAX_ATTEMPTS``. Returns what happened."""
    item = _claim(delivery_id)
    if item is None:
        return "skipped"
    endpoint = item.endpoint
    if endpoint.deleted_at is not None:
        WebhookDelivery.objects.filter(pk=item.pk).update(
            status=Status.FAILED, lease_until=None, last_error="endpoint removed"
        )
        return "failed"
    body = json.dumps(item.payload, separators=(",", ":")).encode()
    status_code: int | None = None
    error = ""
    try:
        secret = open_sealed(endpoint.secret_sealed)["secret"]
        answer = delivery.post(
            endpoint.url,
            body,
            {
                "Content-Type": "application/json",
                "LOA-Event": item.event_type,
                "LOA-Delivery": str(item.event_id),
                delivery.SIGNATURE_HEADER: delivery.signature(
                    secret, int(timezone.now().timestamp()), body
                ),
            },
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
        status_code = answer.status
        if 200 <= answer.status < 300:
            WebhookDelivery.objects.filter(pk=item.pk).update(
                status=Status.DELIVERED,
                lease_until=None,
                last_status_code=status_code,
                last_error="",
                delivered_at=timezone.now(),
            )
            return "delivered"
        error = f"HTTP {answer.status}"
    except InvalidToken:
        error = "the secret cannot be opened with the current SECRET_KEY"
    except Exception as exc:  # any failure to hand over the event is retried
        error = f"{type(exc).__name__}: {exc}"
    now = timezone.now()
    if item.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=item.pk).update(
            status=Status.FAILED,
            lease_until=None,
            last_status_code=status_code,
            last_error=error[:200],
        )
        logger.warning("Webhook delivery %s abandoned: %s", item.pk, error)
        return "failed"
    retry_at = now + retry_delay(item.attempts)
    WebhookDelivery.objects.filter(pk=item.pk).update(
        status=Status.PENDING,
        lease_until=None,
        next_attempt_at=retry_at,
        last_status_code=status_code,
        last_error=error[:200],
    )
    _enqueue(item.pk, run_after=retry_at)
    return "retry"


def _enqueue(delivery_id: int, *, run_after: datetime | None = None) -> None:
    from loaportal.webhooks.tasks import deliver_webhook

    if run_after is not None:
        if not deliver_webhook.get_backend().supports_defer:
            return  # the sweep queues it when it is due
        deliver_webhook.using(run_after=run_after).enqueue(delivery_id=delivery_id)
    else:
        deliver_webhook.enqueue(delivery_id=delivery_id)


SWEEP_GRACE = timedelta(seconds=10)


def webhook_deliveries_sweep() -> int:
    """Queue every delivery that is due and that no live worker holds (a lost task, a queue
    that cannot defer a retry, the rest of a big import). The worker runs it every 30 s."""
    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
        | Q(status=Status.SENDING, lease_until__lt=now)
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in due[:5000]:
        _enqueue(delivery_id)
        count += 1
    return count
