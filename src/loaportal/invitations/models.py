from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.institutions.models import Institution, Membership


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        """Not used and not cancelled (some may have expired: see ``Invitation.status_at``)."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An invitation code sent to one email address to join one DLI in one role.

    States: pending → used (redeemed at sign-up) or revoked (cancelled, or replaced by a re-sent
    invitation); a pending invitation past ``expires_at`` is expired. Only a digest of the code
    is stored.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        USED = "used", _("Used")
        REVOKED = "revoked", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(_("Email address"))
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(_("Role"), max_length=16, choices=Membership.Role.choices)
    language = models.CharField(
        _("Language of the invitation"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_sent",
        help_text=_("Empty when an officer's command sent it."),
    )
    created_at = models.DateTimeField(_("Sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("Expires"))
    used_at = models.DateTimeField(_("Used"), null=True, blank=True)
    used_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitation_used",
    )
    revoked_at = models.DateTimeField(_("Cancelled"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "institution",
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="invitations_invitation_one_pending_per_email_dli",
            ),
            models.CheckConstraint(
                condition=~models.Q(used_at__isnull=False, revoked_at__isnull=False),
                name="invitations_invitation_not_used_and_revoked",
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(used_by__isnull=False),
                name="invitations_invitation_used_has_user",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="invitations_invitation_expires_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.institution.dli_number} ({self.role})"

    def status_at(self, now=None) -> Invitation.Status:
        now = now or timezone.now()
        if self.used_at:
            return self.Status.USED
        if self.revoked_at:
            return self.Status.REVOKED
        if now >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> Invitation.Status:
        return self.status_at()
