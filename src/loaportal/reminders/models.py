"""Reminders: each user's choices (``ReminderPreference``) and the ledger of what was sent
(``ReminderSent``), whose unique constraints make each reminder go once however many
processes send at the same time (``reminders.services``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_HOUR = 8


class ReminderPreference(models.Model):
    """A user's choices on the "Notifications" page. A user without a row has the defaults:
    the daily summary on, for all the DLI's requests, at 08:00 in the DLI's time zone."""

    class Scope(models.TextChoices):
        ALL = "all", _("All the requests of my DLI")
        ASSIGNED = "assigned", _("Only the requests assigned to me")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("User"),
    )
    daily_summary = models.BooleanField(_("Daily summary"), default=True)
    scope = models.CharField(_("Requests"), max_length=16, choices=Scope.choices, default=Scope.ALL)
    # The hour of the day, in the DLI's time zone (``verifications.deadlines.institution_zone``).
    hour = models.PositiveSmallIntegerField(_("Hour"), default=DEFAULT_HOUR)
    updated_at = models.DateTimeField(_("Changed"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hour__gte=0, hour__lte=23), name="reminders_preference_hour"
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=["all", "assigned"]),
                name="reminders_preference_scope_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.daily_summary} {self.scope} {self.hour:02d}:00"


class ReminderSent(models.Model):
    """One reminder taken care of, written in the same transaction as its email.

    A daily summary: one row per user and local day (``local_date``, in the DLI's time zone),
    written even when there was nothing to say (``request_count`` 0, no email) so that the day
    is done. A 24-hour alert: one row per user, request and deadline (``due_at``): a deadline
    moved by an approved extension is a new deadline, and is alerted again.

    A row serves only until its day or its deadline has passed; the worker deletes rows older
    than ``LEDGER_RETENTION`` every hour.
    """

    class Kind(models.TextChoices):
        DAILY_SUMMARY = "daily_summary", _("Daily summary")
        DEADLINE_ALERT = "deadline_alert", _("24-hour alert")

    kind = models.CharField(_("Reminder"), max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("User"),
    )
    local_date = models.DateField(_("Day"), null=True, blank=True)
    request = models.ForeignKey(
        "verifications.VerificationRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Request"),
    )
    due_at = models.DateTimeField(_("Deadline"), null=True, blank=True)
    request_count = models.PositiveIntegerField(_("Requests"), default=0)
    sent_at = models.DateTimeField(_("When"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at", "-id"]
        # The hourly purge of rows past their use (``reminders_ledger_purge``).
        indexes = [models.Index(fields=["sent_at"], name="reminders_sent_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "local_date"],
                condition=models.Q(kind="daily_summary"),
                name="reminders_one_summary_per_day",
            ),
            models.UniqueConstraint(
                fields=["user", "request", "due_at"],
                condition=models.Q(kind="deadline_alert"),
                name="reminders_one_alert_per_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind="daily_summary", local_date__isnull=False, request__isnull=True
                )
                | models.Q(
                    kind="deadline_alert",
                    local_date__isnull=True,
                    request__isnull=False,
                    due_at__isnull=False,
                ),
                name="reminders_sent_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.local_date or self.request_id}"
