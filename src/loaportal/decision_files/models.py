"""Decisions by file: a DLI's member uploads a CSV or Excel file of decisions, the portal checks
it in the background (a preview, nothing recorded), the member confirms, and the worker records
the valid rows through ``verifications.services.verification_decide_many`` (the web form's
rules, row by row, a thousand rows at a time).

Workflow (``DecisionFile.TRANSITIONS``): ``uploaded`` → ``checking`` → ``checked`` (the preview)
or ``failed`` (unreadable file, wrong columns, too many rows) → ``recording`` (confirmed) →
``recorded``. Each row keeps what the check found (``ready`` or ``error`` with a code) and then
what recording did (``recorded`` or ``refused`` with a code): the preview and the result are
read from the rows, in the reader's language (codes, not sentences, are stored).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.verifications.models import VerificationRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DecisionFile(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked: waiting for your confirmation")
        RECORDING = "recording", _("Being recorded")
        RECORDED = "recorded", _("Recorded")
        FAILED = "failed", _("Could not be used")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.UPLOADED: frozenset({Status.CHECKING}),
        # A check interrupted by a dead worker is run again from the start.
        Status.CHECKING: frozenset({Status.CHECKING, Status.CHECKED, Status.FAILED}),
        Status.CHECKED: frozenset({Status.RECORDING}),
        # Recording interrupted by a dead worker resumes with the rows not yet recorded.
        Status.RECORDING: frozenset({Status.RECORDING, Status.RECORDED}),
        Status.RECORDED: frozenset(),
        Status.FAILED: frozenset(),
    }
    # Still moving: the page shows a progress bar and asks for the status until it stops.
    IN_PROGRESS: tuple[str, ...] = (Status.UPLOADED, Status.CHECKING, Status.RECORDING)

    institution = models.ForeignKey(
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
    file_format = models.CharField(_("Format"), max_length=8, choices=Format.choices)
    file_size = models.PositiveIntegerField(_("Size (bytes)"))
    # Recognises the same file uploaded again (the page says so).
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The uploaded bytes, until the check has turned them into rows (then emptied).
    content = models.BinaryField(_("Content"), blank=True, default=b"")
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.UPLOADED
    )
    # Why the file could not be used (``failed``): a code of ``FILE_ERROR_MESSAGES``.
    error_code = models.CharField(_("Error"), max_length=32, blank=True)
    total_rows = models.PositiveIntegerField(_("Rows"), default=0)
    checked_rows = models.PositiveIntegerField(_("Rows checked"), default=0)
    ready_rows = models.PositiveIntegerField(_("Rows to record"), default=0)
    error_rows = models.PositiveIntegerField(_("Rows with an error"), default=0)
    recorded_rows = models.PositiveIntegerField(_("Rows recorded"), default=0)
    refused_rows = models.PositiveIntegerField(_("Rows refused when recording"), default=0)
    checked_at = models.DateTimeField(_("Checked"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("Confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Confirmed by"),
    )
    finished_at = models.DateTimeField(_("Finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision file")
        verbose_name_plural = _("decision files")
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["uploaded_by", "uploaded_at"], name="decision_file_owner"),
            models.Index(fields=["institution", "file_sha256"], name="decision_file_sha"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "uploaded",
                        "checking",
                        "checked",
                        "recording",
                        "recorded",
                        "failed",
                    ]
                ),
                name="decision_files_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["recording", "recorded"], confirmed_at__isnull=False)
                | ~models.Q(status__in=["recording", "recorded"]),
                name="decision_files_recording_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def done_rows(self) -> int:
        """Rows done in the current phase (checking or recording), for the progress bar."""
        if self.status in (self.Status.RECORDING, self.Status.RECORDED):
            return self.recorded_rows + self.refused_rows
        return self.checked_rows

    @property
    def phase_rows(self) -> int:
        """Rows the current phase goes through."""
        if self.status in (self.Status.RECORDING, self.Status.RECORDED):
            return self.ready_rows
        return self.total_rows

    @property
    def error_message(self) -> StrOrPromise:
        return FILE_ERROR_MESSAGES.get(self.error_code, FILE_ERROR_MESSAGES["unreadable"])


class DecisionFileRow(models.Model):
    """One row of a decision file: what it says, what the check found, what recording did."""

    class Result(models.TextChoices):
        READY = "ready", _("Will be recorded")
        ERROR = "error", _("Error: not recorded")
        RECORDED = "recorded", _("Recorded")
        REFUSED = "refused", _("Refused when recording")

    decision_file = models.ForeignKey(
        DecisionFile, on_delete=models.CASCADE, related_name="rows", verbose_name=_("File")
    )
    # The row's number in the spreadsheet (the header is row 1).
    line = models.PositiveIntegerField(_("Row"))
    application_number = models.CharField(_("Application number"), max_length=100, blank=True)
    outcome_text = models.CharField(_("Outcome as written"), max_length=200, blank=True)
    outcome = models.CharField(
        _("Outcome"), max_length=32, choices=VerificationRequest.Status.choices, blank=True
    )
    comment = models.TextField(_("Comment"), blank=True)
    # Only a request of the file's DLI is ever named here.
    request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Request"),
    )
    result = models.CharField(_("Result"), max_length=16, choices=Result.choices)
    error_code = models.CharField(_("Error"), max_length=32, blank=True)
    # For ``duplicate``: the row that is used instead.
    first_line = models.PositiveIntegerField(_("First row"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision file row")
        verbose_name_plural = _("decision file rows")
        ordering = ["decision_file", "line"]
        indexes = [
            models.Index(
                fields=["decision_file", "result", "line"], name="decision_file_row_result"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_file", "line"], name="decision_file_row_line"
            ),
            models.CheckConstraint(
                condition=models.Q(result__in=["ready", "error", "recorded", "refused"]),
                name="decision_file_row_result_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_file_id} row {self.line}: {self.result} {self.error_code}"

    @property
    def message(self) -> str:
        """What the row's error means, in the current language ("" when none)."""
        if not self.error_code:
            return ""
        template = ROW_ERROR_MESSAGES.get(self.error_code, ROW_ERROR_MESSAGES["refused"])
        params: dict[str, object] = {"line": self.first_line or ""}
        if self.error_code == "already_decided" and self.request is not None:
            status = self.request.status
            params["outcome"] = (
                VerificationRequest.Status(status).label
                if status in VerificationRequest.Status.values
                else status
            )
        return str(template) % params if "%(" in str(template) else str(template)


