"""The development mailbox: an email backend that stores messages in the database.

Used when no ``EMAIL_URL`` is configured, so a newcomer can read invitation and verification
codes at /fr/boite-aux-lettres/ (/en/mailbox/) without an SMTP server. Refused in production.
"""

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage, EmailMultiAlternatives


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from loaportal.notifications.models import MailboxMessage

        for message in email_messages:
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                html = next(
                    (
                        str(content)
                        for content, mimetype in message.alternatives
                        if mimetype == "text/html"
                    ),
                    "",
                )
            MailboxMessage.objects.create(
                from_email=message.from_email,
                to="\n".join(message.recipients()),
                subject=str(message.subject),
                body=str(message.body),
                html=html,
            )
        return len(email_messages)
