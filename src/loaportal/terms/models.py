from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TermsVersion(models.Model):
    """A published version of the portal's terms and conditions, in both languages.

    The current version is the most recently published one. Publishing a new version asks
    every user to accept again before they can use any other page.
    """

    version = models.CharField(_("Version"), max_length=32, unique=True)
    title_fr = models.CharField(_("Title (French)"), max_length=200)
    title_en = models.CharField(_("Title (English)"), max_length=200)
    text_fr = models.TextField(_("Text (French)"))
    text_en = models.TextField(_("Text (English)"))
    published_at = models.DateTimeField(_("Published"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("terms version")
        verbose_name_plural = _("terms versions")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.version

    @property
    def title(self) -> str:
        return self.title_fr if (get_language() or "").startswith("fr") else self.title_en

    @property
    def text(self) -> str:
        return self.text_fr if (get_language() or "").startswith("fr") else self.text_en


class TermsAcceptance(models.Model):
    """Who accepted which version of the terms, and when (append-only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="terms_acceptances"
    )
    version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("Accepted"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("Address"), null=True, blank=True)

    class Meta:
        verbose_name = _("terms acceptance")
        verbose_name_plural = _("terms acceptances")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"], name="terms_termsacceptance_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.version_id} at {self.accepted_at:%Y-%m-%d %H:%M}"
