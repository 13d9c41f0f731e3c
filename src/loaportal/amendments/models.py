"""Amendments: a DLI asks IRCC to amend one of its verification requests, and an officer decides.

One app for both kinds, because they are one workflow: a member of the request's DLI asks,
with a ground from a closed list and an explanation; an IRCC officer approves or refuses with
a reason; the DLI's users are emailed the decision; only an approval changes the request.

- ``ExtensionRequest``: more time to verify (1 to 30 days; IRPR R222.1(2)(a) lists the four
  grounds). An approval moves the request's ``due_at`` by the days granted.
- ``CorrectionRequest``: a decided request's outcome should become another one
  (``VerificationRequest.CORRECTIONS``). An approval changes the outcome; the first decision
  stays in the history, marked as corrected.

Workflow of both (``TRANSITIONS``): ``submitted`` → ``approved`` | ``refused``, final. At most
one ``submitted`` request of each kind per verification request (a partial unique constraint).
The services in ``amendments.services`` perform each step and its side effects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.verifications.models import VerificationRequest

EXTENSION_MAX_DAYS = 30
OUTCOME_VALUES = [str(value) for value in VerificationRequest.OUTCOMES]


class AmendmentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class AmendmentRequest(models.Model):
    """What both kinds share: the request amended, who asked, when, why, and the decision."""

    Status = AmendmentStatus
    TRANSITIONS: dict[str, frozenset[str]] = {
        AmendmentStatus.SUBMITTED: frozenset({AmendmentStatus.APPROVED, AmendmentStatus.REFUSED}),
        AmendmentStatus.APPROVED: frozenset(),
        AmendmentStatus.REFUSED: frozenset(),
    }

    verification_request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("Verification request"),
    )
    # The request's DLI, copied at creation: what the DLI's lists and the isolation filter on.
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("DLI"),
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=AmendmentStatus.choices, default="submitted"
    )
    explanation = models.TextField(_("Explanation"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Requested by"),
    )
    requested_at = models.DateTimeField(_("Submitted"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Decided by"),
    )
    decided_at = models.DateTimeField(_("Decided"), null=True, blank=True)
    decision_reason = models.TextField(_("Reason for the decision"), max_length=2000, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status == AmendmentStatus.SUBMITTED

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())


def _decision_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=models.Q(status__in=["submitted", "approved", "refused"]),
            name=f"{prefix}_status_valid",
        ),
        models.CheckConstraint(
            condition=models.Q(status="submitted", decided_at__isnull=True, decided_by__isnull=True)
            | (
                models.Q(status__in=["approved", "refused"])
                & models.Q(decided_at__isnull=False, decided_by__isnull=False)
            ),
            name=f"{prefix}_decision_recorded",
        ),
        models.CheckConstraint(
            condition=~models.Q(status="refused") | ~models.Q(decision_reason=""),
            name=f"{prefix}_refusal_has_reason",
        ),
        # One open request of this kind per verification request.
        models.UniqueConstraint(
            fields=["verification_request"],
            condition=models.Q(status="submitted"),
            name=f"{prefix}_one_open",
        ),
    ]


class ExtensionRequest(AmendmentRequest):
    """More time to verify a pending request (see the module's docstring)."""

    class Ground(models.TextChoices):
        INFRASTRUCTURE_FAILURE = (
            "infrastructure_failure",
            _("Prolonged failure of power, communication or infrastructure"),
        )
        NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
        PUBLIC_HEALTH_EMERGENCY = "public_health_emergency", _("Public health emergency")
        LABOUR_DISPUTE = "labour_dispute", _("Labour dispute")

    ground = models.CharField(_("Ground"), max_length=32, choices=Ground.choices)
    days_requested = models.PositiveSmallIntegerField(_("Days requested"))
    days_granted = models.PositiveSmallIntegerField(_("Days granted"), null=True, blank=True)
    # The deadline in force when the extension was asked for.
    due_at_when_requested = models.DateTimeField(_("Due when requested"))

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "id"]
        indexes = [
            # The officers' queue: open first, oldest first.
            models.Index(fields=["status", "requested_at"], name="amend_extension_queue"),
            models.Index(fields=["institution", "requested_at"], name="amend_extension_dli"),
        ]
        constraints = [
            *_decision_constraints("amendments_extension"),
            models.CheckConstraint(
                condition=models.Q(
                    ground__in=[
                        "infrastructure_failure",
                        "natural_disaster",
                        "public_health_emergency",
                        "labour_dispute",
                    ]
                ),
                name="amendments_extension_ground_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(days_requested__gte=1, days_requested__lte=EXTENSION_MAX_DAYS),
                name="amendments_extension_days_requested_range",
            ),
            # Granted only by an approval, at least one day and never more than asked.
            models.CheckConstraint(
                condition=models.Q(
                    status="approved",
                    days_granted__gte=1,
                    days_granted__lte=models.F("days_requested"),
                )
                | (~models.Q(status="approved") & models.Q(days_granted__isnull=True)),
                name="amendments_extension_days_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"extension {self.pk} of {self.verification_request_id} ({self.status})"


class CorrectionRequest(AmendmentRequest):
    """A decided request's outcome should become another one (see the module's docstring)."""

    class Ground(models.TextChoices):
        DEFERRED_ENROLMENT = "deferred_enrolment", _("Deferred enrolment")
        STUDENT_WITHDREW = "student_withdrew", _("The student withdrew")
        VERIFICATION_ERROR = "verification_error", _("Error in the original verification")

    ground = models.CharField(_("Ground"), max_length=32, choices=Ground.choices)
    # The outcome when the correction was asked for, and the one it should become.
    current_outcome = models.CharField(
        _("Outcome when requested"), max_length=32, choices=VerificationRequest.Status.choices
    )
    requested_outcome = models.CharField(
        _("Requested outcome"), max_length=32, choices=VerificationRequest.Status.choices
    )

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="amend_correction_queue"),
            models.Index(fields=["institution", "requested_at"], name="amend_correction_dli"),
        ]
        constraints = [
            *_decision_constraints("amendments_correction"),
            models.CheckConstraint(
                condition=models.Q(
                    ground__in=["deferred_enrolment", "student_withdrew", "verification_error"]
                ),
                name="amendments_correction_ground_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    current_outcome__in=OUTCOME_VALUES, requested_outcome__in=OUTCOME_VALUES
                )
                & ~models.Q(current_outcome=models.F("requested_outcome")),
                name="amendments_correction_outcomes",
            ),
        ]

    def __str__(self) -> str:
        return f"correction {self.pk} of {self.verification_request_id} ({self.status})"
