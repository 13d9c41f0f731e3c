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


class OutgoingEmail(models.Model):
    """One email on its way out: the outbox row a delivery task refers to by id.

    The rendered message (codes included) is held only encrypted (``notifications.sealing``,
    a key outside the database) and only until the message is delivered or abandoned; then
    ``content`` is emptied. Finished rows are deleted after ``TASKS_RETENTION_DAYS``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=200, help_text=_("The template the message was made from."))
    recipients = models.TextField(help_text=_("Recipients, one per line."))
    message_id = models.CharField(max_length=255, unique=True)
    content = models.TextField(blank=True, help_text=_("Encrypted message, until delivered."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    deliver_until = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["status", "finished_at"], name="outbox_finished_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sending", "sent", "failed"]),
                name="outbox_status_valid",
            ),
            # A finished message keeps no content: no code at rest once delivered.
            models.CheckConstraint(
                condition=~models.Q(status__in=["sent", "failed"]) | models.Q(content=""),
                name="outbox_finished_has_no_content",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class PeriodicJobRun(models.Model):
    """When a scheduled job (``notifications.maintenance.periodic_job_register``) may run next,
    shared by every worker and scheduler process on every machine: a process runs a job only
    after claiming its row with one conditional UPDATE (``periodic_job_claim``), so each job
    runs once per interval across all of them, on the database's clock."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    # Which process holds the current run (host:pid), for the operator.
    holder = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
