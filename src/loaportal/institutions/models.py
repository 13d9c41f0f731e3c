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


class Membership(models.Model):
    """A user's place in one DLI. A user belongs to at most one DLI; a DLI has one primary user."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Primary user")
        SECONDARY = "secondary", _("Secondary user")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("Role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("Joined"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["institution", "role", "user__surname"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=models.Q(role="primary"),
                name="institutions_membership_one_primary_per_dli",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["primary", "secondary"]),
                name="institutions_membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} – {self.institution.dli_number} ({self.role})"

    @property
    def is_primary(self) -> bool:
        return self.role == self.Role.PRIMARY
