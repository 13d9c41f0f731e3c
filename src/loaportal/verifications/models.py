"""Verification requests: IRCC asks a DLI to confirm a student's letter of acceptance.

Workflow (``VerificationRequest.TRANSITIONS``): ``pending`` → one of the three outcomes a
member chooses (``OUTCOMES``, final for the DLI) or ``no_response`` when the deadline passes
(``verifications.deadlines``). An officer's approval of a correction request moves a decided
request to another outcome (``CORRECTIONS``); an approved extension moves ``due_at`` (the
first deadline stays in ``original_due_at``). The stored ``status`` stays ``pending`` until a
decision or until ``close_overdue`` records the passage; ``effective_status`` is what everyone
sees and turns to ``no_response`` at the deadline without waiting for the job. Each step appends a
``VerificationEvent`` (the history is never overwritten) and an audit entry; the services in
``verifications.services`` perform them.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KT
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.verifications.storage import document_path, documents_storage


def name_search_key(text: str) -> str:
    """A name as the queue's search compares it: without accents, in capitals, hyphens and
    apostrophes as spaces, spaces collapsed ("Lévesque-O'Neil" → "LEVESQUE O NEIL")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for mark in "-‐‑–'’":
        plain = plain.replace(mark, " ")
    return " ".join(plain.upper().split())


# The rows of the "Decided" tab's partial indexes (``VerificationRequest.OUTCOMES``; the
# model's Meta cannot see the class's own attributes).
_DECIDED = models.Q(
    status__in=["verified_matched", "not_verified_no_match", "not_verified_cancelled"]
)


class VerificationRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED_MATCHED = "verified_matched", _("Verified – Matched")
        NOT_VERIFIED_NO_MATCH = "not_verified_no_match", _("Not verified – No match")
        NOT_VERIFIED_CANCELLED = (
            "not_verified_cancelled",
            _("Not verified – Cancelled or withdrawn"),
        )
        NO_RESPONSE = "no_response", _("No response")

    # The outcomes a member may choose; each is final.
    OUTCOMES: tuple[str, ...] = (
        Status.VERIFIED_MATCHED,
        Status.NOT_VERIFIED_NO_MATCH,
        Status.NOT_VERIFIED_CANCELLED,
    )
    # The outcomes that need a comment.
    COMMENT_REQUIRED: tuple[str, ...] = (
        Status.NOT_VERIFIED_NO_MATCH,
        Status.NOT_VERIFIED_CANCELLED,
    )
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({*OUTCOMES, Status.NO_RESPONSE}),
        Status.VERIFIED_MATCHED: frozenset(),
        Status.NOT_VERIFIED_NO_MATCH: frozenset(),
        Status.NOT_VERIFIED_CANCELLED: frozenset(),
        Status.NO_RESPONSE: frozenset(),
    }
    # Final for the DLI; only an officer's approval of a correction request moves a decided
    # request from one outcome to another (the old decision stays in the history).
    CORRECTIONS: dict[str, frozenset[str]] = {
        Status.VERIFIED_MATCHED: frozenset(
            {Status.NOT_VERIFIED_NO_MATCH, Status.NOT_VERIFIED_CANCELLED}
        ),
        Status.NOT_VERIFIED_NO_MATCH: frozenset(
            {Status.VERIFIED_MATCHED, Status.NOT_VERIFIED_CANCELLED}
        ),
        Status.NOT_VERIFIED_CANCELLED: frozenset(
            {Status.VERIFIED_MATCHED, Status.NOT_VERIFIED_NO_MATCH}
        ),
    }

    application_number = models.CharField(_("Application number"), max_length=30, unique=True)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="verification_requests",
        verbose_name=_("DLI"),
    )
    surname = models.CharField(_("Surname"), max_length=150)
    given_names = models.CharField(_("Given name(s)"), max_length=150, blank=True)
    # "SURNAME GIVEN NAMES" as name_search_key writes it: what a name search matches the start
    # of, through an index (set by the intake service).
    name_key = models.CharField(_("Name for searching"), max_length=301, editable=False, default="")
    date_of_birth = models.DateField(_("Date of birth"))
    program = models.CharField(_("Program"), max_length=255, blank=True)
    start_date = models.DateField(_("Start date"), null=True, blank=True)
    student_id = models.CharField(_("Student ID"), max_length=50, blank=True)
    loa_number = models.CharField(_("LOA number"), max_length=50, blank=True)
    campus = models.CharField(_("Campus"), max_length=255, blank=True)
    requested_at = models.DateTimeField(_("Requested"))
    due_at = models.DateTimeField(_("Due"), db_index=True)
    status = models.CharField(
        _("Status"), max_length=32, choices=Status.choices, default=Status.PENDING
    )
    document = models.FileField(
        _("Document"), storage=documents_storage, upload_to=document_path, max_length=255
    )
    document_name = models.CharField(_("Document name"), max_length=255)
    document_content_type = models.CharField(_("Document type"), max_length=64)
    document_size = models.PositiveIntegerField(_("Document size (bytes)"))
    decided_at = models.DateTimeField(_("Decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Decided by"),
    )
    decision_comment = models.TextField(_("Comment"), max_length=2000, blank=True)
    # The member of the DLI who handles the request (anyone of the DLI may still decide it).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Assigned to"),
    )
    # The deadline before any approved extension (``due_at`` is the one that counts).
    original_due_at = models.DateTimeField(_("Original due date"), null=True, blank=True)
    no_response_recorded_at = models.DateTimeField(_("No response recorded"), null=True, blank=True)
    created_at = models.DateTimeField(_("Created"), default=timezone.now)
    # When anything an outside system reads last changed (status, decision, deadline, a new
    # history entry other than the DLI's own housekeeping): the order IRCC's poller resumes
    # from (``verification_request_feed``). Kept by ``VerificationEvent.save``, so every
    # service that appends to the history maintains it without having to remember.
    # (db_default: a row inserted in SQL, outside the ORM, still gets one.)
    updated_at = models.DateTimeField(_("Updated"), default=timezone.now, db_default=Now())
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Created by"),
    )

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        ordering = ["due_at", "id"]
        indexes = [
            # The queue's tabs (status, due date) and its order (due date) within one DLI.
            models.Index(fields=["institution", "status", "due_at"], name="verif_request_queue"),
            # Name search: a prefix of name_key (LIKE 'KEY%'); the pattern operator class lets
            # PostgreSQL use the index for it whatever the database's collation.
            models.Index(
                fields=["institution", "name_key"],
                name="verif_request_name",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["institution", "student_id"], name="verif_request_student"),
            models.Index(fields=["institution", "date_of_birth"], name="verif_request_birth"),
            # The "Assigned to me" tab and the assignee filter.
            models.Index(
                fields=["institution", "assigned_to", "status", "due_at"],
                name="verif_request_assignee",
            ),
            # The "Decided" tab (most of a DLI's requests after a while), in its order: a page,
            # even a far one, reads this index alone (core.pagination.DeferredJoinPaginator).
            models.Index(
                models.F("institution"),
                models.F("due_at").desc(),
                models.F("id").desc(),
                condition=_DECIDED,
                name="verif_request_decided",
            ),
            # A name search in the "Decided" tab: the matches' keys and due dates, read from
            # this index alone (prefix of name_key), counted and sorted without the rows.
            models.Index(
                fields=["institution", "name_key", "due_at", "id"],
                name="verif_request_decided_name",
                opclasses=["int8_ops", "varchar_pattern_ops", "timestamptz_ops", "int8_ops"],
                condition=_DECIDED,
            ),
            # The assignee filter in the "Decided" tab, in the tab's order: a page reads 25
            # entries of this index, its count at most the search limit.
            models.Index(
                models.F("institution"),
                models.F("assigned_to"),
                models.F("due_at").desc(),
                models.F("id").desc(),
                condition=_DECIDED,
                name="verif_request_decided_asg",
            ),
            # The officers' list by status (and dates), newest request first: its count and
            # its pages read this index alone.
            models.Index(
                models.F("status"),
                models.F("requested_at").desc(),
                models.F("id").desc(),
                name="verif_request_status_req",
            ),
            # The open tabs' counts (to do, assigned to me, due soon, and the deadlines passed
            # but not yet recorded): one DLI's pending requests alone, read from this index
            # without the rows, however many closed requests the DLI holds (ADR 0019).
            models.Index(
                fields=["institution", "due_at", "assigned_to"],
                condition=models.Q(status="pending"),
                name="verif_request_pending",
            ),
            # close_overdue: pending requests past their deadline, across DLIs.
            models.Index(fields=["status", "due_at"], name="verif_request_overdue"),
            # The officers' list filtered by request date.
            models.Index(fields=["requested_at"], name="verif_request_requested"),
            # IRCC's poller: everything changed since a moment, in a stable order.
            models.Index(fields=["updated_at", "id"], name="verif_request_updated"),
            # A DLI's integration: its requests changed since a moment.
            models.Index(fields=["institution", "updated_at", "id"], name="verif_request_dli_upd"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "pending",
                        "verified_matched",
                        "not_verified_no_match",
                        "not_verified_cancelled",
                        "no_response",
                    ]
                ),
                name="verifications_request_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status__in=[
                            "verified_matched",
                            "not_verified_no_match",
                            "not_verified_cancelled",
                        ],
                        decided_at__isnull=False,
                        decided_by__isnull=False,
                    )
                    | (
                        models.Q(status__in=["pending", "no_response"])
                        & models.Q(decided_at__isnull=True, decided_by__isnull=True)
                    )
                ),
                name="verifications_request_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["not_verified_no_match", "not_verified_cancelled"])
                | ~models.Q(decision_comment=""),
                name="verifications_request_not_verified_has_comment",
            ),
            models.CheckConstraint(
                condition=models.Q(status="no_response", no_response_recorded_at__isnull=False)
                | (
                    ~models.Q(status="no_response") & models.Q(no_response_recorded_at__isnull=True)
                ),
                name="verifications_request_no_response_recorded",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("requested_at")),
                name="verifications_request_due_after_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_number} – {self.institution_id} ({self.status})"

    def effective_status(self, now: datetime | None = None) -> str:
        """The status everyone sees: ``no_response`` from the instant the deadline passes,
        whether or not ``close_overdue`` has recorded it yet."""
        now = now or timezone.now()
        if self.status == self.Status.PENDING and now > self.due_at:
            return self.Status.NO_RESPONSE
        return self.status

    def effective_status_label(self, now: datetime | None = None) -> str:
        return str(self.Status(self.effective_status(now)).label)

    def is_decidable(self, now: datetime | None = None) -> bool:
        """Still pending and the deadline not passed (it is decidable up to ``due_at`` itself)."""
        return self.effective_status(now) == self.Status.PENDING

    def time_left(self, now: datetime | None = None) -> timedelta:
        """Time until the deadline; negative once it has passed."""
        return self.due_at - (now or timezone.now())

    @property
    def is_decided(self) -> bool:
        return self.status in self.OUTCOMES


