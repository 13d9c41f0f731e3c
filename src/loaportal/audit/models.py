"""The audit trail: an append-only record of security and account events.

Rows are only ever inserted. The model and its queryset refuse updates and deletes, and
database triggers (see ``loaportal.audit.triggers``) reject UPDATE and DELETE on the table
below the ORM, on PostgreSQL and on SQLite alike. Each row is also chained to the previous one
by an HMAC (``loaportal.audit.chain``), so a change made around the triggers is found by
``loaportal verify_audit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from django.conf import settings
from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.core.bulk import rows_insert

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MSG_APPEND_ONLY = "The audit trail is append-only: entries cannot be changed or deleted."


MSG_ONE_BY_ONE = (
    "Audit entries are chained: insert them with audit_record or audit_record_many, "
    "never bulk_create."
)


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit entry (a programming error)."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):
        raise AppendOnlyError(MSG_APPEND_ONLY)

    def delete(self):
        raise AppendOnlyError(MSG_APPEND_ONLY)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(MSG_APPEND_ONLY)

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AppendOnlyError(MSG_APPEND_ONLY)

    def bulk_create(self, objs, *args, **kwargs):
        # A bulk insert would skip the hash chain (AuditEvent.save): entries go in one by one,
        # or several at once through append_many, which chains them.
        raise AppendOnlyError(MSG_ONE_BY_ONE)

    def append_many(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        """Insert new ``events`` in their order, each given its place and hash in the chain
        (``chain.chain_append_many``: one lock of the chain head for all of them), in one
        transaction. The only bulk insert of the trail; ``audit_record_many`` calls it."""
        from loaportal.audit.chain import chain_append_many

        events = list(events)
        for event in events:
            if not event._state.adding or event.pk is not None:
                raise AppendOnlyError(MSG_APPEND_ONLY)
            validate_event_type(event.event_type)
        if not events:
            return []
        with transaction.atomic(using=self.db):
            chain_append_many(events)
            return rows_insert(events, using=self.db)


class EventType(models.TextChoices):
    """What happened: the registry of audit event kinds, with their labels for display.

    The kinds live here only, not in the database: the column is a plain string without a
    check constraint or model ``choices``, so adding a kind needs no audit migration. The
    service (``audit_record``) and ``AuditEvent.save`` refuse a kind that is not listed here,
    see ``validate_event_type``.
    """

    INSTITUTION_CREATED = "institution_created", _("DLI onboarded")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_RESENT = "invitation_resent", _("Invitation re-sent")
    INVITATION_CANCELLED = "invitation_cancelled", _("Invitation cancelled")
    INVITATION_USED = "invitation_used", _("Invitation used")
    SIGNED_UP = "signed_up", _("Signed up")
    EMAIL_CONFIRMED = "email_confirmed", _("Email address confirmed")
    SIGNIN_SUCCEEDED = "signin_succeeded", _("Signed in")
    SIGNIN_FAILED = "signin_failed", _("Sign-in failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    CODE_SENT = "code_sent", _("Verification code sent")
    CODE_FAILED = "code_failed", _("Wrong verification code")
    CODE_EXPIRED = "code_expired", _("Expired verification code")
    TERMS_ACCEPTED = "terms_accepted", _("Terms accepted")
    TERMS_PUBLISHED = "terms_published", _("Terms published")
    # Written before user-change requests were named as such: kept so that those entries
    # still display; new entries use the USER_CHANGE_REQUEST_* kinds below.
    REQUEST_SUBMITTED = "request_submitted", _("Request submitted")
    REQUEST_APPROVED = "request_approved", _("Request approved")
    REQUEST_REFUSED = "request_refused", _("Request refused")
    USER_CHANGE_REQUEST_SUBMITTED = (
        "user_change_request_submitted",
        _("User-change request submitted"),
    )
    USER_CHANGE_REQUEST_APPROVED = "user_change_request_approved", _("User-change request approved")
    USER_CHANGE_REQUEST_REFUSED = "user_change_request_refused", _("User-change request refused")
    PRIMARY_CHANGED = "primary_changed", _("Primary user changed")
    USER_REMOVED = "user_removed", _("User removed")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    SESSIONS_ENDED = "sessions_ended", _("Other sessions ended")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    SECURITY_ALERT = "security_alert", _("Security alert emailed to the account owner")
    VERIFICATION_REQUEST_CREATED = (
        "verification_request_created",
        _("Verification request received"),
    )
    VERIFICATION_DECIDED = "verification_decided", _("Verification decided")
    VERIFICATION_NO_RESPONSE = "verification_no_response", _("Verification deadline passed")
    VERIFICATION_DOCUMENT_VIEWED = (
        "verification_document_viewed",
        _("Verification document viewed"),
    )
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint_created", _("Webhook endpoint registered")
    WEBHOOK_ENDPOINT_DELETED = "webhook_endpoint_deleted", _("Webhook endpoint removed")
    REMINDER_PREFERENCES_CHANGED = (
        "reminder_preferences_changed",
        _("Notification preferences changed"),
    )
    REMINDER_DAILY_SUMMARY_SENT = "reminder_summary_sent", _("Daily summary emailed")
    REMINDER_DEADLINE_ALERT_SENT = "reminder_alert_sent", _("24-hour alert emailed")
    VERIFICATION_ASSIGNED = "verification_assigned", _("Verification request assigned")
    VERIFICATION_EXPORTED = "verification_exported", _("Verification requests exported")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    CORRECTION_APPROVED = "correction_approved", _("Correction approved")
    CORRECTION_REFUSED = "correction_refused", _("Correction refused")
    PENDING_REQUESTS_EXPORTED = "pending_requests_exported", _("Pending requests downloaded")
    DECISION_FILE_UPLOADED = "decision_file_uploaded", _("Decision file uploaded")
    DECISION_FILE_CONFIRMED = "decision_file_confirmed", _("Decision file confirmed for recording")
    ADMISSIONS_LIST_UPLOADED = "admissions_list_uploaded", _("Admissions list uploaded")
    ADMISSIONS_LIST_DELETED = "admissions_list_deleted", _("Admissions list deleted")
    VERIFICATION_DOCUMENT_PURGED = (
        "verification_document_purged",
        _("Verification document deleted under the retention rule"),
    )
    MFA_AUTHENTICATOR_ADDED = "mfa_authenticator_added", _("Second factor added")
    MFA_AUTHENTICATOR_REMOVED = "mfa_authenticator_removed", _("Second factor removed")
    MFA_RECOVERY_CODES_GENERATED = "mfa_recovery_codes_generated", _("Recovery codes generated")
    MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", _("Recovery code used")
    MFA_FAILED = "mfa_failed", _("Second-factor attempt failed")
    MFA_RESET = "mfa_reset", _("Second factor reset by an officer")
    VERIFICATION_COUNTS_CORRECTED = (
        "verification_counts_corrected",
        _("Counts of requests by status corrected"),
    )


class UnknownEventTypeError(ValueError):
    """Raised when code records an event kind that ``EventType`` does not list."""


def validate_event_type(value: str) -> EventType:
    """The registered kind for ``value``; ``UnknownEventTypeError`` when it is not registered."""
    try:
        return EventType(value)
    except ValueError:
        raise UnknownEventTypeError(f"Unknown audit event kind: {value!r}") from None


def event_type_label(value: str) -> StrOrPromise:
    """The translated label of an event kind; the raw value for a kind no longer registered."""
    try:
        return EventType(value).label
    except ValueError:
        return value


# Kinds kept only so that the entries written with them still display; nothing records them.
RETIRED_EVENT_TYPES = frozenset(
    {EventType.REQUEST_SUBMITTED, EventType.REQUEST_APPROVED, EventType.REQUEST_REFUSED}
)


class AuditEvent(models.Model):
    """One security or account event: what happened, when, who did it, to whom, from where."""

    Type: TypeAlias = EventType

    occurred_at = models.DateTimeField(_("When"), default=timezone.now, db_index=True)
    # No ``choices`` and no check constraint: the kinds are ``EventType`` (see there).
    event_type = models.CharField(_("Event"), max_length=32, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("By"),
    )
    actor_email = models.CharField(
        _("By (email at the time)"),
        max_length=254,
        blank=True,
        help_text=_("Kept as it was when the event happened."),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("DLI"),
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Concerning user"),
    )
    target_email = models.CharField(_("Concerning (email)"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("Source address"), null=True, blank=True)
    details = models.JSONField(_("Details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # What the event is about, for lookups without reading ``details``: the object's kind
    # ("app_label.model") and primary key, e.g. "invitations.invitation" and "12".
    subject_type = models.CharField(_("Subject kind"), max_length=64, blank=True)
    subject_id = models.CharField(_("Subject"), max_length=64, blank=True)
    # The hash chain (loaportal.audit.chain): the entry's position and HMAC.
    seq = models.PositiveBigIntegerField(_("Position"), null=True, blank=True, unique=True)
    chain_hash = models.CharField(_("Chain hash"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "-occurred_at"], name="audit_event_dli_when_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_event_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.event_type} {self.actor_email}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(MSG_APPEND_ONLY)
        validate_event_type(self.event_type)
        kwargs["force_insert"] = True
        from loaportal.audit.chain import chain_append

        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using):
            chain_append(self)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(MSG_APPEND_ONLY)

    @admin.display(description=_("Event"))
    def get_event_type_display(self) -> StrOrPromise:
        return event_type_label(self.event_type)


class AuditChainHead(models.Model):
    """The end of the audit hash chain: its last position and hash (a single row).

    Appending an entry locks this row first, so concurrent writers take turns; comparing it
    with the last entry shows entries removed from the end of the trail.
    """

    seq = models.PositiveBigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.seq} {self.chain_hash}"
