"""Delivering the outbox: background tasks that talk to the mail server.

Never called inside a web request. A ``deliver_email`` task carries only the id of an
``OutgoingEmail`` row, never the message. Delivery is at least once:

- a worker claims the row with one atomic UPDATE (a lease), so two tasks for the same row never
  send it twice while the lease holds;
- a failed attempt is retried with exponential backoff while the message is still useful
  (``deliver_until``: a code's lifetime, or ``EMAIL_DELIVERY_WINDOW_SECONDS``);
- a claim whose worker died (its lease lapsed) is taken over by the next task for that row,
  which ``notifications.maintenance.outbox_sweep`` enqueues;
- every attempt sends the same ``Message-ID``, so a duplicate (a worker killed after the mail
  server accepted the message, before it recorded so) is recognisable.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from loaportal.core.logging import current_request_id
from loaportal.notifications.models import OutgoingEmail
from loaportal.notifications.sealing import InvalidToken, open_sealed

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: first, 2×first, 4×first… capped at the maximum interval."""
    first = max(1, settings.EMAIL_RETRY_FIRST_SECONDS)
    seconds = min(first * 2 ** max(0, attempts - 1), settings.EMAIL_RETRY_MAX_INTERVAL_SECONDS)
    return timedelta(seconds=seconds)


def is_permanent(exc: Exception) -> bool:
    """The mail server refused for good (a 5xx answer): trying again would change nothing."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return False


def _claim(outbox_id: int) -> OutgoingEmail | None:
    now = timezone.now()
    claimed = (
        OutgoingEmail.objects.filter(pk=outbox_id)
        .filter(
            Q(status=Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, lease_until__lt=now)
        )
        .update(
            status=Status.SENDING,
            lease_until=now + timedelta(seconds=settings.EMAIL_SENDING_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    return OutgoingEmail.objects.get(pk=outbox_id) if claimed else None


def _finish(email: OutgoingEmail, *, status: str, error: str = "") -> None:
    """Record the end of a message's life and erase its content (codes included)."""
    OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=status,
        content="",
        finished_at=timezone.now(),
        lease_until=None,
        last_error=error[:200],
    )


def _send(email: OutgoingEmail) -> None:
    message = open_sealed(email.content)
    mail = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"] or None,
        to=[line for line in email.recipients.splitlines() if line],
        headers={"Message-ID": email.message_id},
        connection=get_connection(fail_silently=False),
    )
    if message.get("html"):
        mail.attach_alternative(message["html"], "text/html")
    mail.send(fail_silently=False)


def outbox_deliver(*, outbox_id: int) -> Outcome:
    """One delivery attempt of an outbox row, if it is due and nobody else holds it.

    Side effects: the email is sent; the row becomes SENT (content erased), or QUEUED again
    with its next attempt time, or FAILED (content erased) once it is no longer useful.
    """
    email = _claim(outbox_id)
    if email is None:
        return Outcome("skipped")
    now = timezone.now()
    if now >= email.deliver_until:
        _finish(email, status=Status.FAILED, error="expired before delivery")
        logger.warning("Email %s (%s) expired before it could be delivered", email.pk, email.kind)
        return Outcome("expired")
    try:
        _send(email)
    except InvalidToken:
        _finish(email, status=Status.FAILED, error="no current key opens the message")
        logger.error("Email %s cannot be opened with the current SECRET_KEY", email.pk)
        return Outcome("failed")
    except Exception as exc:  # any failure to hand over the message is retried
        error = f"{type(exc).__name__}: {exc}"[:200]
        retry_at = now + retry_delay(email.attempts)
        if is_permanent(exc) or retry_at >= email.deliver_until:
            _finish(email, status=Status.FAILED, error=error)
            logger.warning(
                "Email %s (%s) abandoned after %s attempts: %s",
                email.pk,
                email.kind,
                email.attempts,
                error,
            )
            return Outcome("failed")
        OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
            status=Status.QUEUED, next_attempt_at=retry_at, lease_until=None, last_error=error
        )
        logger.warning(
            "Email %s (%s) attempt %s failed (%s); next try at %s",
            email.pk,
            email.kind,
            email.attempts,
            error,
            retry_at.isoformat(),
        )
        return Outcome("retry", retry_at=retry_at)
    _finish(email, status=Status.SENT)
    logger.info("Email %s (%s) delivered", email.pk, email.kind)
    return Outcome("sent")


def enqueue_delivery(
    outbox_id: int, *, run_after: datetime | None = None, request_id: str | None = None
) -> None:
    """Queue a delivery task; a deferred one only where the queue can defer (else the sweep
    picks the row up when it is due)."""
    # The request that caused the email goes with it, for the worker's log lines.
    request_id = current_request_id.get() if request_id is None else request_id
    extra = {"request_id": request_id} if request_id else {}
    if run_after is not None:
        if not deliver_email.get_backend().supports_defer:
            return
        deliver_email.using(run_after=run_after).enqueue(outbox_id=outbox_id, **extra)
    else:
        deliver_email.enqueue(outbox_id=outbox_id, **extra)


@task()
def deliver_email(*, outbox_id: int, request_id: str = "") -> str:
    token = current_request_id.set(request_id) if request_id else None
    try:
        outcome = outbox_deliver(outbox_id=outbox_id)
        if outcome.retry_at is not None:
            enqueue_delivery(outbox_id, run_after=outcome.retry_at)
        return outcome.status
    finally:
        if token is not None:
            current_request_id.reset(token)
