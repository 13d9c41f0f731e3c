"""Sending email: render in the recipient's language now, deliver later through the task queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from loaportal.core.typography import french_spacing
from loaportal.notifications.tasks import deliver_email


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str
    html: str = ""


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
    return RenderedEmail(subject=subject, body=body, html=html)


def email_send(*, to: str | list[str], email: RenderedEmail) -> None:
    """Queue an email for delivery once the current transaction commits.

    Side effects: one ``deliver_email`` task on the default queue. Nothing is sent if the
    transaction rolls back.
    """
    recipients = [to] if isinstance(to, str) else list(to)

    def enqueue() -> None:
        deliver_email.enqueue(
            to=recipients,
            subject=email.subject,
            body=email.body,
            html=email.html,
            from_email=settings.DEFAULT_FROM_EMAIL,
        )

    transaction.on_commit(enqueue)


def email_send_template(
    *, to: str, template_prefix: str, context: dict, language: str | None
) -> None:
    email_send(
        to=to,
        email=email_render(template_prefix=template_prefix, context=context, language=language),
    )