# What a row's error code means. Another DLI's request is named as such and nothing more: its
# student, status and deadline are never read into the row.
ROW_ERROR_MESSAGES: dict[str, StrOrPromise] = {
    "application_number_missing": _("The application number is missing."),
    "unknown_application": _("No request has this application number."),
    "other_dli": _("This application number is not a request of your DLI."),
    "already_decided": _(
        "This request has already been decided (“%(outcome)s”): the decision is final."
    ),
    "past_deadline": _("The deadline for this request has passed: it can no longer be verified."),
    "outcome_missing": _("The outcome is missing."),
    "outcome_unknown": _(
        "Unknown outcome: write verified_matched, not_verified_no_match or "
        "not_verified_cancelled, or the outcome's name in French or English."
    ),
    "comment_required": _("A comment is required when the letter is not verified."),
    "comment_too_long": _("The comment is too long (at most 2,000 characters)."),
    "duplicate": _("This application number is already on row %(line)s: only that row is used."),
    "not_a_member": _("Only a current user of the request's DLI can decide it."),
    "refused": _("The decision could not be recorded."),
}

FILE_ERROR_MESSAGES: dict[str, StrOrPromise] = {
    "unreadable": _(
        "The file could not be read. Upload a CSV file (UTF-8) or an Excel file (.xlsx), "
        "such as the list of pending requests the portal gives you."
    ),
    "columns": _(
        "The first row of the file must name the columns “application_number” and “outcome” "
        "(and “comment”)."
    ),
    "too_many_rows": _("The file has too many rows: split it into smaller files."),
    "empty": _("The file has no rows of decisions."),
}