# The stored statuses whose number per DLI ``VerificationStatusCounts`` keeps (ADR 0019): the
# closed ones. Pending requests are counted from their own index (few of them at any time).
COUNTED_STATUSES: tuple[str, ...] = (
    *VerificationRequest.OUTCOMES,
    VerificationRequest.Status.NO_RESPONSE,
)


class VerificationStatusCounts(models.Model):
    """How many of one DLI's requests hold each closed stored status (``COUNTED_STATUSES``):
    the queue's "Decided" and "No response" counts without reading the DLI's requests (ADR
    0019). Kept exact by ``services.verification_status_counts_move``, which every service that
    changes a request's stored status calls in its own transaction (``UPDATE … SET n = n + k``:
    simultaneous changes never lose one); filled from the requests by migration
    ``verifications.0007`` and by ``verification_status_counts_rebuild``. A DLI without a row
    has none of them."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="verification_status_counts",
        verbose_name=_("DLI"),
    )
    verified_matched = models.BigIntegerField(default=0)
    not_verified_no_match = models.BigIntegerField(default=0)
    not_verified_cancelled = models.BigIntegerField(default=0)
    no_response = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("requests by status")
        verbose_name_plural = _("requests by status")

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.as_dict()}"

    def as_dict(self) -> dict[str, int]:
        return {status: getattr(self, status) for status in COUNTED_STATUSES}

    @property
    def decided(self) -> int:
        return sum(getattr(self, status) for status in VerificationRequest.OUTCOMES)


MSG_HISTORY_APPEND_ONLY = "A request's history is append-only: its entries cannot be changed."


class HistoryAppendOnlyError(Exception):
    """Raised when code tries to change or delete a history entry (a programming error)."""


class VerificationEventQuerySet(models.QuerySet["VerificationEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise HistoryAppendOnlyError(MSG_HISTORY_APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise HistoryAppendOnlyError(MSG_HISTORY_APPEND_ONLY)


class VerificationEvent(models.Model):
    """One step in a request's history. Rows are appended, never changed: the model and its
    queryset refuse updates and deletes."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Request received")
        DECIDED = "decided", _("Decision submitted")
        NO_RESPONSE = "no_response", _("Deadline passed without a response")
        DOCUMENT_VIEWED = "document_viewed", _("Document viewed")
        ASSIGNED = "assigned", _("Assigned")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_APPROVED = "extension_approved", _("Extension approved")
        EXTENSION_REFUSED = "extension_refused", _("Extension refused")
        CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
        CORRECTED = "corrected", _("Decision corrected")
        CORRECTION_REFUSED = "correction_refused", _("Correction refused")

    request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("Request"),
    )
    kind = models.CharField(_("Event"), max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("When"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("By"),
    )
    outcome = models.CharField(
        _("Outcome"), max_length=32, choices=VerificationRequest.Status.choices, blank=True
    )
    comment = models.TextField(_("Comment"), blank=True)
    details = models.JSONField(_("Details"), default=dict, blank=True)

    objects = VerificationEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("verification request event")
        verbose_name_plural = _("verification request events")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["request", "occurred_at"], name="verif_event_request")]
        constraints = [
            # The passage of a deadline is recorded once, however often the job runs. Once per
            # deadline, not per request: an extension approved after the passage (README
            # "Extension and correction requests") reopens the request with a new deadline,
            # whose passage is recorded again.
            models.UniqueConstraint(
                models.F("request"),
                KT("details__due_at"),
                condition=models.Q(kind="no_response"),
                name="verifications_event_one_no_response_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(kind="decided"),
                name="verifications_event_one_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"

    # History entries that concern only the DLI's own housekeeping: they do not make the
    # request "updated" for outside systems.
    HOUSEKEEPING_KINDS: frozenset[str] = frozenset({Kind.DOCUMENT_VIEWED, Kind.ASSIGNED})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise HistoryAppendOnlyError(MSG_HISTORY_APPEND_ONLY)
        super().save(*args, **kwargs)
        if self.kind not in self.HOUSEKEEPING_KINDS:
            # Never backwards: the poller's order (updated_at, id) only moves forward.
            stamp = max(self.occurred_at, timezone.now())
            VerificationRequest.objects.filter(pk=self.request_id, updated_at__lt=stamp).update(
                updated_at=stamp
            )
        from loaportal.verifications.signals import history_announce

        history_announce([self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise HistoryAppendOnlyError(MSG_HISTORY_APPEND_ONLY)


class VerificationAnnouncement(models.Model):
    """Per user: when the last "new requests" email went, and since when new requests wait
    for the next one. At most one email per user per hour (``services.announcements_send``):
    the send is claimed by one conditional UPDATE of this row, so concurrent imports and the
    worker never send two."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("User"),
    )
    last_sent_at = models.DateTimeField(_("Last email"), null=True, blank=True)
    pending_since = models.DateTimeField(_("New requests since"), null=True, blank=True)

    class Meta:
        verbose_name = _("new-request announcement")
        verbose_name_plural = _("new-request announcements")
        indexes = [models.Index(fields=["pending_since"], name="verif_announce_pending")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last_sent_at} / {self.pending_since}"
