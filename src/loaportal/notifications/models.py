from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MailboxMessage(models.Model):
    """An email kept by the development mailbox instead of being sent (no EMAIL_URL set)."""

    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    from_email = models.CharField(max_length=320)
    to = models.TextField(help_text=_("Recipients, one per line."))
    subject = models.CharField(max_length=998)
    body = models.TextField()
    html = models.TextField(blank=True)

    class Meta:
        verbose_name = _("mailbox message")
        verbose_name_plural = _("mailbox messages")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    @property
    def recipients(self) -> list[str]:
        return [line for line in self.to.splitlines() if line]
