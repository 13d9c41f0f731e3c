"""API tokens: what a DLI's systems and IRCC's case-processing system present to the API.

A token is ``loa_<prefix>_<secret>``: the prefix (public, indexed) finds the row, the secret
is checked against a SHA-256 hash of the whole token (a high-entropy random secret needs no
slow hash). The token itself is shown once, at creation, and never stored.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        DLI = "dli", _("DLI system")
        IRCC = "ircc", _("IRCC service")

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        DECIDE = "decide", _("Read and decide")

    kind = models.CharField(_("Kind"), max_length=8, choices=Kind.choices)
    # The DLI whose requests a DLI token reaches; none for an IRCC service token.
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("DLI"),
    )
    name = models.CharField(_("Name"), max_length=100)
    scope = models.CharField(_("Scope"), max_length=8, choices=Scope.choices)
    prefix = models.CharField(_("Token prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    # The user the token acts as (decisions are recorded in their name, the audit trail names
    # the token too): its creator, for as long as they are still a member (DLI) or an officer.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Created by"),
    )
    created_at = models.DateTimeField(_("Created"), default=timezone.now)
    expires_at = models.DateTimeField(_("Expires"))
    last_used_at = models.DateTimeField(_("Last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Revoked by"),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="dli", institution__isnull=False)
                | models.Q(kind="ircc", institution__isnull=True),
                name="api_token_side",
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "decide"]), name="api_token_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_active(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at

    def audit_identity(self) -> dict[str, object]:
        """What names the token in the audit trail (never its secret)."""
        return {
            "id": self.pk,
            "name": self.name,
            "prefix": self.prefix,
            "kind": self.kind,
            "dli_number": self.institution.dli_number if self.institution else None,
        }
