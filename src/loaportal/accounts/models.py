from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.core.normalize import email_normalize


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=email_normalize(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("surname", "Officer")
        extra.setdefault("phone", "+16135550100")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str | None) -> User:
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a DLI user (see institutions.Membership) or an IRCC officer (staff).

    The email is the sign-in identifier and is unique across the whole portal. It is stored in
    lower case (a named check constraint), so uniqueness holds whatever the letter case and an
    address registered for one purpose cannot be reused for another.
    """

    class Language(models.TextChoices):
        FRENCH = "fr", _("Français")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("Email address"), max_length=254, unique=True)
    surname = models.CharField(_("Surname"), max_length=150)
    given_names = models.CharField(_("Given name(s)"), max_length=150, blank=True)
    phone = models.CharField(_("Telephone number"), max_length=32)
    preferred_language = models.CharField(
        _("Preferred language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    is_staff = models.BooleanField(
        _("IRCC officer"),
        default=False,
        help_text=_("Officers use the back office and never a DLI's pages."),
    )
    is_active = models.BooleanField(_("Active"), default=True)
    date_joined = models.DateTimeField(_("Date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["surname", "phone"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["surname", "given_names", "email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="accounts_user_email_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.surname) if part)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.given_names or self.surname

    def clean(self) -> None:
        super().clean()
        self.email = email_normalize(self.email)


class CodeChallenge(models.Model):
    """One pending emailed code: a sign-in waiting for its code, or a password reset.

    The count of wrong tries lives here, not in the session, so that it holds however many
    requests arrive at once: ``accounts.codes.code_challenge_check`` locks this row, compares
    the code and records the result in one transaction. A re-sent sign-in code keeps its
    challenge (NIST SP 800-63B-4: a new code does not reset the count).
    """

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("Sign-in")
        PASSWORD_RESET = "password_reset", _("Password reset")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        USED = "used", _("Used")
        ABANDONED = "abandoned", _("Abandoned")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # None for a password reset asked for an address with no account (nothing can be guessed).
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("pending code")
        verbose_name_plural = _("pending codes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(failed_attempts__lte=models.F("max_attempts")),
                name="accounts_codechallenge_attempts_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.status} ({self.failed_attempts}/{self.max_attempts})"


class AccountCodeEvent(models.Model):
    """What the per-account limits count: code emails sent, wrong codes, alerts sent.

    Rows older than a day are deleted as new ones arrive (the audit trail keeps the history);
    the counting happens with the account's row locked, so simultaneous requests are counted
    one after the other.
    """

    class Kind(models.TextChoices):
        CODE_SENT = "code_sent", _("Code emailed")
        CODE_FAILED = "code_failed", _("Wrong code")
        ALERT_CODES = "alert_codes", _("Alert: too many wrong codes")
        ALERT_INACTIVE = "alert_inactive", _("Alert: sign-in to a deactivated account")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="code_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    challenge = models.ForeignKey(
        CodeChallenge, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account code event")
        verbose_name_plural = _("account code events")
        indexes = [
            models.Index(fields=["user", "kind", "occurred_at"], name="accounts_codeevent_window"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M:%S}"
