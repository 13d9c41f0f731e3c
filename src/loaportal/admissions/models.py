"""Matching help: a DLI's list of admitted students, and the portal's suggestion for each
pending request (the likely admission, the outcome it implies, a score, the fields that agree
and differ). A person confirms suggestions; nothing is decided by the portal itself.

The list stays with its DLI (visible to its members only, never exported) and is deleted
``ADMISSIONS_RETENTION_DAYS`` after its upload (``delete_after``), by the worker's hourly job;
uploading a new list replaces the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.verifications.models import VerificationRequest


class AdmissionsList(models.Model):
    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("DLI"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("Uploaded"), default=timezone.now)
    file_name = models.CharField(_("File name"), max_length=255)
    row_count = models.PositiveIntegerField(_("Rows"), default=0)
    matched_at = models.DateTimeField(_("Suggestions made"), null=True, blank=True)
    delete_after = models.DateTimeField(_("Deleted after"), db_index=True)

    class Meta:
        verbose_name = _("admissions list")
        verbose_name_plural = _("admissions lists")

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.file_name}"


class Admission(models.Model):
    class Status(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DEFERRED = "deferred", _("Deferred")

    admissions_list = models.ForeignKey(
        AdmissionsList, on_delete=models.CASCADE, related_name="admissions"
    )
    line = models.PositiveIntegerField(_("Row"))
    name = models.CharField(_("Name"), max_length=301)
    date_of_birth = models.DateField(_("Date of birth"), null=True, blank=True)
    student_id = models.CharField(_("Student ID"), max_length=50, blank=True)
    program = models.CharField(_("Program"), max_length=255, blank=True)
    start_date = models.DateField(_("Start date"), null=True, blank=True)
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices)

    class Meta:
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        ordering = ["admissions_list", "line"]

    def __str__(self) -> str:
        return f"{self.line}: {self.name}"


class MatchSuggestion(models.Model):
    """The portal's suggestion for one pending request. ``admission`` is None when no
    admission is close enough ("no record": the letter is not one of ours)."""

    admissions_list = models.ForeignKey(
        AdmissionsList, on_delete=models.CASCADE, related_name="suggestions"
    )
    request = models.ForeignKey(
        VerificationRequest, on_delete=models.CASCADE, related_name="+", verbose_name=_("Request")
    )
    admission = models.ForeignKey(
        Admission, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("Score"))
    agreeing = models.JSONField(_("Fields that agree"), default=list)
    differing = models.JSONField(_("Fields that differ"), default=list)
    outcome = models.CharField(
        _("Implied outcome"), max_length=32, choices=VerificationRequest.Status.choices
    )

    class Meta:
        verbose_name = _("match suggestion")
        verbose_name_plural = _("match suggestions")
        ordering = ["admissions_list", "request__due_at", "request_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["admissions_list", "request"], name="admissions_one_suggestion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.admission_id} ({self.score}, {self.outcome})"
