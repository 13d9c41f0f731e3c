"""Writing the audit trail. Every entry is inserted once and never changed: one at a time
(``audit_record``) or a batch under one lock of the chain head (``audit_record_many``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from loaportal.audit.context import api_token, client_ip
from loaportal.audit.models import AuditEvent, validate_event_type
from loaportal.core.roles import institution_of

if TYPE_CHECKING:
    # A user: the stubs' name for AUTH_USER_MODEL (``accounts.User``, named without importing
    # it). The DLI (``institutions.Institution``) lives floors above audit (README "Layers"),
    # where this module may not reach, not even for a type.
    from django.contrib.auth.models import _User as User

    Institution = Any


@dataclass(frozen=True)
class AuditEntry:
    """One entry to record with ``audit_record_many``: the arguments of ``audit_record``."""

    event_type: AuditEvent.Type | str
    actor: User | None = None
    institution: Institution | None = None
    target_user: User | None = None
    target_email: str = ""
    ip_address: str | None = None
    details: dict[str, Any] | None = None
    institution_from: User | None = None
    subject: models.Model | None = None


def _event(entry: AuditEntry, *, token: dict[str, Any] | None, ip: str | None) -> AuditEvent:
    event_type = validate_event_type(entry.event_type)
    actor = entry.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    institution = entry.institution
    if institution is None and entry.institution_from is not None:
        institution = institution_of(entry.institution_from)
    target_user, target_email = entry.target_user, entry.target_email
    if target_user is not None and not target_email:
        target_email = target_user.email
    subject = entry.subject
    if subject is None:
        subject = target_user if target_user is not None else institution
    details = dict(entry.details or {})
    if token is not None:
        details.setdefault("api_token", token)
    # Keys, not objects: a relation's checks on assignment cost more than the rest of the
    # entry, many times over in a batch.
    return AuditEvent(
        event_type=event_type,
        actor_id=actor.pk if actor is not None else None,
        actor_email=actor.email if actor is not None else "",
        institution_id=institution.pk if institution is not None else None,
        target_user_id=target_user.pk if target_user is not None else None,
        target_email=(target_email or "").strip().lower()[:254],
        ip_address=entry.ip_address or ip,
        details=details or {},
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
    )


def audit_record(
    *,
    event_type: AuditEvent.Type | str,
    actor: User | None = None,
    institution: Institution | None = None,
    target_user: User | None = None,
    target_email: str = "",
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
    institution_from: User | None = None,
    subject: models.Model | None = None,
) -> AuditEvent:
    """Insert one audit entry.

    ``subject``: the object the event is about (an invitation, a request, a terms version...);
    by default the target user, else the DLI. Stored as its kind and primary key in indexed
    columns (``subject_type``, ``subject_id``).
    ``institution_from``: take the DLI from this user's membership when ``institution`` is not
    given (sign-in events). The source address defaults to the current request's
    (``loaportal.audit.context``). Runs in the caller's transaction: an action that rolls back
    leaves no entry. ``event_type`` must be registered in ``EventType``
    (``UnknownEventTypeError`` otherwise).
    """
    event = _event(
        AuditEntry(
            event_type=event_type,
            actor=actor,
            institution=institution,
            target_user=target_user,
            target_email=target_email,
            ip_address=ip_address,
            details=details,
            institution_from=institution_from,
            subject=subject,
        ),
        token=api_token(),
        ip=client_ip(),
    )
    event.save()
    return event


def audit_record_many(entries: Iterable[AuditEntry]) -> list[AuditEvent]:
    """Insert several audit entries at once, in their order: what ``audit_record`` would
    write for each (the same defaults: subject, DLI, source address, API token), chained under
    ONE lock of the chain head (``AuditEventQuerySet.append_many``) instead of one per entry,
    and inserted a few hundred rows per statement. Runs in the caller's transaction, which
    holds the chain head until it ends: call it last and commit promptly. Every kind is
    checked before anything is written (``UnknownEventTypeError``)."""
    token, ip = api_token(), client_ip()
    events = [_event(entry, token=token, ip=ip) for entry in entries]
    return AuditEvent.objects.append_many(events)
