from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from loaportal.invitations.models import Invitation

if TYPE_CHECKING:
    from loaportal.institutions.models import Institution


def invitation_pending_list(
    *, institution: Institution, role: str | None = None
) -> QuerySet[Invitation]:
    """The DLI's invitations not yet used or cancelled (some may have expired), oldest first."""
    invitations = Invitation.objects.filter(
        institution=institution, used_at__isnull=True, revoked_at__isnull=True
    )
    if role:
        invitations = invitations.filter(role=role)
    return invitations.select_related("invited_by").order_by("created_at", "id")
