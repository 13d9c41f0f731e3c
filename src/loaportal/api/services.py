"""API tokens: creation (shown once), revocation, and checking a presented token.

Side effects are listed on each service; every creation and revocation is an audit entry
naming the token (id, name, prefix, DLI), never its secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.api.models import ApiToken
from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.core.roles import roles_of

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Institution

TOKEN_PREFIX = "loa"  # noqa: S105 (the tokens' visible prefix, not a secret)
# last_used_at is written at most this often per token: an integration calling many times a
# second must not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

MSG_NAME_REQUIRED = _("Give the token a name.")
MSG_NAME_TOO_LONG = _("The name is too long (at most 100 characters).")
MSG_SCOPE_INVALID = _("Choose the token's scope: read, or read and decide.")
MSG_NOT_PRIMARY = _("Only the primary user of the DLI can manage its API tokens.")
MSG_NOT_OFFICER = _("Only an IRCC officer can manage IRCC service tokens.")
MSG_ALREADY_REVOKED = _("This token is already revoked.")
MSG_EXPIRY_INVALID = _("A token is valid for 1 to 730 days.")


class ApiTokenError(ApplicationError):
    code = "api_token_error"


@dataclass(frozen=True)
class CreatedToken:
    """A new token and, only here, its secret value."""

    token: ApiToken
    value: str


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _validate_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApiTokenError(MSG_NAME_REQUIRED, code="name_required", field="name")
    if len(name) > 100:
        raise ApiTokenError(MSG_NAME_TOO_LONG, code="name_too_long", field="name")
    return name


def _expiry(now: datetime, days: int | None) -> datetime:
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= 730:
        raise ApiTokenError(MSG_EXPIRY_INVALID, code="expiry_invalid", field="days")
    return now + timedelta(days=days)


def _create(
    *,
    kind: str,
    institution: Institution | None,
    name: str,
    scope: str,
    created_by: User,
    days: int | None,
    now: datetime | None,
) -> CreatedToken:
    now = now or timezone.now()
    prefix = secrets.token_hex(6)
    value = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            kind=kind,
            institution=institution,
            name=name,
            scope=scope,
            prefix=prefix,
            secret_hash=_hash(value),
            created_by=created_by,
            created_at=now,
            expires_at=_expiry(now, days),
        )
        audit_record(
            event_type=AuditEvent.Type.API_TOKEN_CREATED,
            actor=created_by,
            institution=institution,
            subject=token,
            details={"api_token": token.audit_identity(), "scope": scope},
        )
    return CreatedToken(token=token, value=value)


def api_token_create(
    *,
    institution: Institution,
    name: str,
    scope: str,
    created_by: User,
    days: int | None = None,
    now: datetime | None = None,
) -> CreatedToken:
    """A token for a DLI's systems, created by its primary user; it acts as that user.

    Side effects: the token row (hash only) and an ``api_token_created`` audit entry.
    """
    name = _validate_name(name)
    if scope not in ApiToken.Scope.values:
        raise ApiTokenError(MSG_SCOPE_INVALID, code="scope_invalid", field="scope")
    roles = roles_of(created_by)
    if not roles.is_primary or roles.institution != institution:
        raise ApiTokenError(MSG_NOT_PRIMARY, code="not_primary")
    return _create(
        kind=ApiToken.Kind.DLI,
        institution=institution,
        name=name,
        scope=scope,
        created_by=created_by,
        days=days,
        now=now,
    )


def api_token_create_ircc(
    *, name: str, created_by: User, days: int | None = None, now: datetime | None = None
) -> CreatedToken:
    """A service token for IRCC's case-processing system, created by an officer.

    Side effects: the token row (hash only) and an ``api_token_created`` audit entry.
    """
    name = _validate_name(name)
    if not roles_of(created_by).is_officer:
        raise ApiTokenError(MSG_NOT_OFFICER, code="not_officer")
    return _create(
        kind=ApiToken.Kind.IRCC,
        institution=None,
        name=name,
        scope=ApiToken.Scope.DECIDE,
        created_by=created_by,
        days=days,
        now=now,
    )


def api_token_revoke(*, token: ApiToken, revoked_by: User, now: datetime | None = None) -> ApiToken:
    """Revoke a token at once (the next call with it gets 401). The caller looked the token
    up through ``api_token_visible_to``. Side effect: an ``api_token_revoked`` audit entry."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=revoked_by
        )
        if not claimed:
            raise ApiTokenError(MSG_ALREADY_REVOKED, code="already_revoked")
        token.refresh_from_db()
        audit_record(
            event_type=AuditEvent.Type.API_TOKEN_REVOKED,
            actor=revoked_by,
            institution=token.institution,
            subject=token,
            details={"api_token": token.audit_identity()},
        )
    return token


# --- Checking a presented token ----------------------------------------------------------------


class TokenRefused(Exception):
    """The presented token does not authenticate (HTTP 401); ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Caller:
    """Who an API call is made by: the token and the user it acts as."""

    token: ApiToken
    user: User


def _owner_still_entitled(token: ApiToken) -> bool:
    user = token.created_by
    if not user.is_active:
        return False
    roles = roles_of(user)
    if token.kind == ApiToken.Kind.IRCC:
        return roles.is_officer
    return (
        roles.is_member
        and roles.institution is not None
        and (roles.institution.pk == token.institution_id)
    )


def api_token_authenticate(value: str, *, now: datetime | None = None) -> Caller:
    """The caller a presented token stands for, or ``TokenRefused``: ``token_invalid`` (made
    up, malformed), ``token_revoked``, ``token_expired``, ``token_owner_inactive`` (its creator
    left the DLI or is no longer an officer). Marks the token used (at most once a minute)."""
    now = now or timezone.now()
    parts = (value or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        raise TokenRefused("token_invalid")
    token = (
        ApiToken.objects.select_related("institution", "created_by").filter(prefix=parts[1]).first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(value.strip())):
        raise TokenRefused("token_invalid")
    if token.revoked_at is not None:
        raise TokenRefused("token_revoked")
    if now >= token.expires_at:
        raise TokenRefused("token_expired")
    if not _owner_still_entitled(token):
        raise TokenRefused("token_owner_inactive")
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return Caller(token=token, user=token.created_by)
