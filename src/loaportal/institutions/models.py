from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DLI_NUMBER_PATTERN = r"^O\d{11}$"
dli_number_validator = RegexValidator(
    DLI_NUMBER_PATTERN,
    _("A DLI number is the letter O followed by 11 digits, for example O19390898172."),
    code="invalid_dli_number",
)


class Institution(models.Model):
    """A designated learning institution (DLI), identified by its DLI number."""

    class Province(models.TextChoices):
        AB = "AB", _("Alberta")
        BC = "BC", _("British Columbia")
        MB = "MB", _("Manitoba")
        NB = "NB", _("New Brunswick")
        NL = "NL", _("Newfoundland and Labrador")
        NS = "NS", _("Nova Scotia")
        NT = "NT", _("Northwest Territories")
        NU = "NU", _("Nunavut")
        ON = "ON", _("Ontario")
        PE = "PE", _("Prince Edward Island")
        QC = "QC", _("Quebec")
        SK = "SK", _("Saskatchewan")
        YT = "YT", _("Yukon")

    dli_number = models.CharField(
        _("DLI number"), max_length=12, unique=True, validators=[dli_number_validator]
    )
    name_en = models.CharField(_("Name (English)"), max_length=255)
    name_fr = models.CharField(_("Name (French)"), max_length=255)
    province = models.CharField(
        _("Province or territory"), max_length=2, choices=Province.choices, blank=True
    )
    post_secondary = models.BooleanField(_("Post-secondary"), default=True)
    created_at = models.DateTimeField(_("Created"), default=timezone.now)

    class Meta:
        verbose_name = _("designated learning institution")
        verbose_name_plural = _("designated learning institutions")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dli_number__regex=DLI_NUMBER_PATTERN),
                name="institutions_institution_dli_number_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.dli_number})"

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_fr if (get_language() or "").startswith("fr") else self.name_en


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        """Memberships not ended: the only ones that give a place in a DLI."""
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    """A user's place in one DLI. A user belongs to at most one DLI; a DLI has one primary user.

    A membership is never deleted: when its user is removed or deactivated it ends
    (``ended_at``, ``end_reason``, ``ended_by``) and stays as the record of which DLI the person
    belonged to, in which role. Selectors and the constraints below ignore ended memberships.
    """

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Primary user")
        SECONDARY = "secondary", _("Secondary user")

    class EndReason(models.TextChoices):
        REMOVED = "removed", _("Removed by a request to IRCC")
        DEACTIVATED = "deactivated", _("Account deactivated by IRCC")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="membership",
        verbose_name=_("User"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("DLI")
    )
    role = models.CharField(_("Role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("Joined"), default=timezone.now)
    ended_at = models.DateTimeField(_("Ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("Why it ended"), max_length=16, choices=EndReason.choices, blank=True
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ended by"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["institution", "role", "user__surname"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=models.Q(role="primary", ended_at__isnull=True),
                name="institutions_membership_one_primary_per_dli",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["primary", "secondary"]),
                name="institutions_membership_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True, end_reason="")
                | models.Q(ended_at__isnull=False, end_reason__in=["removed", "deactivated"]),
                name="institutions_membership_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} – {self.institution.dli_number} ({self.role})"

    @property
    def is_primary(self) -> bool:
        return self.role == self.Role.PRIMARY

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class UserChangeRequest(models.Model):
    """A DLI's request to IRCC about its users, decided by an officer.

    Two kinds: change the primary user (to an existing secondary user of the DLI, or to a new
    person by email who then receives a primary invitation; the former primary becomes a
    secondary user or is removed, as requested) and remove a secondary user.

    Workflow: ``submitted`` → ``approved`` or ``refused`` (``TRANSITIONS``); a decided request
    is final. The services in ``user_changes.services`` perform each transition
    and its side effects.
    """

    class Kind(models.TextChoices):
        CHANGE_PRIMARY = "change_primary", _("Change the primary user")
        REMOVE_USER = "remove_user", _("Remove a secondary user")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    class Reason(models.TextChoices):
        LEFT_DLI = "left_dli", _("The person no longer works for the DLI")
        NEW_DUTIES = "new_duties", _("The person's duties changed")
        LONG_ABSENCE = "long_absence", _("The person is away for a long time")
        SECURITY = "security", _("Concern about the security of the account")
        OTHER = "other", _("Other reason")

    class FormerPrimary(models.TextChoices):
        SECONDARY = "secondary", _("Becomes a secondary user")
        REMOVE = "remove", _("Is removed from the DLI")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.SUBMITTED: frozenset({Status.APPROVED, Status.REFUSED}),
        Status.APPROVED: frozenset(),
        Status.REFUSED: frozenset(),
    }

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="user_change_requests",
        verbose_name=_("DLI"),
    )
    kind = models.CharField(_("Request"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    reason = models.CharField(_("Reason"), max_length=16, choices=Reason.choices)
    explanation = models.TextField(_("Explanation"), max_length=2000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Requested by"),
    )
    submitted_at = models.DateTimeField(_("Submitted"), default=timezone.now)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("User concerned"),
        help_text=_("The user to remove, or the secondary user who becomes the primary user."),
    )
    new_primary_email = models.EmailField(
        _("Email address of the new primary user"),
        blank=True,
        help_text=_("When the new primary user is a new person, invited by email."),
    )
    former_primary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Primary user when submitted"),
    )
    former_primary_outcome = models.CharField(
        _("The former primary user"), max_length=16, choices=FormerPrimary.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Decided by"),
    )
    decided_at = models.DateTimeField(_("Decided"), null=True, blank=True)
    refusal_reason = models.TextField(_("Reason for refusal"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("user change request")
        verbose_name_plural = _("user change requests")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["change_primary", "remove_user"]),
                name="institutions_userchangerequest_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["submitted", "approved", "refused"]),
                name="institutions_userchangerequest_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="remove_user")
                | models.Q(
                    target_user__isnull=False, new_primary_email="", former_primary_outcome=""
                ),
                name="institutions_userchangerequest_removal_names_user",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="change_primary")
                | (
                    (
                        models.Q(target_user__isnull=False, new_primary_email="")
                        | (models.Q(target_user__isnull=True) & ~models.Q(new_primary_email=""))
                    )
                    & models.Q(former_primary_outcome__in=["secondary", "remove"])
                ),
                name="institutions_userchangerequest_change_names_one_new_primary",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="submitted", decided_at__isnull=True, decided_by__isnull=True
                )
                | models.Q(
                    status__in=["approved", "refused"],
                    decided_at__isnull=False,
                    decided_by__isnull=False,
                ),
                name="institutions_userchangerequest_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="institutions_userchangerequest_refusal_has_reason",
            ),
            models.UniqueConstraint(
                fields=["institution"],
                condition=models.Q(kind="change_primary", status="submitted"),
                name="institutions_userchangerequest_one_open_primary_change_per_dli",
            ),
            models.UniqueConstraint(
                fields=["target_user"],
                condition=models.Q(kind="remove_user", status="submitted"),
                name="institutions_userchangerequest_one_open_removal_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.institution.dli_number} ({self.status})"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def new_primary_label(self) -> str:
        if self.target_user_id:
            return str(self.target_user)
        return self.new_primary_email

    def describe(self) -> str:
        """One line saying what the request asks, in the active language."""
        from django.utils.translation import gettext

        if self.kind == self.Kind.REMOVE_USER:
            return gettext("Remove the secondary user %(user)s") % {"user": self.target_user}
        if self.target_user_id:
            text = gettext("Make the secondary user %(user)s the primary user") % {
                "user": self.target_user
            }
        else:
            text = gettext("Invite %(email)s as the new primary user") % {
                "email": self.new_primary_email
            }
        if self.former_primary_outcome == self.FormerPrimary.REMOVE:
            return text + gettext("; the former primary user is removed")
        return text + gettext("; the former primary user becomes a secondary user")
