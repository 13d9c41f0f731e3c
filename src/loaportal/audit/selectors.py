from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from loaportal.audit.models import AuditEvent

if TYPE_CHECKING:
    # The DLI (``institutions.Institution``) lives floors above audit (README "Layers"), where
    # this module may not reach, not even for a type.
    from typing import Any

    Institution = Any


def audit_events_for_institution(
    *, institution: Institution, event_type: str = ""
) -> QuerySet[AuditEvent]:
    """One DLI's audit entries, newest first, optionally of one event type."""
    events = AuditEvent.objects.filter(institution=institution)
    if event_type:
        events = events.filter(event_type=event_type)
    return events.select_related("actor", "target_user").order_by("-occurred_at", "-id")
