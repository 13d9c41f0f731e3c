"""Writing the audit trail. Every entry is inserted once and never changed."""

from __future__ import annotations

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
    event_type = validate_event_type(event_type)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if institution is None and institution_from is not None:
        institution = institution_of(institution_from)
    if target_user is not None and not target_email:
        target_email = target_user.email
    if subject is None:
        subject = target_user if target_user is not None else institution
    details = dict(details or {})
    token = api_token()
    if token is not None:
        details.setdefault("api_token", token)
    event = AuditEvent(
        event_type=event_type,
        actor=actor,
        actor_email=actor.email if actor is not None else "",
        institution=institution,
        target_user=target_user,
        target_email=(target_email or "").strip().lower()[:254],
        ip_address=ip_address or client_ip(),
        details=details or {},
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
    )
    event.save()
    return event
