"""Sending email: render in the recipient's language now, deliver later through the outbox.

``email_send`` writes one ``OutgoingEmail`` row in the caller's transaction (the message sealed
with a key outside the database) and, once that transaction commits, queues a task that carries
only the row's id. ``notifications.tasks`` delivers it at least once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from allauth.account import app_settings as allauth_settings
from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from loaportal.core.logging import current_request_id
from loaportal.core.typography import french_spacing
from loaportal.notifications.models import OutgoingEmail
from loaportal.notifications.sealing import seal
from loaportal.notifications.tasks import enqueue_delivery

logger = logging.getLogger(__name__)

# Ahead of maintenance.SWEEP_GRACE (30 s): an email whose task could not be queued is due for
# the sweep at once.
SWEEP_GRACE_FOR_UNQUEUED = timedelta(minutes=1)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str
    html: str = ""
    # The template it was rendered from: decides how long delivery is worth trying.
    kind: str = ""


def email_render(*, template_prefix: str, context: dict, language: str | None) -> RenderedEmail:
    """Render ``<prefix>_subject.txt``, ``<prefix>_message.txt`` and, if present,
    ``<prefix>_message.html`` in ``language`` (the active language when None)."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}_message.txt", context).strip() + "\n"
        # Text composed at run time gets the French non-breaking spaces too. Harmless in
        # English, which has no space before those signs, so bilingual emails get it whole.
        subject, body = french_spacing(subject), french_spacing(body)
        try:
            html = render_to_string(f"{template_prefix}_message.html", context).strip()
        except TemplateDoesNotExist:
            html = ""
    return RenderedEmail(subject=subject, body=body, html=html, kind=template_prefix)


def delivery_window(kind: str) -> timedelta:
    """How long delivering a message stays worth trying: an emailed code only while it can
    still be used (the person can ask for a new one); anything else for the delivery window."""
    code_lifetimes = {
        "account/email/login_code": allauth_settings.LOGIN_BY_CODE_TIMEOUT,
        "account/email/password_reset_code": allauth_settings.PASSWORD_RESET_BY_CODE_TIMEOUT,
        "account/email/email_confirmation": allauth_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT,
        "account/email/email_confirmation_signup": (
            allauth_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT
        ),
    }
    return timedelta(seconds=code_lifetimes.get(kind, settings.EMAIL_DELIVERY_WINDOW_SECONDS))


def _message_id() -> str:
    """A Message-ID fixed when the email is queued, so every retry sends the same one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    domain = domain or urlsplit(settings.PORTAL_URL).hostname or "loaportal.localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def email_send(*, to: str | list[str], email: RenderedEmail) -> OutgoingEmail:
    """Queue an email for delivery once the current transaction commits.

    Side effects: one ``OutgoingEmail`` row (in the current transaction) and, on commit, one
    ``deliver_email`` task that refers to it. Nothing is queued if the transaction rolls back.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    now = timezone.now()
    outgoing = OutgoingEmail.objects.create(
        kind=email.kind,
        recipients="\n".join(recipients),
        message_id=_message_id(),
        content=seal(
            {
                "from_email": settings.DEFAULT_FROM_EMAIL,
                "subject": email.subject,
                "body": email.body,
                "html": email.html,
            }
        ),
        created_at=now,
        next_attempt_at=now,
        deliver_until=now + delivery_window(email.kind),
    )
    # If the queue cannot take the task (Redis down), the email is safe in the outbox and the
    # worker's sweep delivers it; the action that sent it must not fail for that.
    request_id = current_request_id.get()
    transaction.on_commit(lambda: _enqueue_or_leave_to_sweep(outgoing.pk, request_id))
    return outgoing


def _enqueue_or_leave_to_sweep(outbox_id: int, request_id: str) -> None:
    try:
        enqueue_delivery(outbox_id, request_id=request_id)
    except Exception as exc:
        logger.warning("Could not queue email %s (%s); the sweep will", outbox_id, exc)
        # Due at once for the sweep, without its grace for a task already queued (there is
        # none): a sign-in code leaves within one maintenance interval.
        OutgoingEmail.objects.filter(pk=outbox_id, status=OutgoingEmail.Status.QUEUED).update(
            next_attempt_at=timezone.now() - SWEEP_GRACE_FOR_UNQUEUED
        )


def email_send_template(
    *, to: str, template_prefix: str, context: dict, language: str | None
) -> OutgoingEmail:
    return email_send(
        to=to,
        email=email_render(template_prefix=template_prefix, context=context, language=language),
    )
